/* fuzz-segments.c — the text form of a download's written ranges
 *
 * The text comes back from the store and from a .part's resume attribute,
 * which anyone may have written. Input: "TOTAL:TEXT" (no colon or a bad
 * TOTAL: the largest total). Checks, for an accepted text: every range
 * lies in [0, TOTAL), sorted, neither overlapping nor touching; formatting
 * the ranges, or a table built from them, gives the text back byte for
 * byte; the table's map covers [0, TOTAL) with the written bytes where the
 * ranges say; and claiming and writing until complete fetches exactly the
 * missing bytes, one claim per missing range.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "fuzz-common.h"
#include "haul-segments.h"

static gint64
parse_total (char **text)
{
  char *colon = strchr (*text, ':');
  guint64 total = G_MAXINT64;

  if (colon == NULL)
    return G_MAXINT64;
  *colon = '\0';
  if (!g_ascii_string_to_unsigned (*text, 10, 0, G_MAXINT64, &total, NULL))
    total = G_MAXINT64;
  *text = colon + 1;
  return (gint64) total;
}

static void
check_ranges (const char *text,
              GArray     *ranges,
              gint64      total)
{
  g_autofree char *again = NULL;
  gint64 after = -1;

  for (guint i = 0; i < ranges->len; i++)
    {
      HaulRange *r = &g_array_index (ranges, HaulRange, i);

      FUZZ_CHECK (r->start > after && r->start < r->end && r->end <= total,
                  "“%s”: range %u %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT, text, i, r->start, r->end);
      after = r->end;
    }
  again = haul_segments_format ((HaulRange *) (void *) ranges->data, ranges->len, 0);
  FUZZ_CHECK (g_str_equal (again, text), "“%s” formatted back as “%s”", text, again);
}

static gint64
check_map (HaulSegments *table,
           const char   *text)
{
  gsize n = 0;
  g_autofree HaulSpan *spans = haul_segments_snapshot (table, &n);
  gint64 cursor = 0, written = 0;

  for (gsize i = 0; i < n; i++)
    {
      FUZZ_CHECK (spans[i].start == cursor && spans[i].end > cursor, "“%s”: span %zu", text, i);
      FUZZ_CHECK (spans[i].kind != HAUL_SPAN_IN_FLIGHT, "“%s”: in flight with no claim", text);
      if (spans[i].kind == HAUL_SPAN_WRITTEN)
        written += spans[i].end - spans[i].start;
      cursor = spans[i].end;
    }
  FUZZ_CHECK (cursor == haul_segments_get_total (table), "“%s”: map ends at %" G_GINT64_FORMAT, text, cursor);
  return written;
}

/* Claims and writes until complete; returns the bytes fetched. */
static gint64
complete (HaulSegments *table,
          const char   *text,
          guint         n_ranges)
{
  HaulSegmentClaim claim;
  gint64 fetched = 0;
  guint n_claims = 0;

  while (haul_segments_claim (table, &claim))
    {
      gint64 accepted = 0;

      FUZZ_CHECK (++n_claims <= n_ranges + 1, "“%s”: %u claims", text, n_claims);
      FUZZ_CHECK (haul_segments_advance (table, claim.id, G_MAXINT64, &accepted) == 0, "“%s”", text);
      FUZZ_CHECK (accepted == claim.end - claim.start, "“%s”: claim not written whole", text);
      fetched += accepted;
      haul_segments_release (table, claim.id);
    }
  FUZZ_CHECK (haul_segments_is_complete (table), "“%s”: no claim but incomplete", text);
  return fetched;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *input = fuzz_string (data, size);
  char *text = input;
  gint64 total = parse_total (&text);
  g_autoptr(GArray) ranges = NULL;
  g_autoptr(HaulSegments) table = NULL;
  g_autofree char *from_table = NULL;
  gint64 written;

  if (!haul_segments_parse (text, total, &ranges))
    return 0;
  check_ranges (text, ranges, total);
  table = haul_segments_new (total, (HaulRange *) (void *) ranges->data, ranges->len);
  from_table = haul_segments_to_string (table, 0);
  FUZZ_CHECK (g_str_equal (from_table, text), "“%s” from a table: “%s”", text, from_table);
  written = check_map (table, text);
  FUZZ_CHECK (written == haul_segments_get_written (table), "“%s”: map and count differ", text);
  FUZZ_CHECK (complete (table, text, ranges->len) == total - written, "“%s”: fetched ≠ missing", text);
  return 0;
}
