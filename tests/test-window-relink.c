/* test-window-relink.c — a new link for a stopped download, in the real window under Xvfb
 *
 * The real HaulApplication in this process against the in-process HTTP
 * server: "Change Link…" in a paused row's menu, the dialog prefilled from
 * the clipboard, "Check and Continue" clicked (the dialog stays open with
 * its spinner while the link is checked off the main thread), the download
 * completing byte-identical; a different file: the dialog says what
 * differs and "Start Over" downloads the new file from zero; Escape
 * cancels; a pasted link on a selected paused row asks first.
 *
 * With HAUL_TEST_SHOTS=DIR the test saves screenshots of the dialogs at
 * 1000 and 360 pixels there (`import -window root`).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <gtk/gtk.h>
#include <string.h>

#include "haul-application.h"
#include "haul-download-row.h"
#include "haul-folders.h"
#include "haul-relink-dialog.h"
#include "haul-test-desktop.h"
#include "haul-test-queue.h"
#include "haul-test-server.h"
#include "haul-test-widgets.h"
#include "haul-window.h"

#define WAIT_MS 20000
#define SIZE    (2 * MIB)
#define SLOW    (256 * KIB)
#define ETAG    "\"r1\""

typedef HaulTestApp Fixture;

/* ------------------------------------------------------------------ */
/* The window's widgets */

static HaulRelinkDialog *
wait_dialog (void)
{
  HaulRelinkDialog *dialog = HAUL_RELINK_DIALOG (haul_test_wait_toplevel (HAUL_TYPE_RELINK_DIALOG));

  haul_test_spin (100);
  return dialog;
}

static void
wait_dialog_gone (void)
{
  g_assert_true (haul_test_wait_until (haul_test_toplevel_gone, GSIZE_TO_POINTER (HAUL_TYPE_RELINK_DIALOG), WAIT_MS));
}

/* ------------------------------------------------------------------ */
/* Running inside the real application */

static gboolean
half_received (gpointer download)
{
  return haul_download_get_received (download) >= SIZE / 2;
}

static gboolean
is_downloading (gpointer download)
{
  return haul_download_get_state (download) == HAUL_DOWNLOAD_STATE_DOWNLOADING;
}

static GtkEditable *
entry_of (HaulRelinkDialog *dialog)
{
  return GTK_EDITABLE (gtk_widget_get_template_child (GTK_WIDGET (dialog), HAUL_TYPE_RELINK_DIALOG, "entry"));
}

/* Adds @path (served slowly) through a drop, and pauses it at half. */
static HaulDownload *
add_paused (Fixture    *f,
            const char *path,
            GBytes     *content)
{
  g_autofree char *uri = haul_test_server_uri (f->server, path);
  g_auto(GValue) value = G_VALUE_INIT;
  HaulDownload *d;

  haul_test_server_add_file (f->server, path, content, &(HaulTestFileOptions) { .etag = ETAG, .rate = SLOW });
  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, uri);
  g_assert_true (haul_window_drop_value (HAUL_WINDOW (f->window), &value));
  while ((d = haul_queue_find_by_uri (f->queue, uri)) == NULL)
    haul_test_spin (20);
  haul_test_wait_download (d, is_downloading, "downloading");
  haul_test_spin (200);
  {
    g_autofree char *menu = haul_test_row_menu_text (GTK_WIDGET (haul_test_find_row (f->window, d)));

    /* A running download keeps its link. */
    g_assert_nonnull (strstr (menu, "Copy Link"));
    g_assert_null (strstr (menu, "Change _Link"));
  }
  haul_test_wait_download (d, half_received, "half received");
  haul_queue_pause (f->queue, d);
  haul_test_wait_paused (d);
  haul_test_spin (300);
  return d;
}

static gboolean
dialog_is_different (gpointer dialog)
{
  return haul_relink_dialog_is_different (dialog);
}

/* ------------------------------------------------------------------ */
/* Tests */

