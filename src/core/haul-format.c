/* haul-format.c — human-readable sizes, speeds and times
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-format"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "haul-format.h"

char *
haul_format_size (gint64 bytes)
{
  return g_format_size (MAX (bytes, 0));
}

char *
haul_format_speed (gdouble bytes_per_second)
{
  g_autofree char *size = g_format_size ((guint64) MAX (bytes_per_second, 0));

  /* Translators: a transfer speed, like "18.2 MB/s" */
  return g_strdup_printf (_("%s/s"), size);
}

char *
haul_format_eta (gint64 seconds)
{
  if (seconds < 0)
    return g_strdup (_("unknown time left"));
  if (seconds < 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d second left", "%d seconds left",
                                         (gulong) seconds),
                            (int) seconds);
  if (seconds < 3600)
    {
      int m = (int) ((seconds + 30) / 60);

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute left", "%d minutes left", m), m);
    }
  if (seconds < 48 * 3600)
    {
      int h = (int) (seconds / 3600);
      int m = (int) ((seconds % 3600) / 60);

      /* Translators: hours and minutes left, like "2 h 05 min left" */
      return g_strdup_printf (_("%d h %02d min left"), h, m);
    }
  {
    /* Rounded without overflowing, and clamped: a server's absurd length
     * over a slow link must not print garbage. */
    int d = (int) MIN (seconds / 86400 + (seconds % 86400 >= 43200), (gint64) G_MAXINT);

    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day left", "%d days left", d), d);
  }
}

/**
 * haul_format_amount:
 *
 * Returns: "12.3 MB of 40 MB", or "12.3 MB" when the total is unknown
 */
char *
haul_format_amount (gint64 received,
                    gint64 total)
{
  g_autofree char *rec = haul_format_size (received);
  g_autofree char *tot = NULL;

  if (total <= 0)
    return g_steal_pointer (&rec);
  tot = haul_format_size (total);
  /* Translators: bytes received of the total, like "12.3 MB of 40 MB" */
  return g_strdup_printf (_("%s of %s"), rec, tot);
}

/**
 * haul_format_rate:
 *
 * Returns: (nullable): "18 MB/s — 2 seconds left", "18 MB/s" when the time
 *   left is unknown, %NULL when nothing moves
 */
char *
haul_format_rate (gdouble speed,
                  gint64  total,
                  gint64  eta_seconds)
{
  g_autofree char *sp = NULL;
  g_autofree char *eta = NULL;

  if (speed <= 0)
    return NULL;
  sp = haul_format_speed (speed);
  if (total <= 0 || eta_seconds < 0)
    return g_steal_pointer (&sp);
  eta = haul_format_eta (eta_seconds);
  return g_strdup_printf ("%s — %s", sp, eta);
}

/**
 * haul_format_progress:
 *
 * Returns: "12.3 MB of 40 MB — 18 MB/s — 2 seconds left", leaving out what is
 *   unknown: haul_format_amount() and haul_format_rate() on one line
 */
char *
haul_format_progress (gint64  received,
                      gint64  total,
                      gdouble speed,
                      gint64  eta_seconds)
{
  g_autofree char *amount = haul_format_amount (received, total);
  g_autofree char *rate = haul_format_rate (speed, total, eta_seconds);

  if (rate == NULL)
    return g_steal_pointer (&amount);
  return g_strdup_printf ("%s — %s", amount, rate);
}

/**
 * haul_parse_rate:
 * @text: "500k", "2M", "1.5m", "100000", "64Ki", "0" (0 means unlimited)
 *
 * Suffixes k, M and G are powers of 1000, the units every speed is shown
 * in (g_format_size(), SI); Ki, Mi and Gi are powers of 1024. Either case,
 * and an optional "B" after them: "500kB/s" as Haul shows it is "500kB".
 * (curl and wget read k as 1024: "500k" there is "500Ki" here.)
 */
gboolean
haul_parse_rate (const char *text,
                 gint64     *bytes_per_second)
{
  char *end = NULL;
  gdouble v;
  gdouble base = 1000.0;
  int power = 0;

  if (text == NULL || *text == '\0' || g_ascii_isspace (*text) || *text == '-')
    return FALSE;

  v = g_ascii_strtod (text, &end);
  if (end == text || v < 0 || v != v)
    return FALSE;

  switch (g_ascii_tolower (*end))
    {
    case 'k': power = 1; end++; break;
    case 'm': power = 2; end++; break;
    case 'g': power = 3; end++; break;
    case '\0': break;
    default: return FALSE;
    }
  if (power > 0 && g_ascii_tolower (*end) == 'i')
    {
      base = 1024.0;
      end++;
    }
  if (g_ascii_tolower (*end) == 'b')
    end++;
  if (*end != '\0')
    return FALSE;

  for (int i = 0; i < power; i++)
    v *= base;
  if (v > (gdouble) G_MAXINT64 / 2)
    return FALSE;

  /* Only "0" means unlimited: a tiny positive rate must not round down to it. */
  *bytes_per_second = v > 0 && v < 1 ? 1 : (gint64) v;
  return TRUE;
}
