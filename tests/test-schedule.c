/* test-schedule.c — HaulSchedule: its hours, the next change, HH:MM
 *
 * Times are built in two zones: UTC and the local zone, which main() sets
 * to Europe/Berlin through TZ (and checks it took), so the weeks that
 * contain the last Sundays of March and October 2025 cross a change of
 * the clocks (02:00 → 03:00, 03:00 → 02:00). Besides the tables of cases,
 * next_change() is checked against allows() minute by minute over two
 * weeks, for several schedules, in both zones.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "haul-schedule.h"

#define MON (1u << 0)
#define TUE (1u << 1)
#define FRI (1u << 4)
#define SAT (1u << 5)
#define SUN (1u << 6)
#define WEEKDAYS 0x1f
#define ALL HAUL_SCHEDULE_ALL_DAYS
#define HM(h, m) ((h) * 60 + (m))

/* Local (Europe/Berlin) wall time. */
static GDateTime *
local (int y, int mo, int d, int h, int mi)
{
  return g_date_time_new_local (y, mo, d, h, mi, 0);
}

/* Seconds since the epoch of a UTC wall time. */
static gint64
utc_unix (int y, int mo, int d, int h, int mi)
{
  g_autoptr(GDateTime) t = g_date_time_new_utc (y, mo, d, h, mi, 0);

  return g_date_time_to_unix (t);
}

/* ------------------------------------------------------------------ */
/* allows() */

typedef struct
{
  guint    days, start, end;
  int      y, mo, d, h, mi; /* local */
  gboolean allowed;
} AllowsCase;

static const AllowsCase allows_cases[] = {
  /* 00:00–06:00 every day: the window opens at midnight. */
  { ALL, HM (0, 0), HM (6, 0), 2025, 6, 2, 23, 59, FALSE },
  { ALL, HM (0, 0), HM (6, 0), 2025, 6, 3, 0, 0, TRUE },
  { ALL, HM (0, 0), HM (6, 0), 2025, 6, 3, 5, 59, TRUE },
  { ALL, HM (0, 0), HM (6, 0), 2025, 6, 3, 6, 0, FALSE },
  /* Sunday 22:00–06:00: runs into Monday morning, and only that. */
  { SUN, HM (22, 0), HM (6, 0), 2025, 6, 8, 21, 59, FALSE },
  { SUN, HM (22, 0), HM (6, 0), 2025, 6, 8, 22, 0, TRUE },
  { SUN, HM (22, 0), HM (6, 0), 2025, 6, 8, 23, 59, TRUE },
  { SUN, HM (22, 0), HM (6, 0), 2025, 6, 9, 0, 0, TRUE },
  { SUN, HM (22, 0), HM (6, 0), 2025, 6, 9, 5, 59, TRUE },
  { SUN, HM (22, 0), HM (6, 0), 2025, 6, 9, 6, 0, FALSE },
  { SUN, HM (22, 0), HM (6, 0), 2025, 6, 9, 22, 0, FALSE },   /* Monday is not listed */
  { SUN, HM (22, 0), HM (6, 0), 2025, 6, 8, 3, 0, FALSE },    /* nor Saturday night */
  /* Saturday and Sunday 22:00–06:00. */
  { SAT | SUN, HM (22, 0), HM (6, 0), 2025, 6, 6, 23, 0, FALSE },  /* Friday */
  { SAT | SUN, HM (22, 0), HM (6, 0), 2025, 6, 7, 23, 0, TRUE },   /* Saturday */
  { SAT | SUN, HM (22, 0), HM (6, 0), 2025, 6, 8, 3, 0, TRUE },    /* Sunday morning: Saturday's */
  { SAT | SUN, HM (22, 0), HM (6, 0), 2025, 6, 9, 5, 0, TRUE },    /* Monday morning: Sunday's */
  { SAT | SUN, HM (22, 0), HM (6, 0), 2025, 6, 7, 3, 0, FALSE },   /* Saturday morning: Friday's */
  /* start == end: the whole day. */
  { TUE, HM (8, 0), HM (8, 0), 2025, 6, 2, 23, 59, FALSE },
  { TUE, HM (8, 0), HM (8, 0), 2025, 6, 3, 0, 0, TRUE },
  { TUE, HM (8, 0), HM (8, 0), 2025, 6, 3, 7, 59, TRUE },
  { TUE, HM (8, 0), HM (8, 0), 2025, 6, 3, 23, 59, TRUE },
  { TUE, HM (8, 0), HM (8, 0), 2025, 6, 4, 0, 0, FALSE },
  /* No day: never. */
  { 0, HM (0, 0), HM (0, 0), 2025, 6, 3, 12, 0, FALSE },
  { 0, HM (1, 0), HM (2, 0), 2025, 6, 3, 1, 30, FALSE },
  /* Weekdays 09:00–17:00. */
  { WEEKDAYS, HM (9, 0), HM (17, 0), 2025, 6, 6, 16, 59, TRUE },
  { WEEKDAYS, HM (9, 0), HM (17, 0), 2025, 6, 6, 17, 0, FALSE },
  { WEEKDAYS, HM (9, 0), HM (17, 0), 2025, 6, 7, 10, 0, FALSE },
  { WEEKDAYS, HM (9, 0), HM (17, 0), 2025, 6, 2, 9, 0, TRUE },
  /* 23:59 only: one minute a day. */
  { ALL, HM (23, 59), HM (0, 0), 2025, 6, 3, 23, 59, TRUE },
  { ALL, HM (23, 59), HM (0, 0), 2025, 6, 3, 23, 58, FALSE },
  { ALL, HM (23, 59), HM (0, 0), 2025, 6, 4, 0, 0, FALSE },
};

