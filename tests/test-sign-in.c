/* test-sign-in.c — "Needs a password", Sign In…, and the keyring, in the real window under Xvfb
 *
 * A real keyring (tests/haul-test-keyring.c): gnome-keyring-daemon
 * (secrets component only) started in the test's D-Bus session with a
 * throwaway HOME, XDG_DATA_HOME and XDG_RUNTIME_DIR, so it makes a fresh
 * login keyring. Haul's keyring code (src/haul-keyring.c) stores and
 * looks up through libsecret as it would in a session; the test checks
 * with libsecret's own `secret-tool` too. The window's real
 * store (SQLite) is read as bytes after Haul quits, and everything logged
 * (G_MESSAGES_DEBUG=all, tests/haul-test-log.c) is captured: neither
 * holds a password.
 *
 * With HAUL_SHOTS_DIR set, screenshots of the row and the dialog at 1000
 * and 360 pixels wide are written there (ImageMagick's `import`).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "haul-application.h"
#include "haul-download-row.h"
#include "haul-folders.h"
#include "haul-keyring.h"
#include "haul-sign-in-dialog.h"
#include "haul-test-desktop.h"
#include "haul-test-keyring.h"
#include "haul-test-log.h"
#include "haul-test-queue.h"
#include "haul-test-server.h"
#include "haul-test-widgets.h"
#include "haul-window.h"

#define WAIT_MS  20000
#define USER     "alice"
#define PASSWORD "Kr4ken-pass-51e0"
#define WRONG    "not-it-83b2"

static char        *data_home;

/* ------------------------------------------------------------------ */
/* The keyring, through src/haul-keyring.c */

typedef struct
{
  char *user;
  char *password;
  gboolean ok;
  gboolean done;
} LookupResult;

static void
looked_up_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  LookupResult *r = data;
  g_autoptr(GError) error = NULL;

  r->ok = haul_keyring_lookup_finish (result, &r->user, &r->password, &error);
  g_assert_no_error (error);
  r->done = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static void
lookup (const char   *server,
        const char   *user,
        LookupResult *r)
{
  *r = (LookupResult) { 0 };
  haul_keyring_lookup_async (server, user, NULL, looked_up_cb, r);
  g_assert_true (haul_test_wait_until (is_true, &r->done, WAIT_MS));
  g_assert_true (r->ok);
}

static void
stored_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (haul_keyring_store_finish (result, &error));
  g_assert_no_error (error);
  *(gboolean *) data = TRUE;
}

/* Store and look up through src/haul-keyring.c, against the real daemon. */
static void
test_keyring (void)
{
  gboolean stored = FALSE;
  LookupResult r;
  g_autofree char *tool = NULL;
  g_autofree char *server = haul_keyring_server_for_uri ("https://files.example.org/a/b.iso?x=1");

  g_assert_cmpstr (server, ==, "https://files.example.org:443");
  haul_keyring_store_async (server, "bob", "first-pw", NULL, stored_cb, &stored);
  g_assert_true (haul_test_wait_until (is_true, &stored, WAIT_MS));

  lookup (server, "bob", &r);
  g_assert_cmpstr (r.user, ==, "bob");
  g_assert_cmpstr (r.password, ==, "first-pw");
  g_free (r.user);
  g_free (r.password);

  /* Without a user name: the server's saved one. */
  lookup (server, NULL, &r);
  g_assert_cmpstr (r.user, ==, "bob");
  g_assert_cmpstr (r.password, ==, "first-pw");
  g_free (r.user);
  g_free (r.password);

  /* Storing again replaces it. */
  stored = FALSE;
  haul_keyring_store_async (server, "bob", "second-pw", NULL, stored_cb, &stored);
  g_assert_true (haul_test_wait_until (is_true, &stored, WAIT_MS));
  tool = haul_test_keyring_lookup (server, "bob");
  g_assert_cmpstr (tool, ==, "second-pw");

  /* Nothing for another server, or another user. */
  lookup ("https://other.example.org:443", NULL, &r);
  g_assert_null (r.user);
  g_assert_null (r.password);
  lookup (server, "carol", &r);
  g_assert_null (r.password);
}

/* ------------------------------------------------------------------ */
/* The window */

typedef HaulTestApp Fixture;

