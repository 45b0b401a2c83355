/* test-store.c — the SQLite store: its writer thread, schema and bad files
 *
 * Every test uses real SQLite files in a fresh g_dir_make_tmp() folder.
 * The tests themselves sometimes open a file with sqlite3 directly, to
 * make an old or a hostile database by hand or to look at what the store
 * wrote; the store is always closed while they do.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "haul-store.h"
#include "haul-test-server.h"

#define STORE_DOMAIN "haul-store"

/* The first schema, as a Haul of that version wrote it. */
#define SCHEMA_V1 \
  "CREATE TABLE downloads ("                        \
  "  id            INTEGER PRIMARY KEY,"            \
  "  uri           TEXT NOT NULL,"                  \
  "  final_uri     TEXT,"                           \
  "  directory     TEXT NOT NULL,"                  \
  "  filename      TEXT,"                           \
  "  state         INTEGER NOT NULL DEFAULT 0,"     \
  "  position      INTEGER NOT NULL DEFAULT 0,"     \
  "  total         INTEGER NOT NULL DEFAULT -1,"    \
  "  received      INTEGER NOT NULL DEFAULT 0,"     \
  "  etag          TEXT,"                           \
  "  last_modified TEXT,"                           \
  "  content_type  TEXT,"                           \
  "  error         TEXT,"                           \
  "  retries       INTEGER NOT NULL DEFAULT 0,"     \
  "  created       INTEGER NOT NULL DEFAULT 0,"     \
  "  started       INTEGER NOT NULL DEFAULT 0,"     \
  "  finished      INTEGER NOT NULL DEFAULT 0"      \
  ");"                                              \
  "PRAGMA user_version = 1;"

/* ------------------------------------------------------------------------ */
/* Helpers */

static GThread *main_thread;
static guint n_callbacks;
static guint n_wrong_thread;

static void
note_callback (void)
{
  n_callbacks++;
  if (g_thread_self () != main_thread)
    n_wrong_thread++;
}

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("haul-store-XXXXXX", &error);
  g_assert_no_error (error);
  /* A folder the store has to create. */
  fx->path = g_build_filename (fx->dir, "data", "haul", "haul.db", NULL);
  n_callbacks = 0;
  n_wrong_thread = 0;
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_assert_cmpuint (n_wrong_thread, ==, 0);
  haul_test_rm_rf (fx->dir);
  g_free (fx->dir);
  g_free (fx->path);
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  note_callback ();
  haul_test_async_cb (source, result, user_data);
}

/* Opens @store and waits for the answer. */
static gboolean
open_and_wait (HaulStore  *store,
               char      **aside,
               GError    **error)
{
  HaulTestAsync w = { 0 };
  gboolean ok;

  haul_store_open_async (store, NULL, wait_cb, &w);
  ok = haul_store_open_finish (store, haul_test_async_wait (&w), aside, error);
  g_clear_object (&w.result);
  return ok;
}

