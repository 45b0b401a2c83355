/* haul-download-row.c — one download in the list
 *
 * File name, progress bar, "12.3 MB of 40 MB — 18 MB/s — 2 s left" or the
 * state (with the error of a failed download), and the actions that fit the
 * state. A queued download says why it waits (the network, a metered
 * connection, the schedule's hours, its own start time: haul-wait-text.c).
 * A row is recycled by the list view: it follows whichever download it is
 * bound to and holds nothing else; only a bound row listens to the queue's
 * "hold" (the list may have 10 000 downloads, a few dozen rows).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-download-row"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-details-window.h"
#include "haul-download-row.h"
#include "haul-sign-in-dialog.h"
#include "haul-start-at-dialog.h"
#include "haul-wait-text.h"
#include "haul-file-actions.h"
#include "haul-format.h"
#include "haul-progress-line.h"
#include "haul-status-lines.h"

struct _HaulDownloadRow
{
  GtkWidget       parent_instance;

  /* Template widgets */
  GtkImage       *icon;
  GtkLabel       *name_label;
  HaulProgressLine *bar;
  HaulStatusLines *status_label;
  GtkButton      *action_button;
  GtkMenuButton  *menu_button;
  GtkWidget      *context_menu;  /* right-click, long-press: built on the first */

  /* Owned references */
  HaulQueue      *queue;
  HaulDownload   *download;
  gulong          changed_handler;
  gulong          hold_handler;    /* the queue's notify::hold, while bound */
  gulong          start_handler;   /* the download's notify::start-after */

  const char     *action_label;  /* the action button's, translated */
  char           *icon_for;  /* the file name the icon was chosen for */
  char           *provisional;
  HaulDownload   *provisional_for; /* not a reference: compared only */
  int             shown_state;     /* -1: none yet */
};

G_DEFINE_FINAL_TYPE (HaulDownloadRow, haul_download_row, GTK_TYPE_WIDGET)

static void
set_str (char       **field,
                  const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*field);
  *field = copy;
}

static void
update_icon (HaulDownloadRow *self,
             const char      *name)
{
  g_autofree char *content_type = NULL;
  g_autoptr(GIcon) generic = NULL;
  g_autoptr(GIcon) icon = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) names = NULL;

  if (g_strcmp0 (self->icon_for, name) == 0)
    return;
  g_free (self->icon_for);
  self->icon_for = g_strdup (name);

  content_type = g_content_type_guess (name, NULL, 0, NULL);
  generic = g_content_type_get_symbolic_icon (content_type);

  /* Only symbolic names, ending with a plain page: the theme has no
   * symbolic icon for many types (an .iso), and its colour fallback looks
   * out of place in a list of symbolic ones. */
  builder = g_strv_builder_new ();
  if (G_IS_THEMED_ICON (generic))
    for (const char * const *n = g_themed_icon_get_names (G_THEMED_ICON (generic)); *n != NULL; n++)
      if (g_str_has_suffix (*n, "-symbolic"))
        g_strv_builder_add (builder, *n);
  g_strv_builder_add (builder, "text-x-generic-symbolic");
  names = g_strv_builder_end (builder);
  icon = g_themed_icon_new_from_names (names, -1);
  gtk_image_set_from_gicon (self->icon, icon);
}

/* Before the server names the file: the last part of the link. */
static const char *
provisional_name (HaulDownloadRow *self)
{
  const char *uri = haul_download_get_uri (self->download);

  if (self->provisional_for != self->download)
    {
      g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
      g_autofree char *base = NULL;

      g_clear_pointer (&self->provisional, g_free);
      if (parsed != NULL)
        {
          base = g_path_get_basename (g_uri_get_path (parsed));
          if (base != NULL && !g_str_equal (base, "/") && !g_str_equal (base, "."))
            self->provisional = g_uri_unescape_string (base, NULL);
          if (self->provisional == NULL || !g_utf8_validate (self->provisional, -1, NULL))
            set_str (&self->provisional, g_uri_get_host (parsed));
        }
      self->provisional_for = self->download;
    }
  return self->provisional != NULL ? self->provisional : uri;
}

