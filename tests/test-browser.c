/* test-browser.c — Haul's browser extension in a real browser
 *
 * Haul's side of the test: the test server (a page that sets a cookie, a
 * file that needs that cookie and the page as its referrer), Haul's real
 * loopback endpoint with a pairing code, and a HaulQueue that takes what
 * the endpoint hands over. The browser's side is tests/browser/run.mjs,
 * spawned with node: it runs Debian's chromium (headless, the unpacked
 * extension from _build/browser/chromium/) or firefox-esr (over WebDriver
 * BiDi) through puppeteer-core, and reports each step as a line of JSON;
 * this harness checks Haul's side of the step, then answers "go".
 *
 *   paired      Preferences lists the browser under its name
 *   handed-off  the endpoint handed over the link, the page as referrer,
 *               the page's cookie and the browser's user agent; the queue
 *               fetched the file with them, byte-identical (run.mjs: the
 *               browser's own download was cancelled and erased)
 *   menu        (Chromium) "Download with Haul" on a link: handed over with
 *               the page as referrer and the cookie, fetched
 *   shift       Shift-click: nothing more reached Haul
 *   blob        a blob: link: nothing more reached Haul
 *   post        a form's POST answered after 6 s with a download: nothing
 *               more reached Haul, the server saw that one POST and
 *               nothing else (run.mjs: the browser downloaded the file
 *               itself, byte-identical); then the endpoint stops
 *   fallback    (run.mjs: the browser downloaded the file itself)
 *   silent      the extension tried a port where connections are accepted
 *               and never answered (run.mjs: after 3 s the browser
 *               downloaded the file itself)
 *
 * Nothing is skipped: a missing browser, node or puppeteer-core fails with
 * what to install. Runs on the test's main thread (the endpoint and the
 * test server have their own).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>

#include "haul-endpoint.h"
#include "haul-request-context.h"
#include "haul-test-queue.h"

#define FILE_SIZE   (2 * MIB)
#define BLOB_SIZE   1000
#define COOKIE      "haul_sid=b7e1c2f9a04d"
#define STEP_MS     45000
/* Longer than background.js's CLICK_MEMORY_MS (5 s): the extension must
 * still know the download came from a POST when the answer is slow. */
#define POST_DELAY_MS 6000

typedef struct
{
  const char *name;         /* "chromium", "firefox" */
  const char *executable;
  const char *package;      /* the Debian package that has it */
  const char *display_name; /* what the extension pairs as */
  const char *agent_mark;   /* in its user agent */
} Browser;

static const Browser browsers[] = {
  { "chromium", "/usr/bin/chromium", "chromium", "Chromium", "Chrome/" },
  { "firefox", "/usr/bin/firefox-esr", "firefox-esr", "Firefox", "Firefox/" },
};

typedef struct
{
  char           *tmp;
  char           *haul_dir;    /* where Haul saves */
  char           *browser_dir; /* where the browser saves */
  HaulTestServer *server;
  GBytes         *content;
  char           *page_uri;
  char           *file_uri;
  HaulPairings   *pairings;
  HaulEndpoint   *endpoint;
  HaulQueue      *queue;
  GPtrArray      *handoffs;    /* HaulHandoff, in arrival order */
  GSocketService *silent;      /* accepts, never answers */
  GPtrArray      *silent_connections;
  guint           n_expected;  /* handoffs so far */

  GSubprocess    *node;
  GDataInputStream *node_out;
  GOutputStream  *node_in;
  GCancellable   *cancellable;
  GQueue          events;      /* JsonObject, not yet taken */
  gboolean        node_eof;
} Fixture;

/* ------------------------------------------------------------------ */
/* Haul's side */

/* What the application does with a handoff: a download with the
 * browser's cookies, referrer and user agent. */
