/* haul-endpoint-requests.c — every check of browser/PROTOCOL.md, and the three requests
 *
 * Runs on the endpoint's thread only (haul-endpoint.c starts it). A
 * request goes through three gates:
 *
 * 1. "request-started" (its first byte; also a keep-alive connection
 *    waiting for its next request): counted, and given request_timeout_ms
 *    to deliver its headers and body, after which its socket is shut down
 *    (slow or stalled clients). Past HAUL_ENDPOINT_MAX_OPEN at once, the
 *    newest is shut down at once.
 * 2. The early handler (its headers): Host, OPTIONS, X-Haul-Client,
 *    Origin, the rate limits, the path and method, the token and the
 *    declared body size, in that order. A rejected request never has its
 *    body kept (libsoup still reads it, and throws it away).
 * 3. The handler (its whole body, at most 16 KiB: a chunked body is
 *    counted as it arrives): the body's JSON, then pairing, hello or a
 *    handoff to the main thread (_haul_endpoint_deliver()).
 *
 * Every answer is a small JSON object; no answer ever has an
 * Access-Control-* header (a web page's preflight is never approved) or a
 * WWW-Authenticate challenge. Tokens and cookies are never logged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-endpoint"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "haul-endpoint-private.h"
#include "haul-handoff-private.h"

#define DATA_TRACKER  "haul-endpoint-tracker"
#define DATA_BROWSER  "haul-endpoint-browser"

#define STATUS_TOO_MANY_REQUESTS 429  /* not in libsoup 3.2's SoupStatus */

/* ------------------------------------------------------------------ */
/* Answers */

static void
respond_json (SoupServerMessage *msg,
              guint              status,
              JsonBuilder       *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (root, FALSE);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_server_message_set_status (msg, status, status == STATUS_TOO_MANY_REQUESTS ? "Too Many Requests" : NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, text, strlen (text));
}

static void
respond_error (SoupServerMessage *msg,
               guint              status,
               const char        *reason)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, reason);
  json_builder_end_object (builder);
  respond_json (msg, status, builder);
}

/* A refusal before the body: nothing of it is kept, and the connection
 * closes once it is read. */
static void
reject (SoupServerMessage *msg,
        guint              status,
        const char        *reason)
{
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
  respond_error (msg, status, reason);
}

/* ------------------------------------------------------------------ */
/* Gate 1: every request, from its first byte */

typedef struct
{
  HaulEndpointServer *server;
  SoupServerMessage  *msg;     /* unowned: the tracker lives on it */
  GSource            *timer;
  gboolean            counted; /* in server->at_once */
} Tracker;

static void
tracker_free (gpointer data)
{
  Tracker *tracker = data;

  tracker->server->open--;
  if (tracker->counted)
    tracker->server->at_once--;
  if (tracker->timer != NULL)
    {
      g_source_destroy (tracker->timer);
      g_source_unref (tracker->timer);
    }
  g_free (tracker);
}

