/* haul-window.c — the main window
 *
 * The queue as a list (only visible rows exist, so a long queue costs
 * nothing), with search and a state filter, multi-selection and actions on
 * it, and every way of adding links: the Add dialog, Ctrl+V and dropping
 * links, text or files of links. Lists are parsed by a worker; nothing here
 * ever waits on disk or network.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-window"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-add-dialog.h"
#include "haul-download-row.h"
#include "haul-file-actions.h"
#include "haul-format.h"
#include "haul-link-import.h"
#include "haul-progress-line.h"
#include "haul-window.h"

typedef enum
{
  FILTER_ALL,
  FILTER_ACTIVE,
  FILTER_FINISHED,
  FILTER_FAILED,
} StateFilter;

struct _HaulWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  GtkWidget            *drop_area;
  GtkInscription       *summary;
  GtkWidget            *pause_all_button;
  GtkWidget            *resume_all_button;
  HaulProgressLine     *total_bar;
  GtkSearchBar         *search_bar;
  GtkEditable          *search_entry;
  GtkDropDown          *state_filter;
  GtkStack             *stack;
  GtkListView          *list_view;
  GtkRevealer          *selection_revealer;
  GtkLabel             *selection_label;
  GtkRevealer          *drop_revealer;

  /* Owned references */
  HaulQueue            *queue;
  GtkCustomFilter      *filter;
  GtkFilterListModel   *filtered;
  GtkMultiSelection    *selection;
  GCancellable         *cancellable;

  guint                 states_source;
  char                 *search;  /* casefolded, NULL when empty */
  StateFilter           state;
};

G_DEFINE_FINAL_TYPE (HaulWindow, haul_window, ADW_TYPE_APPLICATION_WINDOW)

static void update_selection (HaulWindow *self);

/* ------------------------------------------------------------------ */
/* Rows */

static void
factory_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               HaulWindow               *self)
{
  gtk_list_item_set_child (item, GTK_WIDGET (haul_download_row_new (self->queue)));
}

static void
factory_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              HaulWindow               *self)
{
  haul_download_row_set_download (HAUL_DOWNLOAD_ROW (gtk_list_item_get_child (item)),
                                  gtk_list_item_get_item (item));
}

static void
factory_unbind (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                HaulWindow               *self)
{
  haul_download_row_set_download (HAUL_DOWNLOAD_ROW (gtk_list_item_get_child (item)), NULL);
}

/* Enter on a row: open a finished file, resume a paused one, retry a failed one. */
static void
list_activate_cb (HaulWindow  *self,
                  guint        position,
                  GtkListView *list_view)
{
  g_autoptr(HaulDownload) d = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);

  if (d == NULL)
    return;
  if (haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_COMPLETED)
    haul_file_actions_open (GTK_WINDOW (self), d);
  else if (haul_download_can_resume (d))
    haul_queue_resume (self->queue, d);
  else if (haul_download_can_retry (d))
    haul_queue_retry (self->queue, d);
}

/* ------------------------------------------------------------------ */
/* Search and state filter */

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  HaulWindow *self = user_data;
  HaulDownload *d = item;
  HaulDownloadState state = haul_download_get_state (d);

  switch (self->state)
    {
    case FILTER_ACTIVE:
      if (haul_download_is_finished (d))
        return FALSE;
      break;
    case FILTER_FINISHED:
      if (state != HAUL_DOWNLOAD_STATE_COMPLETED)
        return FALSE;
      break;
    case FILTER_FAILED:
      if (state != HAUL_DOWNLOAD_STATE_FAILED && state != HAUL_DOWNLOAD_STATE_CANCELLED)
        return FALSE;
      break;
    case FILTER_ALL:
    default:
      break;
    }

  if (self->search != NULL)
    {
      const char *name = haul_download_get_filename (d);
      g_autofree char *folded_name = name ? g_utf8_casefold (name, -1) : NULL;
      g_autofree char *folded_uri = g_utf8_casefold (haul_download_get_uri (d), -1);

      if ((folded_name == NULL || strstr (folded_name, self->search) == NULL) &&
          strstr (folded_uri, self->search) == NULL)
        return FALSE;
    }
  return TRUE;
}

