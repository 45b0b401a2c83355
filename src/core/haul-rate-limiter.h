/* haul-rate-limiter.h — a token bucket shared between worker threads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _HaulRateLimiter HaulRateLimiter;

HaulRateLimiter *haul_rate_limiter_new        (gint64           bytes_per_second);
HaulRateLimiter *haul_rate_limiter_ref        (HaulRateLimiter *self);
void             haul_rate_limiter_unref      (HaulRateLimiter *self);
void             haul_rate_limiter_set_rate   (HaulRateLimiter *self,
                                               gint64           bytes_per_second);
gint64           haul_rate_limiter_get_rate   (HaulRateLimiter *self);
gint64           haul_rate_limiter_consume_at (HaulRateLimiter *self,
                                               gint64           bytes,
                                               gint64           now_us);
gint64           haul_rate_limiter_consume    (HaulRateLimiter *self,
                                               gint64           bytes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulRateLimiter, haul_rate_limiter_unref)

G_END_DECLS
