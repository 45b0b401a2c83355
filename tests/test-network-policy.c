/* test-network-policy.c — the queue steered by GIO's network and power monitors
 *
 * GIO's default GNetworkMonitor and GPowerProfileMonitor are the test's
 * (haul-test-monitors.c, installed through GIO's extension points), and a
 * HaulNetworkPolicy made with the defaults follows them. Real downloads
 * from the test server, throttled so they are midway when the network
 * goes away, turns metered, or the power saver comes on: nothing fails,
 * no retry is used, every file is byte-identical, and a download sent back
 * to the queue continues from its offset (the Range the server saw).
 * Also the wait reasons, a queue of 10 000 downloads where flipping a
 * hold looks at no item, and `haul --headless` in a network namespace
 * without a default route (GIO's own netlink monitor: offline) until the
 * test adds one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-network-policy"

#include "config.h"

#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "haul-network-policy.h"
#include "haul-queue-private.h"
#include "haul-test-monitors.h"
#include "haul-test-queue.h"
#include "haul-test-server.h"

#define SIZE (1 * MIB)
#define RATE (256 * KIB)

typedef struct
{
  HaulTestServer         *server;
  HaulQueue              *queue;
  HaulNetworkPolicy      *policy;
  HaulTestNetworkMonitor *network;
  HaulTestPowerMonitor   *power;
  char                   *dir;
  GPtrArray              *contents; /* GBytes, by file index */
} Fixture;

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  fx->network = haul_test_network_monitor_get_default ();
  fx->power = haul_test_power_monitor_get_default ();
  haul_test_network_monitor_set_available (fx->network, TRUE);
  haul_test_network_monitor_set_metered (fx->network, FALSE);
  haul_test_power_monitor_set_power_saver (fx->power, FALSE);

  fx->server = haul_test_server_new ();
  fx->dir = haul_test_make_tmp_dir ();
  fx->queue = haul_queue_new ();
  haul_queue_set_max_connections (fx->queue, 1);
  fx->policy = haul_network_policy_new (fx->queue, NULL, NULL);
  fx->contents = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  haul_test_stop_queue (fx->queue);
  g_clear_object (&fx->policy);
  haul_test_release_queue (&fx->queue);
  haul_test_server_free (fx->server);
  haul_test_rm_rf (fx->dir);
  g_free (fx->dir);
  g_ptr_array_unref (fx->contents);
}

/* Serves /fI (@size bytes, content kept for the checks) and adds it. */
static HaulDownload *
add_file (Fixture                   *fx,
          gsize                      size,
          const HaulTestFileOptions *options)
{
  g_autofree char *path = g_strdup_printf ("/f%u", fx->contents->len);
  GBytes *content = haul_test_content (size, fx->contents->len + 1);

  haul_test_server_add_file (fx->server, path, content, options);
  g_ptr_array_add (fx->contents, content);
  return haul_test_add (fx->queue, fx->server, fx->dir, path);
}

typedef struct
{
  HaulDownload *download;
  gint64        at_least;
} Received;

static gboolean
has_received (gpointer data)
{
  Received *r = data;

  return haul_download_get_received (r->download) >= r->at_least;
}

static void
wait_received (HaulDownload *d,
               gint64        at_least)
{
  Received r = { d, at_least };

  if (!haul_test_wait_until (has_received, &r, HAUL_TEST_WAIT_MS))
    g_error ("%s: %" G_GINT64_FORMAT " bytes, not %" G_GINT64_FORMAT ", state %d, error %s",
             haul_download_get_uri (d), haul_download_get_received (d), at_least,
             haul_download_get_state (d), haul_download_get_error (d));
}

static gboolean
is_queued (gpointer download)
{
  return haul_download_get_state (download) == HAUL_DOWNLOAD_STATE_QUEUED;
}

static gboolean
is_downloading (gpointer download)
{
  return haul_download_get_state (download) == HAUL_DOWNLOAD_STATE_DOWNLOADING;
}

