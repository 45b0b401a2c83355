/* test-progress.c — the bridge that carries worker progress to the main loop
 *
 * These tests count publications and pending sources; they never assert
 * how long something took, only bounds that follow from the monotonic clock
 * itself (publications are at least HAUL_PROGRESS_INTERVAL_US apart).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>

#include "haul-progress.h"

#define N_THREADS       8
#define POKES_PER_THREAD 100000

typedef struct
{
  GMainContext *context;
  GThread      *main_thread;
  guint         n_calls;
  guint         n_wrong_thread;
  guint         n_not_owner;
  gint64        first_us;
  gint64        last_us;
} Counter;

static void
counter_publish (gpointer user_data)
{
  Counter *c = user_data;
  gint64 now = g_get_monotonic_time ();

  if (c->n_calls == 0)
    c->first_us = now;
  c->last_us = now;
  c->n_calls++;
  if (g_thread_self () != c->main_thread)
    c->n_wrong_thread++;
  if (!g_main_context_is_owner (c->context))
    c->n_not_owner++;
}

static void
counter_init (Counter      *c,
              GMainContext *context)
{
  *c = (Counter) { 0 };
  c->context = context;
  c->main_thread = g_thread_self ();
}

/* A bridge on @context that counts its publications in @c. */
static HaulProgressBridge *
counted_bridge_new (Counter      *c,
                    GMainContext *context)
{
  counter_init (c, context);
  return haul_progress_bridge_new (context, counter_publish, c);
}

/* Sleeps past the interval after the last publication (the clock is
 * monotonic: this is a lower bound). */
static void
sleep_past_interval (Counter *c)
{
  while (g_get_monotonic_time () - c->last_us < HAUL_PROGRESS_INTERVAL_US + 10000)
    g_usleep (10000);
}

/* Dispatches everything that is ready, without blocking. */
static void
drain (GMainContext *context)
{
  while (g_main_context_iteration (context, FALSE))
    ;
}

static GSource *
find_progress_source (GMainContext       *context,
                      HaulProgressBridge *bridge)
{
  return g_main_context_find_source_by_user_data (context, bridge);
}

/* Poking threads --------------------------------------------------------- */

typedef struct
{
  HaulProgressBridge *bridge;
  guint               n_pokes;        /* exactly this many, then... */
  guint               sleep_every;    /* g_usleep() after this many pokes (0: never) */
  gulong              sleep_us;
  gint               *stop;           /* ...keep poking until this is set (NULL: don't) */
  gint               *n_done;
  guint64             n_poked;
} Poker;

static gpointer
poker_thread (gpointer data)
{
  Poker *p = data;

  for (guint i = 0; i < p->n_pokes || (p->stop != NULL && !g_atomic_int_get (p->stop)); i++)
    {
      haul_progress_bridge_poke (p->bridge);
      p->n_poked++;
      if (p->sleep_every != 0 && i % p->sleep_every == p->sleep_every - 1)
        g_usleep (p->sleep_us);
    }

  g_atomic_int_inc (p->n_done);
  return NULL;
}

/* N_THREADS poking threads, each with a copy of one Poker. */
typedef struct
{
  GThread *threads[N_THREADS];
  Poker    pokers[N_THREADS];
  gint     n_done;
} Pokers;

static void
pokers_start (Pokers *all,
              Poker   model)
{
  all->n_done = 0;
  model.n_done = &all->n_done;
  for (guint i = 0; i < N_THREADS; i++)
    {
      all->pokers[i] = model;
      all->threads[i] = g_thread_new ("poker", poker_thread, &all->pokers[i]);
    }
}