static void
test_allows (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (allows_cases); i++)
    {
      const AllowsCase *c = &allows_cases[i];
      g_autoptr(HaulSchedule) s = haul_schedule_new (c->days, c->start, c->end);
      g_autoptr(GDateTime) t = local (c->y, c->mo, c->d, c->h, c->mi);

      if (haul_schedule_allows (s, t) != c->allowed)
        g_error ("case %u: days %#x %u–%u at %04d-%02d-%02d %02d:%02d: expected %s", i, c->days,
                 c->start, c->end, c->y, c->mo, c->d, c->h, c->mi, c->allowed ? "allowed" : "not allowed");
    }
}

static void
test_new_clamps (void)
{
  g_autoptr(HaulSchedule) s = haul_schedule_new (0xff, HM (24, 30), 1440 + 1439);
  g_autoptr(HaulSchedule) copy = haul_schedule_copy (s);

  g_assert_cmpuint (haul_schedule_get_days (s), ==, ALL);
  g_assert_cmpuint (haul_schedule_get_start (s), ==, 30);
  g_assert_cmpuint (haul_schedule_get_end (s), ==, 1439);
  g_assert_cmpuint (haul_schedule_get_days (copy), ==, ALL);
  g_assert_cmpuint (haul_schedule_get_start (copy), ==, 30);
  g_assert_cmpuint (haul_schedule_get_end (copy), ==, 1439);
}

/* ------------------------------------------------------------------ */
/* next_change() */

typedef struct
{
  guint  days, start, end;
  int    y, mo, d, h, mi;  /* local (Berlin) */
  gint64 expected_utc;     /* Unix seconds of the change, -1: never */
} NextCase;

#define UTC(y, mo, d, h, mi) (((gint64) (y) << 40) | ((gint64) (mo) << 32) | ((d) << 16) | ((h) << 8) | (mi))

static gint64
decode_utc (gint64 packed)
{
  if (packed < 0)
    return -1;
  return utc_unix ((int) (packed >> 40), (int) ((packed >> 32) & 0xff), (int) ((packed >> 16) & 0xff),
                   (int) ((packed >> 8) & 0xff), (int) (packed & 0xff));
}

/* Berlin is UTC+2 in June and from 30 March, UTC+1 before it and from 26
 * October. */
