/* haul-transfer.h — the body of one download attempt, run on a worker thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "haul-job.h"

G_BEGIN_DECLS

#define HAUL_TRANSFER_ERROR (haul_transfer_error_quark ())

typedef enum
{
  /* permanent */
  HAUL_TRANSFER_ERROR_HTTP_CLIENT,       /* 4xx other than 408 and 429 */
  HAUL_TRANSFER_ERROR_BAD_URL,
  HAUL_TRANSFER_ERROR_UNSUPPORTED_SCHEME,
  HAUL_TRANSFER_ERROR_TLS,
  HAUL_TRANSFER_ERROR_DISK_FULL,
  HAUL_TRANSFER_ERROR_PERMISSION,
  HAUL_TRANSFER_ERROR_NO_DIRECTORY,
  HAUL_TRANSFER_ERROR_UNSAFE_FILE,       /* a symlink or special file where the .part goes */
  HAUL_TRANSFER_ERROR_LOCAL_IO,
  HAUL_TRANSFER_ERROR_CHECKSUM,
  HAUL_TRANSFER_ERROR_REDIRECT_LOOP,
  HAUL_TRANSFER_ERROR_TOO_MANY_REDIRECTS,
  HAUL_TRANSFER_ERROR_BAD_REDIRECT,
  HAUL_TRANSFER_ERROR_WEB_PAGE,          /* an HTML page instead of the file */
  HAUL_TRANSFER_ERROR_BAD_RESPONSE,
  HAUL_TRANSFER_ERROR_AUTH,              /* 401 after Basic/Digest: no password, or a refused one */
  HAUL_TRANSFER_ERROR_PROXY_AUTH,        /* 407: the same from the proxy */
  /* transient */
  HAUL_TRANSFER_ERROR_HTTP_SERVER,       /* 5xx, 408, 429 */
  HAUL_TRANSFER_ERROR_NETWORK,
  HAUL_TRANSFER_ERROR_TIMEOUT,
  HAUL_TRANSFER_ERROR_TRUNCATED,
} HaulTransferError;

GQuark   haul_transfer_error_quark        (void);
gboolean haul_transfer_error_is_transient (const GError  *error);
gboolean haul_transfer_run                (HaulJob       *job,
                                           SoupSession   *session,
                                           GError       **error);
gboolean haul_transfer_probe              (HaulJob       *job,
                                           SoupSession   *session,
                                           GError       **error);

G_END_DECLS
