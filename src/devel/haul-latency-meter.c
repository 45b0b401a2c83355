/* haul-latency-meter.c — how late the main loop runs, and how often it paints
 *
 * See the header for what the numbers mean. Everything here runs on the
 * main thread: the probe is a timeout on the default main context, and the
 * frame counter a handler of the watched widget's frame clock.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-latency-meter"

#include "config.h"

#include <math.h>
#include <string.h>

#include "haul-latency-meter.h"

#define PROBE_INTERVAL_US (HAUL_LATENCY_METER_PROBE_INTERVAL_MS * 1000)
#define BUCKET_US         100                      /* 0.1 ms */
#define N_BUCKETS         (G_USEC_PER_SEC / BUCKET_US) /* up to 1 s */
#define LONG_FRAME_GAP_US 33000                    /* two frames at 60 Hz */

struct _HaulLatencyMeter
{
  GObject        parent_instance;

  /* Probe */
  guint          probe_id;
  gint64         last_dispatch_us;
  guint64       *buckets;          /* N_BUCKETS (too big for the instance) */
  guint64        n_overflow;        /* samples of 1 s or more */
  guint64        n_samples;
  gint64         max_us;

  gint64         started_us;        /* creation or last reset */
  gint64         stopped_us;        /* 0 while running */

  /* Frames */
  GtkWidget     *widget;            /* weak */
  gulong         realize_id;
  gulong         unrealize_id;
  GdkFrameClock *frame_clock;
  gulong         after_paint_id;
  guint64        n_frames;
  gint64         last_frame_us;     /* 0: no frame yet (or since unrealize) */
  gint64         longest_gap_us;
  guint64        n_long_gaps;
};

G_DEFINE_FINAL_TYPE (HaulLatencyMeter, haul_latency_meter, G_TYPE_OBJECT)

/* ------------------------------------------------------------------ */
/* Probe */

static void
record_lateness (HaulLatencyMeter *self,
                 gint64            lateness_us)
{
  gint64 bucket = lateness_us / BUCKET_US;

  if (bucket < N_BUCKETS)
    self->buckets[bucket]++;
  else
    self->n_overflow++;
  self->n_samples++;
  self->max_us = MAX (self->max_us, lateness_us);
}