static void
refilter (HaulWindow *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

/* A state filter must follow downloads that change state; without one
 * nothing moves in or out. */
static void
states_changed (HaulWindow *self)
{
  if (self->state != FILTER_ALL)
    refilter (self);
}

static void
search_changed_cb (HaulWindow *self)
{
  const char *text = gtk_editable_get_text (self->search_entry);

  g_clear_pointer (&self->search, g_free);
  if (text != NULL && *text != '\0')
    self->search = g_utf8_casefold (text, -1);
  refilter (self);
}

static void
state_filter_cb (HaulWindow *self)
{
  self->state = gtk_drop_down_get_selected (self->state_filter);
  refilter (self);
}

/* ------------------------------------------------------------------ */
/* Header: summary, aggregate progress, page */

static void
update_page (HaulWindow *self)
{
  const char *page;

  if (g_list_model_get_n_items (G_LIST_MODEL (self->queue)) == 0)
    page = "empty";
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) == 0)
    page = "no-results";
  else
    page = "list";
  gtk_stack_set_visible_child_name (self->stack, page);
}

static void
update_summary (HaulWindow *self)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->queue));
  guint n_active = haul_queue_get_n_active (self->queue);
  g_autofree char *subtitle = NULL;
  gint64 received = 0, total = 0, eta = -1;

  if (n_active > 0)
    {
      g_autofree char *speed = haul_format_speed (haul_queue_get_speed (self->queue));

      haul_queue_get_progress (self->queue, &received, &total, &eta);
      if (eta >= 0)
        {
          g_autofree char *left = haul_format_eta (eta);

          /* Translators: "3 active · 18 MB/s · 2 minutes left" (the last
           * part says "left" already) */
          subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u active · %s · %s",
                                                   "%u active · %s · %s", n_active),
                                      n_active, speed, left);
        }
      else
        /* Translators: "3 active · 18 MB/s" */
        subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u active · %s", "%u active · %s", n_active),
                                    n_active, speed);
    }
  else if (n_items > 0)
    subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u download", "%u downloads", n_items), n_items);

  if (g_strcmp0 (gtk_inscription_get_text (self->summary), subtitle) != 0)
    gtk_inscription_set_text (self->summary, subtitle);
  gtk_widget_set_visible (GTK_WIDGET (self->summary), subtitle != NULL);

  gtk_widget_set_visible (GTK_WIDGET (self->total_bar), n_active > 0 && total > 0);
  if (n_active > 0 && total > 0)
    haul_progress_line_set_fraction (self->total_bar, (gdouble) received / total);
}

/* Looks at the whole list: called when states change, not on progress. */
static void
update_list_actions (HaulWindow *self)
{
  GListModel *model = G_LIST_MODEL (self->queue);
  gboolean any_completed = FALSE, any_paused = FALSE, any_runnable = FALSE;
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      HaulDownload *d = haul_queue_get_download (self->queue, i);

      any_completed |= haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_COMPLETED;
      any_paused |= haul_download_can_resume (d);
      any_runnable |= haul_download_can_pause (d);
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.clear-finished", any_completed);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.pause-all", any_runnable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.resume-all", any_paused);
  /* One of the two in the header: pause while anything runs. */
  gtk_widget_set_visible (self->pause_all_button, any_runnable);
  gtk_widget_set_visible (self->resume_all_button, !any_runnable && any_paused);
}

/* What depends on the states of the whole list, now. */
static void
refresh_states (HaulWindow *self)
{
  g_clear_handle_id (&self->states_source, g_source_remove);
  update_summary (self);
  update_list_actions (self);
  states_changed (self);
  update_selection (self);
}

