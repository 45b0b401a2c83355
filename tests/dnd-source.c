/* dnd-source.c — a drag source for test-dnd: a window that offers links
 *
 * `dnd-source URI…` shows an undecorated 300×200 window whose whole area
 * is a GtkDragSource offering the links as text/uri-list (CRLF-separated,
 * as browsers offer them). Once the window is mapped it prints
 * "READY <xid>" on standard output, so that the test can move it with
 * `xdotool windowmove` (there is no window manager under Xvfb: every
 * window starts at 0,0); then "BEGIN" when a drag starts, "ACTION <n>"
 * when the destination under the pointer accepts it (XdndStatus) with
 * action n (0 when it stops accepting), and "CANCEL <reason>" and
 * "END <deleted>" when it ends. It runs until its standard input
 * closes (the test ends, or dies: the helper must not outlive it, or it
 * would keep the test's output open).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gdk/x11/gdkx.h>
#include <glib-unix.h>
#include <gtk/gtk.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void
say (const char *line)
{
  g_print ("%s\n", line);
  fflush (stdout);
}

static void
selected_action_cb (GdkDrag    *drag,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  g_autofree char *line = g_strdup_printf ("ACTION %d", (int) gdk_drag_get_selected_action (drag));

  say (line);
}

static void
drag_begin_cb (GtkDragSource *source,
               GdkDrag       *drag,
               gpointer       user_data)
{
  say ("BEGIN");
  g_signal_connect (drag, "notify::selected-action", G_CALLBACK (selected_action_cb), NULL);
}

static gboolean
drag_cancel_cb (GtkDragSource       *source,
                GdkDrag             *drag,
                GdkDragCancelReason  reason,
                gpointer             user_data)
{
  g_autofree char *line = g_strdup_printf ("CANCEL %d", (int) reason);

  say (line);
  return FALSE;
}

static void
drag_end_cb (GtkDragSource *source,
             GdkDrag       *drag,
             gboolean       delete_data,
             gpointer       user_data)
{
  say (delete_data ? "END 1" : "END 0");
}

static gboolean
say_ready_cb (gpointer data)
{
  GtkWidget *window = data;
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  g_autofree char *line = NULL;

  if (!GDK_IS_X11_SURFACE (surface))
    {
      g_printerr ("dnd-source: not an X11 surface (set GDK_BACKEND=x11)\n");
      exit (1);
    }
  /* The map request has reached the server once this returns. */
  gdk_display_sync (gtk_widget_get_display (window));
  line = g_strdup_printf ("READY %lu", (gulong) gdk_x11_surface_get_xid (surface));
  say (line);
  return G_SOURCE_REMOVE;
}

static gboolean
stdin_cb (int          fd,
          GIOCondition condition,
          gpointer     user_data)
{
  char buf[64];

  if (read (fd, buf, sizeof buf) <= 0)
    exit (0);
  return G_SOURCE_CONTINUE;
}

static void
map_cb (GtkWidget *window,
        gpointer   user_data)
{
  g_idle_add (say_ready_cb, window);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GString) list = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkContentProvider) content = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  GtkDragSource *source;
  GtkWidget *window;

  if (argc < 2)
    {
      g_printerr ("usage: %s URI…\n", argv[0]);
      return 2;
    }
  gtk_init ();

  for (int i = 1; i < argc; i++)
    g_string_append_printf (list, "%s\r\n", argv[i]);
  bytes = g_string_free_to_bytes (g_steal_pointer (&list));
  content = gdk_content_provider_new_for_bytes ("text/uri-list", bytes);

  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), "dnd-source");
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_resizable (GTK_WINDOW (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), 300, 200);
  gtk_widget_set_size_request (window, 300, 200);
  gtk_window_set_child (GTK_WINDOW (window), gtk_label_new ("Drag these links"));

  source = gtk_drag_source_new ();
  gtk_drag_source_set_actions (source, GDK_ACTION_COPY);
  gtk_drag_source_set_content (source, content);
  g_signal_connect (source, "drag-begin", G_CALLBACK (drag_begin_cb), NULL);
  g_signal_connect (source, "drag-cancel", G_CALLBACK (drag_cancel_cb), NULL);
  g_signal_connect (source, "drag-end", G_CALLBACK (drag_end_cb), NULL);
  gtk_widget_add_controller (window, GTK_EVENT_CONTROLLER (source));

  g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_cb, NULL);
  g_signal_connect (window, "map", G_CALLBACK (map_cb), NULL);
  gtk_window_present (GTK_WINDOW (window));

  loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (loop);
  return 0;
}
