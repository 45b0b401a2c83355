/* fuzz-retry-after.c — Retry-After of 429 and 503 answers
 *
 * Checks: an accepted delay is never negative and does not depend on
 * anything but the value and the clock given.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fuzz-common.h"
#include "haul-http.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *value = fuzz_string (data, size);
  gint64 now = 1796169600; /* 2026-12-01 */
  gint64 seconds = -7, again = -7;

  if (!haul_http_parse_retry_after (value, now, &seconds))
    return 0;
  FUZZ_CHECK (seconds >= 0, "“%s” gives %" G_GINT64_FORMAT " s", value, seconds);
  FUZZ_CHECK (haul_http_parse_retry_after (value, now, &again) && again == seconds,
              "“%s” parsed twice differs", value);
  return 0;
}