static void
set_primary (HaulDownloadRow *self,
             const char      *icon_name,
             const char      *action_name,
             const char      *label)
{
  gtk_widget_set_visible (GTK_WIDGET (self->action_button), action_name != NULL);
  if (action_name == NULL)
    return;
  gtk_button_set_icon_name (self->action_button, icon_name);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->action_button), action_name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->action_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  self->action_label = label;
}

/* Tooltips are asked for on hover rather than set: in GTK 4.8 setting one
 * asks the X server where the pointer is, and a list builds rows by the
 * hundred. */
static gboolean
query_tooltip_cb (GtkWidget       *widget,
                  int              x,
                  int              y,
                  gboolean         keyboard_mode,
                  GtkTooltip      *tooltip,
                  HaulDownloadRow *self)
{
  const char *text = NULL;

  if (widget == GTK_WIDGET (self->action_button))
    text = self->action_label;
  else if (widget == GTK_WIDGET (self->menu_button))
    text = _("More Actions");
  else if (widget == GTK_WIDGET (self->name_label) && self->download != NULL)
    text = haul_download_get_uri (self->download);
  else if (widget == GTK_WIDGET (self->status_label) && self->download != NULL)
    text = haul_download_get_error (self->download);

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* Queued and held back by something "Download Anyway" overrides: a
 * metered connection, the schedule, its start time (not the network). */
static gboolean
waits_for_choice (HaulDownloadRow *self)
{
  HaulDownloadWait wait;

  if (self->download == NULL || self->queue == NULL)
    return FALSE;
  wait = haul_queue_get_wait_reason (self->queue, self->download);
  return wait == HAUL_DOWNLOAD_WAIT_METERED || wait == HAUL_DOWNLOAD_WAIT_SCHEDULE ||
         wait == HAUL_DOWNLOAD_WAIT_START_TIME;
}

/* Why a queued download waits, or %NULL when only for a free slot. */
static char *
wait_status (HaulDownloadRow *self)
{
  HaulClock *clock = haul_queue_get_clock (self->queue);
  HaulDownloadWait wait = haul_queue_get_wait_reason (self->queue, self->download);
  g_autoptr(GDateTime) until = NULL;
  g_autoptr(GDateTime) now = NULL;

  if (wait == HAUL_DOWNLOAD_WAIT_NONE)
    return NULL;
  until = haul_queue_dup_wait_until (self->queue, self->download);
  now = haul_clock_now (clock);
  return haul_wait_text_reason (wait, until, now);
}

/* Paused or failed: it can take a new link (haul-window-relink.c). */
static gboolean
relinkable (HaulDownload *d)
{
  return d != NULL && (haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_PAUSED ||
                       haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_FAILED);
}

static void
update_actions (HaulDownloadRow *self)
{
  HaulDownload *d = self->download;
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean completed = d != NULL && haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_COMPLETED;
  gboolean pause = d != NULL && haul_download_can_pause (d);
  gboolean resume = d != NULL && haul_download_can_resume (d);
  gboolean retry = d != NULL && haul_download_can_retry (d);
  gboolean cancel = d != NULL && haul_download_can_cancel (d);
  gboolean movable = d != NULL && (haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_QUEUED ||
                                   haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_PAUSED);
  gboolean sign_in = d != NULL && haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_PAUSED &&
                     haul_download_get_auth_needed (d) != HAUL_DOWNLOAD_AUTH_NONE;

  gtk_widget_action_set_enabled (widget, "row.pause", pause);
  gtk_widget_action_set_enabled (widget, "row.resume", resume);
  gtk_widget_action_set_enabled (widget, "row.retry", retry);
  gtk_widget_action_set_enabled (widget, "row.cancel", cancel);
  gtk_widget_action_set_enabled (widget, "row.open", completed);
  gtk_widget_action_set_enabled (widget, "row.move-up", movable);
  gtk_widget_action_set_enabled (widget, "row.move-down", movable);
  gtk_widget_action_set_enabled (widget, "row.sign-in", sign_in);
  gtk_widget_action_set_enabled (widget, "row.change-link", relinkable (d));
  gtk_widget_action_set_enabled (widget, "row.start-at", relinkable (d) ||
                                 (d != NULL && haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_QUEUED));
  gtk_widget_action_set_enabled (widget, "row.download-anyway", waits_for_choice (self));

  /* One button for the action that fits, the rest in the menu. */
  if (sign_in)
    set_primary (self, "dialog-password-symbolic", "row.sign-in", _("Sign In…"));
  else if (pause)
    set_primary (self, "media-playback-pause-symbolic", "row.pause", _("Pause"));
  else if (resume)
    set_primary (self, "media-playback-start-symbolic", "row.resume", _("Resume"));
  else if (retry)
    set_primary (self, "view-refresh-symbolic", "row.retry", _("Retry"));
  else if (completed)
    set_primary (self, "haul-open-file-symbolic", "row.open", _("Open File"));
  else
    set_primary (self, NULL, NULL, NULL);
}

/* A paused download that waits for a password: who asks, or that the
 * last password was refused (the error, in the tooltip and the dialog,
 * says whose; nothing says the password). */
static char *
auth_status (HaulDownload *d)
{
  const char *host = haul_download_get_auth_host (d);

  if (host == NULL)
    host = "?";
  if (haul_download_get_auth_refused (d))
    /* Short enough for two lines of a narrow row; Sign In… says whose. */
    return g_strdup (_("Needs a password — the last one was not accepted"));
  if (haul_download_get_auth_needed (d) == HAUL_DOWNLOAD_AUTH_PROXY)
    /* Translators: "Needs a password — for the proxy proxy.example.org:3128" */
    return g_strdup_printf (_("Needs a password — for the proxy %s"), host);
  /* Translators: "Needs a password — for files.example.org" */
  return g_strdup_printf (_("Needs a password — for %s"), host);
}

/* Setting the same text again is not free (a relayout). */
static void
set_label_if_changed (GtkLabel   *label,
                      const char *text)
{
  if (g_strcmp0 (gtk_label_get_label (label), text) != 0)
    gtk_label_set_label (label, text);
}

static void
update (HaulDownloadRow *self)
{
  HaulDownload *d = self->download;
  HaulDownloadState state;
  const char *name, *error;
  g_autofree char *text = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *extra = NULL;
  g_autofree char *wait = NULL;
  int shown;

  if (d == NULL)
    return;

  state = haul_download_get_state (d);
  name = haul_download_get_filename (d);
  error = haul_download_get_error (d);

  if (name == NULL)
    name = provisional_name (self);
  set_label_if_changed (self->name_label, name);
  update_icon (self, name);

  if (state == HAUL_DOWNLOAD_STATE_DOWNLOADING)
    {
      guint connections = haul_download_get_connections (d);

      text = haul_format_amount (haul_download_get_received (d), haul_download_get_total (d));
      rate = haul_format_rate (haul_download_get_speed (d), haul_download_get_total (d),
                               haul_download_get_eta (d));
      if (connections > 1)
        /* Translators: how many connections fetch the file now, after the
         * progress: "12.3 MB of 40 MB — 18 MB/s — 2 s left · 8 connections" */
        extra = g_strdup_printf (ngettext ("%u connection", "%u connections", connections), connections);
    }
  else if (state == HAUL_DOWNLOAD_STATE_COMPLETED)
    {
      g_autofree char *size = haul_format_size (haul_download_get_received (d));

      /* Translators: "Completed — 40.0 MB" */
      text = g_strdup_printf (_("%s — %s"), haul_download_state_to_string (state), size);
    }
  else if (state == HAUL_DOWNLOAD_STATE_PAUSED && haul_download_get_auth_needed (d) != HAUL_DOWNLOAD_AUTH_NONE)
    text = auth_status (d);
  else if (state == HAUL_DOWNLOAD_STATE_QUEUED && (wait = wait_status (self)) != NULL)
    text = g_steal_pointer (&wait);
  else if (error != NULL)
    {
      /* Translators: a state and why, "Failed — Not Found (404)" */
      text = g_strdup_printf (_("%s — %s"), haul_download_state_to_string (state), error);
    }
  else if (state == HAUL_DOWNLOAD_STATE_PAUSED && haul_download_get_received (d) > 0)
    {
      g_autofree char *progress = haul_format_amount (haul_download_get_received (d),
                                                      haul_download_get_total (d));

      text = g_strdup_printf (_("%s — %s"), haul_download_state_to_string (state), progress);
    }
  else
    text = g_strdup (haul_download_state_to_string (state));

  haul_status_lines_set_text (self->status_label, text, rate, extra);

  if (state == HAUL_DOWNLOAD_STATE_CONNECTING && haul_download_get_received (d) == 0)
    haul_progress_line_pulse (self->bar);
  else
    haul_progress_line_set_fraction (self->bar, haul_download_get_fraction (d));

  /* The rest follows the state only: not on every progress update. */
  shown = (int) state + 16 * (int) haul_download_get_auth_needed (d) +
          64 * (int) (state == HAUL_DOWNLOAD_STATE_QUEUED ? haul_queue_get_wait_reason (self->queue, d) : 0);
  if (self->shown_state == shown)
    return;
  self->shown_state = shown;

  if (state == HAUL_DOWNLOAD_STATE_FAILED)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "dim-label");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "dim-label");
    }

  update_actions (self);
}

