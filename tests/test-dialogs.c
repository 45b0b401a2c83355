/* test-dialogs.c — the Preferences window and the Add Downloads dialog under Xvfb
 *
 * The preferences run over a real GSettings (memory backend, the schema
 * compiled in the build tree); the widgets are driven the way a person
 * would, and the keys are checked, and the other way round.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_SETTINGS_ENABLE_BACKEND /* g_memory_settings_backend_new() */

#include "config.h"

#include <adwaita.h>
#include <gio/gsettingsbackend.h>
#include <string.h>

#include "haul-add-dialog.h"
#include "haul-folders.h"
#include "haul-preferences-window.h"
#include "haul-resources.h"
#include "haul-test-server.h"

#define SHA256_HEX "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static gpointer
child (gpointer    widget,
       GType       type,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (object);
  return object;
}

#define PREFS(w, name) child (w, HAUL_TYPE_PREFERENCES_WINDOW, name)
#define ADD(w, name) child (w, HAUL_TYPE_ADD_DIALOG, name)

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static gboolean
switch_is_off (gpointer data)
{
  return !gtk_switch_get_active (GTK_SWITCH (data));
}

static gboolean
switch_is_on (gpointer data)
{
  return gtk_switch_get_active (GTK_SWITCH (data));
}

/* Activation (Space, Enter, a click on the row) toggles a GtkSwitch at
 * the end of its animation. */
static void
activate_switch (GtkSwitch *sw)
{
  gboolean was_active = gtk_switch_get_active (sw);

  g_assert_true (gtk_widget_activate (GTK_WIDGET (sw)));
  g_assert_true (haul_test_wait_until (was_active ? switch_is_off : switch_is_on, sw, 5000));
}

static void
count_cb (GtkButton *button,
          guint     *count)
{
  (*count)++;
}

static gboolean
is_nonzero (gpointer data)
{
  return *(guint *) data != 0;
}

/* Keyboard activation (Space, Enter) of a button: it looks pressed for a
 * moment, then emits ::clicked. */
static void
activate_button (gpointer button)
{
  g_autoptr(GtkWidget) hold = g_object_ref (button);
  guint clicked = 0;
  gulong handler = g_signal_connect (hold, "clicked", G_CALLBACK (count_cb), &clicked);

  g_assert_true (gtk_widget_activate (hold));
  g_assert_true (haul_test_wait_until (is_nonzero, &clicked, 5000));
  g_assert_cmpuint (clicked, ==, 1);
  g_signal_handler_disconnect (hold, handler);
}

static void
show_and_wait (GtkWindow *window)
{
  gtk_window_present (window);
  g_assert_true (haul_test_wait_until (is_mapped, window, 5000));
  haul_test_spin (50);
}

static GSettings *
new_settings (void)
{
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();

  return g_settings_new_with_backend ("io.github.haulapp.Haul", backend);
}

/* The test's HOME has no user-dirs.dirs: ~/Downloads (test-folders.c has
 * the rules). */
static const char *
default_folder (void)
{
  return haul_folders_get_default ();
}

/* ------------------------------------------------------------------ */
/* Preferences */

static void
test_prefs_shows_current_values (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  HaulPreferencesWindow *prefs;

  g_settings_set_string (settings, "download-folder", "/srv/haul downloads");
  g_settings_set_int (settings, "max-active", 7);
  g_settings_set_int64 (settings, "speed-limit-bytes", 2048000);
  g_settings_set_boolean (settings, "resume-on-start", FALSE);
  g_settings_set_boolean (settings, "notifications", FALSE);

  prefs = haul_preferences_window_new (NULL, settings);
  g_object_add_weak_pointer (G_OBJECT (prefs), (gpointer *) &prefs);
  show_and_wait (GTK_WINDOW (prefs));

  g_assert_cmpstr (adw_action_row_get_subtitle (PREFS (prefs, "folder_row")), ==, "/srv/haul downloads");
  g_assert_true (gtk_widget_get_visible (PREFS (prefs, "folder_reset_button")));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (PREFS (prefs, "max_active_spin")), ==, 7);
  g_assert_true (gtk_switch_get_active (PREFS (prefs, "speed_limit_switch")));
  g_assert_true (gtk_widget_get_sensitive (PREFS (prefs, "speed_limit_row")));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (PREFS (prefs, "speed_limit_spin")), ==, 2048);
  g_assert_false (gtk_switch_get_active (PREFS (prefs, "resume_switch")));
  g_assert_false (gtk_switch_get_active (PREFS (prefs, "notifications_switch")));

  gtk_window_close (GTK_WINDOW (prefs));
  g_assert_true (haul_test_wait_until (is_null, &prefs, 5000));
}

