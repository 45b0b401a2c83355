/* haul-queue.c — the list of downloads
 *
 * HaulQueue is a GListModel of HaulDownload, main thread only. It starts
 * at most max-active downloads at a time; each attempt is a GTask whose data
 * is an immutable HaulJob snapshot, run on the queue's own worker pool.
 * Progress comes back through one coalesced idle (HaulProgressBridge);
 * completion through the task's callback, which publishes the final
 * counters before it changes the state, then starts the next download.
 *
 * This file holds the GObject, the list and its edits (add, remove, move)
 * and the queue's properties; the rest is split by concern, see
 * haul-queue-private.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-queue"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "haul-backoff.h"
#include "haul-part-file.h"
#include "haul-queue-private.h"
#include "haul-store.h"
#include "haul-uri-list.h"

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HaulQueue, haul_queue, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_MAX_ACTIVE,
  PROP_MAX_CONNECTIONS,
  PROP_MAX_CONNECTIONS_PER_SERVER,
  PROP_RATE_LIMIT,
  PROP_N_ACTIVE,
  PROP_SPEED,
  PROP_N_ITEMS,
  PROP_CONNECT_TIMEOUT,
  PROP_STALL_TIMEOUT,
  PROP_MAX_RETRIES,
  PROP_RETRY_BASE_DELAY,
  PROP_HOLD,
  PROP_POWER_SAVER,
  N_PROPS
};

enum {
  DOWNLOAD_FINISHED,
  IDLE,
  DOWNLOAD_NEEDS_PASSWORD,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
download_notify_cb (HaulDownload *d,
                    GParamSpec   *pspec,
                    HaulQueue    *self)
{
  const char *name = pspec->name;
  HaulQueueItem *item = _haul_queue_lookup (self, d);

  if (item == NULL)
    return;
  if (g_str_equal (name, "state") || g_str_equal (name, "total") || g_str_equal (name, "received"))
    _haul_queue_totals_update (self, item);
  /* A download that waits again moves the scheduler's cursor back. */
  if (g_str_equal (name, "state"))
    _haul_queue_note_waiting (self, item);
  /* Progress is saved by the checkpoint tick, not on every publication. */
  if (g_str_equal (name, "received") || g_str_equal (name, "fraction") ||
      g_str_equal (name, "speed") || g_str_equal (name, "eta"))
    return;
  _haul_queue_mark_dirty (self, item);
}

/* ------------------------------------------------------------------ */
/* GListModel */

static GType
list_model_get_item_type (GListModel *model)
{
  return HAUL_TYPE_DOWNLOAD;
}

static guint
list_model_get_n_items (GListModel *model)
{
  return HAUL_QUEUE (model)->items->len;
}

static gpointer
list_model_get_item (GListModel *model,
                     guint       position)
{
  HaulQueue *self = HAUL_QUEUE (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (((HaulQueueItem *) g_ptr_array_index (self->items, position))->download);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = list_model_get_item_type;
  iface->get_n_items = list_model_get_n_items;
  iface->get_item = list_model_get_item;
}

void
_haul_queue_items_changed (HaulQueue *self,
                           guint      position,
                           guint      removed,
                           guint      added)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* ------------------------------------------------------------------ */
/* Progress publication (main thread) */

/* The queue's speed: what the running downloads add up to. */
void
_haul_queue_update_speed (HaulQueue *self)
{
  gdouble speed = 0;

  for (guint i = 0; i < self->running->len; i++)
    {
      HaulQueueItem *item = g_ptr_array_index (self->running, i);

      speed += haul_download_get_speed (item->download);
    }

  if (speed != self->speed)
    {
      self->speed = speed;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEED]);
    }
}

void
_haul_queue_set_n_active (HaulQueue *self,
                          guint      n_active)
{
  if (self->n_active == n_active)
    return;
  self->n_active = n_active;
  _haul_queue_update_tick (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ACTIVE]);
}

/* Forgets @d's partial file: deleted off the main thread, then its name is
 * free for other downloads (haul_part_file_forget()). */
void
_haul_queue_forget_part (HaulQueue    *self,
                         HaulDownload *d)
{
  if (d->filename == NULL || d->state == HAUL_DOWNLOAD_STATE_COMPLETED)
    return;

  if (self->exiting)
    haul_part_file_forget_now (d->directory, d->filename, self->claims);
  else
    haul_part_file_forget (d->directory, d->filename, self->claims);

  _haul_download_set_filename (d, NULL);
  _haul_download_set_validators (d, NULL, NULL, NULL);
  _haul_download_set_segments_text (d, NULL);
  _haul_download_set_progress (d, 0, d->total);
}

/* ------------------------------------------------------------------ */
/* What the scheduler reports back */

