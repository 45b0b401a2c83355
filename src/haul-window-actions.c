/* haul-window-actions.c — the main window's actions
 *
 * One callback per win. action, installed next to its name and its
 * shortcut: on the selection, on the whole list, and the ways of adding
 * links (which haul-window-import.c carries out). Which of them are
 * enabled follows the list; haul-window.c decides that.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-window"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-details-window.h"
#include "haul-download-row.h"
#include "haul-window-private.h"

/* ------------------------------------------------------------------ */
/* On the selection */

/* The selected downloads @applies to (all when NULL), in list order. */
static GPtrArray *
dup_selected_that (HaulWindow *self,
                   gboolean  (*applies) (HaulDownload *))
{
  GPtrArray *selected = _haul_window_dup_selected (self);

  if (applies != NULL)
    {
      guint j = 0;

      for (guint i = 0; i < selected->len; i++)
        {
          HaulDownload *d = g_ptr_array_index (selected, i);

          if (applies (d))
            selected->pdata[j++] = d;
          else
            g_object_unref (d);
        }
      g_ptr_array_set_free_func (selected, NULL);
      g_ptr_array_set_size (selected, j);
      g_ptr_array_set_free_func (selected, g_object_unref);
    }
  return selected;
}

/* Any number of rows: in slices, a frame apart (haul-window-bulk.c). */
static void
apply_to_selected (HaulWindow    *self,
                   gboolean     (*applies) (HaulDownload *),
                   HaulBulkKind   kind)
{
  _haul_window_bulk (self, kind, dup_selected_that (self, applies));
}

static void
pause_selected_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  apply_to_selected (HAUL_WINDOW (widget), haul_download_can_pause, HAUL_BULK_PAUSE);
}

static void
resume_selected_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  apply_to_selected (HAUL_WINDOW (widget), haul_download_can_resume, HAUL_BULK_RESUME);
}

static void
retry_selected_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  apply_to_selected (HAUL_WINDOW (widget), haul_download_can_retry, HAUL_BULK_RETRY);
}

static void
cancel_selected_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  apply_to_selected (HAUL_WINDOW (widget), haul_download_can_cancel, HAUL_BULK_CANCEL);
}

/* Space: pause if anything selected runs, resume otherwise. */
static void
toggle_pause_selected_activated (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  HaulWindow *self = HAUL_WINDOW (widget);
  g_autoptr(GPtrArray) running = dup_selected_that (self, haul_download_can_pause);

  if (running->len > 0)
    _haul_window_bulk (self, HAUL_BULK_PAUSE, g_steal_pointer (&running));
  else
    apply_to_selected (self, haul_download_can_resume, HAUL_BULK_RESUME);
}

static gboolean
unselect_all_cb (gpointer data)
{
  HaulWindow *self = data;

  if (self->selection != NULL)
    gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  return G_SOURCE_REMOVE;
}

/* The selection is cleared first: GtkMultiSelection remembers each
 * selected item (to select it again if it comes back), and walks that
 * memory on every items-changed; removing 100 000 selected rows in slices
 * would walk it once per slice. */
static void
remove_selected_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  HaulWindow *self = HAUL_WINDOW (widget);
  GPtrArray *selected = _haul_window_dup_selected (self);

  /* Cleared in an iteration of its own when long (it costs what the
   * selection holds), before the first slice. */
  if (selected->len > 4096)
    g_idle_add_full (G_PRIORITY_HIGH_IDLE, unselect_all_cb, g_object_ref (self), g_object_unref);
  else
    gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  _haul_window_bulk (self, HAUL_BULK_REMOVE, selected);
}

/* One download, named by its link (a row's Remove and Cancel). */
static void
apply_to_one (HaulWindow   *self,
              GVariant     *parameter,
              HaulBulkKind  kind)
{
  HaulDownload *d = haul_queue_find_by_uri (self->queue, g_variant_get_string (parameter, NULL));
  GPtrArray *one = g_ptr_array_new_with_free_func (g_object_unref);

  if (d != NULL)
    g_ptr_array_add (one, g_object_ref (d));
  _haul_window_bulk (self, kind, one);
}