static void
test_prefs_defaults (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  HaulPreferencesWindow *prefs = haul_preferences_window_new (NULL, settings);

  g_object_add_weak_pointer (G_OBJECT (prefs), (gpointer *) &prefs);
  show_and_wait (GTK_WINDOW (prefs));

  /* "" is the Downloads folder, shown by its name; nothing to reset. */
  g_assert_cmpstr (adw_action_row_get_subtitle (PREFS (prefs, "folder_row")), ==, "Downloads");
  g_assert_false (gtk_widget_get_visible (PREFS (prefs, "folder_reset_button")));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (PREFS (prefs, "max_active_spin")), ==, 4);
  /* No limit: the switch is off and the speed is not editable. */
  g_assert_false (gtk_switch_get_active (PREFS (prefs, "speed_limit_switch")));
  g_assert_false (gtk_widget_get_sensitive (PREFS (prefs, "speed_limit_row")));
  g_assert_true (gtk_switch_get_active (PREFS (prefs, "resume_switch")));
  g_assert_true (gtk_switch_get_active (PREFS (prefs, "notifications_switch")));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (PREFS (prefs, "connections_spin")), ==, 8);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (PREFS (prefs, "server_connections_spin")), ==, 8);

  gtk_window_close (GTK_WINDOW (prefs));
  g_assert_true (haul_test_wait_until (is_null, &prefs, 5000));
}

static void
test_prefs_widgets_write_settings (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  HaulPreferencesWindow *prefs = haul_preferences_window_new (NULL, settings);
  GtkSpinButton *max_active;
  GtkSpinButton *speed;
  GtkSwitch *limit;
  g_autofree char *folder = NULL;

  g_object_add_weak_pointer (G_OBJECT (prefs), (gpointer *) &prefs);
  show_and_wait (GTK_WINDOW (prefs));
  max_active = PREFS (prefs, "max_active_spin");
  speed = PREFS (prefs, "speed_limit_spin");
  limit = PREFS (prefs, "speed_limit_switch");

  /* Simultaneous downloads: the arrows, and typing a number. */
  gtk_spin_button_set_value (max_active, 12);
  g_assert_cmpint (g_settings_get_int (settings, "max-active"), ==, 12);
  gtk_spin_button_spin (max_active, GTK_SPIN_STEP_FORWARD, 1);
  g_assert_cmpint (g_settings_get_int (settings, "max-active"), ==, 13);
  gtk_editable_set_text (GTK_EDITABLE (max_active), "9");
  gtk_spin_button_update (max_active);
  g_assert_cmpint (g_settings_get_int (settings, "max-active"), ==, 9);
  gtk_spin_button_set_value (max_active, 100);
  g_assert_cmpint (g_settings_get_int (settings, "max-active"), ==, 32);

  /* Connections: 1 to 16. */
  gtk_spin_button_set_value (PREFS (prefs, "connections_spin"), 3);
  g_assert_cmpint (g_settings_get_int (settings, "connections-per-download"), ==, 3);
  gtk_spin_button_set_value (PREFS (prefs, "connections_spin"), 100);
  g_assert_cmpint (g_settings_get_int (settings, "connections-per-download"), ==, 16);
  gtk_spin_button_set_value (PREFS (prefs, "server_connections_spin"), 0);
  g_assert_cmpint (g_settings_get_int (settings, "connections-per-server"), ==, 1);
  gtk_spin_button_spin (PREFS (prefs, "server_connections_spin"), GTK_SPIN_STEP_FORWARD, 1);
  g_assert_cmpint (g_settings_get_int (settings, "connections-per-server"), ==, 2);

  /* Speed limit: switching it on writes the offered speed; the spin
   * button then sets it; switching off writes 0, and on again brings
   * the last speed back. */
  gtk_switch_set_active (limit, TRUE);
  g_assert_cmpint (g_settings_get_int64 (settings, "speed-limit-bytes"), ==, 1000000);
  g_assert_true (gtk_widget_get_sensitive (PREFS (prefs, "speed_limit_row")));
  gtk_spin_button_set_value (speed, 300);
  g_assert_cmpint (g_settings_get_int64 (settings, "speed-limit-bytes"), ==, 300000);
  activate_switch (limit);
  g_assert_cmpint (g_settings_get_int64 (settings, "speed-limit-bytes"), ==, 0);
  g_assert_false (gtk_widget_get_sensitive (PREFS (prefs, "speed_limit_row")));
  gtk_switch_set_active (limit, TRUE);
  g_assert_cmpint (g_settings_get_int64 (settings, "speed-limit-bytes"), ==, 300000);

  /* The switches, by keyboard activation and directly. */
  activate_switch (PREFS (prefs, "resume_switch"));
  g_assert_false (g_settings_get_boolean (settings, "resume-on-start"));
  gtk_switch_set_active (PREFS (prefs, "notifications_switch"), FALSE);
  g_assert_false (g_settings_get_boolean (settings, "notifications"));
  /* The rows hand their activation to the switch (a click on the row,
   * or its mnemonic). */
  g_assert_true (gtk_widget_mnemonic_activate (PREFS (prefs, "notifications_switch"), FALSE));
  g_assert_true (haul_test_wait_until (switch_is_on, PREFS (prefs, "notifications_switch"), 5000));
  g_assert_true (g_settings_get_boolean (settings, "notifications"));

  /* The reset button puts the Downloads folder back. */
  g_settings_set_string (settings, "download-folder", "/srv/elsewhere");
  g_assert_true (gtk_widget_get_visible (PREFS (prefs, "folder_reset_button")));
  activate_button (PREFS (prefs, "folder_reset_button"));
  folder = g_settings_get_string (settings, "download-folder");
  g_assert_cmpstr (folder, ==, "");
  g_assert_false (gtk_widget_get_visible (PREFS (prefs, "folder_reset_button")));
  g_assert_cmpstr (adw_action_row_get_subtitle (PREFS (prefs, "folder_row")), ==, "Downloads");

  gtk_window_close (GTK_WINDOW (prefs));
  g_assert_true (haul_test_wait_until (is_null, &prefs, 5000));
}

