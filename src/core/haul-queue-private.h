/* haul-queue-private.h — what the queue's files share
 *
 * HaulQueue is split by concern, all on the main thread:
 *  - haul-queue.c: the GObject, the list (a GListModel) and its edits;
 *  - haul-queue-control.c: start, pause, resume, cancel, retry;
 *  - haul-queue-scheduler.c: which download starts next, its attempt,
 *    the attempt's progress publications and its outcome;
 *  - haul-queue-persist.c: saving to the store and restoring from it;
 *  - haul-queue-totals.c: counts and sums over the list, kept as it changes.
 *  - haul-queue-undo.c: taking bulk removals and cancellations back, or
 *    making them final (their partial files deleted).
 *  - haul-queue-relink.c: a new link for a paused or failed download.
 *  - haul-queue-schedule.c: the schedule's hours and "Start at…".
 *
 * The queue keeps its bookkeeping about a download (the running attempt,
 * the retry timer, a stop that is pending, speed samples) in a
 * HaulQueueItem it owns, not in the HaulDownload: the list holds one item
 * per download, in queue order, and knows each item's position, so finding
 * the item of a download (by its link) or its position costs O(1).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "haul-download-private.h"
#include "haul-job.h"
#include "haul-progress.h"
#include "haul-queue.h"
#include "haul-rate-limiter.h"
#include "haul-worker-pool.h"

G_BEGIN_DECLS

typedef enum
{
  HAUL_PENDING_NONE = 0,
  HAUL_PENDING_PAUSE,
  HAUL_PENDING_CANCEL,
  HAUL_PENDING_REMOVE,
  HAUL_PENDING_REQUEUE, /* resumed or retried while its attempt was stopping */
  HAUL_PENDING_YIELD,   /* over a lowered max-active: back to the queue, .part kept */
  HAUL_PENDING_DETACH,  /* removed keeping its .part: an Undo may put it back */
  HAUL_PENDING_CANCEL_KEEP, /* cancelled keeping its .part until the Undo is gone */
} HaulPendingOp;


/* One download in one queue. Reference-counted (g_rc_box): the list holds
 * one reference while the download is listed, the running array and the
 * attempt's task one each while it runs, the retry timer one while it
 * waits. A removed download keeps its item until its attempt returns. */
typedef struct
{
  HaulDownload  *download;    /* owned */
  HaulQueue     *queue;       /* borrowed: outlives every attempt and timer */
  guint          position;    /* index in the queue's list, while listed */
  gboolean       listed;      /* FALSE once removed */

  HaulJob       *job;         /* the running attempt, if any */
  guint          retry_source; /* backoff timer, if waiting to retry */
  HaulPendingOp  pending;
  gulong         notify_handler; /* on the download, while listed */
  gint64         attempt_start_received;
  gint64         speed_sample_us;
  gint64         speed_sample_bytes;

  /* What the item adds to the queue's totals (haul-queue-totals.c), as of
   * its download's last notification; total -1: size unknown. */
  HaulDownloadState counted_state;
  gint64         counted_total;
  gint64         counted_received;
} HaulQueueItem;

/* Sums over the listed downloads, kept as they change (haul-queue-totals.c). */
typedef struct
{
  guint   n_in_state[HAUL_DOWNLOAD_STATE_CANCELLED + 1]; /* listed downloads per state */
  guint   n_coming;     /* running, waiting to retry or queued */
  guint   n_unknown;    /* of them, with an unknown size */
  gint64  total;        /* sizes of the others */
  gint64  received;     /* their received bytes, as counted */
  gint64  batch_done;   /* sizes completed since nothing was coming */
} HaulQueueTotals;

struct _HaulQueue
{
  GObject             parent_instance;

  GPtrArray          *items;      /* HaulQueueItem, in queue order (owned refs) */
  GHashTable         *by_uri;     /* uri → HaulQueueItem (borrowed), listed ones */
  GPtrArray          *running;    /* HaulQueueItem with a job (owned refs) */

