/* haul-segments.c — the segment table of one segmented download
 *
 * Any thread: every public call takes the one mutex, works on memory only
 * and returns (the rules are in haul-segments.h). The table holds two
 * things: the written set (sorted, merged, non-adjacent ranges) and the
 * active segments (one per connection: start, position, end). What is
 * unreserved is never stored: it is the file minus the written set minus
 * every segment's [pos, end), computed when a claim needs it (a table has
 * a few dozen rows at most).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-segments"

#include "config.h"

#include <string.h>

#include "haul-segments.h"

typedef struct
{
  guint  id;
  gint64 start;  /* where it began: for the snapshot and the tests */
  gint64 pos;    /* the next byte its writer reports */
  gint64 end;    /* exclusive; shrinks when split or when its twin wins */
  guint  twin;   /* the id of the other fetch of the same rest, or 0 */
} Segment;

struct _HaulSegments
{
  gatomicrefcount ref_count;
  GMutex          mutex;
  gint64          total;
  gint64          min_split;
  gint64          safe_zone;
  gboolean        tail_duplicates;
  gint64          max_ahead;     /* 0: claims anywhere; else near the write frontier */
  GArray         *written;       /* HaulRange */
  gint64          written_bytes;
  GArray         *segments;      /* Segment */
  guint           next_id;
  gboolean        probed;        /* the first claim has been made */
};

/* Range sets: GArrays of HaulRange, sorted, merged, non-adjacent. */

#define RANGE(set, i) (&g_array_index ((set), HaulRange, (i)))

static GArray *
range_set_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (HaulRange));
}

/* Adds [start, end) to @set; returns how many bytes were not in it. */
static gint64
range_set_add (GArray *set,
               gint64  start,
               gint64  end)
{
  HaulRange merged = { start, end };
  gint64 before = 0;
  guint first, last;

  if (start >= end)
    return 0;
  for (first = 0; first < set->len && RANGE (set, first)->end < start; first++)
    ;
  for (last = first; last < set->len && RANGE (set, last)->start <= end; last++)
    {
      HaulRange *r = RANGE (set, last);

      before += r->end - r->start;
      merged.start = MIN (merged.start, r->start);
      merged.end = MAX (merged.end, r->end);
    }
  if (last > first)
    g_array_remove_range (set, first, last - first);
  g_array_insert_val (set, first, merged);
  return (merged.end - merged.start) - before;
}

static gboolean
range_set_covers (GArray *set,
                  gint64  start,
                  gint64  end)
{
  if (start >= end)
    return TRUE;
  for (guint i = 0; i < set->len; i++)
    {
      HaulRange *r = RANGE (set, i);

      if (r->start <= start && end <= r->end)
        return TRUE;
    }
  return FALSE;
}

/* The parts of [0, total) not in @set. */
static GArray *
range_set_complement (GArray *set,
                      gint64  total)
{
  GArray *gaps = range_set_new ();
  gint64 cursor = 0;

  for (guint i = 0; i < set->len; i++)
    {
      HaulRange *r = RANGE (set, i);

      if (r->start > cursor)
        g_array_append_val (gaps, ((HaulRange) { cursor, r->start }));
      cursor = MAX (cursor, r->end);
    }
  if (cursor < total)
    g_array_append_val (gaps, ((HaulRange) { cursor, total }));
  return gaps;
}

/* @a minus @b. */
static GArray *
range_set_subtract (GArray *a,
                    GArray *b)
{
  GArray *out = range_set_new ();

  for (guint i = 0; i < a->len; i++)
    {
      gint64 cursor = RANGE (a, i)->start, end = RANGE (a, i)->end;

      for (guint j = 0; j < b->len && cursor < end; j++)
        {
          HaulRange *w = RANGE (b, j);

          if (w->end <= cursor || w->start >= end)
            continue;
          if (w->start > cursor)
            g_array_append_val (out, ((HaulRange) { cursor, w->start }));
          cursor = w->end;
        }
      if (cursor < end)
        g_array_append_val (out, ((HaulRange) { cursor, end }));
    }
  return out;
}

/* The table */

/**
 * haul_segments_new:
 * @total: the file's size in bytes (≥ 0)
 * @written: (nullable): ranges already on disk (a resumed download)
 * @n_written: how many
 *
 * Ranges are clipped to the file and may overlap; a file of 0 bytes, or
 * one whose ranges cover it, is complete at once and gives no claim.
 */
