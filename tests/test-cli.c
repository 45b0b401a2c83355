/* test-cli.c — `haul --headless` as a process, against a real HTTP server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "haul-connections.h"
#include "haul-headless.h"
#include "haul-queue.h"
#include "haul-test-server.h"

typedef struct
{
  HaulTestServer *server;
  char           *dir;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = haul_test_server_new ();
  f->dir = haul_test_make_tmp_dir ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  haul_test_rm_rf (f->dir);
  g_free (f->dir);
  haul_test_server_free (f->server);
}

static void
test_download_ok (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) a = haul_test_content (300 * 1024, 1);
  g_autoptr(GBytes) b = haul_test_content (1, 2);
  g_autofree char *ua = NULL, *ub = NULL, *out = NULL, *err = NULL;
  int status;

  haul_test_server_add_file (f->server, "/a.bin", a, NULL);
  haul_test_server_add_file (f->server, "/b.txt", b, NULL);
  ua = haul_test_server_uri (f->server, "/a.bin");
  ub = haul_test_server_uri (f->server, "/b.txt");

  /* "-j2" glued, as curl and wget users write it. */
  status = haul_test_run_haul (NULL, &out, &err, "--headless", "-j2", "-d", f->dir, ua, ub, NULL);
  g_assert_cmpint (status, ==, 0);
  haul_test_assert_file_in (f->dir, "a.bin", a);
  haul_test_assert_file_in (f->dir, "b.txt", b);

  /* stdout is not a terminal: plain log lines, one per file, and a summary. */
  g_assert_nonnull (strstr (out, "a.bin"));
  g_assert_nonnull (strstr (out, "b.txt"));
  g_assert_nonnull (strstr (out, "Downloaded 2 files"));
  g_assert_null (strstr (out, "\033["));
}

static void
test_quiet (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GBytes) a = haul_test_content (10000, 3);
  g_autofree char *ua = NULL, *umissing = NULL, *out = NULL, *err = NULL;
  int status;

  haul_test_server_add_file (f->server, "/a.bin", a, NULL);
  ua = haul_test_server_uri (f->server, "/a.bin");
  umissing = haul_test_server_uri (f->server, "/missing.bin");

  status = haul_test_run_haul (NULL, &out, &err, "--headless", "--quiet", "-d", f->dir, ua, umissing, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_cmpstr (out, ==, "");
  /* Errors still reach stderr, naming the link and the reason. */
  g_assert_nonnull (strstr (err, "missing.bin"));
  g_assert_nonnull (strstr (err, "404"));
  haul_test_assert_file_in (f->dir, "a.bin", a);
}

static void
test_failure_exit_code (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *u = haul_test_server_uri (f->server, "/nope");
  g_autofree char *err = NULL;
  int status;

  status = haul_test_run_haul (NULL, NULL, &err, "--headless", "-d", f->dir, u, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "not on the server"));
  /* 404 is permanent: exactly one request, no retries. */
  g_assert_cmpuint (haul_test_server_get_n_requests (f->server, "/nope"), ==, 1);
}

static void
assert_usage_error (Fixture    *f,
                    const char *needle,
                    const char *arg1,
                    const char *arg2,
                    const char *arg3)
{
  g_autofree char *err = NULL;
  int status;

  status = haul_test_run_haul (NULL, NULL, &err, "--headless", "-d", f->dir, arg1, arg2, arg3, NULL);
  g_assert_cmpint (status, ==, 2);
  if (strstr (err, needle) == NULL)
    g_error ("expected “%s” in: %s", needle, err);
}

static void
test_bad_arguments (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *u = haul_test_server_uri (f->server, "/x");

  assert_usage_error (f, "-j/--jobs", "-j", "0", u);
  assert_usage_error (f, "-j/--jobs", "-j", "33", u);
  assert_usage_error (f, "-j", "-j", "many", u);
  assert_usage_error (f, "--limit-rate", "--limit-rate", "fast", u);
  assert_usage_error (f, "--checksum", "--checksum", "sha256:abc", u);
  assert_usage_error (f, "--checksum", "--checksum", "crc32:00", u);
  assert_usage_error (f, "--bogus", "--bogus", u, NULL);
  assert_usage_error (f, "ftp://example.org/x", "ftp://example.org/x", NULL, NULL);
  assert_usage_error (f, "no links", NULL, NULL, NULL);
  assert_usage_error (f, "missing.txt", "-i", "/nonexistent/missing.txt", NULL);
  /* Nothing was requested for any of them. */
  g_assert_cmpuint (haul_test_server_get_total_requests (f->server), ==, 0);
}