/* Joins the threads. Returns: the pokes they made in all */
static guint64
pokers_join (Pokers *all)
{
  guint64 total = 0;

  for (guint i = 0; i < N_THREADS; i++)
    {
      g_thread_join (all->threads[i]);
      total += all->pokers[i].n_poked;
    }
  return total;
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Wakes @context up every 10 ms, like input and redraws would. */
static void
attach_tick (GSource      *tick,
             GMainContext *context)
{
  g_source_set_callback (tick, tick_cb, NULL, NULL);
  g_source_attach (tick, context);
}

/* Tests ------------------------------------------------------------------ */

/* One poke: one idle source at the default idle priority, and one
 * publication on the bridge's context. */
static void
test_single_poke (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  HaulProgressBridge *bridge;
  GSource *source;
  Counter c;

  bridge = counted_bridge_new (&c, context);

  g_assert_false (g_main_context_pending (context));
  g_assert_null (find_progress_source (context, bridge));

  haul_progress_bridge_poke (bridge);
  source = find_progress_source (context, bridge);
  g_assert_nonnull (source);
  g_assert_cmpint (g_source_get_priority (source), ==, G_PRIORITY_DEFAULT_IDLE);
  g_assert_cmpstr (g_source_get_name (source), ==, "[haul] progress");
  g_assert_cmpuint (c.n_calls, ==, 0);

  g_assert_true (g_main_context_iteration (context, FALSE));
  g_assert_cmpuint (c.n_calls, ==, 1);
  g_assert_cmpuint (haul_progress_bridge_get_n_publications (bridge), ==, 1);
  g_assert_cmpuint (c.n_wrong_thread, ==, 0);
  g_assert_cmpuint (c.n_not_owner, ==, 0);
  g_assert_null (find_progress_source (context, bridge));
  g_assert_false (g_main_context_pending (context));

  haul_progress_bridge_detach (bridge);
  haul_progress_bridge_unref (bridge);
}

/* Many threads poke 100 000 times each while the main loop is busy: exactly
 * one source is pending, and it publishes exactly once. */
static void
test_one_pending_source (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  HaulProgressBridge *bridge;
  Pokers load;
  guint64 total;
  Counter c;

  bridge = counted_bridge_new (&c, context);

  pokers_start (&load, (Poker) { .bridge = bridge, .n_pokes = POKES_PER_THREAD });
  total = pokers_join (&load);
  g_assert_cmpuint (total, ==, (guint64) N_THREADS * POKES_PER_THREAD);
  g_assert_cmpint (load.n_done, ==, N_THREADS);

  /* 800 000 pokes, no iteration yet: one source. */
  g_assert_nonnull (find_progress_source (context, bridge));
  g_assert_cmpuint (c.n_calls, ==, 0);

  /* One iteration dispatches every ready source of the highest priority:
   * had the pokes queued several, they would all run now. */
  g_assert_true (g_main_context_iteration (context, FALSE));
  g_assert_cmpuint (c.n_calls, ==, 1);
  drain (context);
  g_assert_cmpuint (c.n_calls, ==, 1);
  g_assert_cmpuint (haul_progress_bridge_get_n_publications (bridge), ==, 1);
  g_assert_null (find_progress_source (context, bridge));
  g_assert_false (g_main_context_pending (context));

  haul_progress_bridge_detach (bridge);
  haul_progress_bridge_unref (bridge);
}

/* Right after a publication pokes are ignored; once the interval has passed
 * the next poke schedules a publication again. */
static void
test_interval (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  HaulProgressBridge *bridge;
  gint64 published_us, poked_us;
  Counter c;

  bridge = counted_bridge_new (&c, context);

  haul_progress_bridge_poke (bridge);
  drain (context);
  g_assert_cmpuint (c.n_calls, ==, 1);
  published_us = c.last_us;

  for (guint i = 0; i < 1000; i++)
    haul_progress_bridge_poke (bridge);
  poked_us = g_get_monotonic_time ();
  drain (context);
  if (poked_us - published_us < HAUL_PROGRESS_INTERVAL_US)
    {
      /* Still inside the interval: nothing was scheduled. */
      g_assert_cmpuint (c.n_calls, ==, 1);
    }
  else
    {
      g_test_message ("the machine is too slow to check the quiet period (%" G_GINT64_FORMAT " µs)",
                      poked_us - published_us);
    }

  sleep_past_interval (&c);
  haul_progress_bridge_poke (bridge);
  g_assert_nonnull (find_progress_source (context, bridge));
  drain (context);
  g_assert_cmpuint (c.n_calls, ==, (guint) haul_progress_bridge_get_n_publications (bridge));
  g_assert_cmpuint (c.n_calls, >=, 2);
  g_assert_cmpuint (c.n_calls, <=, 3);

  haul_progress_bridge_detach (bridge);
  haul_progress_bridge_unref (bridge);
}

/* The coalescing bridge under load: 8 threads poke 100 000 times each over
 * about a second while the main thread runs the context. Only a handful of
 * publications a second reach it, all on the main thread. */
static void
test_coalescing (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) tick = g_timeout_source_new (10);
  HaulProgressBridge *bridge;
  Pokers load;
  guint64 total;
  gint64 start_us, elapsed_us;
  guint64 max_publications;
  Counter c;

  bridge = counted_bridge_new (&c, context);
  attach_tick (tick, context);

  start_us = g_get_monotonic_time ();
  /* 100 sleeps of 10 ms: each thread pokes for at least a second. */
  pokers_start (&load, (Poker) {
    .bridge = bridge, .n_pokes = POKES_PER_THREAD,
    .sleep_every = POKES_PER_THREAD / 100, .sleep_us = 10000,
  });

  while (g_atomic_int_get (&load.n_done) < N_THREADS)
    g_main_context_iteration (context, TRUE);

  total = pokers_join (&load);
  drain (context);
  elapsed_us = g_get_monotonic_time () - start_us;
  g_source_destroy (tick);

  g_assert_cmpuint (total, ==, (guint64) N_THREADS * POKES_PER_THREAD);
  g_assert_cmpint (elapsed_us, >=, G_USEC_PER_SEC);

  /* Publications are at least one interval apart (the first one excepted),
   * so there can be no more than this, whatever the machine's speed; a
   * little slack covers a poke preempted between its checks. */
  max_publications = 2 + elapsed_us / HAUL_PROGRESS_INTERVAL_US;
  g_test_message ("%u publications for %" G_GUINT64_FORMAT " pokes in %.2f s",
                  c.n_calls, total, elapsed_us / (gdouble) G_USEC_PER_SEC);
  g_assert_cmpuint (c.n_calls, <=, max_publications);
  /* Roughly ten a second: "a handful", not one per poke... */
  g_assert_cmpfloat (c.n_calls / (elapsed_us / (gdouble) G_USEC_PER_SEC), <=, 12.0);
  /* ...but progress does flow while the threads run. */
  g_assert_cmpuint (c.n_calls, >=, 2);
  g_assert_cmpint (c.last_us - c.first_us, >=, HAUL_PROGRESS_INTERVAL_US);

  g_assert_cmpuint (c.n_calls, ==, (guint) haul_progress_bridge_get_n_publications (bridge));
  g_assert_cmpuint (c.n_wrong_thread, ==, 0);
  g_assert_cmpuint (c.n_not_owner, ==, 0);

  haul_progress_bridge_detach (bridge);
  haul_progress_bridge_unref (bridge);
}

