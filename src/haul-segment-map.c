/* haul-segment-map.c — one file as a bar: its written, in-flight and missing bytes
 *
 * The details window feeds it a copy of a download's segment table
 * (haul_segments_snapshot(), taken by the caller: the widget never reads
 * the live table) and it draws the file from its first byte to its last:
 * written bytes in the accent colour, bytes a connection is fetching in a
 * striped lighter accent, missing bytes as the trough (the text colour at
 * low opacity, like HaulProgressLine), so it follows the dark style and
 * the accent colour. Its accessible description says how much is written
 * and by how many connections. Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-segment-map"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-segment-map.h"

#define BAR_HEIGHT     16
#define BAR_RADIUS     4
#define STRIPE_PERIOD  8.0

struct _HaulSegmentMap
{
  GtkWidget  parent_instance;

  GArray    *spans;          /* HaulSpan, a copy */
  gint64     total;
  guint      n_connections;
  char      *summary;
};

G_DEFINE_FINAL_TYPE (HaulSegmentMap, haul_segment_map, GTK_TYPE_WIDGET)

static void
append_rect (GArray       *rects,
             int           x,
             int           width,
             HaulSpanKind  kind)
{
  HaulMapRect *last = rects->len > 0 ? &g_array_index (rects, HaulMapRect, rects->len - 1) : NULL;
  HaulMapRect rect = { x, width, kind };

  if (last != NULL && last->kind == kind && last->x + last->width >= x)
    {
      last->width = MAX (last->x + last->width, x + width) - last->x;
      return;
    }
  g_array_append_val (rects, rect);
}

/**
 * haul_segment_map_layout:
 * @spans: (array length=n_spans): in file order, as haul_segments_snapshot() gives them
 * @total: the file's size in bytes
 * @width: the bar's width in pixels
 *
 * Where each span is drawn: edges rounded to whole pixels, neighbours of
 * one kind merged, and a span of written or in-flight bytes narrower than
 * a pixel still one pixel wide (a connection's start is never invisible).
 * A missing span that ends up with no pixel of its own is dropped.
 *
 * Returns: (transfer full) (element-type HaulMapRect): the rectangles, left to right
 */
GArray *
haul_segment_map_layout (const HaulSpan *spans,
                         gsize           n_spans,
                         gint64          total,
                         int             width)
{
  GArray *rects = g_array_new (FALSE, FALSE, sizeof (HaulMapRect));

  if (total <= 0 || width <= 0)
    return rects;

  for (gsize i = 0; i < n_spans; i++)
    {
      gint64 start = CLAMP (spans[i].start, 0, total);
      gint64 end = CLAMP (spans[i].end, start, total);
      int x0 = (int) ((double) start * width / total + 0.5);
      int x1 = (int) ((double) end * width / total + 0.5);

      if (end == start)
        continue;
      if (x1 <= x0)
        {
          if (spans[i].kind == HAUL_SPAN_MISSING)
            continue;
          x0 = MIN (x0, width - 1);
          x1 = x0 + 1;
        }
      append_rect (rects, x0, x1 - x0, spans[i].kind);
    }
  return rects;
}

static void
update_summary (HaulSegmentMap *self)
{
  g_autofree char *summary = NULL;
  gint64 written = 0;

  for (guint i = 0; i < self->spans->len; i++)
    {
      const HaulSpan *span = &g_array_index (self->spans, HaulSpan, i);

      if (span->kind == HAUL_SPAN_WRITTEN)
        written += span->end - span->start;
    }

  if (self->total <= 0)
    summary = g_strdup (_("Size unknown"));
  else if (self->n_connections == 0)
    /* Translators: what the segment map shows when no connection is open: "42% written" */
    summary = g_strdup_printf (_("%d%% written"), (int) (written * 100 / self->total));
  else
    {
      /* Whole percents, rounded down: 100 only when every byte is written. */
      int percent = (int) (written * 100 / self->total);

      /* Translators: what the segment map shows, read by a screen reader:
       * "42% written, 8 connections" */
      summary = g_strdup_printf (ngettext ("%d%% written, %u connection",
                                           "%d%% written, %u connections", self->n_connections),
                                 percent, self->n_connections);
    }

  if (g_strcmp0 (summary, self->summary) == 0)
    return;
  g_free (self->summary);
  self->summary = g_steal_pointer (&summary);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->summary, -1);
}

/**
 * haul_segment_map_set_spans:
 * @spans: (array length=n_spans): a snapshot of the table, in file order
 * @total: the file's size in bytes
 * @n_connections: how many connections fetch it now
 *
 * Shows a copy of @spans. Redraws; no relayout.
 */
