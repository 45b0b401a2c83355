/* test-window-network.c — network, metered, schedule and "when done" as a person sees them, in the real window under Xvfb
 *
 * The real HaulApplication in this process, its real queue downloading
 * from the in-process HTTP server into real files, a fixed HaulClock set on
 * the queue (local time, TZ=UTC: 23:00 on Tuesday 10 March 2026):
 *
 * - rows: "Waiting for network", "Paused on a metered connection",
 *   "Waiting for the set hours — starts tomorrow at 01:00", "Starts at
 *   23:30", "Starts tomorrow at 01:00", a date further out;
 * - the bar under the header for each hold, its Download Anyway (the
 *   download starts and completes byte-identical; the bar goes);
 * - the row menu's Download Anyway and Start at… (the dialog says "Today",
 *   then "Tomorrow" once the time typed has passed, refuses text that is
 *   not a time, sets and clears the download's start-after);
 * - Preferences → Network writes the settings (GSETTINGS_BACKEND=memory)
 *   and the app's queue follows them (its schedule, its policy);
 * - suspend is inhibited only while something downloads, not while
 *   downloads are held;
 * - when-done = quit: Haul quits by itself once its downloads finished,
 *   not when they are merely paused.
 *
 * With HAUL_TEST_SHOTS=DIR it saves screenshots at 1000 and 360 pixels.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gtk/gtk.h>
#include <string.h>

#include "haul-application.h"
#include "haul-download-row.h"
#include "haul-folders.h"
#include "haul-network-settings.h"
#include "haul-preferences-window.h"
#include "haul-start-at-dialog.h"
#include "haul-test-desktop.h"
#include "haul-test-queue.h"
#include "haul-test-server.h"
#include "haul-test-widgets.h"
#include "haul-window.h"

#define WAIT_MS 20000
#define SIZE    (256 * KIB)

typedef HaulTestApp Fixture;

/* ------------------------------------------------------------------ */
/* Helpers */

static GDateTime *
local (int day, int hour, int minute)
{
  return g_date_time_new_local (2026, 3, day, hour, minute, 0);
}

/* The queue's clock, fixed at 23:00 on Tuesday 10 March 2026. */
static HaulClock *
fix_clock (Fixture *f)
{
  g_autoptr(GDateTime) now = local (10, 23, 0);
  g_autoptr(HaulClock) clock = haul_clock_new_fixed (now);

  haul_queue_set_clock (f->queue, clock);
  return haul_queue_get_clock (f->queue);
}

static void
reset_settings (GSettings *settings)
{
  const char *keys[] = { "metered-downloads", "save-power", "schedule-enabled", "schedule-start",
                         "schedule-end", "schedule-days", "when-done" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (settings, keys[i]);
}

/* Serves @path and adds it to the queue (held, it stays queued). */
static HaulDownload *
add (Fixture    *f,
     const char *path,
     GBytes     *content)
{
  haul_test_server_add_file (f->server, path, content, &(HaulTestFileOptions) { .rate = 512 * KIB });
  return haul_test_add (f->queue, f->server, f->dir, path);
}

static GtkWidget *
row_of (Fixture      *f,
        HaulDownload *d)
{
  HaulDownloadRow *row = NULL;

  for (guint i = 0; i < 200 && (row = haul_test_find_row (f->window, d)) == NULL; i++)
    haul_test_spin (20);
  g_assert_nonnull (row);
  return GTK_WIDGET (row);
}

static void
assert_row_shows (Fixture      *f,
                  HaulDownload *d,
                  const char   *text)
{
  haul_test_assert_shows (row_of (f, d), text);
}

static gboolean
has_left_queue (gpointer download)
{
  return haul_download_get_state (download) != HAUL_DOWNLOAD_STATE_QUEUED;
}

static GtkRevealer *
bar_of (Fixture *f)
{
  return haul_test_template_child (f->window, HAUL_TYPE_WINDOW, "hold_revealer");
}

static gboolean
bar_hidden (gpointer revealer)
{
  return !gtk_revealer_get_reveal_child (revealer);
}

/* ------------------------------------------------------------------ */
/* Rows and the bar */

/* Offline: the row and the bar say so; back online it downloads. */
static void
body_offline (Fixture *f)
{
  g_autoptr(GBytes) content = haul_test_content (SIZE, 1);
  HaulDownload *d;

  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 700);
  fix_clock (f);
  haul_queue_set_offline (f->queue, TRUE);
  d = add (f, "/offline.bin", content);
  assert_row_shows (f, d, "Waiting for network");
  haul_test_assert_shows (f->window, "No network — downloads continue when it is back");
  g_assert_true (gtk_revealer_get_reveal_child (bar_of (f)));
  haul_test_spin (300);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_QUEUED);
  /* Held downloads do not keep the computer awake. */
  g_assert_false (haul_application_is_inhibiting (f->app));
  {
    g_autofree char *menu = haul_test_row_menu_text (row_of (f, d));

    /* Download Anyway does not beat a missing network. */
    g_assert_null (strstr (menu, "Download _Anyway"));
    g_assert_nonnull (strstr (menu, "Start _At…"));
  }
  haul_test_screenshots (GTK_WINDOW (f->window), "HAUL_TEST_SHOTS", "offline");

  haul_queue_set_offline (f->queue, FALSE);
  g_assert_true (haul_test_wait_until (bar_hidden, bar_of (f), WAIT_MS));
  haul_test_wait_download (d, has_left_queue, "started");
  g_assert_true (haul_application_is_inhibiting (f->app));
  haul_test_wait_finished (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  haul_test_assert_file_in (f->dir, "offline.bin", content);
  g_assert_cmpuint (haul_download_get_retries (d), ==, 0);
}

