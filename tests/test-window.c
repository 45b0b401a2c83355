/* test-window.c — the real window under Xvfb and a D-Bus session
 *
 * Every test runs the real HaulApplication in this process (its own
 * instance, no saved list) against the in-process HTTP server, drives the
 * window through its actions, widgets and real key presses (xdotool), and
 * checks the queue, the bytes on disk and what the window shows. A fake
 * desktop on the session bus (notification server and session manager, in
 * a thread of their own) records what the app asks of the desktop.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "haul-add-dialog.h"
#include "haul-application.h"
#include "haul-details-window.h"
#include "haul-download-row.h"
#include "haul-folders.h"
#include "haul-format.h"
#include "haul-progress-line.h"
#include "haul-preferences-window.h"
#include "haul-status-lines.h"
#include "haul-store.h"
#include "haul-test-desktop.h"
#include "haul-test-queue.h"
#include "haul-test-server.h"
#include "haul-test-widgets.h"
#include "haul-window.h"

#define WAIT_MS 20000

/* ------------------------------------------------------------------ */
/* The window's widgets */

static GtkWidget *
find_widget_of_type (GtkWidget *widget,
                     GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget_of_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The window's own stack: the one with a "no-results" page. */
static GtkStack *
find_page_stack (GtkWidget *widget)
{
  if (GTK_IS_STACK (widget) && gtk_stack_get_child_by_name (GTK_STACK (widget), "no-results") != NULL)
    return GTK_STACK (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkStack *found = find_page_stack (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The @label button of the toast (or any smallest part of the window)
 * that shows @text: not another toast's, still fading out. */
static GtkWidget *
find_button_beside (GtkWidget  *widget,
                    const char *text,
                    const char *label)
{
  g_autofree char *shown = NULL;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button_beside (child, text, label);

      if (found != NULL)
        return found;
    }
  shown = haul_test_visible_text (widget);
  return strstr (shown, text) != NULL ? haul_test_find_button (widget, label) : NULL;
}

/* ------------------------------------------------------------------ */
/* Running a test inside the real application */

typedef HaulTestApp Fixture;

static char *
serve (Fixture    *f,
       const char *path,
       gsize       size,
       gint64      rate,
       GBytes    **content)
{
  g_autoptr(GBytes) bytes = haul_test_content (size, g_str_hash (path));

  haul_test_server_add_file (f->server, path, bytes, &(HaulTestFileOptions) { .rate = rate });
  if (content != NULL)
    *content = g_bytes_ref (bytes);
  return haul_test_server_uri (f->server, path);
}

typedef struct
{
  HaulQueue *queue;
  guint      n;
} QueueCount;

static gboolean
queue_has_n (gpointer data)
{
  QueueCount *c = data;

  return g_list_model_get_n_items (G_LIST_MODEL (c->queue)) == c->n;
}

static void
wait_n_items (Fixture *f,
              guint    n)
{
  QueueCount c = { f->queue, n };

  if (!haul_test_wait_until (queue_has_n, &c, WAIT_MS))
    g_error ("the list has %u downloads, not %u", g_list_model_get_n_items (G_LIST_MODEL (f->queue)), n);
}

static HaulDownload *
find (Fixture    *f,
      const char *uri)
{
  HaulDownload *d = haul_queue_find_by_uri (f->queue, uri);

  if (d == NULL)
    g_error ("%s is not in the list", uri);
  return d;
}

typedef struct
{
  HaulDownload      *download;
  HaulDownloadState  state;
} StateIs;

static gboolean
state_is (gpointer data)
{
  StateIs *s = data;

  return haul_download_get_state (s->download) == s->state;
}

static void
wait_state (HaulDownload      *d,
            HaulDownloadState  state)
{
  StateIs s = { d, state };

  if (!haul_test_wait_until (state_is, &s, WAIT_MS))
    g_error ("%s is %s, not %s", haul_download_get_uri (d),
             haul_download_state_to_string (haul_download_get_state (d)),
             haul_download_state_to_string (state));
}

/* The window enables its list-wide actions at most ten times a second
 * after states change (a person cannot click faster than that). */
static void
settle_actions (void)
{
  haul_test_spin (300);
}

/* Real key presses through the X server (XTEST), as a person types them. */
static void
press_keys (GtkWidget  *window,
            const char *keys)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) p = NULL;
  g_autofree char *x = NULL, *y = NULL;
  HaulTestAsync w = { 0 };
  int width = gtk_widget_get_width (window), height = gtk_widget_get_height (window);

  /* No window manager: keyboard focus follows the pointer. Not over the
   * toasts at the bottom, which would stay while hovered. (No --sync: it
   * waits for a motion that never comes when the pointer is there already.) */
  x = g_strdup_printf ("%d", width / 2);
  y = g_strdup_printf ("%d", height / 3);
  p = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "xdotool", "mousemove", x, y,
                        "key", "--clearmodifiers", keys, NULL);
  if (p == NULL)
    g_error ("xdotool is needed for the keyboard tests (build-aux/debian-packages.txt): %s", error->message);
  g_subprocess_wait_check_async (p, NULL, haul_test_async_cb, &w);
  g_assert_true (g_subprocess_wait_check_finish (p, haul_test_async_wait (&w), &error));
  g_assert_no_error (error);
  g_clear_object (&w.result);
  haul_test_spin (100);
}

/* ------------------------------------------------------------------ */
/* Tests */

static void
body_empty_state (Fixture *f)
{
  GtkStack *stack = find_page_stack (f->window);

  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "empty");
  haul_test_assert_shows (f->window, "No Downloads");
  haul_test_assert_shows (f->window, "Drop links");
  /* The invitation's button adds links. */
  g_assert_nonnull (haul_test_find_button (f->window, "Add Downloads…"));
  g_assert_true (gtk_widget_activate_action (f->window, "win.add", NULL));
  g_assert_true (haul_test_wait_until (haul_test_toplevel_shown, GSIZE_TO_POINTER (HAUL_TYPE_ADD_DIALOG), WAIT_MS));
  gtk_window_close (haul_test_find_toplevel (HAUL_TYPE_ADD_DIALOG));
}

static void
test_empty_state (void)
{
  haul_test_run_in_app (body_empty_state);
}

static void
body_add_dialog (Fixture *f)
{
  g_autoptr(GBytes) a = NULL, b = NULL;
  g_autofree char *ua = serve (f, "/dialog-a.bin", 64 * 1024, 0, &a);
  g_autofree char *ub = serve (f, "/dialog-b.bin", 96 * 1024, 0, &b);
  g_autofree char *text = g_strdup_printf ("%s\n\n%s\n", ua, ub);
  HaulAddDialog *dialog;

  g_assert_true (gtk_widget_activate_action (f->window, "win.add", NULL));
  g_assert_true (haul_test_wait_until (haul_test_toplevel_shown, GSIZE_TO_POINTER (HAUL_TYPE_ADD_DIALOG), WAIT_MS));
  dialog = HAUL_ADD_DIALOG (haul_test_find_toplevel (HAUL_TYPE_ADD_DIALOG));
  haul_add_dialog_set_text (dialog, text);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.add", NULL));

  wait_n_items (f, 2);
  haul_test_wait_finished (find (f, ua));
  haul_test_wait_finished (find (f, ub));
  haul_test_assert_completed_with (find (f, ua), a);
  haul_test_assert_completed_with (find (f, ub), b);
  haul_test_assert_shows (f->window, "Added 2 downloads");
  haul_test_assert_shows (f->window, "dialog-a.bin");
  g_assert_null (haul_test_find_toplevel (HAUL_TYPE_ADD_DIALOG));
}

static void
test_add_dialog (void)
{
  haul_test_run_in_app (body_add_dialog);
}

static void
body_paste (Fixture *f)
{
  g_autofree char *ua = serve (f, "/paste-a.bin", 32 * 1024, 0, NULL);
  g_autofree char *ub = serve (f, "/paste-b.bin", 32 * 1024, 0, NULL);
  g_autofree char *text = g_strdup_printf ("# my links\r\n%s %s\r\nftp://old.example.org/x\r\n%s\r\n", ua, ub, ua);

  /* Through the action… */
  gdk_clipboard_set_text (gtk_widget_get_clipboard (f->window), text);
  g_assert_true (gtk_widget_activate_action (f->window, "win.paste", NULL));
  wait_n_items (f, 2);
  haul_test_assert_shows (f->window, "Added 2 downloads · 1 already in the list · 1 not a valid link");

  /* …and with Ctrl+V typed on the window: the same links again are
   * duplicates, a new one is added. */
  {
    g_autofree char *uc = serve (f, "/paste-c.bin", 32 * 1024, 0, NULL);
    g_autofree char *again = g_strdup_printf ("%s\n%s\n", ua, uc);

    gdk_clipboard_set_text (gtk_widget_get_clipboard (f->window), again);
    press_keys (f->window, "ctrl+v");
    wait_n_items (f, 3);
    haul_test_wait_finished (find (f, uc));
    haul_test_assert_shows (f->window, "Added 1 download · 1 already in the list");
  }

  /* A clipboard with nothing useful says so; its words are not bad links. */
  gdk_clipboard_set_text (gtk_widget_get_clipboard (f->window), "hello world");
  g_assert_true (gtk_widget_activate_action (f->window, "win.paste", NULL));
  haul_test_assert_shows (f->window, "No links were added");
  {
    g_autofree char *shown = haul_test_visible_text (f->window);

    g_assert_null (strstr (shown, "not valid"));
  }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->queue)), ==, 3);
}

static void
test_paste (void)
{
  haul_test_run_in_app (body_paste);
}

static void
drop_string (Fixture    *f,
             const char *text)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, text);
  g_assert_true (haul_window_drop_value (HAUL_WINDOW (f->window), &value));
}

static void
drop_files (Fixture  *f,
            GFile   **files,
            guint     n)
{
  g_auto(GValue) value = G_VALUE_INIT;
  GSList *list = NULL;

  for (guint i = n; i > 0; i--)
    list = g_slist_prepend (list, files[i - 1]);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (list));
  g_slist_free (list);
  g_assert_true (haul_window_drop_value (HAUL_WINDOW (f->window), &value));
}

static char *
write_file (Fixture    *f,
            const char *name,
            const char *contents,
            gssize      length)
{
  g_autofree char *dir = g_build_filename (g_get_home_dir (), "lists", NULL);
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (dir, 0755);
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  return path;
}