static void
handoff_cb (HaulEndpoint *endpoint,
            HaulHandoff  *handoff,
            Fixture      *fx)
{
  g_autoptr(HaulRequestContext) context = haul_handoff_dup_request_context (handoff);
  g_autoptr(GError) error = NULL;
  HaulDownload *download;

  /* What the window does too (haul-window-handoff.c). */
  g_assert_cmpstr (haul_request_context_get_referrer (context), ==, handoff->referrer);
  g_assert_cmpstr (haul_request_context_get_user_agent (context), ==, handoff->user_agent);

  download = haul_queue_add_with_context (fx->queue,
                                          handoff->final_url != NULL ? handoff->final_url : handoff->url,
                                          fx->haul_dir, context, &error);
  g_assert_no_error (error);
  g_assert_nonnull (download);
  g_ptr_array_add (fx->handoffs, haul_handoff_copy (handoff));
}

static void
start_endpoint (Fixture *fx)
{
  g_autofree char *path = g_build_filename (fx->tmp, "browsers.ini", NULL);
  g_autoptr(GError) error = NULL;
  HaulTestAsync w = { 0 };

  fx->pairings = haul_pairings_new (path);
  fx->endpoint = haul_endpoint_new (fx->pairings);
  g_signal_connect (fx->endpoint, "handoff", G_CALLBACK (handoff_cb), fx);
  haul_endpoint_start_async (fx->endpoint, 0, NULL, haul_test_async_cb, &w);
  g_assert_true (haul_endpoint_start_finish (fx->endpoint, haul_test_async_wait (&w), &error));
  g_assert_no_error (error);
  g_clear_object (&w.result);
  g_assert_cmpuint (haul_endpoint_get_port (fx->endpoint), >, 0);
}

static void
serve_site (Fixture *fx)
{
  g_autofree char *require_referer = NULL;
  g_autofree char *page = NULL;
  g_autoptr(GBytes) page_bytes = NULL;

  fx->server = haul_test_server_new ();
  fx->page_uri = haul_test_server_uri (fx->server, "/page.html");
  fx->file_uri = haul_test_server_uri (fx->server, "/file.bin");
  fx->content = haul_test_content (FILE_SIZE, 17);

  page = g_strdup_printf ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Files</title></head>"
                          "<body><p><a id=\"file\" href=\"/file.bin\">file.bin</a></p>"
                          "<p><a id=\"blob\" download=\"blob.bin\">blob.bin</a></p>"
                          "<form id=\"post\" method=\"post\" action=\"/post.bin\">"
                          "<input type=\"hidden\" name=\"k\" value=\"v\">"
                          "<button id=\"post-submit\">Post</button></form>"
                          "<script>document.getElementById ('blob').href = URL.createObjectURL ("
                          "new Blob ([new Uint8Array (%d).fill (7)], { type: 'application/octet-stream' }));"
                          "</script></body></html>", BLOB_SIZE);
  page_bytes = g_bytes_new (page, strlen (page));
  haul_test_server_add_file (fx->server, "/page.html", page_bytes,
                             &(HaulTestFileOptions) {
                               .content_type = "text/html; charset=utf-8",
                               .set_cookie = COOKIE "; Path=/; HttpOnly; SameSite=Lax",
                             });

  /* The file needs the page's cookie and the page as referrer: every
   * request without them gets 403, so a finished download proves Haul
   * sent both. Slow enough that the browser cannot finish it before the
   * extension acts. */
  require_referer = g_strdup_printf ("Referer: %s", fx->page_uri);
  haul_test_server_add_file (fx->server, "/file.bin", fx->content,
                             &(HaulTestFileOptions) {
                               .content_disposition = "attachment; filename=\"file.bin\"",
                               .rate = 2 * MIB,
                               .require_headers = (const char * const[]) {
                                 "Cookie: " COOKIE, require_referer, NULL
                               },
                             });
  haul_test_server_add_file (fx->server, "/menu.bin", fx->content,
                             &(HaulTestFileOptions) {
                               .require_headers = (const char * const[]) {
                                 "Cookie: " COOKIE, require_referer, NULL
                               },
                             });
  /* The form's action: its answer to the POST is the file, as an
   * attachment (a GET would get it too, so only the counters tell that
   * Haul never asked). It answers after POST_DELAY_MS, as a server that
   * builds an export does; then as slowly as /file.bin. */
  haul_test_server_add_file (fx->server, "/post.bin", fx->content,
                             &(HaulTestFileOptions) {
                               .allow_post = TRUE,
                               .headers_delay_ms = POST_DELAY_MS,
                               .content_disposition = "attachment; filename=\"post.bin\"",
                               .rate = 2 * MIB,
                             });
}