/* A limit an older Haul stored in KiB/s comes over once, in whole kB/s,
 * and the Preferences show it in the unit the rows use. */
static void
test_prefs_speed_limit_migrates (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autoptr(GVariant) old = NULL;
  HaulPreferencesWindow *prefs;

  g_settings_set_int (settings, "speed-limit", 100);
  haul_preferences_migrate (settings);
  g_assert_cmpint (g_settings_get_int64 (settings, "speed-limit-bytes"), ==, 102000);
  old = g_settings_get_user_value (settings, "speed-limit");
  g_assert_null (old);
  /* Once: a limit set since is not overwritten by a stale old one. */
  g_settings_set_int64 (settings, "speed-limit-bytes", 500000);
  haul_preferences_migrate (settings);
  g_assert_cmpint (g_settings_get_int64 (settings, "speed-limit-bytes"), ==, 500000);
  g_settings_set_int (settings, "speed-limit", 7);
  haul_preferences_migrate (settings);
  g_assert_cmpint (g_settings_get_int64 (settings, "speed-limit-bytes"), ==, 500000);
  g_assert_cmpint (g_settings_get_int (settings, "speed-limit"), ==, 0);

  prefs = haul_preferences_window_new (NULL, settings);
  g_object_add_weak_pointer (G_OBJECT (prefs), (gpointer *) &prefs);
  show_and_wait (GTK_WINDOW (prefs));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (PREFS (prefs, "speed_limit_spin")), ==, 500);
  g_assert_cmpstr (adw_preferences_row_get_title (PREFS (prefs, "speed_limit_row")), ==,
                   "_Maximum Speed (kB/s)");
  gtk_window_close (GTK_WINDOW (prefs));
  g_assert_true (haul_test_wait_until (is_null, &prefs, 5000));
}

static void
test_prefs_follows_settings (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  /* Another GSettings on the same backend: a change made elsewhere. */
  g_autoptr(GSettingsBackend) backend = NULL;
  g_autoptr(GSettings) elsewhere = NULL;
  HaulPreferencesWindow *prefs = haul_preferences_window_new (NULL, settings);

  g_object_get (settings, "backend", &backend, NULL);
  elsewhere = g_settings_new_with_backend ("io.github.haulapp.Haul", backend);

  g_object_add_weak_pointer (G_OBJECT (prefs), (gpointer *) &prefs);
  show_and_wait (GTK_WINDOW (prefs));

  g_settings_set_int (elsewhere, "max-active", 20);
  g_settings_set_boolean (elsewhere, "resume-on-start", FALSE);
  g_settings_set_boolean (elsewhere, "notifications", FALSE);
  g_settings_set_int64 (elsewhere, "speed-limit-bytes", 5000000);
  g_settings_set_string (elsewhere, "download-folder", "/srv/other");
  g_settings_set_int (elsewhere, "connections-per-download", 5);
  g_settings_set_int (elsewhere, "connections-per-server", 12);
  haul_test_spin (50);

  g_assert_cmpint (gtk_spin_button_get_value_as_int (PREFS (prefs, "connections_spin")), ==, 5);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (PREFS (prefs, "server_connections_spin")), ==, 12);

  g_assert_cmpint (gtk_spin_button_get_value_as_int (PREFS (prefs, "max_active_spin")), ==, 20);
  g_assert_false (gtk_switch_get_active (PREFS (prefs, "resume_switch")));
  g_assert_false (gtk_switch_get_active (PREFS (prefs, "notifications_switch")));
  g_assert_true (gtk_switch_get_active (PREFS (prefs, "speed_limit_switch")));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (PREFS (prefs, "speed_limit_spin")), ==, 5000);
  g_assert_cmpstr (adw_action_row_get_subtitle (PREFS (prefs, "folder_row")), ==, "/srv/other");

  g_settings_set_int64 (elsewhere, "speed-limit-bytes", 0);
  haul_test_spin (50);
  g_assert_false (gtk_switch_get_active (PREFS (prefs, "speed_limit_switch")));
  g_assert_false (gtk_widget_get_sensitive (PREFS (prefs, "speed_limit_row")));
  /* Following the key never wrote it back. */
  g_assert_cmpint (g_settings_get_int64 (settings, "speed-limit-bytes"), ==, 0);
  g_assert_cmpint (g_settings_get_int (settings, "max-active"), ==, 20);

  gtk_window_close (GTK_WINDOW (prefs));
  g_assert_true (haul_test_wait_until (is_null, &prefs, 5000));
}

/* ------------------------------------------------------------------ */
/* Add dialog */

typedef struct
{
  guint  n_submitted;
  char  *text;
  char  *links;
  char  *folder;
  char  *checksum;
  HaulRequestContext *context;
} Submitted;