static gboolean
probe_cb (gpointer data)
{
  HaulLatencyMeter *self = data;
  gint64 now = g_get_monotonic_time ();

  /* GLib schedules the next run from the cached time of the iteration
   * that ran this one, which can be a little before now: never negative. */
  record_lateness (self, MAX (0, now - (self->last_dispatch_us + PROBE_INTERVAL_US)));
  self->last_dispatch_us = now;
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */
/* Frames */

static void
after_paint_cb (GdkFrameClock    *frame_clock,
                HaulLatencyMeter *self)
{
  gint64 now = g_get_monotonic_time ();

  if (self->last_frame_us != 0)
    {
      gint64 gap = now - self->last_frame_us;

      self->longest_gap_us = MAX (self->longest_gap_us, gap);
      if (gap > LONG_FRAME_GAP_US)
        self->n_long_gaps++;
    }
  self->n_frames++;
  self->last_frame_us = now;
}

static void
disconnect_frame_clock (HaulLatencyMeter *self)
{
  if (self->frame_clock != NULL)
    {
      g_clear_signal_handler (&self->after_paint_id, self->frame_clock);
      g_clear_object (&self->frame_clock);
    }
  /* A new surface starts a new series: no gap across it. */
  self->last_frame_us = 0;
}

static void
connect_frame_clock (HaulLatencyMeter *self)
{
  GdkFrameClock *frame_clock = gtk_widget_get_frame_clock (self->widget);

  if (frame_clock == self->frame_clock)
    return;
  disconnect_frame_clock (self);
  if (frame_clock == NULL)
    return;
  self->frame_clock = g_object_ref (frame_clock);
  self->after_paint_id = g_signal_connect (frame_clock, "after-paint",
                                           G_CALLBACK (after_paint_cb), self);
}

static void
widget_realize_cb (GtkWidget        *widget,
                   HaulLatencyMeter *self)
{
  connect_frame_clock (self);
}

static void
widget_unrealize_cb (GtkWidget        *widget,
                     HaulLatencyMeter *self)
{
  disconnect_frame_clock (self);
}

static void
unwatch_widget (HaulLatencyMeter *self)
{
  disconnect_frame_clock (self);
  if (self->widget != NULL)
    {
      g_clear_signal_handler (&self->realize_id, self->widget);
      g_clear_signal_handler (&self->unrealize_id, self->widget);
      g_clear_weak_pointer (&self->widget);
    }
  self->realize_id = 0;
  self->unrealize_id = 0;
}

/* ------------------------------------------------------------------ */
/* GObject */

static void
haul_latency_meter_dispose (GObject *object)
{
  haul_latency_meter_stop (HAUL_LATENCY_METER (object));

  G_OBJECT_CLASS (haul_latency_meter_parent_class)->dispose (object);
}

static void
haul_latency_meter_finalize (GObject *object)
{
  HaulLatencyMeter *self = HAUL_LATENCY_METER (object);

  g_free (self->buckets);

  G_OBJECT_CLASS (haul_latency_meter_parent_class)->finalize (object);
}

static void
haul_latency_meter_class_init (HaulLatencyMeterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = haul_latency_meter_dispose;
  object_class->finalize = haul_latency_meter_finalize;
}

static void
haul_latency_meter_init (HaulLatencyMeter *self)
{
  self->buckets = g_new0 (guint64, N_BUCKETS);
  self->started_us = g_get_monotonic_time ();
  self->last_dispatch_us = self->started_us;
  self->probe_id = g_timeout_add_full (G_PRIORITY_DEFAULT, HAUL_LATENCY_METER_PROBE_INTERVAL_MS,
                                       probe_cb, self, NULL);
  g_source_set_name_by_id (self->probe_id, "[haul] latency probe");
}

/* ------------------------------------------------------------------ */
/* Public API */

/**
 * haul_latency_meter_new:
 *
 * Starts measuring at once: the probe runs on the default main context
 * until haul_latency_meter_stop() or the last unref.
 */
HaulLatencyMeter *
haul_latency_meter_new (void)
{
  return g_object_new (HAUL_TYPE_LATENCY_METER, NULL);
}

/**
 * haul_latency_meter_watch_widget:
 *
 * Counts the frames of @widget's frame clock from now on, following it
 * through unrealize and realize. Replaces the widget watched before, if
 * any. The meter does not keep @widget alive.
 */
void
haul_latency_meter_watch_widget (HaulLatencyMeter *self,
                                 GtkWidget        *widget)
{
  g_return_if_fail (HAUL_IS_LATENCY_METER (self));
  g_return_if_fail (GTK_IS_WIDGET (widget));

  if (self->stopped_us != 0)
    return;

  unwatch_widget (self);
  g_set_weak_pointer (&self->widget, widget);
  self->realize_id = g_signal_connect (widget, "realize", G_CALLBACK (widget_realize_cb), self);
  self->unrealize_id = g_signal_connect (widget, "unrealize", G_CALLBACK (widget_unrealize_cb), self);
  if (gtk_widget_get_realized (widget))
    connect_frame_clock (self);
}

/**
 * haul_latency_meter_reset:
 *
 * Forgets every sample and frame so far (for example at the start of a
 * benchmark phase); the duration counts from now.
 */
void
haul_latency_meter_reset (HaulLatencyMeter *self)
{
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (HAUL_IS_LATENCY_METER (self));

  memset (self->buckets, 0, N_BUCKETS * sizeof *self->buckets);
  self->n_overflow = 0;
  self->n_samples = 0;
  self->max_us = 0;
  self->started_us = now;
  if (self->stopped_us != 0)
    self->stopped_us = now;

  self->n_frames = 0;
  self->last_frame_us = 0;
  self->longest_gap_us = 0;
  self->n_long_gaps = 0;
}

/**
 * haul_latency_meter_stop:
 *
 * Stops the probe and the frame counter; the figures stay as they are.
 */
void
haul_latency_meter_stop (HaulLatencyMeter *self)
{
  g_return_if_fail (HAUL_IS_LATENCY_METER (self));

  g_clear_handle_id (&self->probe_id, g_source_remove);
  unwatch_widget (self);
  if (self->stopped_us == 0)
    self->stopped_us = g_get_monotonic_time ();
}

/**
 * haul_latency_meter_get_percentile:
 * @p: from 0 to 100
 *
 * Returns: the lateness that @p percent of the probe runs did not exceed,
 *   in milliseconds (rounded up to the 0.1 ms bucket, never above the
 *   maximum); 0 without samples
 */
double
haul_latency_meter_get_percentile (HaulLatencyMeter *self,
                                   double            p)
{
  guint64 rank;
  guint64 seen = 0;

  g_return_val_if_fail (HAUL_IS_LATENCY_METER (self), 0);

  if (self->n_samples == 0)
    return 0;

  p = CLAMP (p, 0, 100);
  rank = (guint64) ceil (p / 100.0 * self->n_samples);
  rank = CLAMP (rank, 1, self->n_samples);

  for (gint64 i = 0; i < N_BUCKETS; i++)
    {
      seen += self->buckets[i];
      if (seen >= rank)
        return MIN ((i + 1) * BUCKET_US, self->max_us) / 1000.0;
    }
  return self->max_us / 1000.0;
}

double
haul_latency_meter_get_max (HaulLatencyMeter *self)
{
  g_return_val_if_fail (HAUL_IS_LATENCY_METER (self), 0);

  return self->max_us / 1000.0;
}

guint64
haul_latency_meter_get_n_samples (HaulLatencyMeter *self)
{
  g_return_val_if_fail (HAUL_IS_LATENCY_METER (self), 0);

  return self->n_samples;
}

guint64
haul_latency_meter_get_n_frames (HaulLatencyMeter *self)
{
  g_return_val_if_fail (HAUL_IS_LATENCY_METER (self), 0);

  return self->n_frames;
}

/**
 * haul_latency_meter_get_longest_frame_gap:
 *
 * Returns: the longest time between two successive frames, in
 *   milliseconds; 0 before the second frame
 */
double
haul_latency_meter_get_longest_frame_gap (HaulLatencyMeter *self)
{
  g_return_val_if_fail (HAUL_IS_LATENCY_METER (self), 0);

  return self->longest_gap_us / 1000.0;
}

/**
 * haul_latency_meter_get_n_long_frame_gaps:
 *
 * Returns: how many frame gaps were longer than 33 ms
 */
guint64
haul_latency_meter_get_n_long_frame_gaps (HaulLatencyMeter *self)
{
  g_return_val_if_fail (HAUL_IS_LATENCY_METER (self), 0);

  return self->n_long_gaps;
}

/**
 * haul_latency_meter_get_duration:
 *
 * Returns: seconds from creation (or the last reset) to the stop, or to now
 *   while running
 */
double
haul_latency_meter_get_duration (HaulLatencyMeter *self)
{
  gint64 end;

  g_return_val_if_fail (HAUL_IS_LATENCY_METER (self), 0);

  end = self->stopped_us != 0 ? self->stopped_us : g_get_monotonic_time ();
  return (end - self->started_us) / (double) G_USEC_PER_SEC;
}

static void
append_double (GString    *json,
               const char *key,
               double      value,
               const char *separator)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (json, "\"%s\":%s%s", key,
                          g_ascii_formatd (buffer, sizeof buffer, "%.3f", value), separator);
}

