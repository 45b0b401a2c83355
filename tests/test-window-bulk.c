/* test-window-bulk.c — ten thousand downloads in the real window, with a real store
 *
 * The real HaulApplication with its real window (under Xvfb and a D-Bus
 * session) and its real SQLite store in a private XDG_DATA_HOME. Ten
 * thousand links (to 127.0.0.1:9, where nothing answers) are added the way
 * a paste adds them, all paused from the header's action, selected with
 * Ctrl+A and removed with Delete, as a person would (xdotool). The list and
 * the database (re-opened by a second HaulStore, then again after Haul
 * quit) must be empty. And three running downloads removed, then put back
 * with the toast's Undo: they resume from their kept .part files and end
 * with the right bytes (the in-process test server). Not timed:
 * tests/bench/bench-bulk.c measures.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>

#include "haul-application.h"
#include "haul-store.h"
#include "haul-test-queue.h"
#include "haul-test-server.h"
#include "haul-test-widgets.h"
#include "haul-window.h"

#define WAIT_MS 120000
#define N_LINKS 10000

typedef struct _Fixture Fixture;
typedef void (*TestBody) (Fixture *f);

struct _Fixture
{
  HaulApplication *app;
  GtkWidget       *window;
  HaulQueue       *queue;
  HaulTestServer  *server;
  char            *db_path;
  TestBody         body;
  gboolean         done;
};

/* ------------------------------------------------------------------ */
/* The database, read by a store of our own */

static void
count_chunk (HaulStore *store,
             GPtrArray *records,
             gpointer   user_data)
{
}

/* How many downloads the file at @path holds now. */
static guint
count_saved (const char *path)
{
  g_autoptr(HaulStore) store = haul_store_new (path);
  g_autoptr(GError) error = NULL;
  HaulTestAsync w = { 0 }, w2 = { 0 };
  guint n = 0, skipped = 0;

  haul_store_open_async (store, NULL, haul_test_async_cb, &w);
  g_assert_true (haul_store_open_finish (store, haul_test_async_wait (&w), NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&w.result);
  haul_store_load_async (store, count_chunk, NULL, NULL, haul_test_async_cb, &w2);
  g_assert_true (haul_store_load_finish (store, haul_test_async_wait (&w2), &n, &skipped, &error));
  g_assert_no_error (error);
  g_clear_object (&w2.result);
  g_assert_cmpuint (skipped, ==, 0);
  haul_store_close (store);
  return n;
}

typedef struct
{
  const char *path;
  guint       n;
} SavedCount;

static gboolean
saved_is (gpointer data)
{
  SavedCount *c = data;

  return count_saved (c->path) == c->n;
}

static void
wait_saved (Fixture *f,
            guint    n)
{
  SavedCount c = { f->db_path, n };

  if (!haul_test_wait_until (saved_is, &c, WAIT_MS))
    g_error ("the database holds %u downloads, not %u", count_saved (f->db_path), n);
}

/* ------------------------------------------------------------------ */
/* The window */

typedef struct
{
  Fixture           *f;
  guint              n;
  HaulDownloadState  state;
} QueueCount;

static gboolean
queue_has_n (gpointer data)
{
  QueueCount *c = data;

  return g_list_model_get_n_items (G_LIST_MODEL (c->f->queue)) == c->n;
}

static void
wait_n_items (Fixture *f,
              guint    n)
{
  QueueCount c = { f, n, 0 };

  if (!haul_test_wait_until (queue_has_n, &c, WAIT_MS))
    g_error ("the list has %u downloads, not %u", g_list_model_get_n_items (G_LIST_MODEL (f->queue)), n);
}

static gboolean
n_in_state_is (gpointer data)
{
  QueueCount *c = data;

  return haul_queue_get_n_in_state (c->f->queue, c->state) == c->n &&
         haul_queue_get_n_active (c->f->queue) == 0;
}

/* Real key presses through the X server (XTEST), as a person types them. */
static void
press_keys (GtkWidget  *window,
            const char *keys)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) p = NULL;
  g_autofree char *x = g_strdup_printf ("%d", gtk_widget_get_width (window) / 2);
  g_autofree char *y = g_strdup_printf ("%d", gtk_widget_get_height (window) / 3);
  HaulTestAsync w = { 0 };

  /* No window manager: keyboard focus follows the pointer. */
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

