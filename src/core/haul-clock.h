/* haul-clock.h — the wall clock the schedule reads, replaceable in tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define HAUL_TYPE_CLOCK (haul_clock_get_type ())

G_DECLARE_FINAL_TYPE (HaulClock, haul_clock, HAUL, CLOCK, GObject)

HaulClock *haul_clock_new        (void);
HaulClock *haul_clock_new_fixed  (GDateTime *now);
GDateTime *haul_clock_now        (HaulClock *self);
gint64     haul_clock_now_us     (HaulClock *self);
gboolean   haul_clock_is_fixed   (HaulClock *self);
void       haul_clock_set_now    (HaulClock *self,
                                  GDateTime *now);

G_END_DECLS