static void
body_drop (Fixture *f)
{
  g_autofree char *u1 = serve (f, "/drop-1.bin", 16 * 1024, 0, NULL);
  g_autofree char *u2 = serve (f, "/drop-2.bin", 16 * 1024, 0, NULL);
  g_autofree char *u3 = serve (f, "/drop-3.bin", 16 * 1024, 0, NULL);
  g_autofree char *u4 = serve (f, "/drop-4.bin", 16 * 1024, 0, NULL);
  g_autofree char *u5 = serve (f, "/drop-5.bin", 16 * 1024, 0, NULL);
  g_autofree char *u6 = serve (f, "/drop-6.bin", 16 * 1024, 0, NULL);
  g_autofree char *u7 = serve (f, "/drop-7.bin", 16 * 1024, 0, NULL);

  /* text/uri-list from a browser: CRLF, comments. */
  {
    g_autofree char *uri_list = g_strdup_printf ("#dragged\r\n%s\r\n", u1);

    drop_string (f, uri_list);
    wait_n_items (f, 1);
    haul_test_assert_shows (f->window, "Added 1 download");
  }

  /* Text with links in it: prose, punctuation and quotes around them. */
  {
    g_autofree char *text = g_strdup_printf ("see %s,\tand\n“%s”.", u2, u3);
    g_autofree char *shown = NULL;

    drop_string (f, text);
    wait_n_items (f, 3);
    haul_test_assert_shows (f->window, "Added 2 downloads");
    shown = haul_test_visible_text (f->window);
    g_assert_null (strstr (shown, "not valid"));
  }

  /* A link dragged as a file list (how GTK delivers text/uri-list). */
  {
    g_autoptr(GFile) link = g_file_new_for_uri (u4);
    GFile *files[] = { link };

    drop_files (f, files, 1);
    wait_n_items (f, 4);
  }

  /* Two files of links at once, one of them with a duplicate. */
  {
    g_autofree char *c1 = g_strdup_printf ("%s\n%s\n", u5, u6);
    g_autofree char *c2 = g_strdup_printf ("%s\n%s\n", u6, u7);
    g_autofree char *p1 = write_file (f, "one.txt", c1, -1);
    g_autofree char *p2 = write_file (f, "two.list", c2, -1);
    g_autoptr(GFile) f1 = g_file_new_for_path (p1);
    g_autoptr(GFile) f2 = g_file_new_for_path (p2);
    GFile *files[] = { f1, f2 };

    drop_files (f, files, 2);
    wait_n_items (f, 7);
    haul_test_assert_shows (f->window, "Added 3 downloads · 1 already in the list");
  }

  /* A file that is not a list of links, and a folder: clear messages,
   * nothing added. */
  {
    static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    g_autofree char *pb = write_file (f, "photo.png", png, sizeof png);
    g_autoptr(GFile) binary = g_file_new_for_path (pb);
    g_autoptr(GFile) folder = g_file_new_for_path (g_get_home_dir ());
    GFile *files[] = { binary, folder };

    drop_files (f, files, 2);
    haul_test_assert_shows (f->window, "“photo.png” is not a list of links: it is not a text file");
    haul_test_assert_shows (f->window, "is a folder, not a list of links");
    haul_test_spin (200);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->queue)), ==, 7);
  }

  /* Each download has its row. */
  g_assert_cmpuint (haul_test_count_rows (f->window), ==, 7);

  for (guint i = 1; i <= 7; i++)
    {
      g_autofree char *path = g_strdup_printf ("/drop-%u.bin", i);
      g_autofree char *uri = haul_test_server_uri (f->server, path);

      haul_test_wait_finished (find (f, uri));
      g_assert_cmpint (haul_download_get_state (find (f, uri)), ==, HAUL_DOWNLOAD_STATE_COMPLETED);
    }
}

static void
test_drop (void)
{
  haul_test_run_in_app (body_drop);
}

static HaulAddDialog *
open_add_dialog (Fixture *f)
{
  g_assert_true (gtk_widget_activate_action (f->window, "win.add", NULL));
  g_assert_true (haul_test_wait_until (haul_test_toplevel_shown, GSIZE_TO_POINTER (HAUL_TYPE_ADD_DIALOG), WAIT_MS));
  return HAUL_ADD_DIALOG (haul_test_find_toplevel (HAUL_TYPE_ADD_DIALOG));
}

static const char *
subtitle_of_folder_row (HaulAddDialog *dialog)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (gtk_widget_get_template_child (GTK_WIDGET (dialog),
                                                                                     HAUL_TYPE_ADD_DIALOG,
                                                                                     "folder_row")));
}

/* Without an XDG download folder, downloads go to ~/Downloads (made when
 * first needed), not $HOME. A folder chosen in the Add dialog is offered
 * again and used for the next paste and drop, until Preferences names
 * another. */
static void
body_remembered_folder (Fixture *f)
{
  GSettings *settings = haul_application_get_settings (f->app);
  const char *downloads = haul_folders_get_default ();
  g_autofree char *downloads_expected = g_build_filename (g_get_home_dir (), "Downloads", NULL);
  g_autofree char *chosen = g_build_filename (g_get_home_dir (), "Projects", "iso", NULL);
  g_autofree char *prefs = g_build_filename (g_get_home_dir (), "Prefs", NULL);
  g_autofree char *u1 = serve (f, "/remember-1.bin", 8 * 1024, 0, NULL);
  g_autofree char *u2 = serve (f, "/remember-2.bin", 8 * 1024, 0, NULL);
  g_autofree char *u3 = serve (f, "/remember-3.bin", 8 * 1024, 0, NULL);
  g_autofree char *u4 = serve (f, "/remember-4.bin", 8 * 1024, 0, NULL);
  g_autofree char *u5 = serve (f, "/remember-5.bin", 8 * 1024, 0, NULL);
  g_autofree char *text = NULL;
  HaulAddDialog *dialog;

  g_assert_nonnull (settings);
  g_assert_cmpstr (downloads, ==, downloads_expected);
  haul_test_rm_rf (downloads);
  g_mkdir_with_parents (chosen, 0755);
  g_mkdir_with_parents (prefs, 0755);

  /* A paste: ~/Downloads is created for it. */
  gdk_clipboard_set_text (gtk_widget_get_clipboard (f->window), u1);
  g_assert_true (gtk_widget_activate_action (f->window, "win.paste", NULL));
  wait_n_items (f, 1);
  haul_test_wait_finished (find (f, u1));
  g_assert_cmpstr (haul_download_get_directory (find (f, u1)), ==, downloads);
  g_assert_true (g_file_test (downloads, G_FILE_TEST_IS_DIR));

  /* The Add dialog offers it by name; another folder is chosen there. */
  dialog = open_add_dialog (f);
  g_assert_cmpstr (haul_add_dialog_get_folder (dialog), ==, downloads);
  g_assert_cmpstr (subtitle_of_folder_row (dialog), ==, "Downloads");
  haul_add_dialog_set_folder (dialog, chosen);
  g_assert_cmpstr (subtitle_of_folder_row (dialog), ==, "~/Projects/iso");
  haul_add_dialog_set_text (dialog, u2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.add", NULL));
  wait_n_items (f, 2);
  haul_test_wait_finished (find (f, u2));
  g_assert_cmpstr (haul_download_get_directory (find (f, u2)), ==, chosen);
  {
    g_autofree char *last = g_settings_get_string (settings, "last-folder");

    g_assert_cmpstr (last, ==, chosen);
  }

  /* The next drop goes there too, and the next Add offers it. */
  drop_string (f, u3);
  wait_n_items (f, 3);
  haul_test_wait_finished (find (f, u3));
  g_assert_cmpstr (haul_download_get_directory (find (f, u3)), ==, chosen);
  dialog = open_add_dialog (f);
  g_assert_cmpstr (haul_add_dialog_get_folder (dialog), ==, chosen);
  g_assert_cmpstr (subtitle_of_folder_row (dialog), ==, "~/Projects/iso");
  text = g_strdup_printf ("and this one: <%s>.", u4);
  haul_add_dialog_set_text (dialog, text);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.add", NULL));
  wait_n_items (f, 4);
  haul_test_wait_finished (find (f, u4));
  g_assert_cmpstr (haul_download_get_directory (find (f, u4)), ==, chosen);

  /* A folder chosen in Preferences replaces the remembered one. */
  g_settings_set_string (settings, "download-folder", prefs);
  {
    g_autofree char *last = g_settings_get_string (settings, "last-folder");

    g_assert_cmpstr (last, ==, "");
  }
  drop_string (f, u5);
  wait_n_items (f, 5);
  haul_test_wait_finished (find (f, u5));
  g_assert_cmpstr (haul_download_get_directory (find (f, u5)), ==, prefs);
  g_settings_reset (settings, "download-folder");
  g_settings_reset (settings, "last-folder");
}

static void
test_remembered_folder (void)
{
  haul_test_run_in_app (body_remembered_folder);
}

/* With LANGUAGE=de the window speaks German, plurals included (the
 * translations come from the build tree, bound in main()). */
static void
body_german (Fixture *f)
{
  g_autofree char *a = serve (f, "/de-a.bin", 32 * 1024, 0, NULL);
  g_autofree char *b = serve (f, "/de-b.bin", 32 * 1024, 0, NULL);
  g_autofree char *c = serve (f, "/de-c.bin", 32 * 1024, 0, NULL);
  g_autofree char *three = g_strdup_printf ("%s\n%s\n%s\n", a, b, c);

  haul_test_assert_shows (f->window, "Keine Downloads");
  haul_test_assert_shows (f->window, "Links oder eine Datei mit einer Liste von Links hierher ziehen oder mit Strg+V einfügen");

  gdk_clipboard_set_text (gtk_widget_get_clipboard (f->window), a);
  g_assert_true (gtk_widget_activate_action (f->window, "win.paste", NULL));
  haul_test_assert_shows (f->window, "1 Download hinzugefügt");

  gdk_clipboard_set_text (gtk_widget_get_clipboard (f->window), three);
  g_assert_true (gtk_widget_activate_action (f->window, "win.paste", NULL));
  haul_test_assert_shows (f->window, "2 Downloads hinzugefügt · 1 bereits in der Liste");

  wait_n_items (f, 3);
  haul_test_wait_finished (find (f, a));
  haul_test_wait_finished (find (f, b));
  haul_test_wait_finished (find (f, c));
  haul_test_assert_shows (f->window, "Abgeschlossen —");
}

static void
test_german (void)
{
  if (g_test_subprocess ())
    {
      haul_test_run_in_app (body_german);
      return;
    }
  /* A process of its own, started with LANGUAGE=de, as a person's session would. */
  g_setenv ("LANGUAGE", "de", TRUE);
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_setenv ("LANGUAGE", "", TRUE);
  g_test_trap_assert_passed ();
}

/* Undo in the toast takes the added downloads back out. */
static void
body_undo (Fixture *f)
{
  g_autofree char *u1 = serve (f, "/undo-1.bin", 4 * 1024 * 1024, 64 * 1024, NULL);
  g_autofree char *u2 = serve (f, "/undo-2.bin", 4 * 1024 * 1024, 64 * 1024, NULL);
  g_autofree char *text = g_strdup_printf ("%s\n%s\n", u1, u2);
  GtkWidget *undo;

  drop_string (f, text);
  wait_n_items (f, 2);
  haul_test_assert_shows (f->window, "Added 2 downloads");
  undo = find_button_beside (f->window, "Added 2 downloads", "Undo");
  g_assert_nonnull (undo);
  /* Not while the toast still slides in, as no person could: libadwaita
   * 1.2.2 crashes later (adw_animation_skip() on a freed toast) when a
   * toast is dismissed during its show animation. */
  haul_test_spin (400);
  g_signal_emit_by_name (undo, "clicked");
  wait_n_items (f, 0);
  haul_test_assert_shows (f->window, "No Downloads");

  /* A long list joins in slices (rows are built a screenful per frame):
   * all of it arrives, once, and Undo takes all of it back. */
  {
    g_autoptr(GString) many = g_string_new (NULL);

    g_settings_set_int (haul_application_get_settings (f->app), "max-active", 1);
    for (guint i = 0; i < 1500; i++)
      g_string_append_printf (many, "http://127.0.0.1:9/list/%04u.bin\n", i);
    drop_string (f, many->str);
    wait_n_items (f, 1500);
    haul_test_assert_shows (f->window, "Added 1500 downloads");
    g_assert_nonnull (haul_queue_find_by_uri (f->queue, "http://127.0.0.1:9/list/0000.bin"));
    g_assert_nonnull (haul_queue_find_by_uri (f->queue, "http://127.0.0.1:9/list/1499.bin"));
    haul_test_spin (400);
    g_signal_emit_by_name (find_button_beside (f->window, "Added 1500 downloads", "Undo"), "clicked");
    wait_n_items (f, 0);
    g_settings_reset (haul_application_get_settings (f->app), "max-active");
  }
}

static void
test_undo (void)
{
  haul_test_run_in_app (body_undo);
}

/* Whether @row shows a button for @action. */
static gboolean
button_shown (GtkWidget  *row,
              const char *action)
{
  for (GtkWidget *w = gtk_widget_get_first_child (row); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      if (GTK_IS_BUTTON (w) && gtk_widget_get_visible (w) &&
          g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (w)), action) == 0)
        return TRUE;
      if (button_shown (w, action))
        return TRUE;
    }
  return FALSE;
}

