/* haul-backoff.h — retry delays: exponential backoff with jitter
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HAUL_BACKOFF_BASE_MS   1000
#define HAUL_BACKOFF_MAX_MS    (60 * 1000)
#define HAUL_RETRY_AFTER_MAX_S (10 * 60)

gint64 haul_backoff_delay_ms (guint   attempt,
                              gint64  base_ms,
                              gint64  max_ms,
                              gdouble random01,
                              gint64  retry_after_s);

G_END_DECLS