HaulSegments *
haul_segments_new (gint64           total,
                   const HaulRange *written,
                   gsize            n_written)
{
  HaulSegments *self = g_new0 (HaulSegments, 1);

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->mutex);
  self->total = MAX (total, 0);
  self->min_split = HAUL_SEGMENTS_MIN_SPLIT;
  self->safe_zone = HAUL_SEGMENTS_SAFE_ZONE;
  self->tail_duplicates = TRUE;
  self->written = range_set_new ();
  self->segments = g_array_new (FALSE, FALSE, sizeof (Segment));
  self->next_id = 1;
  for (gsize i = 0; i < n_written; i++)
    self->written_bytes += range_set_add (self->written,
                                          CLAMP (written[i].start, 0, self->total),
                                          CLAMP (written[i].end, 0, self->total));
  return self;
}

HaulSegments *
haul_segments_ref (HaulSegments *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
haul_segments_unref (HaulSegments *self)
{
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_array_unref (self->written);
  g_array_unref (self->segments);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

/**
 * haul_segments_set_split:
 * @min_split: the smallest piece a split leaves on either side (≤ 0: the
 *   default, %HAUL_SEGMENTS_MIN_SPLIT)
 * @safe_zone: how far ahead of a writer a split may cut at the closest
 *   (< 0: the default, %HAUL_SEGMENTS_SAFE_ZONE)
 */
void
haul_segments_set_split (HaulSegments *self,
                         gint64        min_split,
                         gint64        safe_zone)
{
  g_mutex_lock (&self->mutex);
  self->min_split = min_split > 0 ? min_split : HAUL_SEGMENTS_MIN_SPLIT;
  self->safe_zone = safe_zone >= 0 ? safe_zone : HAUL_SEGMENTS_SAFE_ZONE;
  g_mutex_unlock (&self->mutex);
}

/* Whether a claim may start a second fetch of a segment's rest at the
 * tail (default: yes). */
void
haul_segments_set_tail_duplicates (HaulSegments *self,
                                   gboolean      allowed)
{
  g_mutex_lock (&self->mutex);
  self->tail_duplicates = allowed;
  g_mutex_unlock (&self->mutex);
}

/**
 * haul_segments_set_max_ahead:
 * @max_ahead: how far past the write frontier (the furthest byte written
 *   or being written) a claim may start; 0: anywhere (the default)
 *
 * For files that cannot be sparse (vfat, exFAT, some FUSE filesystems): a
 * write far past the end of the file makes the filesystem fill the gap
 * with zeros first, blocking the writer. Near the frontier, segments
 * leapfrog each other instead.
 */
void
haul_segments_set_max_ahead (HaulSegments *self,
                             gint64        max_ahead)
{
  g_mutex_lock (&self->mutex);
  self->max_ahead = MAX (max_ahead, 0);
  g_mutex_unlock (&self->mutex);
}

/* The furthest byte written or reserved by a writer at its position. */
static gint64
frontier_locked (HaulSegments *self)
{
  gint64 frontier = 0;

  if (self->written->len > 0)
    frontier = RANGE (self->written, self->written->len - 1)->end;
  for (guint i = 0; i < self->segments->len; i++)
    frontier = MAX (frontier, g_array_index (self->segments, Segment, i).pos);
  return frontier;
}

/* The furthest a new claim may start (G_MAXINT64: anywhere). */
static gint64
claim_limit_locked (HaulSegments *self)
{
  if (self->max_ahead == 0 || !self->probed)
    return G_MAXINT64;
  return frontier_locked (self) + self->max_ahead;
}

static Segment *
find_segment (HaulSegments *self,
              guint         id)
{
  for (guint i = 0; i < self->segments->len; i++)
    if (g_array_index (self->segments, Segment, i).id == id)
      return &g_array_index (self->segments, Segment, i);
  return NULL;
}

static gint64
remaining (const Segment *seg)
{
  return seg->end - seg->pos;
}

static Segment *
add_segment (HaulSegments     *self,
             gint64            start,
             gint64            end,
             HaulSegmentClaim *claim)
{
  Segment seg = { self->next_id++, start, start, end, 0 };

  if (self->next_id == 0)
    self->next_id = 1;
  g_array_append_val (self->segments, seg);
  *claim = (HaulSegmentClaim) { seg.id, start, end, FALSE };
  return &g_array_index (self->segments, Segment, self->segments->len - 1);
}

/* The unreserved ranges: not written, not ahead of any writer. */
static GArray *
unreserved_locked (HaulSegments *self)
{
  g_autoptr(GArray) taken = range_set_new ();

  g_array_append_vals (taken, self->written->data, self->written->len);
  for (guint i = 0; i < self->segments->len; i++)
    {
      Segment *seg = &g_array_index (self->segments, Segment, i);

      range_set_add (taken, seg->pos, seg->end);
    }
  return range_set_complement (taken, self->total);
}

/* The probe takes the first gap; later claims the largest (the lowest of
 * equals). */
static gboolean
claim_gap_locked (HaulSegments     *self,
                  HaulSegmentClaim *claim)
{
  g_autoptr(GArray) gaps = unreserved_locked (self);
  gint64 limit = claim_limit_locked (self);
  HaulRange *best = NULL;

  for (guint i = 0; i < gaps->len; i++)
    {
      HaulRange *gap = RANGE (gaps, i);

      if (gap->start > limit)
        continue;
      if (best == NULL || (self->probed && gap->end - gap->start > best->end - best->start))
        best = gap;
    }
  if (best == NULL)
    return FALSE;
  add_segment (self, best->start, best->end, claim);
  return TRUE;
}

/* The segment with the most remaining bytes, twins left out. */
static Segment *
busiest_locked (HaulSegments *self,
                gboolean      skip_twinned)
{
  Segment *best = NULL;

  for (guint i = 0; i < self->segments->len; i++)
    {
      Segment *seg = &g_array_index (self->segments, Segment, i);

      if (skip_twinned && seg->twin != 0)
        continue;
      if (remaining (seg) > 0 && (best == NULL || remaining (seg) > remaining (best)))
        best = seg;
    }
  return best;
}

/* Where @seg would be split: the middle of its rest, at least the safe
 * zone ahead of its writer; -1 when a piece would be below the minimum. */
static gint64
split_point (HaulSegments  *self,
             const Segment *seg)
{
  gint64 cut = seg->pos + MAX (remaining (seg) / 2, self->safe_zone);

  cut = MIN (cut, claim_limit_locked (self));
  if (cut - seg->pos < MAX (self->min_split, self->safe_zone) || seg->end - cut < self->min_split)
    return -1;
  return cut;
}

static gboolean
claim_split_locked (HaulSegments     *self,
                    HaulSegmentClaim *claim)
{
  Segment *owner = busiest_locked (self, TRUE);
  gint64 cut, end;

  if (owner == NULL || (cut = split_point (self, owner)) < 0)
    return FALSE;
  end = owner->end;
  owner->end = cut;  /* before add_segment(): it may move the array */
  add_segment (self, cut, end, claim);
  return TRUE;
}

static gboolean
claim_twin_locked (HaulSegments     *self,
                   HaulSegmentClaim *claim)
{
  Segment *owner = busiest_locked (self, TRUE);
  guint owner_id;
  Segment *twin;

  if (!self->tail_duplicates || owner == NULL)
    return FALSE;
  owner_id = owner->id;
  twin = add_segment (self, owner->pos, owner->end, claim);
  twin->twin = owner_id;
  find_segment (self, owner_id)->twin = twin->id;
  claim->twin = TRUE;
  return TRUE;
}

/**
 * haul_segments_claim:
 * @claim: (out): the segment to fetch
 *
 * Returns: %FALSE when there is nothing for one more connection to do now
 *   (the file is complete, or every rest is owned, too small to split and
 *   already fetched twice).
 */
gboolean
haul_segments_claim (HaulSegments     *self,
                     HaulSegmentClaim *claim)
{
  gboolean found;

  g_return_val_if_fail (claim != NULL, FALSE);

  g_mutex_lock (&self->mutex);
  found = self->written_bytes < self->total
          && (claim_gap_locked (self, claim)
              || claim_split_locked (self, claim)
              || claim_twin_locked (self, claim));
  self->probed = self->probed || found;
  g_mutex_unlock (&self->mutex);
  return found;
}

/* A segment reached its end: every other whose rest is now all written
 * (its twin, which lost) stops where it is. */
static void
stop_losers_locked (HaulSegments *self)
{
  for (guint i = 0; i < self->segments->len; i++)
    {
      Segment *seg = &g_array_index (self->segments, Segment, i);

      if (remaining (seg) > 0 && range_set_covers (self->written, seg->pos, seg->end))
        seg->end = seg->pos;
    }
}

/**
 * haul_segments_advance:
 * @id: the segment of the writer
 * @n_bytes: how many bytes it has just written at its position
 * @counted: (out) (optional): how many of them are new to the written set,
 *   which is what a download's count of received bytes grows by: never
 *   past the segment's end (which may have shrunk since the writer last
 *   asked), and none its twin wrote first. The writer's position moves
 *   by @n_bytes up to that end all the same.
 *
 * Returns: how many more bytes the writer may write from its new
 *   position; 0: stop and release (also for an unknown or released @id).
 */
gint64
haul_segments_advance (HaulSegments *self,
                       guint         id,
                       gint64        n_bytes,
                       gint64       *counted)
{
  Segment *seg;
  gint64 n, added = 0, left = 0;

  g_mutex_lock (&self->mutex);
  seg = find_segment (self, id);
  if (seg != NULL)
    {
      n = CLAMP (n_bytes, 0, remaining (seg));
      /* A twin may have written some of these already: only the bytes
       * the union gains are counted, so the sum of every writer's count
       * is the written set's size. */
      added = range_set_add (self->written, seg->pos, seg->pos + n);
      self->written_bytes += added;
      seg->pos += n;
      left = remaining (seg);
      if (n > 0 && left == 0)
        stop_losers_locked (self);
    }
  g_mutex_unlock (&self->mutex);
  if (counted != NULL)
    *counted = added;
  return left;
}

/* How many bytes the segment's writer may still write (0 for an unknown
 * @id): what advance() would have returned, now. */
gint64
haul_segments_get_allowed (HaulSegments *self,
                           guint         id)
{
  Segment *seg;
  gint64 left = 0;

  g_mutex_lock (&self->mutex);
  seg = find_segment (self, id);
  if (seg != NULL)
    left = remaining (seg);
  g_mutex_unlock (&self->mutex);
  return left;
}

/* A segment split off another wrote nothing (its connection was refused,
 * say): its range goes back to the segment it was cut from, if that one
 * still ends where it began, so a refused connection costs the owner
 * nothing. */
static void
give_back_locked (HaulSegments  *self,
                  const Segment *gone)
{
  for (guint i = 0; i < self->segments->len; i++)
    {
      Segment *seg = &g_array_index (self->segments, Segment, i);

      if (seg->id != gone->id && seg->twin == 0 && seg->end == gone->start && seg->pos < seg->end)
        {
          seg->end = gone->end;
          return;
        }
    }
}

/* The connection of @id stops; its unwritten rest is free for the next
 * claim (unless its twin still fetches it). Unknown ids are ignored. */
void
haul_segments_release (HaulSegments *self,
                       guint         id)
{
  Segment *gone;

  g_mutex_lock (&self->mutex);
  gone = find_segment (self, id);
  if (gone != NULL && gone->pos == gone->start && gone->twin == 0)
    give_back_locked (self, gone);
  for (guint i = 0; i < self->segments->len; i++)
    {
      Segment *seg = &g_array_index (self->segments, Segment, i);

      if (seg->twin == id)
        seg->twin = 0;
    }
  for (guint i = 0; i < self->segments->len; i++)
    if (g_array_index (self->segments, Segment, i).id == id)
      {
        g_array_remove_index (self->segments, i);
        break;
      }
  g_mutex_unlock (&self->mutex);
}

gint64
haul_segments_get_total (HaulSegments *self)
{
  return self->total;  /* immutable */
}

gint64
haul_segments_get_written (HaulSegments *self)
{
  gint64 written;

  g_mutex_lock (&self->mutex);
  written = self->written_bytes;
  g_mutex_unlock (&self->mutex);
  return written;
}

/* How many segments (connections) are registered, finished or not. */
guint
haul_segments_get_n_active (HaulSegments *self)
{
  guint n;

  g_mutex_lock (&self->mutex);
  n = self->segments->len;
  g_mutex_unlock (&self->mutex);
  return n;
}

gboolean
haul_segments_is_complete (HaulSegments *self)
{
  return haul_segments_get_written (self) == self->total;
}

/**
 * haul_segments_copy_written:
 * @n_ranges: (out): how many
 *
 * Returns: (transfer full): the written ranges, sorted, for g_free()
 */
HaulRange *
haul_segments_copy_written (HaulSegments *self,
                            gsize        *n_ranges)
{
  HaulRange *copy;

  g_mutex_lock (&self->mutex);
  *n_ranges = self->written->len;
  copy = g_memdup2 (self->written->data, sizeof (HaulRange) * self->written->len);
  g_mutex_unlock (&self->mutex);
  return copy;
}

static void
append_span (GArray      *spans,
             gint64       start,
             gint64       end,
             HaulSpanKind kind)
{
  if (start < end)
    g_array_append_val (spans, ((HaulSpan) { start, end, kind }));
}

/* Interleaves two disjoint sorted sets into spans, gaps as missing. */
static HaulSpan *
spans_from (GArray *written,
            GArray *in_flight,
            gint64  total,
            gsize  *n_spans)
{
  GArray *spans = g_array_new (FALSE, FALSE, sizeof (HaulSpan));
  guint w = 0, f = 0;
  gint64 cursor = 0;

  while (w < written->len || f < in_flight->len)
    {
      gboolean take_w = f >= in_flight->len
                        || (w < written->len && RANGE (written, w)->start < RANGE (in_flight, f)->start);
      HaulRange *r = take_w ? RANGE (written, w++) : RANGE (in_flight, f++);

      append_span (spans, cursor, r->start, HAUL_SPAN_MISSING);
      append_span (spans, r->start, r->end, take_w ? HAUL_SPAN_WRITTEN : HAUL_SPAN_IN_FLIGHT);
      cursor = r->end;
    }
  append_span (spans, cursor, total, HAUL_SPAN_MISSING);
  *n_spans = spans->len;
  return (HaulSpan *) (void *) g_array_free (spans, FALSE);
}

/**
 * haul_segments_snapshot:
 * @n_spans: (out): how many
 *
 * The map for a person: the file from 0 to its total as consecutive spans,
 * written, in flight (ahead of a writer) or missing.
 *
 * Returns: (transfer full): the spans, for g_free()
 */
HaulSpan *
haul_segments_snapshot (HaulSegments *self,
                        gsize        *n_spans)
{
  g_autoptr(GArray) written = range_set_new ();
  g_autoptr(GArray) reserved = range_set_new ();
  g_autoptr(GArray) in_flight = NULL;

  g_mutex_lock (&self->mutex);
  g_array_append_vals (written, self->written->data, self->written->len);
  for (guint i = 0; i < self->segments->len; i++)
    {
      Segment *seg = &g_array_index (self->segments, Segment, i);

      range_set_add (reserved, seg->pos, seg->end);
    }
  g_mutex_unlock (&self->mutex);

  in_flight = range_set_subtract (reserved, written);
  return spans_from (written, in_flight, self->total, n_spans);
}

static int
compare_states (gconstpointer a,
                gconstpointer b)
{
  const HaulSegmentState *x = a, *y = b;

  if (x->position != y->position)
    return x->position < y->position ? -1 : 1;
  return x->id < y->id ? -1 : (x->id > y->id);
}

/**
 * haul_segments_copy_active:
 * @n_active: (out): how many
 *
 * Returns: (transfer full) (array length=n_active): the active segments,
 *   by position in the file
 */
HaulSegmentState *
haul_segments_copy_active (HaulSegments *self,
                           gsize        *n_active)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (HaulSegmentState));

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->segments->len; i++)
    {
      Segment *seg = &g_array_index (self->segments, Segment, i);
      HaulSegmentState st = { seg->id, seg->start, seg->pos, seg->end, seg->twin != 0 };

      g_array_append_val (out, st);
    }
  g_mutex_unlock (&self->mutex);
  g_array_sort (out, compare_states);
  *n_active = out->len;
  return (HaulSegmentState *) (void *) g_array_free (out, FALSE);
}

