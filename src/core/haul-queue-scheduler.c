/* haul-queue-scheduler.c — starting, stopping and publishing attempts
 *
 * The queue runs at most max-active attempts. Each attempt is a GTask
 * whose data is an immutable HaulJob snapshot, run on the queue's own
 * worker pool; its callback (attempt_done_cb) publishes the final counters
 * before it changes the state, then starts the next download.
 *
 * The next download to start is found from a cursor, not by walking the
 * list from its start: no item before the cursor waits to start, so after
 * a completion the scheduler looks only at items it has not passed yet,
 * however many finished downloads lie ahead of them. Whatever makes an item
 * wait again (a resume, a retry, a requeue, a move) moves the cursor back
 * to it (_haul_queue_note_waiting(), and haul_queue_move()/remove()).
 *
 * Holds (haul-queue-policy.c): an item whose download is held back is
 * passed like one that does not wait; while a hold covers every download
 * the scheduler looks at none, and when a hold ends it scans from the
 * first item again (_haul_queue_rescan()).
 *
 * Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-queue"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "haul-backoff.h"
#include "haul-queue-private.h"
#include "haul-transfer.h"

#define SPEED_WINDOW_S 2.0

/* ------------------------------------------------------------------ */
/* Items */

static void
item_clear (gpointer data)
{
  HaulQueueItem *item = data;

  g_assert (item->job == NULL);
  g_assert (item->retry_source == 0);
  g_object_unref (item->download);
}

HaulQueueItem *
_haul_queue_item_new (HaulQueue    *queue,
                      HaulDownload *download)
{
  HaulQueueItem *item = g_rc_box_new0 (HaulQueueItem);

  item->download = g_object_ref (download);
  item->queue = queue;
  return item;
}

HaulQueueItem *
_haul_queue_item_ref (HaulQueueItem *item)
{
  return g_rc_box_acquire (item);
}

void
_haul_queue_item_unref (HaulQueueItem *item)
{
  g_rc_box_release_full (item, item_clear);
}

/**
 * _haul_queue_lookup:
 *
 * Returns: (transfer none) (nullable): the item of @download while it is
 *   listed in @self
 */
HaulQueueItem *
_haul_queue_lookup (HaulQueue    *self,
                    HaulDownload *download)
{
  HaulQueueItem *item;

  if (download == NULL)
    return NULL;
  item = g_hash_table_lookup (self->by_uri, download->uri);
  return item != NULL && item->download == download ? item : NULL;
}

static gboolean
item_is_waiting (HaulQueueItem *item)
{
  return item->listed && item->job == NULL && item->retry_source == 0 &&
         item->download->state == HAUL_DOWNLOAD_STATE_QUEUED;
}

/* ------------------------------------------------------------------ */
/* Progress publication */

static void
sample_speed (HaulQueueItem *item,
              gint64         now)
{
  HaulDownload *d = item->download;
  gdouble dt, inst, alpha, speed;
  gint64 eta = -1;

  if (item->speed_sample_us == 0)
    {
      item->speed_sample_us = now;
      item->speed_sample_bytes = d->received;
      return;
    }

  dt = (now - item->speed_sample_us) / (gdouble) G_USEC_PER_SEC;
  if (dt < 0.05)
    return;

  inst = MAX (0, d->received - item->speed_sample_bytes) / dt;
  alpha = 1.0 - exp (-dt / SPEED_WINDOW_S);
  speed = d->speed + alpha * (inst - d->speed);
  if (speed < 1)
    speed = 0;

  item->speed_sample_us = now;
  item->speed_sample_bytes = d->received;

  if (speed > 0 && d->total > 0)
    eta = (gint64) ceil ((d->total - d->received) / speed);

  _haul_download_set_speed (d, speed, eta);
}

/* A segmented attempt's connections, live table and newest checkpoint
 * (saved by the next tick). */
static void
publish_segments (HaulDownload *d,
                  HaulJob      *job)
{
  g_autofree char *checkpoint = NULL;

  _haul_download_set_connections (d, (guint) MAX (job->n_connections, 0));
  if (job->segments_dropped && !job->segmented)
    _haul_download_set_segments_text (d, NULL);
  if (!job->segmented)
    return;
  {
    /* A restart from zero may have made a new table. */
    g_autoptr(HaulSegments) live = haul_job_dup_segments (job);

    _haul_download_set_live_segments (d, live);
  }
  checkpoint = haul_job_take_checkpoint (job);
  if (checkpoint != NULL)
    _haul_download_set_segments_text (d, checkpoint);
}

