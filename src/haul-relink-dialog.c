/* haul-relink-dialog.c — "Change Link…": a new link for a paused or failed download
 *
 * An AdwMessageDialog (composite template, haul-relink-dialog.ui) with the
 * new link in an entry. "Check and Continue" asks the queue to check it
 * (haul_queue_change_link_async(): the probe runs on a worker) while the
 * dialog shows a spinner and stays open; the same file continues and the
 * dialog closes with ::continued; another file turns the dialog into the
 * question "Start Over?" with the sentence that says what differs; any
 * other problem (a dead link, a typo) is shown under the entry. Main thread.
 *
 * libadwaita 1.2 closes a message dialog on every response; this one
 * refuses to close (close_request) and decides in response() instead: a
 * close that no response follows (Escape, the window's close) is a Cancel.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-relink-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-link-check.h"
#include "haul-relink-dialog.h"

struct _HaulRelinkDialog
{
  AdwMessageDialog  parent_instance;

  GtkEditable      *entry;
  GtkWidget        *checking_box;
  GtkSpinner       *spinner;
  GtkLabel         *problem_label;

  HaulQueue        *queue;
  HaulDownload     *download;
  GCancellable     *cancellable;
  char             *different_uri;  /* the new link found to be another file */
  gboolean          checking;
  gboolean          close_asked;
  guint             close_source;
};

G_DEFINE_FINAL_TYPE (HaulRelinkDialog, haul_relink_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum
{
  CONTINUED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
download_name (HaulRelinkDialog *self)
{
  const char *name = haul_download_get_filename (self->download);

  return name != NULL ? name : haul_download_get_uri (self->download);
}

static void
set_checking (HaulRelinkDialog *self,
              gboolean          checking)
{
  self->checking = checking;
  gtk_widget_set_visible (self->checking_box, checking);
  if (checking)
    gtk_spinner_start (self->spinner);
  else
    gtk_spinner_stop (self->spinner);
  /* Not insensitive: GTK 4.8 warns when a focused entry loses its focus that way. */
  gtk_editable_set_editable (self->entry, !checking && self->different_uri == NULL);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "go", !checking);
}

static void
show_problem (HaulRelinkDialog *self,
              const char       *message)
{
  gtk_label_set_text (self->problem_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), message != NULL);
}

/* The new link serves another file: "go" now starts over. */
static void
show_different (HaulRelinkDialog *self,
                const char       *uri,
                const char       *message)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (self);

  g_free (self->different_uri);
  self->different_uri = g_strdup (uri);
  adw_message_dialog_set_heading (dialog, _("Start Over?"));
  adw_message_dialog_format_body (dialog,
                                  _("%s.\n\nHaul can download it from the new link from the beginning; "
                                    "what was downloaded of “%s” is deleted."),
                                  message, download_name (self));
  adw_message_dialog_set_response_label (dialog, "go", _("_Start Over"));
  adw_message_dialog_set_response_appearance (dialog, "go", ADW_RESPONSE_DESTRUCTIVE);
  show_problem (self, NULL);
}

