/* haul-headless-auth.h — credentials for `haul --headless`: --user/--password or ~/.netrc
 *
 * Thread: main (the headless run's only thread with a main loop).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "haul-queue.h"

G_BEGIN_DECLS

typedef struct _HaulHeadlessAuth HaulHeadlessAuth;

HaulHeadlessAuth *haul_headless_auth_new    (const char       *user,
                                             const char       *password);
void              haul_headless_auth_watch  (HaulHeadlessAuth *self,
                                             HaulQueue        *queue);
guint             haul_headless_auth_report (HaulHeadlessAuth *self,
                                             HaulQueue        *queue);
void              haul_headless_auth_free   (HaulHeadlessAuth *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulHeadlessAuth, haul_headless_auth_free)

G_END_DECLS
