/* test-backoff.c — retry delays: exponential backoff with jitter
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>

#include "haul-backoff.h"

#define NO_RETRY_AFTER (-1)

/* The first retry waits between half and all of the base delay. */
static void
test_first_attempt (void)
{
  g_assert_cmpint (haul_backoff_delay_ms (1, 1000, 60000, 0.0, NO_RETRY_AFTER), ==, 500);
  g_assert_cmpint (haul_backoff_delay_ms (1, 1000, 60000, 0.5, NO_RETRY_AFTER), ==, 750);
  g_assert_cmpint (haul_backoff_delay_ms (1, 1000, 60000, 0.999, NO_RETRY_AFTER), ==, 999);
  g_assert_cmpint (haul_backoff_delay_ms (1, 1000, 60000, 1.0, NO_RETRY_AFTER), ==, 1000);
}

/* Each attempt doubles the ceiling: base · 2^(attempt-1). */
static void
test_doubling (void)
{
  static const struct {
    guint  attempt;
    gint64 low;   /* random01 = 0 */
    gint64 high;  /* random01 = 1 */
  } cases[] = {
    { 1,   500,  1000 },
    { 2,  1000,  2000 },
    { 3,  2000,  4000 },
    { 4,  4000,  8000 },
    { 5,  8000, 16000 },
    { 6, 16000, 32000 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_cmpint (haul_backoff_delay_ms (cases[i].attempt, HAUL_BACKOFF_BASE_MS,
                                              HAUL_BACKOFF_MAX_MS, 0.0, NO_RETRY_AFTER),
                       ==, cases[i].low);
      g_assert_cmpint (haul_backoff_delay_ms (cases[i].attempt, HAUL_BACKOFF_BASE_MS,
                                              HAUL_BACKOFF_MAX_MS, 1.0, NO_RETRY_AFTER),
                       ==, cases[i].high);
    }
}

/* The ceiling never exceeds max_ms, however many attempts; and a huge
 * attempt number neither overflows nor loops for long. */
static void
test_cap (void)
{
  static const guint attempts[] = { 7, 8, 10, 20, 63, 64, 65, 1000, G_MAXUINT };

  for (guint i = 0; i < G_N_ELEMENTS (attempts); i++)
    {
      g_assert_cmpint (haul_backoff_delay_ms (attempts[i], HAUL_BACKOFF_BASE_MS,
                                              HAUL_BACKOFF_MAX_MS, 0.0, NO_RETRY_AFTER),
                       ==, HAUL_BACKOFF_MAX_MS / 2);
      g_assert_cmpint (haul_backoff_delay_ms (attempts[i], HAUL_BACKOFF_BASE_MS,
                                              HAUL_BACKOFF_MAX_MS, 1.0, NO_RETRY_AFTER),
                       ==, HAUL_BACKOFF_MAX_MS);
    }

  /* A base above the maximum is capped too. */
  g_assert_cmpint (haul_backoff_delay_ms (1, 100000, 60000, 1.0, NO_RETRY_AFTER), ==, 60000);
  g_assert_cmpint (haul_backoff_delay_ms (1, 100000, 60000, 0.0, NO_RETRY_AFTER), ==, 30000);

  /* A maximum that is not a power-of-two multiple of the base. */
  g_assert_cmpint (haul_backoff_delay_ms (3, 1000, 3000, 1.0, NO_RETRY_AFTER), ==, 3000);
  g_assert_cmpint (haul_backoff_delay_ms (3, 1000, 3000, 0.0, NO_RETRY_AFTER), ==, 1500);
}

/* Whatever the random number, the delay stays inside [ceiling/2, ceiling]
 * and grows monotonically with the random number. */
static void
test_jitter_range (void)
{
  for (guint attempt = 1; attempt <= 10; attempt++)
    {
      gint64 ceiling = MIN ((gint64) HAUL_BACKOFF_BASE_MS << (attempt - 1),
                            (gint64) HAUL_BACKOFF_MAX_MS);
      gint64 previous = -1;

      for (guint i = 0; i < 100; i++)
        {
          gdouble r = i / 100.0;
          gint64 d = haul_backoff_delay_ms (attempt, HAUL_BACKOFF_BASE_MS,
                                            HAUL_BACKOFF_MAX_MS, r, NO_RETRY_AFTER);

          g_assert_cmpint (d, >=, ceiling / 2);
          g_assert_cmpint (d, <=, ceiling);
          g_assert_cmpint (d, >=, previous);
          previous = d;
        }
    }

  /* Different random numbers really give different delays (jitter). */
  g_assert_cmpint (haul_backoff_delay_ms (5, 1000, 60000, 0.1, NO_RETRY_AFTER), ==, 8800);
  g_assert_cmpint (haul_backoff_delay_ms (5, 1000, 60000, 0.9, NO_RETRY_AFTER), ==, 15200);
}

/* Out-of-range random numbers are clamped; attempt 0 counts as the first. */
static void
test_odd_arguments (void)
{
  g_assert_cmpint (haul_backoff_delay_ms (1, 1000, 60000, -3.0, NO_RETRY_AFTER), ==, 500);
  g_assert_cmpint (haul_backoff_delay_ms (1, 1000, 60000, 42.0, NO_RETRY_AFTER), ==, 1000);
  g_assert_cmpint (haul_backoff_delay_ms (0, 1000, 60000, 0.0, NO_RETRY_AFTER), ==, 500);
  g_assert_cmpint (haul_backoff_delay_ms (0, 1000, 60000, 1.0, NO_RETRY_AFTER), ==, 1000);
  g_assert_cmpint (haul_backoff_delay_ms (4, 0, 60000, 1.0, NO_RETRY_AFTER), ==, 0);
}

/* A server's Retry-After wins over backoff, in either direction. */
static void
test_retry_after_wins (void)
{
  /* Shorter than backoff would be. */
  g_assert_cmpint (haul_backoff_delay_ms (6, 1000, 60000, 1.0, 2), ==, 2000);
  /* Longer than backoff's maximum. */
  g_assert_cmpint (haul_backoff_delay_ms (1, 1000, 60000, 0.0, 120), ==, 120000);
  /* Zero means "now", not "absent". */
  g_assert_cmpint (haul_backoff_delay_ms (3, 1000, 60000, 0.5, 0), ==, 0);
  /* No jitter is added to the server's value. */
  g_assert_cmpint (haul_backoff_delay_ms (1, 1000, 60000, 0.0, 7), ==, 7000);
  g_assert_cmpint (haul_backoff_delay_ms (1, 1000, 60000, 1.0, 7), ==, 7000);
}

/* A hostile Retry-After cannot park a download for days, nor overflow. */
static void
test_retry_after_cap (void)
{
  const gint64 cap_ms = (gint64) HAUL_RETRY_AFTER_MAX_S * 1000;

  g_assert_cmpint (cap_ms, ==, 600000);
  g_assert_cmpint (haul_backoff_delay_ms (1, 1000, 60000, 0.5, HAUL_RETRY_AFTER_MAX_S), ==, cap_ms);
  g_assert_cmpint (haul_backoff_delay_ms (1, 1000, 60000, 0.5, HAUL_RETRY_AFTER_MAX_S - 1),
                   ==, cap_ms - 1000);
  g_assert_cmpint (haul_backoff_delay_ms (1, 1000, 60000, 0.5, HAUL_RETRY_AFTER_MAX_S + 1), ==, cap_ms);
  g_assert_cmpint (haul_backoff_delay_ms (1, 1000, 60000, 0.5, 86400 * 365), ==, cap_ms);
  g_assert_cmpint (haul_backoff_delay_ms (1, 1000, 60000, 0.5, G_GINT64_CONSTANT (999999999999999999)),
                   ==, cap_ms);
  g_assert_cmpint (haul_backoff_delay_ms (1, 1000, 60000, 0.5, G_MAXINT64), ==, cap_ms);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haul/core/backoff/first-attempt", test_first_attempt);
  g_test_add_func ("/haul/core/backoff/doubling", test_doubling);
  g_test_add_func ("/haul/core/backoff/cap", test_cap);
  g_test_add_func ("/haul/core/backoff/jitter-range", test_jitter_range);
  g_test_add_func ("/haul/core/backoff/odd-arguments", test_odd_arguments);
  g_test_add_func ("/haul/core/backoff/retry-after-wins", test_retry_after_wins);
  g_test_add_func ("/haul/core/backoff/retry-after-cap", test_retry_after_cap);

  return g_test_run ();
}
