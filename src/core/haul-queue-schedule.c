/* haul-queue-schedule.c — the schedule's hours and "Start at…"
 *
 * The hours: haul_queue_set_schedule() keeps the queue's SCHEDULE hold
 * (haul-queue-policy.c) true exactly while the schedule does not allow
 * the clock's time. One timer waits for the next change of the hours, never
 * more than 60 s ahead, so a suspend or a change of the wall clock is
 * noticed within a minute; a test's fixed clock says when it moves
 * (HaulClock::changed) and is read again at once. When the hours open, the
 * scheduler looks at the whole list again (its cursor went past the held
 * downloads); when they close, the hold stops what runs (haul-queue-policy.c).
 *
 * "Start at…": haul_queue_set_start_time() gives one download a wall-clock
 * time (the stored column start_after, µs since the epoch) before which it
 * does not start; at that time it starts even outside the hours (a time in
 * the past: at once). One timer waits for the earliest start time ahead,
 * again at most 60 s at a time. The earliest is kept as times are set and
 * restored (O(1) each); the list is walked for the next earliest only when
 * a start time passes (or the clock is replaced), not on every change.
 *
 * Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-queue"

#include "config.h"

#include "haul-queue-private.h"

/* The longest a timer waits before the clock is read again. */
#define MAX_TIMER_S 60

static void schedule_update    (HaulQueue *self);
static void start_times_check  (HaulQueue *self);
static void start_times_came   (HaulQueue *self,
                                gint64     now_us);
static void start_timer_arm    (HaulQueue *self,
                                gint64     at_us);
static gint64 earliest_start_after (HaulQueue *self,
                                    gint64     now_us);

/* Seconds to wait for @at_us (µs, on @self's clock), 1…MAX_TIMER_S. */
static guint
timer_delay_s (HaulQueue *self,
               gint64     at_us)
{
  gint64 left = at_us - haul_clock_now_us (self->clock);

  return (guint) CLAMP ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 1, MAX_TIMER_S);
}

static gint64
date_time_to_us (GDateTime *time)
{
  return g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
}

/* ------------------------------------------------------------------ */
/* The clock */

static void
clock_changed_cb (HaulClock *clock,
                  HaulQueue *self)
{
  schedule_update (self);
  start_times_check (self);
}

HaulClock *
haul_queue_get_clock (HaulQueue *self)
{
  g_return_val_if_fail (HAUL_IS_QUEUE (self), NULL);

  return self->clock;
}

/* The wall clock the hours and start times are read on (tests: a fixed
 * clock, moved with haul_clock_set_now()). */
void
haul_queue_set_clock (HaulQueue *self,
                      HaulClock *clock)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));
  g_return_if_fail (HAUL_IS_CLOCK (clock));

  if (clock == self->clock)
    return;
  g_clear_signal_handler (&self->clock_handler, self->clock);
  g_set_object (&self->clock, clock);
  self->clock_handler = g_signal_connect (clock, "changed", G_CALLBACK (clock_changed_cb), self);

  schedule_update (self);
  /* Another time altogether: the earliest start time ahead, found anew,
   * and whoever's time has come. */
  start_times_came (self, haul_clock_now_us (self->clock));
  start_timer_arm (self, earliest_start_after (self, haul_clock_now_us (self->clock)));
  _haul_queue_rescan (self);
}

/* ------------------------------------------------------------------ */
/* The hours */

static gboolean
schedule_timer_cb (gpointer user_data)
{
  HaulQueue *self = user_data;

  self->schedule_source = 0;
  schedule_update (self);
  return G_SOURCE_REMOVE;
}

/* Sets the SCHEDULE hold from the clock's time and waits for its next
 * change. */
static void
schedule_update (HaulQueue *self)
{
  g_autoptr(GDateTime) now = haul_clock_now (self->clock);
  g_autoptr(GDateTime) next = NULL;
  gboolean was_held = (self->hold & HAUL_QUEUE_HOLD_SCHEDULE) != 0;
  gboolean held = self->schedule != NULL && !haul_schedule_allows (self->schedule, now);
  guint delay_s = MAX_TIMER_S;

  g_clear_handle_id (&self->schedule_source, g_source_remove);
  _haul_queue_set_hold_flag (self, HAUL_QUEUE_HOLD_SCHEDULE, held);
  if (was_held && !held)
    _haul_queue_rescan (self);
  if (self->schedule == NULL)
    return;

  next = haul_schedule_next_change (self->schedule, now);
  if (next != NULL)
    delay_s = timer_delay_s (self, date_time_to_us (next));
  self->schedule_source = g_timeout_add_seconds (delay_s, schedule_timer_cb, self);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->schedule_source),
                            "[haul] schedule");
}