static void
submitted_cb (HaulAddDialog *dialog,
              Submitted     *s)
{
  s->n_submitted++;
  g_free (s->text);
  g_free (s->folder);
  g_free (s->checksum);
  g_free (s->links);
  s->text = haul_add_dialog_dup_text (dialog);
  s->links = haul_add_dialog_dup_links (dialog);
  s->folder = g_strdup (haul_add_dialog_get_folder (dialog));
  s->checksum = g_strdup (haul_add_dialog_get_checksum (dialog));
  g_clear_pointer (&s->context, haul_request_context_unref);
  s->context = haul_add_dialog_dup_request_context (dialog);
}

static void
submitted_clear (Submitted *s)
{
  g_clear_pointer (&s->text, g_free);
  g_clear_pointer (&s->links, g_free);
  g_clear_pointer (&s->folder, g_free);
  g_clear_pointer (&s->checksum, g_free);
  g_clear_pointer (&s->context, haul_request_context_unref);
}

static HaulAddDialog *
new_add_dialog (GtkWindow  *parent,
                const char *folder,
                const char *text,
                Submitted  *s)
{
  HaulAddDialog *dialog = haul_add_dialog_new (parent, folder, text);

  g_signal_connect (dialog, "submitted", G_CALLBACK (submitted_cb), s);
  show_and_wait (GTK_WINDOW (dialog));
  return dialog;
}

static gboolean
is_submitted (gpointer data)
{
  return ((Submitted *) data)->n_submitted > 0;
}

/* The links are found on a worker: Add answers a moment later. */
static void
wait_submitted (Submitted *s,
                guint      n)
{
  g_assert_true (haul_test_wait_until (is_submitted, s, 5000));
  g_assert_cmpuint (s->n_submitted, ==, n);
}

static gboolean
is_visible (gpointer data)
{
  return gtk_widget_get_visible (GTK_WIDGET (data));
}

static void
wait_visible (gpointer widget)
{
  g_assert_true (haul_test_wait_until (is_visible, widget, 5000));
}

static void
set_checksum (HaulAddDialog *dialog,
              const char    *text)
{
  gtk_editable_set_text (GTK_EDITABLE (ADD (dialog, "checksum_row")), text);
}

static void
test_add_button_needs_text (void)
{
  GtkWindow *parent = GTK_WINDOW (adw_window_new ());
  Submitted s = { 0 };
  HaulAddDialog *dialog;
  GtkWidget *add;

  show_and_wait (parent);
  dialog = new_add_dialog (parent, NULL, NULL, &s);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  add = ADD (dialog, "add_button");

  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == parent);
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  g_assert_cmpstr (haul_add_dialog_get_folder (dialog), ==, default_folder ());
  g_assert_true (gtk_widget_has_focus (ADD (dialog, "text_view")));

  g_assert_false (gtk_widget_is_sensitive (add));
  g_assert_true (gtk_widget_get_visible (ADD (dialog, "hint_label")));

  haul_add_dialog_set_text (dialog, "  \n\t\n ");
  g_assert_false (gtk_widget_is_sensitive (add));
  g_assert_false (gtk_widget_get_visible (ADD (dialog, "hint_label")));

  haul_add_dialog_set_text (dialog, "https://example.org/a.iso");
  g_assert_true (gtk_widget_is_sensitive (add));

  haul_add_dialog_set_text (dialog, "");
  g_assert_false (gtk_widget_is_sensitive (add));
  g_assert_true (gtk_widget_get_visible (ADD (dialog, "hint_label")));

  /* Activating the insensitive button does nothing. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.add", NULL);
  haul_test_spin (50);
  g_assert_nonnull (dialog);
  g_assert_cmpuint (s.n_submitted, ==, 0);

  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (haul_test_wait_until (is_null, &dialog, 5000));
  gtk_window_destroy (parent);
  submitted_clear (&s);
}

static void
test_add_submits (void)
{
  GtkWindow *parent = GTK_WINDOW (adw_window_new ());
  Submitted s = { 0 };
  HaulAddDialog *dialog;

  show_and_wait (parent);
  dialog = new_add_dialog (parent, "/srv/isos", "https://example.org/a.iso\n", &s);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);

  g_assert_cmpstr (adw_action_row_get_subtitle (ADD (dialog, "folder_row")), ==, "/srv/isos");
  g_assert_null (haul_add_dialog_get_checksum (dialog));
  set_checksum (dialog, "  SHA256:" SHA256_HEX " ");

  activate_button (ADD (dialog, "add_button"));
  wait_submitted (&s, 1);
  g_assert_cmpstr (s.text, ==, "https://example.org/a.iso\n");
  g_assert_cmpstr (s.links, ==, "https://example.org/a.iso\n");
  g_assert_cmpstr (s.folder, ==, "/srv/isos");
  g_assert_cmpstr (s.checksum, ==, "sha256:" SHA256_HEX);

  /* And it closed itself. */
  g_assert_true (haul_test_wait_until (is_null, &dialog, 5000));
  g_assert_cmpuint (s.n_submitted, ==, 1);

  /* Without a checksum, many links, comments and blank lines. */
  dialog = new_add_dialog (parent, "", "# mine\nhttps://a.example/1\n\nhttps://a.example/2 https://a.example/3\n", &s);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  s.n_submitted = 0;
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.add", NULL);
  wait_submitted (&s, 1);
  g_assert_cmpstr (s.text, ==, "# mine\nhttps://a.example/1\n\nhttps://a.example/2 https://a.example/3\n");
  g_assert_cmpstr (s.links, ==, "https://a.example/1\nhttps://a.example/2\nhttps://a.example/3\n");
  g_assert_cmpstr (s.folder, ==, default_folder ());
  g_assert_null (s.checksum);
  g_assert_true (haul_test_wait_until (is_null, &dialog, 5000));

  gtk_window_destroy (parent);
  submitted_clear (&s);
}

