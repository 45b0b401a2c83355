/* test-auth.c — HTTP sign-in against the real test server and a real proxy on 127.0.0.1
 *
 * Basic and Digest through libsoup's SoupAuthManager; a download without
 * a password, or with a refused one, waits PAUSED as needing a password
 * (no retry counted) and completes once given the right one: whole,
 * resumed and in segments; a proxy that answers 407; the password never
 * in the store's file nor in anything logged (G_MESSAGES_DEBUG=all,
 * captured); `haul --headless` with --user/--password, ~/.netrc, and
 * neither.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "haul-connections.h"
#include "haul-download.h"
#include "haul-queue.h"
#include "haul-store.h"
#include "haul-test-log.h"
#include "haul-test-proxy.h"
#include "haul-test-queue.h"
#include "haul-test-server.h"

#define USER     "alice"
#define PASSWORD "Pa55-w0rd-7c1f9e"  /* searched for in files and logs */
#define WRONG    "wrong-9d2b4a"

typedef struct
{
  HaulTestServer *server;
  HaulQueue      *queue;
  char           *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  haul_connections_reset ();
  fx->server = haul_test_server_new ();
  fx->dir = haul_test_make_tmp_dir ();
  fx->queue = haul_queue_new ();
  g_object_set (fx->queue, "connect-timeout", 10, "stall-timeout", 10,
                "retry-base-delay", 50, "max-retries", 3, NULL);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  haul_test_stop_queue (fx->queue);
  haul_test_release_queue (&fx->queue);
  haul_test_server_free (fx->server);
  haul_test_rm_rf (fx->dir);
  g_free (fx->dir);
  haul_test_assert_not_logged (PASSWORD);
}

static GBytes *
serve (Fixture                   *fx,
       const char                *path,
       gsize                      size,
       const HaulTestFileOptions *options)
{
  GBytes *content = haul_test_content (size, g_str_hash (path));

  haul_test_server_add_file (fx->server, path, content, options);
  return content;
}

static HaulDownload *
add (Fixture    *fx,
     const char *path)
{
  g_autofree char *uri = haul_test_server_uri (fx->server, path);
  g_autoptr(GError) error = NULL;
  HaulDownload *d = haul_queue_add (fx->queue, uri, fx->dir, &error);

  g_assert_no_error (error);
  return d;
}

static char *
host_port (Fixture *fx)
{
  return g_strdup_printf ("127.0.0.1:%u", haul_test_server_get_port (fx->server));
}

/* Paused as needing the server's password, nothing retried or written. */
static void
assert_needs_password (HaulDownload     *d,
                       HaulDownloadAuth  who,
                       gboolean          refused)
{
  haul_test_wait_paused (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_PAUSED);
  g_assert_cmpint (haul_download_get_auth_needed (d), ==, who);
  g_assert_cmpint (haul_download_get_auth_refused (d), ==, refused);
  g_assert_cmpuint (haul_download_get_retries (d), ==, 0);
  g_assert_null (strstr (haul_download_get_error (d), PASSWORD));
  g_assert_null (strstr (haul_download_get_error (d), WRONG));
}

/* No credentials: paused, "asks for a user name and password", the file
 * never served; then the right ones: complete and byte-identical. */
static void
test_basic (Fixture       *fx,
            gconstpointer  data)
{
  gboolean digest = GPOINTER_TO_INT (data);
  g_autoptr(GBytes) content = serve (fx, "/a.bin", 300 * KIB,
                                     &(HaulTestFileOptions) { .auth_user = USER, .auth_password = PASSWORD,
                                                              .auth_digest = digest });
  HaulDownload *d = add (fx, "/a.bin");
  g_autofree char *host = host_port (fx);
  g_autofree char *expected = g_strdup_printf ("%s asks for a user name and password (“Haul test”)", host);

  assert_needs_password (d, HAUL_DOWNLOAD_AUTH_SERVER, FALSE);
  g_assert_cmpstr (haul_download_get_error (d), ==, expected);
  g_assert_cmpstr (haul_download_get_auth_realm (d), ==, "Haul test");
  g_assert_cmpstr (haul_download_get_auth_host (d), ==, host);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/a.bin"), ==, 0);
  g_assert_cmpuint (haul_test_server_get_n_auth_refused (fx->server, "/a.bin"), ==, 1);
  g_assert_false (haul_download_has_password (d, FALSE));

  haul_queue_set_credentials (fx->queue, d, USER, PASSWORD, FALSE);
  g_assert_true (haul_download_has_password (d, FALSE));
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);
  g_assert_cmpint (haul_download_get_auth_needed (d), ==, HAUL_DOWNLOAD_AUTH_NONE);
  g_assert_cmpstr (haul_download_get_auth_user (d), ==, USER);
}

