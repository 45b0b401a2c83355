/* haul-schedule.c — "download only between HH:MM and HH:MM" on some weekdays
 *
 * SKELETON: the helper building issue 18's schedule part replaces this.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-schedule"

#include "config.h"

#include "haul-schedule.h"

struct _HaulSchedule
{
  guint days;
  guint start;
  guint end;
};

G_DEFINE_BOXED_TYPE (HaulSchedule, haul_schedule, haul_schedule_copy, haul_schedule_free)

HaulSchedule *
haul_schedule_new (guint days,
                   guint start_minute,
                   guint end_minute)
{
  HaulSchedule *self = g_new0 (HaulSchedule, 1);

  self->days = days & HAUL_SCHEDULE_ALL_DAYS;
  self->start = start_minute % HAUL_SCHEDULE_MINUTES_PER_DAY;
  self->end = end_minute % HAUL_SCHEDULE_MINUTES_PER_DAY;
  return self;
}

HaulSchedule *
haul_schedule_copy (const HaulSchedule *self)
{
  return g_memdup2 (self, sizeof *self);
}

void
haul_schedule_free (HaulSchedule *self)
{
  g_free (self);
}

guint haul_schedule_get_days (const HaulSchedule *self) { return self->days; }
guint haul_schedule_get_start (const HaulSchedule *self) { return self->start; }
guint haul_schedule_get_end (const HaulSchedule *self) { return self->end; }

gboolean
haul_schedule_allows (const HaulSchedule *self,
                      GDateTime          *time)
{
  return TRUE;
}

GDateTime *
haul_schedule_next_change (const HaulSchedule *self,
                           GDateTime          *time)
{
  return NULL;
}

gboolean
haul_schedule_parse_time (const char  *text,
                          guint       *minute,
                          GError     **error)
{
  *minute = 0;
  return TRUE;
}

char *
haul_schedule_format_time (guint minute)
{
  return g_strdup_printf ("%02u:%02u", minute / 60, minute % 60);
}