const HaulSchedule *
haul_queue_get_schedule (HaulQueue *self)
{
  g_return_val_if_fail (HAUL_IS_QUEUE (self), NULL);

  return self->schedule;
}

/**
 * haul_queue_set_schedule:
 * @schedule: (nullable): the hours downloads may run in (copied); %NULL:
 *   any time
 *
 * Outside the hours the queue holds (%HAUL_QUEUE_HOLD_SCHEDULE): queued
 * downloads wait, with %HAUL_DOWNLOAD_WAIT_SCHEDULE as their reason.
 */
void
haul_queue_set_schedule (HaulQueue          *self,
                         const HaulSchedule *schedule)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));

  g_clear_pointer (&self->schedule, haul_schedule_free);
  if (schedule != NULL)
    self->schedule = haul_schedule_copy (schedule);
  schedule_update (self);
}

/* ------------------------------------------------------------------ */
/* Start times */

static gboolean
start_timer_cb (gpointer user_data)
{
  HaulQueue *self = user_data;

  self->start_source = 0;
  start_times_check (self);
  return G_SOURCE_REMOVE;
}

/* Waits for @at_us (0: for nothing). */
static void
start_timer_arm (HaulQueue *self,
                 gint64     at_us)
{
  g_clear_handle_id (&self->start_source, g_source_remove);
  self->start_next_us = at_us;
  if (at_us == 0)
    return;
  self->start_source = g_timeout_add_seconds (timer_delay_s (self, at_us), start_timer_cb, self);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->start_source),
                            "[haul] start times");
}

/* A start time @at_us was set or restored. */
static void
start_time_noted (HaulQueue *self,
                  gint64     at_us)
{
  if (at_us > haul_clock_now_us (self->clock) &&
      (self->start_next_us == 0 || at_us < self->start_next_us))
    start_timer_arm (self, at_us);
}

/* The earliest start time after @now_us among listed downloads, 0 if none:
 * a walk, done only when a start time passed. */
static gint64
earliest_start_after (HaulQueue *self,
                      gint64     now_us)
{
  gint64 earliest = 0;

  for (guint i = 0; i < self->items->len; i++)
    {
      HaulDownload *d = ((HaulQueueItem *) g_ptr_array_index (self->items, i))->download;

      if (d->start_after > now_us && d->state != HAUL_DOWNLOAD_STATE_COMPLETED &&
          (earliest == 0 || d->start_after < earliest))
        earliest = d->start_after;
    }
  return earliest;
}

/* A start time is a one-time pass: once it has come, @item's download
 * runs whatever the hours say until it stops (the SCHEDULE override of
 * haul-queue-policy.c), and the time is spent (cleared, saved). */
static void
start_time_came (HaulQueue     *self,
                 HaulQueueItem *item)
{
  _haul_download_set_start_after (item->download, 0);
  _haul_queue_mark_dirty (self, item);
  _haul_queue_give_override (self, item, HAUL_QUEUE_HOLD_SCHEDULE);
}

/* Every queued download whose start time has come (a walk, done only when
 * a start time passed or the clock was replaced). */
static void
start_times_came (HaulQueue *self,
                  gint64     now_us)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      HaulQueueItem *item = g_ptr_array_index (self->items, i);
      gint64 at_us = item->download->start_after;

      if (at_us != 0 && at_us <= now_us && item->download->state == HAUL_DOWNLOAD_STATE_QUEUED)
        start_time_came (self, item);
    }
}

/* The timer fired or the clock moved: when the awaited start time has
 * passed, whoever waited for it may start, and the timer waits for the
 * next one. */
static void
start_times_check (HaulQueue *self)
{
  gint64 now_us;

  if (self->start_next_us == 0)
    return;
  now_us = haul_clock_now_us (self->clock);
  if (now_us < self->start_next_us)
    {
      start_timer_arm (self, self->start_next_us);
      return;
    }
  start_times_came (self, now_us);
  start_timer_arm (self, earliest_start_after (self, now_us));
  _haul_queue_rescan (self);
}

