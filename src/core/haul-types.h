/* haul-types.h — forward declarations and public enums of the core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _HaulDownload HaulDownload;
typedef struct _HaulQueue    HaulQueue;

/**
 * HaulDownloadState:
 *
 * A download's life: queued → connecting → downloading → (verifying) →
 * completed, with paused, failed and cancelled as side states.
 */
typedef enum
{
  HAUL_DOWNLOAD_STATE_QUEUED = 0,
  HAUL_DOWNLOAD_STATE_CONNECTING,
  HAUL_DOWNLOAD_STATE_DOWNLOADING,
  HAUL_DOWNLOAD_STATE_VERIFYING,
  HAUL_DOWNLOAD_STATE_COMPLETED,
  HAUL_DOWNLOAD_STATE_PAUSED,
  HAUL_DOWNLOAD_STATE_FAILED,
  HAUL_DOWNLOAD_STATE_CANCELLED,
} HaulDownloadState;

G_END_DECLS
