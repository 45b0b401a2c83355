/* haul-test-proxy.h — a small HTTP proxy on 127.0.0.1, with or without Basic proxy credentials
 *
 * A SoupServer in its own thread (own GMainContext) that takes proxied
 * GETs ("GET http://127.0.0.1:PORT/path") and CONNECT 127.0.0.1:PORT
 * (then splices the two streams), answers 407 without the right
 * Proxy-Authorization (when made with a user), and forwards the rest to the origin on 127.0.0.1
 * only, with its own SoupSession, copying the request's end-to-end
 * headers (Range, If-Range, Authorization…) and the answer's status,
 * headers and body. Bodies are held whole: keep test files small.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _HaulTestProxy HaulTestProxy;

/* @user NULL: no sign-in asked. */
HaulTestProxy *haul_test_proxy_new             (const char    *user,
                                                const char    *password);
void           haul_test_proxy_free            (HaulTestProxy *proxy);
/* "http://127.0.0.1:PORT" */
char          *haul_test_proxy_uri             (HaulTestProxy *proxy);
/* Requests forwarded to the origin, and answered 407. */
guint          haul_test_proxy_get_n_forwarded (HaulTestProxy *proxy);
guint          haul_test_proxy_get_n_refused   (HaulTestProxy *proxy);
/* CONNECT requests accepted (tunnels opened). */
guint          haul_test_proxy_get_n_tunnelled (HaulTestProxy *proxy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulTestProxy, haul_test_proxy_free)

G_END_DECLS
