/* haul-sign-in-dialog.c — "Sign In…": a user name and password for a download that needs one
 *
 * An AdwMessageDialog (composite template, haul-sign-in-dialog.ui) with a
 * user name, a password (GtkPasswordEntry) and "Remember". Sign In gives
 * the download the credentials, in memory, and resumes it
 * (haul_queue_set_credentials()); with Remember, the server's password
 * goes to the keyring (haul-keyring.c, asynchronously). The password never
 * goes anywhere else. A refused password pauses the download again and
 * the row offers Sign In… once more, with this dialog saying why.
 *
 * Thread: main.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-sign-in"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-auth.h"
#include "haul-download.h"
#include "haul-keyring.h"
#include "haul-sign-in-dialog.h"

struct _HaulSignInDialog
{
  AdwMessageDialog  parent_instance;

  GtkEntry         *user_entry;
  GtkPasswordEntry *password_entry;
  GtkCheckButton   *remember_check;

  HaulQueue        *queue;
  HaulDownload     *download;
  gboolean          for_proxy;
};

G_DEFINE_FINAL_TYPE (HaulSignInDialog, haul_sign_in_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
user_changed_cb (HaulSignInDialog *self)
{
  const char *user = gtk_editable_get_text (GTK_EDITABLE (self->user_entry));

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "sign-in", *user != '\0');
}

static void
stored_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The download goes on with the password in memory either way. */
  if (!haul_keyring_store_finish (result, &error))
    g_message ("the password could not be saved in the keyring: %s", error->message);
}

static void
sign_in (HaulSignInDialog *self)
{
  const char *user = gtk_editable_get_text (GTK_EDITABLE (self->user_entry));
  g_autofree char *password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->password_entry)));
  g_autofree char *server = haul_keyring_server_for_uri (haul_download_get_uri (self->download));

  if (!self->for_proxy && server != NULL && gtk_check_button_get_active (self->remember_check))
    haul_keyring_store_async (server, user, password, NULL, stored_cb, NULL);
  haul_queue_set_credentials (self->queue, self->download, user, password, self->for_proxy);
  haul_auth_wipe (&password);
  /* Nothing of it stays in the dialog. */
  gtk_editable_set_text (GTK_EDITABLE (self->password_entry), "");
}

static void
response_cb (HaulSignInDialog *self,
             const char       *response)
{
  if (g_strcmp0 (response, "sign-in") == 0 && self->download != NULL)
    sign_in (self);
  /* GTK 4.8: a GtkPasswordEntry that still has the focus when its window
   * is destroyed gets the window's focus notification after its own
   * dispose (a warning, then a crash). Enter in the password field ends
   * the dialog with the focus there: take it away first. */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
}

static void
haul_sign_in_dialog_dispose (GObject *object)
{
  HaulSignInDialog *self = HAUL_SIGN_IN_DIALOG (object);

  g_clear_object (&self->queue);
  g_clear_object (&self->download);
  gtk_widget_dispose_template (GTK_WIDGET (self), HAUL_TYPE_SIGN_IN_DIALOG);
  G_OBJECT_CLASS (haul_sign_in_dialog_parent_class)->dispose (object);
}

static void
haul_sign_in_dialog_class_init (HaulSignInDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = haul_sign_in_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/haulapp/Haul/haul-sign-in-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, HaulSignInDialog, user_entry);
  gtk_widget_class_bind_template_child (widget_class, HaulSignInDialog, password_entry);
  gtk_widget_class_bind_template_child (widget_class, HaulSignInDialog, remember_check);
  gtk_widget_class_bind_template_callback (widget_class, user_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, response_cb);
}

static void
haul_sign_in_dialog_init (HaulSignInDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* Why the dialog asks: who, for what, or that the last password was refused. */
static char *
describe (HaulDownload *download,
          gboolean      for_proxy)
{
  const char *host = haul_download_get_auth_host (download);
  const char *realm = haul_download_get_auth_realm (download);

  if (host == NULL)
    host = "?";
  if (haul_download_get_auth_refused (download))
    /* Translators: %s is "The password for alice at example.org was not accepted" */
    return g_strdup_printf (_("%s. Check the user name and password and try again."),
                            haul_download_get_error (download));
  if (for_proxy)
    return g_strdup_printf (_("The proxy %s asks for a user name and password."), host);
  if (realm != NULL)
    /* Translators: "files.example.org asks for a user name and password for “Staff only”." */
    return g_strdup_printf (_("%s asks for a user name and password for “%s”."), host, realm);
  return g_strdup_printf (_("%s asks for a user name and password."), host);
}

HaulSignInDialog *
haul_sign_in_dialog_new (GtkWindow    *parent,
                         HaulQueue    *queue,
                         HaulDownload *download)
{
  HaulSignInDialog *self = g_object_new (HAUL_TYPE_SIGN_IN_DIALOG, "transient-for", parent, NULL);
  const char *user = haul_download_get_auth_user (download);
  g_autofree char *body = NULL;

  self->queue = g_object_ref (queue);
  self->download = g_object_ref (download);
  self->for_proxy = haul_download_get_auth_needed (download) == HAUL_DOWNLOAD_AUTH_PROXY;
  body = describe (download, self->for_proxy);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), body);
  if (self->for_proxy)
    {
      adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), _("Sign In to the Proxy"));
      /* Proxy passwords are kept only while Haul runs (for now). */
      gtk_widget_set_visible (GTK_WIDGET (self->remember_check), FALSE);
    }
  else if (user != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->user_entry), user);
  user_changed_cb (self);
  gtk_window_set_focus (GTK_WINDOW (self),
                        GTK_WIDGET (user != NULL && !self->for_proxy ? (gpointer) self->password_entry
                                                                     : (gpointer) self->user_entry));
  return self;
}

void
haul_sign_in_dialog_present (GtkWindow    *parent,
                             HaulQueue    *queue,
                             HaulDownload *download)
{
  gtk_window_present (GTK_WINDOW (haul_sign_in_dialog_new (parent, queue, download)));
}