/* Pause, resume, cancel, retry, remove from the row's own actions, and the
 * row shows the buttons that fit. */
static void
body_row_actions (Fixture *f)
{
  g_autoptr(GBytes) content = NULL;
  g_autofree char *uri = serve (f, "/row.bin", 1024 * 1024, 256 * 1024, &content);
  HaulDownload *d;
  GtkWidget *row;

  drop_string (f, uri);
  wait_n_items (f, 1);
  d = find (f, uri);
  wait_state (d, HAUL_DOWNLOAD_STATE_DOWNLOADING);
  haul_test_spin (300);
  row = GTK_WIDGET (haul_test_find_row (f->window, d));
  g_assert_nonnull (row);
  haul_test_assert_shows (row, "row.bin");
  haul_test_assert_shows (row, " of 1.0\u00a0MB — ");  /* sizes keep their unit on the same line */
  g_assert_true (button_shown (row, "row.pause"));
  g_assert_false (button_shown (row, "row.resume"));

  g_assert_true (gtk_widget_activate_action (row, "row.pause", NULL));
  wait_state (d, HAUL_DOWNLOAD_STATE_PAUSED);
  g_assert_true (button_shown (row, "row.resume"));
  g_assert_false (button_shown (row, "row.pause"));
  haul_test_assert_shows (row, "Paused");

  g_assert_true (gtk_widget_activate_action (row, "row.resume", NULL));
  wait_state (d, HAUL_DOWNLOAD_STATE_DOWNLOADING);

  /* Details: its window, once however often it is asked for. */
  g_assert_true (gtk_widget_activate_action (row, "row.details", NULL));
  g_assert_true (haul_test_wait_until (haul_test_toplevel_shown, GSIZE_TO_POINTER (HAUL_TYPE_DETAILS_WINDOW), WAIT_MS));
  g_assert_true (gtk_widget_activate_action (row, "row.details", NULL));
  g_assert_true (haul_details_window_get_download (HAUL_DETAILS_WINDOW (haul_test_find_toplevel (HAUL_TYPE_DETAILS_WINDOW))) == d);
  haul_test_assert_shows (GTK_WIDGET (haul_test_find_toplevel (HAUL_TYPE_DETAILS_WINDOW)), "row.bin");
  gtk_window_close (haul_test_find_toplevel (HAUL_TYPE_DETAILS_WINDOW));

  g_assert_true (gtk_widget_activate_action (row, "row.cancel", NULL));
  wait_state (d, HAUL_DOWNLOAD_STATE_CANCELLED);
  g_assert_true (button_shown (row, "row.retry"));
  haul_test_assert_shows (row, "Cancelled");

  g_assert_true (gtk_widget_activate_action (row, "row.retry", NULL));
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);
  g_assert_true (button_shown (row, "row.open"));
  haul_test_assert_shows (row, "Completed — 1.0\u00a0MB");

  /* Copy Link puts the link on the clipboard. */
  g_assert_true (gtk_widget_activate_action (row, "row.copy-link", NULL));
  {
    GdkContentProvider *content_provider = gdk_clipboard_get_content (gtk_widget_get_clipboard (f->window));
    g_auto(GValue) value = G_VALUE_INIT;

    g_value_init (&value, G_TYPE_STRING);
    g_assert_nonnull (content_provider);
    g_assert_true (gdk_content_provider_get_value (content_provider, &value, NULL));
    g_assert_cmpstr (g_value_get_string (&value), ==, uri);
  }

  /* A completed file stays on disk when its row goes. */
  {
    g_autofree char *path = haul_download_dup_path (d);

    g_assert_true (gtk_widget_activate_action (row, "row.remove", NULL));
    wait_n_items (f, 0);
    g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  }
}

static void
test_row_actions (void)
{
  haul_test_run_in_app (body_row_actions);
}

static void
select_only (Fixture      *f,
             HaulDownload *d)
{
  GtkListView *list = haul_test_find_list_view (f->window);
  GtkSelectionModel *model = gtk_list_view_get_model (list);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (model)); i++)
    {
      g_autoptr(HaulDownload) item = g_list_model_get_item (G_LIST_MODEL (model), i);

      if (item == d)
        {
          g_assert_true (gtk_selection_model_select_item (model, i, TRUE));
          gtk_widget_grab_focus (GTK_WIDGET (list));
          return;
        }
    }
  g_error ("%s is not shown", haul_download_get_uri (d));
}

/* The keyboard: Space pauses and resumes, Delete removes, Ctrl+F searches,
 * Ctrl+N opens the Add dialog; and the same actions on a multi-selection. */
static void
body_keyboard (Fixture *f)
{
  g_autofree char *ua = serve (f, "/key-a.bin", 16 * 1024 * 1024, 64 * 1024, NULL);
  g_autofree char *ub = serve (f, "/key-b.bin", 16 * 1024 * 1024, 64 * 1024, NULL);
  g_autofree char *uc = serve (f, "/key-c.bin", 16 * 1024 * 1024, 64 * 1024, NULL);
  g_autofree char *text = g_strdup_printf ("%s %s %s", ua, ub, uc);
  HaulDownload *a, *b, *c;
  GtkSelectionModel *model;

  drop_string (f, text);
  wait_n_items (f, 3);
  a = find (f, ua);
  b = find (f, ub);
  c = find (f, uc);
  wait_state (a, HAUL_DOWNLOAD_STATE_DOWNLOADING);

  select_only (f, a);
  press_keys (f->window, "space");
  wait_state (a, HAUL_DOWNLOAD_STATE_PAUSED);
  press_keys (f->window, "space");
  wait_state (a, HAUL_DOWNLOAD_STATE_DOWNLOADING);

  /* All three selected (Ctrl+A), paused together from the selection bar's action. */
  gtk_widget_grab_focus (GTK_WIDGET (haul_test_find_list_view (f->window)));
  press_keys (f->window, "ctrl+a");
  model = gtk_list_view_get_model (haul_test_find_list_view (f->window));
  g_assert_cmpuint (gtk_bitset_get_size (gtk_selection_model_get_selection (model)), ==, 3);
  haul_test_assert_shows (f->window, "3 selected");
  g_assert_true (gtk_widget_activate_action (f->window, "win.pause-selected", NULL));
  wait_state (a, HAUL_DOWNLOAD_STATE_PAUSED);
  wait_state (b, HAUL_DOWNLOAD_STATE_PAUSED);
  wait_state (c, HAUL_DOWNLOAD_STATE_PAUSED);
  settle_actions ();
  g_assert_true (gtk_widget_activate_action (f->window, "win.resume-selected", NULL));
  wait_state (c, HAUL_DOWNLOAD_STATE_DOWNLOADING);

  /* Delete removes the selection only. */
  select_only (f, b);
  press_keys (f->window, "Delete");
  wait_n_items (f, 2);
  g_assert_null (haul_queue_find_by_uri (f->queue, ub));
  haul_test_assert_shows (f->window, "Removed 1 download from the list");

  /* Alt+Return shows the selected download's details. */
  select_only (f, a);
  press_keys (f->window, "alt+Return");
  g_assert_true (haul_test_wait_until (haul_test_toplevel_shown, GSIZE_TO_POINTER (HAUL_TYPE_DETAILS_WINDOW), WAIT_MS));
  g_assert_true (haul_details_window_get_download (HAUL_DETAILS_WINDOW (haul_test_find_toplevel (HAUL_TYPE_DETAILS_WINDOW))) == a);
  gtk_window_close (haul_test_find_toplevel (HAUL_TYPE_DETAILS_WINDOW));

  /* Ctrl+F opens the search bar, Ctrl+N the Add dialog. */
  press_keys (f->window, "ctrl+f");
  g_assert_true (gtk_search_bar_get_search_mode (GTK_SEARCH_BAR (find_widget_of_type (f->window,
                                                                                       GTK_TYPE_SEARCH_BAR))));
  press_keys (f->window, "Escape");
  press_keys (f->window, "ctrl+n");
  g_assert_true (haul_test_wait_until (haul_test_toplevel_shown, GSIZE_TO_POINTER (HAUL_TYPE_ADD_DIALOG), WAIT_MS));
  gtk_window_close (haul_test_find_toplevel (HAUL_TYPE_ADD_DIALOG));

  /* Pause all from the header. */
  g_assert_true (gtk_widget_activate_action (f->window, "win.pause-all", NULL));
  wait_state (a, HAUL_DOWNLOAD_STATE_PAUSED);
  wait_state (c, HAUL_DOWNLOAD_STATE_PAUSED);

  /* Alt+Up moves the selected download up the queue; the row's menu can too. */
  {
    guint position;

    g_assert_true (haul_queue_get_position (f->queue, c, &position));
    g_assert_cmpuint (position, ==, 1);
    select_only (f, c);
    press_keys (f->window, "alt+Up");
    g_assert_true (haul_queue_get_position (f->queue, c, &position));
    g_assert_cmpuint (position, ==, 0);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (haul_test_find_row (f->window, c)), "row.move-down", NULL));
    g_assert_true (haul_queue_get_position (f->queue, c, &position));
    g_assert_cmpuint (position, ==, 1);
  }

  settle_actions ();
  g_assert_true (gtk_widget_activate_action (f->window, "win.resume-all", NULL));
  wait_state (a, HAUL_DOWNLOAD_STATE_DOWNLOADING);
}

static void
test_keyboard (void)
{
  haul_test_run_in_app (body_keyboard);
}

static guint
n_shown (Fixture *f)
{
  GtkListView *list = haul_test_find_list_view (f->window);

  return g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (list)));
}

typedef struct
{
  Fixture *f;
  guint    n;
} ShownCount;

static gboolean
shown_is (gpointer data)
{
  ShownCount *s = data;

  return n_shown (s->f) == s->n;
}

static void
assert_n_shown (Fixture *f,
                guint    n)
{
  ShownCount s = { f, n };

  if (!haul_test_wait_until (shown_is, &s, WAIT_MS))
    g_error ("the list shows %u downloads, not %u", n_shown (f), n);
}

