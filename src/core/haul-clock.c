/* haul-clock.c — the wall clock the schedule reads, replaceable in tests
 *
 * The real clock reads the local time each time it is asked. A fixed
 * clock (tests) stands still at the time it was given until
 * haul_clock_set_now() moves it, which emits HaulClock::changed so that
 * whatever waits for a time looks again: tests go from 23:59 to 00:00
 * without waiting a minute.
 *
 * Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-clock"

#include "config.h"

#include "haul-clock.h"

struct _HaulClock
{
  GObject    parent_instance;
  GDateTime *fixed; /* nullable: the real clock */
};

G_DEFINE_FINAL_TYPE (HaulClock, haul_clock, G_TYPE_OBJECT)

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
haul_clock_finalize (GObject *object)
{
  HaulClock *self = HAUL_CLOCK (object);

  g_clear_pointer (&self->fixed, g_date_time_unref);
  G_OBJECT_CLASS (haul_clock_parent_class)->finalize (object);
}

static void
haul_clock_class_init (HaulClockClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = haul_clock_finalize;

  /**
   * HaulClock::changed:
   *
   * A fixed clock was moved (haul_clock_set_now()).
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
haul_clock_init (HaulClock *self)
{
}

/* The real wall clock, in the local time zone. */
HaulClock *
haul_clock_new (void)
{
  return g_object_new (HAUL_TYPE_CLOCK, NULL);
}

/* A clock that stands at @now until moved. */
HaulClock *
haul_clock_new_fixed (GDateTime *now)
{
  HaulClock *self = g_object_new (HAUL_TYPE_CLOCK, NULL);

  g_return_val_if_fail (now != NULL, self);
  self->fixed = g_date_time_ref (now);
  return self;
}

/**
 * haul_clock_now:
 *
 * Returns: (transfer full): the time now, local
 */
GDateTime *
haul_clock_now (HaulClock *self)
{
  g_return_val_if_fail (HAUL_IS_CLOCK (self), NULL);

  if (self->fixed != NULL)
    return g_date_time_ref (self->fixed);
  return g_date_time_new_now_local ();
}

/* The time now in µs since the Unix epoch (as g_get_real_time()). */
gint64
haul_clock_now_us (HaulClock *self)
{
  g_autoptr(GDateTime) now = haul_clock_now (self);

  return g_date_time_to_unix (now) * G_USEC_PER_SEC + g_date_time_get_microsecond (now);
}

gboolean
haul_clock_is_fixed (HaulClock *self)
{
  g_return_val_if_fail (HAUL_IS_CLOCK (self), FALSE);

  return self->fixed != NULL;
}

/* Moves a fixed clock to @now and emits HaulClock::changed. */
void
haul_clock_set_now (HaulClock *self,
                    GDateTime *now)
{
  g_return_if_fail (HAUL_IS_CLOCK (self));
  g_return_if_fail (self->fixed != NULL);
  g_return_if_fail (now != NULL);

  g_date_time_unref (self->fixed);
  self->fixed = g_date_time_ref (now);
  g_signal_emit (self, signals[CHANGED], 0);
}
