/* haul-details-window.c — one download's details: its segment map and connections
 *
 * Opened from a row ("Details" in its menu) or with Alt+Return on the
 * selection. Shows the file as a HaulSegmentMap and, below it, one line
 * per connection: the range it fetches and its speed, computed from how
 * far its position moved between two refreshes (keyed by the segment's
 * id). A download fetched in one stream says so and shows its received
 * bytes on the same bar.
 *
 * Main thread only. The segment table is shared with the download's
 * connections (haul-segments.h): a refresh copies it out with
 * haul_segments_snapshot() and haul_segments_copy_active(), each one short
 * hold of the table's mutex, never across any work of ours. The refresh
 * timer runs only while the window is mapped and the download is active;
 * otherwise the window follows HaulDownload::changed, which is rare then.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-details-window"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-details-window.h"
#include "haul-format.h"
#include "haul-segment-map.h"

#define REFRESH_MS 400

typedef struct
{
  gint64   position;
  gint64   time;     /* monotonic, µs */
  gdouble  speed;    /* bytes per second; < 0 until two samples */
} Sample;

struct _HaulDetailsWindow
{
  AdwWindow       parent_instance;

  /* Template widgets */
  AdwWindowTitle *window_title;
  GtkLabel       *status_label;
  GtkLabel       *context_label;
  HaulSegmentMap *map;
  HaulSegmentMap *written_swatch;
  HaulSegmentMap *in_flight_swatch;
  HaulSegmentMap *missing_swatch;
  GtkGrid        *connections_grid;
  GtkLabel       *connections_label;

  /* Owned references */
  HaulDownload   *download;
  GHashTable     *samples;     /* segment id → Sample */

  gulong          changed_handler;
  guint           refresh_source;
  guint           n_lines;     /* rows in connections_grid */
};

G_DEFINE_FINAL_TYPE (HaulDetailsWindow, haul_details_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_DOWNLOAD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
is_active (HaulDownload *download)
{
  HaulDownloadState state = haul_download_get_state (download);

  return state == HAUL_DOWNLOAD_STATE_CONNECTING || state == HAUL_DOWNLOAD_STATE_DOWNLOADING;
}

/* ------------------------------------------------------------------ */
/* The connections, one line each */

static void
set_line (HaulDetailsWindow      *self,
          guint                   row,
          const HaulSegmentState *state,
          const Sample           *sample)
{
  GtkLabel *range = GTK_LABEL (gtk_grid_get_child_at (self->connections_grid, 0, row));
  GtkLabel *speed = GTK_LABEL (gtk_grid_get_child_at (self->connections_grid, 1, row));
  g_autofree char *from = haul_format_size (state->start);
  g_autofree char *to = haul_format_size (state->end);
  g_autofree char *range_text = NULL;
  g_autofree char *speed_text = NULL;

  if (state->twin)
    /* Translators: a connection's range of the file, fetched a second
     * time to finish sooner: "36.0 MB – 40.0 MB, again" */
    range_text = g_strdup_printf (_("%s – %s, again"), from, to);
  else
    /* Translators: a connection's range of the file: "12.0 MB – 24.0 MB" */
    range_text = g_strdup_printf (_("%s – %s"), from, to);
  speed_text = sample->speed >= 0 ? haul_format_speed (sample->speed) : g_strdup ("—");

  gtk_label_set_label (range, range_text);
  gtk_label_set_label (speed, speed_text);
}

static void
set_n_lines (HaulDetailsWindow *self,
             guint              n)
{
  for (; self->n_lines < n; self->n_lines++)
    {
      GtkWidget *range = gtk_label_new (NULL);
      GtkWidget *speed = gtk_label_new (NULL);

      gtk_label_set_xalign (GTK_LABEL (range), 0);
      gtk_label_set_ellipsize (GTK_LABEL (range), PANGO_ELLIPSIZE_END);
      gtk_widget_set_hexpand (range, TRUE);
      gtk_label_set_xalign (GTK_LABEL (speed), 1);
      gtk_widget_add_css_class (range, "numeric");
      gtk_widget_add_css_class (speed, "numeric");
      gtk_widget_add_css_class (speed, "dim-label");
      gtk_grid_attach (self->connections_grid, range, 0, self->n_lines, 1, 1);
      gtk_grid_attach (self->connections_grid, speed, 1, self->n_lines, 1, 1);
    }
  for (; self->n_lines > n; self->n_lines--)
    gtk_grid_remove_row (self->connections_grid, self->n_lines - 1);
}

/* Speeds from how far each connection moved since the last refresh,
 * smoothed a little; connections that ended are forgotten. */
static void
update_connections (HaulDetailsWindow      *self,
                    const HaulSegmentState *active,
                    gsize                   n_active)
{
  g_autoptr(GHashTable) samples = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  gint64 now = g_get_monotonic_time ();

  set_n_lines (self, n_active);
  for (gsize i = 0; i < n_active; i++)
    {
      const Sample *old = g_hash_table_lookup (self->samples, GUINT_TO_POINTER (active[i].id));
      Sample *sample = g_new (Sample, 1);

      *sample = (Sample) { active[i].position, now, -1 };
      if (old != NULL && now > old->time)
        {
          gdouble speed = MAX (0, active[i].position - old->position) * (gdouble) G_USEC_PER_SEC /
                          (now - old->time);

          sample->speed = old->speed >= 0 ? 0.5 * old->speed + 0.5 * speed : speed;
        }
      else if (old != NULL)
        *sample = *old;
      g_hash_table_insert (samples, GUINT_TO_POINTER (active[i].id), sample);
      set_line (self, i, &active[i], sample);
    }
  g_hash_table_unref (self->samples);
  self->samples = g_steal_pointer (&samples);
}

/**
 * haul_details_window_refresh:
 *
 * Copies the download's segment table (or its received bytes) into the
 * map and the connection lines. The timer calls it; tests may too.
 */
void
haul_details_window_refresh (HaulDetailsWindow *self)
{
  HaulDownload *d = self->download;
  HaulSegments *segments = haul_download_get_segments (d);
  const char *sentence = NULL;

  if (segments != NULL)
    {
      gsize n_spans = 0, n_active = 0;
      g_autofree HaulSpan *spans = haul_segments_snapshot (segments, &n_spans);
      g_autofree HaulSegmentState *active = haul_segments_copy_active (segments, &n_active);

      haul_segment_map_set_spans (self->map, spans, n_spans, haul_segments_get_total (segments),
                                  n_active);
      update_connections (self, active, n_active);
      if (n_active == 0)
        sentence = _("No connection is open now.");
    }
  else
    {
      gboolean receiving = haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_DOWNLOADING;

      haul_segment_map_set_progress (self->map, haul_download_get_received (d),
                                     haul_download_get_total (d), receiving);
      update_connections (self, NULL, 0);
      /* A finished download may have been fetched in parts: only say
       * "one stream" while it is being fetched. */
      sentence = is_active (d) ? _("Fetched in one stream.") : _("No connection is open now.");
    }

  gtk_widget_set_visible (GTK_WIDGET (self->connections_grid), sentence == NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->connections_label), sentence != NULL);
  if (sentence != NULL)
    gtk_label_set_label (self->connections_label, sentence);
}