void
_haul_queue_finish_inactive (HaulQueue         *self,
                             HaulDownload      *d,
                             HaulDownloadState  state)
{
  gboolean in_list = _haul_queue_lookup (self, d) != NULL;

  /* Written ranges only matter to a .part that is still there (a
   * download cancelled with an Undo keeps its own until the Undo is gone). */
  if (state == HAUL_DOWNLOAD_STATE_COMPLETED ||
      (state == HAUL_DOWNLOAD_STATE_CANCELLED && d->filename == NULL))
    _haul_download_set_segments_text (d, NULL);
  _haul_download_set_state (d, state);
  /* A download removed from the list is not announced any more. */
  if (haul_download_is_finished (d) && in_list)
    g_signal_emit (self, signals[DOWNLOAD_FINISHED], 0, d);
}

void
_haul_queue_maybe_emit_idle (HaulQueue *self)
{
  if (haul_queue_is_idle (self))
    g_signal_emit (self, signals[IDLE], 0);
}

/* ------------------------------------------------------------------ */
/* Public API */

HaulQueue *
haul_queue_new (void)
{
  return g_object_new (HAUL_TYPE_QUEUE, NULL);
}

/* What an item takes to be listed, besides its place in self->items:
 * found by its link, followed, counted. */
static void
list_item (HaulQueue     *self,
           HaulQueueItem *item)
{
  HaulDownload *d = item->download;

  item->listed = TRUE;
  g_hash_table_insert (self->by_uri, d->uri, item);
  /* Not g_signal_connect_object(): the queue would watch one closure per
   * download, and disconnecting one would search them all. The queue
   * disconnects its handlers itself (here and in dispose). */
  item->notify_handler = g_signal_connect (d, "notify", G_CALLBACK (download_notify_cb), self);
  _haul_queue_totals_add (self, item);
}

/* The reverse, when it leaves the list (its place is the caller's). */
static void
unlist_item (HaulQueue     *self,
             HaulQueueItem *item)
{
  HaulDownload *d = item->download;

  item->listed = FALSE;
  _haul_queue_forget_override (self, item);
  _haul_queue_totals_remove (self, item);
  g_hash_table_remove (self->by_uri, d->uri);
  g_clear_signal_handler (&item->notify_handler, d);
  g_hash_table_remove (self->dirty, item);
}

/* Appends @d as it is (no items-changed: the caller emits it). Items
 * after the cursor need no scheduling bookkeeping. */
HaulQueueItem *
_haul_queue_append (HaulQueue    *self,
                    HaulDownload *d)
{
  HaulQueueItem *item = _haul_queue_item_new (self, d);

  item->position = self->items->len;
  g_ptr_array_add (self->items, item);
  list_item (self, item);
  return item;
}

/* Positions from @from on, after the list changed there. */
static void
renumber (HaulQueue *self,
          guint      from,
          guint      to)
{
  for (guint i = from; i <= to && i < self->items->len; i++)
    ((HaulQueueItem *) g_ptr_array_index (self->items, i))->position = i;
}

/**
 * haul_queue_add:
 * @uri: an http or https link, as typed
 * @directory: the folder to save into
 *
 * Returns: (transfer none) (nullable): the new download, or %NULL with
 *   @error set for an invalid link or one already in the queue
 *   (%G_IO_ERROR_EXISTS)
 */
HaulDownload *
haul_queue_add (HaulQueue   *self,
                const char  *uri,
                const char  *directory,
                GError     **error)
{
  g_autofree char *normalized = NULL;
  g_autoptr(HaulDownload) d = NULL;

  g_return_val_if_fail (HAUL_IS_QUEUE (self), NULL);
  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (directory != NULL, NULL);

  normalized = haul_uri_normalize (uri, error);
  if (normalized == NULL)
    return NULL;

  if (g_hash_table_contains (self->by_uri, normalized))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("%s is already in the list"), normalized);
      return NULL;
    }

  d = haul_download_new (normalized, directory);
  _haul_queue_mark_dirty (self, _haul_queue_append (self, d));
  _haul_queue_items_changed (self, self->items->len - 1, 0, 1);
  _haul_queue_schedule (self);
  return d;
}

/* A download of @uri carrying @context's cookies of its own site only. */
static HaulDownload *
download_new_with_context (const char         *uri,
                           const char         *directory,
                           HaulRequestContext *context)
{
  HaulDownload *d = haul_download_new (uri, directory);

  if (!haul_request_context_is_empty (context))
    {
      g_autoptr(HaulRequestContext) own = haul_request_context_copy_for_site (context, uri);

      haul_download_set_request_context (d, own);
    }
  return d;
}

/**
 * haul_queue_add_with_checksum:
 * @uri: a normalized link (from #HaulUriList)
 * @checksum: "ALGORITHM:HEX", checked when the file is complete
 *
 * Returns: (transfer none) (nullable): the new download, or %NULL with
 *   @error set when @uri is already in the queue (%G_IO_ERROR_EXISTS) or
 *   @checksum is not valid
 */
HaulDownload *
haul_queue_add_with_checksum (HaulQueue   *self,
                              const char  *uri,
                              const char  *directory,
                              const char  *checksum,
                              GError     **error)
{
  return haul_queue_add_full (self, uri, directory, checksum, NULL, error);
}