/* Search by name or link, and the state filter. */
static void
body_filter (Fixture *f)
{
  g_autofree char *done = serve (f, "/alpha-report.pdf", 8 * 1024, 0, NULL);
  g_autofree char *slow = serve (f, "/beta-video.mkv", 4 * 1024 * 1024, 64 * 1024, NULL);
  g_autofree char *missing = haul_test_server_uri (f->server, "/gamma-missing.iso");
  g_autofree char *text = g_strdup_printf ("%s\n%s\n%s\n", done, slow, missing);
  GtkEditable *entry;
  GtkDropDown *state;

  drop_string (f, text);
  wait_n_items (f, 3);
  haul_test_wait_finished (find (f, done));
  haul_test_wait_finished (find (f, missing));
  g_assert_cmpint (haul_download_get_state (find (f, missing)), ==, HAUL_DOWNLOAD_STATE_FAILED);
  assert_n_shown (f, 3);

  g_assert_true (gtk_widget_activate_action (f->window, "win.search", NULL));
  entry = GTK_EDITABLE (find_widget_of_type (f->window, GTK_TYPE_SEARCH_ENTRY));
  state = GTK_DROP_DOWN (find_widget_of_type (f->window, GTK_TYPE_DROP_DOWN));

  gtk_editable_set_text (entry, "ALPHA");  /* by name, any case */
  assert_n_shown (f, 1);
  haul_test_assert_shows (f->window, "alpha-report.pdf");
  gtk_editable_set_text (entry, "127.0.0.1");  /* by link */
  assert_n_shown (f, 3);
  gtk_editable_set_text (entry, "nothing-like-this");
  assert_n_shown (f, 0);
  haul_test_assert_shows (f->window, "No Matching Downloads");
  gtk_editable_set_text (entry, "");
  assert_n_shown (f, 3);

  gtk_drop_down_set_selected (state, 1); /* Active */
  assert_n_shown (f, 1);
  haul_test_assert_shows (f->window, "beta-video.mkv");
  gtk_drop_down_set_selected (state, 2); /* Finished */
  assert_n_shown (f, 1);
  haul_test_assert_shows (f->window, "alpha-report.pdf");
  gtk_drop_down_set_selected (state, 3); /* Failed */
  assert_n_shown (f, 1);
  haul_test_assert_shows (f->window, "Not Found");

  /* A download that fails while the filter shows failures joins the list. */
  haul_queue_cancel (f->queue, find (f, slow));
  assert_n_shown (f, 2);
  gtk_drop_down_set_selected (state, 0);
  assert_n_shown (f, 3);
}

static void
test_filter (void)
{
  haul_test_run_in_app (body_filter);
}

/* ------------------------------------------------------------------ */
/* The header's summary and the rows' status, wide and at 360 px */

static GtkWidget *
window_child (Fixture    *f,
              const char *name)
{
  GObject *child = gtk_widget_get_template_child (f->window, HAUL_TYPE_WINDOW, name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

/* The row's status text: "main" and the speed line. */
static HaulStatusLines *
row_status (Fixture      *f,
            HaulDownload *d)
{
  HaulDownloadRow *row = haul_test_find_row (f->window, d);

  g_assert_nonnull (row);
  return HAUL_STATUS_LINES (find_widget_of_type (GTK_WIDGET (row), HAUL_TYPE_STATUS_LINES));
}

static int
seconds_in (const char *text)
{
  const char *p = strstr (text, " seconds left");
  int n = -1;

  g_assert_nonnull (p);
  while (p > text && g_ascii_isdigit (p[-1]))
    p--;
  g_assert_true (sscanf (p, "%d", &n) == 1);
  return n;
}

typedef struct
{
  Fixture    *f;
  const char *needles[6];
} SummaryShows;

static gboolean
summary_shows (gpointer data)
{
  SummaryShows *s = data;
  const char *text = gtk_inscription_get_text (GTK_INSCRIPTION (window_child (s->f, "summary")));

  for (guint i = 0; i < G_N_ELEMENTS (s->needles) && s->needles[i] != NULL; i++)
    if (text == NULL || (s->needles[i][0] == '!' ? strstr (text, s->needles[i] + 1) != NULL
                                                 : strstr (text, s->needles[i]) == NULL))
      return FALSE;
  return TRUE;
}

/* "!text": must not show text. */
#define assert_summary(f, ...) \
  G_STMT_START { \
    SummaryShows s_ = { (f), { __VA_ARGS__ } }; \
    if (!haul_test_wait_until (summary_shows, &s_, WAIT_MS)) \
      g_error ("the header shows “%s”", \
               gtk_inscription_get_text (GTK_INSCRIPTION (window_child ((f), "summary")))); \
  } G_STMT_END

static gboolean
is_downloading (gpointer d)
{
  return haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_DOWNLOADING &&
         haul_download_get_speed (d) > 0 && haul_download_get_eta (d) > 0;
}

/* A running download, one known-size download queued behind it, two of
 * unknown size and a failure, in a window where everything fits on one
 * line: the counts say what the list holds, and the time left covers what
 * waits (a lower bound while some sizes are unknown). */
static void
body_summary (Fixture *f)
{
  GSettings *settings = haul_application_get_settings (f->app);
  g_autofree char *running = serve (f, "/sum/running.bin", 3 * 1024 * 1024, 192 * 1024, NULL);
  g_autofree char *known = serve (f, "/sum/known.bin", 2 * 1024 * 1024, 192 * 1024, NULL);
  g_autofree char *later1 = serve (f, "/sum/later1.bin", 64 * 1024, 0, NULL);
  g_autofree char *later2 = serve (f, "/sum/later2.bin", 64 * 1024, 0, NULL);
  g_autofree char *missing = haul_test_server_uri (f->server, "/sum/missing.bin");
  HaulDownload *k, *r;
  g_autofree char *header = NULL;
  const char *own;

  g_settings_set_int (settings, "max-active", 1);
  g_settings_set_int (settings, "connections-per-download", 1);

  /* The failure first; then known.bin runs long enough for its size to be
   * known, and is paused. */
  drop_string (f, missing);
  wait_n_items (f, 1);
  wait_state (find (f, missing), HAUL_DOWNLOAD_STATE_FAILED);
  assert_summary (f, "1 failed", "!downloads");
  drop_string (f, known);
  wait_n_items (f, 2);
  k = find (f, known);
  g_assert_true (haul_test_wait_until (is_downloading, k, WAIT_MS));
  haul_queue_pause (f->queue, k);
  wait_state (k, HAUL_DOWNLOAD_STATE_PAUSED);
  assert_summary (f, "1 paused", "1 failed");

  /* running.bin takes the one slot; known.bin (resumed) and two links
   * never tried wait behind it. */
  drop_string (f, running);
  wait_n_items (f, 3);
  r = find (f, running);
  g_assert_true (haul_test_wait_until (is_downloading, r, WAIT_MS));
  haul_queue_resume (f->queue, k);
  drop_string (f, later1);
  drop_string (f, later2);
  wait_n_items (f, 5);
  assert_summary (f, "1 active", "3 waiting", "1 failed", "at least");
  g_assert_true (gtk_widget_get_mapped (window_child (f, "summary")));
  g_assert_false (gtk_widget_get_visible (window_child (f, "summary_bar")));

  /* Without the unknown ones, the time left is a figure for all that is
   * still to come: running.bin's and known.bin's bytes, so longer than
   * running.bin's own. */
  haul_queue_remove (f->queue, find (f, later1));
  haul_queue_remove (f->queue, find (f, later2));
  assert_summary (f, "1 active", "1 waiting", "1 failed", "seconds left", "!at least");
  header = g_strdup (gtk_inscription_get_text (GTK_INSCRIPTION (window_child (f, "summary"))));
  own = haul_download_get_eta (r) >= 0 ? gtk_inscription_get_text (GTK_INSCRIPTION (
          gtk_widget_get_first_child (GTK_WIDGET (row_status (f, r))))) : NULL;
  g_assert_nonnull (own);
  g_assert_cmpint (seconds_in (header), >, seconds_in (own) + 3);
  /* The aggregate bar counts known.bin too: below running.bin's fraction. */
  g_assert_true (gtk_widget_get_visible (window_child (f, "total_bar")));
  g_assert_cmpfloat (haul_progress_line_get_fraction (HAUL_PROGRESS_LINE (window_child (f, "total_bar"))), <,
                     haul_download_get_fraction (r));

  haul_queue_pause_all (f->queue);
  assert_summary (f, "2 paused", "1 failed", "!active");
  g_settings_reset (settings, "max-active");
  g_settings_reset (settings, "connections-per-download");
}

static void
test_summary (void)
{
  haul_test_run_in_app (body_summary);
}

static gboolean
window_is_narrow (gpointer data)
{
  Fixture *f = data;

  return gtk_widget_get_width (f->window) <= 360 && gtk_widget_get_mapped (window_child (f, "summary_bar"));
}

static gboolean
window_is_wide (gpointer data)
{
  Fixture *f = data;

  return gtk_widget_get_width (f->window) > 700 && !gtk_widget_get_visible (window_child (f, "summary_bar")) &&
         gtk_widget_get_mapped (window_child (f, "summary"));
}

static void
assert_shows_whole (GtkWidget  *inscription,
                    const char *text,
                    const char *what)
{
  if (!haul_test_inscription_shows_whole (GTK_INSCRIPTION (inscription), text))
    g_error ("%s is cut at %d × %d px: “%s”", what, gtk_widget_get_width (inscription),
             gtk_widget_get_height (inscription),
             text != NULL ? text : gtk_inscription_get_text (GTK_INSCRIPTION (inscription)));
}

/* At 360 px nothing that matters is cut: the header's counts, speed and time
 * left (in the bar under the header), a running row's amount, speed and time
 * left (on two lines), and a failed row's error (wrapped). */
static void
body_narrow (Fixture *f)
{
  g_autofree char *slow = serve (f, "/narrow/a-rather-long-file-name-for-a-narrow-window.iso",
                                 4 * 1024 * 1024, 128 * 1024, NULL);
  g_autofree char *refused = g_strdup ("http://127.0.0.1:9/narrow/refused.bin");
  HaulStatusLines *status;
  GtkWidget *first, *second;
  HaulDownload *d;

  g_object_set (f->queue, "max-retries", 0, NULL);
  drop_string (f, refused);
  drop_string (f, slow);
  wait_n_items (f, 2);
  wait_state (find (f, refused), HAUL_DOWNLOAD_STATE_FAILED);
  d = find (f, slow);
  g_assert_true (haul_test_wait_until (is_downloading, d, WAIT_MS));

  /* Wide: one line each. */
  status = row_status (f, d);
  g_assert_false (haul_status_lines_get_two_lines (status));

  gtk_window_set_default_size (GTK_WINDOW (f->window), 360, 600);
  if (!haul_test_wait_until (window_is_narrow, f, WAIT_MS))
    g_error ("the window is %d px wide, the summary bar %s", gtk_widget_get_width (f->window),
             gtk_widget_get_mapped (window_child (f, "summary_bar")) ? "shown" : "hidden");
  haul_test_spin (200);

  /* The header: "Haul" alone in the title, the summary on two lines below. */
  assert_shows_whole (window_child (f, "summary_counts"), NULL, "the header's counts");
  g_assert_nonnull (strstr (gtk_inscription_get_text (GTK_INSCRIPTION (window_child (f, "summary_counts"))),
                            "1 failed"));
  assert_shows_whole (window_child (f, "summary_rate"), NULL, "the header's speed and time left");
  g_assert_false (gtk_widget_get_mapped (window_child (f, "summary")));

  /* The running row: the amount, then the speed and time left. */
  status = row_status (f, d);
  g_assert_true (haul_status_lines_get_two_lines (status));
  first = gtk_widget_get_first_child (GTK_WIDGET (status));
  second = gtk_widget_get_next_sibling (first);
  {
    g_autofree char *amount = haul_format_amount (haul_download_get_received (d), haul_download_get_total (d));

    assert_shows_whole (first, amount, "a running row's amount");
  }
  g_assert_nonnull (strstr (gtk_inscription_get_text (GTK_INSCRIPTION (second)), "left"));
  assert_shows_whole (second, NULL, "a running row's speed and time left");

  /* The failed row: its whole error, wrapped over the two lines. */
  status = row_status (f, find (f, refused));
  first = gtk_widget_get_first_child (GTK_WIDGET (status));
  g_assert_nonnull (strstr (gtk_inscription_get_text (GTK_INSCRIPTION (first)), "Failed"));
  assert_shows_whole (first, NULL, "a failed row's error");

  /* Wide again: the summary back in the title, no bar left behind, one
   * line per row. */
  gtk_window_set_default_size (GTK_WINDOW (f->window), 760, 560);
  if (!haul_test_wait_until (window_is_wide, f, WAIT_MS))
    g_error ("the window is %d px wide, the summary bar %s", gtk_widget_get_width (f->window),
             gtk_widget_get_mapped (window_child (f, "summary_bar")) ? "shown" : "hidden");
  g_assert_false (haul_status_lines_get_two_lines (row_status (f, d)));

  haul_queue_pause_all (f->queue);
  g_object_set (f->queue, "max-retries", 5, NULL);
}

static void
test_narrow (void)
{
  haul_test_run_in_app (body_narrow);
}

/* Preferences reach the engine at once; the window opens from the menu's action. */
static void
body_preferences (Fixture *f)
{
  GSettings *settings = haul_application_get_settings (f->app);
  g_autofree char *folder = g_build_filename (g_get_home_dir (), "Elsewhere", NULL);
  g_autofree char *uri = serve (f, "/prefs.bin", 8 * 1024, 0, NULL);

  g_assert_nonnull (settings);
  g_settings_set_int (settings, "max-active", 2);
  g_assert_cmpuint (haul_queue_get_max_active (f->queue), ==, 2);
  g_settings_set_int64 (settings, "speed-limit-bytes", 300000);
  g_assert_cmpint (haul_queue_get_rate_limit (f->queue), ==, 300000);
  g_settings_set_int64 (settings, "speed-limit-bytes", 0);
  g_assert_cmpint (haul_queue_get_rate_limit (f->queue), ==, 0);
  g_assert_cmpuint (haul_queue_get_max_connections (f->queue), ==, 8);
  g_assert_cmpuint (haul_queue_get_max_connections_per_server (f->queue), ==, 8);
  g_settings_set_int (settings, "connections-per-download", 3);
  g_assert_cmpuint (haul_queue_get_max_connections (f->queue), ==, 3);
  g_settings_set_int (settings, "connections-per-server", 5);
  g_assert_cmpuint (haul_queue_get_max_connections_per_server (f->queue), ==, 5);

  /* New downloads go to the chosen folder. */
  g_mkdir_with_parents (folder, 0755);
  g_settings_set_string (settings, "download-folder", folder);
  drop_string (f, uri);
  wait_n_items (f, 1);
  haul_test_wait_finished (find (f, uri));
  g_assert_cmpstr (haul_download_get_directory (find (f, uri)), ==, folder);
  g_settings_reset (settings, "download-folder");
  g_settings_reset (settings, "max-active");
  g_assert_cmpuint (haul_queue_get_max_active (f->queue), ==, 4);

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (f->app), "preferences"));
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "preferences", NULL);
  g_assert_true (haul_test_wait_until (haul_test_toplevel_shown, GSIZE_TO_POINTER (HAUL_TYPE_PREFERENCES_WINDOW),
                                       WAIT_MS));
  /* Its spin buttons reach the queue. */
  {
    GtkWidget *prefs = GTK_WIDGET (haul_test_find_toplevel (HAUL_TYPE_PREFERENCES_WINDOW));
    GtkSpinButton *per_download = GTK_SPIN_BUTTON (gtk_widget_get_template_child (prefs, HAUL_TYPE_PREFERENCES_WINDOW,
                                                                                  "connections_spin"));
    GtkSpinButton *per_server = GTK_SPIN_BUTTON (gtk_widget_get_template_child (prefs, HAUL_TYPE_PREFERENCES_WINDOW,
                                                                                "server_connections_spin"));

    g_assert_cmpint (gtk_spin_button_get_value_as_int (per_download), ==, 3);
    gtk_spin_button_spin (per_download, GTK_SPIN_STEP_FORWARD, 1);
    g_assert_cmpuint (haul_queue_get_max_connections (f->queue), ==, 4);
    gtk_editable_set_text (GTK_EDITABLE (per_server), "16");
    gtk_spin_button_update (per_server);
    g_assert_cmpuint (haul_queue_get_max_connections_per_server (f->queue), ==, 16);
  }
  g_settings_reset (settings, "connections-per-download");
  g_settings_reset (settings, "connections-per-server");
  g_assert_cmpuint (haul_queue_get_max_connections (f->queue), ==, 8);
  g_assert_cmpuint (haul_queue_get_max_connections_per_server (f->queue), ==, 8);
  gtk_window_close (haul_test_find_toplevel (HAUL_TYPE_PREFERENCES_WINDOW));

  /* The shortcuts window and About exist and open. */
  g_assert_true (gtk_widget_activate_action (f->window, "win.show-help-overlay", NULL));
  g_assert_true (haul_test_wait_until (haul_test_toplevel_shown, GSIZE_TO_POINTER (GTK_TYPE_SHORTCUTS_WINDOW), WAIT_MS));
  gtk_window_close (haul_test_find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW));
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "about", NULL);
  g_assert_true (haul_test_wait_until (haul_test_toplevel_shown, GSIZE_TO_POINTER (ADW_TYPE_ABOUT_WINDOW), WAIT_MS));
  gtk_window_close (haul_test_find_toplevel (ADW_TYPE_ABOUT_WINDOW));
}

