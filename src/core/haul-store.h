/* haul-store.h — the SQLite database of the queue and its history
 *
 * A HaulStore is a main-thread object that owns one writer thread, and that
 * thread owns the sqlite3 connection. The main thread only posts commands
 * (copies of records) to it; the writer applies them in batched
 * transactions. No SQLite call and no fsync ever runs on the caller's
 * thread, except that haul_store_close() waits for the writer to finish.
 * Every callback runs on the main context that was the thread-default one
 * when the store was created.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "haul-request-context.h"
#include "haul-segments.h"

#include "haul-types.h"

G_BEGIN_DECLS

/* The schema version this build writes (PRAGMA user_version). */
#define HAUL_STORE_SCHEMA_VERSION 6

/* How many records one load chunk carries at most. */
#define HAUL_STORE_LOAD_CHUNK 500

/* Bounds that values read back are clamped to. 2^53 bytes (8 PiB) is more
 * than any file and still exact in a double (progress fractions); times
 * end at 9999-12-31. */
#define HAUL_STORE_MAX_SIZE    (G_GINT64_CONSTANT (1) << 53)
#define HAUL_STORE_MAX_TIME    G_GINT64_CONSTANT (253402300799999999)
#define HAUL_STORE_MAX_RETRIES 10000
#define HAUL_STORE_MAX_TEXT    (256 * 1024)

#define HAUL_STORE_ERROR (haul_store_error_quark ())

/**
 * HaulStoreError:
 * @HAUL_STORE_ERROR_FAILED: any other SQLite failure
 * @HAUL_STORE_ERROR_UNWRITABLE: the folder or the file cannot be created or written
 * @HAUL_STORE_ERROR_NEWER_VERSION: the database was written by a newer Haul; it is left alone
 * @HAUL_STORE_ERROR_CORRUPT: the file is damaged and could not be replaced
 * @HAUL_STORE_ERROR_NOT_OPEN: the store was never opened successfully, or is closed
 */
typedef enum
{
  HAUL_STORE_ERROR_FAILED,
  HAUL_STORE_ERROR_UNWRITABLE,
  HAUL_STORE_ERROR_NEWER_VERSION,
  HAUL_STORE_ERROR_CORRUPT,
  HAUL_STORE_ERROR_NOT_OPEN,
} HaulStoreError;

GQuark haul_store_error_quark (void);

/* HAUL_STORE_COLUMNS:
 *
 * Every stored column of a download, in the order the writer reads and
 * binds them: the one list that all code about them is generated from.
 * Each entry is
 *
 *   X (name, kind, C type, owner, default, min, max)
 *
 * name     the column in the `downloads` table, and the field of that name
 *          in HaulStoreRecord and in struct _HaulDownload
 * kind     TEXT:  a string, UTF-8 without NUL bytes, @max bytes at most;
 *                 @min 1 means required (neither NULL nor empty), @min 0
 *                 allows NULL
 *          INT:   a number; NULL reads back as @default, anything else is
 *                 clamped to [@min, @max]
 *          EXACT: a number that must be there and within [@min, @max], or
 *                 the row is skipped
 * owner    DOWNLOAD: a HaulDownload holds it (a field of the same name and
 *                    type, copied to and from the record)
 *          QUEUE:    only the record has it; the queue gives it (position)
 *
 * Generated from it: the fields of HaulStoreRecord and its new (defaults),
 * copy, free and equal; the stored fields of struct _HaulDownload and
 * their copying in _haul_download_to_record() and
 * _haul_download_new_from_record() and freeing in its finalize; the column
 * list of the writer's INSERT … ON CONFLICT and SELECT, binding a record
 * and reading a row back with the checks above.
 *
 * Adding a column takes:
 *  1. one entry here (at the end, or anywhere: the SQL names its columns);
 *  2. a migration in haul-store-writer.c: append an `ALTER TABLE downloads
 *     ADD COLUMN name TYPE NOT NULL DEFAULT …` (numbers) or `… name TEXT`
 *     (strings) to `migrations[]`, never editing a shipped one, and bump
 *     HAUL_STORE_SCHEMA_VERSION (test-store's schema test fails until the
 *     migration and the table agree);
 *  3. only if the value needs more than being held: a getter and property
 *     in haul-download.c, its setter in haul-download-private.h, and if
 *     restoring it must validate it or derive state from it, a line in the
 *     fix-ups of _haul_download_new_from_record().
 * Nothing else spells the columns out.
 */
