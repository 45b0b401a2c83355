/* haul-reveal-model.h — a list that follows another, a big change a few rows per step
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* At most this many items are replaced, added or removed near the top of
 * the list per step (each is a row widget built or destroyed). */
#define HAUL_REVEAL_STEP 8
/* The first positions, where a list view keeps row widgets (GTK 4.8:
 * about 200 around its anchor): past them the rest is synced at once. */
#define HAUL_REVEAL_HEAD 256

#define HAUL_TYPE_REVEAL_MODEL (haul_reveal_model_get_type ())

G_DECLARE_FINAL_TYPE (HaulRevealModel, haul_reveal_model, HAUL, REVEAL_MODEL, GObject)

HaulRevealModel *haul_reveal_model_new           (GListModel      *source);
GListModel      *haul_reveal_model_get_source    (HaulRevealModel *self);
void             haul_reveal_model_hold          (HaulRevealModel *self);
void             haul_reveal_model_release       (HaulRevealModel *self);
gboolean         haul_reveal_model_get_revealing (HaulRevealModel *self);
gboolean         haul_reveal_model_step          (HaulRevealModel *self);
void             haul_reveal_model_finish        (HaulRevealModel *self);

G_END_DECLS