/**
 * haul_segments_to_string:
 * @max_length: the longest text wanted (0: %HAUL_SEGMENTS_TEXT_MAX)
 *
 * Returns: (transfer full): the written ranges as text, see
 *   haul_segments_format()
 */
char *
haul_segments_to_string (HaulSegments *self,
                         gsize         max_length)
{
  gsize n;
  g_autofree HaulRange *ranges = haul_segments_copy_written (self, &n);

  return haul_segments_format (ranges, n, max_length);
}

/* Text form */

/**
 * haul_segments_format:
 * @ranges: sorted, non-overlapping, non-adjacent half-open ranges
 * @max_length: the longest text wanted (0: %HAUL_SEGMENTS_TEXT_MAX)
 *
 * "FIRST-LAST,FIRST-LAST" with inclusive bounds, "" for none. Ranges that
 * would make the text longer than @max_length are left out: a record that
 * names fewer written bytes than there are only costs a second fetch.
 *
 * Returns: (transfer full): the text
 */
char *
haul_segments_format (const HaulRange *ranges,
                      gsize            n_ranges,
                      gsize            max_length)
{
  GString *text = g_string_new (NULL);

  if (max_length == 0)
    max_length = HAUL_SEGMENTS_TEXT_MAX;
  for (gsize i = 0; i < n_ranges; i++)
    {
      char item[64];
      int len;

      if (ranges[i].start >= ranges[i].end)
        continue;
      len = g_snprintf (item, sizeof item, "%s%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT,
                        text->len > 0 ? "," : "", ranges[i].start, ranges[i].end - 1);
      if (text->len + (gsize) len > max_length)
        break;
      g_string_append_len (text, item, len);
    }
  return g_string_free (text, FALSE);
}

