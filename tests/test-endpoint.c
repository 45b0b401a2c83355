/* test-endpoint.c — the loopback endpoint over real HTTP, against every rule of browser/PROTOCOL.md
 *
 * The endpoint runs on its own thread on an ephemeral port; the requests
 * here are raw bytes over GSocketClient (blocking, on the test's thread or
 * on flood threads), so wrong Hosts, chunked and partial bodies are what
 * they say. Every response is checked for Access-Control-* and
 * WWW-Authenticate headers, which must never appear.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#include "haul-endpoint.h"
#include "haul-test-server.h"

#define JSON_BODY "{\"url\": \"https://example.org/get?id=7\", \"filename\": \"f.iso\", \"size\": 42, " \
                  "\"cookies\": [{\"name\": \"sid\", \"value\": \"t0ps3cret\", \"domain\": \".example.org\"}]}"

typedef struct
{
  char          *dir;
  HaulPairings  *pairings;
  HaulEndpoint  *endpoint;
  guint          port;
  char          *token;
  GPtrArray     *handoffs;   /* HaulHandoff, as the main thread heard them */
  gboolean       offer;      /* the handler says Haul offers to continue an older download */
  GThread       *main_thread;
  gboolean       wrong_thread;
} Fixture;

typedef struct
{
  guint  status;
  char  *headers;  /* lower-cased */
  char  *body;
} Response;

static void
response_free (Response *r)
{
  g_free (r->headers);
  g_free (r->body);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Response, response_free)

/* ------------------------------------------------------------------ */
/* Raw HTTP */

static GSocketConnection *
connect_to (const char *address,
            guint       port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);
  g_autoptr(GSocketAddress) sa = g_inet_socket_address_new (inet, port);
  GSocketConnection *conn;

  g_socket_client_set_timeout (client, 20);
  conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (sa), NULL, &error);
  g_assert_no_error (error);
  return conn;
}

/* Reads until the server closes; NULL if it closed without a byte. */
static Response *
read_response (GSocketConnection *conn)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autofree char *text = NULL;
  Response *r;
  char buf[4096];
  char *end;
  gssize n;

  while ((n = g_input_stream_read (in, buf, sizeof buf, NULL, NULL)) > 0)
    g_byte_array_append (bytes, (guint8 *) buf, n);
  if (bytes->len == 0)
    return NULL;
  g_byte_array_append (bytes, (guint8 *) "", 1);
  text = (char *) g_byte_array_free (g_steal_pointer (&bytes), FALSE);
  end = strstr (text, "\r\n\r\n");
  g_assert_nonnull (end);
  *end = '\0';
  r = g_new0 (Response, 1);
  g_assert_cmpint (sscanf (text, "HTTP/1.%*d %u", &r->status), ==, 1);
  r->headers = g_ascii_strdown (text, -1);
  r->body = g_strdup (end + 4);

  /* Never, on any answer. */
  g_assert_null (strstr (r->headers, "access-control-"));
  g_assert_null (strstr (r->headers, "www-authenticate"));
  return r;
}

static GThread *test_main_thread;   /* the one that iterates the main context */

typedef struct
{
  const char *address;
  guint       port;
  const char *raw;
  gsize       len;
  Response   *response;
  gint        done;   /* atomic */
} Exchange;

