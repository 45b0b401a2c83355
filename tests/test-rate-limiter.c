/* test-rate-limiter.c — a token bucket shared between worker threads
 *
 * Most tests drive haul_rate_limiter_consume_at() with synthetic times, so
 * the rates they check are exact and independent of the machine's load.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>

#include "haul-rate-limiter.h"

/* The bucket's documented behaviour: 0.1 s of burst, at least 16 KiB. */
#define BURST_SECONDS 0.1
#define MIN_BURST     (16 * 1024)

static gdouble
burst_for (gint64 rate)
{
  return MAX (rate * BURST_SECONDS, (gdouble) MIN_BURST);
}

/* A synthetic "now" a month after any real monotonic time the limiter has
 * seen, so that an idle bucket is full even at 1 B/s. */
static gint64
idle_start (void)
{
  return g_get_monotonic_time () + G_GINT64_CONSTANT (30 * 86400) * G_USEC_PER_SEC;
}

typedef struct
{
  guint64 bytes;
  gint64  end_us;
  guint   n_calls;
  guint   n_waits;
} Simulation;

/* A reader that transfers @chunk bytes (or a pseudo-random size up to
 * @chunk when @random_sizes) and then sleeps exactly as long as it is told,
 * from @start_us for @duration_us of synthetic time. */
static Simulation
simulate (HaulRateLimiter *limiter,
          gint64           start_us,
          gint64           duration_us,
          gint64           chunk,
          gboolean         random_sizes)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (1234);
  Simulation sim = { 0 };
  gint64 now = start_us;

  while (now - start_us < duration_us)
    {
      gint64 n = random_sizes ? g_rand_int_range (rand, 1, (gint32) chunk + 1) : chunk;
      gint64 wait = haul_rate_limiter_consume_at (limiter, n, now);

      g_assert_cmpint (wait, >=, 0);
      sim.bytes += n;
      sim.n_calls++;
      if (wait > 0)
        sim.n_waits++;
      now += wait;
    }
  sim.end_us = now;
  return sim;
}

/* Over a long run the bytes transferred are exactly the burst plus rate ×
 * time, whatever the read size (debt, not refusal). */
static void
check_long_run (gint64   rate,
                gint64   chunk,
                gboolean random_sizes,
                gint64   duration_s)
{
  g_autoptr(HaulRateLimiter) limiter = haul_rate_limiter_new (rate);
  gint64 start = idle_start ();
  const gint64 duration = duration_s * G_USEC_PER_SEC;
  Simulation sim;
  gdouble expected, achieved_rate;

  /* Fill the bucket: an idle month is worth only one burst. */
  g_assert_cmpint (haul_rate_limiter_consume_at (limiter, 0, start), ==, 0);
  sim = simulate (limiter, start, duration, chunk, random_sizes);

  expected = burst_for (rate) + (gdouble) rate * (sim.end_us - start) / G_USEC_PER_SEC;
  g_test_message ("rate %" G_GINT64_FORMAT ", chunk %" G_GINT64_FORMAT "%s: %" G_GUINT64_FORMAT
                  " bytes, expected %.1f, %u calls",
                  rate, chunk, random_sizes ? " (random)" : "", sim.bytes, expected, sim.n_calls);

  /* Waits are whole microseconds, rounded down: at most one microsecond's
   * worth of bytes ahead, never behind. */
  g_assert_cmpfloat (sim.bytes, >=, expected - 1);
  g_assert_cmpfloat (sim.bytes, <=, expected + rate / (gdouble) G_USEC_PER_SEC + 1);

  /* The long-run rate, with the burst taken out, is the configured one. */
  achieved_rate = (sim.bytes - burst_for (rate)) * G_USEC_PER_SEC / (sim.end_us - start);
  g_assert_cmpfloat_with_epsilon (achieved_rate, (gdouble) rate, rate * 1e-6 + 2.0 / duration_s);

  /* And the reader really was held back. */
  g_assert_cmpuint (sim.n_waits, >, 0);
  g_assert_cmpint (sim.end_us - start, >=, duration);
}