/* One publication of one download: its notifications are dispatched
 * together when it ends, so HaulDownload::changed is emitted once. */
static void
publish_item (HaulQueueItem *item,
              gint64         now)
{
  HaulDownload *d = item->download;
  HaulJob *job = item->job;
  g_autofree char *name = haul_job_take_info_filename (job);
  HaulJobPhase phase = job->phase;

  g_object_freeze_notify (G_OBJECT (d));
  if (name != NULL)
    _haul_download_set_filename (d, name);

  _haul_download_set_progress (d, job->received, job->total);

  if (item->pending == HAUL_PENDING_NONE)
    {
      if (phase == HAUL_JOB_PHASE_DOWNLOADING)
        _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_DOWNLOADING);
      else if (phase == HAUL_JOB_PHASE_VERIFYING)
        _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_VERIFYING);
    }

  if (phase == HAUL_JOB_PHASE_DOWNLOADING)
    sample_speed (item, now);
  publish_segments (d, job);
  g_object_thaw_notify (G_OBJECT (d));
}

/* The progress bridge's publish function, and the queue's slow tick. */
void
_haul_queue_publish (gpointer user_data)
{
  HaulQueue *self = user_data;
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < self->running->len; i++)
    publish_item (g_ptr_array_index (self->running, i), now);
  _haul_queue_update_speed (self);
}

/* A slow tick while anything runs, so a stalled download's speed decays
 * and its time left grows even when no bytes arrive to poke the bridge. */
static gboolean
tick_cb (gpointer user_data)
{
  HaulQueue *self = user_data;

  _haul_queue_publish (self);
  /* Checkpoint: what running downloads have received. */
  for (guint i = 0; i < self->running->len; i++)
    _haul_queue_mark_dirty (self, g_ptr_array_index (self->running, i));
  return G_SOURCE_CONTINUE;
}

/* Runs the tick while anything runs or waits to retry. */
void
_haul_queue_update_tick (HaulQueue *self)
{
  if (self->n_active > 0 && self->tick_source == 0)
    {
      self->tick_source = g_timeout_add_seconds (1, tick_cb, self);
      g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->tick_source),
                                "[haul] queue tick");
    }
  else if (self->n_active == 0 && self->tick_source != 0)
    g_clear_handle_id (&self->tick_source, g_source_remove);
}

/* ------------------------------------------------------------------ */
/* Attempts */

static void start_attempt (HaulQueue     *self,
                           HaulQueueItem *item);

static gboolean
retry_cb (gpointer user_data)
{
  HaulQueueItem *item = user_data;
  HaulQueue *self = item->queue;

  item->retry_source = 0;
  _haul_queue_set_n_active (self, self->n_active - 1);
  /* A hold came since (the holds yield retry waits, so rarely): it waits
   * in the queue instead. */
  if (!_haul_queue_item_may_start (self, item))
    {
      _haul_download_set_error (item->download, NULL);
      _haul_download_set_state (item->download, HAUL_DOWNLOAD_STATE_QUEUED);
      _haul_queue_note_waiting (self, item);
      return G_SOURCE_REMOVE;
    }
  start_attempt (self, item);
  return G_SOURCE_REMOVE;
}

/* Final counters first, so a bar never sticks below 100 %. */
static void
take_job_results (HaulDownload *d,
                  HaulJob      *job)
{
  g_object_freeze_notify (G_OBJECT (d));
  _haul_download_set_progress (d, job->received, job->total);
  if (job->result_filename != NULL)
    _haul_download_set_filename (d, job->result_filename);
  if (job->result_final_uri != NULL)
    _haul_download_set_final_uri (d, job->result_final_uri);
  if (job->result_etag != NULL || job->result_last_modified != NULL || job->result_content_type != NULL)
    _haul_download_set_validators (d, job->result_etag, job->result_last_modified,
                                   job->result_content_type);
  if (job->total >= 0)
    d->total = job->total; /* keep for the next attempt's consistency check */
  publish_segments (d, job);
  _haul_download_set_connections (d, 0);
  _haul_download_set_live_segments (d, NULL);
  if (job->result_part_mismatch)
    g_message ("%s: the partial file did not match the saved state; restarted from the beginning",
               d->uri);
  g_object_thaw_notify (G_OBJECT (d));
}

/* The user's stop decides, even if the attempt failed otherwise at the
 * same moment. */