static void
remove_download_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  apply_to_one (HAUL_WINDOW (widget), parameter, HAUL_BULK_REMOVE);
}

static void
cancel_download_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  apply_to_one (HAUL_WINDOW (widget), parameter, HAUL_BULK_CANCEL);
}

/* Alt+Up, Alt+Down: one row up or down the list as it is shown (past the
 * downloads a filter hides), staying selected and in view. */
static void
move_selected (HaulWindow *self,
               gboolean    down)
{
  g_autoptr(GtkBitset) set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  g_autoptr(HaulDownload) d = NULL;
  guint shown, position;

  if (gtk_bitset_get_size (set) != 1)
    return;
  shown = gtk_bitset_get_minimum (set);
  d = g_list_model_get_item (G_LIST_MODEL (self->shown), shown);
  if (d == NULL || !haul_queue_get_position (self->queue, d, &position) ||
      !_haul_window_move (self, position, down))
    return;
  shown = down ? shown + 1 : shown - 1;
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), shown, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", shown);
}

/* Alt+Return: the details of the one selected download. */
static void
details_selected_activated (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  g_autoptr(GPtrArray) selected = _haul_window_dup_selected (HAUL_WINDOW (widget));

  if (selected->len == 1)
    haul_details_window_present (GTK_WINDOW (widget), g_ptr_array_index (selected, 0));
}

static void
move_up_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  move_selected (HAUL_WINDOW (widget), FALSE);
}

static void
move_down_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  move_selected (HAUL_WINDOW (widget), TRUE);
}

/* A row's Move Up and Down: (queue position, down), moved like the
 * selection, among the rows shown. */
static void
move_download_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  guint position;
  gboolean down;

  g_variant_get (parameter, "(ub)", &position, &down);
  _haul_window_move (HAUL_WINDOW (widget), position, down);
}

/* Shift+F10 and the Menu key: the focused row's menu. The focus is on the
 * list's item, whose child is the row. */
static void
row_menu_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (widget));

  for (GtkWidget *w = focus; w != NULL; w = gtk_widget_get_parent (w))
    if (gtk_widget_get_parent (w) == GTK_WIDGET (HAUL_WINDOW (widget)->list_view))
      {
        GtkWidget *row = gtk_widget_get_first_child (w);

        if (HAUL_IS_DOWNLOAD_ROW (row))
          haul_download_row_popup_menu (HAUL_DOWNLOAD_ROW (row), -1, -1);
        return;
      }
}

/* Escape: first closes the search (and its filter), then lets go of a
 * selection of many; otherwise it goes on to the focused widget. */
static gboolean
escape_cb (GtkWidget *widget,
           GVariant  *args,
           gpointer   user_data)
{
  HaulWindow *self = HAUL_WINDOW (widget);
  g_autoptr(GtkBitset) set = NULL;

  if (gtk_search_bar_get_search_mode (self->search_bar))
    {
      gtk_search_bar_set_search_mode (self->search_bar, FALSE);
      return TRUE;
    }
  set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  if (gtk_bitset_get_size (set) < 2)
    return FALSE;
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* On the whole list */

/* The listed downloads @applies to, in list order. */
static GPtrArray *
dup_all_that (HaulWindow *self,
              gboolean  (*applies) (HaulDownload *))
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->queue));
  GPtrArray *all = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      HaulDownload *d = haul_queue_get_download (self->queue, i);

      if (applies (d))
        g_ptr_array_add (all, g_object_ref (d));
    }
  return all;
}

static void
pause_all_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  HaulWindow *self = HAUL_WINDOW (widget);

  _haul_window_bulk (self, HAUL_BULK_PAUSE, dup_all_that (self, haul_download_can_pause));
}

static void
resume_all_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  HaulWindow *self = HAUL_WINDOW (widget);

  _haul_window_bulk (self, HAUL_BULK_RESUME, dup_all_that (self, haul_download_can_resume));
}

static gboolean
is_completed (HaulDownload *d)
{
  return haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_COMPLETED;
}

