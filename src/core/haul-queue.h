/* haul-queue.h — the list of downloads and the scheduler that runs them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "haul-clock.h"
#include "haul-download.h"
#include "haul-schedule.h"
#include "haul-store.h"

G_BEGIN_DECLS

#define HAUL_TYPE_QUEUE (haul_queue_get_type ())

#define HAUL_QUEUE_DEFAULT_MAX_ACTIVE 4

G_DECLARE_FINAL_TYPE (HaulQueue, haul_queue, HAUL, QUEUE, GObject)

/**
 * HaulQueueProgress:
 * @n_coming: downloads still to come: running, waiting to retry, queued
 *   (not paused, failed or cancelled ones)
 * @n_unknown: of them, those whose size is not known yet
 * @received: bytes received of those with a known size
 * @total: the sizes of those with a known size
 * @batch_done: the sizes of the downloads completed since the queue last had
 *   nothing to come (for a bar that does not go back when one completes)
 * @eta: seconds until those with a known size are all done; -1 when unknown
 *
 * What haul_queue_get_progress_full() reports.
 */
typedef struct
{
  guint  n_coming;
  guint  n_unknown;
  gint64 received;
  gint64 total;
  gint64 batch_done;
  gint64 eta;
} HaulQueueProgress;

/**
 * HaulQueueUndo:
 *
 * What bulk removals or cancellations did, so that they can be taken back:
 * the downloads, their places and their states. While it is neither undone
 * nor committed, their partial files are kept (haul-queue-undo.c).
 */
typedef struct _HaulQueueUndo HaulQueueUndo;

#define HAUL_TYPE_QUEUE_UNDO (haul_queue_undo_get_type ())

GType          haul_queue_undo_get_type        (void) G_GNUC_CONST;
HaulQueueUndo *haul_queue_undo_new             (void);
HaulQueueUndo *haul_queue_undo_ref             (HaulQueueUndo *undo);
void           haul_queue_undo_unref           (HaulQueueUndo *undo);
guint          haul_queue_undo_get_n_items     (HaulQueueUndo *undo);
void           haul_queue_release_later        (GPtrArray     *objects);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulQueueUndo, haul_queue_undo_unref)

HaulQueue    *haul_queue_new                   (void);

HaulDownload *haul_queue_add                   (HaulQueue     *self,
                                                const char    *uri,
                                                const char    *directory,
                                                GError       **error);
void          haul_queue_add_download          (HaulQueue     *self,
                                                HaulDownload  *download);
HaulDownload *haul_queue_add_with_checksum     (HaulQueue     *self,
                                                const char    *uri,
                                                const char    *directory,
                                                const char    *checksum,
                                                GError       **error);
guint         haul_queue_add_uris              (HaulQueue     *self,
                                                const GPtrArray *uris,
                                                const char    *directory,
                                                guint         *n_duplicates);
HaulDownload *haul_queue_add_full             (HaulQueue     *self,
                                                const char    *uri,
                                                const char    *directory,
                                                const char    *checksum,
                                                HaulRequestContext *context,
                                                GError       **error);
HaulDownload *haul_queue_add_with_context      (HaulQueue     *self,
                                                const char    *uri,
                                                const char    *directory,
                                                HaulRequestContext *context,
                                                GError       **error);
guint         haul_queue_add_uris_with_context (HaulQueue     *self,
                                                const GPtrArray *uris,
                                                const char    *directory,
                                                HaulRequestContext *context,
                                                guint         *n_duplicates);
HaulDownload *haul_queue_find_by_uri           (HaulQueue     *self,
                                                const char    *uri);
HaulDownload *haul_queue_get_download          (HaulQueue     *self,
                                                guint          position);
gboolean      haul_queue_get_position          (HaulQueue     *self,
                                                HaulDownload  *download,
                                                guint         *position);

void          haul_queue_start                 (HaulQueue     *self,
                                                HaulDownload  *download);
void          haul_queue_pause                 (HaulQueue     *self,
                                                HaulDownload  *download);
void          haul_queue_resume                (HaulQueue     *self,
                                                HaulDownload  *download);
void          haul_queue_cancel                (HaulQueue     *self,
                                                HaulDownload  *download);
void          haul_queue_retry                 (HaulQueue     *self,
                                                HaulDownload  *download);
void          haul_queue_remove                (HaulQueue     *self,
                                                HaulDownload  *download);

