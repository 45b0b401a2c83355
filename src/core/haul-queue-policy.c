/* haul-queue-policy.c — what holds queued downloads back, and power saving
 *
 * The queue's hold (HaulQueueHold) says what keeps queued downloads from
 * starting: no network (OFFLINE, a hint: attempts already running go on
 * while their connection works), a metered connection the person chose to
 * pause on (METERED), the schedule's hours (SCHEDULE). A download may also
 * wait for its own start time ("Start at…"). "Download Anyway" lifts the
 * metered hold for all (metered_allowed, until the hold ends) or lifts
 * METERED, SCHEDULE and the start time for one download
 * (HaulDownload.hold_override, in memory, until it stops).
 *
 * Cost with many downloads: flipping a hold does O(running) work. While a
 * hold covers every download and no download has an override, the
 * scheduler does not walk the list (_haul_queue_all_held()); when a hold
 * ends the scheduler scans again from the first item
 * (_haul_queue_rescan()). The one walk over the list is the reset of the
 * queued downloads' retry counts when the network comes back.
 *
 * Power saver: at most max(1, ⌈max-active / 2⌉) downloads and
 * max(1, ⌈connections / 2⌉) connections each; the person's settings are
 * kept (haul_queue_get_max_active() returns them).
 *
 * Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-queue"

#include "config.h"

#include "haul-queue-private.h"
#include "haul-transfer.h"
#include "haul-watchdog.h"

/* A connection that has received nothing for this long when the network
 * changes is taken for dead and tried again at once. */
#define PROBE_STALLED_S 3

#define OVERRIDABLE (HAUL_QUEUE_HOLD_METERED | HAUL_QUEUE_HOLD_SCHEDULE)

HaulQueueHold
haul_queue_get_hold (HaulQueue *self)
{
  g_return_val_if_fail (HAUL_IS_QUEUE (self), HAUL_QUEUE_HOLD_NONE);

  return self->hold;
}

static gboolean
metered_holds (HaulQueue *self)
{
  return (self->hold & HAUL_QUEUE_HOLD_METERED) && !self->metered_allowed;
}

/* Whether every queued download is held whatever it is: the scheduler
 * need not look at any. */
gboolean
_haul_queue_all_held (HaulQueue *self)
{
  if (self->hold & HAUL_QUEUE_HOLD_OFFLINE)
    return TRUE;
  return self->n_overrides == 0 &&
         (metered_holds (self) || (self->hold & HAUL_QUEUE_HOLD_SCHEDULE));
}

/* Scans the whole list again (a hold ended, a start time came). */
void
_haul_queue_rescan (HaulQueue *self)
{
  self->cursor = 0;
  _haul_queue_schedule (self);
}

guint
_haul_queue_effective_max_active (HaulQueue *self)
{
  return self->power_saver ? MAX (1, (self->max_active + 1) / 2) : self->max_active;
}

guint
_haul_queue_effective_max_connections (HaulQueue *self)
{
  return self->power_saver ? MAX (1, (self->max_connections + 1) / 2) : self->max_connections;
}

/* Whether @flag holds back the active download of @item. */
static gboolean
holds_active (HaulQueue     *self,
              HaulQueueItem *item,
              HaulQueueHold  flag)
{
  if (item->download->hold_override & flag)
    return FALSE;
  return flag != HAUL_QUEUE_HOLD_METERED || !self->metered_allowed;
}

/* A hold that stops what runs came on: running downloads and those
 * waiting to retry go back to the queue, the way a lowered max-active
 * sends them (their .part kept, no retry counted, no error). */