static void
test_preferences (void)
{
  haul_test_run_in_app (body_preferences);
}

static gboolean
window_inactive (gpointer window)
{
  return !gtk_window_is_active (window);
}

static gboolean
window_active (gpointer window)
{
  return gtk_window_is_active (window);
}

/* Notifications only while the window is not in front; suspend and logout
 * are inhibited while downloads run, and released after. */
static void
body_notifications (Fixture *f)
{
  g_autofree char *u1 = serve (f, "/seen.bin", 256 * 1024, 256 * 1024, NULL);
  g_autofree char *u2 = serve (f, "/unseen.bin", 256 * 1024, 256 * 1024, NULL);
  g_autofree char *missing = haul_test_server_uri (f->server, "/gone.bin");
  g_auto(GStrv) notes = NULL;
  g_auto(GStrv) inhibits = NULL;
  GtkWidget *other;

  g_assert_true (haul_test_wait_until (window_active, f->window, WAIT_MS));
  fake_desktop_clear ();

  /* In front: no notification. */
  drop_string (f, u1);
  wait_n_items (f, 1);
  wait_state (find (f, u1), HAUL_DOWNLOAD_STATE_DOWNLOADING);
  g_assert_true (haul_application_is_inhibiting (f->app));
  g_assert_true (haul_test_wait_until (has_call, (gpointer) "Inhibit", WAIT_MS));
  inhibits = fake_desktop_calls ("Inhibit");
  /* GTK_APPLICATION_INHIBIT_LOGOUT | GTK_APPLICATION_INHIBIT_SUSPEND */
  g_assert_cmpstr (inhibits[0], ==, "Inhibit\x1f" "5");
  haul_test_wait_finished (find (f, u1));
  g_assert_true (haul_test_wait_until (has_call, (gpointer) "Uninhibit", WAIT_MS));
  g_assert_false (haul_application_is_inhibiting (f->app));
  haul_test_spin (800);
  g_assert_false (has_call ((gpointer) "Notify"));

  /* Another window in front: finishing and failing are told. */
  other = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (other), "Other");
  gtk_window_present (GTK_WINDOW (other));
  g_assert_true (haul_test_wait_until ((HaulTestPredicate) gtk_widget_get_mapped, other, WAIT_MS));
  {
    g_autoptr(GSubprocess) p = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, NULL, "xdotool", "search",
                                                 "--name", "^Other$", "windowfocus", "--sync", NULL);
    HaulTestAsync w = { 0 };

    g_assert_nonnull (p);
    g_subprocess_wait_async (p, NULL, haul_test_async_cb, &w);
    haul_test_async_wait (&w);
    g_clear_object (&w.result);
  }
  g_assert_true (haul_test_wait_until (window_inactive, f->window, WAIT_MS));

  drop_string (f, u2);
  wait_n_items (f, 2);
  haul_test_wait_finished (find (f, u2));
  g_assert_true (haul_test_wait_until (has_call, (gpointer) "Notify\x1f" "Download Finished", WAIT_MS));
  notes = fake_desktop_calls ("Notify");
  g_assert_cmpuint (g_strv_length (notes), ==, 1);
  g_assert_nonnull (strstr (notes[0], "\x1funseen.bin\x1f"));
  g_assert_nonnull (strstr (notes[0], "Open"));
  g_assert_nonnull (strstr (notes[0], "Show in Folder"));

  drop_string (f, missing);
  wait_n_items (f, 3);
  haul_test_wait_finished (find (f, missing));
  g_assert_true (haul_test_wait_until (has_call, (gpointer) "Notify\x1f" "Download Failed", WAIT_MS));

  /* Turned off in Preferences: silence. */
  fake_desktop_clear ();
  g_settings_set_boolean (haul_application_get_settings (f->app), "notifications", FALSE);
  haul_queue_retry (f->queue, find (f, missing));
  haul_test_wait_finished (find (f, missing));
  haul_test_spin (800);
  g_assert_false (has_call ((gpointer) "Notify"));
  g_settings_reset (haul_application_get_settings (f->app), "notifications");

  gtk_window_destroy (GTK_WINDOW (other));
}

static void
test_notifications (void)
{
  haul_test_run_in_app (body_notifications);
}

static gboolean
file_complete (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_IS_REGULAR);
}

/* `haul URL` and `haul FILE` while Haul runs hand the links to the running
 * instance (over the session bus) instead of opening a second window; a
 * relative FILE is found from the caller's folder. */