void
haul_segment_map_set_spans (HaulSegmentMap *self,
                            const HaulSpan *spans,
                            gsize           n_spans,
                            gint64          total,
                            guint           n_connections)
{
  g_return_if_fail (HAUL_IS_SEGMENT_MAP (self));
  g_return_if_fail (spans != NULL || n_spans == 0);

  g_array_set_size (self->spans, 0);
  if (n_spans > 0)
    g_array_append_vals (self->spans, spans, n_spans);
  self->total = total;
  self->n_connections = n_connections;
  update_summary (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * haul_segment_map_set_progress:
 * @received: bytes fetched, from the first one
 * @total: the file's size, or -1 when unknown
 * @receiving: whether one connection fetches it now
 *
 * Shows a download fetched in one stream: written from the start up to
 * @received, missing after.
 */
void
haul_segment_map_set_progress (HaulSegmentMap *self,
                               gint64          received,
                               gint64          total,
                               gboolean        receiving)
{
  HaulSpan spans[2];
  gsize n = 0;

  g_return_if_fail (HAUL_IS_SEGMENT_MAP (self));

  if (total > 0)
    {
      received = CLAMP (received, 0, total);
      if (received > 0)
        spans[n++] = (HaulSpan) { 0, received, HAUL_SPAN_WRITTEN };
      if (received < total)
        spans[n++] = (HaulSpan) { received, total, HAUL_SPAN_MISSING };
    }
  haul_segment_map_set_spans (self, spans, n, total, receiving ? 1 : 0);
}

/**
 * haul_segment_map_get_summary:
 *
 * Returns: what the map shows in words ("42% written, 8 connections"),
 *   also its accessible description
 */
const char *
haul_segment_map_get_summary (HaulSegmentMap *self)
{
  g_return_val_if_fail (HAUL_IS_SEGMENT_MAP (self), NULL);
  return self->summary;
}

static void
haul_segment_map_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_VERTICAL)
    *minimum = *natural = BAR_HEIGHT;
  else
    {
      /* As wide as it is given: its natural width is a swatch's. */
      *minimum = *natural = 16;
    }
}

static void
append_in_flight (GtkSnapshot           *snapshot,
                  const graphene_rect_t *bounds,
                  const GdkRGBA         *accent)
{
  GdkRGBA light = *accent, lighter = *accent;
  GskColorStop stops[4];

  light.alpha *= 0.6;
  lighter.alpha *= 0.3;
  stops[0] = (GskColorStop) { 0.0, light };
  stops[1] = (GskColorStop) { 0.5, light };
  stops[2] = (GskColorStop) { 0.5, lighter };
  stops[3] = (GskColorStop) { 1.0, lighter };
  /* Diagonal stripes: the gradient repeats along a 45° line. */
  gtk_snapshot_append_repeating_linear_gradient (snapshot, bounds,
                                                 &GRAPHENE_POINT_INIT (0, 0),
                                                 &GRAPHENE_POINT_INIT (STRIPE_PERIOD / 2,
                                                                       STRIPE_PERIOD / 2),
                                                 stops, G_N_ELEMENTS (stops));
}

static void
haul_segment_map_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  HaulSegmentMap *self = HAUL_SEGMENT_MAP (widget);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GtkStyleContext *context = gtk_widget_get_style_context (widget);
  G_GNUC_END_IGNORE_DEPRECATIONS
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  g_autoptr(GArray) rects = NULL;
  GdkRGBA fg, accent;
  GskRoundedRect clip;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (context, &fg);
  if (!gtk_style_context_lookup_color (context, "accent_bg_color", &accent))
    accent = (GdkRGBA) { 0.21, 0.52, 0.89, 1.0 };
  G_GNUC_END_IGNORE_DEPRECATIONS
  fg.alpha *= 0.15;

  gsk_rounded_rect_init_from_rect (&clip, &GRAPHENE_RECT_INIT (0, 0, width, height), BAR_RADIUS);
  gtk_snapshot_push_rounded_clip (snapshot, &clip);
  gtk_snapshot_append_color (snapshot, &fg, &GRAPHENE_RECT_INIT (0, 0, width, height));

  rects = haul_segment_map_layout ((const HaulSpan *) self->spans->data, self->spans->len,
                                   self->total, width);
  for (guint i = 0; i < rects->len; i++)
    {
      const HaulMapRect *r = &g_array_index (rects, HaulMapRect, i);
      graphene_rect_t bounds = GRAPHENE_RECT_INIT (rtl ? width - r->x - r->width : r->x, 0,
                                                   r->width, height);

      if (r->kind == HAUL_SPAN_WRITTEN)
        gtk_snapshot_append_color (snapshot, &accent, &bounds);
      else if (r->kind == HAUL_SPAN_IN_FLIGHT)
        append_in_flight (snapshot, &bounds, &accent);
    }
  gtk_snapshot_pop (snapshot);
}

static void
haul_segment_map_finalize (GObject *object)
{
  HaulSegmentMap *self = HAUL_SEGMENT_MAP (object);

  g_array_unref (self->spans);
  g_free (self->summary);

  G_OBJECT_CLASS (haul_segment_map_parent_class)->finalize (object);
}

static void
haul_segment_map_class_init (HaulSegmentMapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = haul_segment_map_finalize;
  widget_class->measure = haul_segment_map_measure;
  widget_class->snapshot = haul_segment_map_snapshot;

  gtk_widget_class_set_css_name (widget_class, "haul-segment-map");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
haul_segment_map_init (HaulSegmentMap *self)
{
  self->spans = g_array_new (FALSE, FALSE, sizeof (HaulSpan));
  self->total = -1;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Parts of the file"), -1);
  update_summary (self);
}

GtkWidget *
haul_segment_map_new (void)
{
  return g_object_new (HAUL_TYPE_SEGMENT_MAP, NULL);
}
