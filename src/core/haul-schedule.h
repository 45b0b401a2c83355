/* haul-schedule.h — "download only between HH:MM and HH:MM" on some weekdays
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Weekdays as bits: bit 0 is Monday … bit 6 is Sunday (ISO 8601, as
 * g_date_time_get_day_of_week() counts 1…7). */
#define HAUL_SCHEDULE_ALL_DAYS 0x7f
#define HAUL_SCHEDULE_MINUTES_PER_DAY (24 * 60)

typedef struct _HaulSchedule HaulSchedule;

#define HAUL_TYPE_SCHEDULE (haul_schedule_get_type ())

GType         haul_schedule_get_type    (void) G_GNUC_CONST;
HaulSchedule *haul_schedule_new         (guint               days,
                                         guint               start_minute,
                                         guint               end_minute);
HaulSchedule *haul_schedule_copy        (const HaulSchedule *self);
void          haul_schedule_free        (HaulSchedule       *self);
guint         haul_schedule_get_days    (const HaulSchedule *self);
guint         haul_schedule_get_start   (const HaulSchedule *self);
guint         haul_schedule_get_end     (const HaulSchedule *self);
gboolean      haul_schedule_allows      (const HaulSchedule *self,
                                         GDateTime          *time);
GDateTime    *haul_schedule_next_change (const HaulSchedule *self,
                                         GDateTime          *time);
gboolean      haul_schedule_parse_time  (const char         *text,
                                         guint              *minute,
                                         GError            **error);
char         *haul_schedule_format_time (guint               minute);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulSchedule, haul_schedule_free)

G_END_DECLS
