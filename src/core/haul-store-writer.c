/* haul-store-writer.c — the store's writer thread: all of SQLite
 *
 * Threads: everything in this file runs on the writer thread that
 * _haul_store_writer_start() starts, and only this thread ever touches the
 * sqlite3 connection: opening, the integrity check, moving a damaged file
 * aside, migrations, writes, reads and closing. This is the only file that
 * includes sqlite3.h. The main thread (haul-store.c) posts
 * HaulStoreCommands to a GAsyncQueue; the writer pops one, drains whatever
 * else is queued (up to BATCH_MAX) and applies all mutations in one
 * transaction. A command that is not a mutation (open, load, flush, quit)
 * ends the batch, so it runs after everything posted before it is
 * committed.
 *
 * Results go back to the store's main context through idle sources whose
 * callbacks live in haul-store.c (haul-store-private.h). The writer never
 * holds a reference to the store or to a GTask that it could drop last.
 *
 * Loading streams: the writer reads HAUL_STORE_LOAD_CHUNK rows at a time
 * and queues each chunk; one idle at G_PRIORITY_DEFAULT_IDLE delivers one
 * chunk per dispatch, so input and redraw run between chunks.
 *
 * Everything read back is validated: text must be UTF-8 without NUL bytes
 * and of bounded length, numbers are clamped to sane ranges, and a row that
 * cannot be used is skipped with a g_message().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-store"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "haul-store-private.h"

/* Commands applied in one transaction at most. */
#define BATCH_MAX 1024

/* Damaged rows reported one by one per load; the rest are only counted. */
#define MAX_BAD_LOGGED 20

#define BUSY_TIMEOUT_MS 5000

/* Schema. Each entry upgrades user_version N to N + 1; never edit one that
 * shipped, append a new one and bump HAUL_STORE_SCHEMA_VERSION. The columns
 * they create are the ones HAUL_STORE_COLUMNS (haul-store.h) lists; its
 * comment says what adding one takes. */
