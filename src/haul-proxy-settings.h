/* haul-proxy-settings.h — the queue's proxy, from the settings and the keyring (or the command line)
 *
 * Thread: main. Nothing here waits: the keyring is asked asynchronously.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "haul-proxy.h"
#include "haul-queue.h"

G_BEGIN_DECLS

#define HAUL_TYPE_PROXY_SETTINGS (haul_proxy_settings_get_type ())

G_DECLARE_FINAL_TYPE (HaulProxySettings, haul_proxy_settings, HAUL, PROXY_SETTINGS, GObject)

HaulProxySettings *haul_proxy_settings_new             (GSettings          *settings,
                                                        HaulQueue          *queue);
void               haul_proxy_settings_override        (HaulProxySettings  *self,
                                                        const HaulProxyUrl *url);
void               haul_proxy_settings_reload_password (HaulProxySettings  *self);
HaulProxyMode      haul_proxy_settings_get_mode        (HaulProxySettings  *self);
gboolean           haul_proxy_settings_is_overridden   (HaulProxySettings  *self);
gboolean           haul_proxy_settings_has_password    (HaulProxySettings  *self);

G_END_DECLS
