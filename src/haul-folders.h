/* haul-folders.h — the default download folder, the folder new downloads go to, folders' names
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

const char *haul_folders_get_default      (void);
char       *haul_folders_pick             (GSettings            *settings);
char       *haul_folders_dup_display_name (const char           *folder);
void        haul_folders_ensure_async     (const char           *folder,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean    haul_folders_ensure_finish    (GAsyncResult         *result,
                                           GError              **error);

G_END_DECLS