static gboolean
db_exists (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* ------------------------------------------------------------------ */

static void
body_remove_ten_thousand (Fixture *f)
{
  g_autoptr(GString) text = g_string_new (NULL);
  GtkListView *list;
  g_autoptr(GtkBitset) selected = NULL;
  QueueCount paused = { f, N_LINKS, HAUL_DOWNLOAD_STATE_PAUSED };

  /* The store is open (its file made) and the empty list loaded. */
  g_assert_true (haul_test_wait_until (db_exists, f->db_path, WAIT_MS));
  haul_test_spin (500);

  g_settings_set_int (haul_application_get_settings (f->app), "max-active", 1);
  for (guint i = 0; i < N_LINKS; i++)
    g_string_append_printf (text, "http://127.0.0.1:9/bulk/%05u.iso\n", i);
  haul_window_import (HAUL_WINDOW (f->window), text->str, NULL, NULL, NULL);
  wait_n_items (f, N_LINKS);
  haul_test_assert_shows (f->window, "Added 10000 downloads");

  /* All paused from the header (nothing ever downloads). */
  haul_test_spin (300);
  g_assert_true (gtk_widget_activate_action (f->window, "win.pause-all", NULL));
  if (!haul_test_wait_until (n_in_state_is, &paused, WAIT_MS))
    g_error ("%u of %u paused", haul_queue_get_n_in_state (f->queue, HAUL_DOWNLOAD_STATE_PAUSED), N_LINKS);
  wait_saved (f, N_LINKS);

  /* Ctrl+A, Delete. */
  list = haul_test_find_list_view (f->window);
  g_assert_nonnull (list);
  gtk_widget_grab_focus (GTK_WIDGET (list));
  press_keys (f->window, "ctrl+a");
  selected = gtk_selection_model_get_selection (gtk_list_view_get_model (list));
  g_assert_cmpuint (gtk_bitset_get_size (selected), ==, N_LINKS);
  haul_test_assert_shows (f->window, "10000 selected");
  press_keys (f->window, "Delete");

  /* (Its toast waits behind the one of the add: toasts take turns.) */
  wait_n_items (f, 0);
  haul_test_assert_shows (f->window, "No Downloads");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (list))), ==, 0);
  for (guint s = 0; s <= HAUL_DOWNLOAD_STATE_CANCELLED; s++)
    g_assert_cmpuint (haul_queue_get_n_in_state (f->queue, s), ==, 0);
  wait_saved (f, 0);
}

/* Removing running downloads keeps their .part files for the toast's
 * Undo, which puts them back where they were; they resume from their
 * .part and end with the right bytes. */