/* A click on one of the dialog's buttons, as a person would. */
static void
click (HaulSignInDialog *dialog,
       const char       *label)
{
  GtkWidget *button = haul_test_find_button (GTK_WIDGET (dialog), label);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (haul_test_wait_until (haul_test_toplevel_gone, GSIZE_TO_POINTER (HAUL_TYPE_SIGN_IN_DIALOG), WAIT_MS));
}

/* Opens Sign In… from the row, fills it in, answers with @response. */
static void
sign_in (Fixture      *f,
         HaulDownload *d,
         const char   *user,
         const char   *password,
         gboolean      remember,
         const char   *shot)
{
  GtkWidget *row = GTK_WIDGET (haul_test_find_row (f->window, d));
  HaulSignInDialog *dialog;

  g_assert_true (gtk_widget_activate_action (row, "row.sign-in", NULL));
  g_assert_true (haul_test_wait_until (haul_test_toplevel_shown, GSIZE_TO_POINTER (HAUL_TYPE_SIGN_IN_DIALOG), WAIT_MS));
  dialog = HAUL_SIGN_IN_DIALOG (haul_test_find_toplevel (HAUL_TYPE_SIGN_IN_DIALOG));
  gtk_editable_set_text (haul_test_template_child (dialog, HAUL_TYPE_SIGN_IN_DIALOG, "user_entry"), user);
  gtk_editable_set_text (haul_test_template_child (dialog, HAUL_TYPE_SIGN_IN_DIALOG, "password_entry"), password);
  gtk_check_button_set_active (haul_test_template_child (dialog, HAUL_TYPE_SIGN_IN_DIALOG, "remember_check"), remember);
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "sign-in"));
  if (shot != NULL)
    {
      haul_test_screenshots (GTK_WINDOW (f->window), "HAUL_SHOTS_DIR", shot);
    }
  click (dialog, "_Sign In");
}

static HaulDownload *
add (Fixture    *f,
     const char *path)
{
  g_autofree char *uri = haul_test_server_uri (f->server, path);
  g_autoptr(GError) error = NULL;
  HaulDownload *d = haul_queue_add (f->queue, uri, f->dir, &error);

  g_assert_no_error (error);
  return d;
}

