/* haul-queue-control.c — what a person asks of a download, or of all
 *
 * Start, pause, resume, cancel and retry. A running attempt is told to
 * stop and finishes through the scheduler (haul-queue-scheduler.c); what
 * is not running changes state at once. Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-queue"

#include "config.h"

#include "haul-queue-private.h"

/**
 * haul_queue_start:
 *
 * Puts @download first among the waiting ones (un-pausing it), so it is the
 * next to run; it starts at once if a slot is free.
 */
void
haul_queue_start (HaulQueue    *self,
                  HaulDownload *download)
{
  guint first_waiting = 0;

  g_return_if_fail (HAUL_IS_QUEUE (self));

  if (haul_download_is_active (download) || download->state == HAUL_DOWNLOAD_STATE_COMPLETED)
    return;

  while (first_waiting < self->items->len)
    {
      HaulDownload *d = haul_queue_get_download (self, first_waiting);

      if (d == download || d->state == HAUL_DOWNLOAD_STATE_QUEUED)
        break;
      first_waiting++;
    }
  haul_queue_move (self, download, first_waiting);

  if (download->state == HAUL_DOWNLOAD_STATE_FAILED || download->state == HAUL_DOWNLOAD_STATE_CANCELLED)
    haul_queue_retry (self, download);
  else
    haul_queue_resume (self, download);
}

void
haul_queue_pause (HaulQueue    *self,
                  HaulDownload *download)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));
  g_return_if_fail (HAUL_IS_DOWNLOAD (download));

  switch (download->state)
    {
    case HAUL_DOWNLOAD_STATE_QUEUED:
      _haul_download_set_state (download, HAUL_DOWNLOAD_STATE_PAUSED);
      _haul_queue_maybe_emit_idle (self);
      break;
    case HAUL_DOWNLOAD_STATE_CONNECTING:
    case HAUL_DOWNLOAD_STATE_DOWNLOADING:
    case HAUL_DOWNLOAD_STATE_VERIFYING:
      if (!_haul_queue_stop_active (self, _haul_queue_lookup (self, download), HAUL_PENDING_PAUSE))
        {
          _haul_download_set_state (download, HAUL_DOWNLOAD_STATE_PAUSED);
          _haul_queue_schedule (self);
          _haul_queue_maybe_emit_idle (self);
        }
      break;
    case HAUL_DOWNLOAD_STATE_COMPLETED:
    case HAUL_DOWNLOAD_STATE_PAUSED:
    case HAUL_DOWNLOAD_STATE_FAILED:
    case HAUL_DOWNLOAD_STATE_CANCELLED:
    default:
      break;
    }
}

void
haul_queue_resume (HaulQueue    *self,
                   HaulDownload *download)
{
  HaulQueueItem *item;

  g_return_if_fail (HAUL_IS_QUEUE (self));

  item = _haul_queue_lookup (self, download);
  if (_haul_queue_requeue_stopping (item))
    return;
  if (download->state == HAUL_DOWNLOAD_STATE_FAILED)
    {
      haul_queue_retry (self, download);
      return;
    }
  if (download->state != HAUL_DOWNLOAD_STATE_PAUSED || (item != NULL && item->job != NULL))
    return;

  _haul_download_set_error (download, NULL);
  _haul_download_set_state (download, HAUL_DOWNLOAD_STATE_QUEUED);
  _haul_queue_schedule (self);
}

/**
 * haul_queue_cancel:
 *
 * Stops @download and deletes its partial file. It stays in the list as
 * cancelled, and can be retried from zero.
 */
void
haul_queue_cancel (HaulQueue    *self,
                   HaulDownload *download)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));

  if (download->state == HAUL_DOWNLOAD_STATE_COMPLETED ||
      download->state == HAUL_DOWNLOAD_STATE_CANCELLED)
    return;

  if (_haul_queue_stop_active (self, _haul_queue_lookup (self, download), HAUL_PENDING_CANCEL))
    return;

  _haul_queue_forget_part (self, download);
  _haul_queue_finish_inactive (self, download, HAUL_DOWNLOAD_STATE_CANCELLED);
  _haul_queue_schedule (self);
  _haul_queue_maybe_emit_idle (self);
}

void
haul_queue_retry (HaulQueue    *self,
                  HaulDownload *download)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));

  if (_haul_queue_requeue_stopping (_haul_queue_lookup (self, download)))
    return;
  if (download->state != HAUL_DOWNLOAD_STATE_FAILED &&
      download->state != HAUL_DOWNLOAD_STATE_CANCELLED)
    return;

  _haul_download_set_retries (download, 0);
  _haul_download_set_error (download, NULL);
  _haul_download_set_state (download, HAUL_DOWNLOAD_STATE_QUEUED);
  _haul_queue_schedule (self);
}

/* ------------------------------------------------------------------ */
/* Many at once: the same, with one scheduling pass at the end */

/**
 * haul_queue_pause_many:
 * @downloads: (element-type HaulDownload): downloads of this queue
 *
 * Pauses those that can pause; one scheduling pass for all of them.
 */
