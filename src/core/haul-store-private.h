/* haul-store-private.h — what haul-store.c and haul-store-writer.c share
 *
 * The crossing between the two threads of a store: the main thread (the
 * HaulStore object, haul-store.c) posts HaulStoreCommands to a
 * GAsyncQueue; the writer thread (haul-store-writer.c) pops them, and hands
 * results back by attaching an idle on the store's main context whose
 * callback is one of the two declared at the end of this file. Nothing
 * else passes between them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "haul-store.h"

G_BEGIN_DECLS

typedef enum
{
  HAUL_STORE_COMMAND_OPEN,
  HAUL_STORE_COMMAND_SAVE,
  HAUL_STORE_COMMAND_DELETE,
  HAUL_STORE_COMMAND_DELETE_FINISHED,
  HAUL_STORE_COMMAND_DELETE_MANY,
  HAUL_STORE_COMMAND_SET_POSITIONS,
  HAUL_STORE_COMMAND_LOAD,
  HAUL_STORE_COMMAND_FLUSH,
  HAUL_STORE_COMMAND_QUIT,
} HaulStoreCommandKind;

typedef struct _HaulStoreLoadOp HaulStoreLoadOp;

/* Made on the main thread and posted; the writer either frees it (SAVE,
 * DELETE, DELETE_FINISHED, DELETE_MANY, SET_POSITIONS, LOAD, QUIT) or sends it back with
 * _haul_store_complete_cb (OPEN, FLUSH), which returns its task. */
typedef struct
{
  HaulStoreCommandKind  kind;
  guint64               id;        /* SAVE (copy of record->id), DELETE */
  HaulStoreRecord      *record;    /* SAVE */
  GArray               *ids;       /* DELETE_MANY: guint64 */
  GArray               *positions; /* SET_POSITIONS: HaulStorePosition */
  GTask                *task;      /* OPEN, FLUSH: only ever released on the main context */
  HaulStoreLoadOp      *load;      /* LOAD: not owned */

  /* Results, written by the writer before the command is sent back. */
  GError               *error;
  char                 *moved_aside;
} HaulStoreCommand;

/* Frees @cmd on whichever thread holds it last. A command that still has
 * a task is only ever freed on the main context. */
void _haul_store_command_free (HaulStoreCommand *cmd);

/* A load in progress. Owned by the main side: the writer fills @chunks and
 * sets @done under @mutex and never touches the op again after that; the
 * main side frees it (with the task) once it saw @done and delivered every
 * chunk. */
struct _HaulStoreLoadOp
{
  GTask                  *task;          /* main side */
  HaulStore              *store;         /* unowned; the task holds a ref */
  HaulStoreLoadChunkFunc  chunk_func;
  gpointer                chunk_data;
  GCancellable           *cancellable;   /* thread-safe */
  GMainContext           *context;

  GMutex                  mutex;
  GQueue                  chunks;        /* GPtrArray of HaulStoreRecord, under @mutex */
  gboolean                done;          /* under @mutex */
  gboolean                idle_pending;  /* under @mutex */
  GError                 *error;         /* written by the writer before @done */
  guint                   n_loaded;      /* ditto */
  guint                   n_skipped;     /* ditto */
};

/* haul-store-writer.c: starts the writer thread, which pops @commands
 * until a QUIT, and attaches its results to @context. It keeps its own
 * references to both and its own copy of @path. */
GThread *_haul_store_writer_start (const char   *path,
                                   GAsyncQueue  *commands,
                                   GMainContext *context);

/* haul-store.c: the main side of the two crossings back. The writer
 * attaches an idle with one of these on the store's main context. */
gboolean _haul_store_complete_cb  (gpointer      command);
gboolean _haul_store_load_idle_cb (gpointer      load_op);

G_END_DECLS