static void
yield_held (HaulQueue     *self,
            HaulQueueHold  flag)
{
  guint n_retry_waiting = self->n_active - MIN (self->n_active, self->running->len);

  /* OFFLINE is a hint: running attempts go on while their connection works. */
  for (guint i = 0; flag != HAUL_QUEUE_HOLD_OFFLINE && i < self->running->len; i++)
    {
      HaulQueueItem *item = g_ptr_array_index (self->running, i);

      if (item->pending == HAUL_PENDING_NONE && holds_active (self, item, flag))
        _haul_queue_stop_active (self, item, HAUL_PENDING_YIELD);
    }
  /* Downloads waiting to retry are few; the walk ends with the last. */
  for (guint i = 0; n_retry_waiting > 0 && i < self->items->len; i++)
    {
      HaulQueueItem *item = g_ptr_array_index (self->items, i);

      if (item->retry_source == 0)
        continue;
      n_retry_waiting--;
      if (flag == HAUL_QUEUE_HOLD_OFFLINE || holds_active (self, item, flag))
        _haul_queue_yield_retry_wait (self, item);
    }
}

/* The network is back: a fresh start for every queued download's backoff. */
static void
reset_retries (HaulQueue *self)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      HaulDownload *d = ((HaulQueueItem *) g_ptr_array_index (self->items, i))->download;

      if (d->state == HAUL_DOWNLOAD_STATE_QUEUED && d->retries != 0)
        _haul_download_set_retries (d, 0);
    }
}

void
_haul_queue_set_hold_flag (HaulQueue     *self,
                           HaulQueueHold  flag,
                           gboolean       on)
{
  HaulQueueHold hold = on ? (self->hold | flag) : (self->hold & ~flag);

  if (hold == self->hold)
    return;
  self->hold = hold;
  if (flag == HAUL_QUEUE_HOLD_METERED && !on)
    self->metered_allowed = FALSE;

  if (on)
    yield_held (self, flag); /* OFFLINE: only those waiting to retry */
  else if (flag == HAUL_QUEUE_HOLD_OFFLINE)
    reset_retries (self);

  _haul_queue_notify_policy (self, TRUE);
  if (!on)
    _haul_queue_rescan (self);
}

void
haul_queue_set_offline (HaulQueue *self,
                        gboolean   offline)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));

  _haul_queue_set_hold_flag (self, HAUL_QUEUE_HOLD_OFFLINE, offline);
}

void
haul_queue_set_metered_hold (HaulQueue *self,
                             gboolean   hold)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));

  _haul_queue_set_hold_flag (self, HAUL_QUEUE_HOLD_METERED, hold);
}

/**
 * haul_queue_set_power_saver:
 *
 * While on, fewer downloads run at once (max(1, ⌈max-active / 2⌉)) and
 * each opens fewer connections (max(1, ⌈connections / 2⌉)), running ones
 * included: the downloads over the limit go back to the queue the way a
 * lowered max-active sends them.
 */
void
haul_queue_set_power_saver (HaulQueue *self,
                            gboolean   power_saver)
{
  guint connections;

  g_return_if_fail (HAUL_IS_QUEUE (self));

  if (self->power_saver == !!power_saver)
    return;
  self->power_saver = !!power_saver;

  connections = _haul_queue_effective_max_connections (self);
  for (guint i = 0; i < self->running->len; i++)
    {
      HaulQueueItem *item = g_ptr_array_index (self->running, i);

      if (item->job != NULL)
        item->job->max_connections = (int) connections;
    }
  _haul_queue_notify_policy (self, FALSE);
  if (self->power_saver)
    _haul_queue_yield_extra (self);
  else
    _haul_queue_schedule (self);
}

gboolean
haul_queue_get_power_saver (HaulQueue *self)
{
  g_return_val_if_fail (HAUL_IS_QUEUE (self), FALSE);

  return self->power_saver;
}

/**
 * haul_queue_network_changed:
 *
 * The network changed (another Wi-Fi, a VPN): connections that have
 * received nothing for a few seconds are probably dead, so they are
 * cancelled now instead of at the stall timeout, and their attempts tried
 * again at once without counting a retry (_haul_queue_attempt_held_back()).
 * Connections that are moving are left alone.
 */