static gboolean
silent_incoming_cb (GSocketService    *service,
                   GSocketConnection *connection,
                   GObject           *source,
                   Fixture           *fx)
{
  g_ptr_array_add (fx->silent_connections, g_object_ref (connection));
  return TRUE;
}

/* Something on 127.0.0.1 that accepts connections and never answers, like
 * a Haul that hangs. Returns its port. */
static guint16
start_silent (Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  guint16 port;

  fx->silent_connections = g_ptr_array_new_with_free_func (g_object_unref);
  fx->silent = g_socket_service_new ();
  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (fx->silent), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (fx->silent, "incoming", G_CALLBACK (silent_incoming_cb), fx);
  g_socket_service_start (fx->silent);
  return port;
}

/* ------------------------------------------------------------------ */
/* The browser's side: run.mjs */

static void read_line (Fixture *fx);

static void
line_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *fx = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                                      result, NULL, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (line == NULL)
    {
      fx->node_eof = TRUE;
      return;
    }
  g_test_message ("run.mjs: %s", line);
  if (line[0] == '{' && json_parser_load_from_data (parser, line, -1, NULL) &&
      json_parser_get_root (parser) != NULL && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    g_queue_push_tail (&fx->events, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
  read_line (fx);
}

static void
read_line (Fixture *fx)
{
  g_data_input_stream_read_line_async (fx->node_out, G_PRIORITY_DEFAULT, fx->cancellable, line_cb, fx);
}

static gboolean
has_event_or_eof (gpointer data)
{
  Fixture *fx = data;

  return !g_queue_is_empty (&fx->events) || fx->node_eof;
}

/* Waits for run.mjs's next event and fails unless it is @expected. */
static JsonObject *
expect_event (Fixture    *fx,
              const char *expected)
{
  JsonObject *event;
  const char *name;

  if (!haul_test_wait_until (has_event_or_eof, fx, STEP_MS))
    g_error ("run.mjs said nothing for %d s while Haul waited for \"%s\"", STEP_MS / 1000, expected);
  if (g_queue_is_empty (&fx->events))
    g_error ("run.mjs ended before \"%s\" (its messages are in the test log)", expected);
  event = g_queue_pop_head (&fx->events);
  name = json_object_get_string_member_with_default (event, "event", "");
  if (strcmp (name, "error") == 0)
    g_error ("the browser's side failed before \"%s\": %s", expected,
             json_object_get_string_member_with_default (event, "message", "?"));
  g_assert_cmpstr (name, ==, expected);
  return event;
}

static void
say_go (Fixture *fx)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_output_stream_write_all (fx->node_in, "go\n", 3, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* The programs the test needs, or a failure naming what to install. */
static gboolean
find_tools (const Browser *browser,
            char         **node,
            char         **modules)
{
  const char *modules_env = g_getenv ("HAUL_TEST_NODE_MODULES");
  g_autofree char *puppeteer = NULL;

  if (!g_file_test (browser->executable, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_fail_printf ("%s is missing: install the Debian package %s (build-aux/ensure-deps.sh does)",
                          browser->executable, browser->package);
      return FALSE;
    }
  *node = g_find_program_in_path ("node");
  if (*node == NULL)
    {
      g_test_fail_printf ("node is missing: install the Debian package nodejs (build-aux/ensure-deps.sh does)");
      return FALSE;
    }
  g_assert_nonnull (modules_env);
  puppeteer = g_build_filename (modules_env, "puppeteer-core", "package.json", NULL);
  if (!g_file_test (puppeteer, G_FILE_TEST_EXISTS))
    {
      g_test_fail_printf ("puppeteer-core is missing from %s: run build-aux/ensure-node-modules.sh BUILDDIR "
                          "(build-aux/test.sh does)", modules_env);
      return FALSE;
    }
  *modules = g_strdup (modules_env);
  return TRUE;
}

static void
spawn_node (Fixture       *fx,
            const Browser *browser,
            const char    *node,
            const char    *modules,
            const char    *code)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "browser", "run.mjs", NULL);
  g_autofree char *extension = g_build_filename (g_getenv ("HAUL_TEST_EXTENSIONS"), browser->name, NULL);
  g_autofree char *profile = g_build_filename (fx->tmp, "profile", NULL);
  g_autofree char *home = g_build_filename (fx->tmp, "home", NULL);
  g_autofree char *port = g_strdup_printf ("%u", haul_endpoint_get_port (fx->endpoint));
  g_autofree char *silent_port = g_strdup_printf ("%u", start_silent (fx));
  g_autofree char *size = g_strdup_printf ("%d", FILE_SIZE);
  g_autofree char *sha256 = haul_test_sha256_bytes (fx->content);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (home, 0700), ==, 0);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  /* The test's G_DEBUG=fatal-criticals would make every GLib critical in
   * the browser's own GTK code fatal (Firefox has one when it opens a
   * window for a Shift-click). */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_unsetenv (launcher, "http_proxy");
  g_subprocess_launcher_unsetenv (launcher, "https_proxy");
  fx->node = g_subprocess_launcher_spawn (launcher, &error, node, script,
                                          "--browser", browser->name,
                                          "--executable", browser->executable,
                                          "--modules", modules,
                                          "--extension", extension,
                                          "--profile", profile,
                                          "--downloads", fx->browser_dir,
                                          "--port", port,
                                          "--silent-port", silent_port,
                                          "--code", code,
                                          "--page", fx->page_uri,
                                          "--file-name", "file.bin",
                                          "--size", size,
                                          "--sha256", sha256,
                                          NULL);
  g_assert_no_error (error);
  fx->node_in = g_object_ref (g_subprocess_get_stdin_pipe (fx->node));
  fx->node_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fx->node));
  read_line (fx);
}