/**
 * haul_queue_add_full:
 * @uri: a normalized link (from #HaulUriList)
 * @checksum: (nullable): "ALGORITHM:HEX", checked when the file is complete
 * @context: (nullable) (transfer none): as for haul_queue_add_uris_with_context()
 *
 * Returns: (transfer none) (nullable): the new download, or %NULL with
 *   @error set when @uri is already in the queue (%G_IO_ERROR_EXISTS) or
 *   @checksum is not valid
 */
HaulDownload *
haul_queue_add_full (HaulQueue           *self,
                     const char          *uri,
                     const char          *directory,
                     const char          *checksum,
                     HaulRequestContext  *context,
                     GError             **error)
{
  g_autoptr(HaulDownload) d = NULL;

  g_return_val_if_fail (HAUL_IS_QUEUE (self), NULL);

  if (g_hash_table_contains (self->by_uri, uri))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("%s is already in the list"), uri);
      return NULL;
    }
  d = download_new_with_context (uri, directory, context);
  if (!haul_download_set_checksum (d, checksum, error))
    return NULL;
  haul_queue_add_download (self, d);
  return d;
}

/**
 * haul_queue_add_download:
 * @download: a new download, not yet in any queue, with a normalized link
 *   not yet in this queue
 *
 * Appends @download as it is (set its checksum or limit first).
 */
void
haul_queue_add_download (HaulQueue    *self,
                         HaulDownload *download)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));
  g_return_if_fail (HAUL_IS_DOWNLOAD (download));
  g_return_if_fail (!g_hash_table_contains (self->by_uri, download->uri));

  _haul_queue_mark_dirty (self, _haul_queue_append (self, download));
  _haul_queue_items_changed (self, self->items->len - 1, 0, 1);
  _haul_queue_schedule (self);
}

/**
 * haul_queue_add_uris:
 * @uris: normalized links (from #HaulUriList)
 * @n_duplicates: (out) (optional): how many were already in the queue
 *
 * Adds many links with one items-changed emission.
 *
 * Returns: the number added
 */
guint
haul_queue_add_uris (HaulQueue       *self,
                     const GPtrArray *uris,
                     const char      *directory,
                     guint           *n_duplicates)
{
  return haul_queue_add_uris_with_context (self, uris, directory, NULL, n_duplicates);
}

/**
 * haul_queue_add_uris_with_context:
 * @context: (nullable) (transfer none): what every request of each new
 *   download carries; each download keeps a copy with the cookies of its
 *   own site only (haul_request_context_copy_for_site())
 *
 * Like haul_queue_add_uris().
 */
guint
haul_queue_add_uris_with_context (HaulQueue          *self,
                                  const GPtrArray    *uris,
                                  const char         *directory,
                                  HaulRequestContext *context,
                                  guint              *n_duplicates)
{
  guint before = self->items->len;
  guint dups = 0;

  g_return_val_if_fail (HAUL_IS_QUEUE (self), 0);

  for (guint i = 0; i < uris->len; i++)
    {
      const char *uri = g_ptr_array_index (uris, i);
      g_autoptr(HaulDownload) d = NULL;

      if (g_hash_table_contains (self->by_uri, uri))
        {
          dups++;
          continue;
        }
      d = download_new_with_context (uri, directory, context);
      _haul_queue_mark_dirty (self, _haul_queue_append (self, d));
    }

  if (n_duplicates != NULL)
    *n_duplicates = dups;
  if (self->items->len > before)
    {
      _haul_queue_items_changed (self, before, 0, self->items->len - before);
      _haul_queue_schedule (self);
    }
  return self->items->len - before;
}

/**
 * haul_queue_add_with_context:
 * @uri: a link (normalized here)
 * @context: (nullable) (transfer none): as for haul_queue_add_uris_with_context()
 *
 * Returns: (transfer none) (nullable): the new download, or %NULL with
 *   @error set as by haul_queue_add()
 */
HaulDownload *
haul_queue_add_with_context (HaulQueue           *self,
                             const char          *uri,
                             const char          *directory,
                             HaulRequestContext  *context,
                             GError             **error)
{
  g_autofree char *normalized = NULL;

  g_return_val_if_fail (HAUL_IS_QUEUE (self), NULL);
  g_return_val_if_fail (uri != NULL && directory != NULL, NULL);

  normalized = haul_uri_normalize (uri, error);
  if (normalized == NULL)
    return NULL;
  return haul_queue_add_full (self, normalized, directory, NULL, context, error);
}

HaulDownload *
haul_queue_find_by_uri (HaulQueue  *self,
                        const char *uri)
{
  HaulQueueItem *item = g_hash_table_lookup (self->by_uri, uri);

  return item != NULL ? item->download : NULL;
}

/**
 * haul_queue_get_download:
 *
 * Returns: (transfer none) (nullable): the download at @position
 */
HaulDownload *
haul_queue_get_download (HaulQueue *self,
                         guint      position)
{
  if (position >= self->items->len)
    return NULL;
  return ((HaulQueueItem *) g_ptr_array_index (self->items, position))->download;
}

gboolean
haul_queue_get_position (HaulQueue    *self,
                         HaulDownload *download,
                         guint        *position)
{
  HaulQueueItem *item = _haul_queue_lookup (self, download);

  if (item == NULL)
    return FALSE;
  if (position != NULL)
    *position = item->position;
  return TRUE;
}

