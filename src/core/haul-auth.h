/* haul-auth.h — HTTP sign-in for an attempt: credentials offered once, refusals reported
 *
 * A job carries plain in-memory credentials (haul-job.h: the server's and
 * the proxy's, apart). Every request of an attempt, the probe and each
 * segment connection alike, is attached with _haul_auth_attach(): libsoup's
 * SoupAuthManager asks through the message's ::authenticate signal, and
 * the credentials are given at most once per message (Basic and Digest).
 * The auth cache is not used, so one download's password never signs in
 * another download that shares the worker's session. An answer of 401 or
 * 407 that still comes back becomes HAUL_TRANSFER_ERROR_AUTH or
 * _PROXY_AUTH, whose message names the user and host but never the
 * password.
 *
 * Thread: haul_auth_wipe() and haul_auth_display_host() anywhere; the
 * _haul_auth_ functions on the worker or connection thread that owns the
 * session and the message.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "haul-job.h"

G_BEGIN_DECLS

void     haul_auth_wipe              (char        **secret);
char    *haul_auth_display_host      (GUri         *uri);

void     _haul_auth_prepare_session  (SoupSession  *session,
                                      HaulJob      *job);
void     _haul_auth_attach           (SoupMessage  *msg,
                                      HaulJob      *job);
gboolean _haul_auth_set_error        (GError      **error,
                                      SoupMessage  *msg,
                                      HaulJob      *job);

G_END_DECLS
