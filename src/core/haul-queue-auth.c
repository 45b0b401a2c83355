/* haul-queue-auth.c — credentials for the queue's downloads, the proxy its workers use,
 * and pausing a download that needs a password
 *
 * A 401 or 407 that Basic or Digest could answer ends the attempt with
 * HAUL_TRANSFER_ERROR_AUTH or _PROXY_AUTH; the download then waits,
 * PAUSED, with haul_download_get_auth_needed() saying who asked: not
 * FAILED, and no retry is counted. haul_queue_set_credentials() gives it
 * a user name and password and resumes it. A worker never waits for a
 * person.
 *
 * Thread: main.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-queue"

#include "config.h"

#include "haul-auth.h"
#include "haul-download-private.h"
#include "haul-queue-private.h"
#include "haul-transfer.h"

/**
 * haul_queue_set_credentials:
 * @download: one of the queue's downloads
 * @user: (nullable): the user name (%NULL forgets the credentials)
 * @password: (nullable): the password, kept in memory only
 * @for_proxy: the proxy's credentials rather than the server's
 *
 * Gives @download the credentials its next attempts sign in with (the
 * server's user name is saved with it, the password never) and resumes
 * it if it is paused or failed.
 */
void
haul_queue_set_credentials (HaulQueue    *self,
                            HaulDownload *download,
                            const char   *user,
                            const char   *password,
                            gboolean      for_proxy)
{
  HaulQueueItem *item;

  g_return_if_fail (HAUL_IS_QUEUE (self));
  g_return_if_fail (HAUL_IS_DOWNLOAD (download));

  haul_download_set_credentials (download, user, password, for_proxy);
  item = _haul_queue_lookup (self, download);
  if (item != NULL && !for_proxy)
    _haul_queue_mark_dirty (self, item);
  if (download->state == HAUL_DOWNLOAD_STATE_PAUSED ||
      download->state == HAUL_DOWNLOAD_STATE_FAILED)
    haul_queue_resume (self, download);
}

/**
 * haul_queue_set_proxy_resolver:
 * @resolver: (nullable): the proxies attempts go through; %NULL: GLib's default
 *
 * Applies to the attempts started from now on: each worker's session is
 * pointed at it before its next request.
 */
void
haul_queue_set_proxy_resolver (HaulQueue      *self,
                               GProxyResolver *resolver)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));
  g_return_if_fail (resolver == NULL || G_IS_PROXY_RESOLVER (resolver));

  g_set_object (&self->proxy_resolver, resolver);
}

/**
 * haul_queue_set_proxy_credentials:
 * @user: (nullable): the proxy's user name (%NULL forgets them)
 * @password: (nullable): its password, kept in memory only
 *
 * What an HTTP proxy's 407 is answered with (forwarding and CONNECT) for
 * every download that has no proxy credentials of its own
 * (haul_queue_set_credentials() with @for_proxy), from its next attempt.
 */
void
haul_queue_set_proxy_credentials (HaulQueue  *self,
                                  const char *user,
                                  const char *password)
{
  g_return_if_fail (HAUL_IS_QUEUE (self));

  g_free (self->proxy_user);
  self->proxy_user = user != NULL && *user != '\0' ? g_strdup (user) : NULL;
  haul_auth_wipe (&self->proxy_password);
  self->proxy_password = self->proxy_user != NULL ? g_strdup (password) : NULL;
}

/* What an attempt of @d signs in with: its credentials (else the queue's
 * proxy credentials) and the proxy. */
void
_haul_queue_auth_to_job (HaulQueue    *self,
                         HaulDownload *d,
                         HaulJob      *job)
{
  _haul_download_auth_to_job (d, job);
  if (job->proxy_user == NULL && self->proxy_user != NULL)
    {
      job->proxy_user = g_strdup (self->proxy_user);
      job->proxy_password = g_strdup (self->proxy_password);
    }
  g_set_object (&job->proxy_resolver, self->proxy_resolver);
}

/**
 * _haul_queue_attempt_needs_password:
 *
 * When @error says the server or the proxy wants a password, pauses the
 * download as needing one (no retry counted) and returns %TRUE.
 */
gboolean
_haul_queue_attempt_needs_password (HaulQueue     *self,
                                    HaulQueueItem *item,
                                    HaulJob       *job,
                                    const GError  *error)
{
  HaulDownload *d = item->download;
  gboolean proxy = g_error_matches (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_PROXY_AUTH);

  if (!proxy && !g_error_matches (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_AUTH))
    return FALSE;

  /* Never the password: the user name and who asked. */
  g_debug ("%s needs a password (%s%s, user %s)", d->uri, proxy ? "proxy " : "",
           job->result_auth_host ? job->result_auth_host : "?",
           job->auth_user ? job->auth_user : "none");
  g_object_freeze_notify (G_OBJECT (d));
  _haul_download_set_auth_needed (d, proxy ? HAUL_DOWNLOAD_AUTH_PROXY : HAUL_DOWNLOAD_AUTH_SERVER,
                                  job->result_auth_refused, job->result_auth_realm,
                                  job->result_auth_host);
  _haul_download_set_error (d, error->message);
  _haul_queue_set_n_active (self, self->n_active - 1);
  _haul_queue_finish_inactive (self, d, HAUL_DOWNLOAD_STATE_PAUSED);
  g_object_thaw_notify (G_OBJECT (d));
  g_signal_emit_by_name (self, "download-needs-password", d);
  return TRUE;
}
