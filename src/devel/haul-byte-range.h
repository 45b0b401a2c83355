/* haul-byte-range.h — the Range header of a request, as a server reads it
 *
 * Shared by the demo server (haul-demo.c) and the tests' server
 * (tests/haul-test-server.c). The engine itself only sends "bytes=S-" and
 * reads Content-Range (src/core/haul-http.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean haul_byte_range_parse (const char *value,
                                guint64     size,
                                guint64    *start,
                                guint64    *end,
                                gboolean   *satisfiable);

G_END_DECLS
