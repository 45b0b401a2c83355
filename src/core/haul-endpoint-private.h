/* haul-endpoint-private.h — what the endpoint's two files share
 *
 * HaulEndpointServer is one run of the endpoint: created by
 * haul_endpoint_start_async() on the main thread, then owned by the
 * endpoint's thread, which creates the SoupServer, listens, answers every
 * request and ends when asked to. Reference-counted (atomically): the
 * endpoint holds one reference while it runs, the thread one until it
 * ends, every pending handoff one, so any of them may be the last.
 *
 * Which thread touches what is written beside each member.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "haul-endpoint.h"

G_BEGIN_DECLS

#define HAUL_ENDPOINT_MAX_AT_ONCE    32   /* requests handled at once (PROTOCOL.md rule 6) */
#define HAUL_ENDPOINT_MAX_PER_SECOND 50
#define HAUL_ENDPOINT_MAX_OPEN       128  /* requests started (connections waiting included) */
#define HAUL_ENDPOINT_MAX_PENDING    16   /* handoffs not yet delivered to the main thread */
#define HAUL_ENDPOINT_REQUEST_TIMEOUT_MS 10000  /* from a request's first byte to its body */

typedef struct _HaulEndpointServer HaulEndpointServer;

struct _HaulEndpointServer
{
  gint            ref_count;        /* atomic */

  /* Set before the thread starts, read-only after. */
  HaulPairings   *pairings;
  GMainContext   *main_context;     /* the creating thread's: handoffs are delivered there */
  GWeakRef        endpoint;         /* read on the main thread only */
  GMainContext   *context;          /* the endpoint thread's */
  GMainLoop      *loop;
  guint           requested_port;   /* 0 ephemeral; HAUL_ENDPOINT_PORT: that, else the fallback */
  guint           request_timeout_ms;

  /* Written by the endpoint thread before it reports the start, read after. */
  guint           port;
  GError         *error;

  gint            pending;          /* atomic: handoffs on their way to the main thread */

  /* A handoff's answer waits for the main thread's word ("added" or
   * "offered"): the main thread attaches it to @context under @reply_lock
   * unless the thread has @ended (it no longer iterates @context). */
  GMutex          reply_lock;
  gboolean        ended;

  /* The endpoint thread only. */
  SoupServer     *server;
  guint           open;             /* requests started and not yet finalized */
  guint           at_once;          /* requests accepted and not yet finalized */
  GHashTable     *waiting;          /* handoff id → its paused SoupServerMessage */
  gint64          second;           /* the current second of the rate limit */
  guint           in_second;        /* requests counted in it */
};

HaulEndpointServer *_haul_endpoint_server_ref     (HaulEndpointServer *server);
void                _haul_endpoint_server_unref   (HaulEndpointServer *server);

/* haul-endpoint-requests.c: the endpoint's thread */
void                _haul_endpoint_server_install (HaulEndpointServer *server);

void                _haul_endpoint_server_answer  (HaulEndpointServer *server,
                                                   const char         *id,
                                                   gboolean            offered);

/* haul-endpoint.c: any thread */
gboolean            _haul_endpoint_deliver        (HaulEndpointServer *server,
                                                   HaulHandoff        *handoff);

G_END_DECLS
