/* test-segmented.c — segmented downloads against a real server on 127.0.0.1
 *
 * The queue with its defaults (8 connections per download) against the
 * in-process test server and its faults; every finished file is compared
 * with what was served, byte for byte (SHA-256).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/mount.h>

#include "haul-connections.h"
#include "haul-download.h"
#include "haul-queue.h"
#include "haul-segments.h"
#include "haul-test-queue.h"
#include "haul-test-server.h"

/* Fast enough for a short test, slow enough that connections overlap. */
#define RATE     (4 * MIB)
#define SLOW     (256 * KIB)  /* per connection: a download that lasts seconds */
#define BIG      (8 * MIB)

typedef struct
{
  HaulTestServer *server;
  HaulQueue      *queue;
  char           *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* A new server may get the port of an earlier test's, whose penalties
   * the budgets remember while the process runs. */
  haul_connections_reset ();
  fx->server = haul_test_server_new ();
  fx->dir = g_dir_make_tmp ("haul-segmented-XXXXXX", &error);
  g_assert_no_error (error);
  fx->queue = haul_queue_new ();
  g_object_set (fx->queue,
                "connect-timeout", 10,
                "stall-timeout", 10,
                "retry-base-delay", 50,
                "max-retries", 3,
                NULL);
  g_assert_cmpuint (haul_queue_get_max_connections (fx->queue), ==, HAUL_DEFAULT_CONNECTIONS);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  haul_test_stop_queue (fx->queue);
  haul_test_release_queue (&fx->queue);
  haul_test_server_free (fx->server);
  haul_test_rm_rf (fx->dir);
  g_free (fx->dir);
}

/* Serves @size bytes at @path with @options; returns them. */
static GBytes *
serve (Fixture                   *fx,
       const char                *path,
       gsize                      size,
       const HaulTestFileOptions *options)
{
  GBytes *content = haul_test_content (size, g_str_hash (path));

  haul_test_server_add_file (fx->server, path, content, options);
  return content;
}

static void
assert_file (Fixture    *fx,
             const char *name,
             GBytes     *content)
{
  g_autofree char *path = g_build_filename (fx->dir, name, NULL);
  g_autofree char *got = haul_test_sha256_file (path);
  g_autofree char *want = haul_test_sha256_bytes (content);

  g_assert_cmpstr (got, ==, want);
}

static guint
n_ranges (Fixture    *fx,
          const char *path)
{
  g_auto(GStrv) ranges = haul_test_server_get_ranges (fx->server, path);

  return ranges != NULL ? g_strv_length (ranges) : 0;
}

/* Whether any Range header of @path from the @skip-th on starts inside
 * @written (bytes already on disk). */
static gboolean
asks_written (Fixture         *fx,
              const char      *path,
              guint            skip,
              const HaulRange *written,
              gsize            n_written)
{
  g_auto(GStrv) ranges = haul_test_server_get_ranges (fx->server, path);

  for (guint i = skip; ranges != NULL && i < g_strv_length (ranges); i++)
    {
      gint64 first = -1;

      g_assert_cmpint (sscanf (ranges[i], "bytes=%" G_GINT64_FORMAT "-", &first), ==, 1);
      for (gsize j = 0; j < n_written; j++)
        if (first >= written[j].start && first < written[j].end)
          return TRUE;
    }
  return FALSE;
}

static HaulDownload *
add (Fixture    *fx,
     const char *path)
{
  return haul_test_add (fx->queue, fx->server, fx->dir, path);
}

static char *
server_key (Fixture *fx)
{
  return g_strdup_printf ("http://127.0.0.1:%u", haul_test_server_get_port (fx->server));
}

/* ------------------------------------------------------------------ */
/* Splitting */

