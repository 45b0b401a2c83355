/* fuzz-content-range.c — Content-Range of 206 and 416 answers
 *
 * Checks: an accepted range is either "bytes * /N" (start = end = -1,
 * N ≥ 0) or 0 ≤ start ≤ end with end < total when the total is known.
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
  gint64 start = 7, end = 7, total = 7;

  if (!haul_http_parse_content_range (value, &start, &end, &total))
    return 0;
  if (start == -1)
    FUZZ_CHECK (end == -1 && total >= 0, "“%s”: %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
                value, start, end, total);
  else
    FUZZ_CHECK (start >= 0 && start <= end && (total == -1 || end < total),
                "“%s”: %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
                value, start, end, total);
  /* NULL outs are allowed. */
  FUZZ_CHECK (haul_http_parse_content_range (value, NULL, NULL, NULL), "“%s” with NULL outs", value);
  return 0;
}