static gboolean
deadline_cb (gpointer data)
{
  Tracker *tracker = data;
  GSocket *socket = soup_server_message_get_socket (tracker->msg);

  g_debug ("A request took too long: its connection is closed");
  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  g_clear_pointer (&tracker->timer, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
request_started_cb (SoupServer        *soup,
                    SoupServerMessage *msg,
                    gpointer           data)
{
  HaulEndpointServer *server = data;
  Tracker *tracker = g_new0 (Tracker, 1);
  guint timeout = server->request_timeout_ms;

  tracker->server = server;
  tracker->msg = msg;
  server->open++;
  if (server->open > HAUL_ENDPOINT_MAX_OPEN)
    timeout = 0;
  tracker->timer = g_timeout_source_new (timeout);
  g_source_set_callback (tracker->timer, deadline_cb, tracker, NULL);
  g_source_set_static_name (tracker->timer, "[haul] endpoint request deadline");
  g_source_attach (tracker->timer, server->context);
  g_object_set_data_full (G_OBJECT (msg), DATA_TRACKER, tracker, tracker_free);
}

/* The whole request is in: no deadline any more. */
static void
request_read_cb (SoupServer        *soup,
                 SoupServerMessage *msg,
                 gpointer           data)
{
  Tracker *tracker = g_object_get_data (G_OBJECT (msg), DATA_TRACKER);

  if (tracker != NULL && tracker->timer != NULL)
    {
      g_source_destroy (tracker->timer);
      g_clear_pointer (&tracker->timer, g_source_unref);
    }
}

/* ------------------------------------------------------------------ */
/* Gate 2: the headers */

static gboolean
host_is_ours (HaulEndpointServer *server,
              SoupMessageHeaders *headers)
{
  const char *host = soup_message_headers_get_list (headers, "Host");
  const char *names[] = { "127.0.0.1", "[::1]", "localhost" };

  if (host == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *expected = g_strdup_printf ("%s:%u", names[i], server->port);

      if (g_ascii_strcasecmp (host, expected) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
origin_is_extension (SoupMessageHeaders *headers)
{
  const char *origin = soup_message_headers_get_list (headers, "Origin");

  return origin == NULL ||
         (strchr (origin, ',') == NULL &&
          (g_str_has_prefix (origin, "chrome-extension://") || g_str_has_prefix (origin, "moz-extension://")));
}

/* PROTOCOL.md rule 6: at most 32 at once, 50 a second. */
static gboolean
take_slot (HaulEndpointServer *server,
           SoupServerMessage  *msg)
{
  gint64 second = g_get_monotonic_time () / G_USEC_PER_SEC;
  Tracker *tracker = g_object_get_data (G_OBJECT (msg), DATA_TRACKER);

  if (second != server->second)
    {
      server->second = second;
      server->in_second = 0;
    }
  if (server->at_once >= HAUL_ENDPOINT_MAX_AT_ONCE || server->in_second >= HAUL_ENDPOINT_MAX_PER_SECOND ||
      tracker == NULL)
    return FALSE;
  server->in_second++;
  server->at_once++;
  tracker->counted = TRUE;
  return TRUE;
}

/* 0 when the path and method are one of the protocol's requests. */
static guint
check_route (const char *path,
             const char *method,
             gboolean   *needs_token)
{
  *needs_token = TRUE;
  if (strcmp (path, "/v1/hello") == 0)
    return strcmp (method, "GET") == 0 ? 0 : SOUP_STATUS_METHOD_NOT_ALLOWED;
  if (strcmp (path, "/v1/downloads") == 0)
    return strcmp (method, "POST") == 0 ? 0 : SOUP_STATUS_METHOD_NOT_ALLOWED;
  if (strcmp (path, "/v1/pair") == 0)
    {
      *needs_token = FALSE;
      return strcmp (method, "POST") == 0 ? 0 : SOUP_STATUS_METHOD_NOT_ALLOWED;
    }
  return SOUP_STATUS_NOT_FOUND;
}

/* The browser's name for the token in Authorization, or NULL. */
static char *
check_token (HaulEndpointServer *server,
             SoupMessageHeaders *headers)
{
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");

  if (authorization == NULL || g_ascii_strncasecmp (authorization, "Bearer ", 7) != 0)
    return NULL;
  return haul_pairings_check_token (server->pairings, authorization + 7);
}

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           data)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  if (soup_server_message_get_status (msg) == 0 && body->length > HAUL_HANDOFF_MAX_BODY)
    reject (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, _("The request is larger than 16 KiB"));
}

/* Checks the body's declared size and type; counts a chunked one as it comes. */
static void
check_body_headers (SoupServerMessage *msg,
                    SoupMessageHeaders *headers)
{
  const char *type;

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > HAUL_HANDOFF_MAX_BODY)
    {
      reject (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, _("The request is larger than 16 KiB"));
      return;
    }
  if (strcmp (soup_server_message_get_method (msg), "POST") == 0)
    {
      type = soup_message_headers_get_content_type (headers, NULL);
      if (type == NULL || g_ascii_strcasecmp (type, "application/json") != 0)
        {
          reject (msg, SOUP_STATUS_BAD_REQUEST, _("The request’s body must be application/json"));
          return;
        }
    }
  g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), NULL);
}