static void
states_timeout_cb (gpointer data)
{
  HaulWindow *self = data;

  self->states_source = 0;
  refresh_states (self);
}

/* Downloads finishing by the thousand (a long list of small files) must
 * not each rescan the list: at most ten scans a second. */
static void
queue_states_changed_cb (HaulWindow *self)
{
  if (self->states_source == 0)
    self->states_source = g_timeout_add_once (100, states_timeout_cb, self);
}

/* ------------------------------------------------------------------ */
/* Selection */

static GPtrArray *
dup_selected (HaulWindow *self)
{
  g_autoptr(GtkBitset) set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GPtrArray *ret = g_ptr_array_new_with_free_func (g_object_unref);
  GtkBitsetIter iter;
  guint position;

  for (gboolean ok = gtk_bitset_iter_init_first (&iter, set, &position);
       ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    g_ptr_array_add (ret, g_list_model_get_item (G_LIST_MODEL (self->filtered), position));
  return ret;
}

static void
update_selection (HaulWindow *self)
{
  g_autoptr(GPtrArray) selected = dup_selected (self);
  gboolean pause = FALSE, resume = FALSE, retry = FALSE, cancel = FALSE, move = FALSE;
  GtkWidget *widget = GTK_WIDGET (self);

  for (guint i = 0; i < selected->len; i++)
    {
      HaulDownload *d = g_ptr_array_index (selected, i);

      pause |= haul_download_can_pause (d);
      resume |= haul_download_can_resume (d);
      retry |= haul_download_can_retry (d);
      cancel |= haul_download_can_cancel (d);
    }
  move = selected->len == 1 && self->state == FILTER_ALL && self->search == NULL;

  gtk_widget_action_set_enabled (widget, "win.pause-selected", pause);
  gtk_widget_action_set_enabled (widget, "win.resume-selected", resume);
  gtk_widget_action_set_enabled (widget, "win.retry-selected", retry);
  gtk_widget_action_set_enabled (widget, "win.cancel-selected", cancel);
  gtk_widget_action_set_enabled (widget, "win.toggle-pause-selected", pause || resume);
  gtk_widget_action_set_enabled (widget, "win.remove-selected", selected->len > 0);
  gtk_widget_action_set_enabled (widget, "win.move-up", move);
  gtk_widget_action_set_enabled (widget, "win.move-down", move);

  if (selected->len > 1)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u selected", "%u selected",
                                                            selected->len), selected->len);

      gtk_label_set_label (self->selection_label, text);
    }
  gtk_revealer_set_reveal_child (self->selection_revealer, selected->len > 1);
}

typedef void (*QueueOp) (HaulQueue *queue, HaulDownload *download);

static void
apply_to_selected (HaulWindow *self,
                   gboolean  (*applies) (HaulDownload *),
                   QueueOp     op)
{
  g_autoptr(GPtrArray) selected = dup_selected (self);

  for (guint i = 0; i < selected->len; i++)
    {
      HaulDownload *d = g_ptr_array_index (selected, i);

      if (applies == NULL || applies (d))
        op (self->queue, d);
    }
  refresh_states (self);
}