/* Completed, byte-identical, no retry used, no error. */
static void
assert_all_done (Fixture   *fx,
                 GPtrArray *downloads)
{
  for (guint i = 0; i < downloads->len; i++)
    {
      HaulDownload *d = g_ptr_array_index (downloads, i);

      haul_test_wait_finished (d);
      haul_test_assert_completed_with (d, g_ptr_array_index (fx->contents, i));
      g_assert_cmpuint (haul_download_get_retries (d), ==, 0);
    }
}

/* The Range of the last request for /fI starts at @offset (> 0). */
static void
assert_resumed_from (Fixture *fx,
                     guint    index,
                     gint64   offset)
{
  g_autofree char *path = g_strdup_printf ("/f%u", index);
  g_auto(GStrv) ranges = haul_test_server_get_ranges (fx->server, path);
  g_autofree char *expected = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", offset);
  guint n = ranges != NULL ? g_strv_length (ranges) : 0;

  g_assert_cmpint (offset, >, 0);
  g_assert_cmpuint (n, >, 0);
  g_assert_true (g_str_has_prefix (ranges[n - 1], expected));
}

/* ------------------------------------------------------------------ */

/* GIO's defaults are the test's, and the policy follows them. */
static void
test_monitors (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GPowerProfileMonitor) power = g_power_profile_monitor_dup_default ();

  g_assert_true ((gpointer) g_network_monitor_get_default () == (gpointer) fx->network);
  g_assert_true ((gpointer) power == (gpointer) fx->power);
  g_assert_cmpint (haul_queue_get_hold (fx->queue), ==, HAUL_QUEUE_HOLD_NONE);
  g_assert_true (haul_network_policy_get_pause_on_metered (fx->policy));
  g_assert_true (haul_network_policy_get_save_power (fx->policy));

  haul_test_network_monitor_set_available (fx->network, FALSE);
  g_assert_true (haul_network_policy_get_offline (fx->policy));
  g_assert_cmpint (haul_queue_get_hold (fx->queue), ==, HAUL_QUEUE_HOLD_OFFLINE);
  haul_test_network_monitor_set_available (fx->network, TRUE);
  g_assert_false (haul_network_policy_get_offline (fx->policy));

  haul_test_network_monitor_set_metered (fx->network, TRUE);
  g_assert_true (haul_network_policy_get_metered (fx->policy));
  g_assert_cmpint (haul_queue_get_hold (fx->queue), ==, HAUL_QUEUE_HOLD_METERED);
  g_object_set (fx->policy, "pause-on-metered", FALSE, NULL);
  g_assert_cmpint (haul_queue_get_hold (fx->queue), ==, HAUL_QUEUE_HOLD_NONE);
  g_assert_true (haul_network_policy_get_metered (fx->policy));
  g_object_set (fx->policy, "pause-on-metered", TRUE, NULL);
  g_assert_cmpint (haul_queue_get_hold (fx->queue), ==, HAUL_QUEUE_HOLD_METERED);
  haul_test_network_monitor_set_metered (fx->network, FALSE);
  g_assert_cmpint (haul_queue_get_hold (fx->queue), ==, HAUL_QUEUE_HOLD_NONE);

  haul_test_power_monitor_set_power_saver (fx->power, TRUE);
  g_assert_true (haul_queue_get_power_saver (fx->queue));
  haul_network_policy_set_save_power (fx->policy, FALSE);
  g_assert_false (haul_queue_get_power_saver (fx->queue));
  haul_network_policy_set_save_power (fx->policy, TRUE);
  g_assert_true (haul_queue_get_power_saver (fx->queue));
  haul_test_power_monitor_set_power_saver (fx->power, FALSE);
  g_assert_false (haul_queue_get_power_saver (fx->queue));
}

/* Offline: running downloads go on while their connection works; one
 * whose connection the server resets goes back to the queue "waiting for
 * network", no retry counted, no error; a queued one does not start. Back
 * online: they continue from their offset and finish. */
