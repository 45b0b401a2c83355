/* haul-folders.c — the default download folder
 *
 * Shared by the application, the Add dialog, Preferences and the folder
 * chooser, so that all of them mean the same folder by "the Downloads
 * folder".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-folders"

#include "config.h"

#include "haul-folders.h"

/**
 * haul_folders_get_default:
 *
 * Returns: the user's Downloads folder, or the home folder without one
 */
const char *
haul_folders_get_default (void)
{
  const char *folder = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);

  return folder != NULL ? folder : g_get_home_dir ();
}