static void
test_second_instance (void)
{
  g_autoptr(HaulTestServer) server = haul_test_server_new ();
  g_autoptr(GBytes) a = haul_test_content (100 * 1024, 21);
  g_autoptr(GBytes) b = haul_test_content (150 * 1024, 22);
  g_autoptr(GBytes) c = haul_test_content (50 * 1024, 23);
  g_autoptr(GSubprocess) first = NULL;
  g_autoptr(GSubprocess) second = NULL;
  g_autoptr(GSubprocess) third = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GError) error = NULL;
  g_autofree char *ua = NULL, *ub = NULL, *uc = NULL, *pa = NULL, *pb = NULL, *pc = NULL;
  g_autofree char *sum = NULL, *want = NULL, *list = NULL, *listdir = NULL, *err = NULL;
  const char *bin = g_getenv ("HAUL_BINARY");

  g_assert_nonnull (bin);
  g_assert_nonnull (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));

  haul_test_server_add_file (server, "/one.bin", a, NULL);
  haul_test_server_add_file (server, "/two.bin", b, NULL);
  haul_test_server_add_file (server, "/three.bin", c, NULL);
  ua = haul_test_server_uri (server, "/one.bin");
  ub = haul_test_server_uri (server, "/two.bin");
  uc = haul_test_server_uri (server, "/three.bin");
  pa = g_build_filename (haul_folders_get_default (), "one.bin", NULL);
  pb = g_build_filename (haul_folders_get_default (), "two.bin", NULL);
  pc = g_build_filename (haul_folders_get_default (), "three.bin", NULL);

  first = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, bin, ua, NULL);
  g_assert_no_error (error);
  g_assert_true (haul_test_wait_until (file_complete, pa, 30000));

  /* The second process returns at once; the first one downloads. */
  second = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, bin, ub, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (second, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (haul_test_wait_until (file_complete, pb, 30000));
  g_assert_nonnull (g_subprocess_get_identifier (first)); /* still running */

  sum = haul_test_sha256_file (pb);
  want = haul_test_sha256_bytes (b);
  g_assert_cmpstr (sum, ==, want);
  g_assert_cmpuint (haul_test_server_get_n_requests (server, "/two.bin"), ==, 1);

  /* A list file, relative to the caller's folder; its bad line is told to
   * the caller's terminal, and the exit status says so. */
  listdir = g_build_filename (g_get_home_dir (), "lists", NULL);
  g_mkdir_with_parents (listdir, 0755);
  list = g_build_filename (listdir, "links.txt", NULL);
  {
    g_autofree char *contents = g_strdup_printf ("%s\nnot-a-link htp://not-a-link\n", uc);

    g_assert_true (g_file_set_contents (list, contents, -1, NULL));
  }
  g_subprocess_launcher_set_cwd (launcher, listdir);
  third = g_subprocess_launcher_spawn (launcher, &error, bin, "links.txt", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (third, NULL, NULL, NULL, &err, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (third), ==, 1);
  g_assert_nonnull (strstr (err, "links.txt, line 2: “htp://not-a-link”"));
  g_assert_null (strstr (err, "“not-a-link”")); /* a word, not a bad link */
  g_assert_true (haul_test_wait_until (file_complete, pc, 30000));

  g_subprocess_send_signal (first, SIGTERM);
  g_subprocess_wait (first, NULL, NULL);
}

/* HAUL_LATENCY_REPORT=FILE: the app measures its main loop and frames
 * while it runs and writes a summary when it quits (here once its one
 * download is done, HAUL_EXIT_WHEN_DONE=1). */
static void
test_latency_report (void)
{
  g_autoptr(HaulTestServer) server = haul_test_server_new ();
  g_autoptr(GBytes) content = haul_test_content (512 * 1024, 31);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) haul = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL, *report = NULL, *json = NULL;
  const char *fields[] = { "\"p50_ms\":", "\"p99_ms\":", "\"max_ms\":", "\"frames\":",
                           "\"longest_frame_gap_ms\":", "\"samples\":" };

  haul_test_server_add_file (server, "/measured.bin", content,
                             &(HaulTestFileOptions) { .rate = 512 * 1024 });
  uri = haul_test_server_uri (server, "/measured.bin");
  report = g_build_filename (g_get_home_dir (), "latency.json", NULL);
  g_subprocess_launcher_setenv (launcher, "HAUL_LATENCY_REPORT", report, TRUE);
  g_subprocess_launcher_setenv (launcher, "HAUL_EXIT_WHEN_DONE", "1", TRUE);
  haul = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("HAUL_BINARY"), uri, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (haul, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (report, &json, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (strstr (json, fields[i]) == NULL)
      g_error ("the latency report has no %s: %s", fields[i], json);
  /* About a second of running with a 10 ms probe. */
  g_assert_cmpuint (g_ascii_strtoull (strstr (json, "\"samples\":") + strlen ("\"samples\":"), NULL, 10), >, 20);
  g_assert_cmpuint (g_ascii_strtoull (strstr (json, "\"frames\":") + strlen ("\"frames\":"), NULL, 10), >, 0);
}

static gboolean
part_exists (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* SIGTERM (logout) quits like Ctrl+Q: exit status 0, the partial file
 * kept for resuming, the latency report written. */
static void
test_sigterm_quits_cleanly (void)
{
  g_autoptr(HaulTestServer) server = haul_test_server_new ();
  g_autoptr(GBytes) content = haul_test_content (4 * 1024 * 1024, 41);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) haul = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL, *report = NULL, *part = NULL;

  haul_test_server_add_file (server, "/interrupted.bin", content,
                             &(HaulTestFileOptions) { .rate = 64 * 1024 });
  uri = haul_test_server_uri (server, "/interrupted.bin");
  report = g_build_filename (g_get_home_dir (), "latency-term.json", NULL);
  part = g_build_filename (haul_folders_get_default (), "interrupted.bin.part", NULL);
  g_subprocess_launcher_setenv (launcher, "HAUL_LATENCY_REPORT", report, TRUE);
  haul = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("HAUL_BINARY"), uri, NULL);
  g_assert_no_error (error);

  g_assert_true (haul_test_wait_until (part_exists, part, WAIT_MS));
  g_subprocess_send_signal (haul, SIGTERM);
  g_assert_true (g_subprocess_wait (haul, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (haul));
  g_assert_cmpint (g_subprocess_get_exit_status (haul), ==, 0);
  g_assert_true (g_file_test (part, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (report, G_FILE_TEST_IS_REGULAR));
}

/* ------------------------------------------------------------------ */
/* The rows and the list as people use them: Open File says what it does
 * and what to do when nothing opens the file; a filter shows that it is
 * on and ends with the search; Escape, right-click, long-press and the
 * Menu key; new downloads join at the end and come into view. */

static GtkWidget *
find_action_button (GtkWidget  *widget,
                    const char *action)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_get_visible (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_action_button (child, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A file manager on the session bus (org.freedesktop.FileManager1): what
 * Show in Folder asked it to show. */
static void
file_manager_method (GDBusConnection       *connection,
                     const char            *sender,
                     const char            *object_path,
                     const char            *interface_name,
                     const char            *method_name,
                     GVariant              *parameters,
                     GDBusMethodInvocation *invocation,
                     gpointer               user_data)
{
  GPtrArray *shown = user_data;
  g_autofree const char **uris = NULL;

  g_variant_get_child (parameters, 0, "^a&s", &uris);
  for (guint i = 0; uris[i] != NULL; i++)
    g_ptr_array_add (shown, g_strdup (uris[i]));
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
name_acquired_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
flag_is_set (gpointer flag)
{
  return *(gboolean *) flag;
}

static gboolean
array_not_empty (gpointer array)
{
  return ((GPtrArray *) array)->len > 0;
}

static void
body_open_without_app (Fixture *f)
{
  static const char xml[] =
    "<node><interface name='org.freedesktop.FileManager1'>"
    "  <method name='ShowItems'><arg type='as' direction='in'/><arg type='s' direction='in'/></method>"
    "</interface></node>";
  static const GDBusInterfaceVTable vtable = { file_manager_method, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (xml, NULL);
  g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func (g_free);
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (f->app));
  g_autofree char *uri = serve (f, "/disc.iso", 16 * 1024, 0, NULL);
  g_autofree char *path = NULL, *file_uri = NULL;
  g_autoptr(GError) error = NULL;
  gboolean owned = FALSE;
  GtkWidget *row, *button, *dialog;
  HaulDownload *d;
  guint registration, owner;

  registration = g_dbus_connection_register_object (bus, "/org/freedesktop/FileManager1", info->interfaces[0],
                                                    &vtable, shown, NULL, &error);
  g_assert_no_error (error);
  owner = g_bus_own_name_on_connection (bus, "org.freedesktop.FileManager1", G_BUS_NAME_OWNER_FLAGS_NONE,
                                        name_acquired_cb, NULL, &owned, NULL);
  g_assert_true (haul_test_wait_until (flag_is_set, &owned, WAIT_MS));

  drop_string (f, uri);
  wait_n_items (f, 1);
  d = find (f, uri);
  haul_test_wait_finished (d);
  row = GTK_WIDGET (haul_test_find_row (f->window, d));
  g_assert_nonnull (row);

  /* The button shows a page going out (Haul's own icon, from its
   * resources), not a folder: Adwaita 43's document-open-symbolic is one. */
  button = find_action_button (row, "row.open");
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (button)), ==, "haul-open-file-symbolic");
  {
    GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (row));
    g_autoptr(GtkIconPaintable) icon = gtk_icon_theme_lookup_icon (theme, "haul-open-file-symbolic", NULL, 16, 1,
                                                                   GTK_TEXT_DIR_NONE, 0);
    g_autoptr(GFile) file = gtk_icon_paintable_get_file (icon);
    g_autofree char *icon_uri = file != NULL ? g_file_get_uri (file) : NULL;

    g_assert_nonnull (icon_uri);
    g_assert_true (g_str_has_prefix (icon_uri, "resource:///io/github/haulapp/Haul/icons/"));
  }

  /* No app opens an .iso here: Haul says so, and offers the folder. */
  g_assert_true (gtk_widget_activate_action (row, "row.open", NULL));
  g_assert_true (haul_test_wait_until (haul_test_toplevel_shown, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG), WAIT_MS));
  dialog = GTK_WIDGET (haul_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  haul_test_assert_shows (dialog, "No App Can Open “disc.iso”");
  haul_test_assert_shows (dialog, "No app installed on this computer opens files of this type");
  {
    g_autofree char *text = haul_test_visible_text (dialog);

    g_assert_null (strstr (text, "Could not show link"));
    g_assert_null (strstr (text, "Failed to find default application"));
  }
  g_assert_null (haul_test_find_toplevel (GTK_TYPE_MESSAGE_DIALOG));  /* not GTK's own */
  button = haul_test_find_button (dialog, "Show in Folder");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");

  /* The file manager was asked to show the file. */
  g_assert_true (haul_test_wait_until (array_not_empty, shown, WAIT_MS));
  path = haul_download_dup_path (d);
  file_uri = g_filename_to_uri (path, NULL, NULL);
  g_assert_cmpstr (g_ptr_array_index (shown, 0), ==, file_uri);
  g_assert_false (haul_test_toplevel_shown (GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG)));

  g_bus_unown_name (owner);
  g_dbus_connection_unregister_object (bus, registration);
}

/* Every system data folder without its applications: the mime database
 * and the icons stay, no app opens anything. */
static char *
data_dirs_without_apps (const char *root)
{
  const char * const *dirs = g_get_system_data_dirs ();
  g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *copy = g_strdup_printf ("%s/data-%u", root, i);
      g_autoptr(GDir) dir = g_dir_open (dirs[i], 0, NULL);
      const char *name;

      g_mkdir_with_parents (copy, 0755);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        if (!g_str_equal (name, "applications"))
          {
            g_autofree char *target = g_build_filename (dirs[i], name, NULL);
            g_autofree char *link = g_build_filename (copy, name, NULL);

            g_assert_cmpint (symlink (target, link), ==, 0);
          }
      g_ptr_array_add (made, g_steal_pointer (&copy));
    }
  g_ptr_array_add (made, NULL);
  return g_strjoinv (":", (char **) made->pdata);
}

static void
test_open_without_app (void)
{
  g_autofree char *root = NULL, *dirs = NULL, *user_data = NULL, *config_dirs = NULL;
  g_autofree char *old_dirs = g_strdup (g_getenv ("XDG_DATA_DIRS"));
  g_autofree char *old_home = g_strdup (g_getenv ("XDG_DATA_HOME"));
  g_autofree char *old_config = g_strdup (g_getenv ("XDG_CONFIG_DIRS"));

  if (g_test_subprocess ())
    {
      haul_test_run_in_app (body_open_without_app);
      return;
    }
  root = g_build_filename (g_get_home_dir (), "no-apps", NULL);
  user_data = g_build_filename (root, "user-data", NULL);
  config_dirs = g_build_filename (root, "config-dirs", NULL);
  g_mkdir_with_parents (user_data, 0755);
  g_mkdir_with_parents (config_dirs, 0755);
  dirs = data_dirs_without_apps (root);

  g_setenv ("XDG_DATA_DIRS", dirs, TRUE);
  g_setenv ("XDG_DATA_HOME", user_data, TRUE);
  g_setenv ("XDG_CONFIG_DIRS", config_dirs, TRUE);
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  old_dirs ? g_setenv ("XDG_DATA_DIRS", old_dirs, TRUE) : g_unsetenv ("XDG_DATA_DIRS");
  old_home ? g_setenv ("XDG_DATA_HOME", old_home, TRUE) : g_unsetenv ("XDG_DATA_HOME");
  old_config ? g_setenv ("XDG_CONFIG_DIRS", old_config, TRUE) : g_unsetenv ("XDG_CONFIG_DIRS");
  g_test_trap_assert_passed ();
}

static gboolean
position_is (HaulQueue    *queue,
             HaulDownload *d,
             guint         want)
{
  guint position;

  return haul_queue_get_position (queue, d, &position) && position == want;
}

/* The state filter shows that it is on, ends with the search, and Move
 * Up and Down work while it hides rows (among the rows shown). */
static void
body_filter_shown (Fixture *f)
{
  g_autofree char *done1 = serve (f, "/shown-done-1.bin", 8 * 1024, 0, NULL);
  g_autofree char *slow1 = serve (f, "/shown-slow-1.bin", 4 * 1024 * 1024, 64 * 1024, NULL);
  g_autofree char *done2 = serve (f, "/shown-done-2.bin", 8 * 1024, 0, NULL);
  g_autofree char *slow2 = serve (f, "/shown-slow-2.bin", 4 * 1024 * 1024, 64 * 1024, NULL);
  g_autofree char *text = g_strdup_printf ("%s\n%s\n%s\n%s\n", done1, slow1, done2, slow2);
  GtkSearchBar *bar = GTK_SEARCH_BAR (find_widget_of_type (f->window, GTK_TYPE_SEARCH_BAR));
  GtkDropDown *state = GTK_DROP_DOWN (find_widget_of_type (f->window, GTK_TYPE_DROP_DOWN));
  GtkRevealer *filter_bar = GTK_REVEALER (gtk_widget_get_template_child (f->window, HAUL_TYPE_WINDOW,
                                                                          "filter_revealer"));
  GtkWidget *search_button = GTK_WIDGET (gtk_widget_get_template_child (f->window, HAUL_TYPE_WINDOW,
                                                                        "search_button"));
  GtkSelectionModel *model;
  HaulDownload *s1, *s2;

  drop_string (f, text);
  wait_n_items (f, 4);
  s1 = find (f, slow1);
  s2 = find (f, slow2);
  haul_test_wait_finished (find (f, done1));
  haul_test_wait_finished (find (f, done2));
  haul_queue_pause (f->queue, s1);
  haul_queue_pause (f->queue, s2);
  wait_state (s1, HAUL_DOWNLOAD_STATE_PAUSED);
  wait_state (s2, HAUL_DOWNLOAD_STATE_PAUSED);
  g_assert_false (gtk_revealer_get_reveal_child (filter_bar));

  /* Active: two of four shown, and the window says so. */
  g_assert_true (gtk_widget_activate_action (f->window, "win.search", NULL));
  gtk_drop_down_set_selected (state, 1);
  assert_n_shown (f, 2);
  g_assert_true (gtk_revealer_get_reveal_child (filter_bar));
  haul_test_assert_shows (f->window, "Showing 2 of 4 downloads");
  g_assert_true (gtk_widget_has_css_class (search_button, "accent"));

  /* Alt+Up moves the second shown row above the first, past the hidden
   * finished one between them, and it stays selected. */
  select_only (f, s2);
  settle_actions ();
  press_keys (f->window, "alt+Up");
  g_assert_true (position_is (f->queue, s2, 1));
  g_assert_true (position_is (f->queue, s1, 2));
  model = gtk_list_view_get_model (haul_test_find_list_view (f->window));
  g_assert_true (gtk_selection_model_is_selected (model, 0));
  {
    g_autoptr(HaulDownload) first = g_list_model_get_item (G_LIST_MODEL (model), 0);

    g_assert_true (first == s2);
  }
  /* The row's menu moves it back down, past the same hidden row. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (haul_test_find_row (f->window, s2)), "row.move-down", NULL));
  g_assert_true (position_is (f->queue, s1, 1));
  g_assert_true (position_is (f->queue, s2, 2));

  /* Escape (from the list) closes the search, and the filter with it. */
  select_only (f, s1);
  press_keys (f->window, "Escape");
  g_assert_false (gtk_search_bar_get_search_mode (bar));
  g_assert_cmpuint (gtk_drop_down_get_selected (state), ==, 0);
  assert_n_shown (f, 4);
  g_assert_false (gtk_revealer_get_reveal_child (filter_bar));
  g_assert_false (gtk_widget_has_css_class (search_button, "accent"));

  /* The search button too. */
  g_assert_true (gtk_widget_activate_action (f->window, "win.search", NULL));
  gtk_drop_down_set_selected (state, 2);
  assert_n_shown (f, 2);
  gtk_search_bar_set_search_mode (bar, FALSE);
  assert_n_shown (f, 4);
  g_assert_cmpuint (gtk_drop_down_get_selected (state), ==, 0);

  /* Nothing matches: the page says how to see everything again. */
  g_assert_true (gtk_widget_activate_action (f->window, "win.search", NULL));
  gtk_editable_set_text (GTK_EDITABLE (find_widget_of_type (f->window, GTK_TYPE_SEARCH_ENTRY)), "nothing-like-this");
  assert_n_shown (f, 0);
  haul_test_assert_shows (f->window, "No Matching Downloads");
  {
    GtkWidget *show_all = haul_test_find_button (f->window, "Show _All Downloads");

    g_assert_nonnull (show_all);
    g_signal_emit_by_name (show_all, "clicked");
  }
  assert_n_shown (f, 4);
  g_assert_true (gtk_search_bar_get_search_mode (bar));
  gtk_search_bar_set_search_mode (bar, FALSE);
}

static void
test_filter_shown (void)
{
  haul_test_run_in_app (body_filter_shown);
}

static guint
n_selected (Fixture *f)
{
  GtkSelectionModel *model = gtk_list_view_get_model (haul_test_find_list_view (f->window));
  g_autoptr(GtkBitset) set = gtk_selection_model_get_selection (model);

  return gtk_bitset_get_size (set);
}

static GtkEventController *
find_controller (GtkWidget *widget,
                 GType      type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type))
        return c;  /* still held by the widget */
    }
  return NULL;
}

