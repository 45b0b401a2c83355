/* haul-status-lines.c — a row's status: one line where it fits, two where not
 *
 * A download's status has a main part ("12.3 MB of 40 MB", or "Failed —
 * why"), a rate ("18 MB/s — 2 minutes left") and an extra
 * ("8 connections"). Where the first inscription's natural width fits, all
 * of it is one line: "main — rate · extra". On a narrow row the rate gets a
 * line of its own under "main · extra", and a status without a rate (an
 * error) wraps over two lines, or three when it needs them; the full text
 * stays in the row's tooltip.
 *
 * Cheap on purpose, like the inscriptions it holds. Its height is not
 * asked for each width (height-for-width makes GTK measure a row a dozen
 * times per layout): it is the number of lines its last allocated width
 * needs. When an allocation changes that number (the window crossed the
 * width where one line fits), the widget asks to be measured again, from
 * an idle, so the next frame has the new height; it cannot loop, since a
 * row's height never changes its width. New progress text costs a redraw
 * and never a relayout; a status without a rate (a state, an error) is
 * laid out once when its text changes, where narrow, to see whether it
 * needs a third line. The texts are composed for the chosen layout when
 * they change and when an allocation changes the layout (setting an
 * inscription's text only queues a draw).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-status-lines"

#include "config.h"

#include "haul-status-lines.h"

struct _HaulStatusLines
{
  GtkWidget       parent_instance;

  GtkInscription *first;
  GtkInscription *second;

  char           *main;
  char           *rate;
  char           *extra;
  gboolean        two_lines;  /* as last allocated */
  int             width;      /* last allocated, -1 before */
  int             n_lines;    /* what it asks for */
  guint           resize_source;
};

#define MAX_LINES 3

G_DEFINE_FINAL_TYPE (HaulStatusLines, haul_status_lines, GTK_TYPE_WIDGET)

/* One line needs the first inscription's natural width (its nat-chars). */
static int
one_line_width (HaulStatusLines *self)
{
  int nat = 0;

  gtk_widget_measure (GTK_WIDGET (self->first), GTK_ORIENTATION_HORIZONTAL, -1, NULL, &nat, NULL, NULL);
  return nat;
}

static int
line_height (GtkInscription *inscription)
{
  int min = 0;

  gtk_widget_measure (GTK_WIDGET (inscription), GTK_ORIENTATION_VERTICAL, -1, &min, NULL, NULL, NULL);
  return min;
}

static void
set_text (GtkInscription *inscription,
          const char     *text)
{
  if (g_strcmp0 (gtk_inscription_get_text (inscription), text) != 0)
    gtk_inscription_set_text (inscription, text);
}

static void
compose (HaulStatusLines *self)
{
  g_autoptr(GString) first = g_string_new (self->main);

  if (!self->two_lines && self->rate != NULL)
    g_string_append_printf (first, " — %s", self->rate);
  if (self->extra != NULL)
    g_string_append_printf (first, " · %s", self->extra);
  set_text (self->first, first->str);
  set_text (self->second, self->two_lines ? self->rate : NULL);
}

/* Lines a narrow status without a rate takes at @width: two, or three
 * when its text needs them. */
static int
lines_without_rate (HaulStatusLines *self,
                    int              width)
{
  const char *text = gtk_inscription_get_text (self->first);
  g_autoptr(PangoLayout) layout = NULL;

  if (text == NULL || width <= 0)
    return 2;
  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self->first), text);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_width (layout, width * PANGO_SCALE);
  return CLAMP (pango_layout_get_line_count (layout), 2, MAX_LINES);
}

static int
n_lines_at (HaulStatusLines *self,
            int              width)
{
  if (width < 0 || width >= one_line_width (self))
    return 1;
  if (self->rate != NULL)
    return 2;
  return lines_without_rate (self, width);
}

static void
resize_cb (gpointer data)
{
  HaulStatusLines *self = data;

  self->resize_source = 0;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/* @later: from an allocation, where a resize must wait for the next frame. */
static void
update_lines (HaulStatusLines *self,
              gboolean         later)
{
  int n = n_lines_at (self, self->width);

  if (n == self->n_lines)
    return;
  self->n_lines = n;
  if (!later)
    gtk_widget_queue_resize (GTK_WIDGET (self));
  else if (self->resize_source == 0)
    self->resize_source = g_idle_add_once (resize_cb, self);
}

static void
haul_status_lines_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  HaulStatusLines *self = HAUL_STATUS_LINES (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 0;
      *natural = one_line_width (self);
      return;
    }
  *minimum = *natural = line_height (self->first) * self->n_lines;
}