void
haul_queue_network_changed (HaulQueue *self)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));

  if (self->running->len > 0)
    haul_watchdog_probe_stalled (PROBE_STALLED_S);
}

/**
 * haul_queue_download_anyway:
 * @download: (nullable): one download, or %NULL for all
 *
 * With %NULL: every download may use the metered connection until the
 * metered hold ends. With a download: it ignores the metered hold, the
 * schedule and its own start time (cleared, and saved) until it stops.
 */
void
haul_queue_download_anyway (HaulQueue    *self,
                            HaulDownload *download)
{
  HaulQueueItem *item;

  g_return_if_fail (HAUL_IS_QUEUE (self));
  g_return_if_fail (download == NULL || HAUL_IS_DOWNLOAD (download));

  if (download == NULL)
    {
      if (!metered_holds (self))
        return;
      self->metered_allowed = TRUE;
      _haul_queue_notify_policy (self, TRUE);
      _haul_queue_rescan (self);
      return;
    }

  item = _haul_queue_lookup (self, download);
  if (item == NULL || !(download->state == HAUL_DOWNLOAD_STATE_QUEUED ||
                        item->job != NULL || item->retry_source != 0))
    return;
  if (download->hold_override == HAUL_QUEUE_HOLD_NONE)
    self->n_overrides++;
  download->hold_override = OVERRIDABLE;
  if (download->start_after != 0)
    {
      download->start_after = 0;
      _haul_queue_mark_dirty (self, item);
    }
  /* Its row shows why it waits: the window refreshes rows on "hold". */
  _haul_queue_notify_policy (self, TRUE);
  if (item->position < self->cursor)
    self->cursor = item->position;
  _haul_queue_schedule (self);
}

/* Whether "Download Anyway" for all lifted the metered hold (until it
 * ends). */
gboolean
haul_queue_get_metered_allowed (HaulQueue *self)
{
  g_return_val_if_fail (HAUL_IS_QUEUE (self), FALSE);

  return self->metered_allowed;
}

/* @item's download ignores the holds in @bits (a passed start time:
 * SCHEDULE, haul-queue-schedule.c) until it stops. */
void
_haul_queue_give_override (HaulQueue     *self,
                           HaulQueueItem *item,
                           HaulQueueHold  bits)
{
  HaulDownload *d = item->download;

  if (d->hold_override == HAUL_QUEUE_HOLD_NONE)
    self->n_overrides++;
  d->hold_override |= bits;
}

/* @item leaves the list (haul-queue.c), or its download stopped. */
void
_haul_queue_forget_override (HaulQueue     *self,
                             HaulQueueItem *item)
{
  HaulDownload *d = item->download;

  if (d->hold_override == HAUL_QUEUE_HOLD_NONE)
    return;
  d->hold_override = HAUL_QUEUE_HOLD_NONE;
  g_assert (self->n_overrides > 0);
  self->n_overrides--;
}

/* A download stopped (paused, finished, failed, cancelled): its "Download
 * Anyway" ends. */
void
_haul_queue_drop_override (HaulQueue     *self,
                           HaulQueueItem *item)
{
  HaulDownload *d = item->download;

  if (d->hold_override == HAUL_QUEUE_HOLD_NONE)
    return;
  switch (d->state)
    {
    case HAUL_DOWNLOAD_STATE_PAUSED:
    case HAUL_DOWNLOAD_STATE_COMPLETED:
    case HAUL_DOWNLOAD_STATE_FAILED:
    case HAUL_DOWNLOAD_STATE_CANCELLED:
      _haul_queue_forget_override (self, item);
      break;
    case HAUL_DOWNLOAD_STATE_QUEUED:
    case HAUL_DOWNLOAD_STATE_CONNECTING:
    case HAUL_DOWNLOAD_STATE_DOWNLOADING:
    case HAUL_DOWNLOAD_STATE_VERIFYING:
    default:
      break;
    }
}

