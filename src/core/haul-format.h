/* haul-format.h — human-readable sizes, speeds and times
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char    *haul_format_size      (gint64       bytes);
char    *haul_format_speed     (gdouble      bytes_per_second);
char    *haul_format_eta       (gint64       seconds);
char    *haul_format_amount    (gint64       received,
                                gint64       total);
char    *haul_format_rate      (gdouble      speed,
                                gint64       total,
                                gint64       eta_seconds);
char    *haul_format_progress  (gint64       received,
                                gint64       total,
                                gdouble      speed,
                                gint64       eta_seconds);
gboolean haul_parse_rate       (const char  *text,
                                gint64      *bytes_per_second);

G_END_DECLS
