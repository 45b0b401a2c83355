/* haul-connections.h — how many connections Haul opens, per server and in all
 *
 * A segmented download opens extra connections to its server. Three limits
 * bound them:
 *  - per download: the job's max_connections (1..HAUL_MAX_CONNECTIONS);
 *  - per server (scheme, host and port): a budget shared by every download
 *    from that server. A server that refuses extra connections (429, 503,
 *    a refused or reset connection while others work) halves its budget,
 *    never below 1, and may ask for a pause (Retry-After); both are
 *    remembered while Haul runs;
 *  - in all: HAUL_CONNECTION_BUDGET extra connections, the size of the
 *    thread pool they run on.
 *
 * A download's first connection (every download's, split or not) is
 * counted by the transfer once it knows its server. It is never refused: it is the download
 * itself, already bounded by the queue's max-active; but it counts
 * against its server's budget: extras of other downloads from the same
 * server see it. Extra connections take a slot only when
 * the server's budget and the global one leave room, and give it back
 * when they end.
 *
 * Process-wide, any thread; one mutex, held only to count.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HAUL_MAX_CONNECTIONS      16
#define HAUL_DEFAULT_CONNECTIONS  8
#define HAUL_CONNECTION_BUDGET    64

char    *haul_connections_server_of     (GUri       *uri);
void     haul_connections_open_first    (const char *server);
gboolean haul_connections_acquire       (const char *server,
                                         guint       per_server);
void     haul_connections_release       (const char *server,
                                         gboolean    extra);
guint    haul_connections_penalize      (const char *server,
                                         guint       per_server,
                                         gint64      retry_after_s);
guint    haul_connections_get_budget    (const char *server,
                                         guint       per_server);
guint    haul_connections_get_in_use    (const char *server);
guint    haul_connections_get_total     (void);

/* Tests: forgets every server's penalties. */
void     haul_connections_reset         (void);

G_END_DECLS
