/* haul-connections.c — per-server and global connection budgets
 *
 * One table, server → (extra connections in use, halvings, not before),
 * and one global count, under one mutex. Entries live as long as the
 * process: a server's penalties are remembered while Haul runs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-connections"

#include "config.h"

#include "haul-connections.h"

typedef struct
{
  guint  in_use;
  guint  halvings;
  gint64 not_before_us;  /* monotonic; 0: no pause asked for */
} Server;

static GMutex      lock;
static GHashTable *servers;  /* char* → Server* */
static guint       total;

static Server *
server_locked (const char *name)
{
  Server *s;

  if (servers == NULL)
    servers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  s = g_hash_table_lookup (servers, name);
  if (s == NULL)
    {
      s = g_new0 (Server, 1);
      g_hash_table_insert (servers, g_strdup (name), s);
    }
  return s;
}

static guint
budget_of (const Server *s,
           guint         per_server)
{
  guint budget = CLAMP (per_server, 1, HAUL_MAX_CONNECTIONS);

  return MAX (budget >> MIN (s->halvings, 8), 1);
}

/**
 * haul_connections_server_of:
 *
 * Returns: (transfer full): the key of @uri's server in the budgets:
 *   "scheme://host:port"
 */
char *
haul_connections_server_of (GUri *uri)
{
  return g_strdup_printf ("%s://%s:%d", g_uri_get_scheme (uri), g_uri_get_host (uri),
                          g_uri_get_port (uri));
}

/**
 * haul_connections_open_first:
 * @server: "scheme://host:port"
 *
 * Counts a download's first connection to @server. It is never refused
 * (the queue's max-active bounds downloads), but it uses the server's
 * budget: extras of other downloads from the same server see it.
 */
void
haul_connections_open_first (const char *server)
{
  g_mutex_lock (&lock);
  server_locked (server)->in_use++;
  g_mutex_unlock (&lock);
}

/**
 * haul_connections_acquire:
 * @server: "scheme://host:port"
 * @per_server: the per-server setting
 *
 * Takes a slot for one extra connection to @server.
 *
 * Returns: %FALSE when the server's budget, its pause or the global
 *   budget leaves no room now
 */
gboolean
haul_connections_acquire (const char *server,
                          guint       per_server)
{
  gboolean ok = FALSE;
  Server *s;

  g_mutex_lock (&lock);
  s = server_locked (server);
  if (total < HAUL_CONNECTION_BUDGET &&
      s->in_use < budget_of (s, per_server) &&
      g_get_monotonic_time () >= s->not_before_us)
    {
      s->in_use++;
      total++;
      ok = TRUE;
    }
  g_mutex_unlock (&lock);
  return ok;
}

/* @extra: the slot came from haul_connections_acquire(), not
 * haul_connections_open_first(). */
void
haul_connections_release (const char *server,
                          gboolean    extra)
{
  Server *s;

  g_mutex_lock (&lock);
  s = server_locked (server);
  if (s->in_use > 0)
    s->in_use--;
  if (extra && total > 0)
    total--;
  g_mutex_unlock (&lock);
}

/**
 * haul_connections_penalize:
 * @retry_after_s: the pause the server asked for, or -1
 *
 * @server refused an extra connection: halves its budget (never below
 * one connection) and keeps extras away for @retry_after_s.
 *
 * Returns: the new budget
 */
guint
haul_connections_penalize (const char *server,
                           guint       per_server,
                           gint64      retry_after_s)
{
  Server *s;
  guint budget;

  g_mutex_lock (&lock);
  s = server_locked (server);
  if (budget_of (s, per_server) > 1)
    s->halvings++;
  if (retry_after_s > 0)
    s->not_before_us = MAX (s->not_before_us,
                            g_get_monotonic_time () + MIN (retry_after_s, 3600) * G_USEC_PER_SEC);
  budget = budget_of (s, per_server);
  g_mutex_unlock (&lock);
  g_debug ("%s refused an extra connection: its budget is now %u", server, budget);
  return budget;
}

/* How many connections (the first included) @server may have now. */
guint
haul_connections_get_budget (const char *server,
                             guint       per_server)
{
  guint budget;

  g_mutex_lock (&lock);
  budget = budget_of (server_locked (server), per_server);
  g_mutex_unlock (&lock);
  return budget;
}

guint
haul_connections_get_in_use (const char *server)
{
  guint n;

  g_mutex_lock (&lock);
  n = server_locked (server)->in_use;
  g_mutex_unlock (&lock);
  return n;
}

guint
haul_connections_get_total (void)
{
  guint n;

  g_mutex_lock (&lock);
  n = total;
  g_mutex_unlock (&lock);
  return n;
}

void
haul_connections_reset (void)
{
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&lock);
  if (servers != NULL)
    {
      g_hash_table_iter_init (&iter, servers);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Server *s = value;

          s->halvings = 0;
          s->not_before_us = 0;
        }
    }
  g_mutex_unlock (&lock);
}
