/* test-segments.c — the segment table of one segmented download
 *
 * Claims, splits, the safe zone and the minimum piece, a split racing a
 * writer past its new end, release and reclaim, the tail fetched twice,
 * tiny files, resume, the text form; and threads claiming, writing and
 * releasing at random until the file is complete, with every byte's
 * writes counted.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>

#include "haul-segments.h"

#define KIB (G_GINT64_CONSTANT (1024))
#define MIB (1024 * KIB)

static HaulSegments *
table_new (gint64 total,
           gint64 min_split,
           gint64 safe_zone)
{
  HaulSegments *table = haul_segments_new (total, NULL, 0);

  haul_segments_set_split (table, min_split, safe_zone);
  return table;
}

static HaulSegmentClaim
claim_ok (HaulSegments *table)
{
  HaulSegmentClaim claim = { 0 };

  g_assert_true (haul_segments_claim (table, &claim));
  g_assert_cmpuint (claim.id, !=, 0);
  g_assert_cmpint (claim.start, <, claim.end);
  return claim;
}

static void
claim_none (HaulSegments *table)
{
  HaulSegmentClaim claim = { 0 };

  g_assert_false (haul_segments_claim (table, &claim));
}

/* Writes the rest of a claim (its end may have shrunk) in one report and
 * releases it. */
static void
finish (HaulSegments           *table,
        const HaulSegmentClaim *claim)
{
  gint64 allowed = haul_segments_get_allowed (table, claim->id);
  gint64 accepted = -1;

  g_assert_cmpint (allowed, >, 0);
  g_assert_cmpint (haul_segments_advance (table, claim->id, allowed, &accepted), ==, 0);
  g_assert_cmpint (accepted, ==, allowed);
  haul_segments_release (table, claim->id);
}

static void
test_probe (void)
{
  g_autoptr(HaulSegments) table = table_new (10 * MIB, 0, -1);
  HaulSegmentClaim probe = claim_ok (table);

  g_assert_cmpint (probe.start, ==, 0);
  g_assert_cmpint (probe.end, ==, 10 * MIB);
  g_assert_false (probe.twin);
  g_assert_cmpint (haul_segments_get_allowed (table, probe.id), ==, 10 * MIB);
  g_assert_cmpint (haul_segments_get_total (table), ==, 10 * MIB);
  g_assert_cmpint (haul_segments_get_written (table), ==, 0);
  g_assert_cmpuint (haul_segments_get_n_active (table), ==, 1);
  g_assert_false (haul_segments_is_complete (table));
}

static void
test_split_middle (void)
{
  g_autoptr(HaulSegments) table = table_new (8 * MIB, MIB, 256 * KIB);
  HaulSegmentClaim a = claim_ok (table), b, c;

  g_assert_cmpint (haul_segments_advance (table, a.id, 100 * KIB, NULL), ==, 8 * MIB - 100 * KIB);
  /* The middle of what remains ahead of A's writer. */
  b = claim_ok (table);
  g_assert_cmpint (b.start, ==, 100 * KIB + (8 * MIB - 100 * KIB) / 2);
  g_assert_cmpint (b.end, ==, 8 * MIB);
  g_assert_false (b.twin);
  g_assert_cmpint (haul_segments_get_allowed (table, a.id), ==, b.start - 100 * KIB);
  /* The largest rest is split next: B's (A has written 100 KiB more). */
  g_assert_cmpint (haul_segments_advance (table, a.id, 100 * KIB, NULL), ==, b.start - 200 * KIB);
  c = claim_ok (table);
  g_assert_cmpint (c.start, ==, b.start + (8 * MIB - b.start) / 2);
  g_assert_cmpint (haul_segments_get_allowed (table, b.id), ==, c.start - b.start);
  g_assert_cmpuint (haul_segments_get_n_active (table), ==, 3);
}

/* A split never leaves a piece below the minimum; a file of exactly two
 * minimum pieces splits once, at its middle. */
