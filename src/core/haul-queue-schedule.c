/* haul-queue-schedule.c — the schedule's hours and "Start at…"
 *
 * SKELETON: the helper building issue 18's schedule part replaces this.
 *
 * Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-queue"

#include "config.h"

#include "haul-queue-private.h"

HaulClock *
haul_queue_get_clock (HaulQueue *self)
{
  g_return_val_if_fail (HAUL_IS_QUEUE (self), NULL);

  return self->clock;
}

void
haul_queue_set_clock (HaulQueue *self,
                      HaulClock *clock)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));
  g_return_if_fail (HAUL_IS_CLOCK (clock));

  g_set_object (&self->clock, clock);
}

const HaulSchedule *
haul_queue_get_schedule (HaulQueue *self)
{
  g_return_val_if_fail (HAUL_IS_QUEUE (self), NULL);

  return self->schedule;
}

void
haul_queue_set_schedule (HaulQueue          *self,
                         const HaulSchedule *schedule)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));

  g_clear_pointer (&self->schedule, haul_schedule_free);
  if (schedule != NULL)
    self->schedule = haul_schedule_copy (schedule);
}

void
haul_queue_set_start_time (HaulQueue    *self,
                           HaulDownload *download,
                           GDateTime    *time)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));
  g_return_if_fail (HAUL_IS_DOWNLOAD (download));

  download->start_after = time != NULL ? g_date_time_to_unix (time) * G_USEC_PER_SEC : 0;
}