static gpointer
exchange_thread (gpointer data)
{
  Exchange *x = data;
  g_autoptr(GSocketConnection) conn = connect_to (x->address, x->port);
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn));

  g_output_stream_write_all (out, x->raw, x->len, NULL, NULL, NULL);
  x->response = read_response (conn);
  g_atomic_int_set (&x->done, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

/* One exchange on its own thread while this one iterates the main
 * context: a handoff is answered only once the main thread has seen it
 * ("added" or "offered"). */
static Response *
send_raw_to (const char *address,
             guint       port,
             const char *raw,
             gsize       len)
{
  Exchange x = { address, port, raw, len, NULL, 0 };
  GThread *thread;

  if (g_thread_self () != test_main_thread)
    {
      exchange_thread (&x);
      return x.response;
    }
  thread = g_thread_new ("exchange", exchange_thread, &x);

  while (!g_atomic_int_get (&x.done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
  return x.response;
}

static Response *
send_raw (Fixture    *f,
          const char *raw)
{
  return send_raw_to ("127.0.0.1", f->port, raw, strlen (raw));
}

typedef struct
{
  const char *method;
  const char *path;
  const char *host;      /* NULL: 127.0.0.1:PORT */
  const char *token;     /* NULL: the fixture's; "": none */
  gboolean    no_client; /* without X-Haul-Client */
  const char *origin;
  const char *type;      /* NULL: application/json */
  const char *body;      /* NULL: none */
  const char *extra;     /* more header lines, each ending in \r\n */
} Req;

static char *
build (Fixture    *f,
       const Req  *req)
{
  GString *s = g_string_new (NULL);
  const char *token = req->token != NULL ? req->token : f->token;

  g_string_append_printf (s, "%s %s HTTP/1.1\r\n", req->method, req->path);
  if (req->host != NULL)
    g_string_append_printf (s, "Host: %s\r\n", req->host);
  else
    g_string_append_printf (s, "Host: 127.0.0.1:%u\r\n", f->port);
  if (!req->no_client)
    g_string_append (s, "X-Haul-Client: 1\r\n");
  if (token != NULL && *token != '\0')
    g_string_append_printf (s, "Authorization: Bearer %s\r\n", token);
  if (req->origin != NULL)
    g_string_append_printf (s, "Origin: %s\r\n", req->origin);
  if (req->extra != NULL)
    g_string_append (s, req->extra);
  g_string_append (s, "Connection: close\r\n");
  if (req->body != NULL)
    g_string_append_printf (s, "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n%s",
                            req->type != NULL ? req->type : "application/json", strlen (req->body), req->body);
  else
    g_string_append (s, "\r\n");
  return g_string_free (s, FALSE);
}

static Response *
request (Fixture   *f,
         const Req *req)
{
  g_autofree char *raw = build (f, req);

  return send_raw (f, raw);
}

#define assert_status(r, expected)                                              \
  G_STMT_START {                                                                \
    g_assert_nonnull (r);                                                       \
    if ((r)->status != (expected))                                              \
      g_error ("status %u, expected %u: %s", (r)->status, (guint) (expected), (r)->body); \
  } G_STMT_END

/* ------------------------------------------------------------------ */
/* The fixture */

static void
handoff_cb (HaulEndpoint *endpoint,
            HaulHandoff  *handoff,
            Fixture      *f)
{
  if (g_thread_self () != f->main_thread)
    f->wrong_thread = TRUE;
  handoff->offered = f->offer;
  g_ptr_array_add (f->handoffs, haul_handoff_copy (handoff));
}

static void
started_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  GError **out = data;

  if (!haul_endpoint_start_finish (HAUL_ENDPOINT (source), result, out) && *out == NULL)
    g_assert_not_reached ();
  if (*out == NULL)
    *out = g_error_new_literal (G_IO_ERROR, 0, "started");   /* a marker: done, no error */
}

static gboolean
error_is_set (gpointer data)
{
  return *(GError **) data != NULL;
}

/* Starts @endpoint on @port; FALSE with @error on failure. */
static gboolean
start (HaulEndpoint *endpoint,
       guint         port,
       GError      **error)
{
  GError *result = NULL;

  haul_endpoint_start_async (endpoint, port, NULL, started_cb, &result);
  g_assert_true (haul_test_wait_until (error_is_set, &result, 10000));
  if (result->domain == G_IO_ERROR && result->code == 0 && strcmp (result->message, "started") == 0)
    {
      g_error_free (result);
      return TRUE;
    }
  g_propagate_error (error, result);
  return FALSE;
}

static char *
pair_directly (HaulPairings *pairings,
               const char   *browser)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = haul_pairings_dup_code (pairings, NULL);
  char *token = haul_pairings_pair (pairings, code, browser, NULL, &error);

  g_assert_no_error (error);
  return token;
}

/* The request deadline of test_at_once() (the others have 1 s). */
static const guint long_deadline = 10000;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  f->dir = haul_test_make_tmp_dir ();
  path = g_build_filename (f->dir, "browsers.ini", NULL);
  f->pairings = haul_pairings_new (path);
  f->endpoint = haul_endpoint_new (f->pairings);
  f->handoffs = g_ptr_array_new_with_free_func ((GDestroyNotify) haul_handoff_free);
  f->main_thread = g_thread_self ();
  g_signal_connect (f->endpoint, "handoff", G_CALLBACK (handoff_cb), f);
  haul_endpoint_set_request_timeout (f->endpoint, data == &long_deadline ? 10000 : 1000);
  g_assert_true (start (f->endpoint, 0, &error));
  g_assert_no_error (error);
  f->port = haul_endpoint_get_port (f->endpoint);
  g_assert_cmpuint (f->port, >, 0);
  f->token = pair_directly (f->pairings, "Firefox");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_false (f->wrong_thread);
  haul_endpoint_stop (f->endpoint);
  g_clear_object (&f->endpoint);
  g_clear_object (&f->pairings);
  g_clear_pointer (&f->handoffs, g_ptr_array_unref);
  g_free (f->token);
  g_free (f->dir);
}

static gboolean
n_handoffs_reached (gpointer data)
{
  Fixture *f = data;

  return f->handoffs->len >= GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (f->endpoint), "test-wanted"));
}

static void
wait_handoffs (Fixture *f,
               guint    n)
{
  g_object_set_data (G_OBJECT (f->endpoint), "test-wanted", GUINT_TO_POINTER (n));
  g_assert_true (haul_test_wait_until (n_handoffs_reached, f, 10000));
  haul_test_spin (50);   /* and no more than that */
  g_assert_cmpuint (f->handoffs->len, ==, n);
}

/* ------------------------------------------------------------------ */
/* The three requests */