/* Once per batch of notifications (one progress publication), not once
 * per changed property: the text is formatted once. */
static void
download_changed_cb (HaulDownloadRow *self,
                     HaulDownload    *download)
{
  update (self);
}

static void
start_after_cb (HaulDownloadRow *self,
                GParamSpec      *pspec,
                HaulDownload    *download)
{
  update (self);
}

/* The network went, a metered connection came, the schedule's hours
 * began or ended, Download Anyway: a queued download's reason changed. */
static void
queue_hold_cb (HaulDownloadRow *self,
               GParamSpec      *pspec,
               HaulQueue       *queue)
{
  if (self->download != NULL && haul_download_get_state (self->download) == HAUL_DOWNLOAD_STATE_QUEUED)
    update (self);
}

void
haul_download_row_set_download (HaulDownloadRow *self,
                                HaulDownload    *download)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD_ROW (self));

  if (self->download == download)
    return;

  if (self->download != NULL)
    {
      g_clear_signal_handler (&self->changed_handler, self->download);
      g_clear_signal_handler (&self->start_handler, self->download);
    }
  if (self->queue != NULL)
    g_clear_signal_handler (&self->hold_handler, self->queue);
  g_set_object (&self->download, download);
  /* A recycled row's open menu would act on another download. */
  if (self->context_menu != NULL)
    gtk_popover_popdown (GTK_POPOVER (self->context_menu));
  self->provisional_for = NULL;
  self->shown_state = -1;
  if (download != NULL)
    {
      self->changed_handler = g_signal_connect_object (download, "changed",
                                                       G_CALLBACK (download_changed_cb), self,
                                                       G_CONNECT_SWAPPED);
      /* "Start at…" set or cleared: not a ::changed of its own. */
      self->start_handler = g_signal_connect_object (download, "notify::start-after",
                                                     G_CALLBACK (start_after_cb), self,
                                                     G_CONNECT_SWAPPED);
      if (self->queue != NULL)
        self->hold_handler = g_signal_connect_object (self->queue, "notify::hold",
                                                      G_CALLBACK (queue_hold_cb), self, G_CONNECT_SWAPPED);
      update (self);
    }
  else
    update_actions (self);
}