static const char * const migrations[] = {
  /* 0 → 1: the first schema. */
  "CREATE TABLE downloads ("
  "  id            INTEGER PRIMARY KEY,"
  "  uri           TEXT NOT NULL,"
  "  final_uri     TEXT,"
  "  directory     TEXT NOT NULL,"
  "  filename      TEXT,"
  "  state         INTEGER NOT NULL DEFAULT 0,"
  "  position      INTEGER NOT NULL DEFAULT 0,"
  "  total         INTEGER NOT NULL DEFAULT -1,"
  "  received      INTEGER NOT NULL DEFAULT 0,"
  "  etag          TEXT,"
  "  last_modified TEXT,"
  "  content_type  TEXT,"
  "  error         TEXT,"
  "  retries       INTEGER NOT NULL DEFAULT 0,"
  "  created       INTEGER NOT NULL DEFAULT 0,"
  "  started       INTEGER NOT NULL DEFAULT 0,"
  "  finished      INTEGER NOT NULL DEFAULT 0"
  ");",

  /* 1 → 2: expected checksums and per-download rate limits, and an index
   * so that loading in queue order does not sort the whole table. */
  "ALTER TABLE downloads ADD COLUMN checksum TEXT;"
  "ALTER TABLE downloads ADD COLUMN rate_limit INTEGER NOT NULL DEFAULT 0;"
  "CREATE INDEX downloads_by_position ON downloads (position, id);",

  /* 2 → 3: the written ranges of a segmented download (haul-segments.h's
   * text form), checkpointed after the bytes they name are on disk. */
  "ALTER TABLE downloads ADD COLUMN segments TEXT;",

  /* 3 → 4: the user name a download signs in with (its password is in
   * the keyring, never here). */
  "ALTER TABLE downloads ADD COLUMN auth_user TEXT;",
  /* 4 → 5: the request context (haul-request-context.h's text form:
   * cookies, referrer, user agent, extra headers), deleted with its row. */
  "ALTER TABLE downloads ADD COLUMN request_context TEXT;",
  /* 5 → 6: "Start at…": not started before this time (µs since the
   * Unix epoch, 0: whenever a slot is free). */
  "ALTER TABLE downloads ADD COLUMN start_after INTEGER NOT NULL DEFAULT 0;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == HAUL_STORE_SCHEMA_VERSION);

/* The columns' names, in the order of HAUL_STORE_COLUMNS: the order the
 * generated statements list them, bind them (?1…) and read them back. */
#define COLUMN_NAME(name, kind, type, owner, dflt, min, max) #name,
static const char * const column_names[] = { HAUL_STORE_COLUMNS (COLUMN_NAME) };
#undef COLUMN_NAME

#define N_COLUMNS ((int) G_N_ELEMENTS (column_names))

static const char delete_sql[] = "DELETE FROM downloads WHERE id = ?1";
static const char delete_finished_sql[] = "DELETE FROM downloads WHERE state = ?1";
static const char position_sql[] = "UPDATE downloads SET position = ?2 WHERE id = ?1";

/* INSERT INTO downloads (id, uri, …) VALUES (?1, ?2, …)
 *   ON CONFLICT (id) DO UPDATE SET uri = excluded.uri, … */
static char *
build_save_sql (void)
{
  GString *sql = g_string_new ("INSERT INTO downloads (");

  for (int i = 0; i < N_COLUMNS; i++)
    g_string_append_printf (sql, "%s%s", i > 0 ? ", " : "", column_names[i]);
  g_string_append (sql, ") VALUES (");
  for (int i = 0; i < N_COLUMNS; i++)
    g_string_append_printf (sql, "%s?%d", i > 0 ? ", " : "", i + 1);
  g_string_append (sql, ") ON CONFLICT (id) DO UPDATE SET ");
  for (int i = 1; i < N_COLUMNS; i++)
    g_string_append_printf (sql, "%s%s = excluded.%s",
                            i > 1 ? ", " : "", column_names[i], column_names[i]);
  return g_string_free (sql, FALSE);
}

/* SELECT id, uri, … FROM downloads ORDER BY position, id */
static char *
build_load_sql (void)
{
  GString *sql = g_string_new ("SELECT ");

  for (int i = 0; i < N_COLUMNS; i++)
    g_string_append_printf (sql, "%s%s", i > 0 ? ", " : "", column_names[i]);
  g_string_append (sql, " FROM downloads ORDER BY position, id");
  return g_string_free (sql, FALSE);
}

/* ------------------------------------------------------------------------ */
/* The writer's state */

typedef struct
{
  char         *path;
  GAsyncQueue  *commands;
  GMainContext *context;

  sqlite3      *db;
  sqlite3_stmt *save_stmt;
  sqlite3_stmt *delete_stmt;
  sqlite3_stmt *delete_finished_stmt;
  sqlite3_stmt *position_stmt;

  guint         n_bad_logged;
  gboolean      write_error_logged;
} Writer;

static gboolean
command_is_mutation (const HaulStoreCommand *cmd)
{
  switch (cmd->kind)
    {
    case HAUL_STORE_COMMAND_SAVE:
    case HAUL_STORE_COMMAND_DELETE:
    case HAUL_STORE_COMMAND_DELETE_FINISHED:
    case HAUL_STORE_COMMAND_DELETE_MANY:
    case HAUL_STORE_COMMAND_SET_POSITIONS:
      return TRUE;
    case HAUL_STORE_COMMAND_OPEN:
    case HAUL_STORE_COMMAND_LOAD:
    case HAUL_STORE_COMMAND_FLUSH:
    case HAUL_STORE_COMMAND_QUIT:
      return FALSE;
    default:
      g_assert_not_reached ();
    }
}

static void
set_db_error (GError     **error,
              sqlite3     *db,
              int          rc,
              const char  *path)
{
  int sys = db != NULL ? sqlite3_system_errno (db) : 0;
  const char *msg = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, HAUL_STORE_ERROR, HAUL_STORE_ERROR_CORRUPT,
                   _("The list of downloads “%s” is damaged (%s)"), path, msg);
      return;

    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_IOERR:
    case SQLITE_FULL:
      if (sys != 0)
        msg = g_strerror (sys);
      g_set_error (error, HAUL_STORE_ERROR, HAUL_STORE_ERROR_UNWRITABLE,
                   _("Cannot save the list of downloads in “%s”: %s"), path, msg);
      return;

    default:
      g_set_error (error, HAUL_STORE_ERROR, HAUL_STORE_ERROR_FAILED,
                   _("Cannot use the list of downloads “%s”: %s"), path, msg);
      return;
    }
}

static int
exec_sql (sqlite3    *db,
          const char *sql)
{
  return sqlite3_exec (db, sql, NULL, NULL, NULL);
}

static void
writer_close_db (Writer *w)
{
  g_clear_pointer (&w->save_stmt, sqlite3_finalize);
  g_clear_pointer (&w->delete_stmt, sqlite3_finalize);
  g_clear_pointer (&w->delete_finished_stmt, sqlite3_finalize);
  g_clear_pointer (&w->position_stmt, sqlite3_finalize);
  if (w->db != NULL)
    {
      sqlite3_close_v2 (w->db);
      w->db = NULL;
    }
}

