/* haul-download-auth.c — a download's credentials and why it waits for a password
 *
 * The user name is a stored column (auth_user); the passwords, the proxy's
 * user name and the "needs a password" reason live only in memory. A
 * password never reaches the store, a log or a message: it is copied into
 * each attempt's job (haul-job.h) and wiped when replaced or freed.
 *
 * Thread: main, like HaulDownload.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-download"

#include "config.h"

#include "haul-auth.h"
#include "haul-download-private.h"

/**
 * haul_download_get_auth_user:
 *
 * The user name @self signs in to its server with, or %NULL.
 */
const char *
haul_download_get_auth_user (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), NULL);
  return self->auth_user;
}

/**
 * haul_download_get_auth_needed:
 *
 * Whether @self is paused because the server or the proxy asked for a
 * user name and password it did not have (or refused the one given:
 * haul_download_get_auth_refused()). %HAUL_DOWNLOAD_AUTH_NONE otherwise.
 */
HaulDownloadAuth
haul_download_get_auth_needed (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), HAUL_DOWNLOAD_AUTH_NONE);
  return self->auth_needed;
}

gboolean
haul_download_get_auth_refused (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), FALSE);
  return self->auth_needed != HAUL_DOWNLOAD_AUTH_NONE && self->auth_refused;
}

/* The realm the server named (made safe to show), or NULL. */
const char *
haul_download_get_auth_realm (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), NULL);
  return self->auth_realm;
}

/* Who asked: "host" or "host:port" of the server or the proxy, or NULL. */
const char *
haul_download_get_auth_host (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), NULL);
  return self->auth_host;
}

gboolean
haul_download_has_password (HaulDownload *self,
                            gboolean      for_proxy)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), FALSE);
  return (for_proxy ? self->proxy_password : self->auth_password) != NULL;
}

/**
 * haul_download_set_credentials:
 * @user: (nullable): the user name; %NULL forgets the credentials
 * @password: (nullable): the password, kept in memory only
 * @for_proxy: the proxy's credentials rather than the server's
 *
 * Gives @self what the next attempts sign in with. The server's user name
 * is saved with the download; no password ever is. Does not start
 * anything: haul_queue_set_credentials() also resumes.
 */
void
haul_download_set_credentials (HaulDownload *self,
                               const char   *user,
                               const char   *password,
                               gboolean      for_proxy)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));

  if (user != NULL && *user == '\0')
    user = NULL;
  if (for_proxy)
    {
      g_free (self->proxy_user);
      self->proxy_user = g_strdup (user);
      haul_auth_wipe (&self->proxy_password);
      self->proxy_password = user != NULL ? g_strdup (password) : NULL;
    }
  else
    {
      g_free (self->auth_user);
      self->auth_user = g_strdup (user);
      haul_auth_wipe (&self->auth_password);
      self->auth_password = user != NULL ? g_strdup (password) : NULL;
    }
}

void
_haul_download_set_auth_needed (HaulDownload     *self,
                                HaulDownloadAuth  needed,
                                gboolean          refused,
                                const char       *realm,
                                const char       *host)
{
  self->auth_needed = needed;
  self->auth_refused = needed != HAUL_DOWNLOAD_AUTH_NONE && refused;
  if (needed == HAUL_DOWNLOAD_AUTH_NONE)
    return; /* the last realm and host stay for the sign-in dialog */
  g_free (self->auth_realm);
  self->auth_realm = g_strdup (realm);
  g_free (self->auth_host);
  self->auth_host = g_strdup (host);
}

/* Copies the credentials into an attempt's snapshot. */
void
_haul_download_auth_to_job (HaulDownload *self,
                            HaulJob      *job)
{
  job->auth_user = g_strdup (self->auth_user);
  job->auth_password = g_strdup (self->auth_password);
  job->proxy_user = g_strdup (self->proxy_user);
  job->proxy_password = g_strdup (self->proxy_password);
}

void
_haul_download_auth_clear (HaulDownload *self)
{
  haul_auth_wipe (&self->auth_password);
  haul_auth_wipe (&self->proxy_password);
  g_clear_pointer (&self->proxy_user, g_free);
  g_clear_pointer (&self->auth_realm, g_free);
  g_clear_pointer (&self->auth_host, g_free);
}