/* Each bad value of -x/--connections and --max-connections-per-server is
 * refused before anything is requested, with a message that names the
 * option, the range and what was typed. */
static void
test_bad_connections (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *u = haul_test_server_uri (f->server, "/x");
  const char *x = "-x/--connections must be a whole number between 1 and 16, not";
  const char *per_server = "--max-connections-per-server must be a whole number between 1 and 16, not";

  assert_usage_error (f, x, "-x", "0", u);
  assert_usage_error (f, x, "-x", "17", u);
  assert_usage_error (f, "not “abc”", "-x", "abc", u);
  assert_usage_error (f, "not “-1”", "--connections", "-1", u);
  assert_usage_error (f, "not “4k”", "--connections", "4k", u);
  assert_usage_error (f, "not “17”", "-x17", u, NULL);
  assert_usage_error (f, per_server, "--max-connections-per-server", "0", u);
  assert_usage_error (f, per_server, "--max-connections-per-server", "17", u);
  assert_usage_error (f, "not “many”", "--max-connections-per-server", "many", u);
  g_assert_cmpuint (haul_test_server_get_total_requests (f->server), ==, 0);
}

/* -x 1 (one stream per file) and -x 4, glued or not, with a server limit:
 * accepted, and the files are the server's to the byte. */
static void
test_connections_download (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GBytes) a = haul_test_content (2 * 1024 * 1024 + 17, 11);
  g_autoptr(GBytes) b = haul_test_content (3 * 1024 * 1024 + 5, 12);
  g_autofree char *ua = NULL, *ub = NULL, *err = NULL;
  int status;

  haul_test_server_add_file (f->server, "/one.bin", a, &(HaulTestFileOptions) { .etag = "\"a\"" });
  haul_test_server_add_file (f->server, "/four.bin", b, &(HaulTestFileOptions) { .etag = "\"b\"" });
  ua = haul_test_server_uri (f->server, "/one.bin");
  ub = haul_test_server_uri (f->server, "/four.bin");

  status = haul_test_run_haul (NULL, NULL, &err, "--headless", "-x", "1", "-d", f->dir, ua, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (err, ==, "");
  haul_test_assert_file_in (f->dir, "one.bin", a);
  g_clear_pointer (&err, g_free);

  status = haul_test_run_haul (NULL, NULL, &err, "--headless", "-x4", "--max-connections-per-server", "2",
                               "-d", f->dir, ub, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (err, ==, "");
  haul_test_assert_file_in (f->dir, "four.bin", b);
}

static void
test_help (Fixture       *f,
           gconstpointer  data)
{
  const char *options[] = { "--directory", "--jobs", "--input-file", "--limit-rate",
                            "--checksum", "--quiet", "--retries", "--timeout",
                            "--connect-timeout", "-x, --connections=N", "1 to 16",
                            "--max-connections-per-server=N", "Exit status" };
  g_autofree char *out = NULL;
  int status;

  status = haul_test_run_haul (NULL, &out, NULL, "--headless", "--help", NULL);
  g_assert_cmpint (status, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    if (strstr (out, options[i]) == NULL)
      g_error ("--help does not mention %s:\n%s", options[i], out);
}

static void
test_stdin_list (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) a = haul_test_content (40000, 4);
  g_autoptr(GBytes) b = haul_test_content (50000, 5);
  g_autofree char *ua = NULL, *ub = NULL, *list = NULL, *err = NULL;
  int status;

  haul_test_server_add_file (f->server, "/one.dat", a, NULL);
  haul_test_server_add_file (f->server, "/two.dat", b, NULL);
  ua = haul_test_server_uri (f->server, "/one.dat");
  ub = haul_test_server_uri (f->server, "/two.dat");

  /* BOM, CRLF, a comment, a tab-separated pair, a duplicate and a bad entry. */
  list = g_strdup_printf ("\xef\xbb\xbf# my links\r\n%s\r\n\r\nhtp://not-a-link\r\n%s\t%s\n", ua, ub, ua);
  status = haul_test_run_haul (list, NULL, &err, "--headless", "-j", "2", "-d", f->dir, "-i", "-", NULL);

  /* The invalid entry is reported with its line number and the rest is downloaded. */
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, ":4:"));
  g_assert_nonnull (strstr (err, "not-a-link"));
  g_assert_nonnull (strstr (err, "duplicate"));
  haul_test_assert_file_in (f->dir, "one.dat", a);
  haul_test_assert_file_in (f->dir, "two.dat", b);
  g_assert_cmpuint (haul_test_server_get_n_requests (f->server, "/one.dat"), ==, 1);
}