/* Metered: the row and the bar say so; the bar's Download Anyway starts
 * it; a second one is started from its row's menu. */
static void
body_metered (Fixture *f)
{
  g_autoptr(GBytes) a = haul_test_content (SIZE, 2);
  g_autoptr(GBytes) b = haul_test_content (SIZE, 3);
  HaulDownload *d1, *d2;
  g_autofree char *menu = NULL;

  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 700);
  fix_clock (f);
  haul_queue_set_metered_hold (f->queue, TRUE);
  d1 = add (f, "/metered-1.bin", a);
  assert_row_shows (f, d1, "Paused on a metered connection");
  haul_test_assert_shows (f->window, "Downloads are paused on this metered connection");
  g_assert_true (gtk_widget_get_visible (haul_test_template_child (f->window, HAUL_TYPE_WINDOW, "hold_button")));
  haul_test_spin (300);
  haul_test_assert_state (d1, HAUL_DOWNLOAD_STATE_QUEUED);
  g_assert_false (haul_application_is_inhibiting (f->app));
  menu = haul_test_row_menu_text (row_of (f, d1));
  g_assert_nonnull (strstr (menu, "Download _Anyway"));
  haul_test_screenshots (GTK_WINDOW (f->window), "HAUL_TEST_SHOTS", "metered");

  /* The row's Download Anyway: this one only. */
  d2 = add (f, "/metered-2.bin", b);
  assert_row_shows (f, d2, "Paused on a metered connection");
  g_assert_true (gtk_widget_activate_action (row_of (f, d2), "row.download-anyway", NULL));
  haul_test_wait_finished (d2);
  haul_test_assert_state (d2, HAUL_DOWNLOAD_STATE_COMPLETED);
  haul_test_assert_file_in (f->dir, "metered-2.bin", b);
  haul_test_assert_state (d1, HAUL_DOWNLOAD_STATE_QUEUED);
  assert_row_shows (f, d1, "Paused on a metered connection");

  /* The bar's Download Anyway: all of them; the bar goes. */
  haul_test_assert_shows (GTK_WIDGET (bar_of (f)), "Download _Anyway");
  g_signal_emit_by_name (haul_test_template_child (f->window, HAUL_TYPE_WINDOW, "hold_button"), "clicked");
  g_assert_true (haul_test_wait_until (bar_hidden, bar_of (f), WAIT_MS));
  haul_test_wait_finished (d1);
  haul_test_assert_state (d1, HAUL_DOWNLOAD_STATE_COMPLETED);
  haul_test_assert_file_in (f->dir, "metered-1.bin", a);
  haul_queue_set_metered_hold (f->queue, FALSE);
}

/* Outside the schedule's hours: the row says when they begin, the bar
 * says from when; the row's Download Anyway starts it. */