static void
selection_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  HaulWindow *self = HAUL_WINDOW (widget);

  if (g_str_equal (action_name, "win.pause-selected"))
    apply_to_selected (self, haul_download_can_pause, haul_queue_pause);
  else if (g_str_equal (action_name, "win.resume-selected"))
    apply_to_selected (self, haul_download_can_resume, haul_queue_resume);
  else if (g_str_equal (action_name, "win.retry-selected"))
    apply_to_selected (self, haul_download_can_retry, haul_queue_retry);
  else if (g_str_equal (action_name, "win.cancel-selected"))
    apply_to_selected (self, haul_download_can_cancel, haul_queue_cancel);
  else if (g_str_equal (action_name, "win.toggle-pause-selected"))
    {
      g_autoptr(GPtrArray) selected = dup_selected (self);
      gboolean any_running = FALSE;

      for (guint i = 0; i < selected->len; i++)
        any_running |= haul_download_can_pause (g_ptr_array_index (selected, i));
      if (any_running)
        apply_to_selected (self, haul_download_can_pause, haul_queue_pause);
      else
        apply_to_selected (self, haul_download_can_resume, haul_queue_resume);
    }
  else if (g_str_equal (action_name, "win.remove-selected"))
    {
      g_autoptr(GPtrArray) selected = dup_selected (self);
      g_autofree char *text = NULL;

      apply_to_selected (self, NULL, haul_queue_remove);
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Removed %u download from the list",
                                           "Removed %u downloads from the list", selected->len),
                              selected->len);
      haul_window_show_toast (self, text);
    }
  else if (g_str_equal (action_name, "win.move-up") || g_str_equal (action_name, "win.move-down"))
    {
      g_autoptr(GPtrArray) selected = dup_selected (self);
      HaulDownload *d;
      guint position;

      if (selected->len != 1)
        return;
      d = g_ptr_array_index (selected, 0);
      if (g_str_equal (action_name, "win.move-up"))
        haul_queue_move_up (self->queue, d);
      else
        haul_queue_move_down (self->queue, d);
      /* Keep the moved download selected and in view. */
      if (haul_queue_get_position (self->queue, d, &position))
        {
          gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
          gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", position);
        }
    }
  else
    g_assert_not_reached ();
}

/* ------------------------------------------------------------------ */
/* Adding links */

typedef struct
{
  HaulWindow              *window;
  char                    *folder;
  char                    *checksum;
  GApplicationCommandLine *cmdline;  /* `haul FILE…`: told what was skipped */

  /* Adding, a slice per frame */
  HaulLinkImport          *result;
  guint                    next;
  guint                    duplicates;
  GPtrArray               *added;
} ImportData;

static void
import_data_free (ImportData *data)
{
  g_clear_object (&data->window);
  g_clear_object (&data->cmdline);
  g_clear_pointer (&data->result, haul_link_import_free);
  g_clear_pointer (&data->added, g_ptr_array_unref);
  g_free (data->folder);
  g_free (data->checksum);
  g_free (data);
}

static void
undo_add_cb (AdwToast  *toast,
             GPtrArray *added)
{
  HaulQueue *queue = g_object_get_data (G_OBJECT (toast), "haul-queue");

  for (guint i = 0; i < added->len; i++)
    haul_queue_remove (queue, g_ptr_array_index (added, i));
}

/* Toast titles are Pango markup in libadwaita 1.2: file names are escaped.
 * Normal priority, queued: a high-priority toast added while another one
 * is leaving crashes libadwaita 1.2 in adw_animation_skip(). */
