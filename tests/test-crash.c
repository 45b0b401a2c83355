/* test-crash.c — `haul --headless --session S` killed with SIGKILL 20 times
 *
 * The in-process test server serves 20 files of 8 MiB (W3-like: large
 * files, ETag and Last-Modified, Range honoured), each throttled so that a
 * run takes several seconds. The same command is started, killed with
 * SIGKILL at a random moment (a fixed seed, printed; HAUL_CRASH_SEED
 * overrides it), and started again, 20 times; then it runs to the end.
 * Each file is fetched in segments (4 connections, each throttled): the
 * kills land among several writers and checkpoints of written ranges,
 * with the session's store, and once more without one (the .part's
 * attributes).
 *
 * Afterwards: the run exits 0, every file is byte-identical to its source
 * (SHA-256), the folder holds exactly the 20 files (no .part, no "(1)"
 * copies), the session holds each link exactly once, all completed, and
 * PRAGMA integrity_check says ok.
 *
 * Settings (environment): HAUL_CRASH_SEED, HAUL_CRASH_KILLS (20),
 * HAUL_CRASH_FILES (20), HAUL_CRASH_MIB (8).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#include "haul-test-server.h"
#include "haul-types.h"

#define JOBS "4"
#define CONNECTIONS 4
#define MAX_KILL_DELAY_MS 4000
#define FINAL_RUN_TIMEOUT_S 180

static guint
env_uint (const char *name,
          guint       fallback)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' ? (guint) g_ascii_strtoull (value, NULL, 10) : fallback;
}

static gboolean
subprocess_exited (gpointer data)
{
  return *(gboolean *) data;
}

static void
wait_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/* How many names in @dir end with @suffix. */
static guint
count_with_suffix (const char *dir,
                   const char *suffix)
{
  g_autofree char *listing = haul_test_list_dir (dir);
  g_auto(GStrv) names = g_strsplit (listing, "|", -1);
  guint n = 0;

  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_has_suffix (names[i], suffix))
      n++;
  return n;
}

static char *
query_text (sqlite3    *db,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return result;
}

/* Serves @n_files files of @size_mib MiB and adds their links to @argv
 * (the command line so far); @contents and @expected_names get what the
 * folder must hold in the end. */
static void
serve_files (HaulTestServer *server,
             guint           n_files,
             guint           size_mib,
             GPtrArray      *argv,
             GPtrArray      *contents,
             GString        *expected_names)
{
  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *path = g_strdup_printf ("/w3/file-%02u.bin", i);
      g_autofree char *etag = g_strdup_printf ("\"w3-%02u\"", i);
      GBytes *content = haul_test_content ((gsize) size_mib * MIB, 1000 + i);
      /* 1 to 5 MiB/s a file (over CONNECTIONS connections, each held to
       * its share, like a throttling mirror): some files finish between
       * kills, the slowest never do before the last run, so every kill
       * finds files in flight. */
      gint64 rate = (1 + i % 5) * MIB / CONNECTIONS;

      haul_test_server_add_file (server, path, content,
                                 &(HaulTestFileOptions) {
                                   .rate = rate,
                                   .etag = etag,
                                   .last_modified = "Tue, 01 Sep 2026 10:00:00 GMT" });
      g_ptr_array_add (contents, content);
      g_ptr_array_add (argv, haul_test_server_uri (server, path));
      g_string_append_printf (expected_names, "%sfile-%02u.bin", i > 0 ? "|" : "", i);
    }
}

/* Starts the command @n_kills times and kills it (SIGKILL) after a random
 * delay. Returns: how many kills found partial files */
static guint
kill_repeatedly (GPtrArray  *argv,
                 const char *dir,
                 GRand      *rand,
                 guint       n_kills)
{
  guint n_mid_transfer = 0;

  for (guint k = 0; k < n_kills; k++)
    {
      g_autoptr(GSubprocess) proc = NULL;
      g_autoptr(GError) error = NULL;
      guint delay = g_rand_int_range (rand, 0, MAX_KILL_DELAY_MS);
      gboolean exited = FALSE;
      guint parts, complete;

      proc = g_subprocess_newv ((const char * const *) argv->pdata,
                                G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                &error);
      g_assert_no_error (error);
      g_subprocess_wait_async (proc, NULL, wait_done_cb, &exited);
      haul_test_wait_until (subprocess_exited, &exited, delay);
      if (exited)
        {
          /* It finished before the kill: everything is done early. */
          g_test_message ("run %u exited by itself after < %u ms (status %d)", k, delay,
                          g_subprocess_get_exit_status (proc));
          break;
        }
      parts = count_with_suffix (dir, ".part");
      complete = count_with_suffix (dir, ".bin");
      if (parts > 0)
        n_mid_transfer++;
      g_subprocess_force_exit (proc);
      g_assert_true (haul_test_wait_until (subprocess_exited, &exited, 10000));
      g_assert_true (g_subprocess_get_if_signaled (proc));
      g_assert_cmpint (g_subprocess_get_term_sig (proc), ==, SIGKILL);
      g_test_message ("kill %2u at %4u ms: %u partial files, %u complete", k + 1, delay, parts, complete);
    }
  return n_mid_transfer;
}