/* A refused password: the specific sentence, paused again, asked again;
 * the right one then completes. */
static void
test_wrong_password (Fixture       *fx,
                     gconstpointer  data)
{
  gboolean digest = GPOINTER_TO_INT (data);
  g_autoptr(GBytes) content = serve (fx, "/w.bin", 200 * KIB,
                                     &(HaulTestFileOptions) { .auth_user = USER, .auth_password = PASSWORD,
                                                              .auth_digest = digest });
  HaulDownload *d = add (fx, "/w.bin");
  g_autofree char *host = host_port (fx);
  g_autofree char *expected = g_strdup_printf ("The password for alice at %s was not accepted", host);
  guint refused;

  assert_needs_password (d, HAUL_DOWNLOAD_AUTH_SERVER, FALSE);
  haul_queue_set_credentials (fx->queue, d, USER, WRONG, FALSE);
  assert_needs_password (d, HAUL_DOWNLOAD_AUTH_SERVER, TRUE);
  g_assert_cmpstr (haul_download_get_error (d), ==, expected);
  /* Once per request: the first question, then the refused answer. */
  refused = haul_test_server_get_n_auth_refused (fx->server, "/w.bin");
  g_assert_cmpuint (refused, ==, 3);

  /* Another user name altogether is refused the same way. */
  haul_queue_set_credentials (fx->queue, d, "mallory", PASSWORD, FALSE);
  assert_needs_password (d, HAUL_DOWNLOAD_AUTH_SERVER, TRUE);
  g_assert_nonnull (strstr (haul_download_get_error (d), "The password for mallory at"));

  haul_queue_set_credentials (fx->queue, d, USER, PASSWORD, FALSE);
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);
}

/* Credentials on every segment connection. */
static void
test_segmented (Fixture       *fx,
                gconstpointer  data)
{
  gboolean digest = GPOINTER_TO_INT (data);
  g_autoptr(GBytes) content = serve (fx, "/s.bin", 4 * MIB,
                                     &(HaulTestFileOptions) { .auth_user = USER, .auth_password = PASSWORD,
                                                              .auth_digest = digest, .rate = 1 * MIB });
  HaulDownload *d;

  haul_queue_set_max_connections (fx->queue, 4);
  d = add (fx, "/s.bin");
  assert_needs_password (d, HAUL_DOWNLOAD_AUTH_SERVER, FALSE);
  haul_queue_set_credentials (fx->queue, d, USER, PASSWORD, FALSE);
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);
  /* The probe and at least one more connection, each signed in. */
  g_assert_cmpuint (haul_test_server_get_n_status (fx->server, "/s.bin", 206), >=, 2);
  g_assert_cmpuint (haul_test_server_get_max_in_flight_path (fx->server, "/s.bin"), >=, 2);
}

static gboolean
received_some (gpointer data)
{
  return haul_download_get_received (data) >= 200 * KIB;
}

/* Paused mid-file and resumed: the resumed request signs in too. */
static void
test_resumed (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(GBytes) content = serve (fx, "/r.bin", 1 * MIB,
                                     &(HaulTestFileOptions) { .auth_user = USER, .auth_password = PASSWORD,
                                                              .auth_digest = TRUE, .rate = 512 * KIB,
                                                              .etag = "\"r1\"" });
  HaulDownload *d;
  g_auto(GStrv) ranges = NULL;

  haul_queue_set_max_connections (fx->queue, 1);
  d = add (fx, "/r.bin");
  assert_needs_password (d, HAUL_DOWNLOAD_AUTH_SERVER, FALSE);
  haul_queue_set_credentials (fx->queue, d, USER, PASSWORD, FALSE);
  g_assert_true (haul_test_wait_until (received_some, d, HAUL_TEST_WAIT_MS));
  haul_queue_pause (fx->queue, d);
  haul_test_wait_paused (d);
  g_assert_cmpint (haul_download_get_auth_needed (d), ==, HAUL_DOWNLOAD_AUTH_NONE);
  haul_queue_resume (fx->queue, d);
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);
  ranges = haul_test_server_get_ranges (fx->server, "/r.bin");
  g_assert_cmpuint (g_strv_length (ranges), ==, 1);
  g_assert_false (g_str_has_prefix (ranges[0], "bytes=0-"));
}

/* A proxy on loopback that answers 407: paused as needing the proxy's
 * password; a wrong one refused; the right one completes through it. */