static void
test_hello (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(Response) r = request (f, &(Req) { "GET", "/v1/hello" });
  g_autoptr(Response) local = NULL;
  g_autoptr(Response) v6 = NULL;
  g_autoptr(Response) ext = NULL;
  g_autofree char *host = g_strdup_printf ("localhost:%u", f->port);
  g_autofree char *host6 = g_strdup_printf ("[::1]:%u", f->port);
  g_autofree char *raw6 = NULL;
  g_autoptr(GInetAddress) lo6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocket) probe6 = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM, 0, NULL);

  assert_status (r, 200);
  g_assert_nonnull (strstr (r->headers, "content-type: application/json"));
  g_assert_nonnull (strstr (r->body, "\"app\":\"Haul\""));
  g_assert_nonnull (strstr (r->body, "\"browser\":\"Firefox\""));
  g_assert_nonnull (strstr (r->body, "\"version\":\"" PACKAGE_VERSION "\""));

  local = request (f, &(Req) { "GET", "/v1/hello", .host = host });
  assert_status (local, 200);
  ext = request (f, &(Req) { "GET", "/v1/hello", .origin = "moz-extension://4b3a-11ef" });
  assert_status (ext, 200);

  /* ::1 too, where the system has it. */
  if (probe6 != NULL)
    {
      g_autoptr(GSocketAddress) sa = g_inet_socket_address_new (lo6, 0);

      if (g_socket_bind (probe6, sa, TRUE, NULL))
        {
          raw6 = build (f, &(Req) { "GET", "/v1/hello", .host = host6 });
          v6 = send_raw_to ("::1", f->port, raw6, strlen (raw6));
          assert_status (v6, 200);
        }
      else
        g_test_message ("No ::1 here: the endpoint listens on 127.0.0.1 only");
    }
}

static void
test_download (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(Response) r = request (f, &(Req) { "POST", "/v1/downloads", .origin = "chrome-extension://abcdef",
                                               .body = JSON_BODY });
  HaulHandoff *handoff;

  assert_status (r, 202);
  g_assert_nonnull (strstr (r->body, "\"status\":\"added\""));
  wait_handoffs (f, 1);
  handoff = f->handoffs->pdata[0];
  g_assert_cmpstr (handoff->url, ==, "https://example.org/get?id=7");
  g_assert_cmpstr (handoff->filename, ==, "f.iso");
  g_assert_cmpint (handoff->size, ==, 42);
  g_assert_cmpstr (handoff->browser, ==, "Firefox");
  g_assert_cmpuint (handoff->cookies->len, ==, 1);
  g_assert_nonnull (strstr (r->body, handoff->id));
}

/* The main thread's word reaches the browser: "offered" when Haul offers
 * to continue an older download of the same file. */
static void
test_offered (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(Response) r = NULL;

  f->offer = TRUE;
  r = request (f, &(Req) { "POST", "/v1/downloads", .origin = "chrome-extension://abcdef", .body = JSON_BODY });
  assert_status (r, 202);
  g_assert_nonnull (strstr (r->body, "\"status\":\"offered\""));
  g_assert_cmpuint (f->handoffs->len, ==, 1);
  g_assert_nonnull (strstr (r->body, ((HaulHandoff *) f->handoffs->pdata[0])->id));
}

/* A browser that gives up before the main thread's word: the paused
 * request is forgotten, and the next one is answered. */
static void
test_gone_before_answer (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *raw = build (f, &(Req) { "POST", "/v1/downloads", .body = JSON_BODY });
  g_autoptr(Response) r = NULL;

  {
    g_autoptr(GSocketConnection) conn = connect_to ("127.0.0.1", f->port);

    /* Sent and closed before this (the main) thread could hear of it. */
    g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), raw, strlen (raw),
                               NULL, NULL, NULL);
  }
  wait_handoffs (f, 1);
  haul_test_spin (100);
  r = request (f, &(Req) { "POST", "/v1/downloads", .body = JSON_BODY });
  assert_status (r, 202);
  g_assert_nonnull (strstr (r->body, "\"status\":\"added\""));
  wait_handoffs (f, 2);
}

