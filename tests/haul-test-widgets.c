/* haul-test-widgets.c — helpers for tests that look at a real window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "haul-folders.h"
#include "haul-test-server.h"
#include "haul-test-widgets.h"
#include "haul-window.h"

static void
collect_labels (GtkWidget *widget,
                GString   *out)
{
  if (!gtk_widget_get_mapped (widget))
    return;
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, "%s\n", gtk_label_get_label (GTK_LABEL (widget)));
  else if (GTK_IS_INSCRIPTION (widget) && gtk_inscription_get_text (GTK_INSCRIPTION (widget)) != NULL)
    g_string_append_printf (out, "%s\n", gtk_inscription_get_text (GTK_INSCRIPTION (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_labels (child, out);
}

char *
haul_test_visible_text (GtkWidget *widget)
{
  GString *out = g_string_new (NULL);

  collect_labels (widget, out);
  return g_string_free (out, FALSE);
}

gboolean
haul_test_inscription_shows_whole (GtkInscription *inscription,
                                   const char     *text)
{
  GtkWidget *widget = GTK_WIDGET (inscription);
  g_autoptr(PangoLayout) layout = NULL;

  if (text == NULL)
    text = gtk_inscription_get_text (inscription);
  if (text == NULL || !gtk_widget_get_mapped (widget) || gtk_widget_get_width (widget) <= 0)
    return FALSE;
  layout = gtk_widget_create_pango_layout (widget, text);
  pango_layout_set_wrap (layout, gtk_inscription_get_wrap_mode (inscription));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_width (layout, gtk_widget_get_width (widget) * PANGO_SCALE);
  pango_layout_set_height (layout, gtk_widget_get_height (widget) * PANGO_SCALE);
  return !pango_layout_is_ellipsized (layout);
}

typedef struct
{
  GtkWidget  *widget;
  const char *needle;
} ShowsText;

static gboolean
shows_text (gpointer data)
{
  ShowsText *s = data;
  g_autofree char *text = haul_test_visible_text (s->widget);

  return strstr (text, s->needle) != NULL;
}

void
haul_test_assert_shows (GtkWidget  *widget,
                        const char *needle)
{
  ShowsText s = { widget, needle };

  if (!haul_test_wait_until (shows_text, &s, 20000))
    {
      g_autofree char *text = haul_test_visible_text (widget);

      g_error ("the window does not show “%s”; it shows:\n%s", needle, text);
    }
}

GtkListView *
haul_test_find_list_view (GtkWidget *widget)
{
  if (GTK_IS_LIST_VIEW (widget) && GTK_IS_MULTI_SELECTION (gtk_list_view_get_model (GTK_LIST_VIEW (widget))))
    return GTK_LIST_VIEW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkListView *found = haul_test_find_list_view (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWindow *
haul_test_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_mapped (GTK_WIDGET (w)))
        return w; /* still held by the list of toplevels */
    }
  return NULL;
}

gboolean
haul_test_toplevel_shown (gpointer type)
{
  return haul_test_find_toplevel (GPOINTER_TO_SIZE (type)) != NULL;
}

gboolean
haul_test_toplevel_gone (gpointer type)
{
  return haul_test_find_toplevel (GPOINTER_TO_SIZE (type)) == NULL;
}

GtkWindow *
haul_test_wait_toplevel (GType type)
{
  g_assert_true (haul_test_wait_until (haul_test_toplevel_shown, GSIZE_TO_POINTER (type), 20000));
  return haul_test_find_toplevel (type);
}

