/* haul-wait-text.h — the sentences that say why a download waits and when it starts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "haul-types.h"

G_BEGIN_DECLS

char *haul_wait_text_when     (GDateTime        *time,
                               GDateTime        *now);
char *haul_wait_text_day      (GDateTime        *time,
                               GDateTime        *now);
char *haul_wait_text_reason   (HaulDownloadWait  wait,
                               GDateTime        *until,
                               GDateTime        *now);
char *haul_wait_text_hours    (guint             start_minute,
                               guint             end_minute);

G_END_DECLS
