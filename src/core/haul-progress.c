/* haul-progress.c — the bridge that carries worker progress to the main loop
 *
 * Workers call haul_progress_bridge_poke() after every chunk. At most one
 * idle source is ever pending for the whole queue (an atomic flag taken by
 * compare-and-swap), and a new one is scheduled only when at least
 * HAUL_PROGRESS_INTERVAL_US passed since the last publication. The idle
 * runs at G_PRIORITY_DEFAULT_IDLE, below input and redraw, and the
 * publish function reads every active job's atomic counters at once. So
 * however many downloads run and however fast, the main loop sees about
 * ten progress publications a second.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-progress"

#include "config.h"

#include <stdatomic.h>

#include "haul-progress.h"

struct _HaulProgressBridge
{
  gatomicrefcount          ref_count;
  GMainContext            *context;
  HaulProgressPublishFunc  publish;
  gpointer                 user_data;   /* main thread only */

  _Atomic int              pending;
  _Atomic gint64           last_publish_us;
  _Atomic guint64          n_publications;

  GMutex                   mutex;       /* guards source and detached */
  GSource                 *source;
  gboolean                 detached;
};

HaulProgressBridge *
haul_progress_bridge_new (GMainContext            *context,
                          HaulProgressPublishFunc  publish,
                          gpointer                 user_data)
{
  HaulProgressBridge *self = g_new0 (HaulProgressBridge, 1);

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->mutex);
  self->context = context ? g_main_context_ref (context) : g_main_context_ref_thread_default ();
  self->publish = publish;
  self->user_data = user_data;
  return self;
}

HaulProgressBridge *
haul_progress_bridge_ref (HaulProgressBridge *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
haul_progress_bridge_unref (HaulProgressBridge *self)
{
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_main_context_unref (self->context);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

static gboolean
publish_cb (gpointer data)
{
  HaulProgressBridge *self = data;
  gboolean detached;

  g_mutex_lock (&self->mutex);
  g_clear_pointer (&self->source, g_source_unref);
  detached = self->detached;
  g_mutex_unlock (&self->mutex);

  self->last_publish_us = g_get_monotonic_time ();
  self->pending = FALSE;

  if (!detached)
    {
      self->n_publications++;
      self->publish (self->user_data);
    }

  return G_SOURCE_REMOVE;
}

/**
 * haul_progress_bridge_poke:
 *
 * Any thread: asks for a publication soon. Cheap when one is already
 * pending or happened less than HAUL_PROGRESS_INTERVAL_US ago.
 */
void
haul_progress_bridge_poke (HaulProgressBridge *self)
{
  int expected = FALSE;
  GSource *source;

  if (self->pending)
    return;
  if (g_get_monotonic_time () - self->last_publish_us < HAUL_PROGRESS_INTERVAL_US)
    return;
  if (!atomic_compare_exchange_strong (&self->pending, &expected, TRUE))
    return;

  g_mutex_lock (&self->mutex);
  if (!self->detached && self->source == NULL)
    {
      source = g_idle_source_new ();
      g_source_set_priority (source, G_PRIORITY_DEFAULT_IDLE);
      g_source_set_static_name (source, "[haul] progress");
      g_source_set_callback (source, publish_cb, haul_progress_bridge_ref (self),
                             (GDestroyNotify) haul_progress_bridge_unref);
      self->source = source;
      g_source_attach (source, self->context);
    }
  g_mutex_unlock (&self->mutex);
}

/**
 * haul_progress_bridge_detach:
 *
 * Main thread: no publication will run after this returns.
 */
void
haul_progress_bridge_detach (HaulProgressBridge *self)
{
  g_mutex_lock (&self->mutex);
  self->detached = TRUE;
  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
  g_mutex_unlock (&self->mutex);
}

guint64
haul_progress_bridge_get_n_publications (HaulProgressBridge *self)
{
  return self->n_publications;
}
