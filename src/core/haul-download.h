/* haul-download.h — one download: identity, settings and observable state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "haul-request-context.h"
#include "haul-segments.h"
#include "haul-types.h"
#include "haul-core-enums.h"

G_BEGIN_DECLS

#define HAUL_TYPE_DOWNLOAD (haul_download_get_type ())

G_DECLARE_FINAL_TYPE (HaulDownload, haul_download, HAUL, DOWNLOAD, GObject)

HaulDownload      *haul_download_new               (const char   *uri,
                                                    const char   *directory);
guint64            haul_download_get_id            (HaulDownload *self);
const char        *haul_download_get_uri           (HaulDownload *self);
const char        *haul_download_get_final_uri     (HaulDownload *self);
const char        *haul_download_get_directory     (HaulDownload *self);
const char        *haul_download_get_filename      (HaulDownload *self);
char              *haul_download_dup_path          (HaulDownload *self);
HaulDownloadState  haul_download_get_state         (HaulDownload *self);
gboolean           haul_download_is_active         (HaulDownload *self);
gboolean           haul_download_is_finished       (HaulDownload *self);
gint64             haul_download_get_received      (HaulDownload *self);
gint64             haul_download_get_total         (HaulDownload *self);
gdouble            haul_download_get_fraction      (HaulDownload *self);
gdouble            haul_download_get_speed         (HaulDownload *self);
gint64             haul_download_get_eta           (HaulDownload *self);
const char        *haul_download_get_error         (HaulDownload *self);
const char        *haul_download_get_checksum      (HaulDownload *self);
gboolean           haul_download_set_checksum      (HaulDownload *self,
                                                    const char   *checksum,
                                                    GError      **error);
gint64             haul_download_get_rate_limit    (HaulDownload *self);
guint              haul_download_get_retries       (HaulDownload *self);
gint64             haul_download_get_retry_at      (HaulDownload *self);
const char        *haul_download_get_retry_reason  (HaulDownload *self);
gint64             haul_download_get_created       (HaulDownload *self);
gint64             haul_download_get_started       (HaulDownload *self);
gint64             haul_download_get_finished      (HaulDownload *self);
gint64             haul_download_get_start_after   (HaulDownload *self);
guint              haul_download_get_connections   (HaulDownload *self);
HaulSegments      *haul_download_get_segments      (HaulDownload *self);
HaulRequestContext *haul_download_get_request_context (HaulDownload *self);
gboolean           haul_download_set_request_context (HaulDownload       *self,
                                                      HaulRequestContext *context);
gboolean           haul_download_can_pause         (HaulDownload *self);
gboolean           haul_download_can_resume        (HaulDownload *self);
gboolean           haul_download_can_cancel        (HaulDownload *self);
gboolean           haul_download_can_retry         (HaulDownload *self);
/* haul-download-auth.c: signing in (main thread) */
const char        *haul_download_get_auth_user     (HaulDownload *self);
HaulDownloadAuth   haul_download_get_auth_needed   (HaulDownload *self);
gboolean           haul_download_get_auth_refused  (HaulDownload *self);
const char        *haul_download_get_auth_realm    (HaulDownload *self);
const char        *haul_download_get_auth_host     (HaulDownload *self);
gboolean           haul_download_has_password      (HaulDownload *self,
                                                    gboolean      for_proxy);
void               haul_download_set_credentials   (HaulDownload *self,
                                                    const char   *user,
                                                    const char   *password,
                                                    gboolean      for_proxy);
const char        *haul_download_state_to_string   (HaulDownloadState state);

G_END_DECLS
