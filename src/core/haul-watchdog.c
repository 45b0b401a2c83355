/* haul-watchdog.c — connect and stall timeouts for download attempts
 *
 * Each running attempt has a HaulWatchdog. The attempt's worker thread
 * starts it, reports activity (haul_watchdog_touch()) and stops it; one
 * process-wide thread, "haul-watchdog", checks every running attempt ten
 * times a second and cancels the attempt's GCancellable once it has gone
 * too long without connecting or without receiving anything. The fields
 * both threads touch are atomics; the list of running attempts is under
 * a mutex.
 *
 * haul_watchdog_probe_stalled() (any thread, the queue's main thread when
 * the network changes) asks the watchdog thread to check every watch at
 * once against a short threshold: the ones cancelled that way are marked
 * "probed", so the attempt is tried again at once, not counted as failed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-watchdog"

#include "config.h"

#include <stdatomic.h>

#include "haul-watchdog.h"

#define WATCH_INTERVAL_MS 100

struct _HaulWatchdog
{
  gatomicrefcount ref_count;
  GCancellable   *attempt;
  gint64          start_us;
  _Atomic gint64  last_activity_us;
  _Atomic int     connected;
  _Atomic int     timed_out;
  _Atomic int     probed;      /* timed out by haul_watchdog_probe_stalled() */
  guint           connect_timeout_s;
  guint           stall_timeout_s;
};

static HaulWatchdog *
watch_ref (HaulWatchdog *w)
{
  g_atomic_ref_count_inc (&w->ref_count);
  return w;
}

static void
watch_unref (HaulWatchdog *w)
{
  if (!g_atomic_ref_count_dec (&w->ref_count))
    return;
  g_object_unref (w->attempt);
  g_free (w);
}

/* Returns TRUE when @w has run out of time. */
static gboolean
watch_expired (HaulWatchdog *w,
               gint64        now)
{
  if (!w->connected)
    return w->connect_timeout_s > 0 && now - w->start_us > w->connect_timeout_s * G_USEC_PER_SEC;
  return w->stall_timeout_s > 0 && now - w->last_activity_us > w->stall_timeout_s * G_USEC_PER_SEC;
}

/* Every running attempt is in one list that one timer on the watchdog
 * thread scans, so starting and ending an attempt costs a lock, not a
 * GSource attached to another thread's context. */
static GMutex     watches_mutex;
static GPtrArray *watches;       /* HaulWatchdog, owned refs */
static GSource   *watches_source;

/* Whether @w has gone @threshold_s without connecting or receiving. */
static gboolean
watch_quiet_for (HaulWatchdog *w,
                 gint64        now,
                 guint         threshold_s)
{
  gint64 since = w->connected ? w->last_activity_us : w->start_us;

  return now - since >= (gint64) threshold_s * G_USEC_PER_SEC;
}

static void
cancel_expired (GPtrArray *expired)
{
  /* Outside the lock: cancelling runs the cancellable's handlers. */
  for (guint i = 0; i < expired->len; i++)
    g_cancellable_cancel (((HaulWatchdog *) g_ptr_array_index (expired, i))->attempt);
}

static gboolean
watches_tick (gpointer data)
{
  g_autoptr(GPtrArray) expired = g_ptr_array_new_with_free_func ((GDestroyNotify) watch_unref);
  gint64 now = g_get_monotonic_time ();
  gboolean keep = TRUE;

  g_mutex_lock (&watches_mutex);
  for (guint i = 0; i < watches->len; i++)
    {
      HaulWatchdog *w = g_ptr_array_index (watches, i);

      if (!w->timed_out && watch_expired (w, now))
        {
          w->timed_out = TRUE;
          g_ptr_array_add (expired, watch_ref (w));
        }
    }
  if (watches->len == 0)
    {
      /* Idle: stop ticking until the next attempt starts. */
      g_clear_pointer (&watches_source, g_source_unref);
      keep = FALSE;
    }
  g_mutex_unlock (&watches_mutex);

  cancel_expired (expired);
  return keep;
}

/* On the watchdog thread: one check with a short threshold. */
static gboolean
probe_now (gpointer data)
{
  g_autoptr(GPtrArray) expired = g_ptr_array_new_with_free_func ((GDestroyNotify) watch_unref);
  guint threshold_s = GPOINTER_TO_UINT (data);
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&watches_mutex);
  for (guint i = 0; watches != NULL && i < watches->len; i++)
    {
      HaulWatchdog *w = g_ptr_array_index (watches, i);

      if (!w->timed_out && watch_quiet_for (w, now, threshold_s))
        {
          w->probed = TRUE;
          w->timed_out = TRUE;
          g_ptr_array_add (expired, watch_ref (w));
        }
    }
  g_mutex_unlock (&watches_mutex);

  cancel_expired (expired);
  return G_SOURCE_REMOVE;
}

