/* haul-keyring.h — passwords in the keyring (libsecret; the Secret portal in a Flatpak)
 *
 * Thread: main. Every call is asynchronous: the main thread never waits
 * for the keyring.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "haul-queue.h"

G_BEGIN_DECLS

char     *haul_keyring_server_for_uri (const char           *uri);

void      haul_keyring_store_async    (const char           *server,
                                       const char           *user,
                                       const char           *password,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
gboolean  haul_keyring_store_finish   (GAsyncResult         *result,
                                       GError              **error);

void      haul_keyring_lookup_async   (const char           *server,
                                       const char           *user,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
gboolean  haul_keyring_lookup_finish  (GAsyncResult         *result,
                                       char                **user,
                                       char                **password,
                                       GError              **error);

void      haul_keyring_clear_async    (const char           *server,
                                       const char           *user,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
gboolean  haul_keyring_clear_finish   (GAsyncResult         *result,
                                       GError              **error);

void      haul_keyring_watch_queue    (HaulQueue            *queue);

/* The "server" of the manual proxies' password (their user is the
 * proxy-user setting); see haul-proxy-settings.c. */
#define HAUL_KEYRING_PROXY_SERVER "proxy"

G_END_DECLS
