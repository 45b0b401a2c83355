/* haul-schedule.c — "download only between HH:MM and HH:MM" on some weekdays
 *
 * A schedule is a set of weekdays and two minutes of the day, read on the
 * wall clock of the time it is asked about (the GDateTime's own zone, local
 * for the queue's clock):
 *
 *  - start < end: allowed on a listed day from start until end;
 *  - end < start: the hours run past midnight: allowed from start on a
 *    listed day until end on the day after (the window belongs to the day
 *    it starts on, so Sunday 22:00–06:00 covers Monday 00:00–06:00);
 *  - start == end: the whole of each listed day (00:00–24:00);
 *  - no day listed: never.
 *
 * haul_schedule_next_change() finds the first instant after a time at which
 * allows() gives the other answer. It looks at every instant where the
 * answer could change in the next eight days — each day's start and end
 * on the wall clock (twice on a day the clocks go back, never on a day they
 * skip it) and the instants the zone's offset changes (a window opening at
 * 02:30 on the day the clocks skip from 02:00 to 03:00 opens at 03:00) —
 * in order, and returns the first one whose answer differs. The pattern
 * repeats every week, so nothing in eight days means never.
 *
 * Pure: any thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-schedule"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "haul-schedule.h"

#define DAY_S (24 * 60 * 60)
/* How far next_change() looks: a week and a day. */
#define HORIZON_DAYS 8
/* Offsets are sampled this often when looking for a change of offset: no
 * zone changes it twice within six hours. */
#define OFFSET_STEP_S (6 * 60 * 60)

struct _HaulSchedule
{
  guint days;
  guint start;
  guint end;
};

G_DEFINE_BOXED_TYPE (HaulSchedule, haul_schedule, haul_schedule_copy, haul_schedule_free)

/* @days: bit 0 Monday … bit 6 Sunday; @start_minute, @end_minute: minutes
 * of the day (taken modulo 1440). */
HaulSchedule *
haul_schedule_new (guint days,
                   guint start_minute,
                   guint end_minute)
{
  HaulSchedule *self = g_new0 (HaulSchedule, 1);

  self->days = days & HAUL_SCHEDULE_ALL_DAYS;
  self->start = start_minute % HAUL_SCHEDULE_MINUTES_PER_DAY;
  self->end = end_minute % HAUL_SCHEDULE_MINUTES_PER_DAY;
  return self;
}

HaulSchedule *
haul_schedule_copy (const HaulSchedule *self)
{
  return g_memdup2 (self, sizeof *self);
}

void
haul_schedule_free (HaulSchedule *self)
{
  g_free (self);
}

guint haul_schedule_get_days (const HaulSchedule *self) { return self->days; }
guint haul_schedule_get_start (const HaulSchedule *self) { return self->start; }
guint haul_schedule_get_end (const HaulSchedule *self) { return self->end; }

/* Whether weekday @dow (1 Monday … 7 Sunday) is listed. */
static gboolean
day_listed (const HaulSchedule *self,
            int                 dow)
{
  return (self->days & (1u << ((dow - 1) % 7))) != 0;
}

gboolean
haul_schedule_allows (const HaulSchedule *self,
                      GDateTime          *time)
{
  int dow, minute;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (time != NULL, FALSE);

  dow = g_date_time_get_day_of_week (time);
  minute = g_date_time_get_hour (time) * 60 + g_date_time_get_minute (time);

  if (self->start == self->end)
    return day_listed (self, dow);
  if (self->start < self->end)
    return day_listed (self, dow) && (guint) minute >= self->start && (guint) minute < self->end;
  /* Past midnight: the evening of a listed day, or the morning after one
   * (dow + 6 is the day before, modulo 7). */
  return (day_listed (self, dow) && (guint) minute >= self->start) ||
         (day_listed (self, dow + 6) && (guint) minute < self->end);
}

/* The zone's offset from UTC (seconds) at Unix time @t. */
static gint32
offset_at (GTimeZone *tz,
           gint64     t)
{
  return g_time_zone_get_offset (tz, g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, t));
}

/* Every instant whose wall clock in @tz reads @minute on the date of
 * @date: none when the clocks skip it, two when they go back over it. */
static void
add_wall_instants (GArray      *out,
                   GTimeZone   *tz,
                   const GDate *date,
                   guint        minute)
{
  g_autoptr(GDateTime) wall = g_date_time_new_utc (g_date_get_year (date), g_date_get_month (date),
                                                   g_date_get_day (date), minute / 60, minute % 60, 0);
  gint64 as_utc = g_date_time_to_unix (wall);
  gint32 offsets[2] = { offset_at (tz, as_utc - DAY_S), offset_at (tz, as_utc + DAY_S) };

  for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
    {
      gint64 t = as_utc - offsets[i];

      if (i == 1 && offsets[1] == offsets[0])
        break;
      if (offset_at (tz, t) == offsets[i])
        g_array_append_val (out, t);
    }
}