static void
test_input_file (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) a = haul_test_content (1000, 6);
  g_autofree char *ua = NULL, *list_path = NULL, *contents = NULL, *bin_path = NULL, *err = NULL;
  int status;

  haul_test_server_add_file (f->server, "/f.dat", a, NULL);
  ua = haul_test_server_uri (f->server, "/f.dat");
  list_path = g_build_filename (f->dir, "links.txt", NULL);
  contents = g_strdup_printf ("%s\n", ua);
  g_assert_true (g_file_set_contents (list_path, contents, -1, NULL));

  status = haul_test_run_haul (NULL, NULL, NULL, "--headless", "-d", f->dir, "-i", list_path, NULL);
  g_assert_cmpint (status, ==, 0);
  haul_test_assert_file_in (f->dir, "f.dat", a);

  /* A binary file is refused with a clear message. */
  bin_path = g_build_filename (f->dir, "image.png", NULL);
  g_assert_true (g_file_set_contents (bin_path, "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, NULL));
  status = haul_test_run_haul (NULL, NULL, &err, "--headless", "-d", f->dir, "-i", bin_path, NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "binary"));
}

static void
test_checksum (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GBytes) a = haul_test_content (123456, 7);
  g_autofree char *ua = NULL, *good = NULL, *bad = NULL, *err = NULL, *sum = NULL;
  g_autofree char *final = NULL, *part = NULL;
  int status;

  haul_test_server_add_file (f->server, "/c.bin", a, NULL);
  ua = haul_test_server_uri (f->server, "/c.bin");
  sum = haul_test_sha256_bytes (a);
  good = g_strdup_printf ("sha256:%s", sum);
  bad = g_strdup_printf ("sha256:%064d", 0);

  status = haul_test_run_haul (NULL, NULL, &err, "--headless", "-d", f->dir, "--checksum", bad, ua, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "damaged"));
  final = g_build_filename (f->dir, "c.bin", NULL);
  part = g_build_filename (f->dir, "c.bin.part", NULL);
  g_assert_false (g_file_test (final, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));

  status = haul_test_run_haul (NULL, NULL, NULL, "--headless", "-d", f->dir, "--checksum", good, ua, NULL);
  g_assert_cmpint (status, ==, 0);
  haul_test_assert_file_in (f->dir, "c.bin", a);
}

static gboolean
part_has_bytes (gpointer data)
{
  GStatBuf st;

  return g_stat (data, &st) == 0 && st.st_size > 64 * 1024;
}

static void
test_resume_after_sigint (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GBytes) a = haul_test_content (1024 * 1024, 8);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ua = NULL, *part = NULL, *final = NULL;
  g_auto(GStrv) ranges = NULL;
  GStatBuf st;
  gint64 part_size;
  int status;

  /* Slow enough to interrupt mid-file, fast enough for the test. */
  haul_test_server_add_file (f->server, "/slow.bin", a,
                             &(HaulTestFileOptions) { .rate = 256 * 1024, .etag = "\"v1\"" });
  ua = haul_test_server_uri (f->server, "/slow.bin");
  part = g_build_filename (f->dir, "slow.bin.part", NULL);
  final = g_build_filename (f->dir, "slow.bin", NULL);

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                           &error, haul_test_haul_binary (), "--headless", "-d", f->dir, ua, NULL);
  g_assert_no_error (error);

  g_assert_true (haul_test_wait_until (part_has_bytes, part, 20000));
  haul_test_interrupt_haul (proc);

  /* Stopped cleanly: the partial file is kept, the final name not created. */
  g_assert_cmpint (g_stat (part, &st), ==, 0);
  part_size = st.st_size;
  g_assert_cmpint (part_size, >, 0);
  g_assert_cmpint (part_size, <, (gint64) g_bytes_get_size (a));
  g_assert_false (g_file_test (final, G_FILE_TEST_EXISTS));

  /* The same command again resumes from where it stopped. */
  status = haul_test_run_haul (NULL, NULL, NULL, "--headless", "-d", f->dir, ua, NULL);
  g_assert_cmpint (status, ==, 0);
  haul_test_assert_file_in (f->dir, "slow.bin", a);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));

  ranges = haul_test_server_get_ranges (f->server, "/slow.bin");
  g_assert_nonnull (ranges);
  g_assert_cmpuint (g_strv_length (ranges), >=, 1);
  {
    g_autofree char *expected = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", part_size);

    g_assert_cmpstr (ranges[g_strv_length (ranges) - 1], ==, expected);
  }
}

