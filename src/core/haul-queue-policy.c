/* haul-queue-policy.c — what holds queued downloads back, and power saving
 *
 * SKELETON: the helper building issue 18's network part replaces this.
 *
 * Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-queue"

#include "config.h"

#include "haul-queue-private.h"

HaulQueueHold
haul_queue_get_hold (HaulQueue *self)
{
  g_return_val_if_fail (HAUL_IS_QUEUE (self), HAUL_QUEUE_HOLD_NONE);

  return self->hold;
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
  _haul_queue_notify_policy (self, TRUE);
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

void
haul_queue_set_power_saver (HaulQueue *self,
                            gboolean   power_saver)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));

  if (self->power_saver == !!power_saver)
    return;
  self->power_saver = !!power_saver;
  _haul_queue_notify_policy (self, FALSE);
}

gboolean
haul_queue_get_power_saver (HaulQueue *self)
{
  g_return_val_if_fail (HAUL_IS_QUEUE (self), FALSE);

  return self->power_saver;
}

void
haul_queue_network_changed (HaulQueue *self)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));
}

void
haul_queue_download_anyway (HaulQueue    *self,
                            HaulDownload *download)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));
}

HaulDownloadWait
haul_queue_get_wait_reason (HaulQueue    *self,
                            HaulDownload *download)
{
  g_return_val_if_fail (HAUL_IS_QUEUE (self), HAUL_DOWNLOAD_WAIT_NONE);
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (download), HAUL_DOWNLOAD_WAIT_NONE);

  if (download->state != HAUL_DOWNLOAD_STATE_QUEUED)
    return HAUL_DOWNLOAD_WAIT_NONE;
  if (self->hold & HAUL_QUEUE_HOLD_OFFLINE)
    return HAUL_DOWNLOAD_WAIT_NETWORK;
  if ((self->hold & HAUL_QUEUE_HOLD_METERED) && !self->metered_allowed)
    return HAUL_DOWNLOAD_WAIT_METERED;
  if (download->start_after > haul_clock_now_us (self->clock))
    return HAUL_DOWNLOAD_WAIT_START_TIME;
  if (self->hold & HAUL_QUEUE_HOLD_SCHEDULE)
    return HAUL_DOWNLOAD_WAIT_SCHEDULE;
  return HAUL_DOWNLOAD_WAIT_NONE;
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
  g_return_val_if_fail (HAUL_IS_QUEUE (self), NULL);

  return NULL;
}

gboolean
_haul_queue_item_may_start (HaulQueue     *self,
                            HaulQueueItem *item)
{
  return TRUE;
}