static void
change_link_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(HaulRelinkDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (haul_queue_change_link_finish (HAUL_QUEUE (source), result, &error))
    {
      g_signal_emit (self, signals[CONTINUED], 0, FALSE);
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* the dialog is gone */
  if (g_error_matches (error, HAUL_LINK_ERROR, HAUL_LINK_ERROR_DIFFERENT))
    {
      g_autofree char *uri = g_strstrip (g_strdup (gtk_editable_get_text (self->entry)));

      show_different (self, uri, error->message);
    }
  else
    show_problem (self, error->message);
  set_checking (self, FALSE);
}

/**
 * haul_relink_dialog_check:
 *
 * What "Check and Continue" does: checks the link in the entry.
 */
void
haul_relink_dialog_check (HaulRelinkDialog *self)
{
  g_autofree char *uri = g_strstrip (g_strdup (gtk_editable_get_text (self->entry)));

  if (self->checking)
    return;
  if (*uri == '\0')
    {
      show_problem (self, _("Enter the new link of the file"));
      return;
    }
  show_problem (self, NULL);
  set_checking (self, TRUE);
  haul_queue_change_link_async (self->queue, self->download, uri, self->cancellable,
                                change_link_cb, g_object_ref (self));
}

static void
haul_relink_dialog_response (AdwMessageDialog *dialog,
                             const char       *response)
{
  HaulRelinkDialog *self = HAUL_RELINK_DIALOG (dialog);

  self->close_asked = FALSE;
  if (g_strcmp0 (response, "go") != 0)
    {
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }
  if (self->different_uri == NULL)
    {
      haul_relink_dialog_check (self);
      return;
    }
  haul_queue_change_link_restart (self->queue, self->download, self->different_uri);
  g_signal_emit (self, signals[CONTINUED], 0, TRUE);
  gtk_window_destroy (GTK_WINDOW (self));
}

static gboolean
close_cb (gpointer data)
{
  HaulRelinkDialog *self = data;

  self->close_source = 0;
  if (self->close_asked)
    gtk_window_destroy (GTK_WINDOW (self)); /* Escape: Cancel */
  return G_SOURCE_REMOVE;
}

/* Never closes by itself: a response follows at once (and decides), or
 * nothing does and it was Escape. */
static gboolean
haul_relink_dialog_close_request (GtkWindow *window)
{
  HaulRelinkDialog *self = HAUL_RELINK_DIALOG (window);

  self->close_asked = TRUE;
  if (self->close_source == 0)
    self->close_source = g_idle_add (close_cb, self);
  return TRUE;
}

static void
haul_relink_dialog_dispose (GObject *object)
{
  HaulRelinkDialog *self = HAUL_RELINK_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->close_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), HAUL_TYPE_RELINK_DIALOG);
  G_OBJECT_CLASS (haul_relink_dialog_parent_class)->dispose (object);
}

static void
haul_relink_dialog_finalize (GObject *object)
{
  HaulRelinkDialog *self = HAUL_RELINK_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->queue);
  g_clear_object (&self->download);
  g_free (self->different_uri);
  G_OBJECT_CLASS (haul_relink_dialog_parent_class)->finalize (object);
}

static void
haul_relink_dialog_class_init (HaulRelinkDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);
  AdwMessageDialogClass *dialog_class = ADW_MESSAGE_DIALOG_CLASS (klass);

  object_class->dispose = haul_relink_dialog_dispose;
  object_class->finalize = haul_relink_dialog_finalize;
  window_class->close_request = haul_relink_dialog_close_request;
  dialog_class->response = haul_relink_dialog_response;

  /**
   * HaulRelinkDialog::continued:
   * @restarted: TRUE when it starts over from zero
   *
   * The download took the new link and runs again; the dialog is closing.
   */
  signals[CONTINUED] = g_signal_new ("continued", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/haulapp/Haul/haul-relink-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, HaulRelinkDialog, entry);
  gtk_widget_class_bind_template_child (widget_class, HaulRelinkDialog, checking_box);
  gtk_widget_class_bind_template_child (widget_class, HaulRelinkDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, HaulRelinkDialog, problem_label);
}

static void
haul_relink_dialog_init (HaulRelinkDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

/**
 * haul_relink_dialog_new:
 * @link: (nullable): the new link to offer (a dropped or pasted one)
 */
HaulRelinkDialog *
haul_relink_dialog_new (GtkWindow    *parent,
                        HaulQueue    *queue,
                        HaulDownload *download,
                        const char   *link)
{
  HaulRelinkDialog *self = g_object_new (HAUL_TYPE_RELINK_DIALOG, "transient-for", parent, NULL);

  self->queue = g_object_ref (queue);
  self->download = g_object_ref (download);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (self),
                                  _("“%s” continues from the new link only if it serves the same file."),
                                  download_name (self));
  if (link != NULL)
    gtk_editable_set_text (self->entry, link);
  return self;
}

gboolean
haul_relink_dialog_is_checking (HaulRelinkDialog *self)
{
  return self->checking;
}

gboolean
haul_relink_dialog_is_different (HaulRelinkDialog *self)
{
  return self->different_uri != NULL;
}