static void
test_proxy (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(HaulTestProxy) proxy = haul_test_proxy_new ("bob", PASSWORD);
  g_autofree char *proxy_uri = haul_test_proxy_uri (proxy);
  g_autoptr(GProxyResolver) resolver = g_simple_proxy_resolver_new (proxy_uri, NULL);
  g_autoptr(GBytes) content = serve (fx, "/p.bin", 256 * KIB, NULL);
  g_autofree char *proxy_host = g_strdup_printf ("127.0.0.1:%s", strrchr (proxy_uri, ':') + 1);
  g_autofree char *asks = g_strdup_printf ("The proxy %s asks for a user name and password", proxy_host);
  g_autofree char *refused = g_strdup_printf ("The password for bob at the proxy %s was not accepted",
                                              proxy_host);
  HaulDownload *d;

  haul_queue_set_proxy_resolver (fx->queue, resolver);
  d = add (fx, "/p.bin");
  assert_needs_password (d, HAUL_DOWNLOAD_AUTH_PROXY, FALSE);
  g_assert_cmpstr (haul_download_get_error (d), ==, asks);
  g_assert_cmpstr (haul_download_get_auth_host (d), ==, proxy_host);
  g_assert_cmpuint (haul_test_proxy_get_n_refused (proxy), ==, 1);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/p.bin"), ==, 0);

  /* The server's credentials do not answer the proxy. */
  haul_queue_set_credentials (fx->queue, d, "bob", PASSWORD, FALSE);
  assert_needs_password (d, HAUL_DOWNLOAD_AUTH_PROXY, FALSE);

  haul_queue_set_credentials (fx->queue, d, "bob", WRONG, TRUE);
  assert_needs_password (d, HAUL_DOWNLOAD_AUTH_PROXY, TRUE);
  g_assert_cmpstr (haul_download_get_error (d), ==, refused);

  haul_queue_set_credentials (fx->queue, d, "bob", PASSWORD, TRUE);
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);
  g_assert_cmpuint (haul_test_proxy_get_n_forwarded (proxy), >=, 1);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/p.bin"), >=, 1);
}

/* One download's password never signs another one in, though both run
 * on the same worker threads (the auth cache is not used). */
static void
test_not_shared (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(GBytes) a = serve (fx, "/x.bin", 100 * KIB,
                               &(HaulTestFileOptions) { .auth_user = USER, .auth_password = PASSWORD });
  g_autoptr(GBytes) b = serve (fx, "/y.bin", 100 * KIB,
                               &(HaulTestFileOptions) { .auth_user = USER, .auth_password = PASSWORD });
  HaulDownload *da, *db;

  g_object_set (fx->queue, "max-active", 1, NULL);
  haul_queue_set_max_connections (fx->queue, 1);
  da = add (fx, "/x.bin");
  assert_needs_password (da, HAUL_DOWNLOAD_AUTH_SERVER, FALSE);
  haul_queue_set_credentials (fx->queue, da, USER, PASSWORD, FALSE);
  haul_test_wait_finished (da);
  haul_test_assert_completed_with (da, a);

  db = add (fx, "/y.bin");
  assert_needs_password (db, HAUL_DOWNLOAD_AUTH_SERVER, FALSE);
}

/* The store keeps the user name and never the password. */
static void
test_store (Fixture       *fx,
            gconstpointer  data)
{
  g_autofree char *db = g_build_filename (fx->dir, "haul.db", NULL);
  g_autoptr(HaulStore) store = haul_test_open_store (db);
  g_autoptr(GBytes) content = serve (fx, "/db.bin", 64 * KIB,
                                     &(HaulTestFileOptions) { .auth_user = "carol-in-the-db",
                                                              .auth_password = PASSWORD });
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
  gboolean user_seen = FALSE;
  HaulDownload *d;

  haul_queue_set_store (fx->queue, store);

  d = add (fx, "/db.bin");
  assert_needs_password (d, HAUL_DOWNLOAD_AUTH_SERVER, FALSE);
  haul_queue_set_credentials (fx->queue, d, "carol-in-the-db", PASSWORD, FALSE);
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);

  haul_queue_save_now (fx->queue);
  haul_test_flush_store (store);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (db, suffixes[i], NULL);

      user_seen = user_seen || haul_test_file_contains (path, "carol-in-the-db");
      g_assert_false (haul_test_file_contains (path, PASSWORD));
    }
  /* The bytes read are the store's: the user name is in them. */
  g_assert_true (user_seen);
  haul_queue_set_store (fx->queue, NULL);
  haul_store_close (store);
}

/* ------------------------------------------------------------------ */
/* haul --headless */