static HaulStore *
open_store (const char  *path,
            char       **moved_aside)
{
  HaulStore *store = haul_store_new (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *aside = NULL;
  gboolean ok;

  ok = open_and_wait (store, &aside, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  if (moved_aside != NULL)
    *moved_aside = g_steal_pointer (&aside);
  else
    g_assert_null (aside);
  return store;
}

static GError *
open_store_error (HaulStore *store)
{
  GError *error = NULL;
  g_autofree char *aside = NULL;

  g_assert_false (open_and_wait (store, &aside, &error));
  g_assert_null (aside);
  g_assert_nonnull (error);
  return error;
}

static void
flush (HaulStore *store)
{
  g_autoptr(GError) error = NULL;
  HaulTestAsync w = { 0 };

  haul_store_flush_async (store, NULL, wait_cb, &w);
  g_assert_true (haul_store_flush_finish (store, haul_test_async_wait (&w), &error));
  g_assert_no_error (error);
  g_clear_object (&w.result);
}

static void
close_store (HaulStore **store)
{
  flush (*store);
  haul_store_close (*store);
  g_clear_object (store);
}

typedef struct
{
  GPtrArray *records;
  guint      n_chunks;
  guint      max_chunk;
  gboolean   ticked;       /* a G_PRIORITY_DEFAULT idle ran since the last chunk */
  guint      n_not_ticked;
} Loaded;

static gboolean
tick_cb (gpointer data)
{
  Loaded *loaded = data;

  loaded->ticked = TRUE;
  return G_SOURCE_REMOVE;
}

static void
collect_chunk (HaulStore *store,
               GPtrArray *records,
               gpointer   user_data)
{
  Loaded *loaded = user_data;

  note_callback ();
  g_assert_true (HAUL_IS_STORE (store));
  g_assert_cmpuint (records->len, >, 0);
  g_assert_cmpuint (records->len, <=, HAUL_STORE_LOAD_CHUNK);

  /* Between two chunks the main loop runs work of higher priority (input,
   * redraw): an idle at G_PRIORITY_DEFAULT added during one chunk has run
   * before the next one arrives. */
  if (loaded->n_chunks > 0 && !loaded->ticked)
    loaded->n_not_ticked++;
  loaded->ticked = FALSE;
  g_idle_add_full (G_PRIORITY_DEFAULT, tick_cb, loaded, NULL);

  loaded->n_chunks++;
  loaded->max_chunk = MAX (loaded->max_chunk, records->len);
  /* Taking records is allowed. */
  while (records->len > 0)
    g_ptr_array_add (loaded->records, g_ptr_array_steal_index (records, 0));
}

/* Loads everything; returns the records in the order they arrived. */
static GPtrArray *
load_all (HaulStore *store,
          guint     *n_chunks,
          guint     *n_skipped)
{
  Loaded loaded = { 0 };
  g_autoptr(GError) error = NULL;
  HaulTestAsync w = { 0 };
  guint n_loaded = 0;
  guint skipped = 0;

  loaded.records = g_ptr_array_new_with_free_func ((GDestroyNotify) haul_store_record_free);
  haul_store_load_async (store, collect_chunk, &loaded, NULL, wait_cb, &w);
  g_assert_true (haul_store_load_finish (store, haul_test_async_wait (&w), &n_loaded, &skipped, &error));
  g_assert_no_error (error);
  g_clear_object (&w.result);
  g_assert_cmpuint (n_loaded, ==, loaded.records->len);
  g_assert_cmpuint (loaded.n_not_ticked, ==, 0);

  if (n_chunks != NULL)
    *n_chunks = loaded.n_chunks;
  if (n_skipped != NULL)
    *n_skipped = skipped;
  else
    g_assert_cmpuint (skipped, ==, 0);

  /* Let the last tick run, so it never fires on a freed Loaded. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return loaded.records;
}

static HaulStoreRecord *
make_record (guint64 id)
{
  HaulStoreRecord *r = haul_store_record_new ();

  r->id = id;
  r->uri = g_strdup_printf ("https://example.com/files/%" G_GUINT64_FORMAT ".bin", id);
  r->directory = g_strdup ("/home/user/Downloads");
  r->position = (gint64) id;
  r->created = 1700000000000000 + (gint64) id;
  return r;
}

static void
raw_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *errmsg = NULL;
  int rc;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  rc = sqlite3_exec (db, sql, NULL, NULL, &errmsg);
  if (rc != SQLITE_OK)
    g_error ("%s: %s", sql, errmsg);
  sqlite3_close (db);
}

static gint64
raw_int (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
make_parent (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
}

static void
assert_records_equal (const HaulStoreRecord *got,
                      const HaulStoreRecord *expected)
{
  g_assert_cmpuint (got->id, ==, expected->id);
  g_assert_cmpstr (got->uri, ==, expected->uri);
  g_assert_cmpstr (got->final_uri, ==, expected->final_uri);
  g_assert_cmpstr (got->directory, ==, expected->directory);
  g_assert_cmpstr (got->filename, ==, expected->filename);
  g_assert_cmpint (got->state, ==, expected->state);
  g_assert_cmpint (got->position, ==, expected->position);
  g_assert_cmpint (got->total, ==, expected->total);
  g_assert_cmpint (got->received, ==, expected->received);
  g_assert_cmpstr (got->etag, ==, expected->etag);
  g_assert_cmpstr (got->last_modified, ==, expected->last_modified);
  g_assert_cmpstr (got->content_type, ==, expected->content_type);
  g_assert_cmpstr (got->checksum, ==, expected->checksum);
  g_assert_cmpint (got->rate_limit, ==, expected->rate_limit);
  g_assert_cmpstr (got->error, ==, expected->error);
  g_assert_cmpuint (got->retries, ==, expected->retries);
  g_assert_cmpint (got->created, ==, expected->created);
  g_assert_cmpint (got->started, ==, expected->started);
  g_assert_cmpint (got->finished, ==, expected->finished);
  g_assert_true (haul_store_record_equal (got, expected));
}

static void
assert_aside_name (const char *path,
                   const char *aside)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *aside_dir = g_path_get_dirname (aside);
  g_autofree char *name = g_path_get_basename (aside);

  g_assert_cmpstr (aside_dir, ==, dir);
  if (!g_regex_match_simple ("^haul\\.db\\.corrupt-[0-9]{8}-[0-9]{6}(-[0-9]+)?$", name, 0, 0))
    g_error ("unexpected name for the damaged file: %s", name);
  g_assert_true (g_file_test (aside, G_FILE_TEST_IS_REGULAR));
}

/* ------------------------------------------------------------------------ */
/* Tests */

static void
test_default_path (void)
{
  g_autofree char *path = haul_store_default_path ();
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "haul", "haul.db", NULL);

  g_assert_cmpstr (path, ==, expected);
}

static void
test_record_boxed (void)
{
  g_autoptr(HaulStoreRecord) r = make_record (7);
  g_autoptr(HaulStoreRecord) copy = NULL;
  GValue value = G_VALUE_INIT;

  r->etag = g_strdup ("\"abc\"");
  copy = haul_store_record_copy (r);
  g_assert_true (copy->uri != r->uri);
  g_assert_true (haul_store_record_equal (copy, r));
  copy->received = 1;
  g_assert_false (haul_store_record_equal (copy, r));

  g_value_init (&value, HAUL_TYPE_STORE_RECORD);
  g_value_set_boxed (&value, r);
  g_assert_true (haul_store_record_equal (g_value_get_boxed (&value), r));
  g_value_unset (&value);
}

static void
test_round_trip (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(HaulStore) store = open_store (fx->path, NULL);
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func ((GDestroyNotify) haul_store_record_free);
  g_autoptr(GPtrArray) got = NULL;
  HaulStoreRecord *r;

  /* Every field set, with non-ASCII text. */
  r = make_record (1);
  g_free (r->uri);
  r->uri = g_strdup ("https://例え.jp/ファイル/über%20straße.iso?q=ü#frag");
  r->final_uri = g_strdup ("https://cdn.例え.jp/über straße.iso");
  g_free (r->directory);
  r->directory = g_strdup ("/home/zoë/Téléchargements/📦");
  r->filename = g_strdup ("über straße — 文件 🚀.iso");
  r->state = HAUL_DOWNLOAD_STATE_PAUSED;
  r->position = -5;
  r->total = G_GINT64_CONSTANT (5000000000);
  r->received = G_GINT64_CONSTANT (1234567890);
  r->etag = g_strdup ("W/\"ëtag-1\"");
  r->last_modified = g_strdup ("Wed, 21 Oct 2015 07:28:00 GMT");
  r->content_type = g_strdup ("application/x-iso9660-image");
  r->checksum = g_strdup ("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  r->rate_limit = 512 * 1024;
  r->error = g_strdup ("Le serveur a répondu « 503 »");
  r->retries = 3;
  r->created = 1700000000000001;
  r->started = 1700000000000002;
  r->finished = 1700000000000003;
  g_ptr_array_add (expected, r);

  /* Every optional field NULL, zero or unknown. */
  r = haul_store_record_new ();
  r->id = 2;
  r->uri = g_strdup ("http://a");
  r->directory = g_strdup ("/");
  r->position = 0;
  g_ptr_array_add (expected, r);

  /* Empty strings stay empty strings, and ids use all 64 bits. */
  r = make_record (G_MAXUINT64);
  r->filename = g_strdup ("");
  r->etag = g_strdup ("");
  r->error = g_strdup ("");
  r->state = HAUL_DOWNLOAD_STATE_CANCELLED;
  r->position = G_MAXINT64;
  r->total = HAUL_STORE_MAX_SIZE;
  r->received = HAUL_STORE_MAX_SIZE;
  r->retries = HAUL_STORE_MAX_RETRIES;
  r->finished = HAUL_STORE_MAX_TIME;
  g_ptr_array_add (expected, r);

  for (guint i = 0; i < expected->len; i++)
    haul_store_save (store, g_ptr_array_index (expected, i));
  close_store (&store);

  /* A new store on the same file: the values come from disk. */
  store = open_store (fx->path, NULL);
  got = load_all (store, NULL, NULL);
  g_assert_cmpuint (got->len, ==, expected->len);
  for (guint i = 0; i < got->len; i++)
    assert_records_equal (g_ptr_array_index (got, i), g_ptr_array_index (expected, i));

  /* Schema, WAL. */
  close_store (&store);
  g_assert_cmpint (raw_int (fx->path, "PRAGMA user_version"), ==, HAUL_STORE_SCHEMA_VERSION);
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_open (fx->path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }
}

/* The table that every column is generated from (HAUL_STORE_COLUMNS) and
 * the schema the migrations build agree: the same columns, each with the
 * type of its kind, and a number's default the one the table reads a NULL
 * as. Fails when a column was added without its migration. */
typedef struct
{
  const char *name;
  const char *sql_type;
  const char *dflt;   /* for INT columns */
} ExpectedColumn;

#define SQL_TYPE_TEXT  "TEXT"
#define SQL_TYPE_INT   "INTEGER"
#define SQL_TYPE_EXACT "INTEGER"
#define DFLT_TEXT(d)   NULL
#define DFLT_INT(d)    #d
#define DFLT_EXACT(d)  NULL

static void
test_schema_matches_columns (Fixture       *fx,
                             gconstpointer  data)
{
#define EXPECTED(name, kind, type, owner, dflt, min, max) \
  { #name, SQL_TYPE_##kind, DFLT_##kind (dflt) },
  static const ExpectedColumn expected[] = { HAUL_STORE_COLUMNS (EXPECTED) };
#undef EXPECTED
  g_autoptr(HaulStore) store = open_store (fx->path, NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n_found = 0;

  close_store (&store);
  g_assert_cmpint (sqlite3_open_v2 (fx->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name, type, dflt_value FROM pragma_table_info ('downloads')",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);
      const ExpectedColumn *column = NULL;

      for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
        if (g_str_equal (expected[i].name, name))
          column = &expected[i];
      if (column == NULL)
        g_error ("column %s of the schema is not in HAUL_STORE_COLUMNS", name);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, column->sql_type);
      if (column->dflt != NULL)
        g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 2), ==, column->dflt);
      n_found++;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpuint (n_found, ==, G_N_ELEMENTS (expected));
}

static void
test_update_delete (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(HaulStore) store = open_store (fx->path, NULL);
  g_autoptr(HaulStoreRecord) a = make_record (1);
  g_autoptr(HaulStoreRecord) b = make_record (2);
  g_autoptr(HaulStoreRecord) c = make_record (3);
  g_autoptr(GPtrArray) got = NULL;

  haul_store_save (store, a);
  haul_store_save (store, b);
  haul_store_save (store, c);
  flush (store);

  /* Update: every field may change, and NULLs overwrite values. */
  a->state = HAUL_DOWNLOAD_STATE_DOWNLOADING;
  a->received = 4096;
  a->total = 8192;
  a->etag = g_strdup ("\"v2\"");
  haul_store_save (store, a);
  b->filename = g_strdup ("b.bin");
  haul_store_save (store, b);
  flush (store);
  g_clear_pointer (&b->filename, g_free);
  haul_store_save (store, b);

  /* Delete one, and one that does not exist. */
  haul_store_delete (store, 3);
  haul_store_delete (store, 999);

  got = load_all (store, NULL, NULL);
  g_assert_cmpuint (got->len, ==, 2);
  assert_records_equal (g_ptr_array_index (got, 0), a);
  assert_records_equal (g_ptr_array_index (got, 1), b);
  g_clear_pointer (&got, g_ptr_array_unref);

  /* Save after delete brings it back; delete after save removes it, in
   * one batch. */
  haul_store_delete (store, 1);
  haul_store_save (store, a);
  haul_store_save (store, c);
  haul_store_delete (store, 3);
  close_store (&store);

  store = open_store (fx->path, NULL);
  got = load_all (store, NULL, NULL);
  g_assert_cmpuint (got->len, ==, 2);
  assert_records_equal (g_ptr_array_index (got, 0), a);
  assert_records_equal (g_ptr_array_index (got, 1), b);
  close_store (&store);
}

static void
test_delete_finished (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(HaulStore) store = open_store (fx->path, NULL);
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(HaulStoreRecord) late = make_record (100);
  guint n_kept = 0;

  /* Two of each state. */
  for (guint i = 0; i < 16; i++)
    {
      g_autoptr(HaulStoreRecord) r = make_record (i + 1);

      r->state = (int) (i % (HAUL_DOWNLOAD_STATE_CANCELLED + 1));
      haul_store_save (store, r);
    }
  flush (store);

  /* Order within a batch matters: a completed record saved after the
   * "clear finished" stays. */
  haul_store_delete_finished (store);
  late->state = HAUL_DOWNLOAD_STATE_COMPLETED;
  haul_store_save (store, late);

  got = load_all (store, NULL, NULL);
  for (guint i = 0; i < got->len; i++)
    {
      HaulStoreRecord *r = g_ptr_array_index (got, i);

      if (r->id == 100)
        continue;
      g_assert_cmpint (r->state, !=, HAUL_DOWNLOAD_STATE_COMPLETED);
      n_kept++;
    }
  g_assert_cmpuint (n_kept, ==, 14);
  g_assert_cmpuint (got->len, ==, 15);
  assert_records_equal (g_ptr_array_index (got, got->len - 1), late);
  close_store (&store);
}

static void
test_order (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(HaulStore) store = open_store (fx->path, NULL);
  g_autoptr(GPtrArray) got = NULL;
  guint n = 300;

  /* Saved in one order, with positions in another; ties by id. */
  for (guint i = 0; i < n; i++)
    {
      guint id = 1 + (i * 97) % n;
      g_autoptr(HaulStoreRecord) r = make_record (id);

      r->position = (gint64) ((id * 31) % 100) - 50;
      haul_store_save (store, r);
    }
  close_store (&store);

  store = open_store (fx->path, NULL);
  got = load_all (store, NULL, NULL);
  g_assert_cmpuint (got->len, ==, n);
  for (guint i = 1; i < got->len; i++)
    {
      HaulStoreRecord *prev = g_ptr_array_index (got, i - 1);
      HaulStoreRecord *r = g_ptr_array_index (got, i);

      g_assert_true (prev->position < r->position ||
                     (prev->position == r->position && prev->id < r->id));
    }

  /* A move is a save with a new position. */
  {
    g_autoptr(HaulStoreRecord) first = haul_store_record_copy (g_ptr_array_index (got, 0));
    g_autoptr(GPtrArray) again = NULL;

    first->position = 1000;
    haul_store_save (store, first);
    again = load_all (store, NULL, NULL);
    assert_records_equal (g_ptr_array_index (again, again->len - 1), first);
  }
  close_store (&store);
}

static void
test_migrate_v1 (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(HaulStore) store = NULL;
  g_autoptr(GPtrArray) got = NULL;
  HaulStoreRecord *r;

  make_parent (fx->path);
  raw_exec (fx->path,
            SCHEMA_V1
            "INSERT INTO downloads (id, uri, final_uri, directory, filename, state, position,"
            "  total, received, etag, last_modified, content_type, error, retries, created,"
            "  started, finished) VALUES"
            " (5, 'https://example.com/ä.bin', 'https://cdn.example.com/ä.bin', '/tmp/ü', 'ä.bin',"
            "  5, 2, 1000, 500, '\"e\"', 'Mon, 01 Jan 2024 00:00:00 GMT', 'application/zip',"
            "  NULL, 2, 11, 12, 0),"
            " (9, 'http://b', NULL, '/tmp', NULL, 4, 1, 10, 10, NULL, NULL, NULL, 'gone', 0,"
            "  21, 22, 23);");
  g_assert_cmpint (raw_int (fx->path, "PRAGMA user_version"), ==, 1);

  store = open_store (fx->path, NULL);
  got = load_all (store, NULL, NULL);
  g_assert_cmpuint (got->len, ==, 2);

  r = g_ptr_array_index (got, 0);
  g_assert_cmpuint (r->id, ==, 9);
  g_assert_cmpstr (r->uri, ==, "http://b");
  g_assert_cmpint (r->state, ==, HAUL_DOWNLOAD_STATE_COMPLETED);
  g_assert_cmpstr (r->error, ==, "gone");
  g_assert_cmpint (r->finished, ==, 23);

  r = g_ptr_array_index (got, 1);
  g_assert_cmpuint (r->id, ==, 5);
  g_assert_cmpstr (r->uri, ==, "https://example.com/ä.bin");
  g_assert_cmpstr (r->final_uri, ==, "https://cdn.example.com/ä.bin");
  g_assert_cmpstr (r->directory, ==, "/tmp/ü");
  g_assert_cmpstr (r->filename, ==, "ä.bin");
  g_assert_cmpint (r->state, ==, HAUL_DOWNLOAD_STATE_PAUSED);
  g_assert_cmpint (r->total, ==, 1000);
  g_assert_cmpint (r->received, ==, 500);
  g_assert_cmpstr (r->etag, ==, "\"e\"");
  g_assert_cmpstr (r->last_modified, ==, "Mon, 01 Jan 2024 00:00:00 GMT");
  g_assert_cmpstr (r->content_type, ==, "application/zip");
  g_assert_null (r->error);
  g_assert_cmpuint (r->retries, ==, 2);
  g_assert_cmpint (r->created, ==, 11);
  g_assert_cmpint (r->started, ==, 12);
  /* The columns that v2 added. */
  g_assert_null (r->checksum);
  g_assert_cmpint (r->rate_limit, ==, 0);

  /* And they work. */
  r->checksum = g_strdup ("md5:d41d8cd98f00b204e9800998ecf8427e");
  r->rate_limit = 1000;
  haul_store_save (store, r);
  close_store (&store);

  g_assert_cmpint (raw_int (fx->path, "PRAGMA user_version"), ==, HAUL_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM sqlite_schema "
                                      "WHERE type = 'index' AND name = 'downloads_by_position'"), ==, 1);
  g_assert_cmpint (raw_int (fx->path, "SELECT rate_limit FROM downloads WHERE id = 5"), ==, 1000);
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM downloads"), ==, 2);

  /* Opening a current database again changes nothing. */
  store = open_store (fx->path, NULL);
  g_clear_pointer (&got, g_ptr_array_unref);
  got = load_all (store, NULL, NULL);
  g_assert_cmpuint (got->len, ==, 2);
  g_assert_cmpstr (((HaulStoreRecord *) g_ptr_array_index (got, 1))->checksum, ==,
                   "md5:d41d8cd98f00b204e9800998ecf8427e");
  close_store (&store);
}

/* "Start at…" (µs since the epoch) round-trips, and a version-5
 * database (made from a current one by dropping the column, as version 5
 * had it) gains the column with 0 for its rows. */
static void
test_start_after (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(HaulStore) store = open_store (fx->path, NULL);
  g_autoptr(HaulStoreRecord) r = make_record (3);
  g_autoptr(GPtrArray) got = NULL;

  r->start_after = G_GINT64_CONSTANT (1796664280123456);
  haul_store_save (store, r);
  got = load_all (store, NULL, NULL);
  g_assert_cmpuint (got->len, ==, 1);
  g_assert_cmpint (((HaulStoreRecord *) g_ptr_array_index (got, 0))->start_after, ==,
                   G_GINT64_CONSTANT (1796664280123456));
  g_assert_true (haul_store_record_equal (g_ptr_array_index (got, 0), r));
  close_store (&store);
  g_assert_cmpint (raw_int (fx->path, "SELECT start_after FROM downloads WHERE id = 3"), ==,
                   G_GINT64_CONSTANT (1796664280123456));

  /* Back to version 5. */
  raw_exec (fx->path, "ALTER TABLE downloads DROP COLUMN start_after; PRAGMA user_version = 5;");
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM pragma_table_info('downloads') "
                                      "WHERE name = 'start_after'"), ==, 0);

  store = open_store (fx->path, NULL);
  g_clear_pointer (&got, g_ptr_array_unref);
  got = load_all (store, NULL, NULL);
  g_assert_cmpuint (got->len, ==, 1);
  g_assert_cmpint (((HaulStoreRecord *) g_ptr_array_index (got, 0))->start_after, ==, 0);
  g_assert_cmpstr (((HaulStoreRecord *) g_ptr_array_index (got, 0))->uri, ==, r->uri);
  r->start_after = 42;
  haul_store_save (store, r);
  close_store (&store);
  g_assert_cmpint (raw_int (fx->path, "PRAGMA user_version"), ==, HAUL_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (fx->path, "SELECT start_after FROM downloads WHERE id = 3"), ==, 42);
}

static void
test_newer_version (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(HaulStore) store = NULL;
  g_autoptr(GError) error = NULL;

  make_parent (fx->path);
  raw_exec (fx->path, SCHEMA_V1 "PRAGMA user_version = 99;"
                      "INSERT INTO downloads (id, uri, directory) VALUES (1, 'http://x', '/');");

  store = haul_store_new (fx->path);
  error = open_store_error (store);
  g_assert_error (error, HAUL_STORE_ERROR, HAUL_STORE_ERROR_NEWER_VERSION);
  g_test_message ("error: %s", error->message);

  /* A store that did not open drops what it is given, without trouble. */
  {
    g_autoptr(HaulStoreRecord) r = make_record (2);

    haul_store_save (store, r);
    haul_store_delete (store, 1);
    haul_store_delete_finished (store);
    flush (store);
  }
  {
    g_autoptr(GError) load_error = NULL;
    HaulTestAsync w = { 0 };
    Loaded loaded = { 0 };

    loaded.records = g_ptr_array_new_with_free_func ((GDestroyNotify) haul_store_record_free);
    haul_store_load_async (store, collect_chunk, &loaded, NULL, wait_cb, &w);
    g_assert_false (haul_store_load_finish (store, haul_test_async_wait (&w), NULL, NULL, &load_error));
    g_assert_error (load_error, HAUL_STORE_ERROR, HAUL_STORE_ERROR_NOT_OPEN);
    g_assert_cmpuint (loaded.records->len, ==, 0);
    g_ptr_array_unref (loaded.records);
    g_clear_object (&w.result);
  }
  close_store (&store);

  /* Left exactly as it was. */
  g_assert_cmpint (raw_int (fx->path, "PRAGMA user_version"), ==, 99);
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM downloads"), ==, 1);
}

/* Saves 20 000 changes from the main thread while the writer is busy
 * reading, then checks that exactly the last change of each id is on disk
 * and that the load saw exactly what was posted before it. */
static void
test_concurrent (Fixture       *fx,
                 gconstpointer  data)
{
  const guint n_initial = 5000;
  const guint n_saves = 20000;
  g_autoptr(HaulStore) store = open_store (fx->path, NULL);
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                                          (GDestroyNotify) haul_store_record_free);
  g_autoptr(GPtrArray) got = NULL;
  Loaded loaded = { 0 };
  HaulTestAsync w = { 0 };
  g_autoptr(GError) error = NULL;
  guint n_chunks_during_posting = 0;

  for (guint i = 1; i <= n_initial; i++)
    {
      HaulStoreRecord *r = make_record (i);

      haul_store_save (store, r);
      g_hash_table_replace (expected, &r->id, r);
    }
  flush (store);

  loaded.records = g_ptr_array_new_with_free_func ((GDestroyNotify) haul_store_record_free);
  haul_store_load_async (store, collect_chunk, &loaded, NULL, wait_cb, &w);

  for (guint i = 0; i < n_saves; i++)
    {
      guint64 id = 1 + g_test_rand_int_range (0, 1000);
      HaulStoreRecord *r = make_record (id);

      r->state = (int) (i % (HAUL_DOWNLOAD_STATE_CANCELLED + 1));
      r->received = i;
      r->error = g_strdup_printf ("save %u", i);
      haul_store_save (store, r);
      g_hash_table_replace (expected, &r->id, r);

      if (i % 1000 == 999)
        {
          /* Delete some, and delete and bring back one. */
          guint64 gone = 4000 + i / 1000;
          g_autoptr(HaulStoreRecord) back = make_record (4500 + i / 1000);

          HaulStoreRecord *copy;

          haul_store_delete (store, gone);
          g_hash_table_remove (expected, &gone);
          haul_store_delete (store, back->id);
          back->filename = g_strdup ("back");
          haul_store_save (store, back);
          copy = haul_store_record_copy (back);
          g_hash_table_replace (expected, &copy->id, copy);
        }

      /* Let chunks arrive while posting goes on. */
      if (i % 100 == 0)
        {
          guint before = loaded.n_chunks;

          g_main_context_iteration (NULL, FALSE);
          n_chunks_during_posting += loaded.n_chunks - before;
        }
    }
  g_test_message ("%u chunks arrived while saves were posted", n_chunks_during_posting);

  /* The load saw the state when it was posted: the initial records. */
  g_assert_true (haul_store_load_finish (store, haul_test_async_wait (&w), NULL, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&w.result);
  g_assert_cmpuint (loaded.records->len, ==, n_initial);
  for (guint i = 0; i < loaded.records->len; i++)
    {
      HaulStoreRecord *r = g_ptr_array_index (loaded.records, i);
      g_autoptr(HaulStoreRecord) initial = make_record (i + 1);

      assert_records_equal (r, initial);
    }
  g_ptr_array_unref (loaded.records);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  flush (store);
  got = load_all (store, NULL, NULL);
  g_assert_cmpuint (got->len, ==, g_hash_table_size (expected));
  for (guint i = 0; i < got->len; i++)
    {
      HaulStoreRecord *r = g_ptr_array_index (got, i);
      HaulStoreRecord *e = g_hash_table_lookup (expected, &r->id);

      g_assert_nonnull (e);
      assert_records_equal (r, e);
    }
  close_store (&store);
}

static void
test_chunks (Fixture       *fx,
             gconstpointer  data)
{
  const guint n = 10000;
  g_autoptr(HaulStore) store = open_store (fx->path, NULL);
  g_autoptr(GPtrArray) got = NULL;
  guint n_chunks = 0;
  guint before;

  for (guint i = 1; i <= n; i++)
    {
      g_autoptr(HaulStoreRecord) r = make_record (i);

      /* Queue order is the reverse of the ids. */
      r->position = n - i;
      haul_store_save (store, r);
    }
  close_store (&store);

  store = open_store (fx->path, NULL);
  before = n_callbacks;
  got = load_all (store, &n_chunks, NULL);
  g_assert_cmpuint (got->len, ==, n);
  g_assert_cmpuint (n_chunks, ==, (n + HAUL_STORE_LOAD_CHUNK - 1) / HAUL_STORE_LOAD_CHUNK);
  g_assert_cmpuint (n_callbacks - before, ==, n_chunks + 1);
  for (guint i = 0; i < n; i++)
    {
      HaulStoreRecord *r = g_ptr_array_index (got, i);

      g_assert_cmpuint (r->id, ==, n - i);
      g_assert_cmpint (r->position, ==, i);
    }
  close_store (&store);
}

static void
cancel_after_first_chunk (HaulStore *store,
                          GPtrArray *records,
                          gpointer   user_data)
{
  GCancellable *cancellable = user_data;

  note_callback ();
  g_assert_false (g_cancellable_is_cancelled (cancellable));
  g_cancellable_cancel (cancellable);
}

static void
test_load_cancel (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(HaulStore) store = open_store (fx->path, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  HaulTestAsync w = { 0 };

  for (guint i = 1; i <= 3 * HAUL_STORE_LOAD_CHUNK; i++)
    {
      g_autoptr(HaulStoreRecord) r = make_record (i);

      haul_store_save (store, r);
    }
  haul_store_load_async (store, cancel_after_first_chunk, cancellable, cancellable, wait_cb, &w);
  g_assert_false (haul_store_load_finish (store, haul_test_async_wait (&w), NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&w.result);

  /* The store goes on working. */
  {
    g_autoptr(GPtrArray) got = load_all (store, NULL, NULL);

    g_assert_cmpuint (got->len, ==, 3 * HAUL_STORE_LOAD_CHUNK);
  }
  close_store (&store);
}

static void
write_random_file (const char *path,
                   gsize       size)
{
  g_autofree guint8 *bytes = g_malloc (size);
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < size; i++)
    bytes[i] = (guint8) g_test_rand_int_range (0, 256);
  g_file_set_contents (path, (const char *) bytes, size, &error);
  g_assert_no_error (error);
}

/* A store opened on the damaged file at fx->path moves it aside, and the
 * new one works. Returns where it went. */
static char *
check_moved_aside (Fixture *fx)
{
  g_autoptr(HaulStore) store = NULL;
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(HaulStoreRecord) r = make_record (42);
  char *aside = NULL;

  g_test_expect_message (STORE_DOMAIN, G_LOG_LEVEL_MESSAGE, "*damaged*moving it aside*");
  store = open_store (fx->path, &aside);
  g_test_assert_expected_messages ();
  g_assert_nonnull (aside);
  g_test_message ("moved aside to %s", aside);
  assert_aside_name (fx->path, aside);

  got = load_all (store, NULL, NULL);
  g_assert_cmpuint (got->len, ==, 0);
  g_clear_pointer (&got, g_ptr_array_unref);

  haul_store_save (store, r);
  close_store (&store);
  store = open_store (fx->path, NULL);
  got = load_all (store, NULL, NULL);
  g_assert_cmpuint (got->len, ==, 1);
  assert_records_equal (g_ptr_array_index (got, 0), r);
  close_store (&store);
  return aside;
}

static void
make_full_store (Fixture *fx,
                 guint    n)
{
  g_autoptr(HaulStore) store = open_store (fx->path, NULL);

  for (guint i = 1; i <= n; i++)
    {
      g_autoptr(HaulStoreRecord) r = make_record (i);

      r->error = g_strnfill (200, 'e');
      haul_store_save (store, r);
    }
  close_store (&store);
}

static void
test_corrupt_garbage (Fixture       *fx,
                      gconstpointer  data)
{
  g_autofree char *aside = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_len, after_len;
  struct stat st;

  /* A real database, overwritten with garbage from the first byte. */
  make_full_store (fx, 100);
  g_assert_cmpint (stat (fx->path, &st), ==, 0);
  write_random_file (fx->path, st.st_size);
  g_assert_true (g_file_get_contents (fx->path, &before, &before_len, NULL));

  aside = check_moved_aside (fx);

  /* The damaged file is kept, byte for byte, for whoever wants it. */
  g_assert_true (g_file_get_contents (aside, &after, &after_len, NULL));
  g_assert_cmpmem (before, before_len, after, after_len);
}

static void
test_corrupt_random_file (Fixture       *fx,
                          gconstpointer  data)
{
  g_autofree char *aside = NULL;
  g_autofree char *aside2 = NULL;

  make_parent (fx->path);
  write_random_file (fx->path, 10000);
  aside = check_moved_aside (fx);

  /* And a text file. The first one is not overwritten, even within the
   * same second. */
  g_assert_true (g_file_set_contents (fx->path, "https://example.com/a\nhttps://example.com/b\n",
                                      -1, NULL));
  aside2 = check_moved_aside (fx);
  g_assert_cmpstr (aside, !=, aside2);
  g_assert_true (g_file_test (aside, G_FILE_TEST_IS_REGULAR));
}

static void
test_corrupt_pages (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *aside = NULL;
  struct stat st;
  int fd;
  guint8 garbage[4 * 4096];

  /* The header (page 1) intact, damage in the middle: only the
   * integrity check finds it. */
  make_full_store (fx, 2000);
  g_assert_cmpint (stat (fx->path, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 20 * 4096);
  for (gsize i = 0; i < sizeof garbage; i++)
    garbage[i] = (guint8) g_test_rand_int_range (0, 256);
  fd = open (fx->path, O_WRONLY);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, garbage, sizeof garbage, (st.st_size / 2) & ~(off_t) 4095),
                   ==, sizeof garbage);
  close (fd);

  aside = check_moved_aside (fx);
}

static void
test_foreign_database (Fixture       *fx,
                       gconstpointer  data)
{
  g_autofree char *aside = NULL;

  /* An SQLite file, but not ours: same table name, other columns. */
  make_parent (fx->path);
  raw_exec (fx->path, "CREATE TABLE downloads (name TEXT); INSERT INTO downloads VALUES ('x');");
  aside = check_moved_aside (fx);
  g_assert_cmpint (raw_int (aside, "SELECT count(*) FROM downloads"), ==, 1);
}

static void
test_hostile_rows (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(HaulStore) store = open_store (fx->path, NULL);
  g_autoptr(GPtrArray) got = NULL;
  guint n_skipped = 0;
  HaulStoreRecord *r;

  close_store (&store);
  raw_exec (fx->path,
            "INSERT INTO downloads (id, uri, directory, position) VALUES (1, 'http://ok', '/', 1);"
            /* invalid UTF-8 */
            "INSERT INTO downloads (id, uri, directory, position) VALUES (2, CAST(x'fffe41' AS TEXT), '/', 2);"
            /* a NUL byte inside */
            "INSERT INTO downloads (id, uri, directory, position) VALUES (3, CAST(x'61006200' AS TEXT), '/', 3);"
            /* empty */
            "INSERT INTO downloads (id, uri, directory, position) VALUES (4, '', '/', 4);"
            /* an unknown state */
            "INSERT INTO downloads (id, uri, directory, position, state) VALUES (5, 'http://s', '/', 5, 99);"
            /* text where a number belongs */
            "INSERT INTO downloads (id, uri, directory, position, total) VALUES (6, 'http://t', '/', 6, 'abc');"
            /* a BLOB that is valid text is fine */
            "INSERT INTO downloads (id, uri, directory, position) VALUES (7, x'687474703a2f2f62', '/', 7);"
            /* numbers out of range are clamped */
            "INSERT INTO downloads (id, uri, directory, position, total, received, retries, rate_limit,"
            "  created, started, finished)"
            "  VALUES (8, 'http://c', '/', 8, -12345, 1e300, -4, 9000000000000000000, -1, 1e30, 1e400);"
            "INSERT INTO downloads (id, uri, directory, position, total, received)"
            "  VALUES (9, 'http://r', '/', 9, 100, 500);"
            /* invalid UTF-8 in a BLOB */
            "INSERT INTO downloads (id, uri, directory, position, filename) VALUES (10, 'http://f', '/', 10, x'c328');"
            /* far too long */
            "INSERT INTO downloads (id, uri, directory, position, error)"
            "  VALUES (11, 'http://l', '/', 11, replace(hex(zeroblob(200000)), '0', 'x'));"
            /* a number in a text column becomes text */
            "INSERT INTO downloads (id, uri, directory, position, final_uri) VALUES (12, 'http://n', '/', 12, 42);"
            /* a huge negative real */
            "INSERT INTO downloads (id, uri, directory, position, started) VALUES (13, 'http://neg', '/', 13, -1e300);");

  store = open_store (fx->path, NULL);
  for (guint i = 0; i < 7; i++)
    g_test_expect_message (STORE_DOMAIN, G_LOG_LEVEL_MESSAGE, "Skipping entry *");
  got = load_all (store, NULL, &n_skipped);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (n_skipped, ==, 7);
  g_assert_cmpuint (got->len, ==, 6);

  r = g_ptr_array_index (got, 0);
  g_assert_cmpuint (r->id, ==, 1);
  r = g_ptr_array_index (got, 1);
  g_assert_cmpuint (r->id, ==, 7);
  g_assert_cmpstr (r->uri, ==, "http://b");
  r = g_ptr_array_index (got, 2);
  g_assert_cmpuint (r->id, ==, 8);
  g_assert_cmpint (r->total, ==, -1);
  g_assert_cmpint (r->received, ==, HAUL_STORE_MAX_SIZE);
  g_assert_cmpuint (r->retries, ==, 0);
  g_assert_cmpint (r->rate_limit, ==, HAUL_STORE_MAX_SIZE);
  g_assert_cmpint (r->created, ==, 0);
  g_assert_cmpint (r->started, ==, HAUL_STORE_MAX_TIME);
  g_assert_cmpint (r->finished, ==, HAUL_STORE_MAX_TIME);
  r = g_ptr_array_index (got, 3);
  g_assert_cmpuint (r->id, ==, 9);
  g_assert_cmpint (r->received, ==, 100);
  r = g_ptr_array_index (got, 4);
  g_assert_cmpuint (r->id, ==, 12);
  g_assert_cmpstr (r->final_uri, ==, "42");
  r = g_ptr_array_index (got, 5);
  g_assert_cmpuint (r->id, ==, 13);
  g_assert_cmpint (r->started, ==, 0);

  /* Nothing was deleted: the bad rows stay for a later, wiser version. */
  close_store (&store);
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM downloads"), ==, 13);
}

/* Folders the store cannot use. */

static void
test_not_a_folder (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *file = g_build_filename (fx->dir, "a-file", NULL);
  g_autofree char *path = g_build_filename (file, "haul", "haul.db", NULL);
  g_autoptr(HaulStore) store = haul_store_new (path);
  g_autoptr(GError) error = NULL;

  /* Fails for root too. */
  g_assert_true (g_file_set_contents (file, "x", -1, NULL));
  error = open_store_error (store);
  g_test_message ("error: %s", error->message);
  g_assert_error (error, HAUL_STORE_ERROR, HAUL_STORE_ERROR_UNWRITABLE);
  g_assert_nonnull (strstr (error->message, "Cannot create the folder"));
  g_assert_nonnull (strstr (error->message, file));

  /* Runs without persistence. */
  {
    g_autoptr(HaulStoreRecord) r = make_record (1);

    haul_store_save (store, r);
  }
  close_store (&store);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static gboolean
make_read_only (const char  *dir,
                const char **method)
{
  g_assert_cmpint (chmod (dir, 0555), ==, 0);
  if (access (dir, W_OK) != 0)
    *method = "chmod 0555";
  else if (haul_test_enter_private_mount_namespace () &&
           mount (dir, dir, NULL, MS_BIND, NULL) == 0 &&
           mount (NULL, dir, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) == 0)
    *method = "read-only bind mount in a private mount namespace";
  else
    *method = NULL;
  return *method != NULL;
}

static void
read_only_child (gboolean with_database)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_dir_make_tmp ("haul-store-ro-XXXXXX", &error);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(HaulStore) store = NULL;
  g_autofree char *names = NULL;
  const char *method = NULL;

  g_assert_no_error (error);
  dir = g_build_filename (base, "haul", NULL);
  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  path = g_build_filename (dir, "haul.db", NULL);

  /* Made by hand: no thread may run before the mount namespace. */
  if (with_database)
    raw_exec (path, SCHEMA_V1 "INSERT INTO downloads (id, uri, directory) VALUES (1, 'http://x', '/');");

  /* The parent checked that one of the two works here. */
  g_assert_true (make_read_only (dir, &method));
  g_printerr ("read-only folder made with: %s\n", method);

  main_thread = g_thread_self ();
  store = haul_store_new (path);
  error = open_store_error (store);
  g_print ("error: %s\n", error->message);
  g_assert_error (error, HAUL_STORE_ERROR, HAUL_STORE_ERROR_UNWRITABLE);
  g_assert_nonnull (strstr (error->message, path));
  if (strstr (method, "mount") != NULL)
    g_assert_nonnull (strstr (error->message, g_strerror (EROFS)));
  else
    g_assert_nonnull (strstr (error->message, g_strerror (EACCES)));

  /* Runs without persistence, and without trouble. */
  {
    g_autoptr(HaulStoreRecord) r = make_record (2);

    haul_store_save (store, r);
    haul_store_delete (store, 1);
  }
  close_store (&store);
  g_assert_cmpuint (n_wrong_thread, ==, 0);

  /* Nothing was moved aside or created, and an old database is intact. */
  {
    GDir *d = g_dir_open (dir, 0, NULL);
    GString *s = g_string_new (NULL);
    const char *name;

    while ((name = g_dir_read_name (d)) != NULL)
      g_string_append_printf (s, "%s ", name);
    g_dir_close (d);
    names = g_string_free (s, FALSE);
  }
  g_assert_cmpstr (names, ==, with_database ? "haul.db " : "");
  if (with_database)
    g_assert_cmpint (raw_int (path, "SELECT count(*) FROM downloads"), ==, 1);

  umount2 (dir, MNT_DETACH);
  chmod (dir, 0755);
  haul_test_rm_rf (base);
}

/* Whether a (forked, hence single-threaded) child can make a read-only
 * bind mount in a private mount namespace. */
static gboolean
can_make_read_only (void)
{
  g_autofree char *dir = g_dir_make_tmp ("haul-probe-XXXXXX", NULL);
  int status = 0;
  pid_t pid;

  g_assert_nonnull (dir);
  chmod (dir, 0555);
  if (access (dir, W_OK) != 0)
    {
      g_rmdir (dir);
      return TRUE;
    }

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      gboolean ok = haul_test_enter_private_mount_namespace () &&
                    mount (dir, dir, NULL, MS_BIND, NULL) == 0 &&
                    mount (NULL, dir, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) == 0;

      _exit (ok ? 0 : 1);
    }
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  g_rmdir (dir);
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

static void
test_read_only (gconstpointer data)
{
  gboolean with_database = GPOINTER_TO_INT (data);

  if (g_test_subprocess ())
    {
      read_only_child (with_database);
      return;
    }

  if (!can_make_read_only ())
    {
      /* Root ignores 0555, and without mount namespaces no read-only
       * mount can be made; /haul/core/store/not-a-folder still runs. */
      g_test_skip ("running as root without mount namespaces: no way to make a folder read-only");
      return;
    }

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*error: Cannot save the list of downloads in*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  main_thread = g_thread_self ();

#define ADD(path, func) \
  g_test_add ("/haul/core/store/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/haul/core/store/default-path", test_default_path);
  g_test_add_func ("/haul/core/store/record-boxed", test_record_boxed);
  ADD ("round-trip", test_round_trip);
  ADD ("schema-matches-columns", test_schema_matches_columns);
  ADD ("update-delete", test_update_delete);
  ADD ("delete-finished", test_delete_finished);
  ADD ("order", test_order);
  ADD ("migrate-v1", test_migrate_v1);
  ADD ("start-after", test_start_after);
  ADD ("newer-version", test_newer_version);
  ADD ("concurrent", test_concurrent);
  ADD ("chunks", test_chunks);
  ADD ("load-cancel", test_load_cancel);
  ADD ("corrupt/garbage", test_corrupt_garbage);
  ADD ("corrupt/random-file", test_corrupt_random_file);
  ADD ("corrupt/pages", test_corrupt_pages);
  ADD ("corrupt/foreign", test_foreign_database);
  ADD ("hostile-rows", test_hostile_rows);
  ADD ("not-a-folder", test_not_a_folder);
  g_test_add_data_func ("/haul/core/store/read-only/empty", GINT_TO_POINTER (FALSE), test_read_only);
  g_test_add_data_func ("/haul/core/store/read-only/existing", GINT_TO_POINTER (TRUE), test_read_only);

#undef ADD

  return g_test_run ();
}