/* Detaching removes a pending source; nothing is published afterwards. */
static void
test_detach_pending (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  HaulProgressBridge *bridge;
  Counter c;

  bridge = counted_bridge_new (&c, context);

  haul_progress_bridge_poke (bridge);
  g_assert_nonnull (find_progress_source (context, bridge));

  haul_progress_bridge_detach (bridge);
  g_assert_null (find_progress_source (context, bridge));
  drain (context);
  g_assert_cmpuint (c.n_calls, ==, 0);

  /* Pokes after detaching do nothing either. */
  for (guint i = 0; i < 1000; i++)
    haul_progress_bridge_poke (bridge);
  g_assert_null (find_progress_source (context, bridge));
  g_assert_false (g_main_context_pending (context));
  drain (context);
  g_assert_cmpuint (c.n_calls, ==, 0);
  g_assert_cmpuint (haul_progress_bridge_get_n_publications (bridge), ==, 0);

  /* Detaching twice is harmless. */
  haul_progress_bridge_detach (bridge);
  haul_progress_bridge_unref (bridge);
}

/* Detaching after a publication, once the interval has passed, still
 * stops everything. */
static void
test_detach_idle (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  HaulProgressBridge *bridge;
  Counter c;

  bridge = counted_bridge_new (&c, context);

  haul_progress_bridge_poke (bridge);
  drain (context);
  g_assert_cmpuint (c.n_calls, ==, 1);

  haul_progress_bridge_detach (bridge);
  sleep_past_interval (&c);
  haul_progress_bridge_poke (bridge);
  g_assert_null (find_progress_source (context, bridge));
  drain (context);
  g_assert_cmpuint (c.n_calls, ==, 1);
  g_assert_cmpuint (haul_progress_bridge_get_n_publications (bridge), ==, 1);

  haul_progress_bridge_unref (bridge);
}