void
haul_window_show_toast (HaulWindow *self,
                        const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static char *
summarize (guint                 added,
           guint                 duplicates,
           const HaulLinkImport *result)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (added > 0)
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "Added %u download", "Added %u downloads", added),
                            added);
  else if (duplicates == 0)
    g_string_append (text, _("No links were added"));

  if (duplicates > 0)
    {
      if (text->len > 0)
        g_string_append (text, " · ");
      if (added == 0)
        g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u link is already in the list",
                                                   "%u links are already in the list", duplicates),
                                duplicates);
      else
        g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u already in the list",
                                                   "%u already in the list", duplicates),
                                duplicates);
    }
  if (result->n_rejected > 0)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u not a valid link",
                                                 "%u not valid links", result->n_rejected),
                              result->n_rejected);
    }
  /* Nothing at all: say why, with the first entry that was not a link. */
  if (added == 0 && duplicates == 0 && result->rejections->len > 0)
    g_string_append_printf (text, " — %s", (char *) g_ptr_array_index (result->rejections, 0));

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The toast that says what happened, with Undo. */
static void
import_finish (ImportData *data)
{
  HaulWindow *self = data->window;
  g_autofree char *summary = summarize (data->added->len, data->duplicates + data->result->n_duplicates,
                                        data->result);
  g_autofree char *escaped = g_markup_escape_text (summary, -1);
  AdwToast *toast = adw_toast_new (escaped);

  if (data->added->len > 0)
    {
      adw_toast_set_button_label (toast, _("_Undo"));
      g_object_set_data_full (G_OBJECT (toast), "haul-queue", g_object_ref (self->queue), g_object_unref);
      g_signal_connect_data (toast, "button-clicked", G_CALLBACK (undo_add_cb),
                             g_steal_pointer (&data->added), (GClosureNotify) g_ptr_array_unref, 0);
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  import_data_free (data);
}

/* Links join the list in slices, one per frame: the list builds a row
 * widget for each of the first two hundred or so items, and building them
 * all in one go would hold the main loop for a tenth of a second. Past
 * the first screenfuls no more rows are built, and slices of 2048 (about
 * 12 ms of queue and list-model work) keep a list of a million links from
 * holding the main loop for seconds. */
#define ADD_SLICE_MAX 2048
static gboolean
add_slice (gpointer user_data)
{
  ImportData *data = user_data;
  HaulWindow *self = data->window;
  GPtrArray *uris = data->result->uris;
  g_autoptr(GPtrArray) slice = NULL;
  guint n, before, duplicates = 0;

  if (self->queue == NULL)
    {
      import_data_free (data);
      return G_SOURCE_REMOVE;
    }

  n = data->next < 64 ? 32 : data->next < 192 ? 64 : ADD_SLICE_MAX;
  n = MIN (n, uris->len - data->next);
  slice = g_ptr_array_new_full (n, NULL);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (slice, g_ptr_array_index (uris, data->next + i));
  data->next += n;

  before = g_list_model_get_n_items (G_LIST_MODEL (self->queue));
  haul_queue_add_uris (self->queue, slice, data->folder, &duplicates);
  data->duplicates += duplicates;
  for (guint i = before; i < g_list_model_get_n_items (G_LIST_MODEL (self->queue)); i++)
    g_ptr_array_add (data->added, g_object_ref (haul_queue_get_download (self->queue, i)));

  if (data->next < uris->len)
    return G_SOURCE_CONTINUE;
  import_finish (data);
  return G_SOURCE_REMOVE;
}

static void
import_done_cb (GObject      *source,
                GAsyncResult *res,
                gpointer      user_data)
{
  ImportData *data = user_data;
  HaulWindow *self = data->window;
  g_autoptr(HaulLinkImport) result = NULL;
  g_autoptr(GError) error = NULL;

  result = haul_link_import_finish (res, &error);
  if (result == NULL || self->queue == NULL)
    {
      import_data_free (data);
      return;
    }

  if (data->cmdline != NULL)
    {
      for (guint i = 0; i < result->problems->len; i++)
        g_application_command_line_printerr (data->cmdline, "haul: %s\n",
                                             (char *) g_ptr_array_index (result->problems, i));
      for (guint i = 0; i < result->rejections->len; i++)
        g_application_command_line_printerr (data->cmdline, _("haul: skipped %s\n"),
                                             (char *) g_ptr_array_index (result->rejections, i));
      if (result->problems->len > 0 || result->n_rejected > 0)
        g_application_command_line_set_exit_status (data->cmdline, 1);
    }

  for (guint i = 0; i < result->problems->len; i++)
    haul_window_show_toast (self, g_ptr_array_index (result->problems, i));
  if (result->uris->len == 0 && result->n_rejected == 0 && result->problems->len > 0)
    {
      import_data_free (data);
      return;
    }

  data->added = g_ptr_array_new_with_free_func (g_object_unref);
  data->result = g_steal_pointer (&result);
  if (data->checksum != NULL && data->result->uris->len == 1)
    {
      HaulDownload *d = haul_queue_add_with_checksum (self->queue, g_ptr_array_index (data->result->uris, 0),
                                                      data->folder, data->checksum, NULL);

      /* The dialog checked the checksum: only a duplicate fails. */
      if (d != NULL)
        g_ptr_array_add (data->added, g_object_ref (d));
      else
        data->duplicates++;
      import_finish (data);
      return;
    }

  /* The first slice now, the rest with frames drawn in between. */
  if (add_slice (data) == G_SOURCE_CONTINUE)
    g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE, 16, add_slice, data, NULL);
}

