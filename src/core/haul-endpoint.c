/* haul-endpoint.c — the loopback endpoint: its thread, starting, stopping, handoffs to the main thread
 *
 * A crossing between two threads:
 *
 * - the main thread (the one that created the HaulEndpoint) starts and
 *   stops it and hears "handoff";
 * - the endpoint's own thread ("haul-endpoint") runs its own GMainContext
 *   with a SoupServer listening on 127.0.0.1 and ::1 only (never any other
 *   address), and does every check of browser/PROTOCOL.md there
 *   (haul-endpoint-requests.c).
 *
 * Nothing here blocks the main loop: the file of paired browsers is read
 * and the sockets are bound on the endpoint's thread, which reports the
 * port (or why it could not listen) to the main thread in an idle that
 * completes haul_endpoint_start_async(); stopping asks the thread's loop to
 * quit and lets the thread end on its own (it is never joined). Only a
 * validated handoff reaches the main thread, one idle each, at most
 * HAUL_ENDPOINT_MAX_PENDING on their way at once (the next gets 429). A
 * handoff from a run that was stopped in the meantime is dropped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-endpoint"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "haul-endpoint-private.h"

struct _HaulEndpoint
{
  GObject             parent_instance;

  /* The main thread only. */
  HaulPairings       *pairings;
  GMainContext       *context;
  HaulEndpointServer *server;   /* the run started last, NULL when stopped */
  guint               port;     /* 0 until it listens */
  guint               request_timeout_ms;
};

G_DEFINE_FINAL_TYPE (HaulEndpoint, haul_endpoint, G_TYPE_OBJECT)

enum {
  SIGNAL_HANDOFF,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------ */
/* One run (any thread) */

HaulEndpointServer *
_haul_endpoint_server_ref (HaulEndpointServer *server)
{
  g_atomic_int_inc (&server->ref_count);
  return server;
}

void
_haul_endpoint_server_unref (HaulEndpointServer *server)
{
  if (!g_atomic_int_dec_and_test (&server->ref_count))
    return;
  g_assert (server->server == NULL);
  g_object_unref (server->pairings);
  g_main_context_unref (server->main_context);
  g_weak_ref_clear (&server->endpoint);
  g_main_loop_unref (server->loop);
  g_main_context_unref (server->context);
  g_clear_error (&server->error);
  g_mutex_clear (&server->reply_lock);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulEndpointServer, _haul_endpoint_server_unref)

/* ------------------------------------------------------------------ */
/* The endpoint's thread */

/* 127.0.0.1 and ::1; only 127.0.0.1 where the system has no ::1. */
static gboolean
listen_local (SoupServer *server,
              guint       port,
              GError    **error)
{
  g_autoptr(GError) local = NULL;

  if (soup_server_listen_local (server, port, 0, &local))
    return TRUE;
  if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  g_debug ("No ::1 (%s): listening on 127.0.0.1 only", local->message);
  return soup_server_listen_local (server, port, SOUP_SERVER_LISTEN_IPV4_ONLY, error);
}

static guint
listen_port (SoupServer *server,
             guint       requested,
             GError    **error)
{
  g_autoptr(GError) local = NULL;
  GSList *uris;
  guint port;

  if (!listen_local (server, requested, &local))
    {
      if (requested != HAUL_ENDPOINT_PORT || !g_error_matches (local, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        {
          g_set_error (error, G_IO_ERROR, local->code, _("Haul cannot listen on port %u: %s"),
                       requested, local->message);
          return 0;
        }
      g_clear_error (&local);
      if (!listen_local (server, HAUL_ENDPOINT_FALLBACK_PORT, &local))
        {
          if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                         _("Ports %u and %u are both in use by other programs"),
                         HAUL_ENDPOINT_PORT, HAUL_ENDPOINT_FALLBACK_PORT);
          else
            g_set_error (error, G_IO_ERROR, local->code, _("Haul cannot listen on port %u: %s"),
                         HAUL_ENDPOINT_FALLBACK_PORT, local->message);
          return 0;
        }
    }
  uris = soup_server_get_uris (server);
  port = uris != NULL ? (guint) g_uri_get_port (uris->data) : 0;
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return port;
}

static gboolean started_cb (gpointer data);

/* An idle on @context, at the default priority, named @name (a literal). */
static void
attach_idle (GMainContext   *context,
             GSourceFunc     func,
             gpointer        data,
             GDestroyNotify  notify,
             const char     *name)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, notify);
  g_source_set_static_name (source, name);
  g_source_attach (source, context);
  g_source_unref (source);
}