/* Completed downloads leave the list (and the saved list); their files
 * stay. A toast offers Undo. */
static void
clear_finished_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  HaulWindow *self = HAUL_WINDOW (widget);

  _haul_window_bulk (self, HAUL_BULK_CLEAR, dup_all_that (self, is_completed));
}

static void
search_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  HaulWindow *self = HAUL_WINDOW (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  _haul_window_refresh_states (self);
}

static void
clear_filter_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  _haul_window_clear_filter (HAUL_WINDOW (widget));
}

/* ------------------------------------------------------------------ */
/* Adding links */

static void
add_activated (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  _haul_window_show_add_dialog (HAUL_WINDOW (widget));
}

static void
paste_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  _haul_window_paste (HAUL_WINDOW (widget));
}

/* ------------------------------------------------------------------ */

void
_haul_window_class_actions_init (HaulWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "win.pause-selected", NULL, pause_selected_activated);
  gtk_widget_class_install_action (widget_class, "win.resume-selected", NULL, resume_selected_activated);
  gtk_widget_class_install_action (widget_class, "win.retry-selected", NULL, retry_selected_activated);
  gtk_widget_class_install_action (widget_class, "win.cancel-selected", NULL, cancel_selected_activated);
  gtk_widget_class_install_action (widget_class, "win.toggle-pause-selected", NULL,
                                   toggle_pause_selected_activated);
  gtk_widget_class_install_action (widget_class, "win.remove-selected", NULL, remove_selected_activated);
  gtk_widget_class_install_action (widget_class, "win.remove-download", "s", remove_download_activated);
  gtk_widget_class_install_action (widget_class, "win.cancel-download", "s", cancel_download_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "win.remove-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "win.remove-selected", NULL);
  gtk_widget_class_install_action (widget_class, "win.details-selected", NULL, details_selected_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_ALT_MASK,
                                       "win.details-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_ALT_MASK,
                                       "win.details-selected", NULL);
  gtk_widget_class_install_action (widget_class, "win.move-up", NULL, move_up_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK, "win.move-up", NULL);
  gtk_widget_class_install_action (widget_class, "win.move-down", NULL, move_down_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_ALT_MASK, "win.move-down", NULL);
  gtk_widget_class_install_action (widget_class, "win.move-download", "(ub)", move_download_activated);
  gtk_widget_class_install_action (widget_class, "win.row-menu", NULL, row_menu_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "win.row-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "win.row-menu", NULL);

  gtk_widget_class_install_action (widget_class, "win.pause-all", NULL, pause_all_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.pause-all", NULL);
  gtk_widget_class_install_action (widget_class, "win.resume-all", NULL, resume_all_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.resume-all", NULL);
  gtk_widget_class_install_action (widget_class, "win.clear-finished", NULL, clear_finished_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.clear-finished", NULL);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_install_action (widget_class, "win.clear-filter", NULL, clear_filter_activated);

  gtk_widget_class_install_action (widget_class, "win.add", NULL, add_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.add", NULL);
  gtk_widget_class_install_action (widget_class, "win.paste", NULL, paste_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_v, GDK_CONTROL_MASK, "win.paste", NULL);

  _haul_window_class_relink_init (klass);
}

/* Space pauses or resumes the selection. The list's rows would take it
 * for selection, so this listens before them. Escape too: with a row
 * focused, a binding on this window was never reached by it (GTK 4.8;
 * a plain window's binding is), and the search entry closes the search
 * only while it has the focus. */
void
_haul_window_actions_init (HaulWindow *self)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();
  GtkEventController *escape = gtk_shortcut_controller_new ();
  GtkShortcut *shortcut;

  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  shortcut = gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_space, 0),
                               gtk_named_action_new ("win.toggle-pause-selected"));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), controller);

  gtk_event_controller_set_propagation_phase (escape, GTK_PHASE_CAPTURE);
  shortcut = gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                               gtk_callback_action_new (escape_cb, NULL, NULL));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (escape), shortcut);
  gtk_widget_add_controller (GTK_WIDGET (self), escape);
}