static void
writer_free (Writer *w)
{
  writer_close_db (w);
  g_free (w->path);
  g_async_queue_unref (w->commands);
  g_main_context_unref (w->context);
  g_free (w);
}

/* Hands @cmd back to the main context, which returns its task and frees it. */
static void
complete_in_main (Writer           *w,
                  HaulStoreCommand *cmd)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, _haul_store_complete_cb, cmd, NULL);
  g_source_set_static_name (source, "[haul] store completion");
  g_source_attach (source, w->context);
  g_source_unref (source);
}

static gboolean
quick_check (sqlite3     *db,
             const char  *path,
             GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, "PRAGMA quick_check", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    {
      const char *result = (const char *) sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (result, "ok") != 0)
        {
          g_autofree char *safe = g_utf8_make_valid (result != NULL ? result : "?", -1);

          g_set_error (error, HAUL_STORE_ERROR, HAUL_STORE_ERROR_CORRUPT,
                       _("The list of downloads “%s” is damaged (%s)"), path, safe);
          sqlite3_finalize (stmt);
          return FALSE;
        }
      sqlite3_finalize (stmt);
      return TRUE;
    }

  set_db_error (error, db, rc, path);
  sqlite3_finalize (stmt);
  return FALSE;
}

static gboolean
get_user_version (sqlite3     *db,
                  const char  *path,
                  gint64      *version,
                  GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_db_error (error, db, rc, path);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  *version = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return TRUE;
}

/* Brings the schema to HAUL_STORE_SCHEMA_VERSION in one transaction. */
static gboolean
migrate (sqlite3     *db,
         const char  *path,
         GError     **error)
{
  gint64 version = 0;
  g_autofree char *set_version = NULL;
  int rc;

  if (!get_user_version (db, path, &version, error))
    return FALSE;

  if (version == HAUL_STORE_SCHEMA_VERSION)
    return TRUE;

  if (version > HAUL_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, HAUL_STORE_ERROR, HAUL_STORE_ERROR_NEWER_VERSION,
                   _("The list of downloads “%s” was saved by a newer version of Haul; "
                     "it is left as it is"), path);
      return FALSE;
    }

  if (version < 0)
    {
      g_set_error (error, HAUL_STORE_ERROR, HAUL_STORE_ERROR_CORRUPT,
                   _("The list of downloads “%s” is damaged (%s)"), path, "bad schema version");
      return FALSE;
    }

  rc = exec_sql (db, "BEGIN IMMEDIATE");
  if (rc != SQLITE_OK)
    {
      set_db_error (error, db, rc, path);
      return FALSE;
    }

  for (gint64 v = version; v < HAUL_STORE_SCHEMA_VERSION; v++)
    {
      rc = exec_sql (db, migrations[v]);
      if (rc != SQLITE_OK)
        break;
    }

  if (rc == SQLITE_OK)
    {
      set_version = g_strdup_printf ("PRAGMA user_version = %d", HAUL_STORE_SCHEMA_VERSION);
      rc = exec_sql (db, set_version);
    }
  if (rc == SQLITE_OK)
    rc = exec_sql (db, "COMMIT");

  if (rc != SQLITE_OK)
    {
      /* SQLITE_ERROR here means the tables are not the ones the version
       * promises: not a Haul database, so treat it like a damaged one. */
      if ((rc & 0xff) == SQLITE_ERROR)
        g_set_error (error, HAUL_STORE_ERROR, HAUL_STORE_ERROR_CORRUPT,
                     _("The list of downloads “%s” is damaged (%s)"), path, sqlite3_errmsg (db));
      else
        set_db_error (error, db, rc, path);
      if (!sqlite3_get_autocommit (db))
        exec_sql (db, "ROLLBACK");
      return FALSE;
    }

  g_debug ("migrated %s from schema %" G_GINT64_FORMAT " to %d",
           path, version, HAUL_STORE_SCHEMA_VERSION);
  return TRUE;
}