/* @item's download waits (queued) for its start time; @ahead: the time is
 * still to come. */
static void
wait_for_start_time (HaulQueue     *self,
                     HaulQueueItem *item,
                     gboolean       ahead)
{
  HaulDownload *d = item->download;

  switch (d->state)
    {
    case HAUL_DOWNLOAD_STATE_FAILED:
    case HAUL_DOWNLOAD_STATE_CANCELLED:
      _haul_download_set_retries (d, 0);
      G_GNUC_FALLTHROUGH;
    case HAUL_DOWNLOAD_STATE_PAUSED:
      /* A pause or cancel still stopping: queued again when it returns. */
      if (_haul_queue_requeue_stopping (item) || item->job != NULL)
        break;
      _haul_download_set_error (d, NULL);
      _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_QUEUED);
      break;
    case HAUL_DOWNLOAD_STATE_CONNECTING:
    case HAUL_DOWNLOAD_STATE_DOWNLOADING:
    case HAUL_DOWNLOAD_STATE_VERIFYING:
      /* Running now and the time has come: it goes on. */
      if (!ahead || _haul_queue_requeue_stopping (item))
        break;
      /* Back to the queue the way a yield goes (.part kept, no retry
         counted); a retry's wait ends at once. */
      if (!_haul_queue_stop_active (self, item, HAUL_PENDING_YIELD))
        {
          _haul_download_set_error (d, NULL);
          _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_QUEUED);
        }
      break;
    case HAUL_DOWNLOAD_STATE_QUEUED:
    case HAUL_DOWNLOAD_STATE_COMPLETED:
    default:
      break;
    }
}

/**
 * haul_queue_set_start_time:
 * @time: (nullable): when @download may start; %NULL: whenever a slot is
 *   free (and the hours allow)
 *
 * "Start at…": @download waits (queued, %HAUL_DOWNLOAD_WAIT_START_TIME)
 * until @time, then starts even outside the schedule's hours and runs
 * until it stops (the time is then spent: cleared); a time in the past
 * starts it at once. A paused, failed or cancelled download is
 * queued for it, a running one goes back to the queue (its partial file
 * kept). Saved with the download; a completed one is left alone.
 */
void
haul_queue_set_start_time (HaulQueue    *self,
                           HaulDownload *download,
                           GDateTime    *time)
{
  HaulQueueItem *item;
  gint64 at_us;

  g_return_if_fail (HAUL_IS_QUEUE (self));
  g_return_if_fail (HAUL_IS_DOWNLOAD (download));

  item = _haul_queue_lookup (self, download);
  if (item == NULL || download->state == HAUL_DOWNLOAD_STATE_COMPLETED)
    return;

  at_us = time != NULL ? MAX (date_time_to_us (time), 1) : 0;
  _haul_download_set_start_after (download, at_us);
  _haul_queue_mark_dirty (self, item);
  if (at_us != 0)
    {
      gboolean ahead = at_us > haul_clock_now_us (self->clock);

      wait_for_start_time (self, item, ahead);
      if (ahead)
        start_time_noted (self, at_us);
      else if (download->state == HAUL_DOWNLOAD_STATE_QUEUED)
        start_time_came (self, item);
    }
  _haul_queue_note_waiting (self, item);
  _haul_queue_schedule (self);
}

/* ------------------------------------------------------------------ */
/* For the scheduler, the policy and the store */

/* haul_queue_restore() added @item: its start time, if ahead, is waited for. */
void
_haul_queue_start_time_restored (HaulQueue     *self,
                                 HaulQueueItem *item)
{
  gint64 at_us = item->download->start_after;

  if (at_us == 0)
    return;
  if (at_us > haul_clock_now_us (self->clock))
    start_time_noted (self, at_us);
  else if (item->download->state == HAUL_DOWNLOAD_STATE_QUEUED)
    start_time_came (self, item);
}

/* From the queue's dispose. */
void
_haul_queue_schedule_dispose (HaulQueue *self)
{
  g_clear_signal_handler (&self->clock_handler, self->clock);
  g_clear_handle_id (&self->schedule_source, g_source_remove);
  g_clear_handle_id (&self->start_source, g_source_remove);
  self->start_next_us = 0;
}