static void
test_rate_limit_option (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) a = haul_test_content (300 * 1024, 9);
  g_autofree char *ua = NULL;
  gint64 start;
  gdouble secs;
  int status;

  haul_test_server_add_file (f->server, "/r.bin", a, NULL);
  ua = haul_test_server_uri (f->server, "/r.bin");

  start = g_get_monotonic_time ();
  status = haul_test_run_haul (NULL, NULL, NULL, "--headless", "-d", f->dir, "--limit-rate", "200k", ua, NULL);
  secs = (g_get_monotonic_time () - start) / (gdouble) G_USEC_PER_SEC;
  g_assert_cmpint (status, ==, 0);
  haul_test_assert_file_in (f->dir, "r.bin", a);
  /* 300 KiB at 200 kB/s with a 20 kB burst cannot finish in under a second
   * (only a lower bound: the machine may be slow, never too fast). */
  g_assert_cmpfloat (secs, >=, 1.0);
}

static gboolean
signal_is_default (int signum)
{
  struct sigaction action;

  g_assert_cmpint (sigaction (signum, NULL, &action), ==, 0);
  return action.sa_handler == SIG_DFL;
}

/* haul --headless ARG…, in this process. */
static int
run_in_process (const char *first,
                ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  va_list args;

  g_strv_builder_add_many (builder, "haul", "--headless", NULL);
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_strv_builder_add (builder, arg);
  va_end (args);
  argv = g_strv_builder_end (builder);
  return haul_headless_run (g_strv_length (argv), argv);
}

/* haul_headless_run() in this process: its SIGINT and SIGTERM handlers
 * point into the run's stack frame, so however the run ends they are gone
 * after it (GLib gives the signal back its default disposition once the
 * last g_unix_signal source for it is removed). */
static void
test_signal_handlers_removed (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GBytes) a = haul_test_content (20000, 10);
  g_autofree char *ua = NULL, *session = NULL;
  int status;

  haul_test_server_add_file (f->server, "/in.bin", a, NULL);
  ua = haul_test_server_uri (f->server, "/in.bin");
  session = g_build_filename (f->dir, "session.db", NULL);
  signal (SIGINT, SIG_DFL);
  signal (SIGTERM, SIG_DFL);

  /* A run that downloads (quiet: stdout carries this test's TAP). */
  status = run_in_process ("--quiet", "-d", f->dir, ua, NULL);
  g_assert_cmpint (status, ==, HAUL_EXIT_OK);
  haul_test_assert_file_in (f->dir, "in.bin", a);
  g_assert_true (signal_is_default (SIGINT));
  g_assert_true (signal_is_default (SIGTERM));

  /* A usage error found after the handlers were added: an empty session
   * and no links. */
  status = run_in_process ("--quiet", "-d", f->dir, "--session", session, NULL);
  g_assert_cmpint (status, ==, HAUL_EXIT_USAGE);
  g_assert_true (signal_is_default (SIGINT));
  g_assert_true (signal_is_default (SIGTERM));
}

typedef struct
{
  guint n_seen;
  guint max_connections;
  guint max_per_server;
} SeenLimits;

/* On every HaulQueue::download-finished: the limits of the queue that
 * emitted it. */
static gboolean
record_limits (GSignalInvocationHint *hint,
               guint                  n_params,
               const GValue          *params,
               gpointer               user_data)
{
  SeenLimits *seen = user_data;
  HaulQueue *queue = g_value_get_object (&params[0]);

  seen->n_seen++;
  seen->max_connections = haul_queue_get_max_connections (queue);
  seen->max_per_server = haul_queue_get_max_connections_per_server (queue);
  return TRUE;
}

/* haul --headless ARG… in this process, returning what the queue of the
 * run held when its download finished. */