static void
test_headless (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GBytes) content = serve (fx, "/h.bin", 128 * KIB,
                                     &(HaulTestFileOptions) { .auth_user = USER, .auth_password = PASSWORD,
                                                              .auth_digest = TRUE });
  g_autofree char *uri = haul_test_server_uri (fx->server, "/h.bin");
  g_autofree char *home = haul_test_make_tmp_dir ();
  g_autofree char *netrc = g_build_filename (home, ".netrc", NULL);
  g_autofree char *netrc_text = NULL;
  g_autofree char *err = NULL, *out = NULL;
  g_autofree char *old_home = g_strdup (g_getenv ("HOME"));
  g_autofree char *h_path = g_build_filename (fx->dir, "h.bin", NULL);
  int status;

  g_setenv ("HOME", home, TRUE);

  /* Neither --user nor ~/.netrc: fails, naming --user. */
  status = haul_test_run_haul (NULL, &out, &err, "--headless", "-d", fx->dir, uri, NULL);
  g_assert_cmpint (status, ==, 1);
  if (strstr (err, "--user") == NULL || strstr (err, "asks for a user name and password") == NULL)
    g_error ("expected a message naming --user, got: %s", err);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);

  /* A wrong password: refused, and said so. */
  status = haul_test_run_haul (NULL, &out, &err, "--headless", "-d", fx->dir, "--user", USER,
                               "--password", WRONG, uri, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "The password for alice at"));
  g_assert_null (strstr (err, WRONG));
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);

  /* --user and --password. */
  status = haul_test_run_haul (NULL, &out, &err, "--headless", "-d", fx->dir, "--user", USER,
                               "--password", PASSWORD, uri, NULL);
  g_assert_cmpint (status, ==, 0);
  haul_test_assert_file_in (fx->dir, "h.bin", content);
  g_assert_null (strstr (err, PASSWORD));
  g_assert_null (strstr (out, PASSWORD));
  g_assert_cmpint (g_unlink (h_path), ==, 0);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);

  /* ~/.netrc: another machine first, then ours, quoted. */
  netrc_text = g_strdup_printf ("# mine\nmachine example.org login x password y\n\n"
                                "machine 127.0.0.1\n  login %s\n  password \"%s\"\n"
                                "default login nobody password nothing\n", USER, PASSWORD);
  g_assert_true (g_file_set_contents_full (netrc, netrc_text, -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
  status = haul_test_run_haul (NULL, &out, &err, "--headless", "-d", fx->dir, uri, NULL);
  if (status != 0)
    g_error ("haul with ~/.netrc failed: %s", err);
  haul_test_assert_file_in (fx->dir, "h.bin", content);
  g_assert_cmpint (g_unlink (h_path), ==, 0);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);

  /* A ~/.netrc others can read is not used, and haul says why. */
  g_assert_cmpint (g_chmod (netrc, 0644), ==, 0);
  status = haul_test_run_haul (NULL, &out, &err, "--headless", "-d", fx->dir, uri, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "chmod 600"));
  g_assert_nonnull (strstr (err, "--user"));

  /* --password without --user is a usage error. */
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  status = haul_test_run_haul (NULL, &out, &err, "--headless", "-d", fx->dir, "--password", "x", uri, NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "--user"));

  g_setenv ("HOME", old_home, TRUE);
  haul_test_rm_rf (home);
}

#define ADD(name, data, func) \
  g_test_add ("/haul/core/auth/" name, Fixture, data, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  int status;

  haul_test_log_capture_start ();
  g_test_init (&argc, &argv, NULL);
  haul_test_ignore_proxies ();

  ADD ("basic", GINT_TO_POINTER (FALSE), test_basic);
  ADD ("digest", GINT_TO_POINTER (TRUE), test_basic);
  ADD ("wrong-password-basic", GINT_TO_POINTER (FALSE), test_wrong_password);
  ADD ("wrong-password-digest", GINT_TO_POINTER (TRUE), test_wrong_password);
  ADD ("segmented-basic", GINT_TO_POINTER (FALSE), test_segmented);
  ADD ("segmented-digest", GINT_TO_POINTER (TRUE), test_segmented);
  ADD ("resumed", NULL, test_resumed);
  ADD ("proxy", NULL, test_proxy);
  ADD ("not-shared", NULL, test_not_shared);
  ADD ("store", NULL, test_store);
  ADD ("headless", NULL, test_headless);
  status = g_test_run ();

  /* Something was captured: the engine logs each sign-in it stops at. */
  g_assert_true (haul_test_log_contains ("needs a password"));
  haul_test_assert_not_logged (PASSWORD);
  return status;
}