static void
body_sign_in (Fixture *f)
{
  g_autoptr(GBytes) content = haul_test_content (200 * KIB, 5);
  g_autoptr(GBytes) second = haul_test_content (100 * KIB, 6);
  HaulTestFileOptions o = { .auth_user = USER, .auth_password = PASSWORD };
  HaulDownload *d, *d2;
  HaulSignInDialog *dialog;
  g_autofree char *server = NULL;
  g_autofree char *in_keyring = NULL;

  haul_test_server_add_file (f->server, "/report.pdf", content, &o);
  haul_test_server_add_file (f->server, "/second.pdf", second, &o);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 700);

  /* No password: the row says so and offers Sign In…. */
  d = add (f, "/report.pdf");
  haul_test_wait_paused (d);
  g_assert_cmpint (haul_download_get_auth_needed (d), ==, HAUL_DOWNLOAD_AUTH_SERVER);
  haul_test_assert_shows (GTK_WIDGET (haul_test_find_row (f->window, d)), "Needs a password — for 127.0.0.1:");
  haul_test_screenshots (GTK_WINDOW (f->window), "HAUL_SHOTS_DIR", "row-needs-password");

  /* A wrong password, not remembered: refused, and the row says whose. */
  sign_in (f, d, USER, WRONG, FALSE, "dialog");
  haul_test_wait_paused (d);
  g_assert_true (haul_download_get_auth_refused (d));
  haul_test_assert_shows (GTK_WIDGET (haul_test_find_row (f->window, d)), "Needs a password — the last one was not accepted");
  g_assert_true (g_str_has_prefix (haul_download_get_error (d), "The password for alice at 127.0.0.1:"));
  haul_test_screenshots (GTK_WINDOW (f->window), "HAUL_SHOTS_DIR", "row-refused");

  /* Sign In… again: the dialog says why, and keeps the user name. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (haul_test_find_row (f->window, d)), "row.sign-in", NULL));
  g_assert_true (haul_test_wait_until (haul_test_toplevel_shown, GSIZE_TO_POINTER (HAUL_TYPE_SIGN_IN_DIALOG), WAIT_MS));
  dialog = HAUL_SIGN_IN_DIALOG (haul_test_find_toplevel (HAUL_TYPE_SIGN_IN_DIALOG));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "was not accepted"));
  g_assert_cmpstr (gtk_editable_get_text (haul_test_template_child (dialog, HAUL_TYPE_SIGN_IN_DIALOG, "user_entry")), ==, USER);
  g_assert_cmpstr (gtk_editable_get_text (haul_test_template_child (dialog, HAUL_TYPE_SIGN_IN_DIALOG, "password_entry")), ==, "");
  haul_test_screenshots (GTK_WINDOW (f->window), "HAUL_SHOTS_DIR", "dialog-refused");
  click (dialog, "_Cancel");
  /* Nothing from the wrong attempt went to the keyring. */
  server = haul_keyring_server_for_uri (haul_download_get_uri (d));
  in_keyring = haul_test_keyring_lookup (server, USER);
  g_assert_cmpstr (in_keyring, ==, "");
  g_clear_pointer (&in_keyring, g_free);

  /* The right one, remembered: completes, and the keyring has it. */
  sign_in (f, d, USER, PASSWORD, TRUE, NULL);
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);
  in_keyring = haul_test_keyring_wait_for (server, USER, PASSWORD);
  g_assert_cmpstr (in_keyring, ==, PASSWORD);

  /* Another file of that server: the keyring signs it in, no dialog. */
  d2 = add (f, "/second.pdf");
  haul_test_wait_finished (d2);
  haul_test_assert_completed_with (d2, second);
  g_assert_cmpstr (haul_download_get_auth_user (d2), ==, USER);
  g_assert_null (HAUL_SIGN_IN_DIALOG (haul_test_find_toplevel (HAUL_TYPE_SIGN_IN_DIALOG)));
  /* The first attempt's question, then the signed-in one's (each request
   * is asked once: no auth cache shared between downloads). */
  g_assert_cmpuint (haul_test_server_get_n_auth_refused (f->server, "/second.pdf"), ==, 2);
}

static void
test_sign_in (void)
{
  g_autofree char *db = g_build_filename (data_home, "haul", "haul.db", NULL);
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
  gboolean user_seen = FALSE;

  g_assert_cmpint (g_mkdir_with_parents (haul_folders_get_default (), 0700), ==, 0);
  haul_test_run_in_app (body_sign_in);

  /* Haul has quit and closed its store: the user name is there, the
   * password is not. */
  g_assert_true (g_file_test (db, G_FILE_TEST_EXISTS));
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (db, suffixes[i], NULL);

      user_seen = user_seen || haul_test_file_contains (path, USER);
      g_assert_false (haul_test_file_contains (path, PASSWORD));
      g_assert_false (haul_test_file_contains (path, WRONG));
    }
  g_assert_true (user_seen);
  /* Nor in anything logged. */
  g_assert_true (haul_test_log_captured_any ());
  haul_test_assert_not_logged (PASSWORD);
  haul_test_assert_not_logged (WRONG);
}

int
main (int   argc,
      char *argv[])
{
  /* A throwaway home: gnome-keyring makes a fresh login keyring there,
   * and Haul its store. */
  g_autofree char *home = haul_test_keyring_make_home ("haul-sign-in-XXXXXX");
  int status;

  data_home = g_build_filename (home, ".local", "share", NULL);
  g_unsetenv ("HAUL_NO_STORE");
  haul_test_log_capture_start ();
  g_test_init (&argc, &argv, NULL);
  haul_test_ignore_proxies ();

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL || !gtk_init_check ())
    {
      g_printerr ("no display or no D-Bus session: run the ui suite under dbus-run-session -- xvfb-run -a\n");
      return 77;
    }
  fake_desktop_start ();
  haul_test_keyring_start ();

  g_test_add_func ("/haul/ui/sign-in/keyring", test_keyring);
  g_test_add_func ("/haul/ui/sign-in/window", test_sign_in);
  status = g_test_run ();

  haul_test_keyring_stop ();
  haul_test_rm_rf (home);
  g_free (data_home);
  return status;
}