static gboolean
popover_shown (gpointer popover)
{
  return popover != NULL && gtk_widget_get_mapped (popover);
}

static gboolean
popover_hidden (gpointer popover)
{
  return !gtk_widget_get_visible (popover);
}

static GtkWidget *
row_menu_popover (GtkWidget *row)
{
  return GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (find_widget_of_type (row,
                                                                                        GTK_TYPE_MENU_BUTTON))));
}

/* Escape lets go of a selection of many (after closing the search);
 * right-click and long-press open a row's menu where they happen, and
 * Shift+F10 or the Menu key open the focused row's. */
static void
body_escape_and_row_menus (Fixture *f)
{
  g_autofree char *ua = serve (f, "/menu-a.bin", 4 * 1024 * 1024, 64 * 1024, NULL);
  g_autofree char *ub = serve (f, "/menu-b.bin", 4 * 1024 * 1024, 64 * 1024, NULL);
  g_autofree char *uc = serve (f, "/menu-c.bin", 4 * 1024 * 1024, 64 * 1024, NULL);
  g_autofree char *text = g_strdup_printf ("%s\n%s\n%s\n", ua, ub, uc);
  GtkSearchBar *bar = GTK_SEARCH_BAR (find_widget_of_type (f->window, GTK_TYPE_SEARCH_BAR));
  GtkRevealer *selection_bar = GTK_REVEALER (gtk_widget_get_template_child (f->window, HAUL_TYPE_WINDOW,
                                                                             "selection_revealer"));
  GtkWidget *row, *menu;
  HaulDownload *a;

  drop_string (f, text);
  wait_n_items (f, 3);
  a = find (f, ua);
  wait_state (a, HAUL_DOWNLOAD_STATE_DOWNLOADING);

  gtk_widget_grab_focus (GTK_WIDGET (haul_test_find_list_view (f->window)));
  press_keys (f->window, "ctrl+a");
  g_assert_cmpuint (n_selected (f), ==, 3);
  haul_test_assert_shows (f->window, "3 selected");

  /* With the search open, the first Escape closes it, the selection stays. */
  g_assert_true (gtk_widget_activate_action (f->window, "win.search", NULL));
  haul_test_spin (100);
  press_keys (f->window, "Escape");
  g_assert_false (gtk_search_bar_get_search_mode (bar));
  g_assert_cmpuint (n_selected (f), ==, 3);
  /* The next lets go of the selection. */
  gtk_widget_grab_focus (GTK_WIDGET (haul_test_find_list_view (f->window)));
  press_keys (f->window, "Escape");
  g_assert_cmpuint (n_selected (f), ==, 0);
  g_assert_false (gtk_revealer_get_reveal_child (selection_bar));

  /* Right-click on a row: its menu, at the pointer. */
  row = GTK_WIDGET (haul_test_find_row (f->window, a));
  g_assert_nonnull (row);
  {
    GtkEventController *click = NULL;
    g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (row);

    for (guint i = 0; i < g_list_model_get_n_items (controllers) && click == NULL; i++)
      {
        g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);

        if (GTK_IS_GESTURE_CLICK (c) &&
            gtk_gesture_single_get_button (GTK_GESTURE_SINGLE (c)) == GDK_BUTTON_SECONDARY)
          click = c;
      }
    g_assert_nonnull (click);
    g_signal_emit_by_name (click, "pressed", 1, 40.0, 12.0);
  }
  menu = GTK_WIDGET (haul_download_row_get_context_menu (HAUL_DOWNLOAD_ROW (row)));
  g_assert_true (haul_test_wait_until (popover_shown, menu, WAIT_MS));
  haul_test_assert_shows (menu, "Copy Link");
  haul_test_assert_shows (menu, "Cancel Download");
  {
    GdkRectangle at;

    g_assert_true (gtk_popover_get_pointing_to (GTK_POPOVER (menu), &at));
    g_assert_cmpint (at.x, ==, 40);
    g_assert_cmpint (at.y, ==, 12);
  }
  gtk_popover_popdown (GTK_POPOVER (menu));
  g_assert_true (haul_test_wait_until (popover_hidden, menu, WAIT_MS));

  /* A long press (touch) opens it too. */
  {
    GtkEventController *press = find_controller (row, GTK_TYPE_GESTURE_LONG_PRESS);

    g_assert_nonnull (press);
    g_signal_emit_by_name (press, "pressed", 60.0, 20.0);
  }
  g_assert_true (haul_test_wait_until (popover_shown, menu, WAIT_MS));
  gtk_popover_popdown (GTK_POPOVER (menu));
  g_assert_true (haul_test_wait_until (popover_hidden, menu, WAIT_MS));

  /* The keyboard: Home focuses the first row, Shift+F10 opens its menu,
   * Escape closes it, the Menu key opens it again. */
  gtk_widget_grab_focus (GTK_WIDGET (haul_test_find_list_view (f->window)));
  press_keys (f->window, "Home");
  row = GTK_WIDGET (haul_test_find_row (f->window, haul_queue_get_download (f->queue, 0)));
  press_keys (f->window, "shift+F10");
  g_assert_true (haul_test_wait_until (popover_shown, row_menu_popover (row), WAIT_MS));
  press_keys (f->window, "Escape");
  g_assert_true (haul_test_wait_until (popover_hidden, row_menu_popover (row), WAIT_MS));
  press_keys (f->window, "Menu");
  g_assert_true (haul_test_wait_until (popover_shown, row_menu_popover (row), WAIT_MS));
  gtk_popover_popdown (GTK_POPOVER (row_menu_popover (row)));
}