/* The last run, left alone: it must finish and exit 0. */
static void
run_to_the_end (GPtrArray *argv)
{
  g_autoptr(GSubprocess) final = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;

  final = g_subprocess_newv ((const char * const *) argv->pdata,
                             G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                             &error);
  g_assert_no_error (error);
  {
    g_autoptr(GCancellable) cancel = g_cancellable_new ();
    guint timer = g_timeout_add_seconds (FINAL_RUN_TIMEOUT_S, cancel_cb, cancel);

    g_subprocess_communicate_utf8 (final, NULL, cancel, &out, &err, &error);
    if (error != NULL)
      g_subprocess_force_exit (final);
    g_assert_no_error (error);
    g_source_remove (timer);
  }
  if (g_test_verbose () || !g_subprocess_get_if_exited (final) ||
      g_subprocess_get_exit_status (final) != 0)
    g_printerr ("last run stdout: %s\nstderr: %s\n", out, err);
  g_assert_true (g_subprocess_get_if_exited (final));
  g_assert_cmpint (g_subprocess_get_exit_status (final), ==, 0);
}

/* Every file, byte for byte, and nothing else. */
static void
assert_files (HaulTestServer *server,
              const char     *dir,
              GPtrArray      *contents,
              const char     *expected_names)
{
  g_autofree char *listing = haul_test_list_dir (dir);

  g_test_message ("folder: %s", listing);
  for (guint i = 0; i < contents->len; i++)
    {
      g_autofree char *name = g_strdup_printf ("file-%02u.bin", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *want = haul_test_sha256_bytes (g_ptr_array_index (contents, i));
      g_autofree char *got = haul_test_sha256_file (path);
      g_autofree char *ranges_path = g_strdup_printf ("/w3/file-%02u.bin", i);
      g_auto(GStrv) ranges = haul_test_server_get_ranges (server, ranges_path);

      g_test_message ("%s: %u requests, %u with Range", name,
                      haul_test_server_get_n_requests (server, ranges_path),
                      ranges != NULL ? g_strv_length (ranges) : 0);
      g_assert_cmpstr (got, ==, want);
    }
  g_assert_cmpstr (listing, ==, expected_names);
}

/* Without a session a rerun fetches a finished file again (as
 * "NAME (1)"): every file in the folder must still be a whole, exact copy
 * of its source, and no .part may be left. */
static void
assert_copies (const char *dir,
               GPtrArray  *contents)
{
  g_autofree char *listing = haul_test_list_dir (dir);
  g_auto(GStrv) names = g_strsplit (listing, "|", -1);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autofree char *got = haul_test_sha256_file (path);
      g_autofree char *want = NULL;
      guint index;

      g_assert_true (sscanf (names[i], "file-%02u", &index) == 1 && index < contents->len);
      g_assert_false (g_str_has_suffix (names[i], ".part"));
      want = haul_test_sha256_bytes (g_ptr_array_index (contents, index));
      g_assert_cmpstr (got, ==, want);
    }
}

