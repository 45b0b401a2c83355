/* test-latency-meter.c — the latency meter sees a blocked main loop
 *
 * A real window with a spinning GtkSpinner, so the frame clock ticks. A
 * quiet second must measure small probe lateness and many frames; one
 * 120 ms block of the main loop must show up both as probe lateness and as
 * a frame gap. The JSON report is read back and checked against the
 * getters.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-latency-meter"

#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>
#include <unistd.h>

#include "haul-latency-meter.h"

#define WAIT_MS  10000
#define BLOCK_MS 120

/* ------------------------------------------------------------------ */
/* Helpers */

static void
set_true_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
}

static void
spin_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add_once (ms, set_true_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

typedef gboolean (*Predicate) (gpointer data);

static gboolean
spin_until (Predicate predicate,
            gpointer  data)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_once (WAIT_MS, set_true_cb, &timed_out);

  while (!predicate (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return predicate (data);
}

typedef struct
{
  HaulLatencyMeter *meter;
  GtkWidget        *window;
  guint64           min_frames;
} FrameWait;

static gboolean
has_frames (gpointer data)
{
  FrameWait *wait = data;

  return gtk_widget_get_mapped (wait->window) &&
         haul_latency_meter_get_n_frames (wait->meter) >= wait->min_frames;
}

static void
wait_for_frames (HaulLatencyMeter *meter,
                 GtkWidget        *window,
                 guint64           n)
{
  FrameWait wait = { meter, window, n };

  if (!spin_until (has_frames, &wait))
    g_error ("the window painted %" G_GUINT64_FORMAT " frames in %d ms, expected %" G_GUINT64_FORMAT,
             haul_latency_meter_get_n_frames (meter), WAIT_MS, n);
}

/* A window whose only child is a spinning spinner: it paints every frame. */
static GtkWidget *
spinner_window_new (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *spinner = gtk_spinner_new ();

  gtk_widget_set_size_request (spinner, 64, 64);
  gtk_spinner_start (GTK_SPINNER (spinner));
  gtk_window_set_child (GTK_WINDOW (window), spinner);
  gtk_window_set_default_size (GTK_WINDOW (window), 200, 200);
  return window;
}

static gboolean
block_cb (gpointer data)
{
  gboolean *blocked = data;

  g_usleep (BLOCK_MS * 1000);
  *blocked = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/* The number after "KEY": in @json; fails the test if it is missing. */
static double
json_number (const char *json,
             const char *key)
{
  g_autofree char *needle = g_strdup_printf ("\"%s\":", key);
  const char *p = strstr (json, needle);
  char *end = NULL;
  double value;

  if (p == NULL)
    g_error ("\"%s\" is missing from %s", key, json);
  p += strlen (needle);
  value = g_ascii_strtod (p, &end);
  if (end == p || (*end != ',' && *end != '}'))
    g_error ("\"%s\" is not a number in %s", key, json);
  return value;
}

static void
destroy_window (GtkWidget *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (50);
}

/* ------------------------------------------------------------------ */
/* Tests */

static void
test_quiet_then_blocked (void)
{
  g_autoptr(HaulLatencyMeter) meter = haul_latency_meter_new ();
  GtkWidget *window = spinner_window_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *json = NULL;
  gboolean blocked = FALSE;
  double quiet_max;
  int fd;

  /* Watched before it is realized: the meter must wait for "realize". */
  haul_latency_meter_watch_widget (meter, window);
  gtk_window_present (GTK_WINDOW (window));
  wait_for_frames (meter, window, 3);

  /* A quiet second. */
  haul_latency_meter_reset (meter);
  g_assert_cmpuint (haul_latency_meter_get_n_frames (meter), ==, 0);
  g_assert_cmpuint (haul_latency_meter_get_n_samples (meter), ==, 0);
  spin_for (1000);

  g_test_message ("quiet: %" G_GUINT64_FORMAT " samples, p50 %.1f ms, p99 %.1f ms, max %.1f ms, "
                  "%" G_GUINT64_FORMAT " frames, longest gap %.1f ms",
                  haul_latency_meter_get_n_samples (meter),
                  haul_latency_meter_get_percentile (meter, 50),
                  haul_latency_meter_get_percentile (meter, 99),
                  haul_latency_meter_get_max (meter),
                  haul_latency_meter_get_n_frames (meter),
                  haul_latency_meter_get_longest_frame_gap (meter));
  g_assert_cmpuint (haul_latency_meter_get_n_samples (meter), >=, 20);
  g_assert_cmpuint (haul_latency_meter_get_n_samples (meter), <=, 101);
  g_assert_cmpuint (haul_latency_meter_get_n_frames (meter), >, 20);
  g_assert_cmpfloat (haul_latency_meter_get_percentile (meter, 50), <, 5.0);
  g_assert_cmpfloat (haul_latency_meter_get_percentile (meter, 99), <, 50.0);
  g_assert_cmpfloat (haul_latency_meter_get_percentile (meter, 50), <=,
                     haul_latency_meter_get_percentile (meter, 99));
  g_assert_cmpfloat (haul_latency_meter_get_percentile (meter, 99), <=, haul_latency_meter_get_max (meter));
  quiet_max = haul_latency_meter_get_max (meter);

  /* One 120 ms block of the main loop, with the spinner still animating. */
  g_idle_add_full (G_PRIORITY_DEFAULT, block_cb, &blocked, NULL);
  g_assert_true (spin_until (is_true, &blocked));
  spin_for (300);

  g_test_message ("blocked: max %.1f ms, longest gap %.1f ms, %" G_GUINT64_FORMAT " gaps over 33 ms",
                  haul_latency_meter_get_max (meter),
                  haul_latency_meter_get_longest_frame_gap (meter),
                  haul_latency_meter_get_n_long_frame_gaps (meter));
  g_assert_cmpfloat (haul_latency_meter_get_max (meter), >=, 100.0);
  g_assert_cmpfloat (haul_latency_meter_get_max (meter), <, 1000.0);
  g_assert_cmpfloat (haul_latency_meter_get_max (meter), >, quiet_max);
  g_assert_cmpfloat (haul_latency_meter_get_longest_frame_gap (meter), >=, 100.0);
  g_assert_cmpuint (haul_latency_meter_get_n_long_frame_gaps (meter), >=, 1);
  /* One sample in a hundred is late: the median does not move. */
  g_assert_cmpfloat (haul_latency_meter_get_percentile (meter, 50), <, 5.0);
  g_assert_cmpfloat (haul_latency_meter_get_percentile (meter, 100), ==, haul_latency_meter_get_max (meter));

  /* Stopped, the figures stay as they are. */
  haul_latency_meter_stop (meter);
  {
    guint64 n_samples = haul_latency_meter_get_n_samples (meter);
    guint64 n_frames = haul_latency_meter_get_n_frames (meter);
    double duration = haul_latency_meter_get_duration (meter);

    spin_for (100);
    g_assert_cmpuint (haul_latency_meter_get_n_samples (meter), ==, n_samples);
    g_assert_cmpuint (haul_latency_meter_get_n_frames (meter), ==, n_frames);
    g_assert_cmpfloat (haul_latency_meter_get_duration (meter), ==, duration);
    g_assert_cmpfloat (duration, >=, 1.3);
    g_assert_cmpfloat (duration, <, 60.0);
  }

  /* The report. */
  fd = g_file_open_tmp ("haul-latency-XXXXXX.json", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (haul_latency_meter_write_json (meter, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &json, NULL, &error));
  g_assert_no_error (error);
  g_unlink (path);

  g_test_message ("%s", json);
  g_assert_true (g_str_has_prefix (json, "{"));
  g_assert_true (g_str_has_suffix (json, "}\n"));
  g_assert_cmpfloat (json_number (json, "probe_interval_ms"), ==, 10);
  g_assert_cmpfloat (json_number (json, "samples"), ==, haul_latency_meter_get_n_samples (meter));
  g_assert_cmpfloat_with_epsilon (json_number (json, "p50_ms"),
                                  haul_latency_meter_get_percentile (meter, 50), 0.001);
  g_assert_cmpfloat_with_epsilon (json_number (json, "p99_ms"),
                                  haul_latency_meter_get_percentile (meter, 99), 0.001);
  g_assert_cmpfloat_with_epsilon (json_number (json, "max_ms"), haul_latency_meter_get_max (meter), 0.001);
  g_assert_cmpfloat (json_number (json, "frames"), ==, haul_latency_meter_get_n_frames (meter));
  g_assert_cmpfloat_with_epsilon (json_number (json, "longest_frame_gap_ms"),
                                  haul_latency_meter_get_longest_frame_gap (meter), 0.001);
  g_assert_cmpfloat (json_number (json, "frame_gaps_over_33ms"), ==,
                     haul_latency_meter_get_n_long_frame_gaps (meter));
  g_assert_cmpfloat_with_epsilon (json_number (json, "duration_s"),
                                  haul_latency_meter_get_duration (meter), 0.001);

  destroy_window (window);
}

/* The window goes away and comes back with a new surface (and a new frame
 * clock): the meter follows it, and the gap while it was gone is not a
 * frame gap. */
static void
test_follows_realize (void)
{
  g_autoptr(HaulLatencyMeter) meter = haul_latency_meter_new ();
  GtkWidget *window = spinner_window_new ();
  guint64 before;

  gtk_window_present (GTK_WINDOW (window));
  /* Watched after it is realized. */
  haul_latency_meter_watch_widget (meter, window);
  wait_for_frames (meter, window, 5);

  gtk_widget_set_visible (window, FALSE);
  gtk_widget_unrealize (window);
  g_assert_false (gtk_widget_get_realized (window));
  before = haul_latency_meter_get_n_frames (meter);
  spin_for (400);
  g_assert_cmpuint (haul_latency_meter_get_n_frames (meter), ==, before);

  gtk_window_present (GTK_WINDOW (window));
  wait_for_frames (meter, window, before + 5);
  g_test_message ("longest frame gap %.1f ms", haul_latency_meter_get_longest_frame_gap (meter));
  g_assert_cmpfloat (haul_latency_meter_get_longest_frame_gap (meter), <, 300.0);

  destroy_window (window);
  /* The meter outlives the window it watched. */
  before = haul_latency_meter_get_n_samples (meter);
  spin_for (50);
  g_assert_cmpuint (haul_latency_meter_get_n_samples (meter), >, before);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      g_printerr ("no display: run the ui suite under xvfb-run\n");
      return 77;
    }

  g_test_add_func ("/haul/ui/latency-meter/quiet-then-blocked", test_quiet_then_blocked);
  g_test_add_func ("/haul/ui/latency-meter/follows-realize", test_follows_realize);

  return g_test_run ();
}