static const NextCase next_cases[] = {
  /* 23:59 → 00:00 for 00:00–06:00, then 06:00. */
  { ALL, HM (0, 0), HM (6, 0), 2025, 6, 2, 23, 59, UTC (2025, 6, 2, 22, 0) },
  { ALL, HM (0, 0), HM (6, 0), 2025, 6, 3, 0, 0, UTC (2025, 6, 3, 4, 0) },
  { ALL, HM (0, 0), HM (6, 0), 2025, 6, 3, 6, 0, UTC (2025, 6, 3, 22, 0) },
  /* Sunday 22:00–06:00: Sunday night → Monday 06:00 → next Sunday. */
  { SUN, HM (22, 0), HM (6, 0), 2025, 6, 8, 23, 0, UTC (2025, 6, 9, 4, 0) },
  { SUN, HM (22, 0), HM (6, 0), 2025, 6, 9, 6, 0, UTC (2025, 6, 15, 20, 0) },
  { SUN, HM (22, 0), HM (6, 0), 2025, 6, 9, 5, 59, UTC (2025, 6, 9, 4, 0) },
  /* Weekdays 09–17: Friday evening → Monday morning. */
  { WEEKDAYS, HM (9, 0), HM (17, 0), 2025, 6, 6, 17, 0, UTC (2025, 6, 9, 7, 0) },
  /* Saturday and Sunday nights: Sunday 06:00–22:00 lies between them. */
  { SAT | SUN, HM (22, 0), HM (6, 0), 2025, 6, 7, 23, 0, UTC (2025, 6, 8, 4, 0) },
  { SAT | SUN, HM (22, 0), HM (6, 0), 2025, 6, 8, 6, 0, UTC (2025, 6, 8, 20, 0) },
  /* Tuesday all day: its midnights. */
  { TUE, HM (8, 0), HM (8, 0), 2025, 6, 2, 12, 0, UTC (2025, 6, 2, 22, 0) },
  { TUE, HM (8, 0), HM (8, 0), 2025, 6, 3, 12, 0, UTC (2025, 6, 3, 22, 0) },
  /* Every day but Tuesday, all day: only around Tuesday. */
  { ALL & ~TUE, 0, 0, 2025, 6, 5, 12, 0, UTC (2025, 6, 9, 22, 0) },
  /* Never, always. */
  { 0, HM (1, 0), HM (2, 0), 2025, 6, 3, 12, 0, -1 },
  { ALL, HM (5, 0), HM (5, 0), 2025, 6, 3, 12, 0, -1 },
  /* Spring forward, Sunday 30 March 2025: 02:00 CET is 03:00 CEST. A
   * window opening at 02:30 opens when the clock jumps. */
  { ALL, HM (2, 30), HM (4, 0), 2025, 3, 30, 1, 59, UTC (2025, 3, 30, 1, 0) },
  { ALL, HM (2, 30), HM (4, 0), 2025, 3, 30, 3, 0, UTC (2025, 3, 30, 2, 0) },
  { ALL, HM (1, 0), HM (2, 30), 2025, 3, 30, 1, 30, UTC (2025, 3, 30, 1, 0) },
  /* The day before: 02:30 CET. */
  { ALL, HM (2, 30), HM (4, 0), 2025, 3, 29, 1, 0, UTC (2025, 3, 29, 1, 30) },
  /* 00:00–06:00 over the change: six wall hours, five real ones. */
  { ALL, HM (0, 0), HM (6, 0), 2025, 3, 30, 0, 0, UTC (2025, 3, 30, 4, 0) },
  /* Fall back, Sunday 26 October 2025: 03:00 CEST is 02:00 CET. */
  { ALL, HM (0, 0), HM (6, 0), 2025, 10, 25, 23, 59, UTC (2025, 10, 25, 22, 0) },
  { ALL, HM (0, 0), HM (6, 0), 2025, 10, 26, 0, 0, UTC (2025, 10, 26, 5, 0) },
  { ALL, HM (22, 0), HM (6, 0), 2025, 10, 25, 22, 0, UTC (2025, 10, 26, 5, 0) },
};