/* Detaching while threads keep poking: the count freezes at once. */
static void
test_detach_under_load (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) tick = g_timeout_source_new (10);
  HaulProgressBridge *bridge;
  Pokers load;
  gint stop = 0;
  guint at_detach;
  gint64 detached_us;
  Counter c;

  bridge = counted_bridge_new (&c, context);
  attach_tick (tick, context);

  pokers_start (&load, (Poker) {
    .bridge = bridge, .n_pokes = POKES_PER_THREAD, .stop = &stop,
    .sleep_every = 1000, .sleep_us = 1000,
  });

  /* Let a few publications through. */
  while (c.n_calls < 3)
    g_main_context_iteration (context, TRUE);

  haul_progress_bridge_detach (bridge);
  at_detach = c.n_calls;
  g_assert_cmpuint (haul_progress_bridge_get_n_publications (bridge), ==, at_detach);

  /* Keep the loop running for several intervals while the threads poke. */
  detached_us = g_get_monotonic_time ();
  while (g_get_monotonic_time () - detached_us < 5 * HAUL_PROGRESS_INTERVAL_US)
    g_main_context_iteration (context, TRUE);

  g_atomic_int_set (&stop, 1);
  pokers_join (&load);
  for (guint i = 0; i < N_THREADS; i++)
    g_assert_cmpuint (load.pokers[i].n_poked, >=, POKES_PER_THREAD);
  drain (context);
  g_source_destroy (tick);

  g_assert_cmpuint (c.n_calls, ==, at_detach);
  g_assert_cmpuint (haul_progress_bridge_get_n_publications (bridge), ==, at_detach);
  g_assert_null (find_progress_source (context, bridge));
  g_assert_cmpuint (c.n_wrong_thread, ==, 0);

  haul_progress_bridge_unref (bridge);
}

/* A pending source keeps the bridge alive after its owner drops it. */
static void
test_source_holds_ref (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  HaulProgressBridge *bridge;
  Counter c;

  bridge = counted_bridge_new (&c, context);
  g_assert_true (haul_progress_bridge_ref (bridge) == bridge);
  haul_progress_bridge_unref (bridge);

  haul_progress_bridge_poke (bridge);
  haul_progress_bridge_unref (bridge);

  /* The source still runs, on a live bridge, and then frees it. */
  drain (context);
  g_assert_cmpuint (c.n_calls, ==, 1);
}

/* With no context given, the bridge uses the thread-default one. */
static void
test_thread_default_context (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  HaulProgressBridge *bridge;
  Counter c;

  counter_init (&c, context);
  g_main_context_push_thread_default (context);
  bridge = haul_progress_bridge_new (NULL, counter_publish, &c);
  g_main_context_pop_thread_default (context);

  haul_progress_bridge_poke (bridge);
  g_assert_nonnull (find_progress_source (context, bridge));
  g_assert_null (g_main_context_find_source_by_user_data (NULL, bridge));
  drain (context);
  g_assert_cmpuint (c.n_calls, ==, 1);
  g_assert_cmpuint (c.n_not_owner, ==, 0);

  haul_progress_bridge_detach (bridge);
  haul_progress_bridge_unref (bridge);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haul/core/progress/single-poke", test_single_poke);
  g_test_add_func ("/haul/core/progress/one-pending-source", test_one_pending_source);
  g_test_add_func ("/haul/core/progress/interval", test_interval);
  g_test_add_func ("/haul/core/progress/coalescing", test_coalescing);
  g_test_add_func ("/haul/core/progress/detach/pending", test_detach_pending);
  g_test_add_func ("/haul/core/progress/detach/idle", test_detach_idle);
  g_test_add_func ("/haul/core/progress/detach/under-load", test_detach_under_load);
  g_test_add_func ("/haul/core/progress/source-holds-ref", test_source_holds_ref);
  g_test_add_func ("/haul/core/progress/thread-default-context", test_thread_default_context);

  return g_test_run ();
}
