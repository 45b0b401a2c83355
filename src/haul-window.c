/* haul-window.c — the main window
 *
 * A list of the queue with a progress bar per row. Rows bind to
 * HaulDownload properties; only visible rows exist, so a long queue costs
 * nothing, and nothing here ever waits on disk or network.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-window"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-format.h"
#include "haul-window.h"

struct _HaulWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwWindowTitle       *window_title;
  GtkStack             *stack;
  GtkListView          *list_view;

  /* Owned references */
  HaulQueue            *queue;
};

G_DEFINE_FINAL_TYPE (HaulWindow, haul_window, ADW_TYPE_APPLICATION_WINDOW)

typedef struct
{
  GtkLabel       *name;
  GtkProgressBar *bar;
  GtkLabel       *status;
  HaulDownload   *download;
  gulong          handler;
} Row;

static void
row_update (HaulDownload *d,
            GParamSpec   *pspec,
            Row          *row)
{
  HaulDownloadState state = haul_download_get_state (d);
  g_autofree char *text = NULL;
  const char *name = haul_download_get_filename (d);

  gtk_label_set_label (row->name, name ? name : haul_download_get_uri (d));
  gtk_progress_bar_set_fraction (row->bar, haul_download_get_fraction (d));

  if (state == HAUL_DOWNLOAD_STATE_DOWNLOADING)
    text = haul_format_progress (haul_download_get_received (d), haul_download_get_total (d),
                                 haul_download_get_speed (d), haul_download_get_eta (d));
  else if (haul_download_get_error (d) != NULL)
    text = g_strdup_printf ("%s — %s", haul_download_state_to_string (state), haul_download_get_error (d));
  else
    text = g_strdup (haul_download_state_to_string (state));
  gtk_label_set_label (row->status, text);
}

static void
row_free (gpointer data)
{
  g_free (data);
}

static void
factory_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  Row *row = g_new0 (Row, 1);

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);

  row->name = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (row->name, 0);
  gtk_label_set_ellipsize (row->name, PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (GTK_WIDGET (row->name), "heading");
  row->bar = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  row->status = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (row->status, 0);
  gtk_label_set_ellipsize (row->status, PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (GTK_WIDGET (row->status), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (row->status), "caption");

  gtk_box_append (GTK_BOX (box), GTK_WIDGET (row->name));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (row->bar));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (row->status));
  gtk_list_item_set_child (item, box);
  g_object_set_data_full (G_OBJECT (item), "haul-row", row, row_free);
}

static void
factory_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  Row *row = g_object_get_data (G_OBJECT (item), "haul-row");
  HaulDownload *d = gtk_list_item_get_item (item);

  row->download = d;
  row->handler = g_signal_connect (d, "notify", G_CALLBACK (row_update), row);
  row_update (d, NULL, row);
}

static void
factory_unbind (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  Row *row = g_object_get_data (G_OBJECT (item), "haul-row");

  g_clear_signal_handler (&row->handler, row->download);
  row->download = NULL;
}

static void
update_summary (HaulWindow *self)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->queue));
  guint n_active = haul_queue_get_n_active (self->queue);
  g_autofree char *subtitle = NULL;

  gtk_stack_set_visible_child_name (self->stack, n_items > 0 ? "list" : "empty");

  if (n_active > 0)
    {
      g_autofree char *speed = haul_format_speed (haul_queue_get_speed (self->queue));

      /* Translators: "3 active · 18 MB/s" */
      subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u active · %s", "%u active · %s", n_active),
                                  n_active, speed);
    }
  adw_window_title_set_subtitle (self->window_title, subtitle ? subtitle : "");
}

/* Completed downloads leave the list (and the saved list); their files stay. */
static void
clear_finished_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  HaulWindow *self = HAUL_WINDOW (widget);

  haul_queue_clear_finished (self->queue);
}

static void
update_clear_action (HaulWindow *self)
{
  gboolean any = FALSE;

  for (guint i = 0; !any && i < g_list_model_get_n_items (G_LIST_MODEL (self->queue)); i++)
    any = haul_download_get_state (haul_queue_get_download (self->queue, i)) == HAUL_DOWNLOAD_STATE_COMPLETED;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.clear-finished", any);
}

static void
haul_window_dispose (GObject *object)
{
  HaulWindow *self = HAUL_WINDOW (object);

  if (self->queue != NULL)
    g_signal_handlers_disconnect_by_data (self->queue, self);
  g_clear_object (&self->queue);
  gtk_widget_dispose_template (GTK_WIDGET (self), HAUL_TYPE_WINDOW);

  G_OBJECT_CLASS (haul_window_parent_class)->dispose (object);
}

static void
haul_window_class_init (HaulWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = haul_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/haulapp/Haul/haul-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, list_view);

  gtk_widget_class_install_action (widget_class, "win.clear-finished", NULL, clear_finished_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.clear-finished", NULL);
}

static void
haul_window_init (HaulWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

HaulWindow *
haul_window_new (HaulApplication *application)
{
  HaulWindow *self = g_object_new (HAUL_TYPE_WINDOW, "application", application, NULL);
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkSelectionModel *selection;

  self->queue = g_object_ref (haul_application_get_queue (application));

  g_signal_connect (factory, "setup", G_CALLBACK (factory_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (factory_bind), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (factory_unbind), self);
  selection = GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->queue))));
  gtk_list_view_set_model (self->list_view, selection);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (selection);

  g_signal_connect_swapped (self->queue, "items-changed", G_CALLBACK (update_summary), self);
  g_signal_connect_swapped (self->queue, "notify::n-active", G_CALLBACK (update_summary), self);
  g_signal_connect_swapped (self->queue, "notify::speed", G_CALLBACK (update_summary), self);
  /* Not on every speed update: this looks at the whole list. */
  g_signal_connect_swapped (self->queue, "items-changed", G_CALLBACK (update_clear_action), self);
  g_signal_connect_swapped (self->queue, "download-finished", G_CALLBACK (update_clear_action), self);
  update_clear_action (self);
  update_summary (self);

  return self;
}
