/* haul-handoff-private.h — what the handoff's parser shares with its cookie part and the endpoint
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "haul-handoff.h"

G_BEGIN_DECLS

gboolean    _haul_handoff_invalid      (GError     **error,
                                        const char  *format,
                                        ...) G_GNUC_PRINTF (2, 3);
JsonObject *_haul_handoff_parse_object (const char  *json,
                                        gsize        len,
                                        GError     **error);
gboolean    _haul_handoff_get_string   (JsonObject  *object,
                                        const char  *name,
                                        gsize        max,
                                        const char **out,
                                        GError     **error);
gboolean    _haul_handoff_get_cookies  (JsonObject  *object,
                                        const char  *url,
                                        GPtrArray   *cookies,
                                        GError     **error);
gboolean    _haul_handoff_parse_pair   (const char  *json,
                                        gsize        len,
                                        char       **code,
                                        char       **browser,
                                        GError     **error);

G_END_DECLS