static SeenLimits
limits_of_run (const char *arg1,
               const char *arg2,
               const char *arg3,
               const char *arg4,
               const char *arg5,
               const char *arg6)
{
  g_autoptr(GTypeClass) klass = g_type_class_ref (HAUL_TYPE_QUEUE);   /* its signals exist */
  SeenLimits seen = { 0 };
  guint signal_id = g_signal_lookup ("download-finished", HAUL_TYPE_QUEUE);
  gulong hook = g_signal_add_emission_hook (signal_id, 0, record_limits, &seen, NULL);

  g_assert_cmpint (run_in_process ("--quiet", arg1, arg2, arg3, arg4, arg5, arg6, NULL), ==, HAUL_EXIT_OK);
  g_signal_remove_emission_hook (signal_id, hook);
  g_assert_cmpuint (seen.n_seen, ==, 1);
  return seen;
}

/* The values reach the run's HaulQueue, with and without --session (whose
 * restored downloads run on the same queue); without them, the defaults. */
static void
test_connections_reach_queue (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GBytes) a = haul_test_content (600 * 1024, 13);
  g_autofree char *ua = NULL, *session = NULL, *dir2 = NULL, *dir3 = NULL;
  SeenLimits seen;

  haul_test_server_add_file (f->server, "/q.bin", a, NULL);
  ua = haul_test_server_uri (f->server, "/q.bin");
  session = g_strdup_printf ("--session=%s/session.db", f->dir);
  dir2 = g_build_filename (f->dir, "2", NULL);
  dir3 = g_build_filename (f->dir, "3", NULL);

  seen = limits_of_run ("-d", f->dir, ua, NULL, NULL, NULL);
  g_assert_cmpuint (seen.max_connections, ==, HAUL_DEFAULT_CONNECTIONS);
  g_assert_cmpuint (seen.max_per_server, ==, HAUL_DEFAULT_CONNECTIONS);
  haul_test_assert_file_in (f->dir, "q.bin", a);

  seen = limits_of_run ("-x", "3", "--max-connections-per-server=5", "-d", dir2, ua);
  g_assert_cmpuint (seen.max_connections, ==, 3);
  g_assert_cmpuint (seen.max_per_server, ==, 5);
  haul_test_assert_file_in (dir2, "q.bin", a);

  seen = limits_of_run ("-x16", "--max-connections-per-server=1", session, "-d", dir3, ua);
  g_assert_cmpuint (seen.max_connections, ==, 16);
  g_assert_cmpuint (seen.max_per_server, ==, 1);
  haul_test_assert_file_in (dir3, "q.bin", a);
}

/* --header, --referer, --user-agent and --load-cookies reach every request
 * (segments too); the cookie of another site does not. With every debug
 * message on, no value appears in what haul prints. */
