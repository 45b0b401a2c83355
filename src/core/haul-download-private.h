/* haul-download-private.h — what only the queue may change
 *
 * Every function here is main-thread only, like the object itself.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "haul-download.h"
#include "haul-job.h"
#include "haul-rate-limiter.h"
#include "haul-store.h"

G_BEGIN_DECLS

/* For code generated from HAUL_STORE_COLUMNS (haul-store.h): expands its
 * arguments only for the columns a download holds. */
#define HAUL_DOWNLOAD_ONLY_DOWNLOAD(...) __VA_ARGS__
#define HAUL_DOWNLOAD_ONLY_QUEUE(...)

#define HAUL_DOWNLOAD_STORED_FIELD(name, kind, type, owner, dflt, min, max) \
  HAUL_DOWNLOAD_ONLY_##owner (type name;)

struct _HaulDownload
{
  GObject            parent_instance;

  /* What the store keeps: a field for each column of HAUL_STORE_COLUMNS
   * whose owner is DOWNLOAD, with its name and type (among them etag,
   * last_modified and content_type: the resume validators of the last
   * attempt). */
  HAUL_STORE_COLUMNS (HAUL_DOWNLOAD_STORED_FIELD)

  /* Derived from them, or only while Haul runs. */
  gdouble            speed;
  gint64             eta;
  GChecksumType      checksum_type;   /* parsed from checksum */
  char              *checksum_hex;    /* ditto */
  HaulRateLimiter   *limiter;         /* this download's own limit (0: none), shared with its jobs */
  HaulRequestContext *context;        /* frozen; request_context is its text; shared with its jobs */

  /* Carried from and to the store (the queue's own bookkeeping about a
   * download is in its HaulQueueItem, haul-queue-private.h). */
  gint64             restored_part_size;  /* from the store: what the .part must hold, or -1 */
  gboolean           resume_on_start;     /* stopped by quitting: queued again next time */

  guint              connections;         /* open now */
  HaulSegments      *live_segments;       /* the running attempt's table */
  HaulSegments      *saved_segments;      /* made from @segments on demand */

  gint64             retry_at;            /* monotonic µs of the next attempt while a retry waits, else 0 */
  char              *retry_reason;        /* why the attempt before the retry failed */

  /* Sign-in (haul-download-auth.c), only in memory: the passwords are
   * secrets, never stored, logged or shown. The user name is auth_user,
   * a stored column. auth_needed changes only with the state (it is
   * cleared when the download leaves PAUSED), so the state's notification
   * carries it. */
  char              *auth_password;
  char              *proxy_user;
  char              *proxy_password;
  HaulDownloadAuth   auth_needed;
  gboolean           auth_refused;
  char              *auth_realm;
  char              *auth_host;

  /* "Download Anyway" for this download (haul-queue-policy.c): the holds
   * it ignores (METERED, SCHEDULE), only in memory, cleared when it
   * stops. */
  HaulQueueHold      hold_override;
};

void _haul_download_set_connections    (HaulDownload      *self,
                                        guint              connections);
void _haul_download_set_live_segments  (HaulDownload      *self,
                                        HaulSegments      *segments);
void _haul_download_set_segments_text  (HaulDownload      *self,
                                        const char        *text);

void _haul_download_set_state      (HaulDownload      *self,
                                    HaulDownloadState  state);
void _haul_download_set_progress   (HaulDownload      *self,
                                    gint64             received,
                                    gint64             total);
void _haul_download_set_speed      (HaulDownload      *self,
                                    gdouble            speed,
                                    gint64             eta);
void _haul_download_set_filename   (HaulDownload      *self,
                                    const char        *filename);
void _haul_download_set_uri        (HaulDownload      *self,
                                    const char        *uri);
void _haul_download_set_final_uri  (HaulDownload      *self,
                                    const char        *final_uri);
void _haul_download_set_error      (HaulDownload      *self,
                                    const char        *error);
void _haul_download_set_retries    (HaulDownload      *self,
                                    guint              retries);
void _haul_download_set_retry      (HaulDownload      *self,
                                    const char        *reason,
                                    gint64             at_us);
void _haul_download_set_rate_limit (HaulDownload      *self,
                                    gint64             rate_limit);
void _haul_download_set_validators (HaulDownload      *self,
                                    const char        *etag,
                                    const char        *last_modified,
                                    const char        *content_type);

/* haul-download-auth.c */
void _haul_download_set_auth_needed (HaulDownload      *self,
                                     HaulDownloadAuth   needed,
                                     gboolean           refused,
                                     const char        *realm,
                                     const char        *host);
void _haul_download_auth_to_job     (HaulDownload      *self,
                                     HaulJob           *job);
void _haul_download_auth_clear      (HaulDownload      *self);

HaulStoreRecord *_haul_download_to_record        (HaulDownload          *self,
                                                 gint64                 position);
HaulDownload    *_haul_download_new_from_record (const HaulStoreRecord *record);

G_END_DECLS
