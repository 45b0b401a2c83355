/* test-segment-map.c — the segment map, the details window and a row's connections
 *
 * Under Xvfb: a HaulSegmentMap fed from a real HaulSegments table (written
 * ranges and a connection's claim), the rectangles it draws and the summary
 * it gives screen readers; a HaulDetailsWindow for a download fetched in
 * one stream and for one fetched by several connections; and a
 * HaulDownloadRow saying how many connections fetch its download. The
 * downloads here are not in a queue: the test sets their state the way
 * the queue does (haul-download-private.h), so nothing races with it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "haul-details-window.h"
#include "haul-download-private.h"
#include "haul-download-row.h"
#include "haul-format.h"
#include "haul-queue.h"
#include "haul-resources.h"
#include "haul-segment-map.h"
#include "haul-test-server.h"
#include "haul-test-widgets.h"

#define WAIT_MS 10000

static gboolean
is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

static GtkWidget *
find_map (GtkWidget *widget)
{
  if (HAUL_IS_SEGMENT_MAP (widget) && gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (widget)) == GTK_ACCESSIBLE_ROLE_IMG)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_map (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
assert_rect (GArray       *rects,
             guint         i,
             int           x,
             int           width,
             HaulSpanKind  kind)
{
  HaulMapRect *r;

  g_assert_cmpuint (i, <, rects->len);
  r = &g_array_index (rects, HaulMapRect, i);
  g_assert_cmpint (r->x, ==, x);
  g_assert_cmpint (r->width, ==, width);
  g_assert_cmpint (r->kind, ==, kind);
}

/* 1000 bytes, 0-249 and 500-599 written; one connection claims the first
 * missing range. */
static HaulSegments *
table_with_claim (HaulSegmentClaim *claim)
{
  const HaulRange written[] = { { 0, 250 }, { 500, 600 } };
  HaulSegments *table = haul_segments_new (1000, written, G_N_ELEMENTS (written));

  g_assert_true (haul_segments_claim (table, claim));
  return table;
}

static void
test_layout (void)
{
  HaulSegmentClaim claim;
  g_autoptr(HaulSegments) table = table_with_claim (&claim);
  gsize n_spans = 0;
  g_autofree HaulSpan *spans = NULL;
  g_autoptr(GArray) rects = NULL;
  gint64 accepted = 0;

  g_assert_cmpint (claim.start, ==, 250);
  g_assert_cmpint (claim.end, ==, 500);

  /* 50 bytes written by the connection: written grows, the rest of its
   * range is in flight. */
  haul_segments_advance (table, claim.id, 50, &accepted);
  spans = haul_segments_snapshot (table, &n_spans);
  rects = haul_segment_map_layout (spans, n_spans, 1000, 100);
  g_assert_cmpuint (rects->len, ==, 4);
  assert_rect (rects, 0, 0, 30, HAUL_SPAN_WRITTEN);
  assert_rect (rects, 1, 30, 20, HAUL_SPAN_IN_FLIGHT);
  assert_rect (rects, 2, 50, 10, HAUL_SPAN_WRITTEN);
  assert_rect (rects, 3, 60, 40, HAUL_SPAN_MISSING);
  g_clear_pointer (&rects, g_array_unref);

  /* Narrower than a pixel: written and in-flight bytes keep one pixel,
   * missing ones do not. */
  {
    const HaulSpan tiny[] = {
      { 0, 3, HAUL_SPAN_MISSING },
      { 3, 4, HAUL_SPAN_WRITTEN },
      { 4, 1000000, HAUL_SPAN_MISSING },
      { 1000000, 1000001, HAUL_SPAN_IN_FLIGHT },
    };

    rects = haul_segment_map_layout (tiny, G_N_ELEMENTS (tiny), 1000001, 100);
    g_assert_cmpuint (rects->len, ==, 3);
    assert_rect (rects, 0, 0, 1, HAUL_SPAN_WRITTEN);
    assert_rect (rects, 1, 0, 100, HAUL_SPAN_MISSING);
    assert_rect (rects, 2, 99, 1, HAUL_SPAN_IN_FLIGHT);
    g_clear_pointer (&rects, g_array_unref);
  }

  /* Nothing to draw without a size or a width. */
  rects = haul_segment_map_layout (spans, n_spans, 0, 100);
  g_assert_cmpuint (rects->len, ==, 0);
  g_clear_pointer (&rects, g_array_unref);
  rects = haul_segment_map_layout (spans, n_spans, 1000, 0);
  g_assert_cmpuint (rects->len, ==, 0);
}

