/* haul-store.c — the SQLite database of the queue and its history
 *
 * Threads: the HaulStore object and its API belong to the thread that
 * created it (the main thread). It owns one writer thread
 * (haul-store-writer.c), and only that thread ever touches the database.
 * The main thread posts HaulStoreCommands to a GAsyncQueue; results come
 * back to the store's main context through idles whose callbacks are the
 * _cb functions here (haul-store-private.h describes the crossing).
 *
 * Every GTask is returned and released on the main context, so the store
 * is always finalized there, and its finalize may join the thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "haul-store-private.h"

HAUL_DEFINE_QUARK (haul-store-error-quark, haul_store_error)

/* ------------------------------------------------------------------------ */
/* HaulStoreRecord */

G_DEFINE_BOXED_TYPE (HaulStoreRecord, haul_store_record,
                     haul_store_record_copy, haul_store_record_free)

/* The functions below are generated from HAUL_STORE_COLUMNS (haul-store.h). */

/**
 * haul_store_record_new:
 *
 * Returns: (transfer full): an empty record: every column at its default
 *   (queued, total unknown (-1), the rest 0 or %NULL)
 */
HaulStoreRecord *
haul_store_record_new (void)
{
  HaulStoreRecord *record = g_new0 (HaulStoreRecord, 1);

#define SET_DEFAULT(name, kind, type, owner, dflt, min, max) \
  record->name = HAUL_STORE_DEFAULT_##kind (dflt);
  HAUL_STORE_COLUMNS (SET_DEFAULT)
#undef SET_DEFAULT
  return record;
}

HaulStoreRecord *
haul_store_record_copy (const HaulStoreRecord *record)
{
  HaulStoreRecord *copy;

  g_return_val_if_fail (record != NULL, NULL);

  copy = g_new0 (HaulStoreRecord, 1);
#define COPY(name, kind, type, owner, dflt, min, max) \
  copy->name = HAUL_STORE_DUP_##kind (record->name);
  HAUL_STORE_COLUMNS (COPY)
#undef COPY
  return copy;
}

void
haul_store_record_free (HaulStoreRecord *record)
{
  if (record == NULL)
    return;

#define FREE(name, kind, type, owner, dflt, min, max) \
  HAUL_STORE_FREE_##kind (record->name);
  HAUL_STORE_COLUMNS (FREE)
#undef FREE
  g_free (record);
}