/**
 * haul_latency_meter_write_json:
 *
 * Writes the figures (see the header) to @path as one JSON object,
 * replacing the file atomically.
 */
gboolean
haul_latency_meter_write_json (HaulLatencyMeter  *self,
                               const char        *path,
                               GError           **error)
{
  g_autoptr(GString) json = g_string_new ("{");

  g_return_val_if_fail (HAUL_IS_LATENCY_METER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_string_append_printf (json, "\"probe_interval_ms\":%d,", HAUL_LATENCY_METER_PROBE_INTERVAL_MS);
  g_string_append_printf (json, "\"samples\":%" G_GUINT64_FORMAT ",", self->n_samples);
  append_double (json, "p50_ms", haul_latency_meter_get_percentile (self, 50), ",");
  append_double (json, "p99_ms", haul_latency_meter_get_percentile (self, 99), ",");
  append_double (json, "max_ms", haul_latency_meter_get_max (self), ",");
  g_string_append_printf (json, "\"frames\":%" G_GUINT64_FORMAT ",", self->n_frames);
  append_double (json, "longest_frame_gap_ms", haul_latency_meter_get_longest_frame_gap (self), ",");
  g_string_append_printf (json, "\"frame_gaps_over_33ms\":%" G_GUINT64_FORMAT ",", self->n_long_gaps);
  append_double (json, "duration_s", haul_latency_meter_get_duration (self), "}\n");

  return g_file_set_contents (path, json->str, json->len, error);
}