static void
attempt_stopped (HaulQueue     *self,
                 HaulQueueItem *item,
                 HaulJob       *job,
                 HaulPendingOp  pending)
{
  HaulDownload *d = item->download;

  _haul_queue_set_n_active (self, self->n_active - 1);
  if (job->stop == HAUL_JOB_STOP_CANCEL)
    _haul_queue_forget_part (self, d); /* deleted by the worker too, unless it ended first */
  switch (pending)
    {
    case HAUL_PENDING_REQUEUE:
      _haul_download_set_retries (d, 0);
      _haul_download_set_error (d, NULL);
      _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_QUEUED);
      break;
    case HAUL_PENDING_YIELD:
      /* Not a failure: no retry counted; progress starts the count again. */
      if (job->received > item->attempt_start_received)
        _haul_download_set_retries (d, 0);
      _haul_download_set_error (d, NULL);
      _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_QUEUED);
      break;
    case HAUL_PENDING_CANCEL:
    case HAUL_PENDING_CANCEL_KEEP:
    case HAUL_PENDING_REMOVE:
      _haul_queue_finish_inactive (self, d, HAUL_DOWNLOAD_STATE_CANCELLED);
      break;
    case HAUL_PENDING_DETACH:
    case HAUL_PENDING_PAUSE:
    case HAUL_PENDING_NONE:
    default:
      _haul_queue_finish_inactive (self, d, HAUL_DOWNLOAD_STATE_PAUSED);
      break;
    }
}

static gboolean
should_retry (HaulQueue     *self,
              HaulQueueItem *item,
              HaulJob       *job,
              const GError  *error)
{
  return haul_transfer_error_is_transient (error) && self->max_retries > 0 &&
         (job->received > item->attempt_start_received ||
          item->download->retries < self->max_retries);
}

/* Waits, keeping its slot (still counted in n_active), then tries again. */
static void
attempt_retry_later (HaulQueue     *self,
                     HaulQueueItem *item,
                     HaulJob       *job,
                     const GError  *error)
{
  HaulDownload *d = item->download;
  g_autofree char *message = NULL;
  gint64 delay;

  /* Retries count failures in a row: an attempt that moved the file
   * forward starts the count again. */
  if (job->received > item->attempt_start_received)
    _haul_download_set_retries (d, 0);

  delay = haul_backoff_delay_ms (d->retries + 1, self->retry_base_ms, HAUL_BACKOFF_MAX_MS,
                                 g_rand_double (self->rand), job->result_retry_after_s);
  _haul_download_set_retries (d, d->retries + 1);
  /* Translators: "<error> — retry 2 of 5 in 4 s" */
  message = g_strdup_printf (_("%s — retry %u of %u in %d s"), error->message,
                             d->retries, self->max_retries, (int) ((delay + 999) / 1000));
  _haul_download_set_error (d, message);
  _haul_download_set_retry (d, error->message, g_get_monotonic_time () + delay * 1000);
  _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_CONNECTING);
  item->retry_source = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) delay, retry_cb,
                                           _haul_queue_item_ref (item),
                                           (GDestroyNotify) _haul_queue_item_unref);
}

static void
attempt_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  HaulQueue *self = HAUL_QUEUE (source);
  g_autoptr(HaulQueueItem) item = user_data;
  HaulDownload *d = item->download;
  g_autoptr(HaulJob) job = g_steal_pointer (&item->job);
  g_autoptr(GError) error = NULL;
  HaulPendingOp pending = item->pending;
  gboolean ok;

  ok = g_task_propagate_boolean (G_TASK (result), &error);
  take_job_results (d, job);

  g_ptr_array_remove (self->running, item);
  item->pending = HAUL_PENDING_NONE;
  item->speed_sample_us = 0;

  if (ok)
    {
      _haul_download_set_error (d, NULL);
      _haul_queue_set_n_active (self, self->n_active - 1);
      _haul_queue_finish_inactive (self, d, HAUL_DOWNLOAD_STATE_COMPLETED);
    }
  else if (pending != HAUL_PENDING_NONE || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    attempt_stopped (self, item, job, pending);
  else if (_haul_queue_attempt_needs_password (self, item, job, error))
    ;
  else if (_haul_queue_attempt_held_back (self, item, job, error))
    ;
  else if (should_retry (self, item, job, error))
    attempt_retry_later (self, item, job, error);
  else
    {
      _haul_download_set_error (d, error->message);
      _haul_queue_set_n_active (self, self->n_active - 1);
      _haul_queue_finish_inactive (self, d, HAUL_DOWNLOAD_STATE_FAILED);
    }

  _haul_queue_note_waiting (self, item);
  _haul_queue_update_speed (self);
  _haul_queue_schedule (self);
  _haul_queue_maybe_emit_idle (self);
}