static void
test_chunked (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *raw = NULL;
  g_autoptr(GString) big = g_string_new (NULL);
  g_autoptr(Response) r = NULL;
  g_autoptr(Response) too_big = NULL;
  gsize half = strlen (JSON_BODY) / 2;

  raw = g_strdup_printf ("POST /v1/downloads HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nX-Haul-Client: 1\r\n"
                         "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                         "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                         "%zx\r\n%.*s\r\n%zx\r\n%s\r\n0\r\n\r\n",
                         f->port, f->token, half, (int) half, JSON_BODY, strlen (JSON_BODY) - half, JSON_BODY + half);
  r = send_raw (f, raw);
  assert_status (r, 202);
  wait_handoffs (f, 1);

  /* 20 chunks of 1 KiB plus: counted as they come, refused past 16 KiB. */
  g_string_append_printf (big, "POST /v1/downloads HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nX-Haul-Client: 1\r\n"
                          "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                          "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n", f->port, f->token);
  g_string_append (big, "1\r\n{\r\n");
  for (guint i = 0; i < 20; i++)
    {
      g_string_append (big, "400\r\n");
      for (guint j = 0; j < 1024; j++)
        g_string_append_c (big, ' ');
      g_string_append (big, "\r\n");
    }
  g_string_append (big, "1\r\n}\r\n0\r\n\r\n");
  too_big = send_raw_to ("127.0.0.1", f->port, big->str, big->len);
  assert_status (too_big, 413);
  haul_test_spin (100);
  g_assert_cmpuint (f->handoffs->len, ==, 1);
}

/* ------------------------------------------------------------------ */
/* Refusals: each changes nothing */

typedef struct
{
  const char *name;
  Req         req;
  guint       status;
  const char *reason;   /* a part of the error's text */
} Refusal;

#define WRONG_TOKEN "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

static const Refusal refusals[] = {
  { "no-token", { "POST", "/v1/downloads", .token = "", .body = JSON_BODY }, 401, "not paired" },
  { "wrong-token", { "POST", "/v1/downloads", .token = WRONG_TOKEN, .body = JSON_BODY }, 401, "not paired" },
  { "hello-no-token", { "GET", "/v1/hello", .token = "" }, 401, "not paired" },
  { "basic-auth", { "GET", "/v1/hello", .token = "", .extra = "Authorization: Basic YTpi\r\n" }, 401, "not paired" },
  { "host-evil", { "POST", "/v1/downloads", .host = "evil.example:@PORT@", .body = JSON_BODY }, 421, "not for this address" },
  { "host-other-port", { "GET", "/v1/hello", .host = "127.0.0.1:1" }, 421, "not for this address" },
  { "host-no-port", { "GET", "/v1/hello", .host = "127.0.0.1" }, 421, "not for this address" },
  { "host-rebound", { "GET", "/v1/hello", .host = "127.0.0.1.nip.io:@PORT@" }, 421, "not for this address" },
  { "no-client-header", { "POST", "/v1/downloads", .no_client = TRUE, .body = JSON_BODY }, 403, "X-Haul-Client" },
  { "web-origin-no-header", { "POST", "/v1/downloads", .no_client = TRUE, .origin = "https://evil.example",
                              .type = "text/plain", .body = JSON_BODY }, 403, "X-Haul-Client" },
  { "web-origin-with-header", { "POST", "/v1/downloads", .origin = "https://evil.example", .body = JSON_BODY },
    403, "browser extension" },
  { "null-origin", { "POST", "/v1/downloads", .origin = "null", .body = JSON_BODY }, 403, "browser extension" },
  { "http-origin", { "GET", "/v1/hello", .origin = "http://127.0.0.1:8000" }, 403, "browser extension" },
  { "preflight", { "OPTIONS", "/v1/downloads", .token = "", .no_client = TRUE, .origin = "https://evil.example",
                   .extra = "Access-Control-Request-Method: POST\r\n"
                            "Access-Control-Request-Headers: x-haul-client, content-type\r\n" }, 403, "Cross-origin" },
  { "preflight-extension", { "OPTIONS", "/v1/hello", .origin = "chrome-extension://abc" }, 403, "Cross-origin" },
  { "form-post", { "POST", "/v1/downloads", .type = "application/x-www-form-urlencoded",
                   .body = "url=https://example.org/" }, 400, "application/json" },
  { "text-plain", { "POST", "/v1/downloads", .type = "text/plain", .body = JSON_BODY }, 400, "application/json" },
  { "malformed", { "POST", "/v1/downloads", .body = "{\"url\": " }, 400, "not valid JSON" },
  { "hostile-nesting", { "POST", "/v1/downloads",
                         .body = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[" }, 400, "nested" },
  { "non-http-url", { "POST", "/v1/downloads", .body = "{\"url\": \"file:///etc/shadow\"}" }, 400, "http or https" },
  { "wrong-type", { "POST", "/v1/downloads", .body = "{\"url\": [\"https://example.org/\"]}" }, 400, "must be a text" },
  { "unknown-path", { "GET", "/v1/secrets" }, 404, "No such request" },
  { "wrong-method", { "GET", "/v1/downloads" }, 405, "not allowed" },
  { "pair-get", { "GET", "/v1/pair", .token = "" }, 405, "not allowed" },
};

static char *
with_port (const char *s,
           guint       port)
{
  g_autofree char *p = g_strdup_printf ("%u", port);
  g_auto(GStrv) parts = s != NULL ? g_strsplit (s, "@PORT@", -1) : NULL;

  return parts != NULL ? g_strjoinv (p, parts) : NULL;
}

static void
test_refusal (Fixture       *f,
              gconstpointer  data)
{
  const Refusal *c = data;
  g_autofree char *host = with_port (c->req.host, f->port);
  Req req = c->req;
  g_autoptr(Response) r = NULL;
  g_autoptr(Response) after = NULL;

  req.host = host;
  r = request (f, &req);
  assert_status (r, c->status);
  g_assert_nonnull (strstr (r->headers, "content-type: application/json"));
  if (strstr (r->body, c->reason) == NULL)
    g_error ("%s: “%s” does not say “%s”", c->name, r->body, c->reason);
  g_assert_null (strstr (r->body, "t0ps3cret"));
  haul_test_spin (100);
  g_assert_cmpuint (f->handoffs->len, ==, 0);

  /* It changed nothing: the paired browser still works. */
  after = request (f, &(Req) { "GET", "/v1/hello" });
  assert_status (after, 200);
}

static void
test_revoked (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) list = haul_pairings_list (f->pairings);
  g_autoptr(Response) before = request (f, &(Req) { "GET", "/v1/hello" });
  g_autoptr(Response) after = NULL;

  assert_status (before, 200);
  g_assert_true (haul_pairings_revoke (f->pairings, ((HaulPairing *) list->pdata[0])->id));
  after = request (f, &(Req) { "POST", "/v1/downloads", .body = JSON_BODY });
  assert_status (after, 401);
  haul_test_spin (100);
  g_assert_cmpuint (f->handoffs->len, ==, 0);
}

static void
test_too_large (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GString) body = g_string_new ("{\"url\": \"https://example.org/\", \"pad\": \"");
  g_autoptr(Response) r = NULL;
  g_autoptr(Response) declared = NULL;
  g_autofree char *raw = NULL;

  while (body->len < 20 * 1024)
    g_string_append_c (body, 'x');
  g_string_append (body, "\"}");
  r = request (f, &(Req) { "POST", "/v1/downloads", .body = body->str });
  assert_status (r, 413);

  /* A huge Content-Length is refused from the headers: the body never comes. */
  raw = g_strdup_printf ("POST /v1/downloads HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nX-Haul-Client: 1\r\n"
                         "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                         "Content-Length: 10000000000\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
                         f->port, f->token);
  declared = send_raw (f, raw);
  assert_status (declared, 413);
  haul_test_spin (100);
  g_assert_cmpuint (f->handoffs->len, ==, 0);
}

/* ------------------------------------------------------------------ */
/* Pairing */

static void
test_pair (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *code = haul_pairings_dup_code (f->pairings, NULL);
  g_autofree char *lower = g_ascii_strdown (code, -1);
  g_autofree char *wrong_body = g_strdup_printf ("{\"code\": \"%s\", \"browser\": \"Evil\"}",
                                                 code[0] == '2' ? "333333" : "222222");
  g_autofree char *body = g_strdup_printf ("{\"code\": \"%s\", \"browser\": \"Chromium\"}", lower);
  g_autoptr(Response) wrong = request (f, &(Req) { "POST", "/v1/pair", .token = "", .body = wrong_body });
  g_autoptr(Response) no_header = request (f, &(Req) { "POST", "/v1/pair", .token = "", .no_client = TRUE, .body = body });
  g_autoptr(Response) right = NULL;
  g_autoptr(Response) again = NULL;
  g_autoptr(Response) hello = NULL;
  g_autofree char *token = NULL;
  const char *t;

  assert_status (wrong, 403);
  g_assert_nonnull (strstr (wrong->body, "wrong"));
  assert_status (no_header, 403);

  right = request (f, &(Req) { "POST", "/v1/pair", .token = "", .origin = "chrome-extension://x", .body = body });
  assert_status (right, 200);
  t = strstr (right->body, "\"token\":\"");
  g_assert_nonnull (t);
  token = g_strndup (t + 9, 43);
  g_assert_cmpint (t[9 + 43], ==, '"');
  g_assert_nonnull (strstr (right->body, "\"id\":\""));

  hello = request (f, &(Req) { "GET", "/v1/hello", .token = token });
  assert_status (hello, 200);
  g_assert_nonnull (strstr (hello->body, "\"browser\":\"Chromium\""));

  /* The code was used once. */
  again = request (f, &(Req) { "POST", "/v1/pair", .token = "", .body = body });
  assert_status (again, 403);
}

static void
test_pair_burn (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *code = haul_pairings_dup_code (f->pairings, NULL);
  g_autofree char *body = g_strdup_printf ("{\"code\": \"%s\", \"browser\": \"Chromium\"}", code);
  g_autofree char *wrong = g_strdup_printf ("{\"code\": \"%s\", \"browser\": \"Evil\"}",
                                            code[0] == '2' ? "333333" : "222222");
  g_autoptr(Response) r = NULL;

  for (guint i = 0; i < HAUL_PAIRING_MAX_TRIES; i++)
    {
      g_autoptr(Response) w = request (f, &(Req) { "POST", "/v1/pair", .token = "", .body = wrong });

      assert_status (w, 403);
    }
  r = request (f, &(Req) { "POST", "/v1/pair", .token = "", .body = body });
  assert_status (r, 403);
  {
    g_autoptr(GPtrArray) list = haul_pairings_list (f->pairings);

    g_assert_cmpuint (list->len, ==, 1);
  }
}

/* ------------------------------------------------------------------ */
/* Slow clients */

static void
test_slow_clients (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) conns = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *partial = g_strdup_printf ("POST /v1/downloads HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nX-Haul", f->port);
  g_autofree char *half_body = g_strdup_printf ("POST /v1/downloads HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                                                "X-Haul-Client: 1\r\nAuthorization: Bearer %s\r\n"
                                                "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"url\"",
                                                f->port, f->token);
  g_autoptr(Response) meanwhile = NULL;
  gint64 start = g_get_monotonic_time ();

  /* 20 with half their body (each holds one of the 32 places of requests
   * handled at once), 50 with half their headers, 50 with nothing. */
  for (guint i = 0; i < 120; i++)
    {
      GSocketConnection *conn = connect_to ("127.0.0.1", f->port);
      GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
      const char *text = i < 20 ? half_body : i % 2 == 0 ? partial : "";

      g_output_stream_write_all (out, text, strlen (text), NULL, NULL, NULL);
      g_ptr_array_add (conns, conn);
    }

  /* A real request still gets through. */
  meanwhile = request (f, &(Req) { "GET", "/v1/hello" });
  assert_status (meanwhile, 200);

  /* Each is cut off after the request timeout (1 s here, 10 s in Haul). */
  for (guint i = 0; i < conns->len; i++)
    {
      g_autoptr(Response) r = read_response (conns->pdata[i]);

      /* Closed, or a 400 for the cut-off request: never served. */
      g_assert_true (r == NULL || r->status == 400);
    }
  g_test_message ("120 slow connections closed after %.1f s", (g_get_monotonic_time () - start) / 1e6);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 15 * G_USEC_PER_SEC);
  g_assert_cmpuint (f->handoffs->len, ==, 0);
}