/**
 * haul_queue_remove:
 *
 * Takes @download out of the list. An unfinished download is stopped and its
 * partial file deleted; a completed file stays on disk.
 */
void
haul_queue_remove (HaulQueue    *self,
                   HaulDownload *download)
{
  g_autoptr(GPtrArray) one = g_ptr_array_new ();

  g_return_if_fail (HAUL_IS_QUEUE (self));

  g_ptr_array_add (one, download);
  haul_queue_remove_many (self, one, NULL);
}

/* More places than this in one edit: one items-changed over the whole span
 * instead of one per run (each run would move the rest of the list). */
#define MAX_RUNS 16

/* Marks the listed items of @downloads (listed = FALSE) and returns them in
 * queue order, with the first position. */
static GPtrArray *
mark_for_removal (HaulQueue *self,
                  GPtrArray *downloads,
                  guint     *first)
{
  GPtrArray *marked = g_ptr_array_new ();

  *first = G_MAXUINT;
  for (guint i = 0; i < downloads->len; i++)
    {
      HaulQueueItem *item = _haul_queue_lookup (self, g_ptr_array_index (downloads, i));

      if (item == NULL || !item->listed)
        continue;
      item->listed = FALSE;
      *first = MIN (*first, item->position);
      g_ptr_array_add (marked, item);
    }
  return marked;
}

/* Takes the marked items out of self->items (steals their references into
 * @removed, in queue order) and tells the list's watchers: one
 * items-changed per run of neighbours, or one over the whole span when
 * there are many runs. Every model state a watcher sees is the real one. */
static void
take_out_marked (HaulQueue *self,
                 guint      first,
                 GPtrArray *removed)
{
  GPtrArray *items = self->items;
  guint n = items->len, j = first, runs = 0, last = first;

  for (guint i = first; i < n; i++)
    {
      HaulQueueItem *item = g_ptr_array_index (items, i);

      if (item->listed)
        continue;
      if (i == first || ((HaulQueueItem *) g_ptr_array_index (items, i - 1))->listed)
        runs++;
      last = i;
    }

  if (runs <= MAX_RUNS)
    {
      /* Run by run from the end: each one removed and announced as it is. */
      for (guint i = last + 1; i-- > first;)
        {
          guint end = i + 1;

          if (((HaulQueueItem *) g_ptr_array_index (items, i))->listed)
            continue;
          while (i > first && !((HaulQueueItem *) g_ptr_array_index (items, i - 1))->listed)
            i--;
          for (guint k = end; k-- > i;)
            g_ptr_array_add (removed, g_ptr_array_index (items, k));
          g_ptr_array_set_free_func (items, NULL);
          g_ptr_array_remove_range (items, i, end - i);
          g_ptr_array_set_free_func (items, (GDestroyNotify) _haul_queue_item_unref);
          renumber (self, i, items->len - 1);
          _haul_queue_items_changed (self, i, end - i, 0);
        }
      for (guint a = 0, b = removed->len; a + 1 < b; a++, b--)
        {
          gpointer t = removed->pdata[a];

          removed->pdata[a] = removed->pdata[b - 1];
          removed->pdata[b - 1] = t;
        }
      return;
    }

  /* Many runs: compact in one pass, then one items-changed for the span. */
  for (guint i = first; i < n; i++)
    {
      HaulQueueItem *item = g_ptr_array_index (items, i);

      if (!item->listed)
        {
          g_ptr_array_add (removed, item);
          continue;
        }
      item->position = j;
      items->pdata[j++] = item;
    }
  g_ptr_array_set_free_func (items, NULL);
  g_ptr_array_set_size (items, j);
  g_ptr_array_set_free_func (items, (GDestroyNotify) _haul_queue_item_unref);
  _haul_queue_items_changed (self, first, last + 1 - first, last + 1 - first - removed->len);
}

/* Stops what @item runs; without @undo its partial file goes now. */
static void
stop_removed (HaulQueue     *self,
              HaulQueueItem *item,
              HaulQueueUndo *undo)
{
  HaulDownload *d = item->download;

  if (undo == NULL)
    {
      if (!_haul_queue_stop_active (self, item, HAUL_PENDING_REMOVE) &&
          d->state != HAUL_DOWNLOAD_STATE_COMPLETED)
        _haul_queue_forget_part (self, d);
      return;
    }
  /* Kept as it was, inert: paused while nothing lists it. */
  if (!_haul_queue_stop_active (self, item, HAUL_PENDING_DETACH) &&
      (d->state == HAUL_DOWNLOAD_STATE_QUEUED || haul_download_is_active (d)))
    _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_PAUSED);
}

/**
 * haul_queue_remove_many:
 * @downloads: (element-type HaulDownload): downloads of this queue, in any
 *   order (ones not listed are skipped)
 * @undo: (nullable): where to note what was removed, so that
 *   haul_queue_undo_step() can put it back; %NULL to remove for good
 *
 * Takes many downloads out of the list at once: one items-changed per run
 * of neighbours, the rest of the list renumbered once, one command to the
 * store. Running ones are stopped. Without @undo, partial files are
 * deleted (as haul_queue_remove() does); with it they are kept until
 * haul_queue_undo_commit().
 */