void
haul_queue_pause_many (HaulQueue *self,
                       GPtrArray *downloads)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));

  for (guint i = 0; i < downloads->len; i++)
    {
      HaulDownload *d = g_ptr_array_index (downloads, i);
      HaulQueueItem *item = _haul_queue_lookup (self, d);

      if (item == NULL)
        continue;
      if (d->state == HAUL_DOWNLOAD_STATE_QUEUED)
        _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_PAUSED);
      else if (haul_download_is_active (d) && !_haul_queue_stop_active (self, item, HAUL_PENDING_PAUSE))
        _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_PAUSED);
    }
  _haul_queue_schedule (self);
  _haul_queue_maybe_emit_idle (self);
}

/* haul_queue_resume() and haul_queue_retry() without scheduling. */
static void
requeue (HaulQueue    *self,
         HaulDownload *d,
         gboolean      retry)
{
  HaulQueueItem *item = _haul_queue_lookup (self, d);

  if (item == NULL || _haul_queue_requeue_stopping (item))
    return;
  if (d->state == HAUL_DOWNLOAD_STATE_FAILED || (retry && d->state == HAUL_DOWNLOAD_STATE_CANCELLED))
    _haul_download_set_retries (d, 0);
  else if (d->state != HAUL_DOWNLOAD_STATE_PAUSED || item->job != NULL)
    return;
  _haul_download_set_error (d, NULL);
  _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_QUEUED);
}

/**
 * haul_queue_resume_many:
 * @downloads: (element-type HaulDownload): downloads of this queue
 *
 * Resumes the paused ones (and retries failed ones, as haul_queue_resume()
 * does); one scheduling pass for all of them.
 */
void
haul_queue_resume_many (HaulQueue *self,
                        GPtrArray *downloads)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));

  for (guint i = 0; i < downloads->len; i++)
    requeue (self, g_ptr_array_index (downloads, i), FALSE);
  _haul_queue_schedule (self);
}

/**
 * haul_queue_retry_many:
 * @downloads: (element-type HaulDownload): downloads of this queue
 *
 * Retries the failed and cancelled ones; one scheduling pass.
 */
void
haul_queue_retry_many (HaulQueue *self,
                       GPtrArray *downloads)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));

  for (guint i = 0; i < downloads->len; i++)
    {
      HaulDownload *d = g_ptr_array_index (downloads, i);

      if (haul_download_can_retry (d) || _haul_queue_requeue_stopping (_haul_queue_lookup (self, d)))
        requeue (self, d, TRUE);
    }
  _haul_queue_schedule (self);
}

/**
 * haul_queue_cancel_many:
 * @downloads: (element-type HaulDownload): downloads of this queue
 * @undo: (nullable): where to note what was cancelled, so that
 *   haul_queue_undo_step() can take it back; %NULL to cancel for good
 *
 * Cancels those that are not completed or cancelled already. Without
 * @undo their partial files are deleted (as haul_queue_cancel() does); with
 * it they are kept until haul_queue_undo_commit().
 */
void
haul_queue_cancel_many (HaulQueue     *self,
                        GPtrArray     *downloads,
                        HaulQueueUndo *undo)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));

  for (guint i = 0; i < downloads->len; i++)
    {
      HaulDownload *d = g_ptr_array_index (downloads, i);
      HaulQueueItem *item = _haul_queue_lookup (self, d);

      if (item == NULL || d->state == HAUL_DOWNLOAD_STATE_COMPLETED ||
          d->state == HAUL_DOWNLOAD_STATE_CANCELLED)
        continue;
      if (undo != NULL)
        _haul_queue_undo_add (undo, d, FALSE, item->position, d->state);
      if (_haul_queue_stop_active (self, item, undo != NULL ? HAUL_PENDING_CANCEL_KEEP : HAUL_PENDING_CANCEL))
        continue;
      if (undo == NULL)
        _haul_queue_forget_part (self, d);
      _haul_queue_finish_inactive (self, d, HAUL_DOWNLOAD_STATE_CANCELLED);
    }
  if (undo != NULL)
    _haul_queue_undo_end_slice (self, undo);
  _haul_queue_schedule (self);
  _haul_queue_maybe_emit_idle (self);
}

/* ------------------------------------------------------------------ */
/* All */

void
haul_queue_pause_all (HaulQueue *self)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));

  for (guint i = 0; i < self->items->len; i++)
    {
      HaulQueueItem *item = g_ptr_array_index (self->items, i);
      HaulDownload *d = item->download;

      if (d->state == HAUL_DOWNLOAD_STATE_QUEUED)
        _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_PAUSED);
      else if (haul_download_is_active (d) && !_haul_queue_stop_active (self, item, HAUL_PENDING_PAUSE))
        _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_PAUSED);
    }
  _haul_queue_maybe_emit_idle (self);
}

void
haul_queue_resume_all (HaulQueue *self)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));

  for (guint i = 0; i < self->items->len; i++)
    {
      HaulQueueItem *item = g_ptr_array_index (self->items, i);
      HaulDownload *d = item->download;

      if (d->state == HAUL_DOWNLOAD_STATE_PAUSED && item->job == NULL)
        {
          _haul_download_set_error (d, NULL);
          _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_QUEUED);
        }
    }
  _haul_queue_schedule (self);
}
