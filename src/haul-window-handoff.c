/* haul-window-handoff.c — a download handed over by a paired browser joins the list
 *
 * Like a drop: the Downloads folder is made if it is missing (on GLib's
 * pool), the download waits for the saved list while Haul starts, then
 * joins the end of the list, the list scrolls to it, and a toast says
 * "Added “f.iso” from Firefox" with Undo.
 *
 * The download carries the browser's cookies, referrer and user agent
 * (haul_handoff_dup_request_context()) on every request. Haul names the
 * file by its own rules (Content-Disposition, the link); the browser's
 * suggested name is what the toast shows and what finds an older download
 * of the same file: when a paused or failed download has that name and
 * size, Haul offers to continue it from the browser's link (the link
 * refresh of haul-window-relink.c, which checks it is the same file)
 * instead of starting over. Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "haul-folders.h"
#include "haul-format.h"
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

/* The link Haul fetches: where the browser's redirects ended (the cookies
 * the browser sent are for it), else the link itself. */
static const char *
handoff_link (const HaulHandoff *handoff)
{
  return handoff->final_url != NULL ? handoff->final_url : handoff->url;
}

/* The name the toast says, and what finds an older download of the same
 * file: the browser's (Firefox knows it when it hands over), else the
 * link's last part, unescaped (Chromium does not know it yet). */
static char *
dup_shown_name (const HaulHandoff *handoff)
{
  const char *link = handoff_link (handoff);
  g_autoptr(GUri) uri = NULL;
  g_autofree char *base = NULL;

  if (handoff->filename != NULL)
    return g_strdup (handoff->filename);
  uri = g_uri_parse (link, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL && *g_uri_get_path (uri) != '\0' && strcmp (g_uri_get_path (uri), "/") != 0)
    {
      g_autofree char *escaped = g_path_get_basename (g_uri_get_path (uri));

      base = g_uri_unescape_string (escaped, "/");
    }
  return base != NULL && g_utf8_validate (base, -1, NULL) ? g_steal_pointer (&base) : g_strdup (link);
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
  g_autoptr(HaulRequestContext) context = NULL;
  g_autoptr(GError) error = NULL;
  HaulDownload *download;

  if (self->queue == NULL)
    {
      handoff_data_free (data);
      return;
    }
  context = haul_handoff_dup_request_context (data->handoff);
  download = haul_queue_add_with_context (self->queue, handoff_link (data->handoff), data->folder,
                                          context, &error);
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

static void
start_add (HaulWindow        *self,
           const HaulHandoff *handoff)
{
  HaulApplication *app = HAUL_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  HandoffData *data = g_new0 (HandoffData, 1);

  data->window = g_object_ref (self);
  data->handoff = haul_handoff_copy (handoff);
  data->folder = g_strdup (haul_application_get_download_folder (app));
  haul_folders_ensure_async (data->folder, self->cancellable, folder_ready_cb, data);
}

/* ------------------------------------------------------------------ */
/* The same file again: continue the older download? */

typedef struct
{
  HaulWindow   *window;
  HaulDownload *download;
  HaulHandoff  *handoff;
} Offer;

static void
offer_free (Offer *offer)
{
  g_object_unref (offer->window);
  g_object_unref (offer->download);
  haul_handoff_free (offer->handoff);
  g_free (offer);
}

static void
offer_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   Offer            *offer)
{
  HaulWindow *self = offer->window;
  const char *link = handoff_link (offer->handoff);

  if (g_strcmp0 (response, "again") == 0)
    {
      start_add (self, offer->handoff);
    }
  else if (g_strcmp0 (response, "continue") == 0 && self->queue != NULL &&
           haul_queue_can_change_link (self->queue, offer->download))
    {
      g_autoptr(HaulRequestContext) context = haul_handoff_dup_request_context (offer->handoff);
      g_autoptr(HaulRequestContext) own = haul_request_context_copy_for_site (context, link);

      haul_download_set_request_context (offer->download, own);
      _haul_window_relink_open (self, offer->download, link);
    }
  offer_free (offer);
}

static void
offer_continue (HaulWindow        *self,
                HaulDownload      *download,
                const HaulHandoff *handoff)
{
  g_autofree char *received = haul_format_size (haul_download_get_received (download));
  g_autofree char *total = haul_format_size (haul_download_get_total (download));
  AdwMessageDialog *dialog;
  Offer *offer = g_new0 (Offer, 1);

  offer->window = g_object_ref (self);
  offer->download = g_object_ref (download);
  offer->handoff = haul_handoff_copy (handoff);

  /* Translators: %s is a file name */
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), NULL, NULL));
  adw_message_dialog_format_heading (dialog, _("Continue “%s”?"), haul_download_get_filename (download));
  /* Translators: “1.2 GB of 4.7 GB”, then the browser's name */
  adw_message_dialog_format_body (dialog,
                                  _("The download of this file stopped at %s of %s. Haul can continue it "
                                    "with the link from %s, once it has checked that the link gives the "
                                    "same file, instead of starting over."),
                                  received, total, handoff->browser);
  adw_message_dialog_add_responses (dialog,
                                    "again", _("_Download Again"),
                                    "continue", _("_Continue"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "continue", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "continue");
  adw_message_dialog_set_close_response (dialog, "close");
  g_signal_connect (dialog, "response", G_CALLBACK (offer_response_cb), offer);
  gtk_window_present (GTK_WINDOW (dialog));
}

/**
 * haul_window_add_handoff:
 * @handoff: what a paired browser handed over (copied)
 *
 * Adds it at the end of the list, with a toast that can take it back; or,
 * when a paused or failed download has the file's name (the browser's, or
 * the link's last part) and size,
 * asks whether to continue that one from the browser's link.
 *
 * Returns: %TRUE when Haul offers to continue an older download
 */
gboolean
haul_window_add_handoff (HaulWindow        *self,
                         const HaulHandoff *handoff)
{
  g_autofree char *name = NULL;
  HaulDownload *older = NULL;

  g_return_val_if_fail (HAUL_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (handoff != NULL, FALSE);

  name = dup_shown_name (handoff);
  if (self->queue != NULL && handoff->size > 0)
    older = haul_queue_find_continuable (self->queue, name, handoff->size);
  if (older != NULL)
    {
      offer_continue (self, older, handoff);
      return TRUE;
    }
  start_add (self, handoff);
  return FALSE;
}
