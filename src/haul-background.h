/* haul-background.h — asking the desktop to let Haul run without a window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean haul_background_is_sandboxed  (void);
void     haul_background_request_async (GDBusConnection      *bus,
                                        const char           *reason,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
gboolean haul_background_request_finish (GDBusConnection     *bus,
                                         GAsyncResult        *result,
                                         GError             **error);

G_END_DECLS
