/* haul-window-relink.c — a new link for a paused or failed download, from the window
 *
 * Three ways in, one check: "Change Link…" in a row's menu (win.change-link,
 * the dialog prefilled from the clipboard when it holds one web link), a
 * single link dropped on a paused or failed row (win.relink-drop), and
 * Ctrl+V with such a row selected alone while the clipboard holds exactly
 * one link: then Haul asks "Use as the new link of “name”?", with "Add as
 * New Download" as the other answer (any other paste adds downloads as
 * before). All of them open HaulRelinkDialog (haul-relink-dialog.c), which
 * checks the link off the main thread. Main thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-window"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-link-check.h"
#include "haul-relink-dialog.h"
#include "haul-window-private.h"

static const char *
name_of (HaulDownload *d)
{
  const char *name = haul_download_get_filename (d);

  return name != NULL ? name : haul_download_get_uri (d);
}

static void
continued_cb (HaulRelinkDialog *dialog,
              gboolean          restarted,
              HaulWindow       *self)
{
  const char *name = g_object_get_data (G_OBJECT (dialog), "haul-name");
  g_autofree char *text = NULL;

  if (restarted)
    text = g_strdup_printf (_("Starting “%s” over from the new link"), name);
  else
    text = g_strdup_printf (_("Continuing “%s” from the new link"), name);
  haul_window_show_toast (self, text);
}

/* Opens the dialog; with @link and @check_now the check starts at once (a
 * drop, or a paste the person just confirmed). */
static HaulRelinkDialog *
open_dialog (HaulWindow   *self,
             HaulDownload *download,
             const char   *link,
             gboolean      check_now)
{
  HaulRelinkDialog *dialog = haul_relink_dialog_new (GTK_WINDOW (self), self->queue, download, link);

  g_object_set_data_full (G_OBJECT (dialog), "haul-name", g_strdup (name_of (download)), g_free);
  g_signal_connect_object (dialog, "continued", G_CALLBACK (continued_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  if (check_now && link != NULL)
    haul_relink_dialog_check (dialog);
  return dialog;
}

/**
 * _haul_window_relink_open:
 * @link: the new link, checked at once
 *
 * The browser started a file again whose older download stopped: the
 * same dialog as a dropped link, checking at once.
 */
void
_haul_window_relink_open (HaulWindow   *self,
                          HaulDownload *download,
                          const char   *link)
{
  open_dialog (self, download, link, TRUE);
}

static HaulDownload *
relinkable (HaulWindow *self,
            const char *uri)
{
  HaulDownload *d = haul_queue_find_by_uri (self->queue, uri);

  return d != NULL && haul_queue_can_change_link (self->queue, d) ? d : NULL;
}

/* A download of the window waiting for the clipboard's text (Change
 * Link…) or for an answer (the paste question), with what it carries. */
typedef struct
{
  HaulWindow   *window;
  HaulDownload *download;
  char         *link;  /* the paste question's */
  char         *text;  /* the paste question's */
} Pending;

static Pending *
pending_new (HaulWindow   *window,
             HaulDownload *download)
{
  Pending *p = g_new0 (Pending, 1);

  p->window = g_object_ref (window);
  p->download = g_object_ref (download);
  return p;
}

static void
pending_free (Pending *p)
{
  g_object_unref (p->window);
  g_object_unref (p->download);
  g_free (p->link);
  g_free (p->text);
  g_free (p);
}

/* ------------------------------------------------------------------ */
/* win.change-link */

static void
prefill_text_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Pending *p = user_data;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  g_autofree char *link = haul_link_check_single_link (text);

  if (g_strcmp0 (link, haul_download_get_uri (p->download)) == 0)
    g_clear_pointer (&link, g_free);
  if (haul_queue_can_change_link (p->window->queue, p->download))
    open_dialog (p->window, p->download, link, FALSE);
  pending_free (p);
}

static void
change_link_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  HaulWindow *self = HAUL_WINDOW (widget);
  HaulDownload *d = relinkable (self, g_variant_get_string (parameter, NULL));
  GdkClipboard *clipboard = gtk_widget_get_clipboard (widget);

  if (d == NULL)
    {
      haul_window_show_toast (self, _("Only a paused or failed download can take a new link"));
      return;
    }
  if (!gdk_content_formats_contain_gtype (gdk_clipboard_get_formats (clipboard), G_TYPE_STRING))
    {
      open_dialog (self, d, NULL, FALSE);
      return;
    }
  gdk_clipboard_read_text_async (clipboard, self->cancellable, prefill_text_cb, pending_new (self, d));
}

