/* haul-latency-meter.h — how late the main loop runs, and how often it paints
 *
 * What `HAUL_LATENCY_REPORT=FILE` writes at exit. Two measurements, both on
 * the default main context and both main-thread only:
 *
 * Probe lateness. A 10 ms timeout at G_PRIORITY_DEFAULT (the priority of
 * input events) runs for as long as the meter does; each time it runs, its
 * lateness is now − (previous run + 10 ms), clamped at 0. A lateness of L ms
 * means an input event arriving at the worst moment waited about L ms
 * before the main loop could look at it: this is the number that says
 * whether the window "stays smooth and instant". Samples go into a
 * histogram of 0.1 ms buckets up to 1 s (so memory stays the same however
 * long the run), plus an exact maximum; percentiles are exact to 0.1 ms
 * below 1 s, and anything above 1 s reports as the maximum.
 *
 * Frames. For a watched widget, every "after-paint" of its GdkFrameClock
 * counts one frame, and the time between successive frames is a frame gap
 * (the gap before the first frame, and across an unrealize, is ignored).
 * GTK only runs the frame clock while something changes — an animation,
 * a progress bar moving, a redraw — so a long gap is not by itself a stall:
 * an idle window legitimately paints nothing for minutes. A gap is a stall
 * only when something was animating (a spinner, a progress bar moving) and
 * should have painted; read "frames", "longest_frame_gap_ms" and
 * "frame_gaps_over_33ms" (gaps longer than two frames at 60 Hz) against
 * what was on screen, and the probe figures for the loop itself.
 *
 * The JSON written by haul_latency_meter_write_json() is one object:
 *   probe_interval_ms     10
 *   samples               number of probe runs measured
 *   p50_ms, p99_ms        median and 99th percentile probe lateness
 *   max_ms                worst probe lateness
 *   frames                after-paint signals seen
 *   longest_frame_gap_ms  longest time between two successive frames
 *   frame_gaps_over_33ms  how many frame gaps were longer than 33 ms
 *   duration_s            time measured (from creation or the last reset
 *                         to stop, or to now while running)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define HAUL_TYPE_LATENCY_METER (haul_latency_meter_get_type ())

#define HAUL_LATENCY_METER_PROBE_INTERVAL_MS 10

G_DECLARE_FINAL_TYPE (HaulLatencyMeter, haul_latency_meter, HAUL, LATENCY_METER, GObject)

HaulLatencyMeter *haul_latency_meter_new                   (void);
void              haul_latency_meter_watch_widget          (HaulLatencyMeter  *self,
                                                            GtkWidget         *widget);
void              haul_latency_meter_reset                 (HaulLatencyMeter  *self);
void              haul_latency_meter_stop                  (HaulLatencyMeter  *self);
gboolean          haul_latency_meter_write_json            (HaulLatencyMeter  *self,
                                                            const char        *path,
                                                            GError           **error);

/* Probe lateness, in milliseconds; @p is a percentile from 0 to 100. */
double            haul_latency_meter_get_percentile        (HaulLatencyMeter  *self,
                                                            double             p);
double            haul_latency_meter_get_max               (HaulLatencyMeter  *self);
guint64           haul_latency_meter_get_n_samples         (HaulLatencyMeter  *self);

guint64           haul_latency_meter_get_n_frames          (HaulLatencyMeter  *self);
double            haul_latency_meter_get_longest_frame_gap (HaulLatencyMeter  *self);
guint64           haul_latency_meter_get_n_long_frame_gaps (HaulLatencyMeter  *self);
double            haul_latency_meter_get_duration          (HaulLatencyMeter  *self);

G_END_DECLS