static void
test_offline_online (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) downloads = g_ptr_array_new ();
  HaulDownload *moving, *reset, *waiting;
  gint64 before;

  haul_queue_set_max_active (fx->queue, 2);
  moving = add_file (fx, SIZE, &(HaulTestFileOptions) { .rate = RATE });
  reset = add_file (fx, SIZE, &(HaulTestFileOptions) {
    .rate = RATE, .reset = TRUE, .reset_after = 384 * KIB, .reset_times = 1 });
  waiting = add_file (fx, 64 * KIB, NULL);
  g_ptr_array_add (downloads, moving);
  g_ptr_array_add (downloads, reset);
  g_ptr_array_add (downloads, waiting);

  wait_received (moving, 32 * KIB);
  wait_received (reset, 32 * KIB);
  haul_test_network_monitor_set_available (fx->network, FALSE);
  g_assert_cmpint (haul_queue_get_wait_reason (fx->queue, waiting), ==, HAUL_DOWNLOAD_WAIT_NETWORK);

  /* The server resets the second at 384 KiB: back to the queue. */
  haul_test_wait_download (reset, is_queued, "queued after the reset");
  g_assert_cmpint (haul_download_get_received (reset), ==, 384 * KIB);
  g_assert_cmpint (haul_queue_get_wait_reason (fx->queue, reset), ==, HAUL_DOWNLOAD_WAIT_NETWORK);
  g_assert_cmpuint (haul_download_get_retries (reset), ==, 0);
  g_assert_null (haul_download_get_error (reset));

  /* The first goes on: its connection works. */
  before = haul_download_get_received (moving);
  wait_received (moving, before + 64 * KIB);
  g_assert_cmpint (haul_download_get_state (moving), ==, HAUL_DOWNLOAD_STATE_DOWNLOADING);
  haul_test_spin (300);
  g_assert_cmpint (haul_download_get_state (waiting), ==, HAUL_DOWNLOAD_STATE_QUEUED);
  g_assert_cmpint (haul_download_get_state (reset), ==, HAUL_DOWNLOAD_STATE_QUEUED);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/f1"), ==, 1);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/f2"), ==, 0);

  haul_test_network_monitor_set_available (fx->network, TRUE);
  assert_all_done (fx, downloads);
  assert_resumed_from (fx, 1, 384 * KIB);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/f0"), ==, 1);
}

/* Offline: a download waiting to retry becomes queued (waiting for the
 * network); back online its backoff starts again from 0. */
static void
test_offline_retry_wait (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) downloads = g_ptr_array_new ();
  HaulDownload *d;

  g_object_set (fx->queue, "retry-base-delay", 60000u, NULL);
  d = add_file (fx, 64 * KIB, &(HaulTestFileOptions) { .fail_status = 503, .fail_times = 1 });
  g_ptr_array_add (downloads, d);
  haul_test_wait_download (d, (HaulTestPredicate) haul_download_get_retries, "waiting to retry");
  g_assert_cmpint (haul_download_get_state (d), ==, HAUL_DOWNLOAD_STATE_CONNECTING);

  haul_test_network_monitor_set_available (fx->network, FALSE);
  g_assert_cmpint (haul_download_get_state (d), ==, HAUL_DOWNLOAD_STATE_QUEUED);
  g_assert_cmpint (haul_queue_get_wait_reason (fx->queue, d), ==, HAUL_DOWNLOAD_WAIT_NETWORK);
  g_assert_null (haul_download_get_error (d));
  g_assert_cmpuint (haul_queue_get_n_active (fx->queue), ==, 0);

  haul_test_network_monitor_set_available (fx->network, TRUE);
  /* Not after a minute's backoff: at once, the count reset. */
  assert_all_done (fx, downloads);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/f0"), ==, 2);
}

/* Metered, "pause" (the default): running downloads go back to the queue
 * and continue from their offset when it ends; Download Anyway for one,
 * then for all. */