/* Several connections at once, the probe first, and the file intact. */
static void
test_split (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(GBytes) content = serve (fx, "/big.bin", BIG, &(HaulTestFileOptions) { .rate = RATE });
  g_auto(GStrv) ranges = NULL;
  HaulDownload *d = add (fx, "/big.bin");
  guint most = 0;

  while (!haul_download_is_finished (d))
    {
      most = MAX (most, haul_download_get_connections (d));
      haul_test_spin (20);
    }
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  assert_file (fx, "big.bin", content);

  ranges = haul_test_server_get_ranges (fx->server, "/big.bin");
  g_assert_cmpstr (ranges[0], ==, "bytes=0-");
  /* (The server counts a body until it notices the other end has gone:
   * a connection closed after a split may still count for a moment.) */
  g_assert_cmpuint (haul_test_server_get_max_in_flight_path (fx->server, "/big.bin"), >=, 4);
  g_assert_cmpuint (most, >=, 4);
  g_assert_cmpuint (most, <=, HAUL_DEFAULT_CONNECTIONS);
  /* Splits shorten ranges, they do not ask again: a request per split
   * plus a few second fetches at the tail. */
  g_assert_cmpuint (g_strv_length (ranges), <=, 3 * HAUL_DEFAULT_CONNECTIONS);
  g_assert_cmpuint (haul_download_get_connections (d), ==, 0);
  g_assert_null (haul_download_get_segments (d));
  g_assert_null (haul_download_get_error (d));
}

/* -x 1: one stream, no Range header at all, as before segments. */
static void
test_one_connection (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GBytes) content = serve (fx, "/one.bin", 4 * MIB, NULL);
  HaulDownload *d;

  haul_queue_set_max_connections (fx->queue, 1);
  d = add (fx, "/one.bin");
  haul_test_wait_finished (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  assert_file (fx, "one.bin", content);
  g_assert_cmpuint (n_ranges (fx, "/one.bin"), ==, 0);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/one.bin"), ==, 1);
}

typedef struct
{
  const char          *name;
  gsize                size;
  HaulTestFileOptions  options;
  guint                max_requests;  /* 0: any */
  gboolean             one_stream;    /* never more than one connection at once */
} Served;

/* Files that must arrive intact whatever the server does with ranges. */
static const Served served_cases[] = {
  { "empty", 0, { 0 }, 2, TRUE },  /* "bytes=0-" is 416 for an empty file: asked again */
  { "one-byte", 1, { 0 }, 1, TRUE },
  { "below-two-pieces", 2 * MIB - 1, { 0 }, 1, TRUE },
  { "two-pieces", 2 * MIB, { .rate = RATE }, 0, FALSE },
  { "odd-size", 5 * MIB + 12345, { .rate = RATE }, 0, FALSE },
  { "ranges-ignored", BIG, { .ignore_range = TRUE }, 1, TRUE },
  { "ranges-on-probe-only", BIG, { .rate = RATE, .range_requests_honoured = 1 }, 0, FALSE },
  { "chunked", BIG, { .chunked = TRUE }, 1, TRUE },
  { "gzip-on-206", BIG, { .rate = RATE, .encoding_on_partial = "gzip" }, 0, FALSE },
  { "gzip-always", BIG, { .content_encoding = "gzip" }, 1, TRUE },
  { "short-segment", BIG, { .rate = RATE, .short_range_body = 1000 }, 0, FALSE },
  { "long-segment", BIG, { .rate = RATE, .long_range_body = 1000 }, 0, FALSE },
  { "reset-one-segment", BIG, { .rate = RATE, .reset = TRUE, .reset_after = 300 * KIB,
                                .fault_skip = 2, .reset_times = 1 }, 0, FALSE },
  { "503-on-third", BIG, { .rate = RATE, .fail_status = 503, .fail_skip = 2, .fail_times = 1 }, 0, FALSE },
  { "429-on-third", BIG, { .rate = RATE, .fail_status = 429, .fail_skip = 2, .fail_times = 1,
                           .retry_after = "1" }, 0, FALSE },
};