static void
test_summary (void)
{
  HaulSegmentClaim claim, second;
  g_autoptr(HaulSegments) table = table_with_claim (&claim);
  GtkWidget *map = g_object_ref_sink (haul_segment_map_new ());
  g_autofree HaulSpan *spans = NULL;
  gsize n_spans = 0;

  g_assert_cmpstr (haul_segment_map_get_summary (HAUL_SEGMENT_MAP (map)), ==, "Size unknown");

  spans = haul_segments_snapshot (table, &n_spans);
  haul_segment_map_set_spans (HAUL_SEGMENT_MAP (map), spans, n_spans,
                              haul_segments_get_total (table), haul_segments_get_n_active (table));
  g_assert_cmpstr (haul_segment_map_get_summary (HAUL_SEGMENT_MAP (map)), ==, "35% written, 1 connection");
  g_clear_pointer (&spans, g_free);

  /* A second connection takes the missing tail. */
  haul_segments_set_split (table, 10, 10);
  g_assert_true (haul_segments_claim (table, &second));
  spans = haul_segments_snapshot (table, &n_spans);
  haul_segment_map_set_spans (HAUL_SEGMENT_MAP (map), spans, n_spans,
                              haul_segments_get_total (table), haul_segments_get_n_active (table));
  g_assert_cmpstr (haul_segment_map_get_summary (HAUL_SEGMENT_MAP (map)), ==, "35% written, 2 connections");

  /* One stream: 999 of 1000 bytes is not 100 %. */
  haul_segment_map_set_progress (HAUL_SEGMENT_MAP (map), 999, 1000, TRUE);
  g_assert_cmpstr (haul_segment_map_get_summary (HAUL_SEGMENT_MAP (map)), ==, "99% written, 1 connection");
  haul_segment_map_set_progress (HAUL_SEGMENT_MAP (map), 1000, 1000, FALSE);
  g_assert_cmpstr (haul_segment_map_get_summary (HAUL_SEGMENT_MAP (map)), ==, "100% written");

  g_object_unref (map);
}

static HaulDownload *
downloading (const char *uri,
             gint64      received,
             gint64      total)
{
  HaulDownload *d = haul_download_new (uri, g_get_tmp_dir ());

  _haul_download_set_filename (d, "big.iso");
  _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_DOWNLOADING);
  _haul_download_set_progress (d, received, total);
  return d;
}

static gboolean
shows (GtkWidget  *widget,
       const char *needle)
{
  g_autofree char *text = haul_test_visible_text (widget);

  return strstr (text, needle) != NULL;
}

typedef struct
{
  GtkWidget  *map;
  const char *summary;
} MapSays;

static gboolean
map_says (gpointer data)
{
  MapSays *m = data;

  return g_strcmp0 (haul_segment_map_get_summary (HAUL_SEGMENT_MAP (m->map)), m->summary) == 0;
}

static void
test_row_connections (void)
{
  g_autoptr(HaulQueue) queue = haul_queue_new ();
  g_autoptr(HaulDownload) d = downloading ("http://127.0.0.1:1/big.iso", 10 * 1024 * 1024, 40 * 1024 * 1024);
  GtkWidget *window = gtk_window_new ();
  HaulDownloadRow *row = haul_download_row_new (queue);

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (row));
  haul_download_row_set_download (row, d);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (haul_test_wait_until (is_mapped, row, WAIT_MS));

  g_assert_true (shows (GTK_WIDGET (row), "10.5\u00a0MB of 41.9\u00a0MB"));
  g_assert_false (shows (GTK_WIDGET (row), "connection"));

  _haul_download_set_connections (d, 8);
  g_assert_true (shows (GTK_WIDGET (row), " · 8 connections"));

  /* One connection is the ordinary case: not worth a word. */
  _haul_download_set_connections (d, 1);
  g_assert_false (shows (GTK_WIDGET (row), "connection"));

  /* Only while downloading. */
  _haul_download_set_connections (d, 3);
  g_assert_true (shows (GTK_WIDGET (row), " · 3 connections"));
  _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_PAUSED);
  g_assert_false (shows (GTK_WIDGET (row), "connection"));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_details_one_stream (void)
{
  g_autoptr(HaulDownload) d = downloading ("http://127.0.0.1:1/big.iso", 10 * 1024 * 1024, 40 * 1024 * 1024);
  GtkWidget *parent = gtk_window_new ();
  HaulDetailsWindow *details;
  GtkWidget *map;

  gtk_window_present (GTK_WINDOW (parent));
  details = haul_details_window_present (GTK_WINDOW (parent), d);
  g_assert_true (haul_test_wait_until (is_mapped, details, WAIT_MS));
  g_assert_true (haul_details_window_present (GTK_WINDOW (parent), d) == details);

  g_assert_true (shows (GTK_WIDGET (details), "big.iso"));
  g_assert_true (shows (GTK_WIDGET (details), "Fetched in one stream."));
  g_assert_true (shows (GTK_WIDGET (details), "10.5\u00a0MB of 41.9\u00a0MB"));
  map = find_map (GTK_WIDGET (details));
  g_assert_nonnull (map);
  g_assert_cmpstr (haul_segment_map_get_summary (HAUL_SEGMENT_MAP (map)), ==, "25% written, 1 connection");

  /* While it runs, the timer follows it. */
  _haul_download_set_progress (d, 20 * 1024 * 1024, 40 * 1024 * 1024);
  g_assert_true (haul_test_wait_until (map_says, &(MapSays) { map, "50% written, 1 connection" }, WAIT_MS));

  /* Stopped: the timer too, and the change of state alone shows it. */
  _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_PAUSED);
  _haul_download_set_progress (d, 30 * 1024 * 1024, 40 * 1024 * 1024);
  g_assert_cmpstr (haul_segment_map_get_summary (HAUL_SEGMENT_MAP (map)), ==, "75% written");
  g_assert_true (shows (GTK_WIDGET (details), "Paused — 31.5\u00a0MB of 41.9\u00a0MB"));
  g_assert_true (shows (GTK_WIDGET (details), "No connection is open now."));
  g_assert_false (shows (GTK_WIDGET (details), "one stream"));

  /* No request context: no line. With one: counts and the referrer's
   * host, never a value. */
  g_assert_false (shows (GTK_WIDGET (details), "Sent with"));
  {
    g_autoptr(HaulRequestContext) ctx = haul_request_context_new ();
    g_autoptr(SoupCookie) cookie = soup_cookie_new ("sid", "DETAILSc00kie", "127.0.0.1", "/", -1);

    haul_request_context_add_cookie (ctx, cookie);
    g_assert_true (haul_request_context_set_referrer (ctx, "https://files.example.org/p?t=DETAILSref", NULL));
    g_assert_true (haul_request_context_add_header_line (ctx, "X-Token: DETAILSheader", NULL));
    g_assert_true (haul_download_set_request_context (d, ctx));
    g_assert_true (shows (GTK_WIDGET (details),
                          "Sent with every request: 1 cookie, referrer files.example.org, 1 extra header"));
    g_assert_false (shows (GTK_WIDGET (details), "DETAILS"));
  }

  gtk_window_destroy (GTK_WINDOW (parent));
}

