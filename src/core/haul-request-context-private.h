/* haul-request-context-private.h — what the request context's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "haul-request-context.h"

G_BEGIN_DECLS

struct _HaulRequestContext
{
  gatomicrefcount  ref_count;
  gboolean         frozen;
  char            *referrer;
  char            *user_agent;
  GPtrArray       *headers;   /* "Name: value", NULL-terminated */
  GSList          *cookies;   /* owned SoupCookie, in the order added */
  guint            n_cookies;
};

gboolean _haul_request_context_cookie_is_usable (SoupCookie *cookie);

G_END_DECLS