/* ------------------------------------------------------------------ */
/* When to refresh */

static gboolean
refresh_cb (gpointer user_data)
{
  haul_details_window_refresh (user_data);
  return G_SOURCE_CONTINUE;
}

static void
update_timer (HaulDetailsWindow *self)
{
  gboolean wanted = self->download != NULL && is_active (self->download) &&
                    gtk_widget_get_mapped (GTK_WIDGET (self));

  if (wanted && self->refresh_source == 0)
    {
      self->refresh_source = g_timeout_add (REFRESH_MS, refresh_cb, self);
      g_source_set_name_by_id (self->refresh_source, "[haul] details refresh");
    }
  else if (!wanted)
    g_clear_handle_id (&self->refresh_source, g_source_remove);
}

static void
update_status (HaulDetailsWindow *self)
{
  HaulDownload *d = self->download;
  HaulDownloadState state = haul_download_get_state (d);
  const char *name = haul_download_get_filename (d);
  g_autofree char *progress = NULL;
  g_autofree char *text = NULL;

  adw_window_title_set_title (self->window_title, name != NULL ? name : haul_download_get_uri (d));
  if (state == HAUL_DOWNLOAD_STATE_DOWNLOADING)
    text = haul_format_progress (haul_download_get_received (d), haul_download_get_total (d),
                                 haul_download_get_speed (d), haul_download_get_eta (d));
  else if (haul_download_get_received (d) > 0)
    {
      progress = haul_format_progress (haul_download_get_received (d), haul_download_get_total (d),
                                       0, -1);
      /* Translators: a state and the progress, "Paused — 12.3 MB of 40 MB" */
      text = g_strdup_printf (_("%s — %s"), haul_download_state_to_string (state), progress);
    }
  else
    text = g_strdup (haul_download_state_to_string (state));
  if (g_strcmp0 (gtk_label_get_label (self->status_label), text) != 0)
    gtk_label_set_label (self->status_label, text);
}

/* What every request carries, as counts and the referrer's host: never a
 * cookie or header value. */
static void
update_context (HaulDetailsWindow *self)
{
  g_autofree char *summary = haul_request_context_describe (haul_download_get_request_context (self->download));
  g_autofree char *text = NULL;

  if (summary != NULL)
    /* Translators: "Sent with every request: 3 cookies, referrer example.org, 2 extra headers" */
    text = g_strdup_printf (_("Sent with every request: %s"), summary);
  gtk_label_set_label (self->context_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->context_label), text != NULL);
}

/* Once per batch of notifications: the text, the timer, and while no
 * timer runs, the map (an attempt that ended shows where it stopped). */
static void
download_changed_cb (HaulDetailsWindow *self,
                     HaulDownload      *download)
{
  update_status (self);
  update_timer (self);
  if (self->refresh_source == 0)
    haul_details_window_refresh (self);
}