static void
body_schedule (Fixture *f)
{
  g_autoptr(GBytes) content = haul_test_content (SIZE, 4);
  g_autoptr(HaulSchedule) schedule = haul_schedule_new (HAUL_SCHEDULE_ALL_DAYS, 60, 7 * 60);
  HaulDownload *d;

  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 700);
  fix_clock (f);
  haul_queue_set_schedule (f->queue, schedule);
  g_assert_true (haul_queue_get_hold (f->queue) & HAUL_QUEUE_HOLD_SCHEDULE);
  d = add (f, "/scheduled.bin", content);
  assert_row_shows (f, d, "Waiting for the set hours — starts tomorrow at 01:00");
  haul_test_assert_shows (f->window, "Downloads wait for the set hours (from 01:00)");
  g_assert_false (gtk_widget_get_visible (haul_test_template_child (f->window, HAUL_TYPE_WINDOW, "hold_button")));
  haul_test_spin (300);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_QUEUED);
  g_assert_false (haul_application_is_inhibiting (f->app));
  haul_test_screenshots (GTK_WINDOW (f->window), "HAUL_TEST_SHOTS", "schedule");

  g_assert_true (gtk_widget_activate_action (row_of (f, d), "row.download-anyway", NULL));
  haul_test_wait_finished (d);
  haul_test_assert_file_in (f->dir, "scheduled.bin", content);
  haul_queue_set_schedule (f->queue, NULL);
  g_assert_true (haul_test_wait_until (bar_hidden, bar_of (f), WAIT_MS));
}

/* ------------------------------------------------------------------ */
/* Start at… */

static gboolean
start_time_passed (gpointer download)
{
  return haul_download_get_start_after (download) == 0;
}

static void
type_time (HaulStartAtDialog *dialog,
           const char        *text)
{
  GtkEditable *entry = haul_test_template_child (dialog, HAUL_TYPE_START_AT_DIALOG, "entry");

  gtk_editable_set_text (entry, text);
  haul_test_spin (50);
}

static const char *
day_label (HaulStartAtDialog *dialog)
{
  return gtk_label_get_label (haul_test_template_child (dialog, HAUL_TYPE_START_AT_DIALOG, "day_label"));
}

static void
body_start_at (Fixture *f)
{
  g_autoptr(GBytes) content = haul_test_content (SIZE, 5);
  g_autoptr(GDateTime) today_2330 = local (10, 23, 30);
  g_autoptr(GDateTime) tomorrow_0100 = local (11, 1, 0);
  g_autoptr(GDateTime) friday = local (13, 1, 0);
  HaulStartAtDialog *dialog;
  HaulDownload *d;
  g_autofree char *menu = NULL;

  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 700);
  fix_clock (f);
  /* Held by the network while the dialog is used. */
  haul_queue_set_offline (f->queue, TRUE);
  d = add (f, "/later.bin", content);
  assert_row_shows (f, d, "Waiting for network");
  menu = haul_test_row_menu_text (row_of (f, d));
  g_assert_nonnull (strstr (menu, "Start _At…"));

  g_assert_true (gtk_widget_activate_action (row_of (f, d), "row.start-at", NULL));
  dialog = HAUL_START_AT_DIALOG (haul_test_wait_toplevel (HAUL_TYPE_START_AT_DIALOG));
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "start"));
  type_time (dialog, "23:30");
  g_assert_cmpstr (day_label (dialog), ==, "Today");
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "start"));
  type_time (dialog, "22:15");
  g_assert_cmpstr (day_label (dialog), ==, "Tomorrow");
  type_time (dialog, "25:70");
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "start"));
  g_assert_cmpstr (day_label (dialog), !=, "");
  g_assert_true (gtk_widget_has_css_class (haul_test_template_child (dialog, HAUL_TYPE_START_AT_DIALOG,
                                                                     "day_label"), "error"));
  type_time (dialog, "23:30");
  haul_test_screenshot_at (GTK_WINDOW (f->window), "HAUL_TEST_SHOTS", "start-at", 1000);
  haul_test_screenshot_at (GTK_WINDOW (f->window), "HAUL_TEST_SHOTS", "start-at", 360);
  haul_test_click (GTK_WIDGET (dialog), "Start at");
  g_assert_true (haul_test_wait_until (haul_test_toplevel_gone, GSIZE_TO_POINTER (HAUL_TYPE_START_AT_DIALOG),
                                       WAIT_MS));
  g_assert_cmpint (haul_download_get_start_after (d), ==, g_date_time_to_unix (today_2330) * G_USEC_PER_SEC);

  /* Online: it still waits, for its own time. */
  haul_queue_set_offline (f->queue, FALSE);
  assert_row_shows (f, d, "Starts at 23:30");
  haul_test_spin (300);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_QUEUED);
  g_assert_false (haul_application_is_inhibiting (f->app));
  haul_queue_set_start_time (f->queue, d, tomorrow_0100);
  assert_row_shows (f, d, "Starts tomorrow at 01:00");
  haul_queue_set_start_time (f->queue, d, friday);
  assert_row_shows (f, d, "Starts on Friday, 13 March at 01:00");
  haul_test_screenshots (GTK_WINDOW (f->window), "HAUL_TEST_SHOTS", "start-time");

  /* Clear: it starts. */
  g_assert_true (gtk_widget_activate_action (row_of (f, d), "row.start-at", NULL));
  dialog = HAUL_START_AT_DIALOG (haul_test_wait_toplevel (HAUL_TYPE_START_AT_DIALOG));
  g_assert_cmpstr (gtk_editable_get_text (haul_test_template_child (dialog, HAUL_TYPE_START_AT_DIALOG, "entry")),
                   ==, "01:00");
  haul_test_click (GTK_WIDGET (dialog), "C_lear");
  haul_test_wait_download (d, start_time_passed, "start time cleared");
  haul_test_wait_finished (d);
  haul_test_assert_file_in (f->dir, "later.bin", content);
}