static void
body_change_link (Fixture *f)
{
  g_autoptr(GBytes) content = haul_test_content (SIZE, 41);
  g_autoptr(GBytes) other = haul_test_content (SIZE + 4 * KIB, 42);
  g_autofree char *fresh = haul_test_server_uri (f->server, "/fresh.bin");
  g_autofree char *other_uri = haul_test_server_uri (f->server, "/other.bin");
  HaulDownload *d, *d2;
  HaulRelinkDialog *dialog;
  GtkWidget *row;
  g_autofree char *menu_text = NULL;

  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 700);
  /* The fresh link answers after a moment: the dialog must stay open and
   * responsive meanwhile. */
  haul_test_server_add_file (f->server, "/fresh.bin", content,
                             &(HaulTestFileOptions) { .etag = ETAG, .headers_delay_ms = 600 });
  haul_test_server_add_file (f->server, "/other.bin", other, &(HaulTestFileOptions) { .etag = "\"r2\"" });
  d = add_paused (f, "/old.bin", content);

  /* The row's menu offers Change Link… for the paused download. */
  row = GTK_WIDGET (haul_test_find_row (f->window, d));
  menu_text = haul_test_row_menu_text (row);
  g_assert_nonnull (strstr (menu_text, "Change _Link…"));

  /* Without a link on the clipboard the entry is empty. */
  gdk_clipboard_set_text (gtk_widget_get_clipboard (f->window), "not a link");
  g_assert_true (gtk_widget_activate_action (row, "row.change-link", NULL));
  dialog = wait_dialog ();
  g_assert_cmpstr (gtk_editable_get_text (entry_of (dialog)), ==, "");
  haul_test_click (GTK_WIDGET (dialog), "_Cancel");
  wait_dialog_gone ();

  /* Prefilled from the clipboard when it holds one link. */
  gdk_clipboard_set_text (gtk_widget_get_clipboard (f->window), fresh);
  g_assert_true (gtk_widget_activate_action (row, "row.change-link", NULL));
  dialog = wait_dialog ();
  g_assert_cmpstr (gtk_editable_get_text (entry_of (dialog)), ==, fresh);
  haul_test_assert_shows (GTK_WIDGET (dialog), "continues from the new link only if it serves the same file");
  haul_test_screenshots (GTK_WINDOW (f->window), "HAUL_TEST_SHOTS", "change-link");

  haul_test_click (GTK_WIDGET (dialog), "Check and _Continue");
  /* Still open, with its spinner, while the server takes its time. */
  haul_test_spin (150);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  g_assert_true (haul_relink_dialog_is_checking (dialog));
  haul_test_assert_shows (GTK_WIDGET (dialog), "Checking the new link…");
  haul_test_screenshot ("HAUL_TEST_SHOTS", "change-link-checking-1000");
  wait_dialog_gone ();
  haul_test_assert_shows (f->window, "Continuing “old.bin” from the new link");
  g_assert_cmpstr (haul_download_get_uri (d), ==, fresh);
  haul_test_wait_finished (d);
  /* The bytes (the window's downloads run in segments, and a paused and
   * resumed one over-counts its received bytes today). */
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  haul_test_assert_file_in (f->dir, "old.bin", content);
  {
    g_auto(GStrv) ranges = haul_test_server_get_ranges (f->server, "/fresh.bin");
    g_autofree char *all = g_strjoinv (" ", ranges);

    g_test_message ("fresh.bin got %s", all);
    /* The probe's byte, then only what was missing: never from zero (the
     * window's downloads run in segments, so there may be several). */
    g_assert_cmpuint (g_strv_length (ranges), >=, 2);
    g_assert_cmpstr (ranges[0], ==, "bytes=0-0");
    for (guint i = 1; ranges[i] != NULL; i++)
      g_assert_false (g_str_has_prefix (ranges[i], "bytes=0-"));
  }

  /* A different file: the dialog says what differs, Start Over works. */
  d2 = add_paused (f, "/old2.bin", content);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (f->window), other_uri);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (haul_test_find_row (f->window, d2)), "row.change-link", NULL));
  dialog = wait_dialog ();
  haul_test_click (GTK_WIDGET (dialog), "Check and _Continue");
  g_assert_true (haul_test_wait_until (dialog_is_different, dialog, WAIT_MS));
  haul_test_assert_shows (GTK_WIDGET (dialog), "The new link is a different file:");
  haul_test_assert_shows (GTK_WIDGET (dialog), "instead of");
  g_assert_cmpstr (haul_download_get_uri (d2), !=, other_uri);
  haul_test_spin (200);
  haul_test_screenshots (GTK_WINDOW (f->window), "HAUL_TEST_SHOTS", "change-link-different");
  haul_test_click (GTK_WIDGET (dialog), "_Start Over");
  wait_dialog_gone ();
  haul_test_assert_shows (f->window, "Starting “old2.bin” over from the new link");
  haul_test_wait_finished (d2);
  haul_test_assert_completed_with (d2, other);
  haul_test_assert_file_in (f->dir, "other.bin", other);
  g_assert_false (g_file_test (g_build_filename (f->dir, "old2.bin.part", NULL), G_FILE_TEST_EXISTS));
}

static void
test_change_link (void)
{
  haul_test_run_in_app (body_change_link);
}

