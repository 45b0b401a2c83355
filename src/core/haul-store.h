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

#include "haul-types.h"

G_BEGIN_DECLS

/* The schema version this build writes (PRAGMA user_version). */
#define HAUL_STORE_SCHEMA_VERSION 2

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

/**
 * HaulStoreRecord:
 *
 * Everything about one download that survives a restart. Strings are
 * UTF-8 or %NULL; @uri and @directory are never %NULL in a loaded record.
 * @state is a #HaulDownloadState, @total is -1 when unknown, @received is
 * the resume checkpoint, @position is the queue order (ascending), and the
 * timestamps are g_get_real_time() microseconds, 0 when unset.
 */
typedef struct
{
  guint64  id;
  char    *uri;
  char    *final_uri;
  char    *directory;
  char    *filename;
  int      state;
  gint64   position;
  gint64   total;
  gint64   received;
  char    *etag;
  char    *last_modified;
  char    *content_type;
  char    *checksum;
  gint64   rate_limit;
  char    *error;
  guint    retries;
  gint64   created;
  gint64   started;
  gint64   finished;
} HaulStoreRecord;

#define HAUL_TYPE_STORE_RECORD (haul_store_record_get_type ())

GType            haul_store_record_get_type (void) G_GNUC_CONST;
HaulStoreRecord *haul_store_record_new      (void);
HaulStoreRecord *haul_store_record_copy     (const HaulStoreRecord *record);
void             haul_store_record_free     (HaulStoreRecord       *record);
gboolean         haul_store_record_equal    (const HaulStoreRecord *a,
                                             const HaulStoreRecord *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulStoreRecord, haul_store_record_free)

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