/* ------------------------------------------------------------------ */
/* Preferences → Network */

static HaulPreferencesWindow *
open_preferences (Fixture *f)
{
  HaulPreferencesWindow *prefs;

  g_action_group_activate_action (G_ACTION_GROUP (f->app), "preferences", NULL);
  prefs = HAUL_PREFERENCES_WINDOW (haul_test_wait_toplevel (HAUL_TYPE_PREFERENCES_WINDOW));
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), NULL);
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (prefs),
                                           haul_test_template_child (prefs, HAUL_TYPE_PREFERENCES_WINDOW,
                                                                     "network_page"));
  haul_test_spin (200);
  return prefs;
}

static gpointer
pref (HaulPreferencesWindow *prefs,
      const char            *name)
{
  return haul_test_template_child (prefs, HAUL_TYPE_PREFERENCES_WINDOW, name);
}

static void
body_preferences (Fixture *f)
{
  GSettings *settings = haul_application_get_settings (f->app);
  HaulNetworkPolicy *policy = haul_network_settings_get_policy (haul_application_get_network_settings (f->app));
  HaulPreferencesWindow *prefs;
  GtkWidget *monday = NULL;
  g_autofree char *start = NULL;
  const HaulSchedule *schedule;

  reset_settings (settings);
  g_assert_true (haul_network_policy_get_pause_on_metered (policy));
  g_assert_true (haul_network_policy_get_save_power (policy));
  g_assert_null (haul_queue_get_schedule (f->queue));

  prefs = open_preferences (f);
  haul_test_assert_shows (GTK_WIDGET (prefs), "On _Metered Connections");
  haul_test_assert_shows (GTK_WIDGET (prefs), "Downloads run from 01:00 to 07:00");

  /* Connection */
  adw_combo_row_set_selected (pref (prefs, "metered_row"), 1);
  g_assert_cmpstr ((start = g_settings_get_string (settings, "metered-downloads")), ==, "keep");
  g_assert_false (haul_network_policy_get_pause_on_metered (policy));
  gtk_switch_set_active (pref (prefs, "save_power_switch"), FALSE);
  g_assert_false (g_settings_get_boolean (settings, "save-power"));
  g_assert_false (haul_network_policy_get_save_power (policy));

  /* Schedule: off until switched on. */
  g_assert_false (gtk_widget_get_sensitive (pref (prefs, "schedule_start_row")));
  gtk_switch_set_active (pref (prefs, "schedule_switch"), TRUE);
  g_assert_true (gtk_widget_get_sensitive (pref (prefs, "schedule_start_row")));
  schedule = haul_queue_get_schedule (f->queue);
  g_assert_nonnull (schedule);
  g_assert_cmpuint (haul_schedule_get_start (schedule), ==, 60);
  g_assert_cmpuint (haul_schedule_get_end (schedule), ==, 7 * 60);

  gtk_editable_set_text (pref (prefs, "schedule_start_row"), "2:30");
  g_clear_pointer (&start, g_free);
  g_assert_cmpstr ((start = g_settings_get_string (settings, "schedule-start")), ==, "02:30");
  g_assert_cmpuint (haul_schedule_get_start (haul_queue_get_schedule (f->queue)), ==, 150);
  haul_test_assert_shows (GTK_WIDGET (prefs), "Downloads run from 02:30 to 07:00");

  /* Text that is not a time: said, not saved. */
  gtk_editable_set_text (pref (prefs, "schedule_end_row"), "7 pm");
  {
    g_autofree char *end = g_settings_get_string (settings, "schedule-end");

    g_assert_cmpstr (end, ==, "07:00");
  }
  g_assert_true (gtk_widget_has_css_class (pref (prefs, "schedule_end_row"), "error"));
  g_assert_true (gtk_widget_has_css_class (pref (prefs, "schedule_label"), "error"));
  g_assert_null (strstr (gtk_label_get_label (pref (prefs, "schedule_label")), "Downloads run"));
  g_assert_cmpuint (haul_schedule_get_end (haul_queue_get_schedule (f->queue)), ==, 7 * 60);
  gtk_editable_set_text (pref (prefs, "schedule_end_row"), "06:45");
  g_assert_false (gtk_widget_has_css_class (pref (prefs, "schedule_end_row"), "error"));
  g_assert_cmpuint (haul_schedule_get_end (haul_queue_get_schedule (f->queue)), ==, 6 * 60 + 45);
  /* Past midnight. */
  gtk_editable_set_text (pref (prefs, "schedule_start_row"), "23:00");
  haul_test_assert_shows (GTK_WIDGET (prefs), "Downloads run from 23:00 to 06:45 the next morning");

  /* Weekdays: Monday is the first button, bit 1. */
  monday = gtk_widget_get_first_child (pref (prefs, "schedule_days_box"));
  g_assert_true (GTK_IS_TOGGLE_BUTTON (monday));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (monday)));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (monday)), ==, "Mon");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (monday), FALSE);
  g_assert_cmpint (g_settings_get_int (settings, "schedule-days"), ==, 126);
  g_assert_cmpuint (haul_schedule_get_days (haul_queue_get_schedule (f->queue)), ==, 126);

  /* When done */
  adw_combo_row_set_selected (pref (prefs, "when_done_row"), 1);
  g_clear_pointer (&start, g_free);
  g_assert_cmpstr ((start = g_settings_get_string (settings, "when-done")), ==, "quit");

  /* Keys changed elsewhere are shown. */
  g_settings_set_string (settings, "schedule-start", "03:00");
  g_assert_cmpstr (gtk_editable_get_text (pref (prefs, "schedule_start_row")), ==, "03:00");
  g_settings_set_string (settings, "metered-downloads", "pause");
  g_assert_cmpuint (adw_combo_row_get_selected (pref (prefs, "metered_row")), ==, 0);
  g_assert_true (haul_network_policy_get_pause_on_metered (policy));

  haul_test_screenshots (GTK_WINDOW (prefs), "HAUL_TEST_SHOTS", "preferences-network");

  gtk_switch_set_active (pref (prefs, "schedule_switch"), FALSE);
  g_assert_null (haul_queue_get_schedule (f->queue));
  gtk_window_destroy (GTK_WINDOW (prefs));
  reset_settings (settings);
}

