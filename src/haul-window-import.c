/* haul-window-import.c — adding links to the main window
 *
 * Every way of adding links: dropping links, text or files of links on
 * the window, Ctrl+V, the Add dialog and `haul FILE…`. Lists are parsed by
 * a worker (haul_link_import_async()); what it found joins the queue in
 * slices, one per frame, and a toast says what happened, with Undo.
 * Nothing here ever waits on disk or network.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-window"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-add-dialog.h"
#include "haul-folders.h"
#include "haul-link-import.h"
#include "haul-window-private.h"

/* ------------------------------------------------------------------ */
/* Adding, a slice per frame, and the toast */

typedef struct
{
  HaulWindow              *window;
  char                    *folder;
  char                    *checksum;
  GApplicationCommandLine *cmdline;  /* `haul FILE…`: told what was skipped */
  char                    *text;     /* until the folder is ready */
  GPtrArray               *files;

  /* Adding, a slice per frame */
  HaulLinkImport          *result;
  guint                    next;
  guint                    duplicates;
  GPtrArray               *added;
  HaulApplication         *loading_app;     /* while waiting for the saved list */
  gulong                   loaded_handler;
} ImportData;

static void
import_data_free (ImportData *data)
{
  if (data->loading_app != NULL)
    g_clear_signal_handler (&data->loaded_handler, data->loading_app);
  g_clear_object (&data->loading_app);
  g_clear_object (&data->window);
  g_clear_object (&data->cmdline);
  g_clear_pointer (&data->result, haul_link_import_free);
  g_clear_pointer (&data->added, g_ptr_array_unref);
  g_clear_pointer (&data->files, g_ptr_array_unref);
  g_free (data->text);
  g_free (data->folder);
  g_free (data->checksum);
  g_free (data);
}

/* Takes the added downloads out again, for good: in slices, a frame apart
 * (haul-window-bulk.c). */
static void
undo_add_cb (AdwToast  *toast,
             GPtrArray *added)
{
  HaulWindow *self = g_object_get_data (G_OBJECT (toast), "haul-window");
  GPtrArray *taken = g_ptr_array_new_full (added->len, g_object_unref);

  /* Moved out (the references with them): the bulk releases them slowly. */
  for (guint i = 0; i < added->len; i++)
    g_ptr_array_add (taken, g_steal_pointer (&added->pdata[i]));
  g_ptr_array_set_free_func (added, NULL);
  g_ptr_array_set_size (added, 0);
  _haul_window_bulk (self, HAUL_BULK_FORGET, taken);
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
      g_object_set_data_full (G_OBJECT (toast), "haul-window", g_object_ref (self), g_object_unref);
      g_signal_connect_data (toast, "button-clicked", G_CALLBACK (undo_add_cb),
                             g_steal_pointer (&data->added), (GClosureNotify) g_ptr_array_unref, 0);
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  import_data_free (data);
}

/* What was added is at the end of the list (the queue's order is the
 * order of adding): the list scrolls to the first of it that it shows.
 * The shown ones are the last rows, found from the end. */
static void
scroll_to_added (HaulWindow *self,
                 GPtrArray  *added)
{
  GListModel *shown = G_LIST_MODEL (self->shown);
  guint first_added, n = g_list_model_get_n_items (shown), target = n;

  if (!haul_queue_get_position (self->queue, g_ptr_array_index (added, 0), &first_added))
    return;
  while (target > 0)
    {
      g_autoptr(HaulDownload) d = g_list_model_get_item (shown, target - 1);
      guint position;

      if (!haul_queue_get_position (self->queue, d, &position) || position < first_added)
        break;
      target--;
    }
  if (target < n)
    gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", target);
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
  if (data->next == n && data->added->len > 0)
    scroll_to_added (self, data->added);

  if (data->next < uris->len)
    return G_SOURCE_CONTINUE;
  import_finish (data);
  return G_SOURCE_REMOVE;
}

/* Into the queue: one link with its checksum, or slices. */
static void
import_add (ImportData *data)
{
  HaulWindow *self = data->window;

  if (self->queue == NULL)
    {
      import_data_free (data);
      return;
    }
  if (data->checksum != NULL && data->result->uris->len == 1)
    {
      HaulDownload *d = haul_queue_add_with_checksum (self->queue, g_ptr_array_index (data->result->uris, 0),
                                                      data->folder, data->checksum, NULL);

      /* The dialog checked the checksum: only a duplicate fails. */
      if (d != NULL)
        {
          g_ptr_array_add (data->added, g_object_ref (d));
          scroll_to_added (self, data->added);
        }
      else
        data->duplicates++;
      import_finish (data);
      return;
    }

  /* The first slice now, the rest with frames drawn in between. */
  if (add_slice (data) == G_SOURCE_CONTINUE)
    g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE, 16, add_slice, data, NULL);
}