void
haul_queue_remove_many (HaulQueue     *self,
                        GPtrArray     *downloads,
                        HaulQueueUndo *undo)
{
  g_autoptr(GPtrArray) marked = NULL;
  g_autoptr(GPtrArray) removed = NULL;
  g_autoptr(GArray) ids = NULL;
  guint first, cursor_shift = 0;

  g_return_if_fail (HAUL_IS_QUEUE (self));
  g_return_if_fail (downloads != NULL);

  marked = mark_for_removal (self, downloads, &first);
  if (marked->len == 0)
    return;

  removed = g_ptr_array_new_full (marked->len, (GDestroyNotify) _haul_queue_item_unref);
  ids = g_array_sized_new (FALSE, FALSE, sizeof (guint64), marked->len);
  /* Before the list changes: their places, for an Undo. */
  for (guint i = 0; i < marked->len; i++)
    {
      HaulQueueItem *item = g_ptr_array_index (marked, i);

      item->listed = TRUE;
      unlist_item (self, item);
      if (item->position < self->cursor)
        cursor_shift++;
      g_array_append_val (ids, item->download->id);
    }
  take_out_marked (self, first, removed);
  self->cursor -= cursor_shift;

  if (self->store != NULL)
    {
      haul_store_delete_many (self->store, g_steal_pointer (&ids));
      _haul_queue_positions_moved (self, first);
    }

  /* In queue order, with the places they had before this removal. */
  for (guint i = 0; i < removed->len; i++)
    {
      HaulQueueItem *item = g_ptr_array_index (removed, i);

      if (undo != NULL)
        _haul_queue_undo_add (undo, item->download, TRUE, item->position, item->download->state);
      stop_removed (self, item, undo);
    }
  if (undo != NULL)
    _haul_queue_undo_end_slice (self, undo);
  _haul_queue_schedule (self);
  _haul_queue_maybe_emit_idle (self);
}

/* Builds the list with @items (not listed) at @positions (ascending,
 * each the item's place once all of them are in, clamped to the end), in
 * one pass: one items-changed per run, or over the span. */
void
_haul_queue_insert_items (HaulQueue   *self,
                          GPtrArray   *items,
                          const guint *positions)
{
  GPtrArray *old = self->items;
  guint n_old = old->len, n_new = n_old + items->len;
  guint first, last, runs = 0;
  gboolean prev_inserted = FALSE;
  GPtrArray *merged;

  if (items->len == 0)
    return;

  merged = g_ptr_array_new_full (n_new, (GDestroyNotify) _haul_queue_item_unref);
  for (guint i = 0, k = 0, o = 0; i < n_new; i++)
    {
      gboolean insert = k < items->len && (positions[k] <= i || o == n_old);

      if (insert && !prev_inserted)
        runs++;
      prev_inserted = insert;
      if (insert)
        {
          HaulQueueItem *item = g_ptr_array_index (items, k++);

          g_ptr_array_add (merged, _haul_queue_item_ref (item));
          item->position = i;
          list_item (self, item);
          _haul_queue_mark_dirty (self, item);
        }
      else
        g_ptr_array_add (merged, old->pdata[o++]);
    }
  first = ((HaulQueueItem *) g_ptr_array_index (items, 0))->position;
  last = ((HaulQueueItem *) g_ptr_array_index (items, items->len - 1))->position;

  /* The old array's references moved to the new one. */
  g_ptr_array_set_free_func (old, NULL);
  g_ptr_array_unref (old);
  self->items = merged;
  renumber (self, first, n_new - 1);
  self->cursor = MIN (self->cursor, first);
  if (self->store != NULL)
    _haul_queue_positions_moved (self, first);

  if (runs <= 1)
    _haul_queue_items_changed (self, first, 0, items->len);
  else
    _haul_queue_items_changed (self, first, last + 1 - first - items->len, last + 1 - first);
  _haul_queue_schedule (self);
}

/**
 * haul_queue_move:
 * @position: the new position, clamped to the list
 */
gboolean
haul_queue_move (HaulQueue    *self,
                 HaulDownload *download,
                 guint         position)
{
  HaulQueueItem *item;
  guint from;

  g_return_val_if_fail (HAUL_IS_QUEUE (self), FALSE);

  item = _haul_queue_lookup (self, download);
  if (item == NULL)
    return FALSE;
  from = item->position;
  position = MIN (position, self->items->len - 1);
  if (position == from)
    return FALSE;

  g_ptr_array_steal_index (self->items, from);
  g_ptr_array_insert (self->items, position, item);
  renumber (self, MIN (from, position), MAX (from, position));
  /* What moved in front of the cursor may wait: look there again. */
  self->cursor = MIN (self->cursor, MIN (from, position));
  _haul_queue_mark_range_dirty (self, MIN (from, position), MAX (from, position));
  _haul_queue_items_changed (self, MIN (from, position), ABS ((int) from - (int) position) + 1,
                 ABS ((int) from - (int) position) + 1);
  return TRUE;
}

