/* haul-queue-totals.c — what the whole list adds up to, kept as it changes
 *
 * The header's summary asks for these ten times a second, and a list may
 * hold 100 000 downloads: nothing here walks the list. Each listed item
 * remembers what it added to the queue's sums (HaulQueueItem.counted_*);
 * when its download's state, size or received bytes are notified, the old
 * contribution is taken off and the new one added. A query costs
 * O(running): the running downloads' received bytes move faster than they
 * are notified (only when their text changes), so those are read live.
 *
 * "To come" is every download that will finish without anyone doing
 * anything: running, waiting to retry, or queued. Paused, failed and
 * cancelled ones are not coming (they wait for a person), so the time
 * left leaves them out; the summary says how many there are instead.
 *
 * Main thread only, like the rest of the queue.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-queue"

#include "config.h"

#include <math.h>

#include "haul-queue-private.h"

static gboolean
state_is_coming (HaulDownloadState state)
{
  switch (state)
    {
    case HAUL_DOWNLOAD_STATE_QUEUED:
    case HAUL_DOWNLOAD_STATE_CONNECTING:
    case HAUL_DOWNLOAD_STATE_DOWNLOADING:
    case HAUL_DOWNLOAD_STATE_VERIFYING:
      return TRUE;
    case HAUL_DOWNLOAD_STATE_COMPLETED:
    case HAUL_DOWNLOAD_STATE_PAUSED:
    case HAUL_DOWNLOAD_STATE_FAILED:
    case HAUL_DOWNLOAD_STATE_CANCELLED:
    default:
      return FALSE;
    }
}

static void
subtract (HaulQueue     *self,
          HaulQueueItem *item)
{
  HaulQueueTotals *t = &self->totals;

  g_assert (t->n_in_state[item->counted_state] > 0);
  t->n_in_state[item->counted_state]--;
  if (!state_is_coming (item->counted_state))
    return;
  t->n_coming--;
  if (item->counted_total < 0)
    t->n_unknown--;
  else
    {
      t->total -= item->counted_total;
      t->received -= item->counted_received;
    }
}

static void
add (HaulQueue     *self,
     HaulQueueItem *item)
{
  HaulQueueTotals *t = &self->totals;
  HaulDownload *d = item->download;

  item->counted_state = d->state;
  item->counted_total = d->total > 0 ? d->total : -1;
  item->counted_received = item->counted_total < 0 ? 0 : CLAMP (d->received, 0, d->total);
  t->n_in_state[d->state]++;
  if (!state_is_coming (d->state))
    return;
  t->n_coming++;
  if (item->counted_total < 0)
    t->n_unknown++;
  else
    {
      t->total += item->counted_total;
      t->received += item->counted_received;
    }
}

/* A batch is what the queue did since it last had nothing to come: the
 * aggregate bar counts the files it completed, so it never goes back when
 * one of them finishes. */
static void
note_batch (HaulQueue         *self,
            HaulQueueItem     *item,
            HaulDownloadState  old_state)
{
  HaulQueueTotals *t = &self->totals;

  if (state_is_coming (old_state) && item->download->state == HAUL_DOWNLOAD_STATE_COMPLETED &&
      item->counted_total > 0)
    t->batch_done += item->counted_total;
  if (t->n_coming == 0)
    t->batch_done = 0;
}

/* @item was just listed. */
void
_haul_queue_totals_add (HaulQueue     *self,
                        HaulQueueItem *item)
{
  add (self, item);
}

/* @item is no longer listed. */
void
_haul_queue_totals_remove (HaulQueue     *self,
                           HaulQueueItem *item)
{
  subtract (self, item);
  if (self->totals.n_coming == 0)
    self->totals.batch_done = 0;
}

/* @item's download changed its state, size or received bytes. */
void
_haul_queue_totals_update (HaulQueue     *self,
                           HaulQueueItem *item)
{
  HaulDownloadState old_state = item->counted_state;

  subtract (self, item);
  add (self, item);
  note_batch (self, item, old_state);
}

/**
 * haul_queue_get_n_in_state:
 *
 * Returns: how many listed downloads are in @state, in O(1)
 */
guint
haul_queue_get_n_in_state (HaulQueue         *self,
                           HaulDownloadState  state)
{
  g_return_val_if_fail (HAUL_IS_QUEUE (self), 0);
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (self->totals.n_in_state), 0);

  return self->totals.n_in_state[state];
}

/**
 * haul_queue_get_progress_full:
 * @progress: (out caller-allocates): what the downloads still to come add
 *   up to
 *
 * Covers every listed download that will finish by itself: running,
 * waiting to retry and queued, not paused, failed or cancelled ones. The
 * time left is their bytes left (of those with a known size) at the
 * queue's present total speed, and never less than the slowest running
 * download's own time left at its own speed (one download cannot take
 * more than its connections). When @progress->n_unknown is not 0 the
 * real time left is longer than @progress->eta.
 *
 * Costs O(running downloads), not O(list).
 */
void
haul_queue_get_progress_full (HaulQueue         *self,
                              HaulQueueProgress *progress)
{
  const HaulQueueTotals *t;
  gint64 received, longest = -1;
  gdouble speed;

  g_return_if_fail (HAUL_IS_QUEUE (self));
  g_return_if_fail (progress != NULL);

  t = &self->totals;
  received = t->received;
  for (guint i = 0; i < self->running->len; i++)
    {
      HaulQueueItem *item = g_ptr_array_index (self->running, i);
      HaulDownload *d = item->download;

      if (!item->listed || !state_is_coming (item->counted_state) || item->counted_total < 0)
        continue;
      /* Live bytes: the counted ones are as of the last notification. */
      received += CLAMP (d->received, 0, item->counted_total) - item->counted_received;
      if (haul_download_get_eta (d) >= 0)
        longest = MAX (longest, haul_download_get_eta (d));
    }

  progress->n_coming = t->n_coming;
  progress->n_unknown = t->n_unknown;
  progress->received = received;
  progress->total = t->total;
  progress->batch_done = t->batch_done;
  progress->eta = -1;

  speed = self->speed;
  if (t->n_coming > t->n_unknown && speed > 0)
    {
      gdouble left = (gdouble) MAX (t->total - received, 0);

      progress->eta = MAX ((gint64) ceil (left / speed), longest);
    }
}

/**
 * haul_queue_get_progress:
 * @received: (out): bytes received of the downloads still to come
 * @total: (out): their total size; -1 when any of them has an unknown size
 * @eta: (out): seconds until all of them are done at the present speed;
 *   -1 when unknown (some size unknown, or nothing moves)
 *
 * The downloads still to come: running, waiting to retry and queued (not
 * paused ones), as haul_queue_get_progress_full() counts them, for a
 * summary that shows a figure only when it covers all of them.
 */
void
haul_queue_get_progress (HaulQueue *self,
                         gint64    *received,
                         gint64    *total,
                         gint64    *eta)
{
  HaulQueueProgress p;

  g_return_if_fail (HAUL_IS_QUEUE (self));

  haul_queue_get_progress_full (self, &p);
  *received = p.received;
  *total = p.n_unknown > 0 ? -1 : p.total;
  *eta = p.n_unknown > 0 ? -1 : p.eta;
}