static void
test_long_run_rate (void)
{
  /* Chunks smaller, equal to and much larger than the burst. */
  check_long_run (1024 * 1024, 16 * 1024, FALSE, 100);
  check_long_run (1024 * 1024, 1, FALSE, 1);
  check_long_run (1024 * 1024, 104857, FALSE, 100);
  check_long_run (1024 * 1024, 4 * 1024 * 1024, FALSE, 1000);
  check_long_run (1024 * 1024, 64 * 1024, TRUE, 100);
  /* Slow rates, where the 16 KiB minimum burst applies. */
  check_long_run (1000, 100, FALSE, 100);
  check_long_run (1000, 7777, TRUE, 1000);
  check_long_run (1, 1, FALSE, 100);
  /* Fast rates. */
  check_long_run (G_GINT64_CONSTANT (1) << 30, 256 * 1024, FALSE, 100);
  check_long_run (123456789, 100000, TRUE, 100);
}

/* The wait returned is exactly the debt divided by the rate. */
static void
test_wait_exact (void)
{
  g_autoptr(HaulRateLimiter) limiter = haul_rate_limiter_new (1000);
  gint64 t = idle_start ();

  /* Empty the 16 KiB minimum burst: no wait. */
  g_assert_cmpint (haul_rate_limiter_consume_at (limiter, MIN_BURST, t), ==, 0);
  /* One second's worth more: one second of debt. */
  g_assert_cmpint (haul_rate_limiter_consume_at (limiter, 1000, t), ==, G_USEC_PER_SEC);
  /* Debt accumulates. */
  g_assert_cmpint (haul_rate_limiter_consume_at (limiter, 500, t), ==, 3 * G_USEC_PER_SEC / 2);
  /* Half a second later, half a second less. */
  g_assert_cmpint (haul_rate_limiter_consume_at (limiter, 0, t + G_USEC_PER_SEC / 2), ==, G_USEC_PER_SEC);
  /* Once the debt is paid, no wait. */
  g_assert_cmpint (haul_rate_limiter_consume_at (limiter, 0, t + 3 * G_USEC_PER_SEC / 2), ==, 0);
  g_assert_cmpint (haul_rate_limiter_consume_at (limiter, 1, t + 3 * G_USEC_PER_SEC / 2), ==, 1000);
}

/* However long the bucket sits idle, it saves up only one burst. */
static void
test_burst_cap (void)
{
  g_autoptr(HaulRateLimiter) fast = haul_rate_limiter_new (1024 * 1024);
  g_autoptr(HaulRateLimiter) slow = haul_rate_limiter_new (1000);
  gint64 t = idle_start ();
  gint64 wait;

  g_assert_cmpfloat (burst_for (1024 * 1024), ==, 104857.6);
  g_assert_cmpfloat (burst_for (1000), ==, 16384);

  /* After an idle month, a whole second's worth costs 0.9 s: only 0.1 s was
   * saved up. */
  wait = haul_rate_limiter_consume_at (fast, 1024 * 1024, t);
  g_assert_cmpint (wait, >=, 899999);
  g_assert_cmpint (wait, <=, 900000);

  /* Idle for another hour after the debt: again only one burst. */
  t += G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC;
  g_assert_cmpint (haul_rate_limiter_consume_at (fast, 104857, t), ==, 0);
  wait = haul_rate_limiter_consume_at (fast, 1024 * 1024, t);
  g_assert_cmpint (wait, >=, 999999);
  g_assert_cmpint (wait, <=, 1000000);

  /* A slow limit still allows 16 KiB at once. */
  g_assert_cmpint (haul_rate_limiter_consume_at (slow, 16384, t), ==, 0);
  g_assert_cmpint (haul_rate_limiter_consume_at (slow, 1, t), ==, 1000);
}

/* A time earlier than the last one (a stale timestamp) adds no tokens and
 * takes none back. */
static void
test_time_backwards (void)
{
  g_autoptr(HaulRateLimiter) limiter = haul_rate_limiter_new (1000);
  gint64 t = idle_start ();

  g_assert_cmpint (haul_rate_limiter_consume_at (limiter, MIN_BURST, t), ==, 0);
  g_assert_cmpint (haul_rate_limiter_consume_at (limiter, 1000, t - G_USEC_PER_SEC), ==, G_USEC_PER_SEC);
  g_assert_cmpint (haul_rate_limiter_consume_at (limiter, 0, t), ==, G_USEC_PER_SEC);
  g_assert_cmpint (haul_rate_limiter_consume_at (limiter, 0, t + G_USEC_PER_SEC), ==, 0);
}

