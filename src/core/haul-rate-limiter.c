/* haul-rate-limiter.c — a token bucket shared between worker threads
 *
 * Workers take tokens for the bytes they have just read; the bucket may go
 * into debt, and the answer is how long the caller must sleep before its
 * next read. Debt instead of refusal keeps the long-run rate exact whatever
 * the read size, and a small burst allowance keeps short stalls from being
 * "saved up" into a long burst.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-rate-limiter"

#include "config.h"

#include "haul-rate-limiter.h"

struct _HaulRateLimiter
{
  gatomicrefcount ref_count;
  GMutex          mutex;
  gint64          rate;       /* bytes per second, 0 = unlimited */
  gdouble         tokens;     /* may be negative: debt */
  gint64          updated_us; /* last refill */
};

#define BURST_SECONDS 0.1
#define MIN_BURST     (16 * 1024)

HaulRateLimiter *
haul_rate_limiter_new (gint64 bytes_per_second)
{
  HaulRateLimiter *self = g_new0 (HaulRateLimiter, 1);

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->mutex);
  self->rate = MAX (bytes_per_second, 0);
  self->updated_us = g_get_monotonic_time ();
  return self;
}

HaulRateLimiter *
haul_rate_limiter_ref (HaulRateLimiter *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
haul_rate_limiter_unref (HaulRateLimiter *self)
{
  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_mutex_clear (&self->mutex);
      g_free (self);
    }
}

void
haul_rate_limiter_set_rate (HaulRateLimiter *self,
                            gint64           bytes_per_second)
{
  g_mutex_lock (&self->mutex);
  self->rate = MAX (bytes_per_second, 0);
  self->tokens = 0;
  self->updated_us = g_get_monotonic_time ();
  g_mutex_unlock (&self->mutex);
}

gint64
haul_rate_limiter_get_rate (HaulRateLimiter *self)
{
  gint64 rate;

  g_mutex_lock (&self->mutex);
  rate = self->rate;
  g_mutex_unlock (&self->mutex);
  return rate;
}

/**
 * haul_rate_limiter_consume_at:
 * @bytes: bytes just transferred
 * @now_us: the monotonic time
 *
 * Returns: microseconds to wait before transferring more (0 if none)
 */
gint64
haul_rate_limiter_consume_at (HaulRateLimiter *self,
                              gint64           bytes,
                              gint64           now_us)
{
  gint64 wait = 0;
  gdouble burst;

  g_mutex_lock (&self->mutex);
  if (self->rate > 0)
    {
      burst = MAX (self->rate * BURST_SECONDS, MIN_BURST);
      if (now_us > self->updated_us)
        {
          self->tokens += (now_us - self->updated_us) * (gdouble) self->rate / G_USEC_PER_SEC;
          self->updated_us = now_us;
        }
      if (self->tokens > burst)
        self->tokens = burst;
      self->tokens -= bytes;
      if (self->tokens < 0)
        wait = (gint64) (-self->tokens * G_USEC_PER_SEC / self->rate);
    }
  g_mutex_unlock (&self->mutex);

  return wait;
}

gint64
haul_rate_limiter_consume (HaulRateLimiter *self,
                           gint64           bytes)
{
  return haul_rate_limiter_consume_at (self, bytes, g_get_monotonic_time ());
}