static void
app_loaded_cb (HaulApplication *app,
               ImportData      *data)
{
  g_clear_signal_handler (&data->loaded_handler, app);
  g_clear_object (&data->loading_app);
  import_add (data);
}

/* While Haul starts (`haul URL` with a saved list) the links wait for
 * the saved list: they join after it, where adding puts them later too. */
static void
import_add_when_loaded (ImportData *data)
{
  HaulApplication *app = HAUL_APPLICATION (gtk_window_get_application (GTK_WINDOW (data->window)));

  if (app != NULL && haul_application_is_loading (app))
    {
      data->loading_app = g_object_ref (app);
      data->loaded_handler = g_signal_connect (app, "loaded", G_CALLBACK (app_loaded_cb), data);
    }
  else
    import_add (data);
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
  import_add_when_loaded (data);
}

/* The Downloads folder exists (created on a worker the first time it is
 * needed): now the links. A folder that could not be made is said once. */
static void
folder_ready_cb (GObject      *source,
                 GAsyncResult *res,
                 gpointer      user_data)
{
  ImportData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!haul_folders_ensure_finish (res, &error) && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    haul_window_show_toast (data->window, error->message);
  haul_link_import_async (data->text, data->files, data->window->cancellable, import_done_cb, data);
  g_clear_pointer (&data->text, g_free);
  g_clear_pointer (&data->files, g_ptr_array_unref);
}

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
  data->text = g_strdup (text);
  data->files = files != NULL ? g_ptr_array_copy (files, (GCopyFunc) g_object_ref, NULL) : NULL;
  if (data->files != NULL)
    g_ptr_array_set_free_func (data->files, g_object_unref);
  haul_folders_ensure_async (data->folder, self->cancellable, folder_ready_cb, data);
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

/* ------------------------------------------------------------------ */
/* Dropping, pasting, the Add dialog */

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

/* win.paste */
void
_haul_window_paste (HaulWindow *self)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (self));
  GdkContentFormats *formats = gdk_clipboard_get_formats (clipboard);

  /* Files copied in a file manager are lists of links; anything else is text. */
  if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST) &&
      !gdk_content_formats_contain_gtype (formats, G_TYPE_STRING))
    gdk_clipboard_read_value_async (clipboard, GDK_TYPE_FILE_LIST, G_PRIORITY_DEFAULT,
                                    self->cancellable, paste_value_cb, g_object_ref (self));
  else
    gdk_clipboard_read_text_async (clipboard, self->cancellable, paste_text_cb, g_object_ref (self));
}

/* The dialog found the links; a folder chosen there is offered again for
 * the next paste, drop and Add ("last-folder"). */
static void
add_dialog_submitted_cb (HaulAddDialog *dialog,
                         HaulWindow    *self)
{
  HaulApplication *app = HAUL_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  GSettings *settings = haul_application_get_settings (app);
  const char *folder = haul_add_dialog_get_folder (dialog);
  g_autofree char *links = haul_add_dialog_dup_links (dialog);

  if (settings != NULL && g_strcmp0 (folder, haul_application_get_download_folder (app)) != 0)
    g_settings_set_string (settings, "last-folder", folder);
  haul_window_import (self, links, NULL, folder, haul_add_dialog_get_checksum (dialog));
}

/* win.add */
void
_haul_window_show_add_dialog (HaulWindow *self)
{
  HaulApplication *app = HAUL_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  HaulAddDialog *dialog = haul_add_dialog_new (GTK_WINDOW (self),
                                               haul_application_get_download_folder (app), NULL);

  g_signal_connect_object (dialog, "submitted", G_CALLBACK (add_dialog_submitted_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Links, text and files of links dropped anywhere on the window. */
void
_haul_window_import_init (HaulWindow *self)
{
  GtkDropTarget *target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);

  gtk_drop_target_set_gtypes (target, (GType[2]) { GDK_TYPE_FILE_LIST, G_TYPE_STRING }, 2);
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), self);
  g_signal_connect (target, "enter", G_CALLBACK (drop_enter_cb), self);
  g_signal_connect (target, "leave", G_CALLBACK (drop_leave_cb), self);
  gtk_widget_add_controller (self->drop_area, GTK_EVENT_CONTROLLER (target));
}

/* The list scrolls to downloads just added (a browser's handoff too). */
void
_haul_window_scroll_to_added (HaulWindow *self,
                              GPtrArray  *added)
{
  scroll_to_added (self, added);
}
