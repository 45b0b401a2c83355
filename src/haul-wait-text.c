/* haul-wait-text.c — the sentences that say why a download waits and when it starts
 *
 * Pure functions of their arguments (the clock's "now" is passed in, so a
 * test's fixed HaulClock decides "today" and "tomorrow"); used by the rows,
 * the bar under the header, Preferences → Network and the Start at… dialog.
 * Times are HH:MM in local time, as the schedule's keys hold them.
 *
 * Any thread (no state).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "haul-wait-text.h"

/* Whole days from @now's date to @time's date (local calendar days). */
static int
days_between (GDateTime *now,
              GDateTime *time)
{
  g_autoptr(GDateTime) a = g_date_time_new_local (g_date_time_get_year (now),
                                                  g_date_time_get_month (now),
                                                  g_date_time_get_day_of_month (now), 12, 0, 0);
  g_autoptr(GDateTime) b = g_date_time_new_local (g_date_time_get_year (time),
                                                  g_date_time_get_month (time),
                                                  g_date_time_get_day_of_month (time), 12, 0, 0);
  GTimeSpan span = g_date_time_difference (b, a);

  /* Noon to noon: a change of daylight saving time moves it an hour at most. */
  return (int) ((span + (span >= 0 ? 1 : -1) * G_TIME_SPAN_HOUR * 2) / G_TIME_SPAN_DAY);
}

/**
 * haul_wait_text_day:
 *
 * Returns: "Today", "Tomorrow", or a weekday and date ("Friday, 12 March")
 *   for the day of @time seen from @now
 */
char *
haul_wait_text_day (GDateTime *time,
                    GDateTime *now)
{
  int days = days_between (now, time);

  if (days == 0)
    return g_strdup (_("Today"));
  if (days == 1)
    return g_strdup (_("Tomorrow"));
  /* Translators: a day further out than tomorrow, as g_date_time_format()
   * formats it (%-d: the day without padding): "Friday, 5 March" */
  return g_date_time_format (time, _("%A, %-d %B"));
}

/**
 * haul_wait_text_when:
 *
 * Returns: when a download starts, seen from @now: "Starts at 23:30",
 *   "Starts tomorrow at 01:00", "Starts on Friday, 12 March at 01:00"
 */
char *
haul_wait_text_when (GDateTime *time,
                     GDateTime *now)
{
  g_autofree char *hm = g_date_time_format (time, "%H:%M");
  g_autofree char *day = NULL;
  int days = days_between (now, time);

  if (days <= 0)
    /* Translators: a download's own start time, today: "Starts at 23:30" */
    return g_strdup_printf (_("Starts at %s"), hm);
  if (days == 1)
    /* Translators: "Starts tomorrow at 01:00" */
    return g_strdup_printf (_("Starts tomorrow at %s"), hm);
  day = haul_wait_text_day (time, now);
  /* Translators: a day and a time: "Starts on Friday, 12 March at 01:00" */
  return g_strdup_printf (_("Starts on %s at %s"), day, hm);
}

/* "Waiting for the set hours — starts at 01:00" and the like. */
static char *
schedule_text (GDateTime *until,
               GDateTime *now)
{
  g_autofree char *hm = g_date_time_format (until, "%H:%M");
  g_autofree char *day = NULL;
  int days = days_between (now, until);

  if (days <= 0)
    /* Translators: outside the schedule's hours, which begin today at 01:00 */
    return g_strdup_printf (_("Waiting for the set hours — starts at %s"), hm);
  if (days == 1)
    return g_strdup_printf (_("Waiting for the set hours — starts tomorrow at %s"), hm);
  day = haul_wait_text_day (until, now);
  /* Translators: "Waiting for the set hours — starts on Monday, 15 March at 01:00" */
  return g_strdup_printf (_("Waiting for the set hours — starts on %s at %s"), day, hm);
}

/**
 * haul_wait_text_reason:
 * @until: (nullable): when it starts, if known
 *
 * Returns: (nullable): what a queued download's row says while it waits
 *   for @wait; %NULL for %HAUL_DOWNLOAD_WAIT_NONE
 */
char *
haul_wait_text_reason (HaulDownloadWait  wait,
                       GDateTime        *until,
                       GDateTime        *now)
{
  switch (wait)
    {
    case HAUL_DOWNLOAD_WAIT_NETWORK:
      return g_strdup (_("Waiting for network"));
    case HAUL_DOWNLOAD_WAIT_METERED:
      return g_strdup (_("Paused on a metered connection"));
    case HAUL_DOWNLOAD_WAIT_SCHEDULE:
      if (until != NULL)
        return schedule_text (until, now);
      return g_strdup (_("Waiting for the set hours"));
    case HAUL_DOWNLOAD_WAIT_START_TIME:
      if (until != NULL)
        return haul_wait_text_when (until, now);
      return g_strdup (_("Waiting for its start time"));
    case HAUL_DOWNLOAD_WAIT_NONE:
    default:
      return NULL;
    }
}

/**
 * haul_wait_text_hours:
 *
 * Returns: what the schedule's hours mean, for Preferences: "Downloads run
 *   from 01:00 to 07:00 the next morning"
 */
char *
haul_wait_text_hours (guint start_minute,
                      guint end_minute)
{
  g_autofree char *start = g_strdup_printf ("%02u:%02u", start_minute / 60 % 24, start_minute % 60);
  g_autofree char *end = g_strdup_printf ("%02u:%02u", end_minute / 60 % 24, end_minute % 60);

  if (start_minute == end_minute)
    /* Translators: the schedule's start and end are the same time */
    return g_strdup_printf (_("Downloads run all day, from %s to %s the next day"), start, end);
  if (end_minute < start_minute && end_minute < 12 * 60)
    /* Translators: hours that run past midnight, ending in the morning */
    return g_strdup_printf (_("Downloads run from %s to %s the next morning"), start, end);
  if (end_minute < start_minute)
    /* Translators: hours that run past midnight, ending after noon */
    return g_strdup_printf (_("Downloads run from %s to %s the next day"), start, end);
  /* Translators: hours within one day */
  return g_strdup_printf (_("Downloads run from %s to %s"), start, end);
}