gboolean
haul_queue_move_up (HaulQueue    *self,
                    HaulDownload *download)
{
  guint pos;

  if (!haul_queue_get_position (self, download, &pos) || pos == 0)
    return FALSE;
  return haul_queue_move (self, download, pos - 1);
}

gboolean
haul_queue_move_down (HaulQueue    *self,
                      HaulDownload *download)
{
  guint pos;

  if (!haul_queue_get_position (self, download, &pos))
    return FALSE;
  return haul_queue_move (self, download, pos + 1);
}

guint
haul_queue_get_max_active (HaulQueue *self)
{
  return self->max_active;
}

/**
 * haul_queue_set_max_active:
 * @max_active: 1 to %HAUL_MAX_CONCURRENCY; other values are clamped
 *
 * Takes effect at once: a higher limit starts waiting downloads now; with
 * a lower one the downloads over it go back to the queue, keeping their
 * partial files, and continue from where they stopped when a slot frees
 * (_haul_queue_yield_extra()).
 */
void
haul_queue_set_max_active (HaulQueue *self,
                           guint      max_active)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));

  max_active = CLAMP (max_active, 1, HAUL_MAX_CONCURRENCY);
  if (self->max_active == max_active)
    return;

  self->max_active = max_active;
  haul_worker_pool_set_max_threads (self->pool, MAX (max_active, self->n_active));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_ACTIVE]);
  _haul_queue_yield_extra (self);
  _haul_queue_schedule (self);
}

guint
haul_queue_get_max_connections (HaulQueue *self)
{
  g_return_val_if_fail (HAUL_IS_QUEUE (self), 1);

  return self->max_connections;
}

/**
 * haul_queue_set_max_connections:
 * @max_connections: connections per download, 1 to %HAUL_MAX_CONNECTIONS
 *   (clamped); 1 fetches every file in one stream
 *
 * Takes effect at once, running downloads included: they open more
 * connections, or close their extra ones as they reach a write boundary.
 */
void
haul_queue_set_max_connections (HaulQueue *self,
                                guint      max_connections)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));

  max_connections = CLAMP (max_connections, 1, HAUL_MAX_CONNECTIONS);
  if (self->max_connections == max_connections)
    return;

  self->max_connections = max_connections;
  for (guint i = 0; i < self->running->len; i++)
    {
      HaulQueueItem *item = g_ptr_array_index (self->running, i);

      if (item->job != NULL)
        item->job->max_connections = (int) _haul_queue_effective_max_connections (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_CONNECTIONS]);
}

guint
haul_queue_get_max_connections_per_server (HaulQueue *self)
{
  g_return_val_if_fail (HAUL_IS_QUEUE (self), 1);

  return self->max_per_server;
}

/**
 * haul_queue_set_max_connections_per_server:
 * @max_per_server: connections to one server, every download from it
 *   together, 1 to %HAUL_MAX_CONNECTIONS (clamped)
 *
 * Applies to connections opened from now on.
 */
void
haul_queue_set_max_connections_per_server (HaulQueue *self,
                                           guint      max_per_server)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));

  max_per_server = CLAMP (max_per_server, 1, HAUL_MAX_CONNECTIONS);
  if (self->max_per_server == max_per_server)
    return;

  self->max_per_server = max_per_server;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_CONNECTIONS_PER_SERVER]);
}

gint64
haul_queue_get_rate_limit (HaulQueue *self)
{
  return haul_rate_limiter_get_rate (self->limiter);
}

/**
 * haul_queue_set_rate_limit:
 * @bytes_per_second: 0 for no limit
 *
 * The global limit, shared by every download; running ones follow it at once.
 */
void
haul_queue_set_rate_limit (HaulQueue *self,
                           gint64     bytes_per_second)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));

  bytes_per_second = MAX (bytes_per_second, 0);
  if (haul_rate_limiter_get_rate (self->limiter) == bytes_per_second)
    return;
  haul_rate_limiter_set_rate (self->limiter, bytes_per_second);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE_LIMIT]);
}

/**
 * haul_queue_set_download_rate_limit:
 * @bytes_per_second: 0 for no limit of its own
 *
 * @download's own limit (the global one applies too); a running attempt
 * follows it at once.
 */
void
haul_queue_set_download_rate_limit (HaulQueue    *self,
                                    HaulDownload *download,
                                    gint64        bytes_per_second)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));
  _haul_download_set_rate_limit (download, bytes_per_second);
}

/**
 * haul_queue_clear_finished:
 *
 * Removes completed downloads from the list and the store; their files
 * stay on disk.
 *
 * Returns: how many were removed
 */
guint
haul_queue_clear_finished (HaulQueue *self)
{
  g_autoptr(GPtrArray) done = g_ptr_array_new ();

  g_return_val_if_fail (HAUL_IS_QUEUE (self), 0);

  if (haul_queue_get_n_in_state (self, HAUL_DOWNLOAD_STATE_COMPLETED) == 0)
    return 0;
  for (guint i = 0; i < self->items->len; i++)
    {
      HaulDownload *d = haul_queue_get_download (self, i);

      if (d->state == HAUL_DOWNLOAD_STATE_COMPLETED)
        g_ptr_array_add (done, d);
    }
  haul_queue_remove_many (self, done, NULL);
  return done->len;
}