static void
test_next_change (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (next_cases); i++)
    {
      const NextCase *c = &next_cases[i];
      g_autoptr(HaulSchedule) s = haul_schedule_new (c->days, c->start, c->end);
      g_autoptr(GDateTime) t = local (c->y, c->mo, c->d, c->h, c->mi);
      g_autoptr(GDateTime) next = haul_schedule_next_change (s, t);
      gint64 expected = decode_utc (c->expected_utc);
      gint64 got = next != NULL ? g_date_time_to_unix (next) : -1;

      if (got != expected)
        g_error ("case %u: days %#x %u–%u from %04d-%02d-%02d %02d:%02d: expected %" G_GINT64_FORMAT
                 ", got %" G_GINT64_FORMAT, i, c->days, c->start, c->end, c->y, c->mo, c->d, c->h,
                 c->mi, expected, got);
      /* It really flips there. */
      if (next != NULL)
        g_assert_true (haul_schedule_allows (s, next) != haul_schedule_allows (s, t));
    }
}

/* On the morning the clocks go back, 02:00–02:59 happens twice: a window
 * ending at 02:30 ends twice, and opens again when the clock goes back. */
static void
test_fall_back_twice (void)
{
  g_autoptr(HaulSchedule) s = haul_schedule_new (ALL, HM (0, 0), HM (2, 30));
  g_autoptr(GDateTime) t = local (2025, 10, 26, 1, 0);
  gint64 expected[] = {
    utc_unix (2025, 10, 26, 0, 30), /* 02:30 CEST: ends */
    utc_unix (2025, 10, 26, 1, 0),  /* 02:00 CET: the wall clock is before 02:30 again */
    utc_unix (2025, 10, 26, 1, 30), /* 02:30 CET: ends again */
    utc_unix (2025, 10, 26, 23, 0), /* Monday 00:00 CET */
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      GDateTime *next = haul_schedule_next_change (s, t);

      g_assert_nonnull (next);
      g_assert_cmpint (g_date_time_to_unix (next), ==, expected[i]);
      g_date_time_unref (t);
      t = next;
    }
}

/* A time with microseconds inside the minute of a change: the change is
 * that minute's start only if it is still ahead. */
static void
test_subsecond (void)
{
  g_autoptr(HaulSchedule) s = haul_schedule_new (ALL, HM (0, 0), HM (6, 0));
  g_autoptr(GDateTime) before = g_date_time_new_local (2025, 6, 2, 23, 59, 59.75);
  g_autoptr(GDateTime) next = haul_schedule_next_change (s, before);

  g_assert_false (haul_schedule_allows (s, before));
  g_assert_cmpint (g_date_time_to_unix (next), ==, utc_unix (2025, 6, 2, 22, 0));
}

/* ------------------------------------------------------------------ */
/* Brute force */

#define BRUTE_MINUTES (14 * 24 * 60)
#define LOOKAHEAD_MINUTES (10 * 24 * 60)

typedef struct
{
  guint days, start, end;
} ScheduleSpec;

static const ScheduleSpec brute_schedules[] = {
  { ALL, HM (0, 0), HM (6, 0) },
  { SUN, HM (22, 0), HM (6, 0) },
  { SAT | SUN | MON, HM (23, 30), HM (2, 30) },
  { WEEKDAYS, HM (9, 0), HM (17, 0) },
  { TUE | FRI | SUN, HM (3, 0), HM (3, 0) },
  { ALL, HM (2, 15), HM (2, 45) },
  { MON, HM (0, 0), HM (0, 0) },
  { ALL & ~SUN, HM (0, 0), HM (0, 0) },
};

/* Under AddressSanitizer (CI's second build, whose every allocation is
 * slow) only the two schedules that run past midnight: its point is
 * memory errors, and the plain build checks all eight. */
#ifdef __SANITIZE_ADDRESS__
#define BRUTE_FIRST 1
#define BRUTE_LAST  2
#else
#define BRUTE_FIRST 0
#define BRUTE_LAST  (G_N_ELEMENTS (brute_schedules) - 1)
#endif

/* Every minute from @base (Unix seconds) for two weeks: next_change()
 * agrees with the first minute at which allows() differs. */