static void
test_min_split (void)
{
  g_autoptr(HaulSegments) two = table_new (2 * MIB, MIB, 0);
  g_autoptr(HaulSegments) under = table_new (2 * MIB - 1, MIB, 0);
  HaulSegmentClaim a = claim_ok (two), b = claim_ok (two);

  g_assert_cmpint (b.start, ==, MIB);
  g_assert_false (b.twin);
  g_assert_cmpint (haul_segments_get_allowed (two, a.id), ==, MIB);
  haul_segments_set_tail_duplicates (two, FALSE);
  claim_none (two);
  finish (two, &b);
  finish (two, &a);
  g_assert_true (haul_segments_is_complete (two));
  claim_none (two);

  haul_segments_set_tail_duplicates (under, FALSE);
  a = claim_ok (under);
  claim_none (under);
  g_assert_cmpint (haul_segments_get_allowed (under, a.id), ==, 2 * MIB - 1);
}

static void
test_safe_zone (void)
{
  g_autoptr(HaulSegments) table = table_new (4 * MIB, MIB, 3 * MIB);
  g_autoptr(HaulSegments) tight = table_new (4 * MIB, MIB, 3 * MIB + 1);
  HaulSegmentClaim a = claim_ok (table), b;

  /* Half of 4 MiB is closer to the writer than the safe zone allows. */
  b = claim_ok (table);
  g_assert_cmpint (b.start, ==, 3 * MIB);
  g_assert_cmpint (haul_segments_get_allowed (table, a.id), ==, 3 * MIB);

  /* Past the safe zone, less than the minimum would be left: no split. */
  haul_segments_set_tail_duplicates (tight, FALSE);
  a = claim_ok (tight);
  claim_none (tight);
  g_assert_cmpint (haul_segments_get_allowed (tight, a.id), ==, 4 * MIB);
}

/* A's writer wrote beyond the end a split gave it (it ignored the safe
 * zone): only the bytes up to the new end count, and B's range is B's. */
static void
test_shrink_race (void)
{
  g_autoptr(HaulSegments) table = table_new (4 * MIB, MIB, 0);
  HaulSegmentClaim a = claim_ok (table), b;
  gint64 accepted = -1;

  g_assert_cmpint (haul_segments_advance (table, a.id, 10, NULL), ==, 4 * MIB - 10);
  b = claim_ok (table);
  g_assert_cmpint (b.start, ==, 10 + (4 * MIB - 10) / 2);
  g_assert_cmpint (haul_segments_advance (table, a.id, b.start + 4096, &accepted), ==, 0);
  g_assert_cmpint (accepted, ==, b.start - 10);
  g_assert_cmpint (haul_segments_get_written (table), ==, b.start);
  /* Nothing more is counted for A, and B writes its whole range. */
  g_assert_cmpint (haul_segments_advance (table, a.id, 1, &accepted), ==, 0);
  g_assert_cmpint (accepted, ==, 0);
  finish (table, &b);
  haul_segments_release (table, a.id);
  g_assert_cmpint (haul_segments_get_written (table), ==, 4 * MIB);
  g_assert_true (haul_segments_is_complete (table));
  claim_none (table);
}

static void
test_release_reclaim (void)
{
  g_autoptr(HaulSegments) table = table_new (8 * MIB, MIB, 0);
  HaulSegmentClaim a = claim_ok (table), b, c;

  haul_segments_advance (table, a.id, MIB, NULL);
  b = claim_ok (table);                       /* [4.5 MiB, 8 MiB) */
  haul_segments_advance (table, b.id, MIB, NULL);
  haul_segments_release (table, a.id);        /* [1 MiB, 4.5 MiB) is free */
  g_assert_cmpint (haul_segments_get_allowed (table, a.id), ==, 0);
  g_assert_cmpint (haul_segments_advance (table, a.id, 1, NULL), ==, 0);
  c = claim_ok (table);
  g_assert_cmpint (c.start, ==, MIB);
  g_assert_cmpint (c.end, ==, b.start);
  g_assert_cmpint (haul_segments_get_written (table), ==, 2 * MIB);
  finish (table, &c);
  haul_segments_advance (table, b.id, 8 * MIB, NULL);
  haul_segments_release (table, b.id);
  haul_segments_release (table, 12345);       /* unknown: ignored */
  g_assert_true (haul_segments_is_complete (table));
  g_assert_cmpuint (haul_segments_get_n_active (table), ==, 0);
}

/* A split whose new segment wrote nothing (its connection was refused)
 * gives its range back to the segment it was cut from. */