HaulDownload *
haul_download_row_get_download (HaulDownloadRow *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD_ROW (self), NULL);
  return self->download;
}

/* The menu is built on the first click: a list creates rows by the
 * hundred, and most menus are never opened. */
static GMenuModel *
load_menu (void)
{
  g_autoptr(GtkBuilder) builder = NULL;

  builder = gtk_builder_new_from_resource ("/io/github/haulapp/Haul/haul-download-row-menu.ui");
  return g_object_ref (G_MENU_MODEL (gtk_builder_get_object (builder, "row_menu")));
}

static void
create_menu (GtkMenuButton *button,
             gpointer       user_data)
{
  g_autoptr(GMenuModel) model = NULL;

  if (gtk_menu_button_get_menu_model (button) != NULL)
    return;
  model = load_menu ();
  gtk_menu_button_set_menu_model (button, model);
}

/**
 * haul_download_row_popup_menu:
 * @x: where, in the row's coordinates; negative: at the row's menu button
 *
 * Shows the row's menu: at the pointer for a right-click or a long-press,
 * from its menu button for the keyboard (Shift+F10, the Menu key).
 */
void
haul_download_row_popup_menu (HaulDownloadRow *self,
                              double           x,
                              double           y)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD_ROW (self));

  if (self->download == NULL)
    return;
  if (x < 0 || y < 0)
    {
      gtk_menu_button_popup (self->menu_button);
      return;
    }
  if (self->context_menu == NULL)
    {
      g_autoptr(GMenuModel) model = load_menu ();

      self->context_menu = gtk_popover_menu_new_from_model (model);
      gtk_popover_set_has_arrow (GTK_POPOVER (self->context_menu), FALSE);
      gtk_widget_set_halign (self->context_menu, GTK_ALIGN_START);
      gtk_widget_set_parent (self->context_menu, GTK_WIDGET (self));
    }
  gtk_popover_set_pointing_to (GTK_POPOVER (self->context_menu), &(GdkRectangle) { x, y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->context_menu));
}