static void
test_request_context (Fixture       *f,
                      gconstpointer  data)
{
  static const char * const required[] = {
    "Cookie: sid=CLIc00kieMARK",
    "Referer: http://127.0.0.1/page",
    "User-Agent: CliAgent/1.0",
    "X-Token: CLIheaderMARK",
    "X-Two: 2",
    NULL
  };
  g_autoptr(GBytes) a = haul_test_content (4 * MIB, 11);  /* splits from 2 MiB */
  g_autofree char *ua = haul_test_server_uri (f->server, "/ctx.bin");
  g_autofree char *cookies = g_build_filename (f->dir, "cookies.txt", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_auto(GStrv) seen = NULL;
  int status;

  g_assert_true (g_file_set_contents (cookies,
                                      "# Netscape HTTP Cookie File\n"
                                      "127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\tCLIc00kieMARK\n"
                                      ".example.org\tTRUE\t/\tFALSE\t0\tother\tCLIotherMARK\n"
                                      "127.0.0.1\tFALSE\t/\tFALSE\t1000000000\told\tgone\n",
                                      -1, NULL));
  haul_test_server_add_file (f->server, "/ctx.bin", a,
                             &(HaulTestFileOptions) { .rate = 2 * MIB, .etag = "\"c\"",
                                                      .require_headers = required });

  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  status = haul_test_run_haul (NULL, &out, &err, "--headless", "-x", "4", "-d", f->dir,
                               "--header", "X-Token: CLIheaderMARK", "--header=X-Two: 2",
                               "--referer", "http://127.0.0.1/page", "--user-agent", "CliAgent/1.0",
                               "--load-cookies", cookies, ua, NULL);
  g_unsetenv ("G_MESSAGES_DEBUG");
  g_assert_cmpint (status, ==, 0);
  haul_test_assert_file_in (f->dir, "ctx.bin", a);

  seen = haul_test_server_get_header_values (f->server, "/ctx.bin", "Cookie");
  g_assert_cmpuint (g_strv_length (seen), >, 1);  /* segments */
  for (guint i = 0; seen[i] != NULL; i++)
    g_assert_cmpstr (seen[i], ==, "sid=CLIc00kieMARK");
  g_assert_cmpuint (haul_test_server_get_n_status (f->server, "/ctx.bin", 403), ==, 0);

  /* the debug messages were on */
  g_assert_true (strstr (out, "-DEBUG") != NULL || strstr (err, "-DEBUG") != NULL);
  for (guint i = 0; i < 3; i++)
    {
      const char *mark = (const char *[]) { "CLIc00kieMARK", "CLIheaderMARK", "CLIotherMARK" }[i];

      g_assert_null (strstr (out, mark));
      g_assert_null (strstr (err, mark));
    }
}

/* A usage error about a request context option: names the option and
 * never the value (each holds "SECRETv"). */
static void
assert_context_error (Fixture    *f,
                      const char *needle,
                      const char *option,
                      const char *value)
{
  g_autofree char *u = haul_test_server_uri (f->server, "/x");
  g_autofree char *err = NULL;
  int status;

  status = haul_test_run_haul (NULL, NULL, &err, "--headless", "-d", f->dir, option,
                               value != NULL ? value : u, value != NULL ? u : NULL, NULL);
  g_assert_cmpint (status, ==, 2);
  if (strstr (err, needle) == NULL)
    g_error ("expected “%s” in: %s", needle, err);
  g_assert_null (strstr (err, "SECRETv"));
}

/* Bad values: a usage error naming the option, never the value, and
 * nothing requested. */
static void
test_bad_request_context (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *u = haul_test_server_uri (f->server, "/x");
  g_autofree char *binary = g_build_filename (f->dir, "binary.txt", NULL);
  g_autofree char *prose = g_build_filename (f->dir, "prose.txt", NULL);

  g_assert_true (g_file_set_contents (binary, "a\tb\0c\x01SECRETv", sizeof "a\tb\0c\x01SECRETv" - 1, NULL));
  g_assert_true (g_file_set_contents (prose, "SECRETv is not a cookie\n", -1, NULL));
  assert_context_error (f, "--header: The header “Host” is set by Haul", "--header", "Host: SECRETv");
  assert_context_error (f, "--header: The header “Cookie” is set by Haul", "--header=Cookie: a=SECRETv", NULL);
  assert_context_error (f, "--header: The header “Authorization” is set by Haul", "--header",
                      "Authorization: Bearer SECRETv");
  assert_context_error (f, "--header: A header must be written", "--header", "SECRETv");
  assert_context_error (f, "--header: A header name", "--header", "Bad name: SECRETv");
  assert_context_error (f, "--referer: The referrer must be an http or https link", "--referer",
                      "javascript:SECRETv");
  assert_context_error (f, "--user-agent: The value of User-Agent holds a line break", "--user-agent",
                      "a\r\nX-Evil: SECRETv");
  assert_context_error (f, "--load-cookies: ", "--load-cookies", f->dir);
  assert_context_error (f, "is a folder", "--load-cookies", f->dir);
  assert_context_error (f, "it is not text", "--load-cookies", binary);
  assert_context_error (f, "seven fields", "--load-cookies", prose);
  assert_context_error (f, "Could not open", "--load-cookies", "/nonexistent/cookies.txt");
  g_assert_cmpuint (haul_test_server_get_total_requests (f->server), ==, 0);

}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/haul/cli/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("download-ok", test_download_ok);
  ADD ("quiet", test_quiet);
  ADD ("failure-exit-code", test_failure_exit_code);
  ADD ("bad-arguments", test_bad_arguments);
  ADD ("bad-connections", test_bad_connections);
  ADD ("connections-download", test_connections_download);
  ADD ("connections-reach-queue", test_connections_reach_queue);
  ADD ("help", test_help);
  ADD ("stdin-list", test_stdin_list);
  ADD ("input-file", test_input_file);
  ADD ("checksum", test_checksum);
  ADD ("resume-after-sigint", test_resume_after_sigint);
  ADD ("rate-limit-option", test_rate_limit_option);
  ADD ("signal-handlers-removed", test_signal_handlers_removed);
  ADD ("request-context", test_request_context);
  ADD ("bad-request-context", test_bad_request_context);

#undef ADD

  return g_test_run ();
}