guint
haul_queue_get_n_active (HaulQueue *self)
{
  return self->n_active;
}

guint
haul_queue_get_n_waiting (HaulQueue *self)
{
  return haul_queue_get_n_in_state (self, HAUL_DOWNLOAD_STATE_QUEUED);
}

gdouble
haul_queue_get_speed (HaulQueue *self)
{
  return self->speed;
}

/**
 * haul_queue_is_idle:
 *
 * Returns: %TRUE when nothing runs, waits to retry, or waits for a slot
 */
gboolean
haul_queue_is_idle (HaulQueue *self)
{
  return self->n_active == 0 && self->running->len == 0 && haul_queue_get_n_waiting (self) == 0;
}

guint64
haul_queue_get_n_publications (HaulQueue *self)
{
  return haul_progress_bridge_get_n_publications (self->bridge);
}

/* ------------------------------------------------------------------ */
/* GObject */

static void
haul_queue_dispose (GObject *object)
{
  HaulQueue *self = (HaulQueue *)object;

  /* Attempts hold a ref on the queue through their GTask, so none runs
   * here; only retry timers can still be pending. */
  for (guint i = 0; self->items != NULL && i < self->items->len; i++)
    {
      HaulQueueItem *item = g_ptr_array_index (self->items, i);

      g_clear_handle_id (&item->retry_source, g_source_remove);
      g_clear_signal_handler (&item->notify_handler, item->download);
    }
  g_clear_handle_id (&self->tick_source, g_source_remove);
  _haul_queue_schedule_dispose (self);
  if (self->undos != NULL)
    _haul_queue_commit_all (self);
  if (self->save_source != 0)
    _haul_queue_flush_dirty (self);
  g_clear_object (&self->store);
  if (self->bridge != NULL)
    haul_progress_bridge_detach (self->bridge);

  G_OBJECT_CLASS (haul_queue_parent_class)->dispose (object);
}

static void
haul_queue_finalize (GObject *object)
{
  HaulQueue *self = (HaulQueue *)object;

  haul_worker_pool_free (self->pool);
  g_clear_pointer (&self->bridge, haul_progress_bridge_unref);
  g_clear_pointer (&self->limiter, haul_rate_limiter_unref);
  g_clear_pointer (&self->claims, haul_name_claims_unref);
  g_clear_object (&self->proxy_resolver);
  haul_queue_set_proxy_credentials (self, NULL, NULL);
  g_clear_object (&self->clock);
  g_clear_pointer (&self->schedule, haul_schedule_free);
  g_clear_pointer (&self->running, g_ptr_array_unref);
  g_clear_pointer (&self->by_uri, g_hash_table_unref);
  g_clear_pointer (&self->dirty, g_hash_table_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->undos, g_ptr_array_unref);
  g_rand_free (self->rand);

  G_OBJECT_CLASS (haul_queue_parent_class)->finalize (object);
}