static void
brute_force (GTimeZone *tz,
             gint64     base)
{
  for (guint k = BRUTE_FIRST; k <= BRUTE_LAST; k++)
    {
      const ScheduleSpec *spec = &brute_schedules[k];
      g_autoptr(HaulSchedule) s = haul_schedule_new (spec->days, spec->start, spec->end);
      g_autofree gboolean *allowed = g_new (gboolean, BRUTE_MINUTES + LOOKAHEAD_MINUTES);
      guint flip = 0;

      for (guint i = 0; i < BRUTE_MINUTES + LOOKAHEAD_MINUTES; i++)
        {
          g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (base + 60 * (gint64) i);
          g_autoptr(GDateTime) t = g_date_time_to_timezone (utc, tz);

          allowed[i] = haul_schedule_allows (s, t);
        }

      for (guint i = 0; i < BRUTE_MINUTES; i++)
        {
          g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (base + 60 * (gint64) i);
          g_autoptr(GDateTime) t = g_date_time_to_timezone (utc, tz);
          g_autoptr(GDateTime) next = haul_schedule_next_change (s, t);

          if (flip <= i)
            for (flip = i + 1; flip < BRUTE_MINUTES + LOOKAHEAD_MINUTES && allowed[flip] == allowed[i]; flip++)
              ;
          if (flip == BRUTE_MINUTES + LOOKAHEAD_MINUTES)
            {
              if (next != NULL)
                g_error ("schedule %u, minute %u: no change expected, got one", k, i);
              continue;
            }
          if (next == NULL || g_date_time_to_unix (next) != base + 60 * (gint64) flip)
            g_error ("schedule %u, minute %u (%s): expected a change at minute %u, got %s", k, i,
                     g_date_time_format_iso8601 (t), flip,
                     next != NULL ? g_date_time_format_iso8601 (next) : "none");
          g_assert_cmpint (g_date_time_get_utc_offset (next) / G_TIME_SPAN_SECOND, ==,
                           g_time_zone_get_offset (tz, g_time_zone_find_interval (
                             tz, G_TIME_TYPE_UNIVERSAL, g_date_time_to_unix (next))));
        }
    }
}

static void
test_brute_force (gconstpointer data)
{
  const char *which = data;
  g_autoptr(GTimeZone) tz = g_str_equal (which, "utc") ? g_time_zone_new_utc () : g_time_zone_new_local ();
  /* Monday 00:00 local of the week before the change, so the two weeks
   * hold the change and a Sunday → Monday. */
  int month = g_str_equal (which, "october") ? 10 : g_str_equal (which, "march") ? 3 : 6;
  int day = month == 10 ? 20 : month == 3 ? 24 : 9;
  g_autoptr(GDateTime) start = g_date_time_new (tz, 2025, month, day - 7, 0, 0, 0);

  brute_force (tz, g_date_time_to_unix (start));
}

/* ------------------------------------------------------------------ */
/* HH:MM */