/**
 * haul_window_import:
 * @text: (nullable): text with links
 * @files: (nullable) (element-type GFile): links or files with lists of links
 * @folder: (nullable): where to save; %NULL for the preferred folder
 * @checksum: (nullable): expected checksum, for a single link
 *
 * Parses in a worker, then adds what was found and says so in a toast.
 */
static void
import_start (HaulWindow              *self,
              const char              *text,
              GPtrArray               *files,
              const char              *folder,
              const char              *checksum,
              GApplicationCommandLine *cmdline)
{
  ImportData *data = g_new0 (ImportData, 1);
  HaulApplication *app = HAUL_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

  data->window = g_object_ref (self);
  data->folder = g_strdup (folder != NULL ? folder : haul_application_get_download_folder (app));
  data->checksum = g_strdup (checksum);
  data->cmdline = cmdline ? g_object_ref (cmdline) : NULL;
  haul_link_import_async (text, files, self->cancellable, import_done_cb, data);
}

void
haul_window_import (HaulWindow *self,
                    const char *text,
                    GPtrArray  *files,
                    const char *folder,
                    const char *checksum)
{
  import_start (self, text, files, folder, checksum, NULL);
}

/**
 * haul_window_import_for_command_line:
 *
 * Like haul_window_import(); @cmdline's caller hears what was skipped, and
 * its exit status is 1 if anything was.
 */
void
haul_window_import_for_command_line (HaulWindow              *self,
                                     const char              *text,
                                     GPtrArray               *files,
                                     GApplicationCommandLine *cmdline)
{
  import_start (self, text, files, NULL, NULL, cmdline);
}

/**
 * haul_window_drop_value:
 * @value: a #GdkFileList or a string, as a drop delivers it
 *
 * What a drop on the window does (tests call it to simulate one).
 */
gboolean
haul_window_drop_value (HaulWindow   *self,
                        const GValue *value)
{
  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *list = gdk_file_list_get_files (g_value_get_boxed (value));
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);

      for (GSList *l = list; l != NULL; l = l->next)
        g_ptr_array_add (files, g_object_ref (l->data));
      g_slist_free (list);
      if (files->len == 0)
        return FALSE;
      haul_window_import (self, NULL, files, NULL, NULL);
      return TRUE;
    }
  if (G_VALUE_HOLDS_STRING (value) && g_value_get_string (value) != NULL)
    {
      haul_window_import (self, g_value_get_string (value), NULL, NULL, NULL);
      return TRUE;
    }
  return FALSE;
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         HaulWindow    *self)
{
  gtk_revealer_set_reveal_child (self->drop_revealer, FALSE);
  return haul_window_drop_value (self, value);
}

/* The drop highlight: shown while a drag is over the window. */
static GdkDragAction
drop_enter_cb (GtkDropTarget *target,
               double         x,
               double         y,
               HaulWindow    *self)
{
  g_debug ("drag entered");
  gtk_revealer_set_reveal_child (self->drop_revealer, TRUE);
  return GDK_ACTION_COPY;
}

static void
drop_leave_cb (GtkDropTarget *target,
               HaulWindow    *self)
{
  gtk_revealer_set_reveal_child (self->drop_revealer, FALSE);
}