/* ------------------------------------------------------------------ */
/* The steps */

static void
check_paired (Fixture       *fx,
              const Browser *browser)
{
  g_autoptr(JsonObject) event = expect_event (fx, "paired");
  g_autoptr(GPtrArray) list = haul_pairings_list (fx->pairings);
  g_autofree char *status = g_strdup_printf ("Paired as %s", browser->display_name);

  g_assert_cmpstr (json_object_get_string_member (event, "status"), ==, status);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((HaulPairing *) g_ptr_array_index (list, 0))->browser, ==, browser->display_name);
}

static gboolean
expected_handoffs (gpointer data)
{
  Fixture *fx = data;

  return fx->handoffs->len >= fx->n_expected;
}

/* The handoff @index: @uri with the page as referrer and its cookie. */
static HaulHandoff *
assert_handoff (Fixture       *fx,
                guint          index,
                const char    *uri,
                const Browser *browser)
{
  HaulHandoff *handoff;
  SoupCookie *cookie;

  g_assert_true (haul_test_wait_until (expected_handoffs, fx, 5000));
  g_assert_cmpuint (fx->handoffs->len, ==, fx->n_expected);
  handoff = g_ptr_array_index (fx->handoffs, index);
  g_assert_cmpstr (handoff->url, ==, uri);
  g_assert_cmpstr (handoff->referrer, ==, fx->page_uri);
  g_assert_cmpstr (handoff->page_url, ==, fx->page_uri);
  g_assert_cmpstr (handoff->browser, ==, browser->display_name);
  g_assert_nonnull (strstr (handoff->user_agent, browser->agent_mark));
  g_assert_cmpuint (handoff->cookies->len, ==, 1);
  cookie = g_ptr_array_index (handoff->cookies, 0);
  g_assert_cmpstr (soup_cookie_get_name (cookie), ==, "haul_sid");
  g_assert_cmpstr (soup_cookie_get_value (cookie), ==, strchr (COOKIE, '=') + 1);
  g_assert_true (soup_cookie_get_http_only (cookie));
  return handoff;
}