/**
 * haul_download_row_get_context_menu:
 *
 * Returns: (transfer none) (nullable): the menu a right-click opened, if one did
 */
GtkPopover *
haul_download_row_get_context_menu (HaulDownloadRow *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD_ROW (self), NULL);
  return self->context_menu ? GTK_POPOVER (self->context_menu) : NULL;
}

static void
right_click_cb (GtkGestureClick *gesture,
                int              n_press,
                double           x,
                double           y,
                HaulDownloadRow *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  haul_download_row_popup_menu (self, x, y);
}

static void
long_press_cb (GtkGestureLongPress *gesture,
               double               x,
               double               y,
               HaulDownloadRow     *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  haul_download_row_popup_menu (self, x, y);
}

/* ------------------------------------------------------------------ */
/* Actions: the row's own download */

typedef void (*QueueOp) (HaulQueue *queue, HaulDownload *download);

/* The row's download, held while an action runs: removing it from the
 * queue unbinds the row. */
static HaulDownload *
dup_download (GtkWidget *widget)
{
  HaulDownloadRow *self = HAUL_DOWNLOAD_ROW (widget);

  return self->download ? g_object_ref (self->download) : NULL;
}

static void
apply_to_download (GtkWidget *widget,
                   QueueOp    op)
{
  g_autoptr(HaulDownload) d = dup_download (widget);

  if (d != NULL)
    op (HAUL_DOWNLOAD_ROW (widget)->queue, d);
}

/* The window moves it one row as the list is shown (past downloads a
 * filter hides); a row outside a window moves it in the queue. */
