/* haul-filename.h — turning server-provided names into safe local ones
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HAUL_FILENAME_MAX_BYTES 255
#define HAUL_FILENAME_FALLBACK  "download"
#define HAUL_PART_SUFFIX        ".part"

char *haul_filename_sanitize       (const char *name);
char *haul_filename_from_uri       (const char *uri);
char *haul_filename_choose         (const char *content_disposition,
                                    const char *final_uri);
char *haul_filename_with_index     (const char *name,
                                    guint       index);

G_END_DECLS