/* The snapshot an attempt (or a probe of a new link, haul-queue-relink.c)
 * works from: every request header comes from here. */
HaulJob *
_haul_queue_job_new (HaulQueue    *self,
                     HaulDownload *d)
{
  HaulJob *job = haul_job_new (d->uri, d->directory);

  job->filename = g_strdup (d->filename);
  job->etag = g_strdup (d->etag);
  job->last_modified = g_strdup (d->last_modified);
  job->content_type = g_strdup (d->content_type);
  job->expected_part = d->restored_part_size;
  /* Saved downloads: a new .part is tagged before its first byte. */
  job->tag_part_now = self->store != NULL;
  /* The size an earlier attempt saw: a resumed response must agree. */
  job->known_total = d->filename != NULL ? d->total : -1;
  job->checksum_type = d->checksum_type;
  job->checksum_hex = g_strdup (d->checksum_hex);
  job->download_limiter = haul_rate_limiter_ref (d->limiter);
  job->global_limiter = haul_rate_limiter_ref (self->limiter);
  job->bridge = haul_progress_bridge_ref (self->bridge);
  job->claims = haul_name_claims_ref (self->claims);
  job->context = d->context != NULL ? haul_request_context_ref (d->context) : NULL;
  job->connect_timeout_s = self->connect_timeout;
  job->stall_timeout_s = self->stall_timeout;
  job->max_connections = (int) _haul_queue_effective_max_connections (self);
  job->max_per_server = self->max_per_server;
  job->segments = g_strdup (d->segments);
  job->received = d->received;
  job->total = d->total;
  _haul_queue_auth_to_job (self, d, job);
  return job;
}

static void
start_attempt (HaulQueue     *self,
               HaulQueueItem *item)
{
  HaulDownload *d = item->download;
  g_autoptr(GTask) task = NULL;

  g_assert (item->job == NULL);

  item->job = _haul_queue_job_new (self, d);
  d->restored_part_size = -1;
  d->resume_on_start = FALSE;
  d->retry_at = 0;

  item->pending = HAUL_PENDING_NONE;
  item->attempt_start_received = d->received;
  item->speed_sample_us = 0;
  g_ptr_array_add (self->running, _haul_queue_item_ref (item));
  _haul_queue_set_n_active (self, self->n_active + 1);
  _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_CONNECTING);

  task = g_task_new (self, NULL, attempt_done_cb, _haul_queue_item_ref (item));
  g_task_set_source_tag (task, start_attempt);
  g_task_set_name (task, "[haul] download attempt");
  g_task_set_task_data (task, haul_job_ref (item->job), (GDestroyNotify) haul_job_unref);
  haul_worker_pool_push (self->pool, g_steal_pointer (&task));
}

/* ------------------------------------------------------------------ */
/* Scheduling */

/**
 * _haul_queue_note_waiting:
 *
 * Call when @item may have started waiting (its state became queued, its
 * attempt or timer ended): moves the cursor back to it if it waits.
 */
void
_haul_queue_note_waiting (HaulQueue     *self,
                          HaulQueueItem *item)
{
  _haul_queue_drop_override (self, item);
  if (item_is_waiting (item) && item->position < self->cursor)
    self->cursor = item->position;
}

/**
 * _haul_queue_schedule:
 *
 * Starts waiting downloads, in queue order, while slots are free. Looks
 * only at items from the cursor on: the cost of a call does not grow with
 * the number of finished downloads ahead of the waiting ones.
 */
void
_haul_queue_schedule (HaulQueue *self)
{
  guint max_active = _haul_queue_effective_max_active (self);

  /* Nothing may start: the cursor stays, no item is looked at. */
  if (_haul_queue_all_held (self))
    return;

  while (self->n_active < max_active && self->cursor < self->items->len)
    {
      HaulQueueItem *item = g_ptr_array_index (self->items, self->cursor);

      self->n_examined++;
      if (item_is_waiting (item) && _haul_queue_item_may_start (self, item))
        start_attempt (self, item);
      /* Started, held or not waiting: in all cases nothing to start here
       * now (the end of a hold scans again from the start). */
      self->cursor++;
    }
}

