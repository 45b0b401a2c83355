/* haul-headless-auth.c — credentials for `haul --headless` (see haul-headless-auth.h)
 *
 * --user and --password apply to every download of the run. Without them
 * ~/.netrc is read once (haul-netrc.c: strict; a file others can read is
 * refused, with a message) and each download gets the entry of its host.
 * Each download gets them as it joins the queue, before its first attempt
 * (the queue's items-changed comes before it schedules). A download the
 * server or the proxy still refuses waits paused as needing a password:
 * at the end of the run it counts as failed, with a message naming --user.
 * No password is ever printed.
 *
 * Thread: main.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-headless"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "haul-auth.h"
#include "haul-download.h"
#include "haul-headless-auth.h"
#include "haul-netrc.h"

struct _HaulHeadlessAuth
{
  char      *user;
  char      *password;
  HaulNetrc *netrc;   /* nullable: none, or not usable */
  gulong     handler;
  HaulQueue *queue;   /* borrowed while watched */
};

/**
 * haul_headless_auth_new:
 * @user: (nullable): --user
 * @password: (nullable): --password
 *
 * Without @user, reads ~/.netrc (a missing file is fine; a file that
 * cannot be used is reported on standard error and ignored).
 */
HaulHeadlessAuth *
haul_headless_auth_new (const char *user,
                        const char *password)
{
  HaulHeadlessAuth *self = g_new0 (HaulHeadlessAuth, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  self->user = g_strdup (user);
  self->password = g_strdup (password);
  if (user != NULL)
    return self;

  path = haul_netrc_default_path ();
  self->netrc = haul_netrc_load (path, &error);
  if (self->netrc == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_printerr (_("haul: %s\n"), error->message);
  return self;
}

static void
give_credentials (HaulHeadlessAuth *self,
                  HaulDownload     *d)
{
  g_autoptr(GUri) uri = NULL;
  const char *login = NULL, *password = NULL;

  if (self->user != NULL)
    {
      haul_download_set_credentials (d, self->user, self->password, FALSE);
      return;
    }
  if (haul_download_get_auth_user (d) != NULL && haul_download_has_password (d, FALSE))
    return;
  uri = g_uri_parse (haul_download_get_uri (d), G_URI_FLAGS_ENCODED, NULL);
  if (self->netrc != NULL && uri != NULL &&
      haul_netrc_lookup (self->netrc, g_uri_get_host (uri), &login, &password))
    haul_download_set_credentials (d, login, password, FALSE);
}

static void
items_changed_cb (GListModel       *model,
                  guint             position,
                  guint             removed,
                  guint             added,
                  HaulHeadlessAuth *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(HaulDownload) d = g_list_model_get_item (model, i);

      give_credentials (self, d);
    }
}

/* Gives each download that joins @queue its credentials, before its
 * first attempt. */
void
haul_headless_auth_watch (HaulHeadlessAuth *self,
                          HaulQueue        *queue)
{
  self->queue = queue;
  self->handler = g_signal_connect (queue, "items-changed", G_CALLBACK (items_changed_cb), self);
}

/**
 * haul_headless_auth_report:
 *
 * Prints one line for each download of @queue that waits for a password,
 * naming --user. Returns how many.
 */
guint
haul_headless_auth_report (HaulHeadlessAuth *self,
                           HaulQueue        *queue)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (queue));
  guint n_failed = 0;

  for (guint i = 0; i < n; i++)
    {
      HaulDownload *d = haul_queue_get_download (queue, i);
      HaulDownloadAuth needed = haul_download_get_auth_needed (d);

      if (haul_download_get_state (d) != HAUL_DOWNLOAD_STATE_PAUSED || needed == HAUL_DOWNLOAD_AUTH_NONE)
        continue;
      n_failed++;
      if (needed == HAUL_DOWNLOAD_AUTH_PROXY)
        g_printerr (_("haul: failed: %s: %s (haul --headless cannot sign in to a proxy yet; "
                      "--user and --password are for the server)\n"),
                    haul_download_get_uri (d), haul_download_get_error (d));
      else
        g_printerr (_("haul: failed: %s: %s; give --user and --password, or a “machine” "
                      "entry in ~/.netrc\n"),
                    haul_download_get_uri (d), haul_download_get_error (d));
    }
  return n_failed;
}

void
haul_headless_auth_free (HaulHeadlessAuth *self)
{
  if (self == NULL)
    return;
  if (self->queue != NULL)
    g_clear_signal_handler (&self->handler, self->queue);
  g_free (self->user);
  haul_auth_wipe (&self->password);
  haul_netrc_free (self->netrc);
  g_free (self);
}