static void
move_download (GtkWidget *widget,
               gboolean   down)
{
  HaulDownloadRow *self = HAUL_DOWNLOAD_ROW (widget);
  g_autoptr(HaulDownload) d = dup_download (widget);
  guint position;

  if (d == NULL || !haul_queue_get_position (self->queue, d, &position))
    return;
  if (!gtk_widget_activate_action (widget, "win.move-download", "(ub)", position, down))
    (down ? haul_queue_move_down : haul_queue_move_up) (self->queue, d);
}

typedef void (*FileOp) (GtkWindow *parent, HaulDownload *download);

static void
apply_to_file (GtkWidget *widget,
               FileOp     op)
{
  g_autoptr(HaulDownload) d = dup_download (widget);

  if (d != NULL)
    op (GTK_WINDOW (gtk_widget_get_root (widget)), d);
}

static void
pause_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  apply_to_download (widget, haul_queue_pause);
}

static void
resume_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  apply_to_download (widget, haul_queue_resume);
}

/* Cancel and Remove go through the window, which offers Undo in a toast
 * (and keeps the .part until the toast is gone). */
static void
to_window (GtkWidget  *widget,
           const char *action)
{
  g_autoptr(HaulDownload) d = dup_download (widget);

  if (d != NULL)
    gtk_widget_activate_action (widget, action, "s", haul_download_get_uri (d));
}

static void
cancel_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  to_window (widget, "win.cancel-download");
}

static void
retry_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  apply_to_download (widget, haul_queue_retry);
}

static void
change_link_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  to_window (widget, "win.change-link");
}

/* Text dropped on a stopped row: the window decides (one link: a new
 * link for this download; anything else: downloads to add). */
static gboolean
drop_cb (GtkDropTarget   *target,
         const GValue    *value,
         double           x,
         double           y,
         HaulDownloadRow *self)
{
  if (self->download == NULL || !G_VALUE_HOLDS_STRING (value) || g_value_get_string (value) == NULL)
    return FALSE;
  gtk_widget_activate_action (GTK_WIDGET (self), "win.relink-drop", "(ss)",
                              haul_download_get_uri (self->download), g_value_get_string (value));
  return TRUE;
}

/* Only a stopped row takes drops; on the others they reach the window. */
static gboolean
drop_accept_cb (GtkDropTarget   *target,
                GdkDrop         *drop,
                HaulDownloadRow *self)
{
  GdkContentFormats *formats = gdk_drop_get_formats (drop);

  /* Files (a list of links in a .txt) are the window's, as always. */
  return relinkable (self->download) && gdk_content_formats_contain_gtype (formats, G_TYPE_STRING) &&
         !gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST);
}

static void
remove_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  to_window (widget, "win.remove-download");
}

static void
move_up_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  move_download (widget, FALSE);
}

static void
move_down_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  move_download (widget, TRUE);
}

static void
open_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  apply_to_file (widget, haul_file_actions_open);
}

static void
show_in_folder_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  apply_to_file (widget, haul_file_actions_show_in_folder);
}

static void
copy_link_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  g_autoptr(HaulDownload) d = dup_download (widget);

  if (d != NULL)
    haul_file_actions_copy_link (widget, d);
}

static void
sign_in_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  g_autoptr(HaulDownload) d = dup_download (widget);

  if (d != NULL)
    haul_sign_in_dialog_present (GTK_WINDOW (gtk_widget_get_root (widget)),
                                 HAUL_DOWNLOAD_ROW (widget)->queue, d);
}

static void
download_anyway_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  apply_to_download (widget, haul_queue_download_anyway);
}

static void
start_at_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  g_autoptr(HaulDownload) d = dup_download (widget);

  if (d != NULL)
    haul_start_at_dialog_present (GTK_WINDOW (gtk_widget_get_root (widget)),
                                  HAUL_DOWNLOAD_ROW (widget)->queue, d);
}

static void
present_details (GtkWindow    *parent,
                 HaulDownload *download)
{
  haul_details_window_present (parent, download);
}

static void
details_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  apply_to_file (widget, present_details);
}