static void
test_refused_gives_back (void)
{
  g_autoptr(HaulSegments) table = table_new (8 * MIB, MIB, 0);
  HaulSegmentClaim a = claim_ok (table), b;

  haul_segments_advance (table, a.id, MIB, NULL);
  b = claim_ok (table);
  g_assert_cmpint (haul_segments_get_allowed (table, a.id), ==, b.start - MIB);
  haul_segments_release (table, b.id);
  g_assert_cmpint (haul_segments_get_allowed (table, a.id), ==, 7 * MIB);

  /* Once it wrote something, its rest is free for others instead. */
  b = claim_ok (table);
  haul_segments_advance (table, b.id, 1000, NULL);
  haul_segments_release (table, b.id);
  g_assert_cmpint (haul_segments_get_allowed (table, a.id), ==, b.start - MIB);
}

/* On a filesystem without holes: no claim starts further than the
 * allowed distance past the write frontier; segments leapfrog. */
static void
test_max_ahead (void)
{
  g_autoptr(HaulSegments) table = table_new (64 * MIB, MIB, 256 * KIB);
  HaulSegmentClaim claims[8];
  gint64 frontier = 0;

  haul_segments_set_max_ahead (table, 2 * MIB);
  claims[0] = claim_ok (table);
  g_assert_cmpint (claims[0].end, ==, 64 * MIB);
  for (guint i = 1; i < G_N_ELEMENTS (claims); i++)
    {
      claims[i] = claim_ok (table);
      g_assert_false (claims[i].twin);
      g_assert_cmpint (claims[i].start, <=, frontier + 2 * MIB);
      frontier = MAX (frontier, claims[i].start);
    }
  g_assert_cmpint (frontier, <=, (gint64) G_N_ELEMENTS (claims) * 2 * MIB);

  /* Without the limit the second claim cuts at the middle of the file. */
  {
    g_autoptr(HaulSegments) free_table = table_new (64 * MIB, MIB, 256 * KIB);
    HaulSegmentClaim first = claim_ok (free_table), second = claim_ok (free_table);

    g_assert_cmpint (first.start, ==, 0);
    g_assert_cmpint (second.start, ==, 32 * MIB);
  }
}

/* The rest is too small to split: a second connection fetches it too.
 * @twin_wins: which of the two reaches the end first. */
static void
run_tail_twin (gboolean twin_wins)
{
  g_autoptr(HaulSegments) table = table_new (MIB, MIB, 0);
  HaulSegmentClaim a = claim_ok (table), b;
  HaulSegmentClaim *winner, *loser;
  gint64 accepted = -1;

  haul_segments_advance (table, a.id, 1000, NULL);
  b = claim_ok (table);
  g_assert_true (b.twin);
  g_assert_cmpint (b.start, ==, 1000);
  g_assert_cmpint (b.end, ==, MIB);
  claim_none (table);  /* never three */

  winner = twin_wins ? &b : &a;
  loser = twin_wins ? &a : &b;
  g_assert_cmpint (haul_segments_advance (table, loser->id, 500, &accepted), ==, MIB - 1500);
  g_assert_cmpint (accepted, ==, 500);
  /* The winner's chunk covers the loser's 500 bytes: only the rest is
   * new, so the two counts add up to the file (nothing counted twice). */
  g_assert_cmpint (haul_segments_advance (table, winner->id, MIB, &accepted), ==, 0);
  g_assert_cmpint (accepted, ==, MIB - 1500);
  g_assert_true (haul_segments_is_complete (table));
  g_assert_cmpint (haul_segments_get_written (table), ==, MIB);

  /* The loser learns at its next report or question: stop, nothing counted. */
  g_assert_cmpint (haul_segments_get_allowed (table, loser->id), ==, 0);
  g_assert_cmpint (haul_segments_advance (table, loser->id, 4096, &accepted), ==, 0);
  g_assert_cmpint (accepted, ==, 0);
  g_assert_cmpint (haul_segments_get_written (table), ==, MIB);
  haul_segments_release (table, loser->id);
  haul_segments_release (table, winner->id);
  claim_none (table);
}

static void
test_tail_twin (void)
{
  run_tail_twin (TRUE);
  run_tail_twin (FALSE);
}

/* A twin whose partner is released is an ordinary owner again: its rest
 * may be fetched twice once more. */