/* The session: each link once, all completed, and a sound file. */
static void
assert_session (const char *session,
                guint       n_files)
{
  sqlite3 *db = NULL;
  g_autofree char *check = NULL, *rows = NULL, *uris = NULL, *done = NULL, *ids = NULL, *sql = NULL;
  g_autofree char *want_rows = g_strdup_printf ("%u", n_files);

  g_assert_cmpint (sqlite3_open_v2 (session, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  check = query_text (db, "PRAGMA integrity_check");
  rows = query_text (db, "SELECT count(*) FROM downloads");
  uris = query_text (db, "SELECT count(DISTINCT uri) FROM downloads");
  ids = query_text (db, "SELECT count(DISTINCT id) FROM downloads");
  sql = g_strdup_printf ("SELECT count(*) FROM downloads WHERE state = %d",
                         HAUL_DOWNLOAD_STATE_COMPLETED);
  done = query_text (db, sql);
  sqlite3_close (db);
  g_test_message ("integrity_check: %s; rows %s, distinct links %s, completed %s",
                  check, rows, uris, done);
  g_assert_cmpstr (check, ==, "ok");
  g_assert_cmpstr (rows, ==, want_rows);
  g_assert_cmpstr (uris, ==, want_rows);
  g_assert_cmpstr (ids, ==, want_rows);
  g_assert_cmpstr (done, ==, want_rows);
}

typedef struct
{
  gboolean session;   /* --session (the store) or plain (the .part's attributes) */
  guint    kills;
  guint    files;
} CrashCase;

static const CrashCase with_session = { TRUE, 20, 20 };
static const CrashCase plain = { FALSE, 6, 6 };

/* Whether the server ever had more than one request of a file in flight:
 * the files were fetched in segments. */
static gboolean
some_file_split (HaulTestServer *server,
                 guint           n_files)
{
  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *path = g_strdup_printf ("/w3/file-%02u.bin", i);

      if (haul_test_server_get_max_in_flight_path (server, path) > 1)
        return TRUE;
    }
  return FALSE;
}

static void
test_crash (gconstpointer data)
{
  const CrashCase *c = data;
  guint n_kills = env_uint ("HAUL_CRASH_KILLS", c->kills);
  guint n_files = env_uint ("HAUL_CRASH_FILES", c->files);
  guint size_mib = env_uint ("HAUL_CRASH_MIB", 8);
  guint32 seed = env_uint ("HAUL_CRASH_SEED", 20261122);
  g_autoptr(HaulTestServer) server = haul_test_server_new ();
  g_autoptr(GPtrArray) contents = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("haul-crash-XXXXXX", &error);
  g_autofree char *dir = NULL, *session = NULL;
  g_autoptr(GString) expected_names = g_string_new (NULL);
  guint n_mid_transfer;
  gint64 t0 = g_get_monotonic_time ();

  g_assert_no_error (error);
  dir = g_build_filename (tmp, "downloads", NULL);
  session = g_build_filename (tmp, "session.db", NULL);
  g_test_message ("seed %u (set HAUL_CRASH_SEED to repeat), %u kills, %u × %u MiB at 1–5 MiB/s each",
                  seed, n_kills, n_files, size_mib);

  g_ptr_array_add (argv, g_strdup (g_getenv ("HAUL_BINARY")));
  g_assert_nonnull (g_ptr_array_index (argv, 0));
  g_ptr_array_add (argv, g_strdup ("--headless"));
  g_ptr_array_add (argv, g_strdup ("--quiet"));
  g_ptr_array_add (argv, g_strdup ("-j" JOBS));
  g_ptr_array_add (argv, g_strdup_printf ("-x%u", CONNECTIONS));
  g_ptr_array_add (argv, g_strdup ("--max-connections-per-server=16"));
  if (c->session)
    {
      g_ptr_array_add (argv, g_strdup ("--session"));
      g_ptr_array_add (argv, g_strdup (session));
    }
  g_ptr_array_add (argv, g_strdup ("-d"));
  g_ptr_array_add (argv, g_strdup (dir));
  serve_files (server, n_files, size_mib, argv, contents, expected_names);
  g_ptr_array_add (argv, NULL);

  n_mid_transfer = kill_repeatedly (argv, dir, rand, n_kills);
  g_test_message ("%u of %u kills landed while files were partial; killing took %.1f s",
                  n_mid_transfer, n_kills, (g_get_monotonic_time () - t0) / 1e6);
  g_assert_cmpuint (n_mid_transfer, >=, n_kills / 2);

  run_to_the_end (argv);
  g_test_message ("total %.1f s", (g_get_monotonic_time () - t0) / 1e6);

  if (c->session)
    {
      assert_files (server, dir, contents, expected_names->str);
      assert_session (session, n_files);
    }
  else
    assert_copies (dir, contents);
  /* Haul's default splits files this size: the kills hit segmented
   * downloads (several writers, checkpoints of written ranges). */
  g_assert_true (some_file_split (server, n_files));

  haul_test_rm_rf (tmp);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/haul/cli/crash/kill-9-and-restart", &with_session, test_crash);
  g_test_add_data_func ("/haul/cli/crash/kill-9-plain-headless", &plain, test_crash);
  return g_test_run ();
}
