/* haul-backoff.c — retry delays: exponential backoff with jitter
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-backoff"

#include "config.h"

#include "haul-backoff.h"

/**
 * haul_backoff_delay_ms:
 * @attempt: the number of the retry about to happen, starting at 1
 * @base_ms: the delay before the first retry
 * @max_ms: the longest delay backoff may reach
 * @random01: a random number in [0, 1) for the jitter
 * @retry_after_s: the server's Retry-After in seconds, or -1 when absent
 *
 * "Full jitter" between half and all of base · 2^(attempt-1), capped at
 * @max_ms. A server's Retry-After wins over backoff (it knows best) but is
 * capped at %HAUL_RETRY_AFTER_MAX_S so a hostile value cannot park a
 * download for days.
 *
 * Returns: the delay in milliseconds
 */
gint64
haul_backoff_delay_ms (guint   attempt,
                       gint64  base_ms,
                       gint64  max_ms,
                       gdouble random01,
                       gint64  retry_after_s)
{
  gint64 ceiling;

  if (retry_after_s >= 0)
    return MIN (retry_after_s, (gint64) HAUL_RETRY_AFTER_MAX_S) * 1000;

  if (attempt == 0)
    attempt = 1;
  random01 = CLAMP (random01, 0.0, 1.0);

  ceiling = base_ms;
  for (guint i = 1; i < attempt && ceiling < max_ms; i++)
    ceiling *= 2;
  ceiling = MIN (ceiling, max_ms);

  return ceiling / 2 + (gint64) ((ceiling - ceiling / 2) * random01);
}
