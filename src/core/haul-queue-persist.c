/* haul-queue-persist.c — saving the queue and restoring it
 *
 * Every change of a listed download is saved: the queue marks its item
 * dirty and one idle (at most one pending) hands the records to the
 * store's writer thread in a batch. Progress is checkpointed by the
 * queue's one-second tick, not on every publication. Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-queue"

#include "config.h"

#include "haul-queue-private.h"
#include "haul-store.h"

/* How long one dispatch of the save idle may make records: a long list
 * (100 000 downloads resumed at once) saves over several iterations. */
#define SAVE_BUDGET_US 3000

/* New places of what moved up or down after a bulk edit: one command of
 * (id, position) pairs, not whole records. */
static void
save_positions (HaulQueue *self)
{
  g_autoptr(GArray) positions = NULL;
  guint from = self->positions_from;

  self->positions_from = G_MAXUINT;
  if (from >= self->items->len)
    return;
  positions = g_array_sized_new (FALSE, FALSE, sizeof (HaulStorePosition), self->items->len - from);
  for (guint i = from; i < self->items->len; i++)
    {
      HaulQueueItem *item = g_ptr_array_index (self->items, i);
      HaulStorePosition p = { item->download->id, i };

      /* A dirty one is saved whole, with its place. */
      if (!g_hash_table_contains (self->dirty, item))
        g_array_append_val (positions, p);
    }
  haul_store_save_positions (self->store, g_steal_pointer (&positions));
}

static gboolean
save_dirty_cb (gpointer user_data)
{
  HaulQueue *self = user_data;
  GHashTableIter iter;
  gpointer key;
  gint64 start = g_get_monotonic_time ();
  guint n = 0;

  if (self->store == NULL)
    {
      g_hash_table_remove_all (self->dirty);
      self->positions_from = G_MAXUINT;
      self->save_source = 0;
      return G_SOURCE_REMOVE;
    }

  if (self->positions_from != G_MAXUINT)
    save_positions (self);

  g_hash_table_iter_init (&iter, self->dirty);
  while ((++n % 64 != 0 || g_get_monotonic_time () - start < SAVE_BUDGET_US) &&
         g_hash_table_iter_next (&iter, &key, NULL))
    {
      HaulQueueItem *item = key;

      if (item->listed)
        {
          g_autoptr(HaulStoreRecord) r = _haul_download_to_record (item->download, item->position);

          haul_store_save (self->store, r);
        }
      g_hash_table_iter_remove (&iter);
    }
  if (g_hash_table_size (self->dirty) > 0)
    return G_SOURCE_CONTINUE;
  self->save_source = 0;
  return G_SOURCE_REMOVE;
}

static void
ensure_save_source (HaulQueue *self)
{
  if (self->save_source == 0)
    {
      self->save_source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, save_dirty_cb, self, NULL);
      g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->save_source),
                                "[haul] save queue");
    }
}

/* The places of saved items from @from on changed (a bulk edit). */
void
_haul_queue_positions_moved (HaulQueue *self,
                             guint      from)
{
  if (self->store == NULL)
    return;
  self->positions_from = MIN (self->positions_from, from);
  ensure_save_source (self);
}

/* @item must be listed: the dirty set holds no references, and an item
 * leaves it when it is removed. */
void
_haul_queue_mark_dirty (HaulQueue     *self,
                        HaulQueueItem *item)
{
  if (self->store == NULL || !item->listed)
    return;
  g_hash_table_add (self->dirty, item);
  ensure_save_source (self);
}

void
_haul_queue_mark_range_dirty (HaulQueue *self,
                              guint      from,
                              guint      to)
{
  for (guint i = from; i <= to && i < self->items->len; i++)
    _haul_queue_mark_dirty (self, g_ptr_array_index (self->items, i));
}

/* Saves what is dirty now, not in the idle. */
void
_haul_queue_flush_dirty (HaulQueue *self)
{
  g_clear_handle_id (&self->save_source, g_source_remove);
  while (save_dirty_cb (self) == G_SOURCE_CONTINUE)
    ;
  self->save_source = 0;
}