/* 0 means unlimited, and negative rates are treated as 0. */
static void
test_unlimited (void)
{
  g_autoptr(HaulRateLimiter) zero = haul_rate_limiter_new (0);
  g_autoptr(HaulRateLimiter) negative = haul_rate_limiter_new (-5);
  gint64 t = idle_start ();

  g_assert_cmpint (haul_rate_limiter_get_rate (zero), ==, 0);
  g_assert_cmpint (haul_rate_limiter_get_rate (negative), ==, 0);

  for (guint i = 0; i < 1000; i++)
    {
      g_assert_cmpint (haul_rate_limiter_consume_at (zero, G_GINT64_CONSTANT (1) << 40, t), ==, 0);
      g_assert_cmpint (haul_rate_limiter_consume_at (negative, 1 << 20, t + i), ==, 0);
    }
  g_assert_cmpint (haul_rate_limiter_consume (zero, G_MAXINT32), ==, 0);
}

static void
test_set_rate (void)
{
  g_autoptr(HaulRateLimiter) limiter = haul_rate_limiter_new (1000);
  gint64 t = idle_start ();
  gint64 now;
  gint64 wait;
  Simulation sim;
  gdouble expected;

  g_assert_cmpint (haul_rate_limiter_get_rate (limiter), ==, 1000);

  /* Run up a large debt at 1000 B/s. */
  g_assert_cmpint (haul_rate_limiter_consume_at (limiter, MIN_BURST + 100000, t), ==, 100 * G_USEC_PER_SEC);

  /* A new rate starts afresh: the debt at the old rate is forgiven. */
  haul_rate_limiter_set_rate (limiter, 2000);
  g_assert_cmpint (haul_rate_limiter_get_rate (limiter), ==, 2000);
  now = g_get_monotonic_time ();
  g_assert_cmpint (haul_rate_limiter_consume_at (limiter, 0, now), ==, 0);
  wait = haul_rate_limiter_consume_at (limiter, 2000, now);
  g_assert_cmpint (wait, >, 900000);
  g_assert_cmpint (wait, <=, G_USEC_PER_SEC);

  /* And the long-run rate is the new one. */
  t = idle_start ();
  g_assert_cmpint (haul_rate_limiter_consume_at (limiter, 0, t), ==, 0);
  sim = simulate (limiter, t, 60 * G_USEC_PER_SEC, 500, FALSE);
  expected = burst_for (2000) + 2000.0 * (sim.end_us - t) / G_USEC_PER_SEC;
  g_assert_cmpfloat (sim.bytes, >=, expected - 1);
  g_assert_cmpfloat (sim.bytes, <=, expected + 1);

  /* A faster rate has a bigger burst. */
  haul_rate_limiter_set_rate (limiter, 10 * 1024 * 1024);
  t = idle_start ();
  g_assert_cmpint (haul_rate_limiter_consume_at (limiter, 1048576, t), ==, 0);
  g_assert_cmpint (haul_rate_limiter_consume_at (limiter, 1048576, t), >=, 99999);

  /* 0 switches limiting off, at once, even with debt. */
  haul_rate_limiter_set_rate (limiter, 0);
  g_assert_cmpint (haul_rate_limiter_get_rate (limiter), ==, 0);
  g_assert_cmpint (haul_rate_limiter_consume_at (limiter, G_GINT64_CONSTANT (1) << 40, t), ==, 0);
  haul_rate_limiter_set_rate (limiter, -100);
  g_assert_cmpint (haul_rate_limiter_get_rate (limiter), ==, 0);
  g_assert_cmpint (haul_rate_limiter_consume_at (limiter, G_GINT64_CONSTANT (1) << 40, t), ==, 0);

  /* And back on. */
  haul_rate_limiter_set_rate (limiter, 1000);
  t = idle_start ();
  g_assert_cmpint (haul_rate_limiter_consume_at (limiter, MIN_BURST, t), ==, 0);
  g_assert_cmpint (haul_rate_limiter_consume_at (limiter, 1000, t), ==, G_USEC_PER_SEC);
}

