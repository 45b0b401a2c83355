/* haul-proxy-group.h — Preferences → Network → Proxy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define HAUL_TYPE_PROXY_GROUP (haul_proxy_group_get_type ())

G_DECLARE_FINAL_TYPE (HaulProxyGroup, haul_proxy_group, HAUL, PROXY_GROUP, AdwPreferencesGroup)

GtkWidget  *haul_proxy_group_new            (void);
const char *haul_proxy_group_get_error_text (HaulProxyGroup *self);

G_END_DECLS