/**
 * haul_queue_set_store:
 * @store: (nullable): an open store, or %NULL to stop saving
 *
 * From now on every change of every download is saved to @store (in
 * batches, by its writer thread), and what running downloads received is
 * checkpointed every second.
 */
void
haul_queue_set_store (HaulQueue *self,
                      HaulStore *store)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));

  g_set_object (&self->store, store);
}

/**
 * haul_queue_restore:
 * @records: (element-type HaulStoreRecord): saved downloads, in queue order
 * @resume: whether downloads that were running or waiting start again
 *   (else they come back paused)
 *
 * Appends saved downloads (one items-changed emission). Finished ones come
 * back as history, paused ones paused. Links already in the queue are
 * skipped.
 *
 * Returns: how many were added
 */
guint
haul_queue_restore (HaulQueue       *self,
                    const GPtrArray *records,
                    gboolean         resume)
{
  guint before = self->items->len;
  gint64 now_us;

  g_return_val_if_fail (HAUL_IS_QUEUE (self), 0);

  now_us = haul_clock_now_us (self->clock);

  for (guint i = 0; i < records->len; i++)
    {
      const HaulStoreRecord *r = g_ptr_array_index (records, i);
      g_autoptr(HaulDownload) d = NULL;
      HaulQueueItem *item;
      gboolean normalized = FALSE;

      if (g_hash_table_contains (self->by_uri, r->uri))
        continue;
      d = _haul_download_new_from_record (r);
      if (d->state == HAUL_DOWNLOAD_STATE_QUEUED || haul_download_is_active (d))
        {
          /* "Start at…" still ahead: it waits for its time in any case. */
          gboolean queue = resume || d->start_after > now_us;

          normalized = d->state != HAUL_DOWNLOAD_STATE_QUEUED || !queue;
          d->state = queue ? HAUL_DOWNLOAD_STATE_QUEUED : HAUL_DOWNLOAD_STATE_PAUSED;
        }
      if (d->filename != NULL && d->state != HAUL_DOWNLOAD_STATE_COMPLETED)
        haul_name_claims_try (self->claims, d->directory, d->filename);

      item = _haul_queue_append (self, d);
      if (normalized)
        _haul_queue_mark_dirty (self, item);
      _haul_queue_start_time_restored (self, item);
    }

  if (self->items->len > before)
    {
      _haul_queue_items_changed (self, before, 0, self->items->len - before);
      _haul_queue_schedule (self);
    }
  return self->items->len - before;
}

/**
 * haul_queue_stop_for_exit:
 *
 * Pauses everything that runs or waits, keeping partial files, and marks
 * those downloads to start again when the queue is restored (they are
 * saved as queued). Removals and cancellations that an Undo could still
 * take back become final: their partial files are deleted now. Run the
 * main loop until haul_queue_get_n_active() is 0, then flush the store.
 */
void
haul_queue_stop_for_exit (HaulQueue *self)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));

  self->exiting = TRUE;
  _haul_queue_commit_all (self);

  for (guint i = 0; i < self->items->len; i++)
    {
      HaulQueueItem *item = g_ptr_array_index (self->items, i);
      HaulDownload *d = item->download;

      if (d->state == HAUL_DOWNLOAD_STATE_QUEUED || haul_download_is_active (d))
        {
          d->resume_on_start = TRUE;
          _haul_queue_mark_dirty (self, item);
        }
    }
  haul_queue_pause_all (self);
}

/**
 * haul_queue_save_now:
 *
 * Posts every pending change to the store at once (before a flush).
 */
void
haul_queue_save_now (HaulQueue *self)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));

  for (guint i = 0; i < self->running->len; i++)
    _haul_queue_mark_dirty (self, g_ptr_array_index (self->running, i));
  _haul_queue_flush_dirty (self);
}