/* ------------------------------------------------------------------ */
/* When done: quit */

typedef struct
{
  HaulApplication *app;
  HaulTestServer  *server;
  HaulDownload    *download;
  GBytes          *content;
  gboolean         paused_seen;
  gboolean         timed_out;
  GtkWidget       *other;
} WhenDone;

static void
when_done_timeout (gpointer data)
{
  WhenDone *w = data;

  w->timed_out = TRUE;
  g_application_quit (G_APPLICATION (w->app));
}

static gboolean
window_inactive (gpointer window)
{
  return !gtk_window_is_active (window);
}

/* Another window in front of Haul's (xdotool focuses it: no window
 * manager under Xvfb). */
static GtkWidget *
cover_window (GtkWindow *haul)
{
  GtkWidget *other = gtk_window_new ();
  g_autoptr(GSubprocess) p = NULL;
  HaulTestAsync w = { 0 };

  gtk_window_set_title (GTK_WINDOW (other), "Other");
  gtk_window_present (GTK_WINDOW (other));
  g_assert_true (haul_test_wait_until ((HaulTestPredicate) gtk_widget_get_mapped, other, WAIT_MS));
  p = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, NULL, "xdotool", "search", "--name", "^Other$",
                        "windowfocus", "--sync", NULL);
  g_assert_nonnull (p);
  g_subprocess_wait_async (p, NULL, haul_test_async_cb, &w);
  haul_test_async_wait (&w);
  g_clear_object (&w.result);
  g_assert_true (haul_test_wait_until (window_inactive, haul, WAIT_MS));
  return other;
}

