/* haul-application.h — the GTK application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "haul-browser.h"
#include "haul-network-settings.h"
#include "haul-proxy-settings.h"
#include "haul-queue.h"

G_BEGIN_DECLS

#define HAUL_TYPE_APPLICATION (haul_application_get_type ())

G_DECLARE_FINAL_TYPE (HaulApplication, haul_application, HAUL, APPLICATION, AdwApplication)

HaulApplication *haul_application_new                 (void);
HaulQueue       *haul_application_get_queue           (HaulApplication *self);
const char      *haul_application_get_download_folder (HaulApplication *self);
GSettings       *haul_application_get_settings        (HaulApplication *self);
void             haul_application_set_demo            (HaulApplication *self,
                                                       gboolean         demo);
gboolean         haul_application_is_inhibiting       (HaulApplication *self);
gboolean         haul_application_is_loading          (HaulApplication *self);
HaulBrowser     *haul_application_get_browser         (HaulApplication *self);
HaulNetworkSettings *haul_application_get_network_settings (HaulApplication *self);
HaulProxySettings *haul_application_get_proxy_settings (HaulApplication *self);

G_END_DECLS
