/* haul-test-widgets.c — helpers for tests that look at a real window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "haul-test-server.h"
#include "haul-test-widgets.h"

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