static void
haul_details_window_map (GtkWidget *widget)
{
  HaulDetailsWindow *self = HAUL_DETAILS_WINDOW (widget);

  GTK_WIDGET_CLASS (haul_details_window_parent_class)->map (widget);
  haul_details_window_refresh (self);
  update_timer (self);
}

static void
haul_details_window_unmap (GtkWidget *widget)
{
  HaulDetailsWindow *self = HAUL_DETAILS_WINDOW (widget);

  GTK_WIDGET_CLASS (haul_details_window_parent_class)->unmap (widget);
  update_timer (self);
}

/* ------------------------------------------------------------------ */

static void
set_swatch (HaulSegmentMap *swatch,
            HaulSpanKind    kind)
{
  HaulSpan span = { 0, 1, kind };

  haul_segment_map_set_spans (swatch, &span, 1, 1, 0);
}

static void
haul_details_window_constructed (GObject *object)
{
  HaulDetailsWindow *self = HAUL_DETAILS_WINDOW (object);

  G_OBJECT_CLASS (haul_details_window_parent_class)->constructed (object);

  g_return_if_fail (HAUL_IS_DOWNLOAD (self->download));
  self->changed_handler = g_signal_connect_object (self->download, "changed",
                                                   G_CALLBACK (download_changed_cb), self,
                                                   G_CONNECT_SWAPPED);
  g_signal_connect_object (self->download, "notify::request-context", G_CALLBACK (update_context), self,
                           G_CONNECT_SWAPPED);
  update_status (self);
  update_context (self);
  haul_details_window_refresh (self);
}

static void
haul_details_window_dispose (GObject *object)
{
  HaulDetailsWindow *self = HAUL_DETAILS_WINDOW (object);

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->download != NULL)
    g_clear_signal_handler (&self->changed_handler, self->download);
  g_clear_object (&self->download);
  g_clear_pointer (&self->samples, g_hash_table_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), HAUL_TYPE_DETAILS_WINDOW);

  G_OBJECT_CLASS (haul_details_window_parent_class)->dispose (object);
}

static void
haul_details_window_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  HaulDetailsWindow *self = HAUL_DETAILS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DOWNLOAD:
      g_value_set_object (value, self->download);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haul_details_window_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  HaulDetailsWindow *self = HAUL_DETAILS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DOWNLOAD:
      self->download = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haul_details_window_class_init (HaulDetailsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = haul_details_window_constructed;
  object_class->dispose = haul_details_window_dispose;
  object_class->get_property = haul_details_window_get_property;
  object_class->set_property = haul_details_window_set_property;
  widget_class->map = haul_details_window_map;
  widget_class->unmap = haul_details_window_unmap;

  properties[PROP_DOWNLOAD] =
    g_param_spec_object ("download", NULL, NULL,
                         HAUL_TYPE_DOWNLOAD,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (HAUL_TYPE_SEGMENT_MAP);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/haulapp/Haul/haul-details-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HaulDetailsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, HaulDetailsWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, HaulDetailsWindow, context_label);
  gtk_widget_class_bind_template_child (widget_class, HaulDetailsWindow, map);
  gtk_widget_class_bind_template_child (widget_class, HaulDetailsWindow, written_swatch);
  gtk_widget_class_bind_template_child (widget_class, HaulDetailsWindow, in_flight_swatch);
  gtk_widget_class_bind_template_child (widget_class, HaulDetailsWindow, missing_swatch);
  gtk_widget_class_bind_template_child (widget_class, HaulDetailsWindow, connections_grid);
  gtk_widget_class_bind_template_child (widget_class, HaulDetailsWindow, connections_label);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
haul_details_window_init (HaulDetailsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->samples = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  set_swatch (self->written_swatch, HAUL_SPAN_WRITTEN);
  set_swatch (self->in_flight_swatch, HAUL_SPAN_IN_FLIGHT);
  set_swatch (self->missing_swatch, HAUL_SPAN_MISSING);
}

HaulDownload *
haul_details_window_get_download (HaulDetailsWindow *self)
{
  g_return_val_if_fail (HAUL_IS_DETAILS_WINDOW (self), NULL);
  return self->download;
}

/**
 * haul_details_window_present:
 * @parent: the main window
 * @download: the download to show
 *
 * Presents @download's details window, the one already open if any.
 *
 * Returns: (transfer none): the window; it is destroyed when closed
 */
HaulDetailsWindow *
haul_details_window_present (GtkWindow    *parent,
                             HaulDownload *download)
{
  g_autoptr(GListModel) toplevels = NULL;
  HaulDetailsWindow *self = NULL;

  g_return_val_if_fail (GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (download), NULL);

  toplevels = g_object_ref (gtk_window_get_toplevels ());
  for (guint i = 0; self == NULL && i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (HAUL_IS_DETAILS_WINDOW (window) && HAUL_DETAILS_WINDOW (window)->download == download)
        self = HAUL_DETAILS_WINDOW (window);
    }
  if (self == NULL)
    self = g_object_new (HAUL_TYPE_DETAILS_WINDOW,
                         "transient-for", parent,
                         "application", gtk_window_get_application (parent),
                         "download", download,
                         NULL);
  gtk_window_present (GTK_WINDOW (self));
  return self;
}