static void
set_headers (HaulAddDialog *dialog,
             const char    *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (ADD (dialog, "headers_view"))), text, -1);
}

static gboolean
cookies_settled (gpointer data)
{
  GtkWidget *button = ADD (data, "cookies_button");

  return gtk_widget_get_sensitive (button);  /* insensitive while the file is read */
}

/* Advanced: bad input is said inline (never its value) and holds Add
 * back until it is fixed; the cookies file is read off the main thread;
 * what was typed and read reaches ::submitted. */
static void
test_add_advanced (void)
{
  Submitted s = { 0 };
  HaulAddDialog *dialog = new_add_dialog (NULL, NULL, "https://dl.example.org/a.iso", &s);
  GtkWidget *add = ADD (dialog, "add_button");
  GtkWidget *error = ADD (dialog, "advanced_error_label");
  GtkWidget *referrer = ADD (dialog, "referrer_row");
  GtkWidget *cookies_row = ADD (dialog, "cookies_row");
  AdwExpanderRow *advanced = ADD (dialog, "advanced_row");
  g_autofree char *dir = haul_test_make_tmp_dir ();
  g_autofree char *good = g_build_filename (dir, "cookies.txt", NULL);
  g_autofree char *bad = g_build_filename (dir, "notes.txt", NULL);
  const char * const *headers;

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (g_file_set_contents (good,
                                      ".example.org\tTRUE\t/\tFALSE\t0\tsid\tUIc00kieMARK\n"
                                      "dl.example.org\tFALSE\t/\tTRUE\t0\ttok\tUIc00kieMARK2\n", -1, NULL));
  g_assert_true (g_file_set_contents (bad, "UIc00kieMARK and more words\n", -1, NULL));
  g_assert_true (gtk_widget_is_sensitive (add));
  g_assert_false (gtk_widget_get_visible (error));

  /* A referrer that is not a web link. */
  gtk_editable_set_text (GTK_EDITABLE (referrer), "javascript:alert(1)");
  g_assert_false (gtk_widget_is_sensitive (add));
  g_assert_true (gtk_widget_get_visible (error));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error)), "referrer"));
  g_assert_true (gtk_widget_has_css_class (referrer, "error"));
  g_assert_cmpstr (adw_expander_row_get_subtitle (advanced), ==, "Needs a correction before adding");
  adw_expander_row_set_expanded (advanced, FALSE);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (advanced), "error"));  /* red only when closed */
  adw_expander_row_set_expanded (advanced, TRUE);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (advanced), "error"));
  gtk_editable_set_text (GTK_EDITABLE (referrer), "https://www.example.org/page");
  g_assert_true (gtk_widget_is_sensitive (add));
  g_assert_false (gtk_widget_has_css_class (referrer, "error"));
  g_assert_false (gtk_widget_get_visible (error));

  /* Headers: the line and the reason, never the value. */
  set_headers (dialog, "X-Token: UIheaderMARK\nCookie: UIheaderMARK");
  g_assert_false (gtk_widget_is_sensitive (add));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error)), "line 2"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error)), "“Cookie”"));
  g_assert_null (strstr (gtk_label_get_text (GTK_LABEL (error)), "MARK"));
  set_headers (dialog, "no colon UIheaderMARK");
  g_assert_false (gtk_widget_is_sensitive (add));
  g_assert_null (strstr (gtk_label_get_text (GTK_LABEL (error)), "MARK"));
  set_headers (dialog, "X-Token: UIheaderMARK\n\n  \nX-Other: 2\n");
  g_assert_true (gtk_widget_is_sensitive (add));

  /* A file that is not cookies.txt: said in its row, Add waits. */
  haul_add_dialog_set_cookies_file (dialog, bad);
  g_assert_false (gtk_widget_is_sensitive (add));  /* while it is read */
  g_assert_true (haul_test_wait_until (cookies_settled, dialog, 5000));
  g_assert_false (gtk_widget_is_sensitive (add));
  g_assert_true (gtk_widget_has_css_class (cookies_row, "error"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (cookies_row)), "not a cookies.txt file"));
  g_assert_null (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (cookies_row)), "MARK"));
  haul_add_dialog_set_cookies_file (dialog, dir);
  g_assert_true (haul_test_wait_until (cookies_settled, dialog, 5000));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (cookies_row)), "is a folder"));
  g_assert_false (gtk_widget_is_sensitive (add));

  /* None, then a good one. */
  haul_add_dialog_set_cookies_file (dialog, NULL);
  g_assert_true (gtk_widget_is_sensitive (add));
  g_assert_false (gtk_widget_has_css_class (cookies_row, "error"));
  haul_add_dialog_set_cookies_file (dialog, good);
  g_assert_true (haul_test_wait_until (cookies_settled, dialog, 5000));
  g_assert_true (gtk_widget_is_sensitive (add));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (cookies_row)), ==, "cookies.txt — 2 cookies");
  g_assert_cmpstr (adw_expander_row_get_subtitle (advanced), ==,
                   "2 cookies, referrer www.example.org, 2 extra headers");

  activate_button (add);
  wait_submitted (&s, 1);
  g_assert_nonnull (s.context);
  g_assert_cmpstr (haul_request_context_get_referrer (s.context), ==, "https://www.example.org/page");
  headers = haul_request_context_get_headers (s.context);
  g_assert_cmpstr (headers[0], ==, "X-Token: UIheaderMARK");
  g_assert_cmpstr (headers[1], ==, "X-Other: 2");
  g_assert_null (headers[2]);
  g_assert_cmpuint (g_slist_length (haul_request_context_get_cookies (s.context)), ==, 2);
  g_assert_true (haul_test_wait_until (is_null, &dialog, 5000));

  /* Nothing in Advanced: no context. */
  dialog = new_add_dialog (NULL, NULL, "https://dl.example.org/b.iso", &s);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  s.n_submitted = 0;
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.add", NULL);
  wait_submitted (&s, 1);
  g_assert_null (s.context);
  g_assert_true (haul_test_wait_until (is_null, &dialog, 5000));

  haul_test_rm_rf (dir);
  submitted_clear (&s);
}

