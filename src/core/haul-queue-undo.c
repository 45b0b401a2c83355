/* haul-queue-undo.c — taking bulk removals and cancellations back
 *
 * haul_queue_remove_many() and haul_queue_cancel_many() given a
 * HaulQueueUndo note in it what they did: each download, its place before
 * the call, its state before. Until the undo is undone or committed, the
 * downloads' partial files are kept (a running one was stopped like a
 * pause), so that Undo gives back every byte:
 *
 *  - haul_queue_undo_step() puts them back a slice at a time (the window
 *    calls it once per frame): removed ones at their places, each as it
 *    was (one that ran or waited comes back queued and resumes from its
 *    .part; a paused one paused), cancelled ones in their former state;
 *  - haul_queue_undo_commit() makes it final: the kept partial files of
 *    what is still removed or still cancelled are deleted (on GLib's pool,
 *    or by the worker of an attempt that is still stopping).
 *
 * The queue holds every undo that is neither, and commits them all when it
 * stops for exit or goes away: quitting while an Undo is offered deletes
 * those partial files then, before Haul exits (nothing is left behind for
 * a next start to find).
 *
 * Each call that adds to an undo is one slice; slices are undone last
 * first, each in queue order, so every place noted is right again when
 * its slice is put back. Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-queue"

#include "config.h"

#include "haul-queue-private.h"

typedef struct
{
  HaulDownload      *download;  /* owned */
  gboolean           removed;   /* else cancelled */
  guint              position;  /* before the slice */
  HaulDownloadState  state;     /* before */
  gboolean           done;      /* put back */
} Entry;

struct _HaulQueueUndo
{
  GArray   *entries;   /* Entry, slice after slice */
  GArray   *slices;    /* guint: where each slice starts in @entries */
  guint     slice_end; /* @entries->len when the last slice ended */
  gboolean  finished;  /* undone or committed */
};

G_DEFINE_BOXED_TYPE (HaulQueueUndo, haul_queue_undo, haul_queue_undo_ref, haul_queue_undo_unref)

static void
entry_clear (gpointer data)
{
  Entry *e = data;

  g_clear_object (&e->download);
}

/* ------------------------------------------------------------------ */
/* Letting go of many downloads */

#define RELEASE_AT_ONCE 1024
#define RELEASE_BUDGET_US 4000

typedef struct
{
  GPtrArray *objects;
  guint      next;
} Release;

static gboolean
release_cb (gpointer data)
{
  Release *r = data;
  gint64 start = g_get_monotonic_time ();

  while (r->next < r->objects->len)
    {
      guint end = MIN (r->next + 256, r->objects->len);

      for (; r->next < end; r->next++)
        g_clear_object (&r->objects->pdata[r->next]);
      if (g_get_monotonic_time () - start > RELEASE_BUDGET_US)
        return G_SOURCE_CONTINUE;
    }
  g_ptr_array_set_free_func (r->objects, NULL);
  g_ptr_array_unref (r->objects);
  g_free (r);
  return G_SOURCE_REMOVE;
}

/**
 * haul_queue_release_later:
 * @objects: (transfer full) (element-type GObject): an array that owns a
 *   reference to each of its objects (g_object_unref() as its free
 *   function) and that nobody else holds
 *
 * Drops @objects a few milliseconds' worth per main-loop iteration:
 * finalizing 100 000 removed downloads at once would hold the main loop
 * for a good part of a second.
 */
void
haul_queue_release_later (GPtrArray *objects)
{
  Release *r;
  guint id;

  if (objects->len <= RELEASE_AT_ONCE)
    {
      g_ptr_array_unref (objects);
      return;
    }
  r = g_new0 (Release, 1);
  r->objects = objects;
  id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, release_cb, r, NULL);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, id), "[haul] release downloads");
}

static void
undo_clear (gpointer data)
{
  HaulQueueUndo *undo = data;
  GPtrArray *downloads = g_ptr_array_new_full (undo->entries->len, g_object_unref);

  /* The undo may hold the last reference to every download it names. */
  for (guint i = 0; i < undo->entries->len; i++)
    g_ptr_array_add (downloads, g_steal_pointer (&g_array_index (undo->entries, Entry, i).download));
  g_array_unref (undo->entries);
  g_array_unref (undo->slices);
  haul_queue_release_later (downloads);
}