static void
haul_queue_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  HaulQueue *self = HAUL_QUEUE (object);

  switch (prop_id)
    {
    case PROP_MAX_ACTIVE: g_value_set_uint (value, self->max_active); break;
    case PROP_MAX_CONNECTIONS: g_value_set_uint (value, self->max_connections); break;
    case PROP_MAX_CONNECTIONS_PER_SERVER: g_value_set_uint (value, self->max_per_server); break;
    case PROP_RATE_LIMIT: g_value_set_int64 (value, haul_queue_get_rate_limit (self)); break;
    case PROP_N_ACTIVE: g_value_set_uint (value, self->n_active); break;
    case PROP_SPEED: g_value_set_double (value, self->speed); break;
    case PROP_N_ITEMS: g_value_set_uint (value, self->items->len); break;
    case PROP_CONNECT_TIMEOUT: g_value_set_uint (value, self->connect_timeout); break;
    case PROP_STALL_TIMEOUT: g_value_set_uint (value, self->stall_timeout); break;
    case PROP_MAX_RETRIES: g_value_set_uint (value, self->max_retries); break;
    case PROP_RETRY_BASE_DELAY: g_value_set_uint (value, self->retry_base_ms); break;
    case PROP_HOLD: g_value_set_flags (value, self->hold); break;
    case PROP_POWER_SAVER: g_value_set_boolean (value, self->power_saver); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haul_queue_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  HaulQueue *self = HAUL_QUEUE (object);

  switch (prop_id)
    {
    case PROP_MAX_ACTIVE: haul_queue_set_max_active (self, g_value_get_uint (value)); break;
    case PROP_MAX_CONNECTIONS: haul_queue_set_max_connections (self, g_value_get_uint (value)); break;
    case PROP_MAX_CONNECTIONS_PER_SERVER:
      haul_queue_set_max_connections_per_server (self, g_value_get_uint (value));
      break;
    case PROP_RATE_LIMIT: haul_queue_set_rate_limit (self, g_value_get_int64 (value)); break;
    case PROP_CONNECT_TIMEOUT: self->connect_timeout = g_value_get_uint (value); break;
    case PROP_STALL_TIMEOUT: self->stall_timeout = g_value_get_uint (value); break;
    case PROP_MAX_RETRIES: self->max_retries = g_value_get_uint (value); break;
    case PROP_RETRY_BASE_DELAY: self->retry_base_ms = g_value_get_uint (value); break;
    case PROP_POWER_SAVER: haul_queue_set_power_saver (self, g_value_get_boolean (value)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haul_queue_class_init (HaulQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = haul_queue_dispose;
  object_class->finalize = haul_queue_finalize;
  object_class->get_property = haul_queue_get_property;
  object_class->set_property = haul_queue_set_property;

  properties[PROP_MAX_ACTIVE] =
    g_param_spec_uint ("max-active", NULL, NULL, 1, HAUL_MAX_CONCURRENCY,
                       HAUL_QUEUE_DEFAULT_MAX_ACTIVE, rw);
  properties[PROP_MAX_CONNECTIONS] =
    g_param_spec_uint ("max-connections", NULL, NULL, 1, HAUL_MAX_CONNECTIONS,
                       HAUL_DEFAULT_CONNECTIONS, rw);
  properties[PROP_MAX_CONNECTIONS_PER_SERVER] =
    g_param_spec_uint ("max-connections-per-server", NULL, NULL, 1, HAUL_MAX_CONNECTIONS,
                       HAUL_DEFAULT_CONNECTIONS, rw);
  properties[PROP_RATE_LIMIT] = g_param_spec_int64 ("rate-limit", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_N_ACTIVE] = g_param_spec_uint ("n-active", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_SPEED] = g_param_spec_double ("speed", NULL, NULL, 0, G_MAXDOUBLE, 0, ro);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_CONNECT_TIMEOUT] =
    g_param_spec_uint ("connect-timeout", NULL, NULL, 0, 3600, 30, rw);
  properties[PROP_STALL_TIMEOUT] =
    g_param_spec_uint ("stall-timeout", NULL, NULL, 0, 3600, 60, rw);
  properties[PROP_MAX_RETRIES] =
    g_param_spec_uint ("max-retries", NULL, NULL, 0, 100, 5, rw);
  properties[PROP_RETRY_BASE_DELAY] =
    g_param_spec_uint ("retry-base-delay", NULL, NULL, 0, 60000, HAUL_BACKOFF_BASE_MS, rw);
  /* What keeps queued downloads from starting (haul-queue-policy.c). */
  properties[PROP_HOLD] =
    g_param_spec_flags ("hold", NULL, NULL, HAUL_TYPE_QUEUE_HOLD, HAUL_QUEUE_HOLD_NONE, ro);
  properties[PROP_POWER_SAVER] = g_param_spec_boolean ("power-saver", NULL, NULL, FALSE, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * HaulQueue::download-finished:
   *
   * A download became completed, failed or cancelled.
   */
  signals[DOWNLOAD_FINISHED] =
    g_signal_new ("download-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, HAUL_TYPE_DOWNLOAD);

  /**
   * HaulQueue::idle:
   *
   * Nothing runs and nothing waits any more.
   */
  signals[IDLE] =
    g_signal_new ("idle", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * HaulQueue::download-needs-password:
   *
   * A download paused because its server or proxy asked for a password
   * (haul_download_get_auth_needed(); haul-queue-auth.c).
   */
  signals[DOWNLOAD_NEEDS_PASSWORD] =
    g_signal_new ("download-needs-password", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, HAUL_TYPE_DOWNLOAD);
}

static void
haul_queue_init (HaulQueue *self)
{
  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) _haul_queue_item_unref);
  self->running = g_ptr_array_new_with_free_func ((GDestroyNotify) _haul_queue_item_unref);
  self->by_uri = g_hash_table_new (g_str_hash, g_str_equal);
  self->dirty = g_hash_table_new (NULL, NULL);
  self->positions_from = G_MAXUINT;
  self->undos = g_ptr_array_new_with_free_func ((GDestroyNotify) haul_queue_undo_unref);
  self->max_active = HAUL_QUEUE_DEFAULT_MAX_ACTIVE;
  self->max_connections = HAUL_DEFAULT_CONNECTIONS;
  self->max_per_server = HAUL_DEFAULT_CONNECTIONS;
  self->pool = haul_worker_pool_new (self->max_active);
  self->bridge = haul_progress_bridge_new (NULL, _haul_queue_publish, self);
  self->limiter = haul_rate_limiter_new (0);
  self->claims = haul_name_claims_new ();
  self->rand = g_rand_new ();
  self->connect_timeout = 30;
  self->stall_timeout = 60;
  self->max_retries = 5;
  self->retry_base_ms = HAUL_BACKOFF_BASE_MS;
  self->clock = haul_clock_new ();
}

/* haul-queue-policy.c: the hold or the power saver changed. */
void
_haul_queue_notify_policy (HaulQueue *self,
                           gboolean   hold)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[hold ? PROP_HOLD : PROP_POWER_SAVER]);
}