/* 32 requests waiting for their bodies: the 33rd gets 429; once they are
 * cut off, requests are answered again. */
static void
test_at_once (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) conns = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *half_body = g_strdup_printf ("POST /v1/downloads HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                                                "X-Haul-Client: 1\r\nAuthorization: Bearer %s\r\n"
                                                "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
                                                f->port, f->token);
  g_autoptr(Response) limited = NULL;
  g_autoptr(Response) later = NULL;

  for (guint i = 0; i < 32; i++)
    {
      GSocketConnection *conn = connect_to ("127.0.0.1", f->port);
      GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn));

      g_output_stream_write_all (out, half_body, strlen (half_body), NULL, NULL, NULL);
      g_ptr_array_add (conns, conn);
    }
  /* Once the endpoint's thread has read their headers (slow under
   * AddressSanitizer: ask again; this test's deadline is 10 s). */
  for (gint64 end = g_get_monotonic_time () + 8 * G_USEC_PER_SEC; ; g_usleep (50000))
    {
      g_clear_pointer (&limited, response_free);
      limited = request (f, &(Req) { "GET", "/v1/hello" });
      if (limited->status == 429 || g_get_monotonic_time () > end)
        break;
    }
  assert_status (limited, 429);

  /* They go away: their slots are free again (in a new second for the
   * rate limit). */
  g_ptr_array_set_size (conns, 0);
  g_usleep (1100000);
  for (gint64 end = g_get_monotonic_time () + 8 * G_USEC_PER_SEC; ; g_usleep (100000))
    {
      g_clear_pointer (&later, response_free);
      later = request (f, &(Req) { "GET", "/v1/hello" });
      if (later->status == 200 || g_get_monotonic_time () > end)
        break;
    }
  assert_status (later, 200);
}