  /* The scheduler's cursor: no item before it waits to start. It only
   * moves forward while downloads complete; a download that starts waiting
   * before it (resumed, retried, moved up) moves it back. */
  guint               cursor;
  guint64             n_examined; /* items the scheduler looked at (tests) */

  HaulWorkerPool     *pool;
  HaulProgressBridge *bridge;
  HaulRateLimiter    *limiter;
  HaulNameClaims     *claims;
  GRand              *rand;

  guint               max_active;
  guint               max_connections;  /* per download */
  guint               max_per_server;
  guint               n_active;   /* running attempts + downloads waiting to retry */
  gdouble             speed;
  guint               tick_source;
  HaulQueueTotals     totals;

  HaulStore          *store;      /* nullable: where every change is saved */
  GHashTable         *dirty;      /* HaulQueueItem → itself: to save (listed ones) */
  guint               positions_from; /* saved items from here on moved: G_MAXUINT if none */
  guint               save_source;

  GPtrArray          *undos;      /* HaulQueueUndo neither undone nor committed (owned refs) */
  gboolean            exiting;    /* partial files are deleted before returning */

  guint               connect_timeout;
  guint               stall_timeout;
  guint               max_retries;
  guint               retry_base_ms;

  GProxyResolver     *proxy_resolver; /* nullable (haul-queue-auth.c) */
  char               *proxy_user;     /* nullable: for downloads without their own */
  char               *proxy_password; /* nullable, wiped */

  /* haul-queue-policy.c and haul-queue-schedule.c */
  HaulQueueHold       hold;            /* what keeps queued downloads from starting */
  gboolean            metered_allowed; /* "Download Anyway" for all, until metered ends */
  gboolean            power_saver;     /* fewer downloads and connections at once */
  HaulClock          *clock;           /* owned; the wall clock unless a test set one */
  HaulSchedule       *schedule;        /* nullable: no hours */
  guint               n_overrides;     /* listed downloads with a hold_override ("Download Anyway") */
  /* haul-queue-schedule.c: its timers */
  gulong              clock_handler;   /* HaulClock::changed on clock */
  guint               schedule_source; /* re-reads the hours, at most 60 s ahead */
  guint               start_source;    /* for start_next_us, at most 60 s ahead */
  gint64              start_next_us;   /* the earliest start time ahead that the timer waits for, 0: none */
};

/* haul-queue-scheduler.c: items */
HaulQueueItem *_haul_queue_item_new    (HaulQueue     *queue,
                                        HaulDownload  *download);
HaulQueueItem *_haul_queue_item_ref    (HaulQueueItem *item);
void           _haul_queue_item_unref  (HaulQueueItem *item);
HaulQueueItem *_haul_queue_lookup      (HaulQueue     *self,
                                        HaulDownload  *download);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulQueueItem, _haul_queue_item_unref)

/* haul-queue-scheduler.c: starting, stopping and publishing attempts */
void     _haul_queue_schedule        (HaulQueue     *self);
HaulJob *_haul_queue_job_new         (HaulQueue     *self,
                                      HaulDownload  *download);
void     _haul_queue_note_waiting    (HaulQueue     *self,
                                      HaulQueueItem *item);
gboolean _haul_queue_stop_active     (HaulQueue     *self,
                                      HaulQueueItem *item,
                                      HaulPendingOp  op);
gboolean _haul_queue_requeue_stopping (HaulQueueItem *item);
void     _haul_queue_yield_extra     (HaulQueue     *self);
void     _haul_queue_yield_retry_wait (HaulQueue    *self,
                                       HaulQueueItem *item);
void     _haul_queue_publish         (gpointer       user_data);
void     _haul_queue_update_tick     (HaulQueue     *self);

/* haul-queue.c: the list, and what the scheduler reports back */
HaulQueueItem *_haul_queue_append    (HaulQueue     *self,
                                      HaulDownload  *d);
void     _haul_queue_items_changed   (HaulQueue     *self,
                                      guint          position,
                                      guint          removed,
                                      guint          added);