#define HAUL_STORE_COLUMNS(X)                                                                     \
  /* name           kind   C type             owner     default min                    max */     \
  X (id,            EXACT, guint64,           DOWNLOAD,  0, G_MININT64,                G_MAXINT64) \
  X (uri,           TEXT,  char *,            DOWNLOAD,  0, 1,                         HAUL_STORE_MAX_TEXT) \
  X (final_uri,     TEXT,  char *,            DOWNLOAD,  0, 0,                         HAUL_STORE_MAX_TEXT) \
  X (directory,     TEXT,  char *,            DOWNLOAD,  0, 1,                         HAUL_STORE_MAX_TEXT) \
  X (filename,      TEXT,  char *,            DOWNLOAD,  0, 0,                         HAUL_STORE_MAX_TEXT) \
  X (state,         EXACT, HaulDownloadState, DOWNLOAD,  0, HAUL_DOWNLOAD_STATE_QUEUED, HAUL_DOWNLOAD_STATE_CANCELLED) \
  X (position,      INT,   gint64,            QUEUE,     0, G_MININT64,                G_MAXINT64) \
  X (total,         INT,   gint64,            DOWNLOAD, -1, -1,                        HAUL_STORE_MAX_SIZE) \
  X (received,      INT,   gint64,            DOWNLOAD,  0, 0,                         HAUL_STORE_MAX_SIZE) \
  X (etag,          TEXT,  char *,            DOWNLOAD,  0, 0,                         HAUL_STORE_MAX_TEXT) \
  X (last_modified, TEXT,  char *,            DOWNLOAD,  0, 0,                         HAUL_STORE_MAX_TEXT) \
  X (content_type,  TEXT,  char *,            DOWNLOAD,  0, 0,                         HAUL_STORE_MAX_TEXT) \
  X (checksum,      TEXT,  char *,            DOWNLOAD,  0, 0,                         HAUL_STORE_MAX_TEXT) \
  X (rate_limit,    INT,   gint64,            DOWNLOAD,  0, 0,                         HAUL_STORE_MAX_SIZE) \
  X (error,         TEXT,  char *,            DOWNLOAD,  0, 0,                         HAUL_STORE_MAX_TEXT) \
  X (retries,       INT,   guint,             DOWNLOAD,  0, 0,                         HAUL_STORE_MAX_RETRIES) \
  X (created,       INT,   gint64,            DOWNLOAD,  0, 0,                         HAUL_STORE_MAX_TIME) \
  X (started,       INT,   gint64,            DOWNLOAD,  0, 0,                         HAUL_STORE_MAX_TIME) \
  X (finished,      INT,   gint64,            DOWNLOAD,  0, 0,                         HAUL_STORE_MAX_TIME) \
  X (segments,      TEXT,  char *,            DOWNLOAD,  0, 0,                         HAUL_SEGMENTS_TEXT_MAX) \
  X (auth_user,     TEXT,  char *,            DOWNLOAD,  0, 0,                         HAUL_STORE_MAX_TEXT) \
  X (request_context, TEXT, char *,           DOWNLOAD,  0, 0,                         HAUL_REQUEST_CONTEXT_MAX_TEXT) \
  X (start_after,   INT,   gint64,            DOWNLOAD,  0, 0,                         HAUL_STORE_MAX_TIME)

/* What code generated from HAUL_STORE_COLUMNS does with a value of each
 * kind: its value in a new record, a copy, freeing it, comparing two. */
#define HAUL_STORE_DEFAULT_TEXT(dflt)   NULL
#define HAUL_STORE_DEFAULT_INT(dflt)    (dflt)
#define HAUL_STORE_DEFAULT_EXACT(dflt)  (dflt)
#define HAUL_STORE_DUP_TEXT(v)          g_strdup (v)
#define HAUL_STORE_DUP_INT(v)           (v)
#define HAUL_STORE_DUP_EXACT(v)         (v)
#define HAUL_STORE_FREE_TEXT(v)         g_free (v)
#define HAUL_STORE_FREE_INT(v)          (void) 0
#define HAUL_STORE_FREE_EXACT(v)        (void) 0
#define HAUL_STORE_EQUAL_TEXT(a, b)     (g_strcmp0 ((a), (b)) == 0)
#define HAUL_STORE_EQUAL_INT(a, b)      ((a) == (b))
#define HAUL_STORE_EQUAL_EXACT(a, b)    ((a) == (b))