gboolean
haul_store_record_equal (const HaulStoreRecord *a,
                         const HaulStoreRecord *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;

#define EQUAL(name, kind, type, owner, dflt, min, max) \
  if (!HAUL_STORE_EQUAL_##kind (a->name, b->name))     \
    return FALSE;
  HAUL_STORE_COLUMNS (EQUAL)
#undef EQUAL
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Commands and loads */

static HaulStoreCommand *
command_new (HaulStoreCommandKind kind)
{
  HaulStoreCommand *cmd = g_new0 (HaulStoreCommand, 1);

  cmd->kind = kind;
  return cmd;
}

void
_haul_store_command_free (HaulStoreCommand *cmd)
{
  haul_store_record_free (cmd->record);
  g_clear_pointer (&cmd->ids, g_array_unref);
  g_clear_pointer (&cmd->positions, g_array_unref);
  g_clear_object (&cmd->task);
  g_clear_error (&cmd->error);
  g_free (cmd->moved_aside);
  g_free (cmd);
}

static void
load_op_free (HaulStoreLoadOp *op)
{
  GPtrArray *chunk;

  while ((chunk = g_queue_pop_head (&op->chunks)) != NULL)
    g_ptr_array_unref (chunk);
  g_clear_object (&op->cancellable);
  g_main_context_unref (op->context);
  g_clear_error (&op->error);
  g_mutex_clear (&op->mutex);
  g_free (op);
}

/* ------------------------------------------------------------------------ */
/* The store */

struct _HaulStore
{
  GObject       parent_instance;

  char         *path;
  GMainContext *context;
  GThread      *owner;
  GAsyncQueue  *commands;
  GThread      *thread;
  gboolean      closed;
};

G_DEFINE_FINAL_TYPE (HaulStore, haul_store, G_TYPE_OBJECT)

#define CHECK_THREAD(self) (g_thread_self () == (self)->owner)

/* Main side of a command the writer sent back: returns its task, frees it. */
gboolean
_haul_store_complete_cb (gpointer data)
{
  HaulStoreCommand *cmd = data;

  switch (cmd->kind)
    {
    case HAUL_STORE_COMMAND_OPEN:
      if (cmd->error != NULL)
        {
          g_task_return_error (cmd->task, g_steal_pointer (&cmd->error));
        }
      else
        {
          g_task_set_task_data (cmd->task, g_steal_pointer (&cmd->moved_aside), g_free);
          g_task_return_boolean (cmd->task, TRUE);
        }
      break;

    case HAUL_STORE_COMMAND_FLUSH:
      g_task_return_boolean (cmd->task, TRUE);
      break;

    case HAUL_STORE_COMMAND_SAVE:
    case HAUL_STORE_COMMAND_DELETE:
    case HAUL_STORE_COMMAND_DELETE_FINISHED:
    case HAUL_STORE_COMMAND_DELETE_MANY:
    case HAUL_STORE_COMMAND_SET_POSITIONS:
    case HAUL_STORE_COMMAND_LOAD:
    case HAUL_STORE_COMMAND_QUIT:
    default:
      g_assert_not_reached ();
    }

  _haul_store_command_free (cmd);
  return G_SOURCE_REMOVE;
}

/* Main side of a load: delivers one chunk per dispatch, then returns the task. */
gboolean
_haul_store_load_idle_cb (gpointer data)
{
  HaulStoreLoadOp *op = data;
  GPtrArray *chunk;
  GTask *task;
  GError *error;

  g_mutex_lock (&op->mutex);
  chunk = g_queue_pop_head (&op->chunks);
  if (chunk == NULL && !op->done)
    {
      op->idle_pending = FALSE;
      g_mutex_unlock (&op->mutex);
      return G_SOURCE_REMOVE;
    }
  g_mutex_unlock (&op->mutex);

  if (chunk != NULL)
    {
      if (!g_cancellable_is_cancelled (op->cancellable))
        op->chunk_func (op->store, chunk, op->chunk_data);
      g_ptr_array_unref (chunk);
      return G_SOURCE_CONTINUE;
    }

  /* Done, and every chunk delivered. The task owns the op from here on. */
  task = op->task;
  error = g_steal_pointer (&op->error);
  op->task = NULL;
  if (error != NULL)
    g_task_return_error (task, error);
  else if (!g_task_return_error_if_cancelled (task))
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void
post (HaulStore *self,
      HaulStoreCommand *cmd)
{
  g_async_queue_push (self->commands, cmd);
}

/* The task of one _async call, named for profilers. */
static GTask *
store_task_new (HaulStore           *self,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data,
                gpointer             source_tag,
                const char          *name)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, name);
  return task;
}

static void
return_closed (GTask *task)
{
  g_task_return_new_error (task, HAUL_STORE_ERROR, HAUL_STORE_ERROR_NOT_OPEN,
                           _("The list of downloads is closed"));
}

/* Posts a command that completes @task (transfer full) on the writer
 * thread. When the store is closed, completes it at once instead: with
 * TRUE when @ok_when_closed (nothing is left to wait for), else with an
 * error. */
static void
post_task (HaulStore            *self,
           HaulStoreCommandKind  kind,
           GTask                *task,
           gboolean              ok_when_closed)
{
  HaulStoreCommand *cmd;

  if (self->closed)
    {
      if (ok_when_closed)
        g_task_return_boolean (task, TRUE);
      else
        return_closed (task);
      g_object_unref (task);
      return;
    }
  cmd = command_new (kind);
  cmd->task = task;
  post (self, cmd);
}

static void
haul_store_finalize (GObject *object)
{
  HaulStore *self = HAUL_STORE (object);

  haul_store_close (self);
  g_free (self->path);
  g_async_queue_unref (self->commands);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (haul_store_parent_class)->finalize (object);
}

static void
haul_store_class_init (HaulStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = haul_store_finalize;
}

static void
haul_store_init (HaulStore *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->owner = g_thread_self ();
  self->commands = g_async_queue_new ();
}

/**
 * haul_store_default_path:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/haul/haul.db`
 */
char *
haul_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "haul", "haul.db", NULL);
}

/**
 * haul_store_new:
 * @path: the database file; its folder is created when the store opens
 *
 * Starts the writer thread; nothing touches the disk until
 * haul_store_open_async().
 */