/* The first check a request fails: its status and reason; 0 if none. */
static guint
check_headers (HaulEndpointServer *server,
               SoupServerMessage  *msg,
               const char         *path,
               const char        **reason)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *method = soup_server_message_get_method (msg);
  const char *client = soup_message_headers_get_list (headers, "X-Haul-Client");
  g_autofree char *browser = NULL;
  gboolean needs_token;
  guint status;

  if (!host_is_ours (server, headers))
    return *reason = _("The request is not for this address"), SOUP_STATUS_MISDIRECTED_REQUEST;
  if (strcmp (method, "OPTIONS") == 0)
    return *reason = _("Cross-origin requests are not allowed"), SOUP_STATUS_FORBIDDEN;
  if (g_strcmp0 (client, "1") != 0)
    return *reason = _("The request lacks “X-Haul-Client: 1”"), SOUP_STATUS_FORBIDDEN;
  if (!origin_is_extension (headers))
    return *reason = _("Only a browser extension may talk to Haul"), SOUP_STATUS_FORBIDDEN;
  if (!take_slot (server, msg))
    return *reason = _("Too many requests: try again later"), STATUS_TOO_MANY_REQUESTS;
  status = check_route (path, method, &needs_token);
  if (status == SOUP_STATUS_NOT_FOUND)
    return *reason = _("No such request"), status;
  if (status != 0)
    return *reason = _("That method is not allowed here"), status;
  if (needs_token)
    {
      browser = check_token (server, headers);
      if (browser == NULL)
        return *reason = _("This browser is not paired with Haul"), SOUP_STATUS_UNAUTHORIZED;
      g_object_set_data_full (G_OBJECT (msg), DATA_BROWSER, g_steal_pointer (&browser), g_free);
    }
  return 0;
}

static void
early_cb (SoupServer        *soup,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           data)
{
  const char *reason = NULL;
  guint status = check_headers (data, msg, path, &reason);

  if (status != 0)
    reject (msg, status, reason);
  else
    check_body_headers (msg, soup_server_message_get_request_headers (msg));
}

/* ------------------------------------------------------------------ */
/* Gate 3: the body, and the requests */

static void
handle_hello (HaulEndpointServer *server,
              SoupServerMessage  *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "app");
  json_builder_add_string_value (builder, "Haul");
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_set_member_name (builder, "browser");
  json_builder_add_string_value (builder, g_object_get_data (G_OBJECT (msg), DATA_BROWSER));
  json_builder_end_object (builder);
  respond_json (msg, SOUP_STATUS_OK, builder);
}

static guint
status_for (const GError *error)
{
  if (g_error_matches (error, HAUL_HANDOFF_ERROR, HAUL_HANDOFF_ERROR_TOO_LARGE))
    return SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
  if (g_error_matches (error, HAUL_PAIRINGS_ERROR, HAUL_PAIRINGS_ERROR_WRONG_CODE) ||
      g_error_matches (error, HAUL_PAIRINGS_ERROR, HAUL_PAIRINGS_ERROR_NO_CODE) ||
      g_error_matches (error, HAUL_PAIRINGS_ERROR, HAUL_PAIRINGS_ERROR_FULL))
    return SOUP_STATUS_FORBIDDEN;
  return SOUP_STATUS_BAD_REQUEST;
}

static void
handle_pair (HaulEndpointServer *server,
             SoupServerMessage  *msg,
             GBytes             *body)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *browser = NULL;
  g_autofree char *token = NULL;
  g_autofree char *id = NULL;
  gsize len;
  const char *data = g_bytes_get_data (body, &len);

  if (!_haul_handoff_parse_pair (data != NULL ? data : "", len, &code, &browser, &error) ||
      (token = haul_pairings_pair (server->pairings, code, browser, &id, &error)) == NULL)
    {
      respond_error (msg, status_for (error), error->message);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, token);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_end_object (builder);
  respond_json (msg, SOUP_STATUS_OK, builder);
  memset (token, 0, strlen (token));
}