static void
test_escape_and_row_menus (void)
{
  haul_test_run_in_app (body_escape_and_row_menus);
}

/* Whether @download's row is inside the list's viewport. */
static gboolean
row_in_view (gpointer data)
{
  void **args = data;
  GtkWidget *window = args[0];
  HaulDownloadRow *row = haul_test_find_row (window, args[1]);
  GtkWidget *viewport;
  graphene_rect_t bounds;

  if (row == NULL)
    return FALSE;
  viewport = gtk_widget_get_ancestor (GTK_WIDGET (row), GTK_TYPE_SCROLLED_WINDOW);
  if (!gtk_widget_compute_bounds (GTK_WIDGET (row), viewport, &bounds))
    return FALSE;
  /* A row just built and not yet allocated is 0 high. */
  return bounds.size.height > 0 && bounds.origin.y >= 0 && bounds.origin.y + bounds.size.height <= gtk_widget_get_height (viewport);
}

static void
assert_in_view (Fixture      *f,
                HaulDownload *d)
{
  void *args[] = { f->window, d };

  if (!haul_test_wait_until (row_in_view, args, WAIT_MS))
    g_error ("the row of %s is not in view", haul_download_get_uri (d));
}

/* New downloads join at the end whichever way they come (paste, drop,
 * `haul URL`, the launcher's open), and the list scrolls to them. */
static void
body_added_in_view (Fixture *f)
{
  g_autoptr(GString) many = g_string_new (NULL);
  GtkAdjustment *vadj;
  GtkWidget *list;
  const char *pasted = "http://127.0.0.1:9/later/pasted.bin";
  const char *opened = "http://127.0.0.1:9/later/opened.bin";

  g_settings_set_int (haul_application_get_settings (f->app), "max-active", 1);
  for (guint i = 0; i < 200; i++)
    g_string_append_printf (many, "http://127.0.0.1:9/many/%03u.bin\n", i);
  drop_string (f, many->str);
  wait_n_items (f, 200);
  list = GTK_WIDGET (haul_test_find_list_view (f->window));
  vadj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (list));
  assert_in_view (f, find (f, "http://127.0.0.1:9/many/000.bin"));
  haul_test_spin (200);
  g_assert_cmpfloat (gtk_adjustment_get_value (vadj), ==, 0);

  /* Pasted: last in the list, scrolled to. */
  gdk_clipboard_set_text (gtk_widget_get_clipboard (f->window), pasted);
  g_assert_true (gtk_widget_activate_action (f->window, "win.paste", NULL));
  wait_n_items (f, 201);
  g_assert_true (position_is (f->queue, find (f, pasted), 200));
  assert_in_view (f, find (f, pasted));
  g_assert_cmpfloat (gtk_adjustment_get_value (vadj), >, 0);

  /* Opened (the launcher, `haul URL`), from the top of the list: the same place. */
  gtk_adjustment_set_value (vadj, 0);
  haul_test_spin (200);
  g_assert_false (row_in_view ((void *[]) { f->window, find (f, pasted) }));
  {
    g_autoptr(GFile) file = g_file_new_for_uri (opened);
    GFile *files[] = { file };

    g_signal_emit_by_name (f->app, "open", files, 1, "");
  }
  wait_n_items (f, 202);
  g_assert_true (position_is (f->queue, find (f, opened), 201));
  assert_in_view (f, find (f, opened));

  g_settings_reset (haul_application_get_settings (f->app), "max-active");
}

static void
test_added_in_view (void)
{
  haul_test_run_in_app (body_added_in_view);
}

static void
collect_uris (HaulStore *store,
              GPtrArray *records,
              gpointer   user_data)
{
  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (user_data, g_strdup (((HaulStoreRecord *) g_ptr_array_index (records, i))->uri));
}

/* `haul URL` starting Haul with a saved list: the link joins after the
 * saved downloads (and is saved), as it would in a running Haul. */
static void
test_start_with_link_after_saved (void)
{
  g_autoptr(HaulTestServer) server = haul_test_server_new ();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GPtrArray) uris = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(HaulStore) store = NULL;
  g_autoptr(GError) error = NULL;
  char *u[3], *part[3];
  const char *bin = g_getenv ("HAUL_BINARY");

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("/saved-order-%u.bin", i);
      g_autoptr(GBytes) content = haul_test_content (4 * 1024 * 1024, 50 + i);

      haul_test_server_add_file (server, name, content, &(HaulTestFileOptions) { .rate = 64 * 1024 });
      u[i] = haul_test_server_uri (server, name);
      part[i] = g_strdup_printf ("%s%s.part", haul_folders_get_default (), name);
    }
  g_subprocess_launcher_unsetenv (launcher, "HAUL_NO_STORE");

  for (guint run = 0; run < 2; run++)
    {
      g_autoptr(GSubprocess) haul = NULL;

      if (run == 0)
        haul = g_subprocess_launcher_spawn (launcher, &error, bin, u[0], u[1], NULL);
      else
        haul = g_subprocess_launcher_spawn (launcher, &error, bin, u[2], NULL);
      g_assert_no_error (error);
      g_assert_true (haul_test_wait_until (part_exists, part[run == 0 ? 1 : 2], WAIT_MS));
      g_subprocess_send_signal (haul, SIGTERM);
      g_assert_true (g_subprocess_wait_check (haul, NULL, &error));
      g_assert_no_error (error);
    }

  {
    g_autofree char *path = haul_store_default_path ();
    HaulTestAsync opened = { 0 }, loaded = { 0 };

    store = haul_store_new (path);
    haul_store_open_async (store, NULL, haul_test_async_cb, &opened);
    g_assert_true (haul_store_open_finish (store, haul_test_async_wait (&opened), NULL, &error));
    g_assert_no_error (error);
    g_clear_object (&opened.result);
    haul_store_load_async (store, collect_uris, uris, NULL, haul_test_async_cb, &loaded);
    g_assert_true (haul_store_load_finish (store, haul_test_async_wait (&loaded), NULL, NULL, &error));
    g_assert_no_error (error);
    g_clear_object (&loaded.result);
    haul_store_close (store);
  }
  g_assert_cmpuint (uris->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpstr (g_ptr_array_index (uris, i), ==, u[i]);
      g_free (u[i]);
      g_free (part[i]);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = g_dir_make_tmp ("haul-ui-home-XXXXXX", NULL);
  g_autofree char *config = g_build_filename (home, ".config", NULL);

  /* Not G_TEST_OPTION_ISOLATE_DIRS: that hides the system's GSettings
   * schemas GTK needs. Only the home and config folders are private, and
   * no list is saved. */
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("HAUL_NO_STORE", "1", TRUE);
  g_test_init (&argc, &argv, NULL);
  /* The translations built in this tree (po/LANG/LC_MESSAGES/haul.mo). */
  {
    g_autofree char *po = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);

    bindtextdomain (GETTEXT_PACKAGE, po);
    bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
    textdomain (GETTEXT_PACKAGE);
  }

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL || !gtk_init_check ())
    {
      g_printerr ("no display or no D-Bus session: run the ui suite under "
                  "dbus-run-session -- xvfb-run -a\n");
      return 77;
    }
  if (!g_test_subprocess ())
    fake_desktop_start ();

  g_test_add_func ("/haul/ui/window/empty-state", test_empty_state);
  g_test_add_func ("/haul/ui/window/add-dialog", test_add_dialog);
  g_test_add_func ("/haul/ui/window/paste", test_paste);
  g_test_add_func ("/haul/ui/window/remembered-folder", test_remembered_folder);
  g_test_add_func ("/haul/ui/window/drop", test_drop);
  g_test_add_func ("/haul/ui/window/undo", test_undo);
  g_test_add_func ("/haul/ui/window/row-actions", test_row_actions);
  g_test_add_func ("/haul/ui/window/keyboard", test_keyboard);
  g_test_add_func ("/haul/ui/window/filter", test_filter);
  g_test_add_func ("/haul/ui/window/summary", test_summary);
  g_test_add_func ("/haul/ui/window/narrow", test_narrow);
  g_test_add_func ("/haul/ui/window/preferences", test_preferences);
  g_test_add_func ("/haul/ui/window/notifications", test_notifications);
  g_test_add_func ("/haul/ui/window/german", test_german);
  g_test_add_func ("/haul/ui/app/second-instance", test_second_instance);
  g_test_add_func ("/haul/ui/app/latency-report", test_latency_report);
  g_test_add_func ("/haul/ui/app/sigterm-quits-cleanly", test_sigterm_quits_cleanly);
  g_test_add_func ("/haul/ui/window/open-without-app", test_open_without_app);
  g_test_add_func ("/haul/ui/window/filter-shown", test_filter_shown);
  g_test_add_func ("/haul/ui/window/escape-and-row-menus", test_escape_and_row_menus);
  g_test_add_func ("/haul/ui/window/added-in-view", test_added_in_view);
  g_test_add_func ("/haul/ui/app/start-with-link-after-saved", test_start_with_link_after_saved);

  return g_test_run ();
}
