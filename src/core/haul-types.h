/* haul-types.h — forward declarations and public enums of the core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Like G_DEFINE_QUARK, with an atomic cache: error domains are first used
 * on worker threads, several at once, and G_DEFINE_QUARK's plain static is
 * a data race (found by tests/tsan.sh). Two threads may both look the
 * string up; they get the same quark. */
#define HAUL_DEFINE_QUARK(QN, q_n)                                   \
GQuark                                                               \
q_n##_quark (void)                                                   \
{                                                                    \
  static gint q;                                                     \
  GQuark v = (GQuark) g_atomic_int_get (&q);                         \
                                                                     \
  if (G_UNLIKELY (v == 0))                                           \
    {                                                                \
      v = g_quark_from_static_string (#QN);                          \
      g_atomic_int_set (&q, (gint) v);                               \
    }                                                                \
  return v;                                                          \
}

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

/**
 * HaulDownloadAuth:
 * @HAUL_DOWNLOAD_AUTH_NONE: no sign-in is needed (or none was asked for)
 * @HAUL_DOWNLOAD_AUTH_SERVER: the server asked for a user name and password (401)
 * @HAUL_DOWNLOAD_AUTH_PROXY: the proxy asked for them (407)
 *
 * Why a paused download waits for a password (haul_download_get_auth_needed()).
 */
typedef enum
{
  HAUL_DOWNLOAD_AUTH_NONE = 0,
  HAUL_DOWNLOAD_AUTH_SERVER,
  HAUL_DOWNLOAD_AUTH_PROXY,
} HaulDownloadAuth;

/**
 * HaulQueueHold:
 * @HAUL_QUEUE_HOLD_NONE: nothing holds the queue back
 * @HAUL_QUEUE_HOLD_OFFLINE: the network monitor says there is no network
 *   (a hint: attempts already running go on while their connection works)
 * @HAUL_QUEUE_HOLD_METERED: the connection is metered and the person chose
 *   to pause downloads on metered connections
 * @HAUL_QUEUE_HOLD_SCHEDULE: outside the hours of the schedule
 *
 * What keeps queued downloads from starting (haul_queue_get_hold()).
 */
typedef enum
{
  HAUL_QUEUE_HOLD_NONE     = 0,
  HAUL_QUEUE_HOLD_OFFLINE  = 1 << 0,
  HAUL_QUEUE_HOLD_METERED  = 1 << 1,
  HAUL_QUEUE_HOLD_SCHEDULE = 1 << 2,
} HaulQueueHold;

/**
 * HaulDownloadWait:
 * @HAUL_DOWNLOAD_WAIT_NONE: not waiting for anything but a free slot
 * @HAUL_DOWNLOAD_WAIT_NETWORK: waiting for the network to come back
 * @HAUL_DOWNLOAD_WAIT_METERED: paused because the connection is metered
 * @HAUL_DOWNLOAD_WAIT_SCHEDULE: waiting for the schedule's hours
 * @HAUL_DOWNLOAD_WAIT_START_TIME: waiting for its own start time ("Start at…")
 *
 * Why a queued download does not start (haul_queue_get_wait_reason()).
 */
typedef enum
{
  HAUL_DOWNLOAD_WAIT_NONE = 0,
  HAUL_DOWNLOAD_WAIT_NETWORK,
  HAUL_DOWNLOAD_WAIT_METERED,
  HAUL_DOWNLOAD_WAIT_SCHEDULE,
  HAUL_DOWNLOAD_WAIT_START_TIME,
} HaulDownloadWait;

G_END_DECLS