GtkWidget *
haul_test_find_button (GtkWidget  *widget,
                       const char *label)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget))
    {
      g_autofree char *text = haul_test_visible_text (widget);

      if (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0 ||
          (text != NULL && strstr (text, label) != NULL))
        return widget;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = haul_test_find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

void
haul_test_click (GtkWidget  *widget,
                 const char *label)
{
  GtkWidget *button = haul_test_find_button (widget, label);

  if (button == NULL)
    g_error ("no “%s” button", label);
  g_signal_emit_by_name (button, "clicked");
}

static gboolean
popover_shown (gpointer popover)
{
  return gtk_widget_get_mapped (popover);
}

char *
haul_test_row_menu_text (GtkWidget *row)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (row);
  GtkWidget *menu;
  char *text;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_CLICK (c) && gtk_gesture_single_get_button (GTK_GESTURE_SINGLE (c)) == GDK_BUTTON_SECONDARY)
        g_signal_emit_by_name (c, "pressed", 1, 40.0, 12.0);
    }
  menu = GTK_WIDGET (haul_download_row_get_context_menu (HAUL_DOWNLOAD_ROW (row)));
  g_assert_true (haul_test_wait_until (popover_shown, menu, 20000));
  haul_test_assert_shows (menu, "Remove from List");
  text = haul_test_visible_text (menu);
  gtk_popover_popdown (GTK_POPOVER (menu));
  haul_test_spin (100);
  return text;
}

gpointer
haul_test_template_child (gpointer    widget,
                          GType       type,
                          const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (object);
  return object;
}

void
haul_test_screenshot (const char *dir_env,
                      const char *name)
{
  const char *dir = g_getenv (dir_env);
  g_autofree char *file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) p = NULL;

  if (dir == NULL)
    return;
  file = g_strdup_printf ("%s/%s.png", dir, name);
  p = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "import", "-window", "root", file, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (p, NULL, &error));
}

void
haul_test_screenshot_at (GtkWindow  *window,
                         const char *dir_env,
                         const char *name,
                         int         width)
{
  g_autofree char *sized = NULL;

  if (g_getenv (dir_env) == NULL)
    return;
  gtk_window_set_default_size (window, width, 700);
  haul_test_spin (700);
  sized = g_strdup_printf ("%s-%d", name, width);
  haul_test_screenshot (dir_env, sized);
}

void
haul_test_screenshots (GtkWindow  *window,
                       const char *dir_env,
                       const char *name)
{
  if (g_getenv (dir_env) == NULL)
    return;
  haul_test_screenshot_at (window, dir_env, name, 1000);
  haul_test_screenshot_at (window, dir_env, name, 360);
  gtk_window_set_default_size (window, 1000, 700);
}

static void
run_body (gpointer data)
{
  HaulTestApp *f = data;

  f->window = GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
  g_assert_true (HAUL_IS_WINDOW (f->window));
  f->queue = haul_application_get_queue (f->app);
  g_assert_true (haul_test_wait_until ((HaulTestPredicate) gtk_widget_get_mapped, f->window, 20000));
  f->body (f);
  f->done = TRUE;
  g_application_quit (G_APPLICATION (f->app));
}

void
haul_test_run_in_app (HaulTestAppBody body)
{
  g_autoptr(HaulApplication) app = haul_application_new ();
  g_autoptr(HaulTestServer) server = haul_test_server_new ();
  HaulTestApp f = { 0 };
  char *argv[] = { (char *) "haul", NULL };

  f.app = app;
  f.server = server;
  f.body = body;
  f.dir = g_strdup (haul_folders_get_default ());
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_idle_add_once (run_body, &f);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, argv), ==, 0);
  g_assert_true (f.done);
  g_free (f.dir);
}

static void
collect_rows (GtkWidget *widget,
              GPtrArray *out)
{
  if (HAUL_IS_DOWNLOAD_ROW (widget) && gtk_widget_get_mapped (widget) &&
      haul_download_row_get_download (HAUL_DOWNLOAD_ROW (widget)) != NULL)
    g_ptr_array_add (out, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_rows (child, out);
}

HaulDownloadRow *
haul_test_find_row (GtkWidget    *window,
                    HaulDownload *download)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  collect_rows (window, rows);
  for (guint i = 0; i < rows->len; i++)
    if (haul_download_row_get_download (g_ptr_array_index (rows, i)) == download)
      return g_ptr_array_index (rows, i);
  return NULL;
}

guint
haul_test_count_rows (GtkWidget *window)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  collect_rows (window, rows);
  return rows->len;
}