/* A connection's line as the window writes it, with the project's formatter. */
static char *
range_text (gint64 start,
            gint64 end)
{
  g_autofree char *from = haul_format_size (start);
  g_autofree char *to = haul_format_size (end);

  return g_strdup_printf ("\n%s – %s\n", from, to);
}

static guint
count (GtkWidget  *widget,
       const char *needle)
{
  g_autofree char *text = haul_test_visible_text (widget);
  guint n = 0;

  for (const char *p = strstr (text, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static void
test_details_segments (void)
{
  g_autoptr(HaulDownload) d = downloading ("http://127.0.0.1:1/big.iso", 350, 1000);
  HaulSegmentClaim claim, second;
  g_autoptr(HaulSegments) table = table_with_claim (&claim);
  GtkWidget *parent = gtk_window_new ();
  HaulDetailsWindow *details;
  GtkWidget *map;
  gint64 accepted = 0;
  g_autofree char *first_line = range_text (250, 500);
  g_autofree char *second_line = range_text (600, 1000);
  g_autofree char *zero = haul_format_speed (0);
  g_autofree char *zero_speed = g_strdup_printf ("\n%s\n", zero);

  haul_segments_set_split (table, 10, 10);
  g_assert_true (haul_segments_claim (table, &second));
  _haul_download_set_live_segments (d, table);
  _haul_download_set_connections (d, 2);

  gtk_window_present (GTK_WINDOW (parent));
  details = haul_details_window_present (GTK_WINDOW (parent), d);
  g_assert_true (haul_test_wait_until (is_mapped, details, WAIT_MS));
  map = find_map (GTK_WIDGET (details));
  g_assert_cmpstr (haul_segment_map_get_summary (HAUL_SEGMENT_MAP (map)), ==, "35% written, 2 connections");
  g_assert_false (shows (GTK_WIDGET (details), "one stream"));
  /* One line per connection: its range and its speed (none moved yet). */
  g_assert_true (shows (GTK_WIDGET (details), first_line));
  g_assert_true (shows (GTK_WIDGET (details), second_line));
  g_assert_cmpuint (count (GTK_WIDGET (details), zero_speed), ==, 2);

  /* The first connection writes; the next refresh gives it a speed. */
  haul_segments_advance (table, claim.id, 100, &accepted);
  g_assert_cmpint (accepted, ==, 100);
  haul_test_spin (50);
  haul_details_window_refresh (details);
  g_assert_cmpstr (haul_segment_map_get_summary (HAUL_SEGMENT_MAP (map)), ==, "45% written, 2 connections");
  g_assert_cmpuint (count (GTK_WIDGET (details), zero_speed), ==, 1);

  /* Both end: the lines go. */
  haul_segments_release (table, claim.id);
  haul_segments_release (table, second.id);
  haul_details_window_refresh (details);
  g_assert_true (shows (GTK_WIDGET (details), "No connection is open now."));
  g_assert_false (shows (GTK_WIDGET (details), first_line));
  g_assert_cmpuint (count (GTK_WIDGET (details), zero_speed), ==, 0);

  gtk_window_destroy (GTK_WINDOW (parent));
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
  adw_init ();
  g_resources_register (haul_get_resource ());

  g_test_add_func ("/haul/ui/segment-map/layout", test_layout);
  g_test_add_func ("/haul/ui/segment-map/summary", test_summary);
  g_test_add_func ("/haul/ui/segment-map/row-connections", test_row_connections);
  g_test_add_func ("/haul/ui/segment-map/details-one-stream", test_details_one_stream);
  g_test_add_func ("/haul/ui/segment-map/details-segments", test_details_segments);

  return g_test_run ();
}
