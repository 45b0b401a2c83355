/* haul-http.h — parsers for the response headers a download depends on
 *
 * These take header values straight from servers nobody controls, so they
 * accept only well-formed input and never read past the string.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean haul_http_parse_content_range (const char *value,
                                        gint64     *start,
                                        gint64     *end,
                                        gint64     *total);
gboolean haul_http_parse_retry_after   (const char *value,
                                        gint64      now_unix,
                                        gint64     *seconds);
char    *haul_http_parse_content_type  (const char *value);
char    *haul_http_content_disposition_filename (const char *value);
gboolean haul_http_etag_is_strong      (const char *etag);
gboolean haul_http_value_is_safe       (const char *value);

G_END_DECLS