static void
haul_status_lines_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  HaulStatusLines *self = HAUL_STATUS_LINES (widget);
  gboolean two_lines = width < one_line_width (self);
  int line = line_height (self->first);

  if (two_lines != self->two_lines)
    {
      self->two_lines = two_lines;
      compose (self);
    }
  if (width != self->width)
    {
      self->width = width;
      update_lines (self, TRUE);
    }

  if (two_lines && self->rate != NULL)
    {
      gtk_widget_size_allocate (GTK_WIDGET (self->first), &(GtkAllocation) { 0, 0, width, line }, -1);
      gtk_widget_size_allocate (GTK_WIDGET (self->second),
                                &(GtkAllocation) { 0, line, width, MAX (height - line, 0) }, -1);
    }
  else
    {
      /* One text over the whole height: it wraps where there are two lines. */
      gtk_widget_size_allocate (GTK_WIDGET (self->first), &(GtkAllocation) { 0, 0, width, height }, -1);
      gtk_widget_size_allocate (GTK_WIDGET (self->second),
                                &(GtkAllocation) { width, 0, 0, line_height (self->second) }, -1);
    }
}

static void
haul_status_lines_dispose (GObject *object)
{
  HaulStatusLines *self = HAUL_STATUS_LINES (object);

  g_clear_handle_id (&self->resize_source, g_source_remove);
  g_clear_pointer ((GtkWidget **) &self->first, gtk_widget_unparent);
  g_clear_pointer ((GtkWidget **) &self->second, gtk_widget_unparent);

  G_OBJECT_CLASS (haul_status_lines_parent_class)->dispose (object);
}

static void
haul_status_lines_finalize (GObject *object)
{
  HaulStatusLines *self = HAUL_STATUS_LINES (object);

  g_free (self->main);
  g_free (self->rate);
  g_free (self->extra);

  G_OBJECT_CLASS (haul_status_lines_parent_class)->finalize (object);
}

static void
haul_status_lines_class_init (HaulStatusLinesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = haul_status_lines_dispose;
  object_class->finalize = haul_status_lines_finalize;
  widget_class->measure = haul_status_lines_measure;
  widget_class->size_allocate = haul_status_lines_size_allocate;

  gtk_widget_class_set_css_name (widget_class, "haul-status-lines");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static GtkInscription *
add_inscription (HaulStatusLines *self,
                 guint            nat_chars)
{
  GtkWidget *inscription = g_object_new (GTK_TYPE_INSCRIPTION,
                                         "xalign", 0.0f,
                                         "yalign", 0.0f,
                                         "min-chars", 0,
                                         "nat-chars", nat_chars,
                                         "text-overflow", GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END,
                                         NULL);

  gtk_widget_set_parent (inscription, GTK_WIDGET (self));
  return GTK_INSCRIPTION (inscription);
}

static void
haul_status_lines_init (HaulStatusLines *self)
{
  /* The one-line form of a download's status, "157.3 MB of 999.9 MB —
   * 12.3 MB/s — 2 h 05 min left · 8 connections", fits 60 characters. */
  self->first = add_inscription (self, 60);
  self->second = add_inscription (self, 30);
  self->width = -1;
  self->n_lines = 1;
}

GtkWidget *
haul_status_lines_new (void)
{
  return g_object_new (HAUL_TYPE_STATUS_LINES, NULL);
}

static gboolean
set_str (char       **field,
         const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/**
 * haul_status_lines_set_text:
 * @main: the state or the amount, shown first
 * @rate: (nullable): speed and time left, on a line of its own when narrow
 * @extra: (nullable): a detail after @main, the first to be cut
 */
void
haul_status_lines_set_text (HaulStatusLines *self,
                            const char      *main,
                            const char      *rate,
                            const char      *extra)
{
  gboolean changed, had_rate;

  g_return_if_fail (HAUL_IS_STATUS_LINES (self));

  had_rate = self->rate != NULL;
  changed = set_str (&self->main, main);
  changed |= set_str (&self->rate, rate);
  changed |= set_str (&self->extra, extra);
  if (!changed)
    return;
  compose (self);
  /* Lines follow a rate coming or going, and a narrow error's length. */
  update_lines (self, FALSE);
  /* Two lines with a rate split the height, without one the text takes
   * it all: the children move even when the height stays. */
  if (had_rate != (rate != NULL))
    gtk_widget_queue_allocate (GTK_WIDGET (self));
}

/* Tests: whether the last allocation made two lines. */
gboolean
haul_status_lines_get_two_lines (HaulStatusLines *self)
{
  g_return_val_if_fail (HAUL_IS_STATUS_LINES (self), FALSE);

  return self->two_lines;
}
