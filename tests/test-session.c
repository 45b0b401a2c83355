/* test-session.c — `haul --headless --session FILE` as a process
 *
 * The session file is a HaulStore: an interrupted run is resumed by running
 * the same command again (or the command with no links at all), a damaged
 * file is moved aside, an unusable path is a usage error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "haul-test-server.h"

typedef struct
{
  HaulTestServer *server;
  char           *tmp;
  char           *dir;
  char           *session;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->server = haul_test_server_new ();
  f->tmp = g_dir_make_tmp ("haul-session-XXXXXX", &error);
  g_assert_no_error (error);
  f->dir = g_build_filename (f->tmp, "downloads", NULL);
  f->session = g_build_filename (f->tmp, "session.db", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  haul_test_rm_rf (f->tmp);
  g_free (f->tmp);
  g_free (f->dir);
  g_free (f->session);
  haul_test_server_free (f->server);
}

static void
assert_file_equals (const char *dir,
                    const char *name,
                    GBytes     *content)
{
  g_autofree char *part = g_strconcat (name, ".part", NULL);
  g_autofree char *part_path = g_build_filename (dir, part, NULL);

  haul_test_assert_file_in (dir, name, content);
  g_assert_false (g_file_test (part_path, G_FILE_TEST_EXISTS));
}

static gboolean
part_has_bytes (gpointer data)
{
  GStatBuf st;

  return g_stat (data, &st) == 0 && st.st_size > 64 * KIB;
}

/* Ctrl-C, then the command with no links: everything that was running,
 * waiting or done comes back, the partial file is continued with a Range
 * request, and the run exits 0. A third run has nothing left to do. */
static void
test_rerun_after_sigint (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GBytes) a = haul_test_content (1024 * KIB, 21);
  g_autoptr(GBytes) b = haul_test_content (1024 * KIB, 22);
  g_autoptr(GBytes) c = haul_test_content (40 * KIB, 23);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ua = NULL, *ub = NULL, *uc = NULL, *part = NULL, *out = NULL, *err = NULL;
  g_autofree char *expected = NULL;
  g_auto(GStrv) ranges = NULL;
  GStatBuf st;
  guint requests;
  int status;

  haul_test_server_add_file (f->server, "/a.bin", a,
                             &(HaulTestFileOptions) { .rate = 256 * KIB, .etag = "\"a\"" });
  haul_test_server_add_file (f->server, "/b.bin", b,
                             &(HaulTestFileOptions) { .rate = 256 * KIB, .etag = "\"b\"" });
  haul_test_server_add_file (f->server, "/c.bin", c, NULL);
  ua = haul_test_server_uri (f->server, "/a.bin");
  ub = haul_test_server_uri (f->server, "/b.bin");
  uc = haul_test_server_uri (f->server, "/c.bin");
  part = g_build_filename (f->dir, "a.bin.part", NULL);

  /* Two at a time: c waits behind the slow ones. */
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                           &error, haul_test_haul_binary (), "--headless", "-j", "2", "--session", f->session,
                           "-d", f->dir, ua, ub, uc, NULL);
  g_assert_no_error (error);
  g_assert_true (haul_test_wait_until (part_has_bytes, part, 20000));
  haul_test_interrupt_haul (proc);
  g_assert_cmpint (g_stat (part, &st), ==, 0);
  g_assert_cmpint (st.st_size, <, (gint64) g_bytes_get_size (a));
  g_assert_cmpuint (haul_test_server_get_n_requests (f->server, "/c.bin"), ==, 0);

  /* No links: the session alone. */
  status = haul_test_run_haul (NULL, &out, &err, "--headless", "--session", f->session, NULL);
  g_assert_cmpint (status, ==, 0);
  assert_file_equals (f->dir, "a.bin", a);
  assert_file_equals (f->dir, "b.bin", b);
  assert_file_equals (f->dir, "c.bin", c);
  g_assert_nonnull (strstr (out, "Downloaded 3 files"));
  ranges = haul_test_server_get_ranges (f->server, "/a.bin");
  g_assert_nonnull (ranges);
  /* The probe of the first run ("bytes=0-", the default may split), then
   * the rest of the file from where the .part ended. */
  g_assert_cmpuint (g_strv_length (ranges), ==, 2);
  g_assert_cmpstr (ranges[0], ==, "bytes=0-");
  expected = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", (gint64) st.st_size);
  g_assert_cmpstr (ranges[1], ==, expected);
  g_assert_cmpuint (haul_test_server_get_n_requests (f->server, "/c.bin"), ==, 1);

  /* Everything is history now: the same command again downloads nothing. */
  requests = haul_test_server_get_total_requests (f->server);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = haul_test_run_haul (NULL, &out, &err, "--headless", "-j", "2", "--session", f->session,
                     "-d", f->dir, ua, ub, uc, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (haul_test_server_get_total_requests (f->server), ==, requests);
  assert_file_equals (f->dir, "a.bin", a);
}