/* ------------------------------------------------------------------ */
/* A flood */

#define FLOOD_THREADS 4
#define FLOOD_EACH    1250

typedef struct
{
  Fixture *f;
  char    *raw;
  guint    ok;
  guint    limited;
  guint    other;
} Flood;

static gpointer
flood_thread (gpointer data)
{
  Flood *flood = data;

  for (guint i = 0; i < FLOOD_EACH; i++)
    {
      g_autoptr(Response) r = send_raw (flood->f, flood->raw);

      if (r != NULL && r->status == 202)
        flood->ok++;
      else if (r != NULL && r->status == 429)
        flood->limited++;
      else
        flood->other++;
    }
  return NULL;
}

static gint64
vm_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoll (line + 6, NULL, 10);
}

typedef struct
{
  gint64 expected;
  gint64 longest;
} Probe;

static gboolean
probe_cb (gpointer data)
{
  Probe *probe = data;
  gint64 now = g_get_monotonic_time ();

  probe->longest = MAX (probe->longest, now - probe->expected);
  probe->expected = now + 5000;
  return G_SOURCE_CONTINUE;
}

static gpointer
flood_runner (gpointer data)
{
  Flood *floods = data;
  GThread *threads[FLOOD_THREADS];

  for (guint i = 0; i < FLOOD_THREADS; i++)
    threads[i] = g_thread_new ("flood", flood_thread, &floods[i]);
  for (guint i = 0; i < FLOOD_THREADS; i++)
    g_thread_join (threads[i]);
  return NULL;
}

static gboolean
thread_done (gpointer data)
{
  return g_atomic_pointer_get ((gpointer *) data) == NULL;
}

static gpointer
join_then_clear (gpointer data)
{
  GThread **slot = data;

  g_thread_join (*slot);
  g_atomic_pointer_set (slot, NULL);
  return NULL;
}

