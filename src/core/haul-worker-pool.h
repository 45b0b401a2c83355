/* haul-worker-pool.h — the threads downloads run on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define HAUL_MAX_CONCURRENCY 32

typedef struct _HaulWorkerPool HaulWorkerPool;

typedef void (*HaulConnectionFunc) (gpointer     data,
                                    SoupSession *session);

HaulWorkerPool *haul_worker_pool_new             (guint           max_threads);
void            haul_worker_pool_free            (HaulWorkerPool *self);
void            haul_worker_pool_set_max_threads (HaulWorkerPool *self,
                                                  guint           max_threads);
void            haul_worker_pool_push            (HaulWorkerPool *self,
                                                  GTask          *task);
void            haul_worker_pool_run_connection  (HaulConnectionFunc func,
                                                  gpointer           data);

G_END_DECLS
