/* haul-progress-line.c — a thin progress bar that only ever redraws
 *
 * GtkProgressBar re-allocates itself on every new fraction, and in GTK 4.8
 * on X11 every frame with a layout pass asks the X server for the monitor's
 * work area: with ten updates a second in many rows, that is a round trip
 * to the X server per frame. This bar has a fixed size and draws the
 * fraction in its snapshot, so a new fraction costs a redraw and nothing
 * else. It is drawn with the theme's colours (the accent colour on a trough
 * of the text colour at low opacity), so it follows the dark style.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-progress-line"

#include "config.h"

#include "haul-progress-line.h"

#define LINE_HEIGHT  4
#define PULSE_WIDTH  0.2

struct _HaulProgressLine
{
  GtkWidget parent_instance;

  double    fraction;
  double    pulse;     /* < 0: not pulsing; else the pulse block's start */
};

G_DEFINE_FINAL_TYPE (HaulProgressLine, haul_progress_line, GTK_TYPE_WIDGET)

static void
haul_progress_line_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  *minimum = *natural = orientation == GTK_ORIENTATION_VERTICAL ? LINE_HEIGHT : 24;
}

static void
haul_progress_line_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  HaulProgressLine *self = HAUL_PROGRESS_LINE (widget);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GtkStyleContext *context = gtk_widget_get_style_context (widget);
  G_GNUC_END_IGNORE_DEPRECATIONS
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA fg, accent;
  GskRoundedRect clip;
  double start, end;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (context, &fg);
  if (!gtk_style_context_lookup_color (context, "accent_bg_color", &accent))
    accent = (GdkRGBA) { 0.21, 0.52, 0.89, 1.0 };
  G_GNUC_END_IGNORE_DEPRECATIONS
  fg.alpha *= 0.15;

  gsk_rounded_rect_init_from_rect (&clip, &GRAPHENE_RECT_INIT (0, 0, width, height), height / 2.0);
  gtk_snapshot_push_rounded_clip (snapshot, &clip);
  gtk_snapshot_append_color (snapshot, &fg, &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (self->pulse >= 0)
    {
      start = self->pulse;
      end = MIN (self->pulse + PULSE_WIDTH, 1.0);
    }
  else
    {
      start = 0;
      end = self->fraction;
    }
  if (gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL)
    {
      double tmp = 1.0 - end;

      end = 1.0 - start;
      start = tmp;
    }
  if (end > start)
    gtk_snapshot_append_color (snapshot, &accent,
                               &GRAPHENE_RECT_INIT (start * width, 0, (end - start) * width, height));
  gtk_snapshot_pop (snapshot);
}

/**
 * haul_progress_line_set_fraction:
 * @fraction: from 0 to 1
 *
 * Shows @fraction (and stops pulsing). Redraws only.
 */
void
haul_progress_line_set_fraction (HaulProgressLine *self,
                                 double            fraction)
{
  g_return_if_fail (HAUL_IS_PROGRESS_LINE (self));

  fraction = CLAMP (fraction, 0.0, 1.0);
  if (fraction == self->fraction && self->pulse < 0)
    return;
  self->fraction = fraction;
  self->pulse = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_NOW, fraction * 100.0, -1);
}

double
haul_progress_line_get_fraction (HaulProgressLine *self)
{
  g_return_val_if_fail (HAUL_IS_PROGRESS_LINE (self), 0.0);
  return self->fraction;
}

/**
 * haul_progress_line_pulse:
 *
 * Moves a block along the line: activity of unknown length.
 */
void
haul_progress_line_pulse (HaulProgressLine *self)
{
  g_return_if_fail (HAUL_IS_PROGRESS_LINE (self));

  self->pulse = self->pulse < 0 ? 0 : self->pulse + 0.1;
  if (self->pulse >= 1.0)
    self->pulse = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
haul_progress_line_class_init (HaulProgressLineClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->measure = haul_progress_line_measure;
  widget_class->snapshot = haul_progress_line_snapshot;
  gtk_widget_class_set_css_name (widget_class, "haul-progress-line");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_PROGRESS_BAR);
}

static void
haul_progress_line_init (HaulProgressLine *self)
{
  self->pulse = -1;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MIN, 0.0,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MAX, 100.0,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_NOW, 0.0,
                                  -1);
}

GtkWidget *
haul_progress_line_new (void)
{
  return g_object_new (HAUL_TYPE_PROGRESS_LINE, NULL);
}