/* A damaged session file is moved aside with a message naming where; the
 * run goes on with a new one. */
static void
test_corrupt_session (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) a = haul_test_content (30 * KIB, 24);
  g_autofree char *ua = NULL, *err = NULL, *listing = NULL;
  g_autoptr(GString) junk = g_string_new ("SQLite format 3");
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_cmpint (g_mkdir (f->dir, 0755), ==, 0);
  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (junk, "garbage %u\n", i);
  g_file_set_contents (f->session, junk->str, junk->len, &error);
  g_assert_no_error (error);

  haul_test_server_add_file (f->server, "/a.bin", a, NULL);
  ua = haul_test_server_uri (f->server, "/a.bin");
  status = haul_test_run_haul (NULL, NULL, &err, "--headless", "--session", f->session, "-d", f->dir, ua, NULL);
  g_assert_cmpint (status, ==, 0);
  assert_file_equals (f->dir, "a.bin", a);
  if (strstr (err, "damaged") == NULL)
    g_error ("expected a message about the damaged session in: %s", err);

  /* The old file is kept next to the new one, and the message names it. */
  listing = haul_test_list_dir (f->tmp);
  g_test_message ("session folder: %s", listing);
  {
    g_auto(GStrv) names = g_strsplit (listing, "|", -1);
    gboolean found = FALSE;

    for (guint i = 0; names[i] != NULL; i++)
      if (g_str_has_prefix (names[i], "session.db") &&
          !g_str_equal (names[i], "session.db") &&
          !g_str_has_suffix (names[i], "-wal") && !g_str_has_suffix (names[i], "-shm"))
        {
          g_autofree char *aside = g_build_filename (f->tmp, names[i], NULL);
          g_autofree char *contents = NULL;
          gsize len;

          g_assert_nonnull (strstr (err, names[i]));
          g_assert_true (g_file_get_contents (aside, &contents, &len, NULL));
          g_assert_cmpmem (contents, len, junk->str, junk->len);
          found = TRUE;
        }
    g_assert_true (found);
  }

  /* The new session works: a rerun knows the download is done. */
  g_clear_pointer (&err, g_free);
  status = haul_test_run_haul (NULL, NULL, &err, "--headless", "--session", f->session, "-d", f->dir, ua, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_null (strstr (err, "damaged"));
  g_assert_cmpuint (haul_test_server_get_n_requests (f->server, "/a.bin"), ==, 1);
}

static void
assert_session_usage_error (Fixture    *f,
                            const char *session)
{
  g_autofree char *u = haul_test_server_uri (f->server, "/x.bin");
  g_autofree char *err = NULL;
  int status;

  status = haul_test_run_haul (NULL, NULL, &err, "--headless", "--session", session, "-d", f->dir, u, NULL);
  g_assert_cmpint (status, ==, 2);
  if (strstr (err, "--session") == NULL)
    g_error ("expected “--session” in: %s", err);
  g_assert_cmpuint (haul_test_server_get_total_requests (f->server), ==, 0);
}

/* A session path that cannot be a file: exit 2, a message naming the option. */
static void
test_unusable_session (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *dir_path = g_build_filename (f->tmp, "a-folder", NULL);
  g_autofree char *file = g_build_filename (f->tmp, "a-file", NULL);
  g_autofree char *under_file = g_build_filename (file, "session.db", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir (dir_path, 0755), ==, 0);
  g_file_set_contents (file, "x", 1, &error);
  g_assert_no_error (error);

  assert_session_usage_error (f, dir_path);
  assert_session_usage_error (f, under_file);
  /* The folder was not touched. */
  {
    g_autofree char *listing = haul_test_list_dir (dir_path);

    g_assert_cmpstr (listing, ==, "");
  }
}

/* No links and an empty (new) session: nothing to do is a usage error. */
static void
test_empty_session (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *err = NULL;
  int status;

  status = haul_test_run_haul (NULL, NULL, &err, "--headless", "--session", f->session, NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "no links"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/haul/cli/session/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("rerun-after-sigint", test_rerun_after_sigint);
  ADD ("corrupt", test_corrupt_session);
  ADD ("unusable-path", test_unusable_session);
  ADD ("empty", test_empty_session);

#undef ADD

  return g_test_run ();
}