static gboolean
prepare_statements (Writer   *w,
                    sqlite3  *db,
                    GError  **error)
{
  g_autofree char *save_sql = build_save_sql ();
  int rc;

  rc = sqlite3_prepare_v3 (db, save_sql, -1, SQLITE_PREPARE_PERSISTENT, &w->save_stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v3 (db, delete_sql, -1, SQLITE_PREPARE_PERSISTENT, &w->delete_stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v3 (db, delete_finished_sql, -1, SQLITE_PREPARE_PERSISTENT,
                             &w->delete_finished_stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v3 (db, position_sql, -1, SQLITE_PREPARE_PERSISTENT, &w->position_stmt, NULL);
  if (rc == SQLITE_OK)
    return TRUE;

  if ((rc & 0xff) == SQLITE_ERROR)
    g_set_error (error, HAUL_STORE_ERROR, HAUL_STORE_ERROR_CORRUPT,
                 _("The list of downloads “%s” is damaged (%s)"), w->path, sqlite3_errmsg (db));
  else
    set_db_error (error, db, rc, w->path);
  return FALSE;
}

/* One attempt at opening w->path. On failure nothing stays open. */
static gboolean
writer_try_open (Writer  *w,
                 GError **error)
{
  g_autofree char *dir = g_path_get_dirname (w->path);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, HAUL_STORE_ERROR, HAUL_STORE_ERROR_UNWRITABLE,
                   _("Cannot create the folder “%s” for the list of downloads: %s"),
                   dir, g_strerror (saved_errno));
      return FALSE;
    }

  rc = sqlite3_open_v2 (w->path, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                        SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
                        NULL);
  if (rc != SQLITE_OK && (rc & 0xff) == SQLITE_CANTOPEN && access (dir, W_OK) != 0)
    {
      /* SQLite's errno is from its last attempt, often a misleading ENOENT:
       * say what is wrong with the folder. */
      int saved_errno = errno;

      g_set_error (error, HAUL_STORE_ERROR, HAUL_STORE_ERROR_UNWRITABLE,
                   _("Cannot save the list of downloads in “%s”: %s"),
                   w->path, g_strerror (saved_errno));
      goto fail;
    }
  if (rc != SQLITE_OK)
    {
      set_db_error (error, db, rc, w->path);
      goto fail;
    }

  if (sqlite3_db_readonly (db, "main") == 1)
    {
      int saved_errno = EROFS;

      if (access (w->path, W_OK) != 0)
        saved_errno = errno;
      else if (access (dir, W_OK) != 0)
        saved_errno = errno;
      g_set_error (error, HAUL_STORE_ERROR, HAUL_STORE_ERROR_UNWRITABLE,
                   _("Cannot save the list of downloads in “%s”: %s"),
                   w->path, g_strerror (saved_errno));
      goto fail;
    }

  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);

  if (!quick_check (db, w->path, error))
    goto fail;

  rc = sqlite3_prepare_v2 (db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_db_error (error, db, rc, w->path);
      goto fail;
    }
  if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "wal") != 0)
    g_message ("%s: write-ahead logging is not available here; using journal mode %s",
               w->path, sqlite3_column_text (stmt, 0));
  g_clear_pointer (&stmt, sqlite3_finalize);

  /* In WAL mode NORMAL keeps the file consistent after a crash and only
   * syncs at checkpoints; all of it runs on this thread anyway. */
  rc = exec_sql (db, "PRAGMA synchronous = NORMAL");
  /* A removed download's cookies (request_context) are zeroed in the
   * file, not left in a free page. */
  if (rc == SQLITE_OK)
    rc = exec_sql (db, "PRAGMA secure_delete = ON");
  if (rc != SQLITE_OK)
    {
      set_db_error (error, db, rc, w->path);
      goto fail;
    }

  if (!migrate (db, w->path, error))
    goto fail;

  if (!prepare_statements (w, db, error))
    goto fail;

  w->db = db;
  return TRUE;

fail:
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_clear_pointer (&w->save_stmt, sqlite3_finalize);
  g_clear_pointer (&w->delete_stmt, sqlite3_finalize);
  g_clear_pointer (&w->delete_finished_stmt, sqlite3_finalize);
  g_clear_pointer (&w->position_stmt, sqlite3_finalize);
  sqlite3_close_v2 (db);
  return FALSE;
}

/* Renames a damaged @path to PATH.corrupt-YYYYMMDD-HHMMSS (with -N if that
 * exists), with its WAL, and removes its shared-memory index, so that a new
 * database made at @path can never pick them up. */
static char *
move_aside (const char  *path,
            GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *aside = NULL;
  static const char * const companions[] = { "-wal", "-journal" };
  g_autofree char *shm = NULL;
  GStatBuf st;

  for (guint i = 0; i < 1000; i++)
    {
      g_free (aside);
      if (i == 0)
        aside = g_strdup_printf ("%s.corrupt-%s", path, stamp);
      else
        aside = g_strdup_printf ("%s.corrupt-%s-%u", path, stamp, i);
      if (g_lstat (aside, &st) != 0 && errno == ENOENT)
        break;
    }

  if (g_rename (path, aside) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, HAUL_STORE_ERROR, HAUL_STORE_ERROR_CORRUPT,
                   _("The list of downloads “%s” is damaged and could not be moved aside: %s"),
                   path, g_strerror (saved_errno));
      return NULL;
    }

  for (guint i = 0; i < G_N_ELEMENTS (companions); i++)
    {
      g_autofree char *from = g_strconcat (path, companions[i], NULL);
      g_autofree char *to = g_strconcat (aside, companions[i], NULL);

      if (g_lstat (from, &st) == 0 && g_rename (from, to) != 0)
        g_unlink (from);
    }
  shm = g_strconcat (path, "-shm", NULL);
  g_unlink (shm);

  return g_steal_pointer (&aside);
}