static void
test_metered_pause (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) downloads = g_ptr_array_new ();
  HaulDownload *a, *b, *c;
  gint64 at;

  haul_queue_set_max_active (fx->queue, 3);
  a = add_file (fx, SIZE, &(HaulTestFileOptions) { .rate = RATE });
  b = add_file (fx, SIZE, &(HaulTestFileOptions) { .rate = RATE });
  c = add_file (fx, SIZE, &(HaulTestFileOptions) { .rate = RATE });
  g_ptr_array_add (downloads, a);
  g_ptr_array_add (downloads, b);
  g_ptr_array_add (downloads, c);
  wait_received (a, 32 * KIB);

  haul_test_network_monitor_set_metered (fx->network, TRUE);
  for (guint i = 0; i < downloads->len; i++)
    {
      HaulDownload *d = g_ptr_array_index (downloads, i);

      haul_test_wait_download (d, is_queued, "back in the queue");
      g_assert_cmpint (haul_queue_get_wait_reason (fx->queue, d), ==, HAUL_DOWNLOAD_WAIT_METERED);
      g_assert_null (haul_download_get_error (d));
    }
  at = haul_download_get_received (a);
  haul_test_spin (300);
  g_assert_cmpint (haul_download_get_received (a), ==, at);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/f0"), ==, 1);

  /* The metered connection ends: they continue. */
  haul_test_network_monitor_set_metered (fx->network, FALSE);
  haul_test_wait_download (a, is_downloading, "downloading again");
  assert_resumed_from (fx, 0, at);
  wait_received (a, at + 32 * KIB);

  /* Metered again; Download Anyway for a alone. */
  haul_test_network_monitor_set_metered (fx->network, TRUE);
  haul_test_wait_download (a, is_queued, "back in the queue");
  haul_test_wait_download (b, is_queued, "back in the queue");
  haul_test_wait_download (c, is_queued, "back in the queue");
  at = haul_download_get_received (a);
  haul_queue_download_anyway (fx->queue, a);
  g_assert_cmpint (haul_queue_get_wait_reason (fx->queue, b), ==, HAUL_DOWNLOAD_WAIT_METERED);
  haul_test_wait_download (a, is_downloading, "downloading anyway");
  assert_resumed_from (fx, 0, at);
  haul_test_spin (300);
  g_assert_cmpint (haul_download_get_state (b), ==, HAUL_DOWNLOAD_STATE_QUEUED);
  g_assert_cmpint (haul_download_get_state (c), ==, HAUL_DOWNLOAD_STATE_QUEUED);

  /* ... then for all, until the metered connection ends. */
  haul_queue_download_anyway (fx->queue, NULL);
  g_assert_cmpint (haul_queue_get_wait_reason (fx->queue, b), ==, HAUL_DOWNLOAD_WAIT_NONE);
  assert_all_done (fx, downloads);
  g_assert_cmpint (haul_queue_get_hold (fx->queue), ==, HAUL_QUEUE_HOLD_METERED);
  haul_test_network_monitor_set_metered (fx->network, FALSE);
  g_assert_false (fx->queue->metered_allowed);
}

/* Metered, "keep downloading": nothing stops. */
static void
test_metered_keep (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) downloads = g_ptr_array_new ();
  HaulDownload *a;
  gint64 at;

  haul_network_policy_set_pause_on_metered (fx->policy, FALSE);
  a = add_file (fx, SIZE / 2, &(HaulTestFileOptions) { .rate = RATE });
  g_ptr_array_add (downloads, a);
  wait_received (a, 32 * KIB);
  haul_test_network_monitor_set_metered (fx->network, TRUE);
  g_assert_cmpint (haul_queue_get_hold (fx->queue), ==, HAUL_QUEUE_HOLD_NONE);
  at = haul_download_get_received (a);
  wait_received (a, at + 32 * KIB);
  g_assert_cmpint (haul_download_get_state (a), ==, HAUL_DOWNLOAD_STATE_DOWNLOADING);
  assert_all_done (fx, downloads);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/f0"), ==, 1);
}

static guint
count_running (GPtrArray *downloads)
{
  guint n = 0;

  for (guint i = 0; i < downloads->len; i++)
    if (is_downloading (g_ptr_array_index (downloads, i)) ||
        haul_download_get_state (g_ptr_array_index (downloads, i)) == HAUL_DOWNLOAD_STATE_CONNECTING)
      n++;
  return n;
}