static void
test_tail_twin_release (void)
{
  g_autoptr(HaulSegments) table = table_new (MIB, MIB, 0);
  HaulSegmentClaim a = claim_ok (table), b = claim_ok (table), c;

  g_assert_true (b.twin);
  haul_segments_advance (table, b.id, 300, NULL);
  haul_segments_release (table, a.id);
  c = claim_ok (table);
  g_assert_true (c.twin);
  g_assert_cmpint (c.start, ==, 300);
  finish (table, &c);
  g_assert_true (haul_segments_is_complete (table));
  g_assert_cmpint (haul_segments_advance (table, b.id, 1, NULL), ==, 0);
}

static void
test_zero_bytes (void)
{
  g_autoptr(HaulSegments) table = table_new (0, 0, -1);
  g_autofree char *text = haul_segments_to_string (table, 0);
  g_autofree HaulSpan *spans = NULL;
  gsize n = 99;

  g_assert_true (haul_segments_is_complete (table));
  claim_none (table);
  g_assert_cmpstr (text, ==, "");
  spans = haul_segments_snapshot (table, &n);
  g_assert_cmpuint (n, ==, 0);
}

static void
test_one_byte (void)
{
  g_autoptr(HaulSegments) table = table_new (1, 0, -1);
  HaulSegmentClaim a = claim_ok (table), b = claim_ok (table);
  g_autofree char *text = NULL;

  g_assert_cmpint (a.start, ==, 0);
  g_assert_cmpint (a.end, ==, 1);
  /* One byte cannot be split: the second connection fetches it too. */
  g_assert_true (b.twin);
  g_assert_cmpint (b.start, ==, 0);
  g_assert_cmpint (b.end, ==, 1);
  claim_none (table);
  finish (table, &a);
  g_assert_true (haul_segments_is_complete (table));
  g_assert_cmpint (haul_segments_advance (table, b.id, 1, NULL), ==, 0);
  haul_segments_release (table, b.id);
  text = haul_segments_to_string (table, 0);
  g_assert_cmpstr (text, ==, "0-0");
}

static void
test_resume (void)
{
  const HaulRange written[] = { { 3 * MIB, 4 * MIB }, { 0, MIB }, { MIB / 2, MIB + 10 }, { 9 * MIB, 20 * MIB } };
  g_autoptr(HaulSegments) table = haul_segments_new (10 * MIB, written, G_N_ELEMENTS (written));
  g_autofree char *text = haul_segments_to_string (table, 0);
  HaulSegmentClaim a, b;

  g_assert_cmpstr (text, ==, "0-1048585,3145728-4194303,9437184-10485759");
  g_assert_cmpint (haul_segments_get_written (table), ==, MIB + 10 + MIB + MIB);
  /* The probe: the first missing range; then the largest. */
  a = claim_ok (table);
  g_assert_cmpint (a.start, ==, MIB + 10);
  g_assert_cmpint (a.end, ==, 3 * MIB);
  b = claim_ok (table);
  g_assert_cmpint (b.start, ==, 4 * MIB);
  g_assert_cmpint (b.end, ==, 9 * MIB);
  finish (table, &a);
  finish (table, &b);
  g_assert_true (haul_segments_is_complete (table));
}

static void
test_snapshot (void)
{
  const HaulRange written[] = { { 0, 100 } };
  g_autoptr(HaulSegments) table = haul_segments_new (1000, written, 1);
  HaulSegmentClaim a;
  g_autofree HaulSpan *spans = NULL;
  gsize n = 0;

  haul_segments_set_split (table, 100, 0);
  a = claim_ok (table);                             /* [100, 1000) */
  haul_segments_advance (table, a.id, 200, NULL);   /* written to 300 */
  haul_segments_claim (table, &(HaulSegmentClaim) { 0 }); /* [650, 1000) */
  haul_segments_release (table, a.id);              /* [300, 650) missing */
  spans = haul_segments_snapshot (table, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpint (spans[0].start, ==, 0);
  g_assert_cmpint (spans[0].end, ==, 300);
  g_assert_cmpint (spans[0].kind, ==, HAUL_SPAN_WRITTEN);
  g_assert_cmpint (spans[1].end, ==, 650);
  g_assert_cmpint (spans[1].kind, ==, HAUL_SPAN_MISSING);
  g_assert_cmpint (spans[2].end, ==, 1000);
  g_assert_cmpint (spans[2].kind, ==, HAUL_SPAN_IN_FLIGHT);
}

/* Text */

static void
test_text_round_trip (void)
{
  const char *good[] = { "", "0-0", "0-1048575,2097152-3145727", "5-9,11-11,13-99", "0-99" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GArray) ranges = NULL;
      g_autoptr(HaulSegments) table = NULL;
      g_autofree char *again = NULL, *from_table = NULL;

      g_assert_true (haul_segments_parse (good[i], 4 * MIB, &ranges));
      again = haul_segments_format ((HaulRange *) (void *) ranges->data, ranges->len, 0);
      g_assert_cmpstr (again, ==, good[i]);
      table = haul_segments_new (4 * MIB, (HaulRange *) (void *) ranges->data, ranges->len);
      from_table = haul_segments_to_string (table, 0);
      g_assert_cmpstr (from_table, ==, good[i]);
    }
}