/* Escape cancels; a pasted link on a selected paused row asks first. */
static void
body_paste (Fixture *f)
{
  g_autoptr(GBytes) content = haul_test_content (SIZE, 51);
  g_autofree char *fresh = haul_test_server_uri (f->server, "/fresh2.bin");
  g_autofree char *old = NULL;
  HaulDownload *d;
  HaulRelinkDialog *dialog;
  GtkWindow *question;
  GtkListView *list;

  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 700);
  haul_test_server_add_file (f->server, "/fresh2.bin", content, &(HaulTestFileOptions) { .etag = ETAG });
  d = add_paused (f, "/old3.bin", content);
  old = g_strdup (haul_download_get_uri (d));

  /* Escape (the window's close) is Cancel: nothing changes. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (haul_test_find_row (f->window, d)), "row.change-link", NULL));
  dialog = wait_dialog ();
  gtk_window_close (GTK_WINDOW (dialog));
  wait_dialog_gone ();
  g_assert_cmpstr (haul_download_get_uri (d), ==, old);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_PAUSED);

  /* Ctrl+V with the paused row selected and one link on the clipboard. */
  list = haul_test_find_list_view (f->window);
  gtk_selection_model_select_item (gtk_list_view_get_model (list), 0, TRUE);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (f->window), fresh);
  g_assert_true (gtk_widget_activate_action (f->window, "win.paste", NULL));
  g_assert_true (haul_test_wait_until (haul_test_toplevel_shown, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG), WAIT_MS));
  question = haul_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  haul_test_assert_shows (GTK_WIDGET (question), "Use as the New Link of “old3.bin”?");
  haul_test_click (GTK_WIDGET (question), "_Use as New Link");
  /* It checks at once, and continues. */
  haul_test_assert_shows (f->window, "Continuing “old3.bin” from the new link");
  g_assert_cmpstr (haul_download_get_uri (d), ==, fresh);
  haul_test_wait_finished (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  haul_test_assert_file_in (f->dir, "old3.bin", content);

  /* A completed row: a pasted link is a new download, as before. */
  {
    g_autofree char *another = haul_test_server_uri (f->server, "/fresh2.bin?copy");
    guint n = g_list_model_get_n_items (G_LIST_MODEL (f->queue));

    haul_test_server_add_file (f->server, "/another.bin", content, NULL);
    g_free (another);
    another = haul_test_server_uri (f->server, "/another.bin");
    gdk_clipboard_set_text (gtk_widget_get_clipboard (f->window), another);
    g_assert_true (gtk_widget_activate_action (f->window, "win.paste", NULL));
    haul_test_spin (300);
    g_assert_null (haul_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
    while (g_list_model_get_n_items (G_LIST_MODEL (f->queue)) == n)
      haul_test_spin (20);
    g_assert_nonnull (haul_queue_find_by_uri (f->queue, another));
  }
}

/* What a drop of @text on @row does, through the row's own drop target. */
static gboolean
drop_on_row (GtkWidget  *row,
             const char *text)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (row);
  g_auto(GValue) value = G_VALUE_INIT;
  gboolean ok = FALSE;

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, text);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (c))
        {
          g_signal_emit_by_name (c, "drop", &value, 10.0, 10.0, &ok);
          return ok;
        }
    }
  g_error ("the row has no drop target");
}

/* One link dropped on a paused row: checked at once; two links: added. */
static void
body_drop_on_row (Fixture *f)
{
  g_autoptr(GBytes) content = haul_test_content (SIZE, 61);
  g_autofree char *fresh = haul_test_server_uri (f->server, "/fresh4.bin");
  g_autofree char *x = haul_test_server_uri (f->server, "/x.bin");
  g_autofree char *y = haul_test_server_uri (f->server, "/y.bin");
  g_autofree char *two = g_strdup_printf ("%s\n%s\n", x, y);
  HaulDownload *d;

  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 700);
  haul_test_server_add_file (f->server, "/fresh4.bin", content, &(HaulTestFileOptions) { .etag = ETAG });
  haul_test_server_add_file (f->server, "/x.bin", content, NULL);
  haul_test_server_add_file (f->server, "/y.bin", content, NULL);
  d = add_paused (f, "/old4.bin", content);

  /* Two links are not "a new link": they are added, as on the window. */
  g_assert_true (drop_on_row (GTK_WIDGET (haul_test_find_row (f->window, d)), two));
  while (haul_queue_find_by_uri (f->queue, y) == NULL)
    haul_test_spin (20);
  g_assert_nonnull (haul_queue_find_by_uri (f->queue, x));
  g_assert_null (haul_test_find_toplevel (HAUL_TYPE_RELINK_DIALOG));
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_PAUSED);

  g_assert_true (drop_on_row (GTK_WIDGET (haul_test_find_row (f->window, d)), fresh));
  haul_test_assert_shows (f->window, "Continuing “old4.bin” from the new link");
  g_assert_cmpstr (haul_download_get_uri (d), ==, fresh);
  haul_test_wait_finished (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  haul_test_assert_file_in (f->dir, "old4.bin", content);
}

static void
test_drop_on_row (void)
{
  haul_test_run_in_app (body_drop_on_row);
}

static void
test_paste (void)
{
  haul_test_run_in_app (body_paste);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = g_dir_make_tmp ("haul-ui-home-XXXXXX", NULL);
  g_autofree char *config = g_build_filename (home, ".config", NULL);

  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("HAUL_NO_STORE", "1", TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL || !gtk_init_check ())
    {
      g_printerr ("no display or no D-Bus session: run the ui suite under dbus-run-session -- xvfb-run -a\n");
      return 77;
    }
  fake_desktop_start ();
  haul_test_ignore_proxies ();

  g_test_add_func ("/haul/ui/relink/change-link", test_change_link);
  g_test_add_func ("/haul/ui/relink/paste", test_paste);
  g_test_add_func ("/haul/ui/relink/drop-on-row", test_drop_on_row);
  return g_test_run ();
}
