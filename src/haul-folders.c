/* haul-folders.c — the default download folder, the folder new downloads go to, folders' names
 *
 * Shared by the application, the Add dialog, Preferences and the folder
 * chooser, so that all of them mean the same folder by "the Downloads
 * folder" and show it by the same name.
 *
 * The rules: the Downloads folder is XDG_DOWNLOAD_DIR, or ~/Downloads
 * when there is none (GLib then says $HOME, and nobody wants downloads
 * strewn over their home folder); it is created, off the main thread, when
 * a download first needs it. New downloads go to the folder last chosen in
 * the Add dialog ("last-folder"), else to the one in Preferences
 * ("download-folder"), else to the Downloads folder. A folder is shown by
 * its name ("Downloads", "~/Projects/iso"), never as a raw path.
 *
 * Main thread, except the folder's creation (GLib's pool).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-folders"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "haul-folders.h"

static gboolean
same_folder (const char *a,
             const char *b)
{
  g_autofree char *ca = g_canonicalize_filename (a, "/");
  g_autofree char *cb = g_canonicalize_filename (b, "/");

  return g_str_equal (ca, cb);
}

/**
 * haul_folders_get_default:
 *
 * Returns: the user's Downloads folder: XDG_DOWNLOAD_DIR, or ~/Downloads
 *   when there is none or it is the home folder itself. It may not exist
 *   yet: see haul_folders_ensure_async().
 */
const char *
haul_folders_get_default (void)
{
  const char *xdg = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);
  const char *home = g_get_home_dir ();
  g_autofree char *fallback = NULL;

  if (xdg != NULL && xdg[0] != '\0' && !same_folder (xdg, home))
    return xdg;
  fallback = g_build_filename (home, "Downloads", NULL);
  return g_intern_string (fallback);
}

static char *
absolute_key (GSettings  *settings,
              const char *key)
{
  g_autofree char *value = g_settings_get_string (settings, key);

  return value != NULL && g_path_is_absolute (value) ? g_steal_pointer (&value) : NULL;
}

/**
 * haul_folders_pick:
 * @settings: (nullable): Haul's settings
 *
 * Returns: (transfer full): where new downloads go: the folder last chosen
 *   in the Add dialog, else the one chosen in Preferences, else the
 *   Downloads folder
 */
char *
haul_folders_pick (GSettings *settings)
{
  char *folder = NULL;

  if (settings != NULL)
    {
      folder = absolute_key (settings, "last-folder");
      if (folder == NULL)
        folder = absolute_key (settings, "download-folder");
    }
  return folder != NULL ? folder : g_strdup (haul_folders_get_default ());
}

/**
 * haul_folders_dup_display_name:
 * @folder: an absolute path
 *
 * The name a person knows a folder by: the Downloads folder's own name
 * ("Downloads", or its translation on disk), "Home" for the home folder,
 * "~/Projects/iso" for one inside it, the whole path in UTF-8 otherwise.
 * Names that are not UTF-8 are shown with replacement characters. Pure:
 * no disk access.
 *
 * Returns: (transfer full): the name to show
 */
char *
haul_folders_dup_display_name (const char *folder)
{
  g_autofree char *path = g_canonicalize_filename (folder, "/");
  g_autofree char *home = g_canonicalize_filename (g_get_home_dir (), "/");
  g_autofree char *downloads = g_canonicalize_filename (haul_folders_get_default (), "/");
  gsize home_len = strlen (home);

  if (g_str_equal (path, downloads))
    {
      g_autofree char *base = g_path_get_basename (path);

      return g_filename_display_name (base);
    }
  if (g_str_equal (path, home))
    return g_strdup (_("Home"));
  if (home_len > 1 && strncmp (path, home, home_len) == 0 && path[home_len] == '/')
    {
      g_autofree char *rest = g_filename_display_name (path + home_len + 1);

      return g_strconcat ("~/", rest, NULL);
    }
  return g_filename_display_name (path);
}

static void
ensure_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  const char *folder = task_data;

  if (g_mkdir_with_parents (folder, 0755) != 0)
    {
      int saved = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                               _("Could not create the folder “%s”: %s"), folder, g_strerror (saved));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * haul_folders_ensure_async:
 * @folder: where downloads are about to be saved
 *
 * Creates @folder on a worker if it is the Downloads folder (the only one
 * Haul creates: a folder the person chose and that is gone, an unmounted
 * disk say, is reported by the download, not made anew). Completes at once
 * for any other folder.
 */
void
haul_folders_ensure_async (const char          *folder,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, haul_folders_ensure_async);
  g_task_set_name (task, "[haul] create the Downloads folder");
  if (folder == NULL || !same_folder (folder, haul_folders_get_default ()))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_task_set_task_data (task, g_strdup (folder), g_free);
  g_task_run_in_thread (task, ensure_thread);
}

gboolean
haul_folders_ensure_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