HaulQueueUndo *
haul_queue_undo_new (void)
{
  HaulQueueUndo *undo = g_rc_box_new0 (HaulQueueUndo);

  undo->entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  g_array_set_clear_func (undo->entries, entry_clear);
  undo->slices = g_array_new (FALSE, FALSE, sizeof (guint));
  return undo;
}

HaulQueueUndo *
haul_queue_undo_ref (HaulQueueUndo *undo)
{
  return g_rc_box_acquire (undo);
}

void
haul_queue_undo_unref (HaulQueueUndo *undo)
{
  g_rc_box_release_full (undo, undo_clear);
}

/**
 * haul_queue_undo_get_n_items:
 *
 * Returns: how many downloads were removed or cancelled into @undo
 */
guint
haul_queue_undo_get_n_items (HaulQueueUndo *undo)
{
  return undo->entries->len;
}

void
_haul_queue_undo_add (HaulQueueUndo     *undo,
                      HaulDownload      *download,
                      gboolean           removed,
                      guint              position,
                      HaulDownloadState  state)
{
  Entry e = { g_object_ref (download), removed, position, state, FALSE };

  g_array_append_val (undo->entries, e);
}

/* Ends the slice of one call; the queue keeps @undo until it is finished. */
void
_haul_queue_undo_end_slice (HaulQueue     *self,
                            HaulQueueUndo *undo)
{
  if (undo->entries->len == undo->slice_end)
    return;
  g_array_append_val (undo->slices, undo->slice_end);
  undo->slice_end = undo->entries->len;
  if (!g_ptr_array_find (self->undos, undo, NULL))
    g_ptr_array_add (self->undos, haul_queue_undo_ref (undo));
}

static void
undo_finished (HaulQueue     *self,
               HaulQueueUndo *undo)
{
  undo->finished = TRUE;
  g_ptr_array_remove (self->undos, undo);
}

/* The item of a removed download whose attempt is still stopping. */
static HaulQueueItem *
find_running (HaulQueue    *self,
              HaulDownload *d)
{
  for (guint i = 0; i < self->running->len; i++)
    {
      HaulQueueItem *item = g_ptr_array_index (self->running, i);

      if (item->download == d)
        return item;
    }
  return NULL;
}

static gboolean
was_waiting (HaulDownloadState state)
{
  return state == HAUL_DOWNLOAD_STATE_QUEUED || state == HAUL_DOWNLOAD_STATE_CONNECTING ||
         state == HAUL_DOWNLOAD_STATE_DOWNLOADING || state == HAUL_DOWNLOAD_STATE_VERIFYING;
}

/* A cancelled download as it was: stopping attempts told to go on. */
static void
uncancel (HaulQueue *self,
          Entry     *e)
{
  HaulDownload *d = e->download;
  HaulQueueItem *item = _haul_queue_lookup (self, d);

  if (item == NULL)
    return;
  if (item->job != NULL && item->pending == HAUL_PENDING_CANCEL_KEEP)
    {
      item->pending = was_waiting (e->state) ? HAUL_PENDING_REQUEUE : HAUL_PENDING_PAUSE;
      return;
    }
  if (d->state != HAUL_DOWNLOAD_STATE_CANCELLED || item->job != NULL)
    return;
  _haul_download_set_error (d, NULL);
  _haul_download_set_state (d, was_waiting (e->state) ? HAUL_DOWNLOAD_STATE_QUEUED : e->state);
}

/* A removed download's item, back as it was (not yet in the list). NULL
 * if its link is listed again by now (its .part then goes). */
static HaulQueueItem *
unremove (HaulQueue *self,
          Entry     *e)
{
  HaulDownload *d = e->download;
  HaulQueueItem *item;

  if (haul_queue_find_by_uri (self, d->uri) != NULL)
    {
      if (find_running (self, d) == NULL && d->state != HAUL_DOWNLOAD_STATE_COMPLETED)
        _haul_queue_forget_part (self, d);
      return NULL;
    }
  item = find_running (self, d);
  if (item != NULL)
    {
      /* Still stopping: it goes on, or stays paused, when it returns. */
      if (item->pending == HAUL_PENDING_DETACH)
        item->pending = was_waiting (e->state) ? HAUL_PENDING_REQUEUE : HAUL_PENDING_PAUSE;
      return _haul_queue_item_ref (item);
    }
  if (was_waiting (e->state) && d->state == HAUL_DOWNLOAD_STATE_PAUSED)
    _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_QUEUED);
  return _haul_queue_item_new (self, d);
}