static void
test_text_rejected (void)
{
  const char *bad[] = {
    "0-100", /* past the total (100) */
    "5-4", "-1-5", "+1-5", " 1-5", "1-5 ", "1 -5", "1-5,", ",1-5", "1-5,,7-8",
    "01-5", "1-05", "1", "1-", "-", "1-5;7-8", "1-5,3-8", "1-5,6-8", "7-8,1-5",
    "0x1-5", "1-5\n", "99999999999999999999-99999999999999999999", "1--5", "a",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      GArray *ranges = NULL;

      g_test_message ("[%s]", bad[i]);
      g_assert_false (haul_segments_parse (bad[i], 100, &ranges));
      g_assert_null (ranges);
    }
  {
    GArray *ranges = NULL;
    g_autoptr(GString) longest = g_string_new ("0-0");
    gint64 pos = 2;

    while (longest->len <= HAUL_SEGMENTS_TEXT_MAX)
      {
        g_string_append_printf (longest, ",%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT, pos, pos);
        pos += 2;
      }
    g_assert_false (haul_segments_parse (longest->str, G_MAXINT64, &ranges));
    g_assert_false (haul_segments_parse (NULL, 100, &ranges));
    g_assert_false (haul_segments_parse ("0-0", -1, &ranges));
    g_assert_null (ranges);
    g_assert_true (haul_segments_parse ("9223372036854775806-9223372036854775806", G_MAXINT64, &ranges));
    g_array_unref (ranges);
  }
}

/* A text too long for its room keeps the first whole ranges only. */
static void
test_text_max_length (void)
{
  const HaulRange ranges[] = { { 0, 10 }, { 20, 30 }, { 40, 1000 } };
  g_autofree char *text = haul_segments_format (ranges, G_N_ELEMENTS (ranges), 12);
  g_autofree char *all = haul_segments_format (ranges, G_N_ELEMENTS (ranges), 16);

  g_assert_cmpstr (text, ==, "0-9,20-29");
  g_assert_cmpstr (all, ==, "0-9,20-29,40-999");
}

/* Threads */

#define STRESS_TOTAL   (MIB + 7)
#define STRESS_THREADS 8

typedef struct
{
  HaulSegments *table;
  guint        *coverage;  /* writes per byte, atomically */
  gboolean      twins;
  guint         seed;
  gint64        accepted;  /* counted for this thread */
  guint         n_claims;
  guint         n_twins;
} Stress;

/* One connection until its segment is done or it gives up at random. */
static void
stress_connection (Stress                 *s,
                   GRand                  *rand,
                   const HaulSegmentClaim *claim)
{
  gint64 pos = claim->start, allowed = claim->end - claim->start;

  while (allowed > 0 && g_rand_int_range (rand, 0, 60) != 0)
    {
      gint64 chunk = g_rand_int_range (rand, 1, 1025);  /* ≤ the safe zone */
      gint64 accepted;

      chunk = MIN (chunk, allowed);

      for (gint64 i = pos; i < pos + chunk; i++)
        g_atomic_int_inc ((gint *) &s->coverage[i]);
      if (g_rand_int_range (rand, 0, 8) == 0)
        g_thread_yield ();
      allowed = haul_segments_advance (s->table, claim->id, chunk, &accepted);
      if (!s->twins)
        g_assert_cmpint (accepted, ==, chunk);
      g_assert_cmpint (accepted, <=, chunk);
      s->accepted += accepted;
      pos += chunk;  /* past a shrunk end only when allowed is now 0 */
    }
  haul_segments_release (s->table, claim->id);
}

static gpointer
stress_thread (gpointer data)
{
  Stress *s = data;
  g_autoptr(GRand) rand = g_rand_new_with_seed (s->seed);

  while (!haul_segments_is_complete (s->table))
    {
      HaulSegmentClaim claim;

      if (haul_segments_claim (s->table, &claim))
        {
          s->n_claims++;
          s->n_twins += claim.twin;
          stress_connection (s, rand, &claim);
        }
      else
        g_usleep (50);
    }
  return NULL;
}

static void
run_stress (gboolean twins)
{
  g_autoptr(HaulSegments) table = table_new (STRESS_TOTAL, 4 * KIB, 1 * KIB);
  g_autofree guint *coverage = g_new0 (guint, STRESS_TOTAL);
  Stress s[STRESS_THREADS];
  GThread *threads[STRESS_THREADS];
  g_autofree HaulSpan *spans = NULL;
  gint64 accepted = 0;
  guint n_claims = 0, n_twins = 0;
  gsize n = 0;

  haul_segments_set_tail_duplicates (table, twins);
  for (guint i = 0; i < STRESS_THREADS; i++)
    {
      s[i] = (Stress) { table, coverage, twins, g_test_rand_int (), 0, 0, 0 };
      threads[i] = g_thread_new ("stress", stress_thread, &s[i]);
    }
  for (guint i = 0; i < STRESS_THREADS; i++)
    {
      g_thread_join (threads[i]);
      accepted += s[i].accepted;
      n_claims += s[i].n_claims;
      n_twins += s[i].n_twins;
    }
  g_test_message ("%u claims, %u of them twins", n_claims, n_twins);
  g_assert_cmpuint (n_claims, >, STRESS_THREADS);  /* splits and reclaims happened */
  if (!twins)
    g_assert_cmpuint (n_twins, ==, 0);

  for (gint64 i = 0; i < STRESS_TOTAL; i++)
    {
      if (twins ? coverage[i] < 1 : coverage[i] != 1)
        g_error ("byte %" G_GINT64_FORMAT " written %u times", i, coverage[i]);
    }
  g_assert_true (haul_segments_is_complete (table));
  g_assert_cmpint (haul_segments_get_written (table), ==, STRESS_TOTAL);
  /* Twins write some bytes twice, but every byte is counted once. */
  g_assert_cmpint (accepted, ==, STRESS_TOTAL);
  g_assert_cmpuint (haul_segments_get_n_active (table), ==, 0);
  spans = haul_segments_snapshot (table, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpint (spans[0].kind, ==, HAUL_SPAN_WRITTEN);
  g_assert_cmpint (spans[0].end, ==, STRESS_TOTAL);
}

static void
test_stress (void)
{
  for (guint round = 0; round < 20; round++)
    run_stress (FALSE);
}

static void
test_stress_twins (void)
{
  for (guint round = 0; round < 20; round++)
    run_stress (TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haul/core/segments/probe", test_probe);
  g_test_add_func ("/haul/core/segments/split-middle", test_split_middle);
  g_test_add_func ("/haul/core/segments/min-split", test_min_split);
  g_test_add_func ("/haul/core/segments/safe-zone", test_safe_zone);
  g_test_add_func ("/haul/core/segments/shrink-race", test_shrink_race);
  g_test_add_func ("/haul/core/segments/release-reclaim", test_release_reclaim);
  g_test_add_func ("/haul/core/segments/refused-gives-back", test_refused_gives_back);
  g_test_add_func ("/haul/core/segments/max-ahead", test_max_ahead);
  g_test_add_func ("/haul/core/segments/tail-twin", test_tail_twin);
  g_test_add_func ("/haul/core/segments/tail-twin-release", test_tail_twin_release);
  g_test_add_func ("/haul/core/segments/zero-bytes", test_zero_bytes);
  g_test_add_func ("/haul/core/segments/one-byte", test_one_byte);
  g_test_add_func ("/haul/core/segments/resume", test_resume);
  g_test_add_func ("/haul/core/segments/snapshot", test_snapshot);
  g_test_add_func ("/haul/core/segments/text-round-trip", test_text_round_trip);
  g_test_add_func ("/haul/core/segments/text-rejected", test_text_rejected);
  g_test_add_func ("/haul/core/segments/text-max-length", test_text_max_length);
  g_test_add_func ("/haul/core/segments/stress", test_stress);
  g_test_add_func ("/haul/core/segments/stress-twins", test_stress_twins);

  return g_test_run ();
}