static void
test_ref (void)
{
  HaulRateLimiter *limiter = haul_rate_limiter_new (5000);

  g_assert_true (haul_rate_limiter_ref (limiter) == limiter);
  haul_rate_limiter_unref (limiter);
  g_assert_cmpint (haul_rate_limiter_get_rate (limiter), ==, 5000);
  haul_rate_limiter_unref (limiter);
}

/* Several threads sharing one limiter ------------------------------------- */

#define N_THREADS  4
#define SHARED_RATE (2 * 1024 * 1024)
#define CHUNK       (16 * 1024)

typedef struct
{
  HaulRateLimiter *limiter;
  gint64           until_us;
  guint64          bytes;
} Reader;

static gpointer
reader_thread (gpointer data)
{
  Reader *r = data;

  while (g_get_monotonic_time () < r->until_us)
    {
      gint64 wait = haul_rate_limiter_consume (r->limiter, CHUNK);

      r->bytes += CHUNK;
      if (wait > 0)
        g_usleep (wait);
    }
  return NULL;
}

/* Each thread obeys its own waits; together they get the one rate, not
 * N times it. The upper bound holds whatever the scheduling (oversleeping
 * only lowers it); the lower bound is generous for a busy machine. */
static void
test_threads_share_rate (void)
{
  g_autoptr(HaulRateLimiter) limiter = NULL;
  GThread *threads[N_THREADS];
  Reader readers[N_THREADS];
  gint64 start_us, elapsed_us;
  guint64 total = 0;
  gdouble upper, lower;

  start_us = g_get_monotonic_time ();
  limiter = haul_rate_limiter_new (SHARED_RATE);
  for (guint i = 0; i < N_THREADS; i++)
    {
      readers[i] = (Reader) { .limiter = limiter, .until_us = start_us + G_USEC_PER_SEC };
      threads[i] = g_thread_new ("reader", reader_thread, &readers[i]);
    }
  for (guint i = 0; i < N_THREADS; i++)
    {
      g_thread_join (threads[i]);
      total += readers[i].bytes;
      g_assert_cmpuint (readers[i].bytes, >=, CHUNK);
    }
  elapsed_us = g_get_monotonic_time () - start_us;

  upper = burst_for (SHARED_RATE) + (gdouble) SHARED_RATE * elapsed_us / G_USEC_PER_SEC
          + 2.0 * N_THREADS * CHUNK;
  lower = 0.5 * SHARED_RATE * MIN (elapsed_us, G_USEC_PER_SEC) / G_USEC_PER_SEC;
  g_test_message ("%d threads: %" G_GUINT64_FORMAT " bytes in %.3f s (%.0f B/s, limit %d)",
                  N_THREADS, total, elapsed_us / (gdouble) G_USEC_PER_SEC,
                  total * (gdouble) G_USEC_PER_SEC / elapsed_us, SHARED_RATE);
  g_assert_cmpfloat (total, <=, upper);
  g_assert_cmpfloat (total, >=, lower);
  /* Far from what the threads would get with a limiter each. */
  g_assert_cmpfloat (total, <, 2.0 * SHARED_RATE * elapsed_us / G_USEC_PER_SEC);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haul/core/rate-limiter/long-run-rate", test_long_run_rate);
  g_test_add_func ("/haul/core/rate-limiter/wait-exact", test_wait_exact);
  g_test_add_func ("/haul/core/rate-limiter/burst-cap", test_burst_cap);
  g_test_add_func ("/haul/core/rate-limiter/time-backwards", test_time_backwards);
  g_test_add_func ("/haul/core/rate-limiter/unlimited", test_unlimited);
  g_test_add_func ("/haul/core/rate-limiter/set-rate", test_set_rate);
  g_test_add_func ("/haul/core/rate-limiter/ref", test_ref);
  g_test_add_func ("/haul/core/rate-limiter/threads-share-rate", test_threads_share_rate);

  return g_test_run ();
}