static void
test_parse_time (void)
{
  static const struct { const char *text; guint minute; } good[] = {
    { "00:00", 0 }, { "23:59", 1439 }, { "7:05", 425 }, { "07:05", 425 }, { " 12:30 ", 750 },
    { "0:00", 0 }, { "9:59", 599 },
  };
  static const char * const bad[] = {
    "25:00", "24:00", "12:60", "12:5", "123:00", "12:345", "1200", "ab:cd", "-1:00", "+1:00",
    "12:00:00", ":30", "12:", "1 2:00", "12 :00", "12:0x", "１２:００", "12.30", "12h30",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      guint minute = G_MAXUINT;

      g_assert_true (haul_schedule_parse_time (good[i].text, &minute, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (minute, ==, good[i].minute);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *expected = g_strdup_printf ("“%s” is not a time of day: use HH:MM, from 00:00 to 23:59",
                                                   bad[i]);
      guint minute = 77;

      if (haul_schedule_parse_time (bad[i], &minute, &error))
        g_error ("“%s” was taken as minute %u", bad[i], minute);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_cmpstr (error->message, ==, expected);
    }
}

static void
test_parse_time_messages (void)
{
  g_autoptr(GError) empty = NULL;
  g_autoptr(GError) control = NULL;
  g_autoptr(GError) longer = NULL;
  g_autoptr(GError) binary = NULL;
  guint minute;

  g_assert_false (haul_schedule_parse_time ("  ", &minute, &empty));
  g_assert_cmpstr (empty->message, ==, "Enter a time of day as HH:MM, from 00:00 to 23:59");

  /* A control character is not repeated into the message. */
  g_assert_false (haul_schedule_parse_time ("12:\x1b[2J", &minute, &control));
  g_assert_null (strchr (control->message, '\x1b'));
  g_assert_true (g_str_has_prefix (control->message, "“12:\xef\xbf\xbd[2J”"));

  /* A long text is cut. */
  g_assert_false (haul_schedule_parse_time ("12:00 tomorrow, or maybe the day after", &minute, &longer));
  g_assert_cmpstr (longer->message, ==, "“12:00 tomorrow, or m…” is not a time of day: use HH:MM, from 00:00 to 23:59");

  /* Not UTF-8: the message still is. */
  g_assert_false (haul_schedule_parse_time ("\xff\xfe:00", &minute, &binary));
  g_assert_true (g_utf8_validate (binary->message, -1, NULL));
}

static void
test_format_time (void)
{
  g_autofree char *midnight = haul_schedule_format_time (0);
  g_autofree char *morning = haul_schedule_format_time (425);
  g_autofree char *last = haul_schedule_format_time (1439);

  g_assert_cmpstr (midnight, ==, "00:00");
  g_assert_cmpstr (morning, ==, "07:05");
  g_assert_cmpstr (last, ==, "23:59");

  for (guint m = 0; m < HAUL_SCHEDULE_MINUTES_PER_DAY; m++)
    {
      g_autofree char *text = haul_schedule_format_time (m);
      guint back = G_MAXUINT;

      g_assert_true (haul_schedule_parse_time (text, &back, NULL));
      g_assert_cmpuint (back, ==, m);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GTimeZone) local_tz = NULL;
  g_autoptr(GDateTime) summer = NULL;
  g_autoptr(GDateTime) winter = NULL;

  /* The local zone is Berlin in every test here. */
  g_setenv ("TZ", "Europe/Berlin", TRUE);
  g_test_init (&argc, &argv, NULL);

  local_tz = g_time_zone_new_local ();
  summer = g_date_time_new (local_tz, 2025, 7, 1, 12, 0, 0);
  winter = g_date_time_new (local_tz, 2025, 1, 1, 12, 0, 0);
  g_assert_cmpint (g_date_time_get_utc_offset (summer), ==, 2 * G_TIME_SPAN_HOUR);
  g_assert_cmpint (g_date_time_get_utc_offset (winter), ==, G_TIME_SPAN_HOUR);

  g_test_add_func ("/haul/core/schedule/allows", test_allows);
  g_test_add_func ("/haul/core/schedule/new-clamps", test_new_clamps);
  g_test_add_func ("/haul/core/schedule/next-change", test_next_change);
  g_test_add_func ("/haul/core/schedule/fall-back-twice", test_fall_back_twice);
  g_test_add_func ("/haul/core/schedule/subsecond", test_subsecond);
  g_test_add_data_func ("/haul/core/schedule/brute-force/utc", "utc", test_brute_force);
  g_test_add_data_func ("/haul/core/schedule/brute-force/berlin-june", "june", test_brute_force);
  g_test_add_data_func ("/haul/core/schedule/brute-force/berlin-march", "march", test_brute_force);
  g_test_add_data_func ("/haul/core/schedule/brute-force/berlin-october", "october", test_brute_force);
  g_test_add_func ("/haul/core/schedule/parse-time", test_parse_time);
  g_test_add_func ("/haul/core/schedule/parse-time-messages", test_parse_time_messages);
  g_test_add_func ("/haul/core/schedule/format-time", test_format_time);

  return g_test_run ();
}