static void
test_add_ctrl_enter (void)
{
  Submitted s = { 0 };
  HaulAddDialog *dialog = new_add_dialog (NULL, NULL, "https://example.org/a.iso", &s);
  GListModel *controllers;
  gboolean found = FALSE;

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);

  /* The text view carries a capture-phase Control+Enter shortcut for
   * dialog.add (so the view does not take the Enter as a new line). */
  controllers = gtk_widget_observe_controllers (ADD (dialog, "text_view"));
  for (guint i = 0; i < g_list_model_get_n_items (controllers) && !found; i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      g_assert_cmpint (gtk_event_controller_get_propagation_phase (controller), ==, GTK_PHASE_CAPTURE);
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          g_autofree char *trigger = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));
          g_autofree char *action = gtk_shortcut_action_to_string (gtk_shortcut_get_action (shortcut));

          if (strstr (trigger, "<Control>Return") != NULL && g_strcmp0 (action, "action(dialog.add)") == 0)
            found = TRUE;
        }
    }
  g_object_unref (controllers);
  g_assert_true (found);

  /* The action the shortcut names, activated from the text view. */
  g_assert_true (gtk_widget_activate_action (ADD (dialog, "text_view"), "dialog.add", NULL));
  wait_submitted (&s, 1);
  g_assert_true (haul_test_wait_until (is_null, &dialog, 5000));
  submitted_clear (&s);
}

static void
test_add_invalid_checksum (void)
{
  Submitted s = { 0 };
  HaulAddDialog *dialog = new_add_dialog (NULL, NULL, "https://example.org/a.iso", &s);
  GtkWidget *row = ADD (dialog, "checksum_row");
  GtkLabel *error = ADD (dialog, "error_label");

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);

  set_checksum (dialog, "sha256:1234");
  activate_button (ADD (dialog, "add_button"));
  haul_test_spin (50);
  g_assert_cmpuint (s.n_submitted, ==, 0);
  g_assert_nonnull (dialog);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error)));
  g_assert_nonnull (strstr (gtk_label_get_text (error), "64"));

  set_checksum (dialog, "crc32:00000000");
  /* Editing clears the error until the next try. */
  g_assert_false (gtk_widget_has_css_class (row, "error"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (error)));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.add", NULL);
  g_assert_cmpuint (s.n_submitted, ==, 0);
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  g_assert_nonnull (strstr (gtk_label_get_text (error), "crc32"));

  set_checksum (dialog, "md5:d41d8cd98f00b204e9800998ecf8427e");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.add", NULL);
  wait_submitted (&s, 1);
  g_assert_cmpstr (s.checksum, ==, "md5:d41d8cd98f00b204e9800998ecf8427e");
  g_assert_true (haul_test_wait_until (is_null, &dialog, 5000));
  submitted_clear (&s);
}

static void
test_add_checksum_needs_single_link (void)
{
  static const char *refused[] = {
    "https://example.org/a.iso\nhttps://example.org/b.iso",
    "https://example.org/a.iso https://example.org/b.iso",
    "\n# a comment\n  https://example.org/a.iso\t\r\nhttps://example.org/b.iso#frag\n",
    "Get <https://example.org/a.iso> or (https://example.org/b.iso).",
  };
  static const char *accepted[] = {
    "https://example.org/a.iso",
    "# the ISO\n\n   https://example.org/a.iso#part   # a trailing comment\n\n",
    "The ISO is at <https://example.org/a.iso>, and the same “https://example.org/a.iso”.",
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      Submitted s = { 0 };
      HaulAddDialog *dialog = new_add_dialog (NULL, NULL, refused[i], &s);
      GtkLabel *error = ADD (dialog, "error_label");

      g_test_message ("refused: %s", refused[i]);
      set_checksum (dialog, "sha256:" SHA256_HEX);
      gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.add", NULL);
      wait_visible (error);
      g_assert_cmpuint (s.n_submitted, ==, 0);
      g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
      g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error)));
      g_assert_nonnull (strstr (gtk_label_get_text (error), "A checksum can only be given for a single link"));
      g_assert_true (gtk_widget_has_css_class (ADD (dialog, "checksum_row"), "error"));

      g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
      gtk_window_close (GTK_WINDOW (dialog));
      g_assert_true (haul_test_wait_until (is_null, &dialog, 5000));
      g_assert_cmpuint (s.n_submitted, ==, 0);
      submitted_clear (&s);
    }

  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      Submitted s = { 0 };
      HaulAddDialog *dialog = new_add_dialog (NULL, NULL, accepted[i], &s);

      g_test_message ("accepted: %s", accepted[i]);
      g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
      set_checksum (dialog, "sha256:" SHA256_HEX);
      gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.add", NULL);
      wait_submitted (&s, 1);
      g_assert_cmpstr (s.text, ==, accepted[i]);
      g_assert_cmpstr (s.links, ==, "https://example.org/a.iso\n");
      g_assert_true (haul_test_wait_until (is_null, &dialog, 5000));
      submitted_clear (&s);
    }
}