/**
 * _haul_queue_stop_active:
 * @item: (nullable): the download's item (%NULL: it has none, so nothing runs)
 *
 * Stops the attempt or retry timer of @item.
 *
 * Returns: %TRUE if an attempt is still running and will finish through
 *   attempt_done_cb
 */
gboolean
_haul_queue_stop_active (HaulQueue     *self,
                         HaulQueueItem *item,
                         HaulPendingOp  op)
{
  if (item == NULL)
    return FALSE;

  if (item->job != NULL)
    {
      /* The latest request wins, except that removal is final and a pause
       * cannot take back a cancel (its .part may already be gone). Removing
       * or cancelling with an Undo stops like a pause: the .part stays. */
      gboolean keep = op == HAUL_PENDING_PAUSE || op == HAUL_PENDING_YIELD ||
                      op == HAUL_PENDING_DETACH || op == HAUL_PENDING_CANCEL_KEEP;

      if (item->pending != HAUL_PENDING_REMOVE &&
          !((item->pending == HAUL_PENDING_CANCEL || item->pending == HAUL_PENDING_CANCEL_KEEP) &&
            op == HAUL_PENDING_PAUSE))
        item->pending = op;
      if (!keep)
        item->job->stop = HAUL_JOB_STOP_CANCEL;
      else if (item->job->stop == HAUL_JOB_STOP_NONE)
        item->job->stop = HAUL_JOB_STOP_PAUSE;
      g_cancellable_cancel (item->job->cancellable);
      return TRUE;
    }

  if (item->retry_source != 0)
    {
      g_clear_handle_id (&item->retry_source, g_source_remove);
      _haul_queue_set_n_active (self, self->n_active - 1);
    }
  return FALSE;
}

/**
 * _haul_queue_requeue_stopping:
 * @item: (nullable)
 *
 * Resume or retry of a download whose attempt was told to pause or cancel
 * but has not returned yet: it is queued again when it returns.
 */
gboolean
_haul_queue_requeue_stopping (HaulQueueItem *item)
{
  if (item == NULL || item->job == NULL ||
      (item->pending != HAUL_PENDING_PAUSE && item->pending != HAUL_PENDING_CANCEL &&
       item->pending != HAUL_PENDING_CANCEL_KEEP))
    return FALSE;
  item->pending = HAUL_PENDING_REQUEUE;
  return TRUE;
}

/* A download waiting to retry gives its slot back at once. */
void
_haul_queue_yield_retry_wait (HaulQueue     *self,
                              HaulQueueItem *item)
{
  _haul_queue_stop_active (self, item, HAUL_PENDING_YIELD);
  _haul_download_set_error (item->download, NULL);
  _haul_download_set_state (item->download, HAUL_DOWNLOAD_STATE_QUEUED);
  _haul_queue_note_waiting (self, item);
}

/**
 * _haul_queue_yield_extra:
 *
 * After max-active was lowered: the downloads over the limit go back to
 * the queue, the way a pause stops them (their .part and written ranges
 * are kept), and become queued when their attempt has returned — no retry
 * counted, no error shown. They continue from their offset when a slot
 * frees, in queue order (the same when the power saver lowers the
 * effective limit). Downloads waiting to retry go first (they move no
 * bytes), then running ones, the most recently started first (the running
 * array is in the order attempts started). Attempts already told to stop
 * are not counted: their slots are freeing anyway.
 */
void
_haul_queue_yield_extra (HaulQueue *self)
{
  guint max_active = _haul_queue_effective_max_active (self);
  guint staying = self->n_active;
  guint n_retry_waiting = self->n_active - MIN (self->n_active, self->running->len);

  for (guint i = 0; i < self->running->len; i++)
    if (((HaulQueueItem *) g_ptr_array_index (self->running, i))->pending != HAUL_PENDING_NONE)
      staying--;

  for (guint i = 0; n_retry_waiting > 0 && staying > max_active && i < self->items->len; i++)
    {
      HaulQueueItem *item = g_ptr_array_index (self->items, i);

      if (item->retry_source == 0)
        continue;
      _haul_queue_yield_retry_wait (self, item);
      n_retry_waiting--;
      staying--;
    }

  for (guint i = self->running->len; staying > max_active && i > 0; i--)
    {
      HaulQueueItem *item = g_ptr_array_index (self->running, i - 1);

      if (item->pending != HAUL_PENDING_NONE)
        continue;
      _haul_queue_stop_active (self, item, HAUL_PENDING_YIELD);
      staying--;
    }
}

guint64
_haul_queue_get_n_examined (HaulQueue *self)
{
  return self->n_examined;
}
