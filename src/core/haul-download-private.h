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

struct _HaulDownload
{
  GObject            parent_instance;

  guint64            id;
  char              *uri;
  char              *final_uri;
  char              *directory;
  char              *filename;
  HaulDownloadState  state;
  gint64             received;
  gint64             total;
  gdouble            speed;
  gint64             eta;
  char              *error;
  char              *checksum;
  GChecksumType      checksum_type;
  char              *checksum_hex;
  gint64             rate_limit;
  HaulRateLimiter   *limiter;         /* this download's own limit (0: none), shared with its jobs */
  guint              retries;
  gint64             created;
  gint64             started;
  gint64             finished;

  /* Resume validators from the last attempt. */
  char              *etag;
  char              *last_modified;
  char              *content_type;

  /* Carried from and to the store (the queue's own bookkeeping about a
   * download is in its HaulQueueItem, haul-queue-private.h). */
  gint64             restored_part_size;  /* from the store: what the .part must hold, or -1 */
  gboolean           resume_on_start;     /* stopped by quitting: queued again next time */
};

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
void _haul_download_set_final_uri  (HaulDownload      *self,
                                    const char        *final_uri);
void _haul_download_set_error      (HaulDownload      *self,
                                    const char        *error);
void _haul_download_set_retries    (HaulDownload      *self,
                                    guint              retries);
void _haul_download_set_rate_limit (HaulDownload      *self,
                                    gint64             rate_limit);
void _haul_download_set_validators (HaulDownload      *self,
                                    const char        *etag,
                                    const char        *last_modified,
                                    const char        *content_type);

HaulStoreRecord *_haul_download_to_record        (HaulDownload          *self,
                                                 gint64                 position);
HaulDownload    *_haul_download_new_from_record (const HaulStoreRecord *record);

G_END_DECLS