static gboolean
line_is_marked (HaulAddDialog *dialog,
                int            line)
{
  GtkTextBuffer *buffer = ADD (dialog, "buffer");
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "invalid");
  GtkTextIter iter;

  gtk_text_buffer_get_iter_at_line (buffer, &iter, line - 1);
  return gtk_text_iter_has_tag (&iter, tag);
}

static int
cursor_line (HaulAddDialog *dialog)
{
  GtkTextBuffer *buffer = ADD (dialog, "buffer");
  GtkTextIter iter;

  gtk_text_buffer_get_iter_at_mark (buffer, &iter, gtk_text_buffer_get_insert (buffer));
  return gtk_text_iter_get_line (&iter) + 1;
}

/* Entries that are not valid links keep the dialog open, with the text as
 * typed, an error naming their lines, the lines underlined and the cursor
 * on the first. Nothing is added until they are fixed or the person adds
 * only the valid links. */
static void
test_add_invalid_lines (void)
{
  static const char text[] =
    "Here are the files:\n"                                   /* 1: prose, ignored */
    "https://a.example/1\n"                                   /* 2 */
    "htp://a.example/2\n"                                     /* 3: not valid */
    "https://a.example/3, https://a.example/4.\n"             /* 4 */
    "ftp://a.example/5\n";                                    /* 5: not valid */
  Submitted s = { 0 };
  HaulAddDialog *dialog = new_add_dialog (NULL, NULL, text, &s);
  GtkWidget *box = ADD (dialog, "links_error_box");
  GtkLabel *error = ADD (dialog, "links_error_label");
  GtkButton *add_valid = ADD (dialog, "add_valid_button");
  GtkTextBuffer *buffer = ADD (dialog, "buffer");
  g_autofree char *kept = NULL;

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_false (gtk_widget_get_visible (box));

  activate_button (ADD (dialog, "add_button"));
  wait_visible (box);
  g_assert_cmpuint (s.n_submitted, ==, 0);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  kept = haul_add_dialog_dup_text (dialog);
  g_assert_cmpstr (kept, ==, text);
  g_assert_cmpstr (gtk_label_get_text (error), ==,
                   "2 links are not valid:\n"
                   "Line 3: “htp://a.example/2” — the link starts with “htp”: did you mean “http”?\n"
                   "Line 5: “ftp://a.example/5” — “ftp” links are not supported (only http and https)");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (add_valid)));
  g_assert_cmpstr (gtk_button_get_label (add_valid), ==, "Add 3 _Valid Links");
  g_assert_false (line_is_marked (dialog, 2));
  g_assert_true (line_is_marked (dialog, 3));
  g_assert_false (line_is_marked (dialog, 4));
  g_assert_true (line_is_marked (dialog, 5));
  g_assert_cmpint (cursor_line (dialog), ==, 3);
  g_assert_true (gtk_widget_has_focus (ADD (dialog, "text_view")));

  /* Correcting the text clears the error... */
  {
    GtkTextIter start, end;

    gtk_text_buffer_get_iter_at_line_offset (buffer, &start, 2, 0);
    gtk_text_buffer_get_iter_at_line_offset (buffer, &end, 2, 3);
    gtk_text_buffer_delete (buffer, &start, &end);
    gtk_text_buffer_insert (buffer, &start, "http", -1);
  }
  g_assert_false (gtk_widget_get_visible (box));
  g_assert_false (line_is_marked (dialog, 3));
  g_assert_false (line_is_marked (dialog, 5));

  /* ...and Add checks again: one left, named alone. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.add", NULL);
  wait_visible (box);
  g_assert_cmpuint (s.n_submitted, ==, 0);
  g_assert_cmpstr (gtk_label_get_text (error), ==,
                   "Line 5 is not a valid link: “ftp://a.example/5” — “ftp” links are not supported (only http and https)");
  g_assert_cmpstr (gtk_button_get_label (add_valid), ==, "Add 4 _Valid Links");
  g_assert_true (line_is_marked (dialog, 5));
  g_assert_false (line_is_marked (dialog, 3));

  /* The person chooses to add the valid ones. */
  activate_button (add_valid);
  wait_submitted (&s, 1);
  g_assert_cmpstr (s.links, ==,
                   "https://a.example/1\nhttp://a.example/2\nhttps://a.example/3\nhttps://a.example/4\n");
  g_assert_true (haul_test_wait_until (is_null, &dialog, 5000));
  submitted_clear (&s);
}