/* The queue's download @index finishes as @name, byte-identical. */
static void
assert_fetched (Fixture    *fx,
                guint       index,
                const char *name)
{
  HaulDownload *download;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, fx->n_expected);
  download = g_list_model_get_item (G_LIST_MODEL (fx->queue), index);
  g_object_unref (download); /* the queue keeps it */
  haul_test_wait_finished (download);
  haul_test_assert_file_in (fx->haul_dir, name, fx->content);
}

static void
check_handed_off (Fixture       *fx,
                  const Browser *browser)
{
  g_autoptr(JsonObject) event = expect_event (fx, "handed-off");
  g_auto(GStrv) cookies = NULL;
  g_auto(GStrv) referers = NULL;
  g_auto(GStrv) agents = NULL;
  HaulHandoff *handoff;
  guint n;

  fx->n_expected = 1;
  handoff = assert_handoff (fx, 0, fx->file_uri, browser);
  assert_fetched (fx, 0, "file.bin");

  /* The browser's request (cancelled) and Haul's (the last): each with
   * the cookie and the referrer; Haul's with the browser's user agent. */
  cookies = haul_test_server_get_header_values (fx->server, "/file.bin", "Cookie");
  referers = haul_test_server_get_header_values (fx->server, "/file.bin", "Referer");
  agents = haul_test_server_get_header_values (fx->server, "/file.bin", "User-Agent");
  n = g_strv_length (cookies);
  g_assert_cmpuint (n, >=, 2);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpstr (cookies[i], ==, COOKIE);
      g_assert_cmpstr (referers[i], ==, fx->page_uri);
    }
  g_assert_cmpstr (agents[n - 1], ==, handoff->user_agent);
  g_assert_cmpuint (haul_test_server_get_n_status (fx->server, "/file.bin", 403), ==, 0);
}

static void
check_menu (Fixture       *fx,
            const Browser *browser)
{
  g_autoptr(JsonObject) event = expect_event (fx, "menu");
  g_autofree char *uri = haul_test_server_uri (fx->server, "/menu.bin");

  g_assert_cmpstr (json_object_get_string_member (event, "url"), ==, uri);
  fx->n_expected++;
  assert_handoff (fx, fx->n_expected - 1, uri, browser);
  assert_fetched (fx, fx->n_expected - 1, "menu.bin");
}

/* The browser kept a download: nothing more reached Haul. */
static void
check_kept (Fixture    *fx,
            const char *step)
{
  g_autoptr(JsonObject) event = expect_event (fx, step);

  haul_test_spin (200);
  g_assert_cmpuint (fx->handoffs->len, ==, fx->n_expected);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, fx->n_expected);
  g_assert_nonnull (json_object_get_string_member (event, "file"));
}

/* The form's POST: the browser kept its download, and the server saw that
 * one request, the form's POST, and no second one from Haul. */
static void
check_post (Fixture *fx)
{
  g_auto(GStrv) types = NULL;

  check_kept (fx, "post");
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/post.bin"), ==, 1);
  g_assert_cmpuint (haul_test_server_get_n_status (fx->server, "/post.bin", 200), ==, 1);
  types = haul_test_server_get_header_values (fx->server, "/post.bin", "Content-Type");
  g_assert_cmpuint (g_strv_length (types), ==, 1);
  g_assert_cmpstr (types[0], ==, "application/x-www-form-urlencoded");
}

/* The endpoint is stopped: the browser kept the download and the popup
 * says Haul is not there. */
static void
check_fallback (Fixture *fx)
{
  g_autoptr(JsonObject) event = expect_event (fx, "fallback");

  g_assert_cmpuint (fx->handoffs->len, ==, fx->n_expected);
  g_assert_cmpstr (json_object_get_string_member (event, "status"), ==,
                   "Haul is not running or browser integration is off");
}