/* haul-queue-relink.c: a new link for a paused or failed download */
void          haul_queue_change_link_async     (HaulQueue           *self,
                                                HaulDownload        *download,
                                                const char          *uri,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean      haul_queue_change_link_finish    (HaulQueue           *self,
                                                GAsyncResult        *result,
                                                GError             **error);
void          haul_queue_change_link_restart   (HaulQueue           *self,
                                                HaulDownload        *download,
                                                const char          *uri);
gboolean      haul_queue_can_change_link       (HaulQueue           *self,
                                                HaulDownload        *download);
HaulDownload *haul_queue_find_continuable      (HaulQueue           *self,
                                                const char          *filename,
                                                gint64               size);
gboolean      haul_queue_move                  (HaulQueue     *self,
                                                HaulDownload  *download,
                                                guint          position);
gboolean      haul_queue_move_up               (HaulQueue     *self,
                                                HaulDownload  *download);
gboolean      haul_queue_move_down             (HaulQueue     *self,
                                                HaulDownload  *download);
void          haul_queue_pause_all             (HaulQueue     *self);
void          haul_queue_resume_all            (HaulQueue     *self);

void          haul_queue_remove_many           (HaulQueue     *self,
                                                GPtrArray     *downloads,
                                                HaulQueueUndo *undo);
void          haul_queue_cancel_many           (HaulQueue     *self,
                                                GPtrArray     *downloads,
                                                HaulQueueUndo *undo);
void          haul_queue_pause_many            (HaulQueue     *self,
                                                GPtrArray     *downloads);
void          haul_queue_resume_many           (HaulQueue     *self,
                                                GPtrArray     *downloads);
void          haul_queue_retry_many            (HaulQueue     *self,
                                                GPtrArray     *downloads);
gboolean      haul_queue_undo_step             (HaulQueue     *self,
                                                HaulQueueUndo *undo,
                                                guint          max_items);
void          haul_queue_undo_commit           (HaulQueue     *self,
                                                HaulQueueUndo *undo);

/* haul-queue-policy.c: what holds queued downloads back (network, metered
 * connections, the schedule, a start time) and power saving */
HaulQueueHold    haul_queue_get_hold            (HaulQueue     *self);
void             haul_queue_set_offline         (HaulQueue     *self,
                                                 gboolean       offline);
void             haul_queue_set_metered_hold    (HaulQueue     *self,
                                                 gboolean       hold);
void             haul_queue_set_power_saver     (HaulQueue     *self,
                                                 gboolean       power_saver);
gboolean         haul_queue_get_power_saver     (HaulQueue     *self);
void             haul_queue_network_changed     (HaulQueue     *self);
void             haul_queue_download_anyway     (HaulQueue     *self,
                                                 HaulDownload  *download);
gboolean         haul_queue_get_metered_allowed (HaulQueue     *self);
HaulDownloadWait haul_queue_get_wait_reason     (HaulQueue     *self,
                                                 HaulDownload  *download);
GDateTime       *haul_queue_dup_wait_until      (HaulQueue     *self,
                                                 HaulDownload  *download);

/* haul-queue-schedule.c: the schedule's hours and "Start at…" */
HaulClock       *haul_queue_get_clock           (HaulQueue     *self);
void             haul_queue_set_clock           (HaulQueue     *self,
                                                 HaulClock     *clock);
const HaulSchedule *haul_queue_get_schedule     (HaulQueue     *self);
void             haul_queue_set_schedule        (HaulQueue     *self,
                                                 const HaulSchedule *schedule);
void             haul_queue_set_start_time      (HaulQueue     *self,
                                                 HaulDownload  *download,
                                                 GDateTime     *time);

guint         haul_queue_get_max_active        (HaulQueue     *self);
void          haul_queue_set_max_active        (HaulQueue     *self,
                                                guint          max_active);
guint         haul_queue_get_max_connections   (HaulQueue     *self);
void          haul_queue_set_max_connections   (HaulQueue     *self,
                                                guint          max_connections);
guint         haul_queue_get_max_connections_per_server (HaulQueue *self);
void          haul_queue_set_max_connections_per_server (HaulQueue *self,
                                                         guint      max_per_server);
gint64        haul_queue_get_rate_limit        (HaulQueue     *self);
void          haul_queue_set_rate_limit        (HaulQueue     *self,
                                                gint64         bytes_per_second);
void          haul_queue_set_download_rate_limit (HaulQueue   *self,
                                                HaulDownload  *download,
                                                gint64         bytes_per_second);
void          haul_queue_set_store             (HaulQueue     *self,
                                                HaulStore     *store);
guint         haul_queue_restore               (HaulQueue     *self,
                                                const GPtrArray *records,
                                                gboolean       resume);
guint         haul_queue_clear_finished        (HaulQueue     *self);
void          haul_queue_stop_for_exit         (HaulQueue     *self);
void          haul_queue_save_now              (HaulQueue     *self);
guint         haul_queue_get_n_active          (HaulQueue     *self);
guint         haul_queue_get_n_waiting         (HaulQueue     *self);
gdouble       haul_queue_get_speed             (HaulQueue     *self);
void          haul_queue_get_progress          (HaulQueue     *self,
                                                gint64        *received,
                                                gint64        *total,
                                                gint64        *eta);
void          haul_queue_get_progress_full     (HaulQueue     *self,
                                                HaulQueueProgress *progress);
guint         haul_queue_get_n_in_state        (HaulQueue     *self,
                                                HaulDownloadState state);
gboolean      haul_queue_is_idle               (HaulQueue     *self);
guint64       haul_queue_get_n_publications    (HaulQueue     *self);

/* haul-queue-auth.c */
void          haul_queue_set_credentials       (HaulQueue     *self,
                                                HaulDownload  *download,
                                                const char    *user,
                                                const char    *password,
                                                gboolean       for_proxy);
void          haul_queue_set_proxy_resolver    (HaulQueue     *self,
                                                GProxyResolver *resolver);
void          haul_queue_set_proxy_credentials (HaulQueue     *self,
                                                const char    *user,
                                                const char    *password);

G_END_DECLS