static gpointer
watchdog_thread (gpointer data)
{
  GMainContext *context = data;

  g_main_context_push_thread_default (context);
  for (;;)
    g_main_context_iteration (context, TRUE);
  return NULL;
}

/* One thread for all watchdogs, started on first use and kept for the
 * process's life (GLib's own worker context is private API). */
static GMainContext *
watchdog_context (void)
{
  static GMainContext *context;

  if (g_once_init_enter (&context))
    {
      GMainContext *ctx = g_main_context_new ();

      g_thread_unref (g_thread_new ("haul-watchdog", watchdog_thread, g_main_context_ref (ctx)));
      g_once_init_leave (&context, ctx);
    }
  return context;
}

/**
 * haul_watchdog_probe_stalled:
 * @threshold_s: how long without connecting or receiving counts as
 *   stalled now
 *
 * From any thread, without waiting: the watchdog thread checks every
 * running attempt and connection once, and cancels those quiet for
 * @threshold_s or more as timed out (haul_watchdog_probed() then says so).
 * The network changed: a connection that went quiet is probably dead.
 */
void
haul_watchdog_probe_stalled (guint threshold_s)
{
  GSource *source = g_idle_source_new ();

  g_source_set_static_name (source, "[haul] watchdog probe");
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, probe_now, GUINT_TO_POINTER (threshold_s), NULL);
  g_source_attach (source, watchdog_context ());
  g_source_unref (source);
}

/**
 * haul_watchdog_start:
 * @attempt: cancelled when the attempt runs out of time
 * @connect_timeout_s: how long it may take to connect, 0 for ever
 * @stall_timeout_s: how long a connected attempt may go without
 *   activity, 0 for ever
 *
 * Starts watching one attempt, from the calling (worker) thread. The
 * caller owns the result and ends it with haul_watchdog_stop().
 */
HaulWatchdog *
haul_watchdog_start (GCancellable *attempt,
                     guint         connect_timeout_s,
                     guint         stall_timeout_s)
{
  HaulWatchdog *w = g_new0 (HaulWatchdog, 1);
  GMainContext *context = watchdog_context ();

  g_atomic_ref_count_init (&w->ref_count);
  w->attempt = g_object_ref (attempt);
  w->start_us = w->last_activity_us = g_get_monotonic_time ();
  w->connect_timeout_s = connect_timeout_s;
  w->stall_timeout_s = stall_timeout_s;

  g_mutex_lock (&watches_mutex);
  if (watches == NULL)
    watches = g_ptr_array_new_with_free_func ((GDestroyNotify) watch_unref);
  g_ptr_array_add (watches, watch_ref (w));
  if (watches_source == NULL)
    {
      watches_source = g_timeout_source_new (WATCH_INTERVAL_MS);
      g_source_set_static_name (watches_source, "[haul] transfer watchdog");
      g_source_set_callback (watches_source, watches_tick, NULL, NULL);
      g_source_attach (watches_source, context);
    }
  g_mutex_unlock (&watches_mutex);

  return w;
}

/* Stops watching and frees @watchdog (the watchdog thread may hold a
 * reference a moment longer, while it cancels). */
void
haul_watchdog_stop (HaulWatchdog *watchdog)
{
  g_mutex_lock (&watches_mutex);
  g_ptr_array_remove_fast (watches, watchdog);
  g_mutex_unlock (&watches_mutex);
  watch_unref (watchdog);
}

/* The server answered: from now on the stall timeout applies. */
void
haul_watchdog_set_connected (HaulWatchdog *watchdog)
{
  watchdog->last_activity_us = g_get_monotonic_time ();
  watchdog->connected = TRUE;
}

/* Something happened (bytes arrived, a rate-limit wait ended, the partial
 * file was read back): the attempt is not stalled. */
void
haul_watchdog_touch (HaulWatchdog *watchdog)
{
  watchdog->last_activity_us = g_get_monotonic_time ();
}

gboolean
haul_watchdog_is_connected (HaulWatchdog *watchdog)
{
  return watchdog->connected;
}

/* Whether it was cancelled by haul_watchdog_probe_stalled() (it then
 * also timed out). */
gboolean
haul_watchdog_probed (HaulWatchdog *watchdog)
{
  return watchdog->probed;
}

/* Whether the watchdog cancelled the attempt for running out of time. */
gboolean
haul_watchdog_timed_out (HaulWatchdog *watchdog)
{
  return watchdog->timed_out;
}
