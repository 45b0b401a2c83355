/* test-format.c — human-readable sizes, speeds and times
 *
 * The test environment runs under LC_ALL=C.UTF-8 without translations, so
 * the English strings and GLib's "." decimal point and no-break space are
 * what comes out.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <math.h>

#include "haul-format.h"

#define NBSP "\u00a0"

static void
assert_size (gint64      bytes,
             const char *expected)
{
  g_autofree char *s = haul_format_size (bytes);

  g_assert_cmpstr (s, ==, expected);
}

static void
test_size (void)
{
  assert_size (0, "0 bytes");
  assert_size (1, "1 byte");
  assert_size (2, "2 bytes");
  assert_size (999, "999 bytes");
  assert_size (1000, "1.0" NBSP "kB");
  assert_size (1500, "1.5" NBSP "kB");
  assert_size (12300000, "12.3" NBSP "MB");
  assert_size (40000000, "40.0" NBSP "MB");
  assert_size (G_GINT64_CONSTANT (4700000000), "4.7" NBSP "GB");
  assert_size (G_GINT64_CONSTANT (2000000000000), "2.0" NBSP "TB");
  /* Sizes are SI (1000-based), like GNOME Files. */
  assert_size (1024, "1.0" NBSP "kB");
  assert_size (1048576, "1.0" NBSP "MB");
}

/* An unknown (-1) or corrupt negative size shows as nothing received. */
static void
test_size_negative (void)
{
  assert_size (-1, "0 bytes");
  assert_size (-123456, "0 bytes");
  assert_size (G_MININT64, "0 bytes");
}

static void
assert_speed (gdouble     bps,
              const char *expected)
{
  g_autofree char *s = haul_format_speed (bps);

  g_assert_cmpstr (s, ==, expected);
}

static void
test_speed (void)
{
  assert_speed (0, "0 bytes/s");
  assert_speed (1, "1 byte/s");
  assert_speed (512.9, "512 bytes/s");
  assert_speed (18000000, "18.0" NBSP "MB/s");
  assert_speed (18200000.7, "18.2" NBSP "MB/s");
  assert_speed (1250000000, "1.2" NBSP "GB/s");
  assert_speed (-5, "0 bytes/s");
  assert_speed (NAN, "0 bytes/s");
}

static void
assert_eta (gint64      seconds,
            const char *expected)
{
  g_autofree char *s = haul_format_eta (seconds);

  g_assert_cmpstr (s, ==, expected);
}

static void
test_eta (void)
{
  assert_eta (-1, "unknown time left");
  assert_eta (-86400, "unknown time left");
  assert_eta (0, "0 seconds left");
  assert_eta (1, "1 second left");
  assert_eta (2, "2 seconds left");
  assert_eta (59, "59 seconds left");
  /* Minutes are rounded to the nearest. */
  assert_eta (60, "1 minute left");
  assert_eta (89, "1 minute left");
  assert_eta (90, "2 minutes left");
  assert_eta (125, "2 minutes left");
  assert_eta (3569, "59 minutes left");
  /* Hours and minutes, the minutes truncated and zero-padded. */
  assert_eta (3600, "1 h 00 min left");
  assert_eta (3600 + 5 * 60 + 59, "1 h 05 min left");
  assert_eta (2 * 3600 + 5 * 60, "2 h 05 min left");
  assert_eta (47 * 3600 + 59 * 60 + 59, "47 h 59 min left");
  /* Days, rounded to the nearest. */
  assert_eta (48 * 3600, "2 days left");
  assert_eta (60 * 3600 - 1, "2 days left");
  assert_eta (60 * 3600, "3 days left");
  assert_eta (G_GINT64_CONSTANT (365) * 86400, "365 days left");
  assert_eta (G_GINT64_CONSTANT (1000000) * 86400 + 43199, "1000000 days left");
}

/* An absurd ETA (a hostile Content-Length over a 1 B/s link) neither
 * overflows nor prints a negative number of days. */
static void
test_eta_huge (void)
{
  assert_eta (G_GINT64_CONSTANT (1000000000000000000), "2147483647 days left");
  assert_eta (G_MAXINT64 - 1, "2147483647 days left");
  assert_eta (G_MAXINT64, "2147483647 days left");
}

static void
assert_progress (gint64      received,
                 gint64      total,
                 gdouble     speed,
                 gint64      eta,
                 const char *expected)
{
  g_autofree char *s = haul_format_progress (received, total, speed, eta);

  g_assert_cmpstr (s, ==, expected);
}

static void
test_progress (void)
{
  /* Everything known. */
  assert_progress (12300000, 40000000, 18000000, 2,
                   "12.3" NBSP "MB of 40.0" NBSP "MB — 18.0" NBSP "MB/s — 2 seconds left");
  /* Unknown total: neither "of" nor a time left. */
  assert_progress (12300000, -1, 18000000, 2, "12.3" NBSP "MB — 18.0" NBSP "MB/s");
  assert_progress (12300000, 0, 18000000, 2, "12.3" NBSP "MB — 18.0" NBSP "MB/s");
  /* Not moving: no speed and no time left. */
  assert_progress (12300000, 40000000, 0, 2, "12.3" NBSP "MB of 40.0" NBSP "MB");
  assert_progress (12300000, 40000000, -3, 2, "12.3" NBSP "MB of 40.0" NBSP "MB");
  /* Unknown time left. */
  assert_progress (12300000, 40000000, 1000, -1, "12.3" NBSP "MB of 40.0" NBSP "MB — 1.0" NBSP "kB/s");
  /* Nothing yet. */
  assert_progress (0, -1, 0, -1, "0 bytes");
  assert_progress (0, 1000, 0, -1, "0 bytes of 1.0" NBSP "kB");
  /* Complete. */
  assert_progress (1000, 1000, 500, 0, "1.0" NBSP "kB of 1.0" NBSP "kB — 500 bytes/s — 0 seconds left");
  /* Long downloads. */
  assert_progress (1, G_GINT64_CONSTANT (4700000000), 1, 7200,
                   "1 byte of 4.7" NBSP "GB — 1 byte/s — 2 h 00 min left");
}