static void
paste_value_cb (GObject      *source,
                GAsyncResult *res,
                gpointer      user_data)
{
  g_autoptr(HaulWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  const GValue *value = gdk_clipboard_read_value_finish (GDK_CLIPBOARD (source), res, &error);

  if (value == NULL || !haul_window_drop_value (self, value))
    haul_window_show_toast (self, _("The clipboard has no links to paste"));
}

static void
paste_text_cb (GObject      *source,
               GAsyncResult *res,
               gpointer      user_data)
{
  g_autoptr(HaulWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), res, &error);

  if (text == NULL || *text == '\0')
    haul_window_show_toast (self, _("The clipboard has no links to paste"));
  else
    haul_window_import (self, text, NULL, NULL, NULL);
}

static void
paste_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  HaulWindow *self = HAUL_WINDOW (widget);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (widget);
  GdkContentFormats *formats = gdk_clipboard_get_formats (clipboard);

  /* Files copied in a file manager are lists of links; anything else is text. */
  if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST) &&
      !gdk_content_formats_contain_gtype (formats, G_TYPE_STRING))
    gdk_clipboard_read_value_async (clipboard, GDK_TYPE_FILE_LIST, G_PRIORITY_DEFAULT,
                                    self->cancellable, paste_value_cb, g_object_ref (self));
  else
    gdk_clipboard_read_text_async (clipboard, self->cancellable, paste_text_cb, g_object_ref (self));
}

static void
add_dialog_submitted_cb (HaulAddDialog *dialog,
                         HaulWindow    *self)
{
  g_autofree char *text = haul_add_dialog_dup_text (dialog);

  haul_window_import (self, text, NULL, haul_add_dialog_get_folder (dialog),
                      haul_add_dialog_get_checksum (dialog));
}

static void
add_activated (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  HaulWindow *self = HAUL_WINDOW (widget);
  HaulApplication *app = HAUL_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  HaulAddDialog *dialog = haul_add_dialog_new (GTK_WINDOW (self),
                                               haul_application_get_download_folder (app), NULL);

  g_signal_connect_object (dialog, "submitted", G_CALLBACK (add_dialog_submitted_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ------------------------------------------------------------------ */
/* Whole-list actions */

static void
list_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  HaulWindow *self = HAUL_WINDOW (widget);

  if (g_str_equal (action_name, "win.pause-all"))
    haul_queue_pause_all (self->queue);
  else if (g_str_equal (action_name, "win.resume-all"))
    haul_queue_resume_all (self->queue);
  else if (g_str_equal (action_name, "win.clear-finished"))
    /* Completed downloads leave the list (and the saved list); their files stay. */
    haul_queue_clear_finished (self->queue);
  else if (g_str_equal (action_name, "win.search"))
    {
      gtk_search_bar_set_search_mode (self->search_bar, TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
    }
  else
    g_assert_not_reached ();
  refresh_states (self);
}

/* ------------------------------------------------------------------ */

static void
haul_window_dispose (GObject *object)
{
  HaulWindow *self = HAUL_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->states_source, g_source_remove);
  if (self->queue != NULL)
    g_signal_handlers_disconnect_by_data (self->queue, self);
  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->queue);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), HAUL_TYPE_WINDOW);

  G_OBJECT_CLASS (haul_window_parent_class)->dispose (object);
}

static void
haul_window_finalize (GObject *object)
{
  HaulWindow *self = HAUL_WINDOW (object);

  g_free (self->search);

  G_OBJECT_CLASS (haul_window_parent_class)->finalize (object);
}