static gpointer
endpoint_thread (gpointer data)
{
  g_autoptr(HaulEndpointServer) server = data;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (server->context);

  haul_pairings_load (server->pairings);
  server->server = soup_server_new ("server-header", "Haul", NULL);
  _haul_endpoint_server_install (server);
  server->port = listen_port (server->server, server->requested_port, &server->error);

  /* Report to the main thread; its idle holds a reference. */
  attach_idle (server->main_context, started_cb, _haul_endpoint_server_ref (server),
               (GDestroyNotify) _haul_endpoint_server_unref, "[haul] endpoint started");

  if (server->port != 0)
    g_main_loop_run (server->loop);

  /* Shut down here: the connections and messages belong to this thread.
   * From now on no answer is attached to this context (the drain below
   * runs any already there). */
  g_mutex_lock (&server->reply_lock);
  server->ended = TRUE;
  g_mutex_unlock (&server->reply_lock);
  soup_server_disconnect (server->server);
  while (g_main_context_iteration (server->context, FALSE))
    ;
  g_clear_pointer (&server->waiting, g_hash_table_unref);
  g_clear_object (&server->server);
  while (g_main_context_iteration (server->context, FALSE))
    ;
  g_main_context_pop_thread_default (server->context);
  return NULL;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------ */
/* Handoffs (the endpoint's thread → the main thread) */

typedef struct
{
  HaulEndpointServer *server;
  HaulHandoff        *handoff;
} Delivery;

static void
delivery_free (gpointer data)
{
  Delivery *delivery = data;

  g_atomic_int_add (&delivery->server->pending, -1);
  _haul_endpoint_server_unref (delivery->server);
  haul_handoff_free (delivery->handoff);
  g_free (delivery);
}

typedef struct
{
  HaulEndpointServer *server;
  char               *id;
  gboolean            offered;
} Answer;

static void
answer_free (gpointer data)
{
  Answer *answer = data;

  _haul_endpoint_server_unref (answer->server);
  g_free (answer->id);
  g_free (answer);
}

static gboolean
answer_cb (gpointer data)
{
  Answer *answer = data;

  _haul_endpoint_server_answer (answer->server, answer->id, answer->offered);
  return G_SOURCE_REMOVE;
}

/* The main thread's word on a handoff, back to the endpoint's thread,
 * which answers the browser. */
static void
send_answer (HaulEndpointServer *server,
             const HaulHandoff  *handoff)
{
  Answer *answer;

  g_mutex_lock (&server->reply_lock);
  if (!server->ended)
    {
      answer = g_new0 (Answer, 1);
      answer->server = _haul_endpoint_server_ref (server);
      answer->id = g_strdup (handoff->id);
      answer->offered = handoff->offered;
      attach_idle (server->context, answer_cb, answer, answer_free, "[haul] endpoint answer");
    }
  g_mutex_unlock (&server->reply_lock);
}

static gboolean
deliver_cb (gpointer data)
{
  Delivery *delivery = data;
  g_autoptr(HaulEndpoint) self = g_weak_ref_get (&delivery->server->endpoint);

  if (self != NULL && self->server == delivery->server)
    g_signal_emit (self, signals[SIGNAL_HANDOFF], 0, delivery->handoff);
  send_answer (delivery->server, delivery->handoff);
  return G_SOURCE_REMOVE;
}

/**
 * _haul_endpoint_deliver:
 * @handoff: (transfer full): a validated handoff
 *
 * Called on the endpoint's thread.
 *
 * Returns: %FALSE (and frees @handoff) when HAUL_ENDPOINT_MAX_PENDING are
 *   already on their way
 */
gboolean
_haul_endpoint_deliver (HaulEndpointServer *server,
                        HaulHandoff        *handoff)
{
  Delivery *delivery;

  if (g_atomic_int_add (&server->pending, 1) >= HAUL_ENDPOINT_MAX_PENDING)
    {
      g_atomic_int_add (&server->pending, -1);
      haul_handoff_free (handoff);
      return FALSE;
    }
  delivery = g_new0 (Delivery, 1);
  delivery->server = _haul_endpoint_server_ref (server);
  delivery->handoff = handoff;
  attach_idle (server->main_context, deliver_cb, delivery, delivery_free, "[haul] browser handoff");
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Starting and stopping (the main thread) */

static gboolean
started_cb (gpointer data)
{
  HaulEndpointServer *server = data;
  g_autoptr(HaulEndpoint) self = g_weak_ref_get (&server->endpoint);
  g_autoptr(GTask) task = NULL;

  if (self == NULL)
    return G_SOURCE_REMOVE;
  task = g_object_steal_data (G_OBJECT (self), "haul-start-task");
  if (task == NULL || g_task_get_task_data (task) != server)
    {
      if (task != NULL)
        g_object_set_data_full (G_OBJECT (self), "haul-start-task", g_steal_pointer (&task), g_object_unref);
      return G_SOURCE_REMOVE;
    }
  if (self->server != server)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Browser integration was turned off"));
  else if (server->error != NULL)
    {
      g_task_return_error (task, g_error_copy (server->error));
      haul_endpoint_stop (self);
    }
  else
    {
      self->port = server->port;
      g_task_return_boolean (task, TRUE);
    }
  return G_SOURCE_REMOVE;
}

/**
 * haul_endpoint_start_async:
 * @port: %HAUL_ENDPOINT_PORT (then %HAUL_ENDPOINT_FALLBACK_PORT if it is
 *   taken), another port, or 0 for one the system picks (tests)
 *
 * Starts the endpoint's thread, which reads the paired browsers and
 * listens; @callback runs once it listens or could not. Stops a run
 * started before.
 */
void
haul_endpoint_start_async (HaulEndpoint        *self,
                           guint                port,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  HaulEndpointServer *server;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) old = NULL;

  g_return_if_fail (HAUL_IS_ENDPOINT (self));
  g_return_if_fail (port <= G_MAXUINT16);

  haul_endpoint_stop (self);
  old = g_object_steal_data (G_OBJECT (self), "haul-start-task");
  if (old != NULL)
    g_task_return_new_error (old, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Browser integration was turned off"));

  server = g_new0 (HaulEndpointServer, 1);
  server->ref_count = 1;
  server->pairings = g_object_ref (self->pairings);
  server->main_context = g_main_context_ref (self->context);
  g_weak_ref_init (&server->endpoint, self);
  server->context = g_main_context_new ();
  server->loop = g_main_loop_new (server->context, FALSE);
  server->requested_port = port;
  g_mutex_init (&server->reply_lock);
  server->request_timeout_ms = self->request_timeout_ms;
  self->server = server;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haul_endpoint_start_async);
  g_task_set_task_data (task, server, NULL);
  g_object_set_data_full (G_OBJECT (self), "haul-start-task", g_steal_pointer (&task), g_object_unref);

  g_thread_unref (g_thread_new ("haul-endpoint", endpoint_thread, _haul_endpoint_server_ref (server)));
}

gboolean
haul_endpoint_start_finish (HaulEndpoint  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * haul_endpoint_stop:
 *
 * Stops listening, without waiting: the endpoint's thread closes its
 * sockets and ends by itself. Handoffs not yet delivered are dropped.
 */
void
haul_endpoint_stop (HaulEndpoint *self)
{
  HaulEndpointServer *server;
  GSource *source;

  g_return_if_fail (HAUL_IS_ENDPOINT (self));

  server = g_steal_pointer (&self->server);
  self->port = 0;
  if (server == NULL)
    return;
  source = g_idle_source_new ();
  g_source_set_callback (source, quit_cb, g_main_loop_ref (server->loop), (GDestroyNotify) g_main_loop_unref);
  g_source_attach (source, server->context);
  g_source_unref (source);
  _haul_endpoint_server_unref (server);
}

/**
 * haul_endpoint_get_port:
 *
 * Returns: the port it listens on, 0 when it does not (yet)
 */
guint
haul_endpoint_get_port (HaulEndpoint *self)
{
  g_return_val_if_fail (HAUL_IS_ENDPOINT (self), 0);

  return self->port;
}

gboolean
haul_endpoint_is_running (HaulEndpoint *self)
{
  g_return_val_if_fail (HAUL_IS_ENDPOINT (self), FALSE);

  return self->server != NULL;
}

HaulPairings *
haul_endpoint_get_pairings (HaulEndpoint *self)
{
  g_return_val_if_fail (HAUL_IS_ENDPOINT (self), NULL);

  return self->pairings;
}

/* Tests: how long a request may take from its first byte to its whole
 * body (slow clients); applies from the next start. */
void
haul_endpoint_set_request_timeout (HaulEndpoint *self,
                                   guint         msec)
{
  g_return_if_fail (HAUL_IS_ENDPOINT (self));

  self->request_timeout_ms = msec;
}

static void
haul_endpoint_dispose (GObject *object)
{
  HaulEndpoint *self = HAUL_ENDPOINT (object);

  haul_endpoint_stop (self);

  G_OBJECT_CLASS (haul_endpoint_parent_class)->dispose (object);
}

static void
haul_endpoint_finalize (GObject *object)
{
  HaulEndpoint *self = HAUL_ENDPOINT (object);

  g_clear_object (&self->pairings);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (haul_endpoint_parent_class)->finalize (object);
}

static void
haul_endpoint_class_init (HaulEndpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = haul_endpoint_dispose;
  object_class->finalize = haul_endpoint_finalize;

  /**
   * HaulEndpoint::handoff:
   * @handoff: (transfer none): the download, validated; copy what you keep
   *
   * A paired browser handed a download over. On the main context of the
   * thread that created the endpoint.
   */
  signals[SIGNAL_HANDOFF] =
    g_signal_new ("handoff", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  HAUL_TYPE_HANDOFF | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
haul_endpoint_init (HaulEndpoint *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->request_timeout_ms = HAUL_ENDPOINT_REQUEST_TIMEOUT_MS;
}

/**
 * haul_endpoint_new:
 * @pairings: the paired browsers (read and changed on the endpoint's thread)
 *
 * Returns: (transfer full): a stopped endpoint
 */
HaulEndpoint *
haul_endpoint_new (HaulPairings *pairings)
{
  HaulEndpoint *self;

  g_return_val_if_fail (HAUL_IS_PAIRINGS (pairings), NULL);

  self = g_object_new (HAUL_TYPE_ENDPOINT, NULL);
  self->pairings = g_object_ref (pairings);
  return self;
}