static void
haul_download_row_dispose (GObject *object)
{
  HaulDownloadRow *self = HAUL_DOWNLOAD_ROW (object);
  GtkWidget *child;

  haul_download_row_set_download (self, NULL);
  g_clear_object (&self->queue);
  g_clear_pointer (&self->context_menu, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), HAUL_TYPE_DOWNLOAD_ROW);
  /* Unnamed template children too: a plain GtkWidget owns its children. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (haul_download_row_parent_class)->dispose (object);
}

static void
haul_download_row_finalize (GObject *object)
{
  HaulDownloadRow *self = HAUL_DOWNLOAD_ROW (object);

  g_free (self->icon_for);
  g_free (self->provisional);

  G_OBJECT_CLASS (haul_download_row_parent_class)->finalize (object);
}

static void
haul_download_row_class_init (HaulDownloadRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = haul_download_row_dispose;
  object_class->finalize = haul_download_row_finalize;

  g_type_ensure (HAUL_TYPE_PROGRESS_LINE);
  g_type_ensure (HAUL_TYPE_STATUS_LINES);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/haulapp/Haul/haul-download-row.ui");
  gtk_widget_class_bind_template_child (widget_class, HaulDownloadRow, icon);
  gtk_widget_class_bind_template_child (widget_class, HaulDownloadRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, HaulDownloadRow, bar);
  gtk_widget_class_bind_template_child (widget_class, HaulDownloadRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, HaulDownloadRow, action_button);
  gtk_widget_class_bind_template_child (widget_class, HaulDownloadRow, menu_button);
  gtk_widget_class_bind_template_callback (widget_class, query_tooltip_cb);

  gtk_widget_class_install_action (widget_class, "row.pause", NULL, pause_activated);
  gtk_widget_class_install_action (widget_class, "row.resume", NULL, resume_activated);
  gtk_widget_class_install_action (widget_class, "row.cancel", NULL, cancel_activated);
  gtk_widget_class_install_action (widget_class, "row.retry", NULL, retry_activated);
  gtk_widget_class_install_action (widget_class, "row.remove", NULL, remove_activated);
  gtk_widget_class_install_action (widget_class, "row.move-up", NULL, move_up_activated);
  gtk_widget_class_install_action (widget_class, "row.move-down", NULL, move_down_activated);
  gtk_widget_class_install_action (widget_class, "row.open", NULL, open_activated);
  gtk_widget_class_install_action (widget_class, "row.show-in-folder", NULL, show_in_folder_activated);
  gtk_widget_class_install_action (widget_class, "row.copy-link", NULL, copy_link_activated);
  gtk_widget_class_install_action (widget_class, "row.details", NULL, details_activated);
  gtk_widget_class_install_action (widget_class, "row.sign-in", NULL, sign_in_activated);
  gtk_widget_class_install_action (widget_class, "row.change-link", NULL, change_link_activated);
  gtk_widget_class_install_action (widget_class, "row.download-anyway", NULL, download_anyway_activated);
  gtk_widget_class_install_action (widget_class, "row.start-at", NULL, start_at_activated);

  gtk_widget_class_set_css_name (widget_class, "haul-download-row");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
haul_download_row_init (HaulDownloadRow *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *long_press = gtk_gesture_long_press_new ();
  GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_STRING, GDK_ACTION_COPY);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->shown_state = -1;
  gtk_menu_button_set_create_popup_func (self->menu_button, create_menu, NULL, NULL);

  /* The row's menu where the pointer is, and by a long touch. */
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (right_click_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (long_press), TRUE);
  g_signal_connect (long_press, "pressed", G_CALLBACK (long_press_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (long_press));
  g_signal_connect (drop, "accept", G_CALLBACK (drop_accept_cb), self);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  update_actions (self);
}

HaulDownloadRow *
haul_download_row_new (HaulQueue *queue)
{
  HaulDownloadRow *self = g_object_new (HAUL_TYPE_DOWNLOAD_ROW, NULL);

  self->queue = g_object_ref (queue);
  return self;
}