static void
test_flood (Fixture       *f,
            gconstpointer  data)
{
  Flood floods[FLOOD_THREADS] = { { 0 } };
  g_autofree char *raw = build (f, &(Req) { "POST", "/v1/downloads", .body = JSON_BODY });
  gint64 rss_before, rss_after, start, seconds;
  guint ok = 0, limited = 0, other = 0;
  Probe probe = { 0, 0 };
  guint warm = 0;
  guint probe_id;
  GThread *runner;

  /* Warm up (the first answers allocate what they keep), then measure.
   * The main loop does not run at first: after 16 handoffs on their way
   * (their requests wait for its word), the next ones are refused at once;
   * once it runs, the 16 are answered. */
  {
    Exchange x[20];
    GThread *t[20];
    guint finished = 0, limited_early = 0;

    for (guint i = 0; i < 20; i++)
      {
        x[i] = (Exchange) { "127.0.0.1", f->port, raw, strlen (raw), NULL, 0 };
        t[i] = g_thread_new ("warm", exchange_thread, &x[i]);
      }
    for (gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
         finished < 4 && g_get_monotonic_time () < end; g_usleep (1000))
      {
        finished = 0;
        for (guint i = 0; i < 20; i++)
          finished += g_atomic_int_get (&x[i].done);
      }
    g_usleep (100000);
    for (guint i = 0; i < 20; i++)
      if (g_atomic_int_get (&x[i].done))
        limited_early += x[i].response->status == 429;
    g_assert_cmpuint (limited_early, ==, 4);
    for (guint i = 0; i < 20; i++)
      {
        while (!g_atomic_int_get (&x[i].done))
          g_main_context_iteration (NULL, TRUE);
        g_thread_join (t[i]);
        warm += x[i].response->status == 202;
        response_free (x[i].response);
      }
  }
  g_assert_cmpuint (warm, ==, 16);
  haul_test_spin (1100);
  rss_before = vm_rss_kib ();

  for (guint i = 0; i < FLOOD_THREADS; i++)
    {
      floods[i].f = f;
      floods[i].raw = raw;
    }
  probe.expected = g_get_monotonic_time () + 5000;
  probe_id = g_timeout_add (5, probe_cb, &probe);
  start = g_get_monotonic_time ();
  runner = g_thread_new ("flood-runner", flood_runner, floods);
  {
    GThread *slot = runner;
    GThread *joiner = g_thread_new ("flood-join", join_then_clear, &slot);

    g_assert_true (haul_test_wait_until (thread_done, &slot, 240000));
    g_thread_join (joiner);
  }
  seconds = (g_get_monotonic_time () - start) / G_USEC_PER_SEC + 1;
  haul_test_spin (200);
  g_source_remove (probe_id);
  rss_after = vm_rss_kib ();

  for (guint i = 0; i < FLOOD_THREADS; i++)
    {
      ok += floods[i].ok;
      limited += floods[i].limited;
      other += floods[i].other;
    }
  g_test_message ("flood: %u requests in %" G_GINT64_FORMAT " s: %u added, %u refused with 429, %u other; "
                  "VmRSS %" G_GINT64_FORMAT " → %" G_GINT64_FORMAT " KiB; longest main-loop delay %.1f ms",
                  FLOOD_THREADS * FLOOD_EACH, seconds, ok, limited, other, rss_before, rss_after,
                  probe.longest / 1000.0);
  g_printerr ("# flood: %u added, %u × 429, %u other in %" G_GINT64_FORMAT " s; VmRSS %+" G_GINT64_FORMAT
              " KiB; longest main-loop iteration %.1f ms\n",
              ok, limited, other, seconds, rss_after - rss_before, probe.longest / 1000.0);

  g_assert_cmpuint (other, ==, 0);
  g_assert_cmpuint (ok + limited, ==, FLOOD_THREADS * FLOOD_EACH);
  g_assert_cmpuint (limited, >, 0);
  /* At most 50 a second (plus one second's worth at either end). */
  g_assert_cmpuint (ok, <=, (seconds + 1) * 50);
  /* Every one answered 202 reached the main thread, exactly once. */
  wait_handoffs (f, ok + warm);
  /* Bounded memory: a flood of 5000 costs far less than 5000 requests'
   * worth. Not under AddressSanitizer, whose quarantine keeps up to 256 MB
   * of freed memory on purpose (the normal build checks it). */
#if !defined (__SANITIZE_ADDRESS__)
  g_assert_cmpint (rss_after - rss_before, <, 32 * 1024);
#endif
}

/* ------------------------------------------------------------------ */
/* Nothing outside loopback */

static GHashTable *
own_socket_inodes (void)
{
  GHashTable *inodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      if (target != NULL && g_str_has_prefix (target, "socket:["))
        g_hash_table_add (inodes, g_strndup (target + 8, strlen (target) - 9));
    }
  return inodes;
}