/* ------------------------------------------------------------------ */
/* win.relink-drop: text dropped on a row */

static void
relink_drop_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  HaulWindow *self = HAUL_WINDOW (widget);
  const char *uri, *text;
  g_autofree char *link = NULL;
  HaulDownload *d;

  g_variant_get (parameter, "(&s&s)", &uri, &text);
  d = relinkable (self, uri);
  link = haul_link_check_single_link (text);
  if (d != NULL && link != NULL && g_strcmp0 (link, uri) != 0)
    {
      open_dialog (self, d, link, TRUE);
      return;
    }
  {
    /* Anything else is a drop on the window: links to add. */
    g_auto(GValue) value = G_VALUE_INIT;

    g_value_init (&value, G_TYPE_STRING);
    g_value_set_string (&value, text);
    haul_window_drop_value (self, &value);
  }
}

/* ------------------------------------------------------------------ */
/* Ctrl+V on a paused or failed row */

static void
paste_question_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   Pending          *q)
{
  if (g_strcmp0 (response, "relink") == 0 && haul_queue_can_change_link (q->window->queue, q->download))
    open_dialog (q->window, q->download, q->link, TRUE);
  else if (g_strcmp0 (response, "add") == 0)
    haul_window_import (q->window, q->text, NULL, NULL, NULL);
}

/**
 * _haul_window_relink_paste:
 * @text: the clipboard's text
 *
 * The paste rule: with one paused or failed download selected and exactly
 * one web link (not its own) on the clipboard, asks whether it is that
 * download's new link or a new download.
 *
 * Returns: %TRUE if it asked (the paste is handled)
 */
gboolean
_haul_window_relink_paste (HaulWindow *self,
                           const char *text)
{
  g_autoptr(GtkBitset) set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  g_autoptr(GPtrArray) selected = NULL;
  g_autofree char *link = NULL;
  HaulDownload *d;
  AdwMessageDialog *dialog;
  Pending *q;

  if (gtk_bitset_get_size (set) != 1)
    return FALSE;
  selected = _haul_window_dup_selected (self);
  if (selected->len != 1)
    return FALSE;
  d = g_ptr_array_index (selected, 0);
  link = haul_link_check_single_link (text);
  if (link == NULL || !haul_queue_can_change_link (self->queue, d) ||
      haul_queue_find_by_uri (self->queue, link) != NULL)
    return FALSE;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), NULL, NULL));
  adw_message_dialog_format_heading (dialog, _("Use as the New Link of “%s”?"), name_of (d));
  adw_message_dialog_format_body (dialog, _("“%s” is stopped. Haul can continue it from this link "
                                            "if it serves the same file."), name_of (d));
  adw_message_dialog_add_responses (dialog, "add", _("_Add as New Download"),
                                    "relink", _("_Use as New Link"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "relink", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "relink");
  adw_message_dialog_set_close_response (dialog, "cancel");
  q = pending_new (self, d);
  q->link = g_steal_pointer (&link);
  q->text = g_strdup (text);
  g_signal_connect_data (dialog, "response", G_CALLBACK (paste_question_cb), q,
                         (GClosureNotify) pending_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

void
_haul_window_class_relink_init (HaulWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "win.change-link", "s", change_link_activated);
  gtk_widget_class_install_action (widget_class, "win.relink-drop", "(ss)", relink_drop_activated);
}