typedef struct
{
  GPtrArray *downloads;
  guint      n;
  guint      max_connections;
} Running;

static gboolean
running_is (gpointer data)
{
  Running *r = data;

  if (count_running (r->downloads) != r->n)
    return FALSE;
  for (guint i = 0; i < r->downloads->len; i++)
    if (haul_download_get_connections (g_ptr_array_index (r->downloads, i)) > r->max_connections)
      return FALSE;
  return TRUE;
}

/* Power saver: half the downloads at once, each with half the
 * connections; the person's settings stay as they are. */
static void
test_power_saver (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) downloads = g_ptr_array_new ();
  Running r = { downloads, 4, 4 };

  haul_queue_set_max_active (fx->queue, 4);
  haul_queue_set_max_connections (fx->queue, 4);
  for (guint i = 0; i < 5; i++)
    g_ptr_array_add (downloads, add_file (fx, 3 * MIB, &(HaulTestFileOptions) { .rate = 512 * KIB }));
  g_assert_true (haul_test_wait_until (running_is, &r, HAUL_TEST_WAIT_MS));

  haul_test_power_monitor_set_power_saver (fx->power, TRUE);
  g_assert_cmpuint (haul_queue_get_max_active (fx->queue), ==, 4);
  g_assert_cmpuint (haul_queue_get_max_connections (fx->queue), ==, 4);
  for (guint i = 0; i < fx->queue->running->len; i++)
    {
      HaulQueueItem *item = g_ptr_array_index (fx->queue->running, i);

      g_assert_cmpint (item->job->max_connections, ==, 2);
    }
  r.n = 2;
  r.max_connections = 2;
  g_assert_true (haul_test_wait_until (running_is, &r, HAUL_TEST_WAIT_MS));
  haul_test_spin (500);
  g_assert_true (running_is (&r));

  haul_test_power_monitor_set_power_saver (fx->power, FALSE);
  r.n = 4;
  r.max_connections = 4;
  g_assert_true (haul_test_wait_until (running_is, &r, HAUL_TEST_WAIT_MS));
  assert_all_done (fx, downloads);
}

/* The network changes while one connection has stalled: it is tried again
 * at once (not after the 60 s stall timeout), no retry counted; the moving
 * one is left alone. */
static void
test_network_changed (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) downloads = g_ptr_array_new ();
  HaulDownload *moving, *stalled;
  gint64 started = g_get_monotonic_time ();

  g_assert_cmpuint (fx->queue->stall_timeout, ==, 60);
  moving = add_file (fx, SIZE, &(HaulTestFileOptions) { .rate = 128 * KIB });
  stalled = add_file (fx, SIZE / 2, &(HaulTestFileOptions) {
    .stall = TRUE, .stall_after = 128 * KIB, .stall_times = 1 });
  g_ptr_array_add (downloads, moving);
  g_ptr_array_add (downloads, stalled);

  wait_received (stalled, 128 * KIB);
  /* Quiet for longer than the probe's 3 s. */
  haul_test_spin (3500);
  g_assert_cmpint (haul_download_get_received (stalled), ==, 128 * KIB);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/f1"), ==, 1);

  haul_test_network_monitor_changed (fx->network);
  assert_all_done (fx, downloads);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 30 * G_USEC_PER_SEC);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/f1"), ==, 2);
  assert_resumed_from (fx, 1, 128 * KIB);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/f0"), ==, 1);
}

/* ------------------------------------------------------------------ */
/* Wait reasons, without starting anything */

