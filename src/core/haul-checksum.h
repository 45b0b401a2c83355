/* haul-checksum.h — "ALGO:HEX" expected checksums
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean haul_checksum_parse (const char     *spec,
                              GChecksumType  *type,
                              char          **hex,
                              GError        **error);

const char *haul_checksum_type_name (GChecksumType type);

G_END_DECLS
