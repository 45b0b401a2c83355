/* haul-browser.h — browser integration: the endpoint following its setting, and the paired browsers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "haul-endpoint.h"

G_BEGIN_DECLS

#define HAUL_TYPE_BROWSER (haul_browser_get_type ())

G_DECLARE_FINAL_TYPE (HaulBrowser, haul_browser, HAUL, BROWSER, GObject)

HaulBrowser  *haul_browser_new          (GSettings   *settings,
                                         const char  *pairings_path);
HaulPairings *haul_browser_get_pairings (HaulBrowser *self);
const char   *haul_browser_get_status   (HaulBrowser *self);
guint         haul_browser_get_port     (HaulBrowser *self);
gboolean      haul_browser_get_failed   (HaulBrowser *self);

G_END_DECLS