static gboolean
writer_open (Writer  *w,
             char   **moved_aside,
             GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *aside = NULL;

  if (w->db != NULL)
    return TRUE;

  if (writer_try_open (w, &local_error))
    return TRUE;

  if (!g_error_matches (local_error, HAUL_STORE_ERROR, HAUL_STORE_ERROR_CORRUPT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  g_message ("%s; moving it aside and starting a new one", local_error->message);
  aside = move_aside (w->path, error);
  if (aside == NULL)
    return FALSE;

  g_clear_error (&local_error);
  if (!writer_try_open (w, error))
    return FALSE;

  *moved_aside = g_steal_pointer (&aside);
  return TRUE;
}

static int
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text == NULL)
    return sqlite3_bind_null (stmt, index);
  return sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
}

/* How a value of each kind is bound to a parameter of the save statement. */
#define BIND_TEXT(stmt, index, value)  bind_text ((stmt), (index), (value))
#define BIND_INT(stmt, index, value)   sqlite3_bind_int64 ((stmt), (index), (sqlite3_int64) (value))
#define BIND_EXACT(stmt, index, value) BIND_INT (stmt, index, value)

static int
apply_save (Writer                *w,
            const HaulStoreRecord *r)
{
  sqlite3_stmt *stmt = w->save_stmt;
  int rc = SQLITE_OK;
  int index = 0;

#define BIND(name, kind, type, owner, dflt, min, max) \
  index++;                                            \
  if (rc == SQLITE_OK)                                \
    rc = BIND_##kind (stmt, index, r->name);
  HAUL_STORE_COLUMNS (BIND)
#undef BIND

  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
apply_delete (Writer  *w,
              guint64  id)
{
  int rc = sqlite3_bind_int64 (w->delete_stmt, 1, (sqlite3_int64) id);

  if (rc == SQLITE_OK)
    rc = sqlite3_step (w->delete_stmt);
  sqlite3_reset (w->delete_stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
apply_delete_finished (Writer *w)
{
  int rc = sqlite3_bind_int (w->delete_finished_stmt, 1, HAUL_DOWNLOAD_STATE_COMPLETED);

  if (rc == SQLITE_OK)
    rc = sqlite3_step (w->delete_finished_stmt);
  sqlite3_reset (w->delete_finished_stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Many downloads at once (a bulk removal): one statement each, in the
 * batch's transaction. */
static int
apply_delete_many (Writer       *w,
                   const GArray *ids)
{
  int rc = SQLITE_OK;

  for (guint i = 0; i < ids->len && rc == SQLITE_OK; i++)
    rc = apply_delete (w, g_array_index (ids, guint64, i));
  return rc;
}

/* New positions of downloads that moved up the list after a removal. */
static int
apply_set_positions (Writer       *w,
                     const GArray *positions)
{
  int rc = SQLITE_OK;

  for (guint i = 0; i < positions->len && rc == SQLITE_OK; i++)
    {
      const HaulStorePosition *p = &g_array_index (positions, HaulStorePosition, i);

      rc = sqlite3_bind_int64 (w->position_stmt, 1, (sqlite3_int64) p->id);
      if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64 (w->position_stmt, 2, (sqlite3_int64) p->position);
      if (rc == SQLITE_OK)
        rc = sqlite3_step (w->position_stmt);
      sqlite3_reset (w->position_stmt);
      if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }
  return rc;
}

static void
log_write_error (Writer     *w,
                 int         rc,
                 const char *what)
{
  g_autoptr(GError) error = NULL;

  /* Once per kind of trouble is enough; the next success resets it. */
  if (w->write_error_logged)
    return;
  w->write_error_logged = TRUE;
  set_db_error (&error, w->db, rc, w->path);
  g_warning ("%s: %s", what, error->message);
}

/* Adds a mutation to @batch. Saves and deletes of one id since the last
 * command on many ids ("delete finished", a bulk deletion, new positions)
 * collapse into the slot of the first one: operations on different ids
 * commute, and only the last one on an id matters. */
static void
batch_add (GPtrArray        *batch,
           GHashTable       *slots,
           HaulStoreCommand *cmd)
{
  gpointer slot;

  g_assert (command_is_mutation (cmd));
  if (cmd->kind == HAUL_STORE_COMMAND_DELETE_FINISHED || cmd->kind == HAUL_STORE_COMMAND_DELETE_MANY ||
      cmd->kind == HAUL_STORE_COMMAND_SET_POSITIONS)
    {
      g_hash_table_remove_all (slots);
      g_ptr_array_add (batch, cmd);
    }
  else if (g_hash_table_lookup_extended (slots, &cmd->id, NULL, &slot))
    {
      guint index = GPOINTER_TO_UINT (slot);
      HaulStoreCommand *old = g_ptr_array_index (batch, index);

      g_ptr_array_index (batch, index) = cmd;
      /* The key points into the command: replace it before freeing. */
      g_hash_table_replace (slots, &cmd->id, slot);
      _haul_store_command_free (old);
    }
  else
    {
      g_hash_table_replace (slots, &cmd->id, GUINT_TO_POINTER (batch->len));
      g_ptr_array_add (batch, cmd);
    }
}

/* Applies @first and whatever mutations are queued behind it in one
 * transaction. Returns the first non-mutation command it popped, if any:
 * the caller runs it after this commit. */
static HaulStoreCommand *
writer_apply_batch (Writer           *w,
                    HaulStoreCommand *first)
{
  g_autoptr(GPtrArray) batch =
    g_ptr_array_new_with_free_func ((GDestroyNotify) _haul_store_command_free);
  g_autoptr(GHashTable) slots = g_hash_table_new (g_int64_hash, g_int64_equal);
  HaulStoreCommand *barrier = NULL;
  HaulStoreCommand *cmd = first;
  guint n_popped = 0;
  gboolean ok = TRUE;
  int rc;

  while (cmd != NULL)
    {
      batch_add (batch, slots, cmd);
      if (++n_popped >= BATCH_MAX)
        break;
      cmd = g_async_queue_try_pop (w->commands);
      if (cmd != NULL && !command_is_mutation (cmd))
        {
          barrier = cmd;
          break;
        }
    }

  /* Not open (never, or it failed): the store runs without persistence. */
  if (w->db == NULL)
    return barrier;

  rc = exec_sql (w->db, "BEGIN IMMEDIATE");
  if (rc != SQLITE_OK)
    log_write_error (w, rc, "Could not start saving the list of downloads");

  for (guint i = 0; i < batch->len; i++)
    {
      HaulStoreCommand *c = g_ptr_array_index (batch, i);

      switch (c->kind)
        {
        case HAUL_STORE_COMMAND_SAVE:
          rc = apply_save (w, c->record);
          break;
        case HAUL_STORE_COMMAND_DELETE:
          rc = apply_delete (w, c->id);
          break;
        case HAUL_STORE_COMMAND_DELETE_FINISHED:
          rc = apply_delete_finished (w);
          break;
        case HAUL_STORE_COMMAND_DELETE_MANY:
          rc = apply_delete_many (w, c->ids);
          break;
        case HAUL_STORE_COMMAND_SET_POSITIONS:
          rc = apply_set_positions (w, c->positions);
          break;
        case HAUL_STORE_COMMAND_OPEN:
        case HAUL_STORE_COMMAND_LOAD:
        case HAUL_STORE_COMMAND_FLUSH:
        case HAUL_STORE_COMMAND_QUIT:
        default:
          g_assert_not_reached ();
        }
      if (rc != SQLITE_OK)
        {
          ok = FALSE;
          log_write_error (w, rc, "Could not save a change to the list of downloads");
        }
    }

  if (!sqlite3_get_autocommit (w->db))
    {
      rc = exec_sql (w->db, "COMMIT");
      if (rc != SQLITE_OK)
        {
          ok = FALSE;
          log_write_error (w, rc, "Could not save the list of downloads");
          exec_sql (w->db, "ROLLBACK");
        }
    }

  if (ok)
    w->write_error_logged = FALSE;

  return barrier;
}

/* Reads one text column; FALSE (with @why) if it cannot be used. */
static gboolean
read_text (sqlite3_stmt  *stmt,
           int            col,
           gboolean       required,
           gint64         max,
           char         **out,
           const char   **why)
{
  int type = sqlite3_column_type (stmt, col);
  const char *data;
  int len;

  *out = NULL;

  if (type == SQLITE_NULL)
    {
      if (required)
        *why = "is missing";
      return !required;
    }
  if (type == SQLITE_TEXT)
    data = (const char *) sqlite3_column_text (stmt, col);
  else if (type == SQLITE_BLOB)
    data = sqlite3_column_blob (stmt, col);
  else
    {
      *why = "is not text";
      return FALSE;
    }
  len = sqlite3_column_bytes (stmt, col);

  if (data == NULL || len <= 0)
    {
      if (required)
        {
          *why = "is empty";
          return FALSE;
        }
      *out = g_strdup ("");
      return TRUE;
    }
  if (len > max)
    {
      *why = "is too long";
      return FALSE;
    }
  if (memchr (data, '\0', len) != NULL)
    {
      *why = "contains a NUL byte";
      return FALSE;
    }
  if (!g_utf8_validate_len (data, len, NULL))
    {
      *why = "is not valid UTF-8";
      return FALSE;
    }

  *out = g_strndup (data, len);
  return TRUE;
}

/* Reads one integer column, clamped to [@min, @max]; NULL gives @dflt. */
static gboolean
read_int (sqlite3_stmt  *stmt,
          int            col,
          gint64         dflt,
          gint64         min,
          gint64         max,
          gint64        *out,
          const char   **why)
{
  gint64 value;

  switch (sqlite3_column_type (stmt, col))
    {
    case SQLITE_NULL:
      value = dflt;
      break;

    case SQLITE_INTEGER:
      value = sqlite3_column_int64 (stmt, col);
      break;

    case SQLITE_FLOAT:
      {
        double d = sqlite3_column_double (stmt, col);

        if (isnan (d))
          {
            *why = "is not a number";
            return FALSE;
          }
        if (d <= (double) min)
          value = min;
        else if (d >= (double) max)
          value = max;
        else
          value = (gint64) d;
      }
      break;

    default:
      *why = "is not a number";
      return FALSE;
    }

  *out = CLAMP (value, min, max);
  return TRUE;
}

/* Reads one integer column that must be there and within [@min, @max]. */
static gboolean
read_exact (sqlite3_stmt  *stmt,
            int            col,
            gint64         min,
            gint64         max,
            gint64        *out,
            const char   **why)
{
  gint64 value;

  if (sqlite3_column_type (stmt, col) != SQLITE_INTEGER)
    {
      *why = "is not a number";
      return FALSE;
    }
  value = sqlite3_column_int64 (stmt, col);
  if (value < min || value > max)
    {
      *why = "is out of range";
      return FALSE;
    }
  *out = value;
  return TRUE;
}

/* How a column of each kind is read (into @text or @number) and stored. */
#define READ_TEXT(col, dflt, min, max)  read_text (stmt, (col), (min) > 0, (max), &text, why)
#define READ_INT(col, dflt, min, max)   read_int (stmt, (col), (dflt), (min), (max), &number, why)
#define READ_EXACT(col, dflt, min, max) read_exact (stmt, (col), (min), (max), &number, why)
#define STORE_TEXT(field)               (field) = g_steal_pointer (&text)
#define STORE_INT(field)                (field) = number
#define STORE_EXACT(field)              (field) = number

/* Reads the row into @r, or says which column cannot be used and why. */
static gboolean
read_row (sqlite3_stmt     *stmt,
          HaulStoreRecord  *r,
          int              *bad,
          const char      **why)
{
  char *text = NULL;
  gint64 number = 0;
  int col = 0;

#define READ(name, kind, type, owner, dflt, min, max) \
  if (!READ_##kind (col, dflt, min, max))             \
    {                                                 \
      *bad = col;                                     \
      return FALSE;                                   \
    }                                                 \
  STORE_##kind (r->name);                             \
  col++;
  HAUL_STORE_COLUMNS (READ)
#undef READ

  /* Never more than the whole file. */
  if (r->total >= 0)
    r->received = MIN (r->received, r->total);
  return TRUE;
}

static HaulStoreRecord *
record_from_row (Writer       *w,
                 sqlite3_stmt *stmt)
{
  g_autoptr(HaulStoreRecord) r = g_new0 (HaulStoreRecord, 1);
  const char *why = NULL;
  int bad = -1;

  if (read_row (stmt, r, &bad, &why))
    return g_steal_pointer (&r);

  if (w->n_bad_logged < MAX_BAD_LOGGED)
    g_message ("Skipping entry %" G_GUINT64_FORMAT " of the list of downloads: its %s %s",
               r->id, column_names[bad], why);
  else if (w->n_bad_logged == MAX_BAD_LOGGED)
    g_message ("Skipping more damaged entries of the list of downloads");
  w->n_bad_logged++;
  return NULL;
}

/* Writer side: queues @chunk (or just marks the op done when @done) and
 * makes sure one idle is on its way to the main context. After a call with
 * @done, @op must not be touched again. */
static void
load_op_post (HaulStoreLoadOp *op,
              GPtrArray       *chunk,
              gboolean         done)
{
  g_mutex_lock (&op->mutex);
  if (chunk != NULL)
    g_queue_push_tail (&op->chunks, chunk);
  if (done)
    op->done = TRUE;
  if (!op->idle_pending)
    {
      GSource *source = g_idle_source_new ();

      op->idle_pending = TRUE;
      g_source_set_priority (source, G_PRIORITY_DEFAULT_IDLE);
      g_source_set_callback (source, _haul_store_load_idle_cb, op, NULL);
      g_source_set_static_name (source, "[haul] store load");
      g_source_attach (source, op->context);
      g_source_unref (source);
    }
  g_mutex_unlock (&op->mutex);
}

static void
writer_load (Writer          *w,
             HaulStoreLoadOp *op)
{
  g_autofree char *load_sql = NULL;
  sqlite3_stmt *stmt = NULL;
  GPtrArray *chunk = NULL;
  GError *error = NULL;
  guint n_loaded = 0;
  guint n_skipped = 0;
  int rc;

  w->n_bad_logged = 0;

  if (w->db == NULL)
    {
      g_set_error (&error, HAUL_STORE_ERROR, HAUL_STORE_ERROR_NOT_OPEN,
                   _("The list of downloads is not open"));
      goto out;
    }

  load_sql = build_load_sql ();
  rc = sqlite3_prepare_v2 (w->db, load_sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (&error, w->db, rc, w->path);
      goto out;
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      HaulStoreRecord *record = record_from_row (w, stmt);

      if (record == NULL)
        {
          n_skipped++;
          continue;
        }
      if (chunk == NULL)
        chunk = g_ptr_array_new_full (HAUL_STORE_LOAD_CHUNK,
                                      (GDestroyNotify) haul_store_record_free);
      g_ptr_array_add (chunk, record);
      n_loaded++;

      if (chunk->len == HAUL_STORE_LOAD_CHUNK)
        {
          if (g_cancellable_set_error_if_cancelled (op->cancellable, &error))
            goto out;
          load_op_post (op, g_steal_pointer (&chunk), FALSE);
        }
    }

  /* A damaged page in the middle: what was read is delivered, and the
   * error says the rest is missing. */
  if (rc != SQLITE_DONE)
    set_db_error (&error, w->db, rc, w->path);

out:
  if (chunk != NULL && error == NULL)
    load_op_post (op, g_steal_pointer (&chunk), FALSE);
  g_clear_pointer (&chunk, g_ptr_array_unref);
  sqlite3_finalize (stmt);

  g_mutex_lock (&op->mutex);
  op->error = error;
  op->n_loaded = n_loaded;
  op->n_skipped = n_skipped;
  g_mutex_unlock (&op->mutex);
  load_op_post (op, NULL, TRUE);
}

/* Returns TRUE when the thread should stop. */
static gboolean
writer_run (Writer           *w,
            HaulStoreCommand *cmd)
{
  switch (cmd->kind)
    {
    case HAUL_STORE_COMMAND_OPEN:
      writer_open (w, &cmd->moved_aside, &cmd->error);
      complete_in_main (w, cmd);
      return FALSE;

    case HAUL_STORE_COMMAND_LOAD:
      writer_load (w, cmd->load);
      _haul_store_command_free (cmd);
      return FALSE;

    case HAUL_STORE_COMMAND_FLUSH:
      /* Everything posted before it is committed: batches end at it. */
      complete_in_main (w, cmd);
      return FALSE;

    case HAUL_STORE_COMMAND_QUIT:
      _haul_store_command_free (cmd);
      return TRUE;

    case HAUL_STORE_COMMAND_SAVE:
    case HAUL_STORE_COMMAND_DELETE:
    case HAUL_STORE_COMMAND_DELETE_FINISHED:
    case HAUL_STORE_COMMAND_DELETE_MANY:
    case HAUL_STORE_COMMAND_SET_POSITIONS:
    default:
      g_assert_not_reached ();
    }
}

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;
  gboolean quit = FALSE;

  while (!quit)
    {
      HaulStoreCommand *cmd = g_async_queue_pop (w->commands);

      if (command_is_mutation (cmd))
        cmd = writer_apply_batch (w, cmd);
      if (cmd != NULL)
        quit = writer_run (w, cmd);
    }

  writer_free (w);
  return NULL;
}

/* Starts the writer thread; see haul-store-private.h. */
GThread *
_haul_store_writer_start (const char   *path,
                          GAsyncQueue  *commands,
                          GMainContext *context)
{
  Writer *w = g_new0 (Writer, 1);

  w->path = g_strdup (path);
  w->commands = g_async_queue_ref (commands);
  w->context = g_main_context_ref (context);
  return g_thread_new ("haul-store", writer_thread, w);
}