/* Text without any link: said, nothing to add, the dialog stays. */
static void
test_add_no_links (void)
{
  Submitted s = { 0 };
  HaulAddDialog *dialog = new_add_dialog (NULL, NULL, "just some words, nothing else", &s);
  GtkWidget *box = ADD (dialog, "links_error_box");

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.add", NULL);
  wait_visible (box);
  g_assert_cmpstr (gtk_label_get_text (ADD (dialog, "links_error_label")), ==,
                   "There are no links in the text. Links start with “https://”, “http://” or “www.”.");
  g_assert_false (gtk_widget_get_visible (ADD (dialog, "add_valid_button")));
  g_assert_cmpuint (s.n_submitted, ==, 0);
  /* "Add N Valid Links" has nothing to add. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.add-valid", NULL);
  haul_test_spin (20);
  g_assert_cmpuint (s.n_submitted, ==, 0);
  g_assert_nonnull (dialog);

  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (haul_test_wait_until (is_null, &dialog, 5000));
  submitted_clear (&s);
}

/* Folders are shown by name; a chosen one is what the dialog hands over. */
static void
test_add_folder_names (void)
{
  Submitted s = { 0 };
  g_autofree char *projects = g_build_filename (g_get_home_dir (), "Projects", "iso", NULL);
  HaulAddDialog *dialog = new_add_dialog (NULL, NULL, "https://example.org/a.iso", &s);
  AdwActionRow *row = ADD (dialog, "folder_row");

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_cmpstr (adw_action_row_get_subtitle (row), ==, "Downloads");
  haul_add_dialog_set_folder (dialog, projects);
  g_assert_cmpstr (adw_action_row_get_subtitle (row), ==, "~/Projects/iso");
  haul_add_dialog_set_folder (dialog, g_get_home_dir ());
  g_assert_cmpstr (adw_action_row_get_subtitle (row), ==, "Home");
  haul_add_dialog_set_folder (dialog, "/srv/isos");
  g_assert_cmpstr (adw_action_row_get_subtitle (row), ==, "/srv/isos");
  haul_add_dialog_set_folder (dialog, projects);

  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.add", NULL);
  wait_submitted (&s, 1);
  g_assert_cmpstr (s.folder, ==, projects);
  g_assert_true (haul_test_wait_until (is_null, &dialog, 5000));
  submitted_clear (&s);
}

static void
test_add_escape_and_cancel_close (void)
{
  Submitted s = { 0 };
  HaulAddDialog *dialog = new_add_dialog (NULL, NULL, "https://example.org/a.iso", &s);

  /* Escape is bound to window.close. */
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "window.close", NULL));
  g_assert_true (haul_test_wait_until (is_null, &dialog, 5000));
  g_assert_cmpuint (s.n_submitted, ==, 0);

  dialog = new_add_dialog (NULL, NULL, "https://example.org/a.iso", &s);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  activate_button (ADD (dialog, "cancel_button"));
  g_assert_true (haul_test_wait_until (is_null, &dialog, 5000));
  g_assert_cmpuint (s.n_submitted, ==, 0);
  submitted_clear (&s);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = g_dir_make_tmp ("haul-ui-home-XXXXXX", NULL);
  g_autofree char *config = g_build_filename (home, ".config", NULL);
  int ret;

  /* As test-window.c: only the home and config folders are private. */
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      g_printerr ("no display: run the ui suite under xvfb-run\n");
      return 77;
    }
  adw_init ();
  /* As HaulApplication does: the resources live in a static library. */
  g_resources_register (haul_get_resource ());

  g_test_add_func ("/haul/ui/preferences/shows-current-values", test_prefs_shows_current_values);
  g_test_add_func ("/haul/ui/preferences/defaults", test_prefs_defaults);
  g_test_add_func ("/haul/ui/preferences/widgets-write-settings", test_prefs_widgets_write_settings);
  g_test_add_func ("/haul/ui/preferences/follows-settings", test_prefs_follows_settings);
  g_test_add_func ("/haul/ui/preferences/speed-limit-migrates", test_prefs_speed_limit_migrates);
  g_test_add_func ("/haul/ui/add-dialog/add-needs-text", test_add_button_needs_text);
  g_test_add_func ("/haul/ui/add-dialog/submits", test_add_submits);
  g_test_add_func ("/haul/ui/add-dialog/ctrl-enter", test_add_ctrl_enter);
  g_test_add_func ("/haul/ui/add-dialog/advanced", test_add_advanced);
  g_test_add_func ("/haul/ui/add-dialog/invalid-checksum", test_add_invalid_checksum);
  g_test_add_func ("/haul/ui/add-dialog/checksum-needs-single-link", test_add_checksum_needs_single_link);
  g_test_add_func ("/haul/ui/add-dialog/invalid-lines", test_add_invalid_lines);
  g_test_add_func ("/haul/ui/add-dialog/no-links", test_add_no_links);
  g_test_add_func ("/haul/ui/add-dialog/folder-names", test_add_folder_names);
  g_test_add_func ("/haul/ui/add-dialog/escape-and-cancel-close", test_add_escape_and_cancel_close);

  ret = g_test_run ();
  haul_test_rm_rf (home);
  return ret;
}