static void
assert_rate (const char *text,
             gint64      expected)
{
  gint64 v = -42;

  if (!haul_parse_rate (text, &v))
    g_error ("“%s” should parse as %" G_GINT64_FORMAT, text, expected);
  g_assert_cmpint (v, ==, expected);
}

static void
assert_rate_invalid (const char *text)
{
  gint64 v = -42;

  if (haul_parse_rate (text, &v))
    g_error ("“%s” should not parse, got %" G_GINT64_FORMAT, text, v);
  /* Left untouched on failure. */
  g_assert_cmpint (v, ==, -42);
}

static void
test_parse_rate (void)
{
  assert_rate ("0", 0);
  assert_rate ("1", 1);
  assert_rate ("100000", 100000);
  /* SI suffixes, the units every speed is shown in, either case: "500k"
   * shows as "500.0 kB/s". */
  assert_rate ("500k", 500000);
  assert_rate ("500K", 500000);
  assert_rate ("2M", 2000000);
  assert_rate ("2m", 2000000);
  assert_rate ("1G", G_GINT64_CONSTANT (1000000000));
  assert_rate ("3g", G_GINT64_CONSTANT (3000000000));
  /* Binary ones when asked for: Ki, Mi, Gi. */
  assert_rate ("500Ki", 500 * 1024);
  assert_rate ("500ki", 500 * 1024);
  assert_rate ("2Mi", 2 * 1024 * 1024);
  assert_rate ("1Gi", G_GINT64_CONSTANT (1073741824));
  assert_rate ("5KiB", 5 * 1024);
  assert_rate ("5kiB", 5 * 1024);
  /* Fractions. */
  assert_rate ("1.5m", 1500000);
  assert_rate ("0.5k", 500);
  assert_rate ("2.25K", 2250);
  assert_rate ("0.5Ki", 512);
  assert_rate ("100.9", 100);
  /* An optional "B" after the suffix. */
  assert_rate ("500kB", 500000);
  assert_rate ("500KB", 500000);
  assert_rate ("2Mb", 2000000);
  assert_rate ("1GB", G_GINT64_CONSTANT (1000000000));
  /* Zero in any spelling is unlimited. */
  assert_rate ("0k", 0);
  assert_rate ("0.0M", 0);
  assert_rate ("0Ki", 0);
  /* Large but sane. */
  assert_rate ("1000G", G_GINT64_CONSTANT (1000000000000));
  assert_rate ("1000Gi", G_GINT64_CONSTANT (1000) * 1073741824);
}

/* What --limit-rate reads is what the window shows: "500k" is "500.0 kB/s". */
static void
test_parse_rate_shown (void)
{
  static const struct { const char *text; const char *shown; } cases[] = {
    { "500k", "500.0" NBSP "kB/s" },
    { "2M", "2.0" NBSP "MB/s" },
    { "1.5M", "1.5" NBSP "MB/s" },
    { "100k", "100.0" NBSP "kB/s" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 v = 0;
      g_autofree char *shown = NULL;

      g_assert_true (haul_parse_rate (cases[i].text, &v));
      shown = haul_format_speed (v);
      g_assert_cmpstr (shown, ==, cases[i].shown);
    }
}

/* A rate above zero never rounds down to 0, which would mean unlimited. */
static void
test_parse_rate_tiny (void)
{
  assert_rate ("0.5", 1);
  assert_rate ("0.001", 1);
  assert_rate ("0.0000001k", 1);
  assert_rate ("1.9", 1);
}

static void
test_parse_rate_invalid (void)
{
  static const char *inputs[] = {
    "", " ", " 5k", "5k ", "\t5", "-1", "-0", "-5k", "k", "M", "abc", "5x", "5kk",
    "5kbb", "5 k", "5,5k", "5ii", "5i", "5kii", "5kiBB", "5T", "nan", "NaN", "inf", "infinity", "1e30",
    "99999999999999999999", "9000000000G", "5k\n",
  };

  assert_rate_invalid (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    assert_rate_invalid (inputs[i]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haul/core/format/size", test_size);
  g_test_add_func ("/haul/core/format/size/negative", test_size_negative);
  g_test_add_func ("/haul/core/format/speed", test_speed);
  g_test_add_func ("/haul/core/format/eta", test_eta);
  g_test_add_func ("/haul/core/format/eta/huge", test_eta_huge);
  g_test_add_func ("/haul/core/format/progress", test_progress);
  g_test_add_func ("/haul/core/format/parse-rate", test_parse_rate);
  g_test_add_func ("/haul/core/format/parse-rate/shown", test_parse_rate_shown);
  g_test_add_func ("/haul/core/format/parse-rate/tiny", test_parse_rate_tiny);
  g_test_add_func ("/haul/core/format/parse-rate/invalid", test_parse_rate_invalid);

  return g_test_run ();
}