static GtkWidget *
find_undo (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), "_Undo") == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_undo (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
undo_shown (gpointer window)
{
  return find_undo (window) != NULL;
}

static gboolean
all_receiving (gpointer data)
{
  GPtrArray *downloads = data;

  for (guint i = 0; i < downloads->len; i++)
    if (haul_download_get_received (g_ptr_array_index (downloads, i)) == 0)
      return FALSE;
  return TRUE;
}

static void
body_undo_remove (Fixture *f)
{
  g_autoptr(GPtrArray) downloads = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) contents = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("haul-ui-bulk-dl-XXXXXX", &error);
  gint64 kept[3];

  /* All three at once, one stream each, slow: still running when they
   * are removed. */
  g_settings_set_int (haul_application_get_settings (f->app), "max-active", 4);
  g_settings_set_int (haul_application_get_settings (f->app), "connections-per-download", 1);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *path = g_strdup_printf ("/undo-%u.bin", i);
      g_autofree char *uri = haul_test_server_uri (f->server, path);
      GBytes *content = haul_test_content (2 * 1024 * 1024, i + 1);
      HaulDownload *d;

      haul_test_server_add_file (f->server, path, content, &(HaulTestFileOptions) { .rate = 256 * 1024 });
      g_ptr_array_add (contents, content);
      d = haul_queue_add (f->queue, uri, dir, &error);
      g_assert_no_error (error);
      g_ptr_array_add (downloads, g_object_ref (d));
    }
  g_assert_true (haul_test_wait_until (all_receiving, downloads, WAIT_MS));

  gtk_widget_activate_action (GTK_WIDGET (haul_test_find_list_view (f->window)), "list.select-all", NULL);
  haul_test_spin (100);
  g_assert_true (gtk_widget_activate_action (f->window, "win.remove-selected", NULL));
  wait_n_items (f, 0);
  haul_test_assert_shows (f->window, "Removed 3 downloads from the list");
  g_assert_true (haul_test_wait_until (undo_shown, f->window, WAIT_MS));
  for (guint i = 0; i < 3; i++)
    {
      HaulDownload *d = g_ptr_array_index (downloads, i);
      g_autofree char *path = NULL;

      haul_test_wait_paused (d);
      path = haul_download_dup_path (d);
      g_ptr_array_add (parts, g_strconcat (path, ".part", NULL));
      g_assert_true (g_file_test (g_ptr_array_index (parts, i), G_FILE_TEST_EXISTS));
      kept[i] = haul_download_get_received (d);
      g_assert_cmpint (kept[i], >, 0);
    }

  /* Not while the toast slides in (libadwaita 1.2 crashes on that). */
  haul_test_spin (400);
  g_signal_emit_by_name (find_undo (f->window), "clicked");
  wait_n_items (f, 3);
  for (guint i = 0; i < 3; i++)
    {
      HaulDownload *d = g_ptr_array_index (downloads, i);
      g_autofree char *path = g_strdup_printf ("/undo-%u.bin", i);
      g_auto(GStrv) ranges = NULL;
      g_autofree char *expected = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", kept[i]);

      g_assert_true (haul_queue_get_download (f->queue, i) == d);
      haul_test_wait_finished (d);
      haul_test_assert_completed_with (d, g_ptr_array_index (contents, i));
      /* It went on from what its .part held. */
      ranges = haul_test_server_get_ranges (f->server, path);
      g_assert_nonnull (ranges[0]);
      g_assert_true (g_str_has_prefix (ranges[g_strv_length (ranges) - 1], expected));
    }
  haul_test_rm_rf (dir);
}

static void
run_body (gpointer data)
{
  Fixture *f = data;

  f->window = GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
  g_assert_nonnull (f->window);
  f->queue = haul_application_get_queue (f->app);
  g_assert_true (haul_test_wait_until ((HaulTestPredicate) gtk_widget_get_mapped, f->window, WAIT_MS));
  f->body (f);
  f->done = TRUE;
  g_application_quit (G_APPLICATION (f->app));
}

static void
run_in_app (TestBody body)
{
  g_autoptr(HaulApplication) app = haul_application_new ();
  g_autoptr(HaulTestServer) server = haul_test_server_new ();
  char *argv[] = { (char *) "haul", NULL };
  Fixture f = { 0 };

  f.app = app;
  f.server = server;
  f.body = body;
  f.db_path = haul_store_default_path ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_idle_add_once (run_body, &f);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, argv), ==, 0);
  g_assert_true (f.done);

  /* Haul quit and closed its database: opened again, it is empty. */
  if (body == body_remove_ten_thousand)
    g_assert_cmpuint (count_saved (f.db_path), ==, 0);
  g_free (f.db_path);
}

static void
test_remove_ten_thousand (void)
{
  run_in_app (body_remove_ten_thousand);
}

static void
test_undo_remove (void)
{
  run_in_app (body_undo_remove);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = g_dir_make_tmp ("haul-ui-bulk-XXXXXX", NULL);
  g_autofree char *config = g_build_filename (home, ".config", NULL);
  g_autofree char *data = g_build_filename (home, ".local", "share", NULL);

  /* A private home, settings and database (a real one: no HAUL_NO_STORE). */
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_unsetenv ("HAUL_NO_STORE");
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL || !gtk_init_check ())
    {
      g_printerr ("no display or no D-Bus session: run the ui suite under "
                  "dbus-run-session -- xvfb-run -a\n");
      return 77;
    }

  g_test_add_func ("/haul/ui/bulk/remove-ten-thousand", test_remove_ten_thousand);
  g_test_add_func ("/haul/ui/bulk/undo-remove", test_undo_remove);
  return g_test_run ();
}
