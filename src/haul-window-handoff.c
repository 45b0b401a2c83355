/* haul-window-handoff.c — a download handed over by a paired browser joins the list
 *
 * Like a drop: the Downloads folder is made if it is missing (on GLib's
 * pool), the download waits for the saved list while Haul starts, then
 * joins the end of the list, the list scrolls to it, and a toast says
 * "Added “f.iso” from Firefox" with Undo.
 *
 * For now the download gets the link; the browser's suggested name, its
 * cookies, referrer and user agent (the request context) are joined to it
 * when that part of the engine exists. Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "haul-folders.h"
#include "haul-handoff.h"
#include "haul-window-private.h"

typedef struct
{
  HaulWindow      *window;
  HaulHandoff     *handoff;
  char            *folder;
  HaulApplication *loading_app;    /* while waiting for the saved list */
  gulong           loaded_handler;
} HandoffData;

static void
handoff_data_free (HandoffData *data)
{
  if (data->loading_app != NULL)
    g_clear_signal_handler (&data->loaded_handler, data->loading_app);
  g_clear_object (&data->loading_app);
  g_clear_object (&data->window);
  haul_handoff_free (data->handoff);
  g_free (data->folder);
  g_free (data);
}

/* The name the toast says: the browser's, else the link's last part. */
static char *
dup_shown_name (const HaulHandoff *handoff)
{
  const char *link = handoff->final_url != NULL ? handoff->final_url : handoff->url;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *base = NULL;

  if (handoff->filename != NULL)
    return g_strdup (handoff->filename);
  uri = g_uri_parse (link, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL && *g_uri_get_path (uri) != '\0' && strcmp (g_uri_get_path (uri), "/") != 0)
    base = g_path_get_basename (g_uri_get_path (uri));
  return base != NULL ? g_steal_pointer (&base) : g_strdup (link);
}

static void
undo_cb (AdwToast     *toast,
         HaulDownload *download)
{
  HaulWindow *self = g_object_get_data (G_OBJECT (toast), "haul-window");
  GPtrArray *taken = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_add (taken, g_object_ref (download));
  _haul_window_bulk (self, HAUL_BULK_FORGET, taken);
}

static void
show_added (HaulWindow        *self,
            HaulDownload      *download,
            const HaulHandoff *handoff)
{
  g_autofree char *name = dup_shown_name (handoff);
  /* Translators: “f.iso” from Firefox: a file name, then the browser's name */
  g_autofree char *text = g_strdup_printf (_("Added “%s” from %s"), name, handoff->browser);
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_set_button_label (toast, _("_Undo"));
  g_object_set_data_full (G_OBJECT (toast), "haul-window", g_object_ref (self), g_object_unref);
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (undo_cb),
                         g_object_ref (download), (GClosureNotify) g_object_unref, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
handoff_add (HandoffData *data)
{
  HaulWindow *self = data->window;
  g_autoptr(GError) error = NULL;
  HaulDownload *download;

  if (self->queue == NULL)
    {
      handoff_data_free (data);
      return;
    }
  download = haul_queue_add (self->queue, data->handoff->url, data->folder, &error);
  if (download == NULL)
    {
      g_autofree char *name = dup_shown_name (data->handoff);
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        text = g_strdup_printf (_("“%s” is already in the list"), name);
      else
        text = g_strdup_printf (_("“%s” from %s could not be added: %s"), name, data->handoff->browser,
                                error->message);
      haul_window_show_toast (self, text);
    }
  else
    {
      g_autoptr(GPtrArray) added = g_ptr_array_new ();

      g_ptr_array_add (added, download);
      _haul_window_scroll_to_added (self, added);
      show_added (self, download, data->handoff);
    }
  handoff_data_free (data);
}

static void
app_loaded_cb (HaulApplication *app,
               HandoffData     *data)
{
  g_clear_signal_handler (&data->loaded_handler, app);
  g_clear_object (&data->loading_app);
  handoff_add (data);
}

static void
folder_ready_cb (GObject      *source,
                 GAsyncResult *res,
                 gpointer      user_data)
{
  HandoffData *data = user_data;
  HaulApplication *app = HAUL_APPLICATION (gtk_window_get_application (GTK_WINDOW (data->window)));
  g_autoptr(GError) error = NULL;

  if (!haul_folders_ensure_finish (res, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        haul_window_show_toast (data->window, error->message);
      handoff_data_free (data);
      return;
    }
  if (app != NULL && haul_application_is_loading (app))
    {
      data->loading_app = g_object_ref (app);
      data->loaded_handler = g_signal_connect (app, "loaded", G_CALLBACK (app_loaded_cb), data);
    }
  else
    handoff_add (data);
}

/**
 * haul_window_add_handoff:
 * @handoff: what a paired browser handed over (copied)
 *
 * Adds it at the end of the list, with a toast that can take it back.
 */
void
haul_window_add_handoff (HaulWindow        *self,
                         const HaulHandoff *handoff)
{
  HaulApplication *app = HAUL_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  HandoffData *data = g_new0 (HandoffData, 1);

  g_return_if_fail (HAUL_IS_WINDOW (self));
  g_return_if_fail (handoff != NULL);

  data->window = g_object_ref (self);
  data->handoff = haul_handoff_copy (handoff);
  data->folder = g_strdup (haul_application_get_download_folder (app));
  haul_folders_ensure_async (data->folder, self->cancellable, folder_ready_cb, data);
}
