/* haul-folders.h — the default download folder and the folder chooser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

const char           *haul_folders_get_default  (void);
GtkFileChooserNative *haul_folders_new_chooser  (GtkWindow  *parent,
                                                 const char *current);

G_END_DECLS