/* Puts back up to @max entries of @undo's last slice that is not back yet. */
static guint
undo_slice (HaulQueue     *self,
            HaulQueueUndo *undo,
            guint          max)
{
  guint start = g_array_index (undo->slices, guint, undo->slices->len - 1);
  guint end = undo->slice_end;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) _haul_queue_item_unref);
  g_autoptr(GArray) positions = g_array_new (FALSE, FALSE, sizeof (guint));
  guint n = 0, i = start;

  for (; i < end && n < max; i++)
    {
      Entry *e = &g_array_index (undo->entries, Entry, i);

      if (e->done)
        continue;
      e->done = TRUE;
      n++;
      if (!e->removed)
        {
          uncancel (self, e);
          continue;
        }
      {
        HaulQueueItem *item = unremove (self, e);

        if (item != NULL)
          {
            g_ptr_array_add (items, item);
            g_array_append_val (positions, e->position);
          }
      }
    }
  _haul_queue_insert_items (self, items, (const guint *) positions->data);
  if (i == end)
    {
      g_array_set_size (undo->slices, undo->slices->len - 1);
      undo->slice_end = start;
    }
  return n;
}

/**
 * haul_queue_undo_step:
 * @max_items: how many downloads to put back in this call at most
 *
 * Takes back what @undo noted, @max_items downloads at a time (a long
 * list goes back over several frames): removed downloads return to their
 * places with their states, cancelled ones to their former states, every
 * partial file as it was kept.
 *
 * Returns: %TRUE once everything is back (or @undo was finished already)
 */
gboolean
haul_queue_undo_step (HaulQueue     *self,
                      HaulQueueUndo *undo,
                      guint          max_items)
{
  guint n = 0;

  g_return_val_if_fail (HAUL_IS_QUEUE (self), TRUE);
  g_return_val_if_fail (undo != NULL, TRUE);

  while (!undo->finished && undo->slices->len > 0 && n < MAX (max_items, 1))
    n += undo_slice (self, undo, MAX (max_items, 1) - n);
  if (undo->slices->len > 0 && !undo->finished)
    return FALSE;
  if (!undo->finished)
    undo_finished (self, undo);
  _haul_queue_schedule (self);
  return TRUE;
}

/* Deletes what @e kept, unless it is back. */
static void
commit_entry (HaulQueue *self,
              Entry     *e)
{
  HaulDownload *d = e->download;
  HaulQueueItem *item;

  if (e->done || d->state == HAUL_DOWNLOAD_STATE_COMPLETED)
    return;
  if (e->removed)
    {
      if (_haul_queue_lookup (self, d) != NULL)
        return;
      item = find_running (self, d);
    }
  else
    {
      item = _haul_queue_lookup (self, d);
      if (item == NULL || (d->state != HAUL_DOWNLOAD_STATE_CANCELLED &&
                           item->pending != HAUL_PENDING_CANCEL_KEEP))
        return;
    }

  /* Still stopping: its worker deletes the .part, and the queue forgets it. */
  if (item != NULL && item->job != NULL)
    {
      if (item->pending == HAUL_PENDING_DETACH || item->pending == HAUL_PENDING_CANCEL_KEEP)
        {
          item->pending = e->removed ? HAUL_PENDING_REMOVE : HAUL_PENDING_CANCEL;
          item->job->stop = HAUL_JOB_STOP_CANCEL;
        }
      return;
    }
  _haul_queue_forget_part (self, d);
}

/**
 * haul_queue_undo_commit:
 *
 * Makes what @undo noted final (its toast is gone): the partial files of
 * the downloads that are still removed or still cancelled are deleted.
 * Nothing once @undo was undone or committed.
 */
void
haul_queue_undo_commit (HaulQueue     *self,
                        HaulQueueUndo *undo)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));
  g_return_if_fail (undo != NULL);

  if (undo->finished)
    return;
  for (guint i = 0; i < undo->entries->len; i++)
    commit_entry (self, &g_array_index (undo->entries, Entry, i));
  undo_finished (self, undo);
}

/* Every undo still offered, committed (stopping for exit, or disposing). */
void
_haul_queue_commit_all (HaulQueue *self)
{
  while (self->undos->len > 0)
    haul_queue_undo_commit (self, g_ptr_array_index (self->undos, self->undos->len - 1));
}