#define HAUL_STORE_RECORD_FIELD(name, kind, type, owner, dflt, min, max) type name;

/**
 * HaulStoreRecord:
 *
 * Everything about one download that survives a restart: one field per
 * entry of HAUL_STORE_COLUMNS. Strings are UTF-8 or %NULL; @uri and
 * @directory are never %NULL in a loaded record. @total is -1 when
 * unknown, @received is the resume checkpoint, @position is the queue
 * order (ascending), and the timestamps are g_get_real_time()
 * microseconds, 0 when unset.
 */
typedef struct
{
  HAUL_STORE_COLUMNS (HAUL_STORE_RECORD_FIELD)
} HaulStoreRecord;

#define HAUL_TYPE_STORE_RECORD (haul_store_record_get_type ())

GType            haul_store_record_get_type (void) G_GNUC_CONST;
HaulStoreRecord *haul_store_record_new      (void);
HaulStoreRecord *haul_store_record_copy     (const HaulStoreRecord *record);
void             haul_store_record_free     (HaulStoreRecord       *record);
gboolean         haul_store_record_equal    (const HaulStoreRecord *a,
                                             const HaulStoreRecord *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulStoreRecord, haul_store_record_free)

/**
 * HaulStorePosition:
 *
 * A record's new place in the queue (haul_store_save_positions()).
 */
typedef struct
{
  guint64 id;
  gint64  position;
} HaulStorePosition;

#define HAUL_TYPE_STORE (haul_store_get_type ())

G_DECLARE_FINAL_TYPE (HaulStore, haul_store, HAUL, STORE, GObject)

/**
 * HaulStoreLoadChunkFunc:
 * @store: the store
 * @records: (element-type HaulStoreRecord) (transfer none): the next records in queue order
 * @user_data: the data given to haul_store_load_async()
 *
 * Receives up to %HAUL_STORE_LOAD_CHUNK records, on the store's main context.
 * The callback may take records out of @records with g_ptr_array_steal_index().
 */
typedef void (*HaulStoreLoadChunkFunc) (HaulStore *store,
                                        GPtrArray *records,
                                        gpointer   user_data);

char      *haul_store_default_path      (void);

HaulStore *haul_store_new               (const char             *path);
const char *haul_store_get_path         (HaulStore              *self);

void       haul_store_open_async        (HaulStore              *self,
                                         GCancellable           *cancellable,
                                         GAsyncReadyCallback     callback,
                                         gpointer                user_data);
gboolean   haul_store_open_finish       (HaulStore              *self,
                                         GAsyncResult           *result,
                                         char                  **moved_aside,
                                         GError                **error);

void       haul_store_save              (HaulStore              *self,
                                         const HaulStoreRecord  *record);
void       haul_store_delete            (HaulStore              *self,
                                         guint64                 id);
void       haul_store_delete_many       (HaulStore              *self,
                                         GArray                 *ids);
void       haul_store_save_positions    (HaulStore              *self,
                                         GArray                 *positions);
void       haul_store_delete_finished   (HaulStore              *self);

void       haul_store_load_async        (HaulStore              *self,
                                         HaulStoreLoadChunkFunc  chunk_func,
                                         gpointer                chunk_data,
                                         GCancellable           *cancellable,
                                         GAsyncReadyCallback     callback,
                                         gpointer                user_data);
gboolean   haul_store_load_finish       (HaulStore              *self,
                                         GAsyncResult           *result,
                                         guint                  *n_loaded,
                                         guint                  *n_skipped,
                                         GError                **error);

void       haul_store_flush_async       (HaulStore              *self,
                                         GCancellable           *cancellable,
                                         GAsyncReadyCallback     callback,
                                         gpointer                user_data);
gboolean   haul_store_flush_finish      (HaulStore              *self,
                                         GAsyncResult           *result,
                                         GError                **error);

void       haul_store_close             (HaulStore              *self);

G_END_DECLS
