/* haul-help.c — Help (F1): Haul's manual
 *
 * The manual is the man page (data/haul.1), installed with Haul. On the
 * host it opens as man:haul, which GNOME's Help (yelp) and other man: link
 * handlers show. A Flatpak's man page stays inside the sandbox, where the
 * desktop's viewers cannot read it (the OpenURI portal would hand man:haul
 * to a host viewer that has no such page), so there the guide opens online.
 * When nothing can show the manual, Haul says so and offers the online
 * guide and `man haul` in a terminal.
 *
 * Main thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-help"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "haul-background.h"
#include "haul-help.h"

static void launch (GtkWindow  *parent,
                    const char *uri);

static void
cannot_show_response_cb (AdwMessageDialog *dialog,
                         const char       *response,
                         gpointer          user_data)
{
  if (g_str_equal (response, "online"))
    launch (gtk_window_get_transient_for (GTK_WINDOW (dialog)), HAUL_HELP_ONLINE_URI);
}

/* In Haul's words, with the next step: the same text online. */
static void
say_cannot_show (GtkWindow    *parent,
                 const char   *uri,
                 const GError *error)
{
  gboolean online = g_str_equal (uri, HAUL_HELP_ONLINE_URI);
  AdwMessageDialog *dialog;

  g_debug ("cannot open %s: %s", uri, error->message);
  if (parent == NULL)
    return;
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, online ? _("The Guide Cannot Be Opened")
                                                                      : _("The Manual Cannot Be Shown"),
                                                       NULL));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  adw_message_dialog_set_close_response (dialog, "close");
  if (online)
    /* Translators: %s is a web address */
    adw_message_dialog_format_body (dialog, _("No app on this computer opens web pages. Haul’s guide is at "
                                              "%s, and “man haul” in a terminal shows its manual."),
                                    HAUL_HELP_ONLINE_URI);
  else
    {
      adw_message_dialog_set_body (dialog, _("No app on this computer shows manual pages. Read Haul’s "
                                             "guide online, or run “man haul” in a terminal."));
      adw_message_dialog_add_response (dialog, "online", _("_Open Online Guide"));
      adw_message_dialog_set_response_appearance (dialog, "online", ADW_RESPONSE_SUGGESTED);
    }
  g_signal_connect (dialog, "response", G_CALLBACK (cannot_show_response_cb), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct
{
  GtkWindow *parent; /* weak */
  char      *uri;
} Launch;

static void
launch_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Launch *l = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    say_cannot_show (l->parent, l->uri, error);
  g_clear_weak_pointer (&l->parent);
  g_free (l->uri);
  g_free (l);
}

/* GIO goes through the OpenURI portal inside a sandbox. */
static void
launch (GtkWindow  *parent,
        const char *uri)
{
  g_autoptr(GdkAppLaunchContext) context = NULL;
  Launch *l = g_new0 (Launch, 1);

  g_set_weak_pointer (&l->parent, parent);
  l->uri = g_strdup (uri);
  if (parent != NULL)
    context = gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (parent)));
  g_app_info_launch_default_for_uri_async (uri, (GAppLaunchContext *) context, NULL, launch_done_cb, l);
}

/**
 * haul_help_show:
 * @parent: (nullable): the window a message about a failure belongs to
 *
 * Opens the manual, or the online guide in a sandbox.
 */
void
haul_help_show (GtkWindow *parent)
{
  launch (parent, haul_background_is_sandboxed () ? HAUL_HELP_ONLINE_URI : HAUL_HELP_MANUAL_URI);
}
