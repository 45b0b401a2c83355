/* haul-endpoint.h — the loopback endpoint the browser extension talks to (browser/PROTOCOL.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "haul-handoff.h"
#include "haul-pairings.h"

G_BEGIN_DECLS

#define HAUL_ENDPOINT_PORT          42850  /* "HAUL" on a phone keypad */
#define HAUL_ENDPOINT_FALLBACK_PORT 42851

#define HAUL_TYPE_ENDPOINT (haul_endpoint_get_type ())

G_DECLARE_FINAL_TYPE (HaulEndpoint, haul_endpoint, HAUL, ENDPOINT, GObject)

HaulEndpoint *haul_endpoint_new                 (HaulPairings        *pairings);
void          haul_endpoint_start_async         (HaulEndpoint        *self,
                                                 guint                port,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean      haul_endpoint_start_finish        (HaulEndpoint        *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
guint         haul_endpoint_get_port            (HaulEndpoint        *self);
gboolean      haul_endpoint_is_running          (HaulEndpoint        *self);
void          haul_endpoint_stop                (HaulEndpoint        *self);
HaulPairings *haul_endpoint_get_pairings        (HaulEndpoint        *self);
void          haul_endpoint_set_request_timeout (HaulEndpoint        *self,
                                                 guint                msec);

G_END_DECLS