static void
test_wait_reasons (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) later = g_date_time_add_hours (now, 2);
  g_autoptr(GDateTime) until = NULL;
  HaulDownload *a, *b;

  haul_test_network_monitor_set_available (fx->network, FALSE);
  a = add_file (fx, 64 * KIB, NULL);
  b = add_file (fx, 64 * KIB, NULL);
  g_assert_cmpint (haul_queue_get_wait_reason (fx->queue, a), ==, HAUL_DOWNLOAD_WAIT_NETWORK);

  haul_queue_set_start_time (fx->queue, a, later);
  haul_test_network_monitor_set_metered (fx->network, TRUE);
  /* The network first, then metered, then the start time. */
  g_assert_cmpint (haul_queue_get_wait_reason (fx->queue, a), ==, HAUL_DOWNLOAD_WAIT_NETWORK);
  haul_test_network_monitor_set_available (fx->network, TRUE);
  g_assert_cmpint (haul_queue_get_wait_reason (fx->queue, a), ==, HAUL_DOWNLOAD_WAIT_METERED);
  g_assert_null (haul_queue_dup_wait_until (fx->queue, a));
  haul_test_network_monitor_set_metered (fx->network, FALSE);
  g_assert_cmpint (haul_queue_get_wait_reason (fx->queue, a), ==, HAUL_DOWNLOAD_WAIT_START_TIME);
  until = haul_queue_dup_wait_until (fx->queue, a);
  g_assert_nonnull (until);
  g_assert_cmpint (g_date_time_to_unix (until), ==, g_date_time_to_unix (later));

  /* The other one has started meanwhile; a never did. */
  haul_test_wait_finished (b);
  g_assert_cmpint (haul_queue_get_wait_reason (fx->queue, b), ==, HAUL_DOWNLOAD_WAIT_NONE);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/f0"), ==, 0);

  /* The schedule's hours, then Download Anyway for a: its start time goes. */
  _haul_queue_set_hold_flag (fx->queue, HAUL_QUEUE_HOLD_SCHEDULE, TRUE);
  g_assert_cmpint (haul_queue_get_wait_reason (fx->queue, a), ==, HAUL_DOWNLOAD_WAIT_START_TIME);
  haul_queue_download_anyway (fx->queue, a);
  g_assert_cmpint (haul_download_get_start_after (a), ==, 0);
  haul_test_wait_finished (a);
  haul_test_assert_completed_with (a, g_ptr_array_index (fx->contents, 0));
  /* Finished: the override is gone. */
  g_assert_cmpint (a->hold_override, ==, HAUL_QUEUE_HOLD_NONE);
  g_assert_cmpuint (fx->queue->n_overrides, ==, 0);
  _haul_queue_set_hold_flag (fx->queue, HAUL_QUEUE_HOLD_SCHEDULE, FALSE);
}

/* Download Anyway does not lift the offline hold; the override ends when
 * the download leaves the list. */
static void
test_override_removed (Fixture       *fx,
                       gconstpointer  data)
{
  HaulDownload *d;

  haul_test_network_monitor_set_available (fx->network, FALSE);
  haul_test_network_monitor_set_metered (fx->network, TRUE);
  d = add_file (fx, 64 * KIB, NULL);
  haul_queue_download_anyway (fx->queue, d);
  g_assert_cmpuint (fx->queue->n_overrides, ==, 1);
  g_assert_cmpint (haul_queue_get_wait_reason (fx->queue, d), ==, HAUL_DOWNLOAD_WAIT_NETWORK);
  g_object_ref (d);
  haul_queue_pause (fx->queue, d);
  g_assert_cmpuint (fx->queue->n_overrides, ==, 0);
  haul_queue_resume (fx->queue, d);
  g_assert_cmpint (haul_queue_get_wait_reason (fx->queue, d), ==, HAUL_DOWNLOAD_WAIT_NETWORK);
  haul_queue_download_anyway (fx->queue, d);
  g_assert_cmpuint (fx->queue->n_overrides, ==, 1);
  haul_queue_remove (fx->queue, d);
  g_assert_cmpuint (fx->queue->n_overrides, ==, 0);
  g_assert_cmpint (d->hold_override, ==, HAUL_QUEUE_HOLD_NONE);
  g_object_unref (d);
}

/* 10 000 downloads: 9 999 finished, one queued at the end. While a hold
 * covers every download, flipping holds looks at no item; when the last
 * hold ends, one pass from the first item finds it. */