/* A decimal without sign, spaces or leading zeros, that fits a gint64. */
static gboolean
parse_number (const char **p,
              gint64      *value)
{
  const char *s = *p;
  gint64 v = 0;

  if (!g_ascii_isdigit (*s) || (s[0] == '0' && g_ascii_isdigit (s[1])))
    return FALSE;
  for (; g_ascii_isdigit (*s); s++)
    {
      int d = *s - '0';

      if (v > (G_MAXINT64 - d) / 10)
        return FALSE;
      v = v * 10 + d;
    }
  *p = s;
  *value = v;
  return TRUE;
}

/* One "FIRST-LAST" starting past @after, the previous range's exclusive
 * end (a range touching it is refused: the text is canonical). */
static gboolean
parse_range (const char **p,
             gint64       after,
             gint64       total,
             HaulRange   *range)
{
  gint64 first, last;

  if (!parse_number (p, &first) || **p != '-')
    return FALSE;
  (*p)++;
  if (!parse_number (p, &last))
    return FALSE;
  if (first > last || last >= total || first <= after)
    return FALSE;
  *range = (HaulRange) { first, last + 1 };
  return TRUE;
}

/**
 * haul_segments_parse:
 * @text: what haul_segments_format() wrote, or anything (untrusted)
 * @total: the file's size
 * @ranges: (out) (transfer full): the half-open ranges, sorted
 *
 * Strict: decimal "FIRST-LAST" pairs with FIRST ≤ LAST < @total, separated
 * by single commas, sorted, neither overlapping nor touching (the form
 * haul_segments_format() writes for a table's merged set), at most
 * %HAUL_SEGMENTS_TEXT_MAX bytes. "" is valid: nothing written.
 *
 * Returns: %FALSE, and @ranges untouched, for anything else
 */
gboolean
haul_segments_parse (const char  *text,
                     gint64       total,
                     GArray     **ranges)
{
  g_autoptr(GArray) out = range_set_new ();
  const char *p = text;
  gint64 after = -1;

  g_return_val_if_fail (ranges != NULL, FALSE);

  if (text == NULL || total < 0 || strnlen (text, HAUL_SEGMENTS_TEXT_MAX + 1) > HAUL_SEGMENTS_TEXT_MAX)
    return FALSE;
  while (*p != '\0')
    {
      HaulRange range;

      if (out->len > 0 && *p++ != ',')
        return FALSE;
      if (!parse_range (&p, after, total, &range))
        return FALSE;
      g_array_append_val (out, range);
      after = range.end;
    }
  *ranges = g_steal_pointer (&out);
  return TRUE;
}