static void
test_served (Fixture       *fx,
             gconstpointer  data)
{
  const Served *c = data;
  g_autofree char *path = g_strconcat ("/", c->name, ".bin", NULL);
  g_autofree char *name = g_strconcat (c->name, ".bin", NULL);
  g_autoptr(GBytes) content = serve (fx, path, c->size, &c->options);
  HaulDownload *d = add (fx, path);

  haul_test_wait_finished (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  g_assert_null (haul_download_get_error (d));
  assert_file (fx, name, content);
  if (c->max_requests > 0)
    g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, path), <=, c->max_requests);
  if (c->one_stream)
    g_assert_cmpuint (haul_test_server_get_max_in_flight_path (fx->server, path), ==, 1);
}

/* A busy answer to an extra connection halves the server's budget, which
 * stays halved while Haul runs. */
static void
test_busy_halves_budget (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(GBytes) content = serve (fx, "/busy.bin", BIG,
                                     &(HaulTestFileOptions) { .rate = RATE, .fail_status = 503,
                                                              .fail_skip = 2, .fail_times = 1 });
  g_autofree char *server = server_key (fx);
  HaulDownload *d = add (fx, "/busy.bin");

  haul_test_wait_finished (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  assert_file (fx, "busy.bin", content);
  g_assert_cmpuint (haul_connections_get_budget (server, HAUL_DEFAULT_CONNECTIONS), ==,
                    HAUL_DEFAULT_CONNECTIONS / 2);
  g_assert_cmpuint (haul_test_server_get_n_status (fx->server, "/busy.bin", 503), ==, 1);
}

/* Every extra connection refused, forever: the file comes on one, and
 * no error is shown. */
static void
test_extras_refused_forever (Fixture       *fx,
                             gconstpointer  data)
{
  g_autoptr(GBytes) content = serve (fx, "/refused.bin", BIG,
                                     &(HaulTestFileOptions) { .rate = RATE, .fail_status = 503,
                                                              .fail_skip = 1 });
  g_autofree char *server = server_key (fx);
  HaulDownload *d = add (fx, "/refused.bin");

  haul_test_wait_finished (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  g_assert_null (haul_download_get_error (d));
  assert_file (fx, "refused.bin", content);
  /* Each refusal halves the budget (8 → 4 → 2 → 1) and the next extra
   * waits longer: at most three refusals, then no more extras. */
  g_assert_cmpuint (haul_connections_get_budget (server, HAUL_DEFAULT_CONNECTIONS), <=,
                    HAUL_DEFAULT_CONNECTIONS / 2);
  g_assert_cmpuint (haul_test_server_get_n_status (fx->server, "/refused.bin", 503), >=, 1);
  g_assert_cmpuint (haul_test_server_get_n_status (fx->server, "/refused.bin", 503), <=, 3);
}

/* A server that lies in Content-Range: a clear error, nothing of the lie
 * in the file. */
static void
test_lying_content_range (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(GBytes) content = serve (fx, "/liar.bin", BIG,
                                     &(HaulTestFileOptions) { .rate = RATE, .lie_range_start = 4096 });
  HaulDownload *d = add (fx, "/liar.bin");

  haul_test_wait_finished (d);
  haul_test_assert_failed_with (d, "wrong part of the file");
  g_assert_cmpuint (haul_download_get_retries (d), ==, 0);
}

/* The file changes mid-download (a new ETag; If-Range gets the whole new
 * file): started again, and the result is the new file, not a splice. */
static void
test_file_changes (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GBytes) new_content = haul_test_content (BIG, 99);
  g_autoptr(GBytes) content = serve (fx, "/changing.bin", BIG,
                                     &(HaulTestFileOptions) { .rate = RATE, .etag = "\"v1\"",
                                                              .change_after = 2,
                                                              .new_content = new_content,
                                                              .new_etag = "\"v2\"" });
  HaulDownload *d = add (fx, "/changing.bin");

  haul_test_wait_finished (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  assert_file (fx, "changing.bin", new_content);
}

/* The same with a broken cache that answers the old If-Range with a 206
 * of the new file: the new ETag in the 206 is noticed. */
static void
test_file_changes_if_range_ignored (Fixture       *fx,
                                    gconstpointer  data)
{
  g_autoptr(GBytes) new_content = haul_test_content (BIG, 98);
  g_autoptr(GBytes) content = serve (fx, "/changing.bin", BIG,
                                     &(HaulTestFileOptions) { .rate = RATE, .etag = "\"v1\"",
                                                              .change_after = 2,
                                                              .new_content = new_content,
                                                              .new_etag = "\"v2\"",
                                                              .ignore_if_range = TRUE });
  HaulDownload *d = add (fx, "/changing.bin");

  haul_test_wait_finished (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  assert_file (fx, "changing.bin", new_content);
}

/* ------------------------------------------------------------------ */
/* Stopping and resuming */

/* The server noticed every connection go (at its next write). */
static gboolean
server_is_idle (gpointer server)
{
  return haul_test_server_get_in_flight (server) == 0;
}

static gboolean
has_connections (gpointer download)
{
  return haul_download_get_connections (download) >= 3;
}

static void
wait_connections (HaulDownload *d)
{
  haul_test_wait_download (d, has_connections, "several connections");
}

/* Pause: every connection stops; resume: only the missing ranges are
 * asked for. */
static void
test_pause_resume (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GBytes) content = serve (fx, "/pause.bin", BIG, &(HaulTestFileOptions) { .rate = SLOW });
  HaulDownload *d = add (fx, "/pause.bin");
  g_autofree HaulRange *written = NULL;
  gsize n_written;
  guint asked_before;
  gint64 received, stopped_us;

  wait_connections (d);
  haul_test_spin (300);
  stopped_us = g_get_monotonic_time ();
  haul_queue_pause (fx->queue, d);
  haul_test_wait_paused (d);
  g_assert_true (haul_test_wait_until (haul_test_queue_is_quiet, fx->queue, HAUL_TEST_WAIT_MS));
  /* The attempt returns once every connection has ended. */
  g_test_message ("every connection stopped %" G_GINT64_FORMAT " ms after the pause",
                  (g_get_monotonic_time () - stopped_us) / 1000);
  g_assert_true (haul_test_wait_until (server_is_idle, fx->server, HAUL_TEST_WAIT_MS));
  g_assert_cmpuint (haul_download_get_connections (d), ==, 0);
  g_assert_nonnull (haul_download_get_segments (d));
  received = haul_download_get_received (d);
  g_assert_cmpint (received, >, 0);
  g_assert_cmpint (received, <, BIG);
  written = haul_segments_copy_written (haul_download_get_segments (d), &n_written);
  g_assert_cmpuint (n_written, >, 0);
  asked_before = n_ranges (fx, "/pause.bin");

  haul_queue_resume (fx->queue, d);
  haul_test_wait_finished (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  assert_file (fx, "pause.bin", content);
  /* The resumed attempt asked only for what was missing. */
  g_assert_cmpuint (n_ranges (fx, "/pause.bin"), >, asked_before);
  g_assert_false (asks_written (fx, "/pause.bin", asked_before, written, n_written));
}

/* What a download's observers saw of its received bytes: every value it
 * published, checked against the file's size as it came. */
typedef struct
{
  gint64 total;
  gint64 most;        /* the largest received ever seen */
  guint  n_seen;
  guint  n_over;      /* publications above the total */
} Seen;

static void
seen_check (HaulDownload *d,
            Seen         *seen)
{
  gint64 received = haul_download_get_received (d);

  seen->n_seen++;
  seen->most = MAX (seen->most, received);
  if (received > seen->total)
    {
      if (seen->n_over++ == 0)
        g_test_message ("received %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " (state %s)",
                        received, seen->total,
                        haul_download_state_to_string (haul_download_get_state (d)));
    }
}

static void
seen_notify_cb (HaulDownload *d,
                GParamSpec   *pspec,
                Seen         *seen)
{
  seen_check (d, seen);
}

static void
seen_changed_cb (HaulDownload *d,
                 Seen         *seen)
{
  seen_check (d, seen);
}

typedef struct
{
  HaulDownload *download;
  Seen         *seen;
  gint64        at_least;
} PauseWait;

/* Some bytes are in (and the counter never went over on the way). */
static gboolean
has_received (gpointer data)
{
  PauseWait *w = data;

  seen_check (w->download, w->seen);
  return haul_download_get_received (w->download) >= w->at_least ||
         haul_download_is_finished (w->download);
}

typedef struct
{
  const char *name;
  gsize       size;
  gint64      rate;     /* per answer */
  guint       n_pauses;
} PauseCase;

/* A file paused (0, 1, 2 times) while several connections fetch it and
 * resumed each time: the count of received bytes is the bytes written,
 * never more than the file at any publication, and the file is intact. */
static const PauseCase pause_cases[] = {
  { "none", 2 * MIB, SLOW, 0 },
  { "once", 2 * MIB, SLOW, 1 },
  { "twice", 2 * MIB, SLOW, 2 },
};

static void
test_pause_count (Fixture       *fx,
                  gconstpointer  data)
{
  const PauseCase *c = data;
  g_autofree char *path = g_strconcat ("/count-", c->name, ".bin", NULL);
  g_autofree char *name = g_strconcat ("count-", c->name, ".bin", NULL);
  g_autoptr(GBytes) content = serve (fx, path, c->size, &(HaulTestFileOptions) { .rate = c->rate });
  Seen seen = { .total = c->size };
  HaulDownload *d = add (fx, path);
  gulong notify_id, changed_id;

  notify_id = g_signal_connect (d, "notify::received", G_CALLBACK (seen_notify_cb), &seen);
  changed_id = g_signal_connect (d, "changed", G_CALLBACK (seen_changed_cb), &seen);

  for (guint i = 0; i < c->n_pauses; i++)
    {
      /* Each pause a little further in, while several connections run. */
      PauseWait w = { d, &seen, (gint64) (i + 1) * c->size / (2 * (c->n_pauses + 1)) };

      g_assert_true (haul_test_wait_until (has_received, &w, HAUL_TEST_WAIT_MS));
      g_assert_false (haul_download_is_finished (d));
      g_test_message ("pause %u at %" G_GINT64_FORMAT " bytes, %u connections", i + 1,
                      haul_download_get_received (d), haul_download_get_connections (d));
      haul_queue_pause (fx->queue, d);
      haul_test_wait_paused (d);
      g_assert_true (haul_test_wait_until (haul_test_queue_is_quiet, fx->queue, HAUL_TEST_WAIT_MS));
      seen_check (d, &seen);
      g_assert_cmpint (haul_download_get_received (d), <, c->size);
      g_test_message ("paused at %" G_GINT64_FORMAT " bytes", haul_download_get_received (d));
      haul_queue_resume (fx->queue, d);
    }
  haul_test_wait_finished (d);
  seen_check (d, &seen);
  g_signal_handler_disconnect (d, notify_id);
  g_signal_handler_disconnect (d, changed_id);

  g_test_message ("%u publications, the largest %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT,
                  seen.n_seen, seen.most, seen.total);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  haul_test_assert_file_in (fx->dir, name, content);
  g_assert_cmpint (seen.most, <=, (gint64) c->size);
  g_assert_cmpuint (seen.n_over, ==, 0);
  g_assert_cmpint (haul_download_get_received (d), ==, (gint64) c->size);
  haul_test_assert_completed_with (d, content);
}

/* Cancel: every connection stops and the .part goes. */
static void
test_cancel (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GBytes) content = serve (fx, "/cancel.bin", BIG, &(HaulTestFileOptions) { .rate = SLOW });
  HaulDownload *d = add (fx, "/cancel.bin");

  wait_connections (d);
  haul_queue_cancel (fx->queue, d);
  haul_test_wait_finished (d);
  g_assert_true (haul_test_wait_until (haul_test_queue_is_quiet, fx->queue, HAUL_TEST_WAIT_MS));
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_CANCELLED);
  g_assert_true (haul_test_wait_until (server_is_idle, fx->server, HAUL_TEST_WAIT_MS));
  haul_test_assert_folder (fx->dir, "");
}

static gboolean
has_at_most_two (gpointer download)
{
  guint n = haul_download_get_connections (download);

  return n > 0 && n <= 2;
}

/* Fewer connections while running: the extra ones close. */
static void
test_change_connections (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(GBytes) content = serve (fx, "/change.bin", BIG, &(HaulTestFileOptions) { .rate = SLOW });
  HaulDownload *d = add (fx, "/change.bin");

  wait_connections (d);
  haul_queue_set_max_connections (fx->queue, 2);
  haul_test_wait_download (d, has_at_most_two, "two connections");
  haul_test_wait_finished (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  assert_file (fx, "change.bin", content);
}

/* The download's rate limit holds for all its connections together: an
 * upper bound (a slow machine only makes it slower). */
static void
test_rate_limit (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(GBytes) content = serve (fx, "/limited.bin", 4 * MIB, NULL);
  gint64 limit = 1 * MIB, start, elapsed_us;
  HaulDownload *d;

  haul_queue_set_rate_limit (fx->queue, limit);
  start = g_get_monotonic_time ();
  d = add (fx, "/limited.bin");
  haul_test_wait_finished (d);
  elapsed_us = g_get_monotonic_time () - start;
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  assert_file (fx, "limited.bin", content);
  /* The limiter allows a one-second burst: 4 MiB at 1 MiB/s take >= 3 s. */
  g_assert_cmpfloat ((4.0 * MIB - limit) / (elapsed_us / (gdouble) G_USEC_PER_SEC), <=, limit * 1.15);
  /* Split: more than one ranged answer (the server itself is not
   * throttled, so its bodies may all sit in socket buffers at once). */
  g_assert_cmpuint (haul_test_server_get_n_status (fx->server, "/limited.bin", 206), >, 1);
}

static HaulDownload *
add_with_checksum (Fixture    *fx,
                   const char *path,
                   const char *checksum)
{
  g_autofree char *uri = haul_test_server_uri (fx->server, path);
  g_autoptr(GError) error = NULL;
  HaulDownload *d = haul_queue_add_with_checksum (fx->queue, uri, fx->dir, checksum, &error);

  g_assert_no_error (error);
  return d;
}

/* The checksum is hashed from the disk once every range is there. */
static void
test_checksum (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GBytes) content = serve (fx, "/sum.bin", BIG, &(HaulTestFileOptions) { .rate = RATE });
  g_autofree char *sum = haul_test_sha256_bytes (content);
  g_autofree char *spec = g_strconcat ("sha256:", sum, NULL);
  HaulDownload *d = add_with_checksum (fx, "/sum.bin", spec);

  haul_test_wait_finished (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  assert_file (fx, "sum.bin", content);
  g_assert_cmpuint (haul_test_server_get_max_in_flight_path (fx->server, "/sum.bin"), >, 1);
}

static void
test_checksum_wrong (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GBytes) content = serve (fx, "/bad-sum.bin", BIG, &(HaulTestFileOptions) { .rate = RATE });
  HaulDownload *d = add_with_checksum (fx, "/bad-sum.bin",
                                       "sha256:0000000000000000000000000000000000000000000000000000000000000000");

  haul_test_wait_finished (d);
  haul_test_assert_failed_with (d, "damaged");
  g_assert_cmpuint (haul_test_server_get_max_in_flight_path (fx->server, "/bad-sum.bin"), >, 1);
  haul_test_assert_folder (fx->dir, "");
}

/* A stalled segment is fetched again by another connection; the download
 * completes well before a stall would have ended it. */
static void
test_stall_one_segment (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(GBytes) content = serve (fx, "/stall.bin", BIG,
                                     &(HaulTestFileOptions) { .rate = RATE, .stall = TRUE,
                                                              .stall_after = 200 * KIB,
                                                              .fault_skip = 2, .stall_times = 1 });
  HaulDownload *d;

  g_object_set (fx->queue, "stall-timeout", 3, NULL);
  d = add (fx, "/stall.bin");
  haul_test_wait_finished (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  assert_file (fx, "stall.bin", content);
}

/* A full disk while several connections write: the download fails
 * with the disk's message (no retry), every connection stops, and only
 * the .part is left. In a child process: it mounts a 4 MiB tmpfs in a
 * private mount namespace, or limits the file size (RLIMIT_FSIZE). */
static void
disk_full_child (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_dir_make_tmp ("haul-seg-full-XXXXXX", &error);
  g_autofree char *dest = NULL, *uri = NULL, *names = NULL;
  g_autoptr(GBytes) content = haul_test_content (BIG, 31);
  g_autoptr(HaulTestServer) server = NULL;
  g_autoptr(HaulQueue) queue = NULL;
  HaulDownload *d;

  g_assert_no_error (error);
  dest = g_build_filename (base, "disk", NULL);
  g_assert_cmpint (g_mkdir (dest, 0755), ==, 0);
  g_printerr ("disk full simulated with %s\n", haul_test_fill_disk_at (dest, 4 * MIB));

  server = haul_test_server_new ();
  haul_test_server_add_file (server, "/big.bin", content, &(HaulTestFileOptions) { .rate = RATE });
  queue = haul_queue_new ();
  g_object_set (queue, "max-retries", 3, "retry-base-delay", 50, NULL);
  uri = haul_test_server_uri (server, "/big.bin");
  d = haul_queue_add (queue, uri, dest, &error);
  g_assert_no_error (error);
  haul_test_wait_finished (d);
  g_print ("error: %s\n", haul_download_get_error (d));
  haul_test_assert_failed_with (d, "disk is full");
  g_assert_cmpuint (haul_download_get_retries (d), ==, 0);
  g_assert_cmpuint (haul_test_server_get_max_in_flight_path (server, "/big.bin"), >, 1);
  names = haul_test_list_dir (dest);
  g_assert_cmpstr (names, ==, "big.bin.part");
  haul_test_stop_queue (queue);
  haul_test_release_queue (&queue);
  umount (dest);
  haul_test_rm_rf (base);
}

static void
test_disk_full (void)
{
  if (g_test_subprocess ())
    {
      disk_full_child ();
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*error: The disk is full*");
}

/* ------------------------------------------------------------------ */

#define ADD(path, func) \
  g_test_add ("/haul/core/segmented/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  haul_test_ignore_proxies ();

  ADD ("split", test_split);
  ADD ("one-connection", test_one_connection);
  for (guint i = 0; i < G_N_ELEMENTS (served_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/haul/core/segmented/served/", served_cases[i].name, NULL);

      g_test_add (path, Fixture, &served_cases[i], fixture_set_up, test_served, fixture_tear_down);
    }
  ADD ("busy-halves-budget", test_busy_halves_budget);
  ADD ("extras-refused-forever", test_extras_refused_forever);
  ADD ("lying-content-range", test_lying_content_range);
  ADD ("file-changes", test_file_changes);
  ADD ("file-changes-if-range-ignored", test_file_changes_if_range_ignored);
  ADD ("pause-resume", test_pause_resume);
  for (guint i = 0; i < G_N_ELEMENTS (pause_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/haul/core/segmented/pause-count/", pause_cases[i].name, NULL);

      g_test_add (path, Fixture, &pause_cases[i], fixture_set_up, test_pause_count, fixture_tear_down);
    }
  ADD ("cancel", test_cancel);
  ADD ("change-connections", test_change_connections);
  ADD ("rate-limit", test_rate_limit);
  ADD ("checksum", test_checksum);
  ADD ("checksum-wrong", test_checksum_wrong);
  ADD ("stall-one-segment", test_stall_one_segment);
  g_test_add_func ("/haul/core/segmented/disk-full", test_disk_full);

  return g_test_run ();
}