static void
stop_node (Fixture *fx)
{
  g_autoptr(GError) error = NULL;

  if (fx->node == NULL)
    return;
  if (!g_subprocess_get_if_exited (fx->node) && !g_subprocess_get_if_signaled (fx->node))
    g_subprocess_send_signal (fx->node, SIGTERM);  /* puppeteer closes its browser */
  g_subprocess_wait (fx->node, NULL, &error);
  g_cancellable_cancel (fx->cancellable);
}

static void
test_browser (gconstpointer data)
{
  const Browser *browser = data;
  g_autofree char *node = NULL;
  g_autofree char *modules = NULL;
  g_autofree char *code = NULL;
  g_autoptr(JsonObject) done = NULL;
  g_autoptr(GError) error = NULL;
  Fixture fx = { 0 };

  if (!find_tools (browser, &node, &modules))
    return;

  fx.tmp = haul_test_make_tmp_dir ();
  fx.haul_dir = g_build_filename (fx.tmp, "haul", NULL);
  fx.browser_dir = g_build_filename (fx.tmp, "browser-downloads", NULL);
  g_assert_cmpint (g_mkdir_with_parents (fx.haul_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (fx.browser_dir, 0700), ==, 0);
  fx.handoffs = g_ptr_array_new_with_free_func ((GDestroyNotify) haul_handoff_free);
  fx.cancellable = g_cancellable_new ();
  g_queue_init (&fx.events);
  fx.queue = haul_queue_new ();
  serve_site (&fx);
  start_endpoint (&fx);
  code = haul_pairings_dup_code (fx.pairings, NULL);

  spawn_node (&fx, browser, node, modules, code);
  check_paired (&fx, browser);
  say_go (&fx);
  check_handed_off (&fx, browser);
  say_go (&fx);
  if (strcmp (browser->name, "chromium") == 0)
    {
      check_menu (&fx, browser);
      say_go (&fx);
    }
  check_kept (&fx, "shift");
  say_go (&fx);
  check_kept (&fx, "blob");
  say_go (&fx);
  check_post (&fx);
  haul_endpoint_stop (fx.endpoint);
  g_assert_false (haul_endpoint_is_running (fx.endpoint));
  say_go (&fx);
  check_fallback (&fx);
  say_go (&fx);
  check_kept (&fx, "silent");
  g_assert_cmpuint (fx.silent_connections->len, >=, 1);
  done = expect_event (&fx, "done");
  g_assert_true (g_subprocess_wait (fx.node, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (fx.node));

  stop_node (&fx);
  g_queue_clear_full (&fx.events, (GDestroyNotify) json_object_unref);
  g_clear_object (&fx.node_out);
  g_clear_object (&fx.node_in);
  g_clear_object (&fx.node);
  g_clear_object (&fx.cancellable);
  g_socket_service_stop (fx.silent);
  g_socket_listener_close (G_SOCKET_LISTENER (fx.silent));
  g_clear_object (&fx.silent);
  g_ptr_array_unref (fx.silent_connections);
  haul_test_stop_queue (fx.queue);
  haul_test_release_queue (&fx.queue);
  g_clear_object (&fx.endpoint);
  g_clear_object (&fx.pairings);
  g_ptr_array_unref (fx.handoffs);
  haul_test_server_free (fx.server);
  g_bytes_unref (fx.content);
  haul_test_rm_rf (fx.tmp);
  g_free (fx.page_uri);
  g_free (fx.file_uri);
  g_free (fx.haul_dir);
  g_free (fx.browser_dir);
  g_free (fx.tmp);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  haul_test_ignore_proxies ();

  for (gsize i = 0; i < G_N_ELEMENTS (browsers); i++)
    {
      g_autofree char *path = g_strdup_printf ("/haul/browser/%s", browsers[i].name);

      g_test_add_data_func (path, &browsers[i], test_browser);
    }
  return g_test_run ();
}