/* The instants in [@from, @to) at which @tz's offset changes. */
static void
add_offset_changes (GArray    *out,
                    GTimeZone *tz,
                    gint64     from,
                    gint64     to)
{
  for (gint64 a = from; a < to; a += OFFSET_STEP_S)
    {
      gint64 lo = a, hi = a + OFFSET_STEP_S;
      gint32 before = offset_at (tz, lo);

      if (offset_at (tz, hi) == before)
        continue;
      /* The offset is @before at lo and not at hi: find the first second
       * where it is not. */
      while (hi - lo > 1)
        {
          gint64 mid = lo + (hi - lo) / 2;

          if (offset_at (tz, mid) == before)
            lo = mid;
          else
            hi = mid;
        }
      g_array_append_val (out, hi);
    }
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* The instants where allows() may change, from the day before @time's
 * date to HORIZON_DAYS after it, sorted. */
static GArray *
candidate_instants (const HaulSchedule *self,
                    GDateTime          *time)
{
  GTimeZone *tz = g_date_time_get_timezone (time);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 now = g_date_time_to_unix (time);
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, g_date_time_get_day_of_month (time), g_date_time_get_month (time),
                  g_date_time_get_year (time));
  g_date_subtract_days (&date, 1);
  for (guint i = 0; i <= HORIZON_DAYS + 1; i++, g_date_add_days (&date, 1))
    {
      /* start == end: the whole day, so the answer changes at midnight. */
      add_wall_instants (out, tz, &date, self->start == self->end ? 0 : self->start);
      if (self->start != self->end)
        add_wall_instants (out, tz, &date, self->end);
    }
  add_offset_changes (out, tz, now - 2 * DAY_S, now + (HORIZON_DAYS + 2) * DAY_S);
  g_array_sort (out, compare_gint64);
  return out;
}

/**
 * haul_schedule_next_change:
 * @time: a time, in the zone whose wall clock the schedule follows
 *
 * Returns: (transfer full) (nullable): the first instant after @time at
 *   which haul_schedule_allows() gives the other answer, in @time's zone;
 *   %NULL if it never does (no day listed, or every day all day)
 */
GDateTime *
haul_schedule_next_change (const HaulSchedule *self,
                           GDateTime          *time)
{
  g_autoptr(GArray) candidates = NULL;
  gboolean now_allowed;
  gint64 now;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (time != NULL, NULL);

  if (self->days == 0 || (self->days == HAUL_SCHEDULE_ALL_DAYS && self->start == self->end))
    return NULL;

  now_allowed = haul_schedule_allows (self, time);
  now = g_date_time_to_unix (time);
  candidates = candidate_instants (self, time);
  for (guint i = 0; i < candidates->len; i++)
    {
      gint64 t = g_array_index (candidates, gint64, i);
      g_autoptr(GDateTime) utc = NULL;
      g_autoptr(GDateTime) at = NULL;

      /* Whole seconds: an instant in the same second as @time (which may
       * have microseconds) is not after it. */
      if (t <= now)
        continue;
      utc = g_date_time_new_from_unix_utc (t);
      at = g_date_time_to_timezone (utc, g_date_time_get_timezone (time));
      if (haul_schedule_allows (self, at) != now_allowed)
        return g_steal_pointer (&at);
    }
  return NULL;
}

static gboolean
parse_number (const char *text,
              gsize       min_digits,
              gsize       max_digits,
              guint       max,
              guint      *value)
{
  gsize n = strlen (text);

  if (n < min_digits || n > max_digits)
    return FALSE;
  *value = 0;
  for (gsize i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      *value = *value * 10 + (guint) (text[i] - '0');
    }
  return *value <= max;
}

/* @text as an error message names it: valid UTF-8, no control characters,
 * at most 20 characters. */
static char *
shown_text (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *shown = g_string_new (NULL);
  guint n = 0;

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (n == 20)
        {
          g_string_append (shown, "…");
          break;
        }
      g_string_append_unichar (shown, g_unichar_iscntrl (c) ? 0xFFFD : c);
    }
  return g_string_free (shown, FALSE);
}

/**
 * haul_schedule_parse_time:
 * @text: "HH:MM" or "H:MM", 00:00 to 23:59 (spaces around it are ignored)
 * @minute: (out): the minute of the day
 *
 * Returns: %TRUE, or %FALSE with a message naming @text
 *   (%G_IO_ERROR_INVALID_ARGUMENT)
 */
gboolean
haul_schedule_parse_time (const char  *text,
                          guint       *minute,
                          GError     **error)
{
  g_autofree char *trimmed = NULL;
  g_auto(GStrv) parts = NULL;
  guint hour, min;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (minute != NULL, FALSE);

  trimmed = g_strstrip (g_strdup (text));
  if (*trimmed == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Enter a time of day as HH:MM, from 00:00 to 23:59"));
      return FALSE;
    }

  parts = g_strsplit (trimmed, ":", -1);
  if (g_strv_length (parts) != 2 || !parse_number (parts[0], 1, 2, 23, &hour) ||
      !parse_number (parts[1], 2, 2, 59, &min))
    {
      g_autofree char *shown = shown_text (trimmed);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a time of day: use HH:MM, from 00:00 to 23:59"), shown);
      return FALSE;
    }

  *minute = hour * 60 + min;
  return TRUE;
}

/* "07:05" for minute 425 (24-hour clock, as parse_time reads it). */
char *
haul_schedule_format_time (guint minute)
{
  minute %= HAUL_SCHEDULE_MINUTES_PER_DAY;
  return g_strdup_printf ("%02u:%02u", minute / 60, minute % 60);
}