static void
forget_waiting (SoupServerMessage  *msg,
                HaulEndpointServer *server)
{
  const char *id = g_object_get_data (G_OBJECT (msg), "haul-handoff-id");

  if (server->waiting != NULL && id != NULL)
    g_hash_table_remove (server->waiting, id);
}

/* The handoff goes to the main thread; the browser's request waits
 * (paused, holding no thread) for its word: "added", or "offered" when
 * Haul offers to continue an older download of the same file. */
static void
handle_download (HaulEndpointServer *server,
                 SoupServerMessage  *msg,
                 GBytes             *body)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HaulHandoff) handoff = NULL;
  g_autofree char *id = NULL;
  gsize len;
  const char *data = g_bytes_get_data (body, &len);

  handoff = haul_handoff_parse (data != NULL ? data : "", len, &error);
  if (handoff == NULL)
    {
      respond_error (msg, status_for (error), error->message);
      return;
    }
  handoff->browser = g_strdup (g_object_get_data (G_OBJECT (msg), DATA_BROWSER));
  handoff->id = g_uuid_string_random ();
  id = g_strdup (handoff->id);
  if (!_haul_endpoint_deliver (server, g_steal_pointer (&handoff)))
    {
      respond_error (msg, STATUS_TOO_MANY_REQUESTS, _("Too many downloads at once: try again later"));
      return;
    }

  if (server->waiting == NULL)
    server->waiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_object_set_data_full (G_OBJECT (msg), "haul-handoff-id", g_strdup (id), g_free);
  g_signal_connect (msg, "finished", G_CALLBACK (forget_waiting), server);
  g_hash_table_insert (server->waiting, g_steal_pointer (&id), g_object_ref (msg));
  soup_server_message_pause (msg);
}

/**
 * _haul_endpoint_server_answer:
 * @id: the handoff's id
 * @offered: whether Haul offers to continue an older download instead
 *
 * Answers the browser's request for the handoff @id, if it still waits.
 * The endpoint's thread.
 */
void
_haul_endpoint_server_answer (HaulEndpointServer *server,
                              const char         *id,
                              gboolean            offered)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(SoupServerMessage) msg = NULL;
  gpointer key = NULL, value = NULL;

  if (server->waiting == NULL || !g_hash_table_steal_extended (server->waiting, id, &key, &value))
    return;
  g_free (key);
  msg = value;
  g_signal_handlers_disconnect_by_func (msg, forget_waiting, server);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, offered ? "offered" : "added");
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_end_object (builder);
  respond_json (msg, SOUP_STATUS_ACCEPTED, builder);
  soup_server_message_unpause (msg);
}

static void
handler_cb (SoupServer        *soup,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           data)
{
  HaulEndpointServer *server = data;
  g_autoptr(GBytes) body = NULL;

  /* The early handler let it through; the status is still 0. */
  if (strcmp (path, "/v1/hello") == 0)
    {
      handle_hello (server, msg);
      return;
    }
  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  if (strcmp (path, "/v1/pair") == 0)
    handle_pair (server, msg, body);
  else
    handle_download (server, msg, body);
}

/**
 * _haul_endpoint_server_install:
 *
 * Connects the three gates to @server's SoupServer (the endpoint's thread,
 * before it listens).
 */
void
_haul_endpoint_server_install (HaulEndpointServer *server)
{
  g_signal_connect (server->server, "request-started", G_CALLBACK (request_started_cb), server);
  g_signal_connect (server->server, "request-read", G_CALLBACK (request_read_cb), server);
  soup_server_add_early_handler (server->server, NULL, early_cb, server, NULL);
  soup_server_add_handler (server->server, NULL, handler_cb, server, NULL);
}