void     _haul_queue_set_n_active    (HaulQueue     *self,
                                      guint          n_active);
void     _haul_queue_update_speed    (HaulQueue     *self);
void     _haul_queue_forget_part     (HaulQueue     *self,
                                      HaulDownload  *d);
void     _haul_queue_finish_inactive (HaulQueue         *self,
                                      HaulDownload      *d,
                                      HaulDownloadState  state);
void     _haul_queue_maybe_emit_idle (HaulQueue     *self);

/* haul-queue-totals.c: the sums, told of every listed item's changes */
void     _haul_queue_totals_add      (HaulQueue     *self,
                                      HaulQueueItem *item);
void     _haul_queue_totals_remove   (HaulQueue     *self,
                                      HaulQueueItem *item);
void     _haul_queue_totals_update   (HaulQueue     *self,
                                      HaulQueueItem *item);
/* haul-queue.c: bulk edits of the list */
void     _haul_queue_insert_items    (HaulQueue     *self,
                                      GPtrArray     *items,
                                      const guint   *positions);

/* haul-queue-undo.c */
void     _haul_queue_undo_add        (HaulQueueUndo     *undo,
                                      HaulDownload      *download,
                                      gboolean           removed,
                                      guint              position,
                                      HaulDownloadState  state);
void     _haul_queue_undo_end_slice  (HaulQueue     *self,
                                      HaulQueueUndo *undo);
void     _haul_queue_commit_all      (HaulQueue     *self);

/* haul-queue-auth.c: signing in */
void     _haul_queue_auth_to_job            (HaulQueue     *self,
                                             HaulDownload  *d,
                                             HaulJob       *job);
gboolean _haul_queue_attempt_needs_password (HaulQueue     *self,
                                             HaulQueueItem *item,
                                             HaulJob       *job,
                                             const GError  *error);

/* haul-queue-policy.c: holds */
gboolean _haul_queue_item_may_start   (HaulQueue     *self,
                                       HaulQueueItem *item);
void     _haul_queue_set_hold_flag    (HaulQueue     *self,
                                       HaulQueueHold  flag,
                                       gboolean       on);
gboolean _haul_queue_all_held        (HaulQueue     *self);
/* Moves the scheduler's cursor to the first item and schedules: call when
 * something that held downloads back ended (a start time came). */
void     _haul_queue_rescan           (HaulQueue     *self);
guint    _haul_queue_effective_max_active      (HaulQueue *self);
guint    _haul_queue_effective_max_connections (HaulQueue *self);
void     _haul_queue_drop_override    (HaulQueue     *self,
                                       HaulQueueItem *item);
void     _haul_queue_forget_override  (HaulQueue     *self,
                                       HaulQueueItem *item);
void     _haul_queue_give_override    (HaulQueue     *self,
                                       HaulQueueItem *item,
                                       HaulQueueHold  bits);
gboolean _haul_queue_attempt_held_back (HaulQueue    *self,
                                       HaulQueueItem *item,
                                       HaulJob       *job,
                                       const GError  *error);
/* haul-queue.c: notifies "hold" (TRUE) or "power-saver" (FALSE) */
void     _haul_queue_notify_policy    (HaulQueue     *self,
                                       gboolean       hold);

/* haul-queue-schedule.c: the hours and "Start at…" */
void       _haul_queue_start_time_restored  (HaulQueue     *self,
                                             HaulQueueItem *item);
void       _haul_queue_schedule_dispose     (HaulQueue     *self);

/* haul-queue-persist.c: saving */
void     _haul_queue_mark_dirty       (HaulQueue     *self,
                                       HaulQueueItem *item);
void     _haul_queue_mark_range_dirty (HaulQueue     *self,
                                       guint          from,
                                       guint          to);
void     _haul_queue_flush_dirty      (HaulQueue     *self);
void     _haul_queue_positions_moved  (HaulQueue     *self,
                                       guint          from);

/* Tests: how many items the scheduler has looked at so far. */
guint64  _haul_queue_get_n_examined  (HaulQueue     *self);

G_END_DECLS