/* Why @d would not start now, were it queued. */
static HaulDownloadWait
wait_reason (HaulQueue    *self,
             HaulDownload *d)
{
  if (self->hold & HAUL_QUEUE_HOLD_OFFLINE)
    return HAUL_DOWNLOAD_WAIT_NETWORK;
  if (metered_holds (self) && !(d->hold_override & HAUL_QUEUE_HOLD_METERED))
    return HAUL_DOWNLOAD_WAIT_METERED;
  if (d->start_after > 0 && d->start_after > haul_clock_now_us (self->clock))
    return HAUL_DOWNLOAD_WAIT_START_TIME;
  if ((self->hold & HAUL_QUEUE_HOLD_SCHEDULE) && !(d->hold_override & HAUL_QUEUE_HOLD_SCHEDULE))
    return HAUL_DOWNLOAD_WAIT_SCHEDULE;
  return HAUL_DOWNLOAD_WAIT_NONE;
}

HaulDownloadWait
haul_queue_get_wait_reason (HaulQueue    *self,
                            HaulDownload *download)
{
  g_return_val_if_fail (HAUL_IS_QUEUE (self), HAUL_DOWNLOAD_WAIT_NONE);
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (download), HAUL_DOWNLOAD_WAIT_NONE);

  if (download->state != HAUL_DOWNLOAD_STATE_QUEUED)
    return HAUL_DOWNLOAD_WAIT_NONE;
  return wait_reason (self, download);
}

/**
 * haul_queue_dup_wait_until:
 *
 * Returns: (transfer full) (nullable): when a download waiting for the
 *   schedule or its start time starts, local
 */
GDateTime *
haul_queue_dup_wait_until (HaulQueue    *self,
                           HaulDownload *download)
{
  g_autoptr(GDateTime) now = NULL;

  g_return_val_if_fail (HAUL_IS_QUEUE (self), NULL);
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (download), NULL);

  switch (haul_queue_get_wait_reason (self, download))
    {
    case HAUL_DOWNLOAD_WAIT_START_TIME:
      {
        g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (download->start_after / G_USEC_PER_SEC);

        return utc != NULL ? g_date_time_to_local (utc) : NULL;
      }
    case HAUL_DOWNLOAD_WAIT_SCHEDULE:
      if (self->schedule == NULL)
        return NULL;
      now = haul_clock_now (self->clock);
      return haul_schedule_next_change (self->schedule, now);
    case HAUL_DOWNLOAD_WAIT_NONE:
    case HAUL_DOWNLOAD_WAIT_NETWORK:
    case HAUL_DOWNLOAD_WAIT_METERED:
    default:
      return NULL;
    }
}

gboolean
_haul_queue_item_may_start (HaulQueue     *self,
                            HaulQueueItem *item)
{
  return wait_reason (self, item->download) == HAUL_DOWNLOAD_WAIT_NONE;
}

/**
 * _haul_queue_attempt_held_back:
 *
 * An attempt ended with @error. A transient error while the network is
 * away, or one of an attempt whose stalled connection was cancelled when
 * the network changed, is not the download's failure: it goes back to the
 * queue — waiting for the network, or started again at once — with no
 * retry counted and no error shown.
 *
 * Returns: %TRUE if it did
 */
gboolean
_haul_queue_attempt_held_back (HaulQueue     *self,
                               HaulQueueItem *item,
                               HaulJob       *job,
                               const GError  *error)
{
  HaulDownload *d = item->download;

  if (!haul_transfer_error_is_transient (error))
    return FALSE;
  if (!(self->hold & HAUL_QUEUE_HOLD_OFFLINE) && !job->result_stall_probed)
    return FALSE;

  if (job->received > item->attempt_start_received)
    _haul_download_set_retries (d, 0);
  _haul_download_set_error (d, NULL);
  _haul_queue_set_n_active (self, self->n_active - 1);
  _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_QUEUED);
  return TRUE;
}
