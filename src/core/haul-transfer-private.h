/* haul-transfer-private.h — what the single-stream and segmented transfers share
 *
 * haul-transfer.c runs an attempt (one stream); haul-segmented.c runs the
 * connections of a segmented one. Both ask the server the same way, turn
 * its errors into the same messages and share the rate limits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "haul-job.h"
#include "haul-part-file.h"
#include "haul-watchdog.h"

G_BEGIN_DECLS

SoupMessage *_haul_transfer_new_request       (GUri          *uri,
                                               gint64         first,
                                               gint64         last,
                                               gboolean       ranged,
                                               const char    *etag,
                                               const char    *last_modified);
void         _haul_transfer_set_network_error (GError       **error,
                                               GError        *cause,
                                               const char    *host,
                                               gboolean       in_headers);
void         _haul_transfer_set_http_error    (GError       **error,
                                               SoupMessage   *msg,
                                               gint64        *retry_after_s);
gboolean     _haul_transfer_check_cancelled   (HaulJob       *job,
                                               GCancellable  *cancellable,
                                               HaulWatchdog  *watchdog,
                                               GError       **error);
gssize       _haul_transfer_read              (GInputStream  *stream,
                                               char          *buf,
                                               gsize          count,
                                               GCancellable  *cancellable,
                                               GError       **error);
gboolean     _haul_transfer_sleep             (GCancellable  *cancellable,
                                               gint64         us);
gsize        _haul_transfer_read_size         (HaulJob       *job);
gboolean     _haul_transfer_throttle          (HaulJob       *job,
                                               GCancellable  *cancellable,
                                               HaulWatchdog  *watchdog,
                                               gint64         bytes,
                                               GError       **error);

/* haul-segmented.c */

typedef enum
{
  HAUL_SEGMENTED_DONE,        /* every byte is written */
  HAUL_SEGMENTED_FAILED,      /* @error says why */
  HAUL_SEGMENTED_RESTART,     /* the file changed: start over from zero */
  HAUL_SEGMENTED_ONE_STREAM,  /* the server does not keep to ranges: one stream from zero */
} HaulSegmentedResult;

typedef struct
{
  HaulJob      *job;
  HaulPartFile *part;          /* open */
  HaulSegments *table;
  GUri         *uri;           /* where the probe's answer came from */
  const char   *etag;          /* the probe's validators */
  const char   *last_modified;
  gint64        total;
  GCancellable *attempt;       /* cancelled by the user's pause or cancel */
  HaulWatchdog *watchdog;      /* the attempt's */
  SoupSession  *session;       /* the attempt's thread's */
  SoupMessage  *probe_msg;     /* the probe's exchange: the first segment */
  GInputStream *probe_stream;
} HaulSegmentedSpec;

HaulSegmentedResult _haul_segmented_receive   (HaulSegmentedSpec *spec,
                                               GError           **error);

G_END_DECLS