static void
test_many (Fixture       *fx,
           gconstpointer  data)
{
  const guint n = 10000;
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) haul_store_record_free);
  g_autoptr(GBytes) content = haul_test_content (32 * KIB, 7);
  HaulStoreRecord *last;
  HaulDownload *d;
  guint64 before;

  haul_test_network_monitor_set_available (fx->network, FALSE);
  for (guint i = 0; i < n - 1; i++)
    {
      HaulStoreRecord *r = haul_store_record_new ();

      r->id = i + 1;
      r->uri = g_strdup_printf ("http://127.0.0.1:9/done-%u", i);
      r->directory = g_strdup (fx->dir);
      r->filename = g_strdup_printf ("done-%u", i);
      r->state = HAUL_DOWNLOAD_STATE_COMPLETED;
      r->position = i;
      r->total = r->received = 10;
      g_ptr_array_add (records, r);
    }
  haul_test_server_add_file (fx->server, "/last", content, NULL);
  last = haul_store_record_new ();
  last->id = n;
  last->uri = haul_test_server_uri (fx->server, "/last");
  last->directory = g_strdup (fx->dir);
  last->state = HAUL_DOWNLOAD_STATE_QUEUED;
  last->position = n - 1;
  last->total = -1;
  g_ptr_array_add (records, last);

  before = _haul_queue_get_n_examined (fx->queue);
  g_assert_cmpuint (haul_queue_restore (fx->queue, records, TRUE), ==, n);
  g_assert_cmpuint (_haul_queue_get_n_examined (fx->queue) - before, ==, 0);
  d = haul_queue_get_download (fx->queue, n - 1);
  g_assert_cmpint (haul_queue_get_wait_reason (fx->queue, d), ==, HAUL_DOWNLOAD_WAIT_NETWORK);

  for (guint round = 0; round < 20; round++)
    {
      haul_test_network_monitor_set_metered (fx->network, round % 2 == 0);
      _haul_queue_set_hold_flag (fx->queue, HAUL_QUEUE_HOLD_SCHEDULE, round % 3 == 0);
    }
  haul_test_network_monitor_set_metered (fx->network, TRUE);
  /* Online, but metered: still nothing to look at. */
  haul_test_network_monitor_set_available (fx->network, TRUE);
  g_assert_cmpuint (_haul_queue_get_n_examined (fx->queue) - before, ==, 0);
  g_assert_cmpint (haul_queue_get_wait_reason (fx->queue, d), ==, HAUL_DOWNLOAD_WAIT_METERED);

  /* The last hold ends: one pass. */
  _haul_queue_set_hold_flag (fx->queue, HAUL_QUEUE_HOLD_SCHEDULE, FALSE);
  haul_test_network_monitor_set_metered (fx->network, FALSE);
  g_assert_cmpuint (_haul_queue_get_n_examined (fx->queue) - before, <=, n);
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);
  g_assert_cmpuint (_haul_queue_get_n_examined (fx->queue) - before, <=, n);
}

/* ------------------------------------------------------------------ */
/* haul --headless with GIO's real monitor, in a network namespace */

static gboolean
write_proc_file (const char *path,
                 const char *text)
{
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_NONE, 0644, NULL);
}

/* A network namespace of our own (as root, or in a user namespace), with
 * only the loopback interface, up: no default route. Only in a process
 * with no thread yet. */
static gboolean
enter_network_namespace (void)
{
  struct ifreq ifr = { 0 };
  int fd;

  if (getuid () != 0 || unshare (CLONE_NEWNET) != 0)
    {
      char map[64];

      if (unshare (CLONE_NEWUSER | CLONE_NEWNET) != 0)
        return FALSE;
      write_proc_file ("/proc/self/setgroups", "deny");
      snprintf (map, sizeof map, "0 %u 1", (guint) getuid ());
      if (!write_proc_file ("/proc/self/uid_map", map))
        return FALSE;
      snprintf (map, sizeof map, "0 %u 1", (guint) getgid ());
      if (!write_proc_file ("/proc/self/gid_map", map))
        return FALSE;
    }
  fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  g_strlcpy (ifr.ifr_name, "lo", sizeof ifr.ifr_name);
  g_assert_cmpint (ioctl (fd, SIOCGIFFLAGS, &ifr), ==, 0);
  ifr.ifr_flags |= IFF_UP;
  g_assert_cmpint (ioctl (fd, SIOCSIFFLAGS, &ifr), ==, 0);
  close (fd);
  return TRUE;
}

