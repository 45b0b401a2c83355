/* haul-progress.h — the bridge that carries worker progress to the main loop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HAUL_PROGRESS_INTERVAL_US (100 * 1000)

typedef struct _HaulProgressBridge HaulProgressBridge;
typedef void (*HaulProgressPublishFunc) (gpointer user_data);

HaulProgressBridge *haul_progress_bridge_new    (GMainContext            *context,
                                                 HaulProgressPublishFunc  publish,
                                                 gpointer                 user_data);
HaulProgressBridge *haul_progress_bridge_ref    (HaulProgressBridge      *self);
void                haul_progress_bridge_unref  (HaulProgressBridge      *self);
void                haul_progress_bridge_poke   (HaulProgressBridge      *self);
void                haul_progress_bridge_detach (HaulProgressBridge      *self);
guint64             haul_progress_bridge_get_n_publications (HaulProgressBridge *self);

G_END_DECLS