HaulStore *
haul_store_new (const char *path)
{
  HaulStore *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (HAUL_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  self->thread = _haul_store_writer_start (path, self->commands, self->context);

  return self;
}

const char *
haul_store_get_path (HaulStore *self)
{
  g_return_val_if_fail (HAUL_IS_STORE (self), NULL);

  return self->path;
}

/**
 * haul_store_open_async:
 *
 * Opens (or creates) the database in the writer thread, checks it with
 * `PRAGMA quick_check` and migrates it to the current schema. A damaged
 * file (or one that is not a Haul database) is renamed to
 * `NAME.corrupt-YYYYMMDD-HHMMSS` and a new one is created in its place.
 * Commands posted before the open completes are applied after it; if it
 * fails they are dropped, and the caller runs without persistence.
 */
void
haul_store_open_async (HaulStore           *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (HAUL_IS_STORE (self));
  g_return_if_fail (CHECK_THREAD (self));

  post_task (self, HAUL_STORE_COMMAND_OPEN,
             store_task_new (self, cancellable, callback, user_data,
                             haul_store_open_async, "[haul] store open"),
             FALSE);
}

/**
 * haul_store_open_finish:
 * @moved_aside: (out) (optional) (transfer full): where a damaged database
 *   was moved, or %NULL if none was; tell the user once
 *
 * Returns: %TRUE if the store is open. Otherwise @error says why
 * (%HAUL_STORE_ERROR_UNWRITABLE for a read-only or uncreatable folder,
 * %HAUL_STORE_ERROR_NEWER_VERSION, …) and the store drops what it is given.
 */
gboolean
haul_store_open_finish (HaulStore     *self,
                        GAsyncResult  *result,
                        char         **moved_aside,
                        GError       **error)
{
  g_return_val_if_fail (HAUL_IS_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == haul_store_open_async, FALSE);

  if (moved_aside != NULL)
    *moved_aside = NULL;
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (moved_aside != NULL)
    *moved_aside = g_strdup (g_task_get_task_data (G_TASK (result)));
  return TRUE;
}

/**
 * haul_store_save:
 * @record: the whole record; a copy is posted
 *
 * Inserts or replaces the record with @record->id.
 */
void
haul_store_save (HaulStore             *self,
                 const HaulStoreRecord *record)
{
  HaulStoreCommand *cmd;

  g_return_if_fail (HAUL_IS_STORE (self));
  g_return_if_fail (CHECK_THREAD (self));
  g_return_if_fail (record != NULL);
  g_return_if_fail (record->uri != NULL && record->directory != NULL);

  if (self->closed)
    return;

  cmd = command_new (HAUL_STORE_COMMAND_SAVE);
  cmd->record = haul_store_record_copy (record);
  cmd->id = record->id;
  post (self, cmd);
}

void
haul_store_delete (HaulStore *self,
                   guint64    id)
{
  HaulStoreCommand *cmd;

  g_return_if_fail (HAUL_IS_STORE (self));
  g_return_if_fail (CHECK_THREAD (self));

  if (self->closed)
    return;

  cmd = command_new (HAUL_STORE_COMMAND_DELETE);
  cmd->id = id;
  post (self, cmd);
}

/**
 * haul_store_delete_many:
 * @ids: (element-type guint64) (transfer full): the records to delete
 *
 * Deletes many records with one command (a bulk removal): the writer
 * applies it in one transaction with whatever else is queued.
 */
void
haul_store_delete_many (HaulStore *self,
                        GArray    *ids)
{
  HaulStoreCommand *cmd;

  g_return_if_fail (HAUL_IS_STORE (self));
  g_return_if_fail (CHECK_THREAD (self));

  if (self->closed || ids->len == 0)
    {
      g_array_unref (ids);
      return;
    }

  cmd = command_new (HAUL_STORE_COMMAND_DELETE_MANY);
  cmd->ids = ids;
  post (self, cmd);
}

/**
 * haul_store_save_positions:
 * @positions: (element-type HaulStorePosition) (transfer full): new
 *   positions of saved records
 *
 * Changes only the position of each record (the rest of the list moved
 * up after a removal), with one command.
 */
void
haul_store_save_positions (HaulStore *self,
                           GArray    *positions)
{
  HaulStoreCommand *cmd;

  g_return_if_fail (HAUL_IS_STORE (self));
  g_return_if_fail (CHECK_THREAD (self));

  if (self->closed || positions->len == 0)
    {
      g_array_unref (positions);
      return;
    }

  cmd = command_new (HAUL_STORE_COMMAND_SET_POSITIONS);
  cmd->positions = positions;
  post (self, cmd);
}

/**
 * haul_store_delete_finished:
 *
 * Deletes every completed record ("Clear finished").
 */
void
haul_store_delete_finished (HaulStore *self)
{
  g_return_if_fail (HAUL_IS_STORE (self));
  g_return_if_fail (CHECK_THREAD (self));

  if (self->closed)
    return;

  post (self, command_new (HAUL_STORE_COMMAND_DELETE_FINISHED));
}

/**
 * haul_store_load_async:
 * @chunk_func: receives the records in queue order, a chunk per idle
 * @chunk_data: data for @chunk_func
 * @callback: called once after the last chunk
 *
 * Reads every record (after everything posted before this call is
 * committed) in the writer thread and delivers them to the main context in
 * chunks of up to %HAUL_STORE_LOAD_CHUNK at %G_PRIORITY_DEFAULT_IDLE. Rows
 * that cannot be used are skipped and counted. After @cancellable is
 * cancelled no further chunk is delivered.
 */
void
haul_store_load_async (HaulStore              *self,
                       HaulStoreLoadChunkFunc  chunk_func,
                       gpointer                chunk_data,
                       GCancellable           *cancellable,
                       GAsyncReadyCallback     callback,
                       gpointer                user_data)
{
  GTask *task;
  HaulStoreLoadOp *op;
  HaulStoreCommand *cmd;

  g_return_if_fail (HAUL_IS_STORE (self));
  g_return_if_fail (CHECK_THREAD (self));
  g_return_if_fail (chunk_func != NULL);

  task = store_task_new (self, cancellable, callback, user_data,
                         haul_store_load_async, "[haul] store load");
  if (self->closed)
    {
      return_closed (task);
      g_object_unref (task);
      return;
    }

  op = g_new0 (HaulStoreLoadOp, 1);
  op->task = task;
  op->store = self;
  op->chunk_func = chunk_func;
  op->chunk_data = chunk_data;
  op->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  op->context = g_main_context_ref (self->context);
  g_mutex_init (&op->mutex);
  g_task_set_task_data (task, op, (GDestroyNotify) load_op_free);

  cmd = command_new (HAUL_STORE_COMMAND_LOAD);
  cmd->load = op;
  post (self, cmd);
}

/**
 * haul_store_load_finish:
 * @n_loaded: (out) (optional): records delivered
 * @n_skipped: (out) (optional): damaged rows skipped
 */
gboolean
haul_store_load_finish (HaulStore     *self,
                        GAsyncResult  *result,
                        guint         *n_loaded,
                        guint         *n_skipped,
                        GError       **error)
{
  HaulStoreLoadOp *op;

  g_return_val_if_fail (HAUL_IS_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == haul_store_load_async, FALSE);

  op = g_task_get_task_data (G_TASK (result));
  if (n_loaded != NULL)
    *n_loaded = op != NULL ? op->n_loaded : 0;
  if (n_skipped != NULL)
    *n_skipped = op != NULL ? op->n_skipped : 0;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * haul_store_flush_async:
 *
 * Completes once everything posted before it is committed (or dropped, if
 * the store is not open).
 */
void
haul_store_flush_async (HaulStore           *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (HAUL_IS_STORE (self));
  g_return_if_fail (CHECK_THREAD (self));

  post_task (self, HAUL_STORE_COMMAND_FLUSH,
             store_task_new (self, cancellable, callback, user_data,
                             haul_store_flush_async, "[haul] store flush"),
             TRUE);
}

gboolean
haul_store_flush_finish (HaulStore     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (HAUL_IS_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == haul_store_flush_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * haul_store_close:
 *
 * Applies everything posted so far, closes the database and joins the
 * writer thread. This waits for the disk: call it at shutdown only.
 * Results of operations posted before still arrive on the main context.
 * Later saves and deletes are ignored. Called by finalize if needed.
 */
void
haul_store_close (HaulStore *self)
{
  g_return_if_fail (HAUL_IS_STORE (self));
  g_return_if_fail (CHECK_THREAD (self));

  self->closed = TRUE;
  if (self->thread == NULL)
    return;

  post (self, command_new (HAUL_STORE_COMMAND_QUIT));
  g_thread_join (g_steal_pointer (&self->thread));
}