/* "default dev lo": GIO's netlink monitor now sees a network. */
static void
add_default_route (void)
{
  struct rtentry rt = { 0 };
  struct sockaddr_in *dst = (struct sockaddr_in *) &rt.rt_dst;
  struct sockaddr_in *mask = (struct sockaddr_in *) &rt.rt_genmask;
  char dev[] = "lo";
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

  dst->sin_family = AF_INET;
  mask->sin_family = AF_INET;
  rt.rt_flags = RTF_UP;
  rt.rt_dev = dev;
  g_assert_cmpint (ioctl (fd, SIOCADDRT, &rt), ==, 0);
  close (fd);
}

static void
headless_child (void)
{
  g_autoptr(GBytes) content = haul_test_content (256 * KIB, 11);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *uri = NULL;
  HaulTestServer *server;
  HaulTestAsync w = { 0 };
  const char *first, *again;

  g_assert_true (enter_network_namespace ());
  server = haul_test_server_new ();
  haul_test_server_add_file (server, "/h.bin", content, NULL);
  dir = haul_test_make_tmp_dir ();
  uri = haul_test_server_uri (server, "/h.bin");
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           haul_test_haul_binary (), "--headless", "-d", dir, uri, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (proc, NULL, NULL, haul_test_async_cb, &w);

  /* No default route: it waits, and asks the server nothing. */
  haul_test_spin (1500);
  g_assert_false (w.done);
  g_assert_cmpuint (haul_test_server_get_n_requests (server, "/h.bin"), ==, 0);

  add_default_route ();
  g_subprocess_communicate_utf8_finish (proc, haul_test_async_wait (&w), &out, &err, &error);
  g_clear_object (&w.result);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  haul_test_assert_file_in (dir, "h.bin", content);

  /* One line, not one per download or per change. */
  first = strstr (out, "Waiting for network…\n");
  g_assert_nonnull (first);
  again = strstr (first + 1, "Waiting for network…");
  g_assert_null (again);
  g_assert_cmpuint (haul_test_server_get_n_requests (server, "/h.bin"), ==, 1);

  haul_test_server_free (server);
  haul_test_rm_rf (dir);
}

/* Whether this system lets a process have a network namespace: asked in
 * a forked child that only makes the system call. */
static gboolean
network_namespace_allowed (void)
{
  int status = 0;
  pid_t pid = fork ();

  if (pid == 0)
    {
      if (unshare (CLONE_NEWNET) == 0 || unshare (CLONE_NEWUSER | CLONE_NEWNET) == 0)
        _exit (0);
      _exit (1);
    }
  g_assert_cmpint (pid, >, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

static void
test_headless (void)
{
  if (g_test_subprocess ())
    {
      headless_child ();
      return;
    }
  if (!network_namespace_allowed ())
    {
      g_test_skip ("no network namespace allowed here (needs root or user namespaces)");
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  haul_test_ignore_proxies ();
  haul_test_monitors_install ();

#define ADD(path, fn) \
  g_test_add ("/haul/network-policy/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("monitors", test_monitors);
  ADD ("offline-online", test_offline_online);
  ADD ("offline-retry-wait", test_offline_retry_wait);
  ADD ("metered-pause", test_metered_pause);
  ADD ("metered-keep", test_metered_keep);
  ADD ("power-saver", test_power_saver);
  ADD ("network-changed", test_network_changed);
  ADD ("wait-reasons", test_wait_reasons);
  ADD ("override-removed", test_override_removed);
  ADD ("many", test_many);
#undef ADD
  g_test_add_func ("/haul/network-policy/headless", test_headless);

  return g_test_run ();
}
