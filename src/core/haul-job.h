/* haul-job.h — the immutable snapshot one download attempt works from
 *
 * A job is built on the main thread from a HaulDownload, handed to a worker
 * inside a GTask, and read back on the main thread in the task's callback.
 * The worker never sees the HaulDownload: only this plain struct, whose
 * mutable parts are atomics (progress) or written once before the task
 * returns (results).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "haul-connections.h"
#include "haul-name-claims.h"
#include "haul-progress.h"
#include "haul-rate-limiter.h"
#include "haul-request-context.h"
#include "haul-segments.h"

G_BEGIN_DECLS

typedef enum
{
  HAUL_JOB_PHASE_CONNECTING = 0,
  HAUL_JOB_PHASE_DOWNLOADING,
  HAUL_JOB_PHASE_VERIFYING,
} HaulJobPhase;

typedef enum
{
  HAUL_JOB_STOP_NONE = 0,
  HAUL_JOB_STOP_PAUSE,   /* keep the .part */
  HAUL_JOB_STOP_CANCEL,  /* delete the .part */
} HaulJobStop;

typedef struct
{
  gatomicrefcount     ref_count;

  /* Snapshot, immutable after haul_job_new() returns to its caller. */
  char               *uri;
  char               *directory;
  char               *filename;       /* nullable: name fixed by an earlier attempt */
  char               *etag;           /* validators from an earlier attempt */
  char               *last_modified;
  char               *content_type;
  gint64              known_total;    /* -1 unknown */
  gint64              expected_part;  /* the size the .part must have, or -1 */
  gboolean            tag_part_now;   /* write the resume attribute as the .part is opened */
  GChecksumType       checksum_type;
  char               *checksum_hex;   /* nullable */
  HaulRateLimiter    *download_limiter; /* nullable: this download's own limit */
  HaulRateLimiter    *global_limiter; /* nullable */
  HaulProgressBridge *bridge;         /* nullable */
  HaulNameClaims     *claims;         /* nullable */
  guint               connect_timeout_s;
  guint               stall_timeout_s;
  guint               max_redirects;
  char               *segments;       /* nullable: the written ranges an earlier attempt checkpointed */
  guint               max_per_server; /* connections to one server, all downloads together */
  HaulRequestContext *context;        /* nullable, frozen: applied to every request */
  GCancellable       *cancellable;

  /* Credentials (haul-auth.h), immutable like the rest of the snapshot.
   * The passwords are secrets: never logged, never in an error, wiped when
   * the job is freed. Server and proxy credentials are kept apart. */
  char               *auth_user;      /* nullable */
  char               *auth_password;  /* nullable */
  char               *proxy_user;     /* nullable */
  char               *proxy_password; /* nullable */
  GProxyResolver     *proxy_resolver; /* nullable: GLib's default */

  /* Written by the main thread, read by the worker. */
  _Atomic int         stop;           /* HaulJobStop */
  _Atomic int         max_connections; /* for this download, 1..HAUL_MAX_CONNECTIONS */

  /* Written by the worker, read by the main thread at any time. */
  _Atomic gint64      received;
  _Atomic gint64      total;
  _Atomic int         phase;          /* HaulJobPhase */
  _Atomic int         n_connections;  /* connections open now */
  _Atomic int         segmented;      /* fetched in segments (info_segments is set) */
  _Atomic int         segments_dropped; /* the saved written ranges no longer apply */

  /* Written by the worker once it knows them (under the mutex), read by
   * the main thread's progress publication. */
  GMutex              info_mutex;
  char               *info_filename;
  _Atomic int         info_changed;
  HaulSegments       *info_segments;  /* the live table, once segmented */
  char               *info_checkpoint; /* written ranges now on disk, not yet taken */

  /* Results, written by the worker before the task returns. */
  char               *result_filename;
  char               *result_final_uri;
  char               *result_etag;
  char               *result_last_modified;
  char               *result_content_type;
  gint64              result_retry_after_s; /* -1 none */
  gboolean            result_restarted;     /* a .part could not be resumed */
  gboolean            result_part_mismatch; /* ...because it did not match the saved state */
  int                 result_auth;          /* HaulDownloadAuth: who asked for a password */
  gboolean            result_auth_refused;  /* ...and refused the one given */
  char               *result_auth_realm;    /* nullable, made safe to show */
  char               *result_auth_host;     /* nullable: "host" or "host:port" */
  _Atomic int         result_stall_probed;  /* a connection (any thread of the attempt) was cancelled as stalled when the network changed */
} HaulJob;

HaulJob *haul_job_new   (const char *uri,
                         const char *directory);
HaulJob *haul_job_ref   (HaulJob    *job);
void     haul_job_unref (HaulJob    *job);

void     haul_job_set_info_filename  (HaulJob    *job,
                                      const char *filename);
char    *haul_job_take_info_filename (HaulJob    *job);
void     haul_job_set_segments       (HaulJob      *job,
                                      HaulSegments *segments);
HaulSegments *haul_job_dup_segments  (HaulJob      *job);
void     haul_job_set_checkpoint     (HaulJob    *job,
                                      char       *text);
char    *haul_job_take_checkpoint    (HaulJob    *job);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulJob, haul_job_unref)

G_END_DECLS