static void
haul_window_class_init (HaulWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const char *selection_actions[] = {
    "win.pause-selected", "win.resume-selected", "win.retry-selected", "win.cancel-selected",
    "win.toggle-pause-selected", "win.remove-selected", "win.move-up", "win.move-down",
  };
  const char *list_actions[] = { "win.pause-all", "win.resume-all", "win.clear-finished", "win.search" };

  object_class->dispose = haul_window_dispose;
  object_class->finalize = haul_window_finalize;

  g_type_ensure (HAUL_TYPE_PROGRESS_LINE);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/haulapp/Haul/haul-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, drop_area);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, summary);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, pause_all_button);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, resume_all_button);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, total_bar);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, state_filter);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, selection_revealer);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, selection_label);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, drop_revealer);
  gtk_widget_class_bind_template_callback (widget_class, list_activate_cb);

  for (guint i = 0; i < G_N_ELEMENTS (selection_actions); i++)
    gtk_widget_class_install_action (widget_class, selection_actions[i], NULL, selection_action);
  for (guint i = 0; i < G_N_ELEMENTS (list_actions); i++)
    gtk_widget_class_install_action (widget_class, list_actions[i], NULL, list_action);
  gtk_widget_class_install_action (widget_class, "win.add", NULL, add_activated);
  gtk_widget_class_install_action (widget_class, "win.paste", NULL, paste_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.add", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_v, GDK_CONTROL_MASK, "win.paste", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "win.remove-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "win.remove-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK, "win.move-up", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_ALT_MASK, "win.move-down", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.pause-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.resume-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.clear-finished", NULL);
}

static void
haul_window_init (HaulWindow *self)
{
  GtkDropTarget *target;
  GtkEventController *controller;
  GtkShortcut *shortcut;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (search_changed_cb), self);
  g_signal_connect_swapped (self->state_filter, "notify::selected", G_CALLBACK (state_filter_cb), self);

  /* Links, text and files of links dropped anywhere on the window. */
  target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (target, (GType[2]) { GDK_TYPE_FILE_LIST, G_TYPE_STRING }, 2);
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), self);
  g_signal_connect (target, "enter", G_CALLBACK (drop_enter_cb), self);
  g_signal_connect (target, "leave", G_CALLBACK (drop_leave_cb), self);
  gtk_widget_add_controller (self->drop_area, GTK_EVENT_CONTROLLER (target));

  /* Space pauses or resumes the selection. The list's rows would take it
   * for selection, so this listens before them. */
  controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  shortcut = gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_space, 0),
                               gtk_named_action_new ("win.toggle-pause-selected"));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), controller);
}

HaulWindow *
haul_window_new (HaulApplication *application)
{
  HaulWindow *self = g_object_new (HAUL_TYPE_WINDOW, "application", application, NULL);
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  self->queue = g_object_ref (haul_application_get_queue (application));

  g_signal_connect (factory, "setup", G_CALLBACK (factory_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (factory_bind), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (factory_unbind), self);

  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->queue)),
                                              g_object_ref (GTK_FILTER (self->filter)));
  self->selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->filtered)));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  gtk_list_view_set_factory (self->list_view, factory);

  g_signal_connect_swapped (self->filtered, "items-changed", G_CALLBACK (update_page), self);
  g_signal_connect_swapped (self->selection, "selection-changed", G_CALLBACK (update_selection), self);
  g_signal_connect_swapped (self->selection, "items-changed", G_CALLBACK (update_selection), self);
  g_signal_connect_swapped (self->queue, "items-changed", G_CALLBACK (queue_states_changed_cb), self);
  g_signal_connect_swapped (self->queue, "notify::speed", G_CALLBACK (update_summary), self);
  /* Not on every progress update: these look at the whole list. */
  g_signal_connect_swapped (self->queue, "notify::n-active", G_CALLBACK (queue_states_changed_cb), self);
  g_signal_connect_swapped (self->queue, "download-finished", G_CALLBACK (queue_states_changed_cb), self);
  g_signal_connect_swapped (self->queue, "idle", G_CALLBACK (queue_states_changed_cb), self);

  refresh_states (self);
  update_page (self);

  return self;
}