static void
when_done_body (gpointer data)
{
  WhenDone *w = data;
  HaulQueue *queue = haul_application_get_queue (w->app);
  GSettings *settings = haul_application_get_settings (w->app);
  g_autofree char *dir = g_strdup (haul_folders_get_default ());

  reset_settings (settings);
  g_settings_set_string (settings, "when-done", "quit");
  haul_test_server_add_file (w->server, "/done.bin", w->content, &(HaulTestFileOptions) { .rate = 512 * KIB });
  w->download = g_object_ref (haul_test_add (queue, w->server, dir, "/done.bin"));
  haul_test_wait_download (w->download, has_left_queue, "started");
  /* Paused is not done: Haul stays. */
  haul_queue_pause (queue, w->download);
  haul_test_wait_paused (w->download);
  haul_test_spin (500);
  w->paused_seen = gtk_application_get_active_window (GTK_APPLICATION (w->app)) != NULL;
  /* Nobody looks: what finished is told though Haul quits at once. */
  w->other = cover_window (gtk_application_get_active_window (GTK_APPLICATION (w->app)));
  fake_desktop_clear ();
  haul_queue_resume (queue, w->download);
  g_timeout_add_once (WAIT_MS, when_done_timeout, w);
}

static void
test_when_done (void)
{
  g_autoptr(HaulApplication) app = haul_application_new ();
  g_autoptr(HaulTestServer) server = haul_test_server_new ();
  g_autoptr(GBytes) content = haul_test_content (2 * SIZE, 6);
  WhenDone w = { app, server, NULL, content, FALSE, FALSE, NULL };
  g_auto(GStrv) notes = NULL;
  char *argv[] = { (char *) "haul", NULL };

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_idle_add_once (when_done_body, &w);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, argv), ==, 0);
  /* It quit by itself, after the download finished, not at the pause. */
  g_assert_false (w.timed_out);
  g_assert_true (w.paused_seen);
  haul_test_assert_state (w.download, HAUL_DOWNLOAD_STATE_COMPLETED);
  haul_test_assert_file_in (haul_folders_get_default (), "done.bin", content);
  g_assert_true (haul_test_wait_until (has_call, (gpointer) "Notify\x1f" "Download Finished", WAIT_MS));
  notes = fake_desktop_calls ("Notify");
  g_assert_cmpuint (g_strv_length (notes), ==, 1);
  g_assert_nonnull (strstr (notes[0], "\x1f" "done.bin\x1f"));
  gtk_window_destroy (GTK_WINDOW (w.other));
  {
    /* The memory backend outlives the application: the next test starts plain. */
    g_autoptr(GSettings) settings = g_settings_new ("io.github.haulapp.Haul");

    reset_settings (settings);
  }
  g_clear_object (&w.download);
}

/* ------------------------------------------------------------------ */

static void test_offline (void) { haul_test_run_in_app (body_offline); }
static void test_metered (void) { haul_test_run_in_app (body_metered); }
static void test_schedule (void) { haul_test_run_in_app (body_schedule); }
static void test_start_at (void) { haul_test_run_in_app (body_start_at); }
static void test_preferences (void) { haul_test_run_in_app (body_preferences); }

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = g_dir_make_tmp ("haul-ui-home-XXXXXX", NULL);
  g_autofree char *config = g_build_filename (home, ".config", NULL);
  g_autofree char *downloads = g_build_filename (home, "Downloads", NULL);

  /* haul_test_add() saves there; the window makes it for a drop. */
  g_assert_cmpint (g_mkdir_with_parents (downloads, 0700), ==, 0);
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("HAUL_NO_STORE", "1", TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL || !gtk_init_check ())
    {
      g_printerr ("no display or no D-Bus session: run the ui suite under dbus-run-session -- xvfb-run -a\n");
      return 77;
    }
  fake_desktop_start ();
  haul_test_ignore_proxies ();

  g_test_add_func ("/haul/ui/network/offline", test_offline);
  g_test_add_func ("/haul/ui/network/metered", test_metered);
  g_test_add_func ("/haul/ui/network/schedule", test_schedule);
  g_test_add_func ("/haul/ui/network/start-at", test_start_at);
  g_test_add_func ("/haul/ui/network/preferences", test_preferences);
  g_test_add_func ("/haul/ui/network/when-done", test_when_done);
  return g_test_run ();
}