/* Our listening sockets in /proc/net/FILE: each must be loopback. */
static guint
check_listening (const char *file,
                 GHashTable *inodes,
                 guint       port,
                 guint      *on_port)
{
  g_autofree char *path = g_build_filename ("/proc/net", file, NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
      g_autoptr(GPtrArray) cols = g_ptr_array_new ();
      const char *local, *colon;

      for (guint j = 0; fields[j] != NULL; j++)
        if (*fields[j] != '\0')
          g_ptr_array_add (cols, fields[j]);
      if (cols->len < 10 || strcmp (cols->pdata[3], "0A") != 0 ||   /* TCP_LISTEN */
          !g_hash_table_contains (inodes, cols->pdata[9]))
        continue;
      local = cols->pdata[1];
      colon = strchr (local, ':');
      n++;
      g_test_message ("%s: listening on %s", file, local);
      if (strcmp (file, "tcp") == 0)
        g_assert_true (g_str_has_prefix (local, "0100007F:"));
      else
        g_assert_true (g_str_has_prefix (local, "00000000000000000000000001000000:"));
      if (g_ascii_strtoull (colon + 1, NULL, 16) == port)
        (*on_port)++;
    }
  return n;
}

static void
test_loopback_only (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GHashTable) inodes = own_socket_inodes ();
  guint on_port = 0;
  guint n = check_listening ("tcp", inodes, f->port, &on_port) + check_listening ("tcp6", inodes, f->port, &on_port);

  g_assert_cmpuint (n, >=, 1);
  g_assert_cmpuint (on_port, >=, 1);   /* 127.0.0.1, and ::1 where there is one */
  g_assert_cmpuint (on_port, <=, 2);
}

/* ------------------------------------------------------------------ */
/* Starting and stopping */

static gboolean
port_closed (gpointer data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = g_socket_client_connect_to_host (client, "127.0.0.1", GPOINTER_TO_UINT (data),
                                                                       NULL, NULL);

  return conn == NULL;
}

static GSocketListener *
occupy (guint port)
{
  GSocketListener *listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) sa = g_inet_socket_address_new (lo, port);
  g_autoptr(GError) error = NULL;

  g_socket_listener_add_address (listener, sa, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, NULL, &error);
  if (error != NULL)
    g_test_message ("Port %u is taken by another program already", port);
  return listener;
}

static void
test_stop (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(Response) r = NULL;

  haul_endpoint_stop (f->endpoint);
  g_assert_cmpuint (haul_endpoint_get_port (f->endpoint), ==, 0);
  g_assert_true (haul_test_wait_until (port_closed, GUINT_TO_POINTER (f->port), 5000));

  /* And again, on a new port, with the same pairings. */
  g_assert_true (start (f->endpoint, 0, NULL));
  f->port = haul_endpoint_get_port (f->endpoint);
  r = request (f, &(Req) { "GET", "/v1/hello" });
  assert_status (r, 200);
}

static void
test_ports (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HaulPairings) pairings = haul_pairings_new ("/nonexistent/browsers.ini");
  g_autoptr(HaulEndpoint) endpoint = haul_endpoint_new (pairings);
  g_autoptr(GSocketListener) first = occupy (HAUL_ENDPOINT_PORT);
  GSocketListener *second = occupy (HAUL_ENDPOINT_FALLBACK_PORT);

  /* Both taken: a sentence that says so. */
  g_assert_false (start (endpoint, HAUL_ENDPOINT_PORT, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_cmpstr (error->message, ==, "Ports 42850 and 42851 are both in use by other programs");
  g_assert_false (haul_endpoint_is_running (endpoint));
  g_clear_error (&error);

  /* 42850 taken: 42851. */
  g_socket_listener_close (second);
  g_object_unref (second);
  g_assert_true (start (endpoint, HAUL_ENDPOINT_PORT, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (haul_endpoint_get_port (endpoint), ==, HAUL_ENDPOINT_FALLBACK_PORT);
  haul_endpoint_stop (endpoint);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  test_main_thread = g_thread_self ();

#define ADD(path, func) g_test_add ("/haul/core/endpoint/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("hello", test_hello);
  ADD ("download", test_download);
  ADD ("offered", test_offered);
  ADD ("gone-before-answer", test_gone_before_answer);
  ADD ("chunked", test_chunked);
  ADD ("revoked", test_revoked);
  ADD ("too-large", test_too_large);
  ADD ("pair", test_pair);
  ADD ("pair-burn", test_pair_burn);
  ADD ("slow-clients", test_slow_clients);
  g_test_add ("/haul/core/endpoint/at-once", Fixture, &long_deadline, fixture_set_up, test_at_once,
              fixture_tear_down);
  ADD ("flood", test_flood);
  ADD ("loopback-only", test_loopback_only);
  ADD ("stop", test_stop);
#undef ADD
  for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      g_autofree char *path = g_strdup_printf ("/haul/core/endpoint/refusal/%s", refusals[i].name);

      g_test_add (path, Fixture, &refusals[i], fixture_set_up, test_refusal, fixture_tear_down);
    }
  g_test_add_func ("/haul/core/endpoint/ports", test_ports);

  return g_test_run ();
}
