/* test-transfer.c — the real engine against a real HTTP server on 127.0.0.1
 *
 * Each test runs a HaulQueue on the test's main context against the
 * in-process test server, saves into a fresh temporary folder, and checks
 * the bytes on disk (SHA-256 against the served content), not just the
 * state the queue reports.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-transfer"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "haul-download.h"
#include "haul-queue.h"
#include "haul-test-queue.h"
#include "haul-test-server.h"

typedef struct
{
  HaulTestServer *server;
  HaulQueue      *queue;
  char           *dir;
  GPtrArray      *errors;   /* every error message the downloads showed */
} Fixture;

/* ------------------------------------------------------------------ */
/* Helpers */

static gboolean
file_has_prefix_of (const char *path,
                    GBytes     *content,
                    gint64      length)
{
  g_autofree char *data = NULL;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return FALSE;
  return (gint64) len == length && length <= (gint64) g_bytes_get_size (content) &&
         memcmp (data, g_bytes_get_data (content, NULL), len) == 0;
}

static char *
part_path (HaulDownload *d)
{
  g_autofree char *path = haul_download_dup_path (d);

  g_assert_nonnull (path);
  return g_strconcat (path, ".part", NULL);
}

static void
error_notify_cb (HaulDownload *d,
                 GParamSpec   *pspec,
                 Fixture      *fx)
{
  const char *error = haul_download_get_error (d);

  if (error != NULL)
    g_ptr_array_add (fx->errors, g_strdup (error));
}

static gboolean
errors_contain (Fixture    *fx,
                const char *needle)
{
  for (guint i = 0; i < fx->errors->len; i++)
    if (strstr (g_ptr_array_index (fx->errors, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

static HaulDownload *
track (Fixture      *fx,
       HaulDownload *d)
{
  g_signal_connect (d, "notify::error", G_CALLBACK (error_notify_cb), fx);
  return d;
}

/* Adds a download of @path on the test server into @dir.
 * Returns: (transfer none) */
static HaulDownload *
add_to (Fixture    *fx,
        const char *path,
        const char *dir)
{
  return track (fx, haul_test_add (fx->queue, fx->server, dir, path));
}

static HaulDownload *
add (Fixture    *fx,
     const char *path)
{
  return add_to (fx, path, fx->dir);
}

/* Adds a prepared download (checksum, own limit). Returns: (transfer none) */
static HaulDownload *
add_prepared (Fixture      *fx,
              HaulDownload *d)
{
  haul_queue_add_download (fx->queue, d);
  g_object_unref (d);
  return track (fx, d);
}

static gboolean
is_downloading (gpointer data)
{
  return haul_download_get_state (data) == HAUL_DOWNLOAD_STATE_DOWNLOADING;
}

typedef struct
{
  HaulDownload *d;
  gint64        bytes;
} ReceivedAtLeast;

static gboolean
received_at_least (gpointer data)
{
  ReceivedAtLeast *r = data;

  return haul_download_get_received (r->d) >= r->bytes;
}

static void
wait_received (HaulDownload *d,
               gint64        bytes)
{
  ReceivedAtLeast r = { d, bytes };

  if (!haul_test_wait_until (received_at_least, &r, HAUL_TEST_WAIT_MS))
    g_error ("timed out waiting for %" G_GINT64_FORMAT " bytes (have %" G_GINT64_FORMAT ", state %s, error %s)",
             bytes, haul_download_get_received (d),
             haul_download_state_to_string (haul_download_get_state (d)),
             haul_download_get_error (d));
}

static void
assert_ranges (HaulTestServer *server,
               const char     *path,
               const char     *joined)
{
  g_auto(GStrv) ranges = haul_test_server_get_ranges (server, path);
  g_autofree char *got = g_strjoinv ("|", ranges);

  g_assert_cmpstr (got, ==, joined);
}

/* ------------------------------------------------------------------ */
/* Fixture */

/* One stream per file: these tests are about the single-stream engine
 * (what -x 1 and servers without ranges get) and assert its requests
 * exactly; test-segmented covers the probe and several connections. */
static void
configure_queue (HaulQueue *queue)
{
  g_object_set (queue,
                "max-connections", 1,
                "connect-timeout", 10,
                "stall-timeout", 10,
                "retry-base-delay", 50,
                "max-retries", 3,
                "max-active", 4,
                NULL);
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->server = haul_test_server_new ();
  fx->dir = g_dir_make_tmp ("haul-transfer-XXXXXX", &error);
  g_assert_no_error (error);
  fx->queue = haul_queue_new ();
  configure_queue (fx->queue);
  fx->errors = g_ptr_array_new_with_free_func (g_free);
}

static void
shut_down_queue (HaulQueue **queue)
{
  haul_test_stop_queue (*queue);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (*queue)); i++)
    g_signal_handlers_disconnect_matched (haul_queue_get_download (*queue, i),
                                          G_SIGNAL_MATCH_FUNC, 0, 0, NULL, error_notify_cb, NULL);
  haul_test_release_queue (queue);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  shut_down_queue (&fx->queue);
  g_clear_pointer (&fx->server, haul_test_server_free);
  haul_test_rm_rf (fx->dir);
  g_clear_pointer (&fx->dir, g_free);
  g_clear_pointer (&fx->errors, g_ptr_array_unref);
}

/* ------------------------------------------------------------------ */
/* Tests */

static void
test_plain (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (1 * MIB + 123, 1);
  g_autofree char *uri = haul_test_server_uri (fx->server, "/files/plain.bin");
  HaulDownload *d;

  haul_test_server_add_file (fx->server, "/files/plain.bin", content,
                             &(HaulTestFileOptions) { .etag = "\"p1\"" });
  d = add (fx, "/files/plain.bin");
  haul_test_wait_finished (d);

  haul_test_assert_completed_with (d, content);
  g_assert_cmpstr (haul_download_get_filename (d), ==, "plain.bin");
  g_assert_cmpstr (haul_download_get_final_uri (d), ==, uri);
  g_assert_cmpuint (haul_download_get_retries (d), ==, 0);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/files/plain.bin"), ==, 1);
  assert_ranges (fx->server, "/files/plain.bin", "");
  haul_test_assert_folder (fx->dir, "plain.bin");
}

static void
test_concurrent (Fixture       *fx,
                 gconstpointer  data)
{
  const guint n = 50;
  g_autoptr(GPtrArray) contents = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) downloads = g_ptr_array_new ();

  haul_queue_set_max_active (fx->queue, 16);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("/many/file-%02u.bin", i);
      GBytes *content = haul_test_content (64 * KIB + i * 4099, 100 + i);

      haul_test_server_add_file (fx->server, path, content, NULL);
      g_ptr_array_add (contents, content);
    }
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("/many/file-%02u.bin", i);

      g_ptr_array_add (downloads, add (fx, path));
    }

  for (guint i = 0; i < n; i++)
    haul_test_wait_finished (g_ptr_array_index (downloads, i));

  for (guint i = 0; i < n; i++)
    {
      HaulDownload *d = g_ptr_array_index (downloads, i);
      g_autofree char *name = g_strdup_printf ("file-%02u.bin", i);

      haul_test_assert_completed_with (d, g_ptr_array_index (contents, i));
      g_assert_cmpstr (haul_download_get_filename (d), ==, name);
    }
  g_assert_cmpuint (haul_test_server_get_total_requests (fx->server), ==, n);
  g_assert_cmpuint (haul_test_server_get_max_in_flight (fx->server), <=, 16);
  g_assert_true (haul_queue_is_idle (fx->queue));
}

static void
test_pause_resume (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (1 * MIB + 7, 2);
  g_autofree char *part = NULL;
  g_autofree char *expected_range = NULL;
  g_auto(GStrv) if_ranges = NULL;
  HaulDownload *d;
  gint64 kept;

  haul_test_server_add_file (fx->server, "/slow.bin", content,
                             &(HaulTestFileOptions) { .rate = 1 * MIB, .etag = "\"slow-1\"" });
  d = add (fx, "/slow.bin");
  wait_received (d, 200 * KIB);

  haul_queue_pause (fx->queue, d);
  haul_test_wait_paused (d);

  /* Paused: the .part holds exactly what was received, and stays. */
  part = part_path (d);
  kept = haul_download_get_received (d);
  g_assert_cmpint (kept, >=, 200 * KIB);
  g_assert_cmpint (kept, <, (gint64) g_bytes_get_size (content));
  g_assert_true (file_has_prefix_of (part, content, kept));
  g_assert_cmpstr (haul_download_get_filename (d), ==, "slow.bin");
  haul_test_spin (300);
  g_assert_true (file_has_prefix_of (part, content, kept));
  {
    g_autofree char *final = haul_download_dup_path (d);

    g_assert_false (haul_test_exists_nofollow (final));
  }

  haul_queue_resume (fx->queue, d);
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);

  /* The resume asked for the rest, with the validator. */
  expected_range = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", kept);
  assert_ranges (fx->server, "/slow.bin", expected_range);
  if_ranges = haul_test_server_get_if_ranges (fx->server, "/slow.bin");
  g_assert_cmpuint (g_strv_length (if_ranges), ==, 1);
  g_assert_cmpstr (if_ranges[0], ==, "\"slow-1\"");
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/slow.bin"), ==, 2);
}

static void
test_pause_keeps_part (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (1 * MIB, 3);
  g_autofree char *part = NULL;
  HaulDownload *d;

  haul_test_server_add_file (fx->server, "/keep.bin", content,
                             &(HaulTestFileOptions) { .rate = 512 * KIB });
  d = add (fx, "/keep.bin");
  wait_received (d, 64 * KIB);
  haul_queue_pause (fx->queue, d);
  haul_test_wait_paused (d);

  part = part_path (d);
  g_assert_true (file_has_prefix_of (part, content, haul_download_get_received (d)));
  g_assert_cmpint (haul_download_get_received (d), >, 0);
  g_assert_null (haul_download_get_error (d));
  haul_test_assert_folder (fx->dir, "keep.bin.part");
}

static void
test_cancel_deletes_part (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (1 * MIB, 4);
  g_autofree char *part1 = NULL;
  g_autofree char *part2 = NULL;
  HaulDownload *d1, *d2;

  haul_test_server_add_file (fx->server, "/cancel-1.bin", content,
                             &(HaulTestFileOptions) { .rate = 512 * KIB });
  haul_test_server_add_file (fx->server, "/cancel-2.bin", content,
                             &(HaulTestFileOptions) { .rate = 512 * KIB });

  /* Cancel while running. */
  d1 = add (fx, "/cancel-1.bin");
  wait_received (d1, 64 * KIB);
  part1 = part_path (d1);
  g_assert_true (haul_test_exists_nofollow (part1));
  haul_queue_cancel (fx->queue, d1);
  haul_test_wait_finished (d1);
  haul_test_assert_state (d1, HAUL_DOWNLOAD_STATE_CANCELLED);
  g_assert_false (haul_test_exists_nofollow (part1));
  g_assert_null (haul_download_get_filename (d1));

  /* Cancel while paused: the kept .part goes too. */
  d2 = add (fx, "/cancel-2.bin");
  wait_received (d2, 64 * KIB);
  part2 = part_path (d2);
  haul_queue_pause (fx->queue, d2);
  haul_test_wait_paused (d2);
  g_assert_true (haul_test_exists_nofollow (part2));
  haul_queue_cancel (fx->queue, d2);
  haul_test_assert_state (d2, HAUL_DOWNLOAD_STATE_CANCELLED);
  /* The delete runs off the main thread. */
  for (guint i = 0; i < 200 && haul_test_exists_nofollow (part2); i++)
    haul_test_spin (10);
  g_assert_false (haul_test_exists_nofollow (part2));

  haul_test_assert_folder (fx->dir, "");
}

/* A .part left by an earlier run (another queue, as after a restart) is
 * picked up again when it belongs to the same link. */
static void
test_resume_existing_part (Fixture       *fx,
                           gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (1 * MIB, 37);
  g_autoptr(GBytes) other = haul_test_content (100 * KIB, 38);
  g_autofree char *part = g_build_filename (fx->dir, "again.bin.part", NULL);
  g_autofree char *expected_range = NULL;
  HaulDownload *d;
  gint64 kept;

  haul_test_server_add_file (fx->server, "/one/again.bin", content,
                             &(HaulTestFileOptions) { .rate = 1 * MIB, .etag = "\"a1\"" });
  haul_test_server_add_file (fx->server, "/two/again.bin", other, NULL);
  d = add (fx, "/one/again.bin");
  wait_received (d, 100 * KIB);
  haul_queue_pause (fx->queue, d);
  haul_test_wait_paused (d);
  kept = haul_download_get_received (d);
  g_assert_true (file_has_prefix_of (part, content, kept));

  /* "Restart": a new queue knows nothing about it. */
  shut_down_queue (&fx->queue);
  fx->queue = haul_queue_new ();
  configure_queue (fx->queue);

  /* Another link with the same name does not touch that .part. */
  d = add (fx, "/two/again.bin");
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, other);
  g_assert_cmpstr (haul_download_get_filename (d), ==, "again (1).bin");
  g_assert_true (file_has_prefix_of (part, content, kept));

  /* The same link resumes it. */
  d = add (fx, "/one/again.bin");
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);
  g_assert_cmpstr (haul_download_get_filename (d), ==, "again.bin");
  expected_range = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", kept);
  {
    g_auto(GStrv) ranges = haul_test_server_get_ranges (fx->server, "/one/again.bin");

    /* The first request (name not known yet) had none; the second asked
     * for the rest of the found .part. */
    g_assert_cmpuint (g_strv_length (ranges), ==, 1);
    g_assert_cmpstr (ranges[0], ==, expected_range);
  }
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/one/again.bin"), ==, 3);
}

/* A complete .part that was never renamed: the server answers the resume
 * with 416 for exactly that size, and the file is finished without
 * downloading it again. */
static void
test_resume_complete_part (Fixture       *fx,
                           gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (300 * KIB, 39);
  g_autofree char *uri = haul_test_server_uri (fx->server, "/whole.bin");
  g_autofree char *part = g_build_filename (fx->dir, "whole.bin.part", NULL);
  g_autofree char *expected_range = g_strdup_printf ("bytes=%u-", 300 * KIB);
  HaulDownload *d;

  g_assert_true (g_file_set_contents (part, g_bytes_get_data (content, NULL),
                                      g_bytes_get_size (content), NULL));
  {
    /* What the engine leaves on a .part it stopped: URL, ETag, Last-Modified, type. */
    g_autofree char *attr = g_strdup_printf ("%s\n\"w\"\n\n", uri);

    if (setxattr (part, "user.haul.resume", attr, strlen (attr), 0) != 0)
      g_test_message ("no user xattrs here (%s): the name alone decides", g_strerror (errno));
  }
  haul_test_server_add_file (fx->server, "/whole.bin", content, &(HaulTestFileOptions) { .etag = "\"w\"" });

  d = add (fx, "/whole.bin");
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);
  g_assert_cmpstr (haul_download_get_filename (d), ==, "whole.bin");
  assert_ranges (fx->server, "/whole.bin", expected_range);
}

static void
test_html_on_resume (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (600 * KIB, 9);
  g_autofree char *part = NULL;
  HaulDownload *d;

  haul_test_server_add_file (fx->server, "/expiring.bin", content,
                             &(HaulTestFileOptions) {
                               .etag = "\"e1\"",
                               .reset = TRUE, .reset_after = 150000, .reset_times = 1,
                               .html_on_range = TRUE,
                             });
  d = add (fx, "/expiring.bin");
  haul_test_wait_finished (d);

  haul_test_assert_failed_with (d, "web page");
  /* The earlier bytes are still there for a later retry, not the HTML. */
  part = part_path (d);
  g_assert_true (file_has_prefix_of (part, content, 150000));
  {
    g_autofree char *final = haul_download_dup_path (d);

    g_assert_false (haul_test_exists_nofollow (final));
  }
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/expiring.bin"), ==, 2);
}

static void
test_length_too_long (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (300 * KIB, 10);
  HaulDownload *d;
  guint n_requests;

  haul_test_server_add_file (fx->server, "/long.bin", content,
                             &(HaulTestFileOptions) { .announce_length = 300 * KIB + 1000 });
  d = add (fx, "/long.bin");
  haul_test_wait_finished (d);

  /* Every attempt ends early: retried, then failed. Never "completed"
   * with a short file. */
  haul_test_assert_failed_with (d, "closed the connection");
  g_assert_cmpuint (haul_download_get_retries (d), ==, 3);
  n_requests = haul_test_server_get_n_requests (fx->server, "/long.bin");
  g_assert_cmpuint (n_requests, ==, 4);
  {
    g_autofree char *final = haul_download_dup_path (d);
    g_autofree char *part = part_path (d);

    g_assert_false (haul_test_exists_nofollow (final));
    g_assert_true (file_has_prefix_of (part, content, 300 * KIB));
  }
}

static void
test_length_too_short (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (300 * KIB, 11);
  g_autoptr(GBytes) announced = g_bytes_new_from_bytes (content, 0, 200 * KIB);
  g_autoptr(GBytes) next = haul_test_content (100 * KIB, 12);
  HaulDownload *d, *d2;

  haul_test_server_add_file (fx->server, "/short.bin", content,
                             &(HaulTestFileOptions) { .announce_length = 200 * KIB });
  haul_test_server_add_file (fx->server, "/after-short.bin", next, NULL);
  haul_queue_set_max_active (fx->queue, 1);

  d = add (fx, "/short.bin");
  d2 = add (fx, "/after-short.bin");
  haul_test_wait_finished (d);
  haul_test_wait_finished (d2);

  /* The announced length is all the client can know; nothing past it is
   * written, and the bytes after it do not leak into the next response. */
  haul_test_assert_completed_with (d, announced);
  haul_test_assert_completed_with (d2, next);
}

static void
test_chunked (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (700 * KIB + 3, 13);
  HaulDownload *d;

  haul_test_server_add_file (fx->server, "/chunked.bin", content,
                             &(HaulTestFileOptions) { .chunked = TRUE, .rate = 1 * MIB });
  d = add (fx, "/chunked.bin");
  wait_received (d, 100 * KIB);
  /* Unknown length while it runs. */
  if (haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_DOWNLOADING)
    g_assert_cmpint (haul_download_get_total (d), ==, -1);
  haul_test_wait_finished (d);

  /* Known at the end: received == total, no bar stuck below 100 %. */
  haul_test_assert_completed_with (d, content);
}

/* Offsets must be bytes on disk: Haul asks for identity and never decodes.
 * A server that labels a .gz "Content-Encoding: gzip" anyway gets the
 * compressed bytes saved as they came, with the length they announced. */
static void
test_no_content_decoding (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(GBytes) plain = haul_test_content (300 * KIB, 41);
  g_autoptr(GZlibCompressor) gzip = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1);
  g_autoptr(GConverterOutputStream) out = NULL;
  g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable ();
  g_autoptr(GBytes) compressed = NULL;
  g_autofree char *accept = NULL;
  HaulDownload *d;

  out = G_CONVERTER_OUTPUT_STREAM (g_converter_output_stream_new (mem, G_CONVERTER (gzip)));
  g_assert_true (g_output_stream_write_all (G_OUTPUT_STREAM (out), g_bytes_get_data (plain, NULL),
                                            g_bytes_get_size (plain), NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL));
  compressed = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (mem));
  g_assert_cmpuint (g_bytes_get_size (compressed), !=, g_bytes_get_size (plain));

  haul_test_server_add_file (fx->server, "/data.tar.gz", compressed,
                             &(HaulTestFileOptions) { .content_encoding = "gzip" });
  d = add (fx, "/data.tar.gz");
  haul_test_wait_finished (d);

  haul_test_assert_completed_with (d, compressed);
  accept = haul_test_server_get_accept_encoding (fx->server, "/data.tar.gz");
  g_assert_cmpstr (accept, ==, "identity");
}

static void
test_redirect_chain (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (200 * KIB, 14);
  g_autofree char *final_uri = haul_test_server_uri (fx->server, "/files/final-name.bin");
  HaulDownload *d;

  haul_test_server_add_redirect (fx->server, "/go/start", 301, "/go/two");
  haul_test_server_add_redirect (fx->server, "/go/two", 302, "/go/three");
  haul_test_server_add_redirect (fx->server, "/go/three", 307, final_uri);
  haul_test_server_add_file (fx->server, "/files/final-name.bin", content, NULL);

  d = add (fx, "/go/start");
  haul_test_wait_finished (d);

  haul_test_assert_completed_with (d, content);
  g_assert_cmpstr (haul_download_get_final_uri (d), ==, final_uri);
  g_assert_cmpstr (haul_download_get_filename (d), ==, "final-name.bin");
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/go/start"), ==, 1);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/go/two"), ==, 1);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/go/three"), ==, 1);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/files/final-name.bin"), ==, 1);
}

static void
test_redirect_loop (Fixture       *fx,
                    gconstpointer  data)
{
  HaulDownload *d;

  haul_test_server_add_redirect (fx->server, "/loop/a", 302, "/loop/b");
  haul_test_server_add_redirect (fx->server, "/loop/b", 301, "/loop/a");

  d = add (fx, "/loop/a");
  haul_test_wait_finished (d);

  haul_test_assert_failed_with (d, "loop");
  g_assert_cmpuint (haul_download_get_retries (d), ==, 0);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/loop/a"), ==, 1);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/loop/b"), ==, 1);
  haul_test_assert_folder (fx->dir, "");
}

static void
test_redirect_too_many (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (1 * KIB, 40);
  HaulDownload *d;

  /* 30 hops, no loop: more than the engine follows. */
  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *from = g_strdup_printf ("/hop/%u", i);
      g_autofree char *to = g_strdup_printf ("/hop/%u", i + 1);

      haul_test_server_add_redirect (fx->server, from, 302, to);
    }
  haul_test_server_add_file (fx->server, "/hop/30", content, NULL);

  d = add (fx, "/hop/0");
  haul_test_wait_finished (d);

  haul_test_assert_failed_with (d, "redirected more than");
  g_assert_cmpuint (haul_download_get_retries (d), ==, 0);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/hop/30"), ==, 0);
  haul_test_assert_folder (fx->dir, "");
}

static void
test_empty (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  HaulDownload *d1, *d2;

  haul_test_server_add_file (fx->server, "/empty.txt", empty, NULL);
  haul_test_server_add_file (fx->server, "/empty-chunked.txt", empty,
                             &(HaulTestFileOptions) { .chunked = TRUE });
  d1 = add (fx, "/empty.txt");
  d2 = add (fx, "/empty-chunked.txt");
  haul_test_wait_finished (d1);
  haul_test_wait_finished (d2);

  haul_test_assert_completed_with (d1, empty);
  haul_test_assert_completed_with (d2, empty);
}

static void
test_stall_pause (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (400 * KIB, 17);
  g_autofree char *part = NULL;
  HaulDownload *d;
  gint64 start, elapsed;

  g_object_set (fx->queue, "stall-timeout", 60, NULL);
  haul_test_server_add_file (fx->server, "/stuck.bin", content,
                             &(HaulTestFileOptions) { .stall = TRUE, .stall_after = 100 * KIB });
  d = add (fx, "/stuck.bin");
  wait_received (d, 100 * KIB);
  g_assert_true (haul_test_wait_until (is_downloading, d, HAUL_TEST_WAIT_MS));

  /* The worker is blocked in a read that will not return by itself. */
  start = g_get_monotonic_time ();
  haul_queue_pause (fx->queue, d);
  haul_test_wait_paused (d);
  elapsed = g_get_monotonic_time () - start;

  /* Far below the stall timeout (60 s): the pause did not wait for it. */
  g_assert_cmpint (elapsed, <, 2 * G_USEC_PER_SEC);
  g_test_message ("pause of a stalled download took %" G_GINT64_FORMAT " µs", elapsed);
  part = part_path (d);
  g_assert_true (file_has_prefix_of (part, content, 100 * KIB));
  g_assert_null (haul_download_get_error (d));
}

typedef struct
{
  const char *disposition;
  const char *expected;     /* NULL: checked by rule instead */
} DispositionCase;

static void
test_content_disposition (Fixture       *fx,
                          gconstpointer  data)
{
  g_autofree char *long_name = NULL;
  g_autofree char *long_value = NULL;
  g_autofree char *inner = g_build_filename (fx->dir, "inner", NULL);
  const DispositionCase cases[] = {
    { "attachment; filename=\"../evil1.txt\"", "evil1.txt" },
    { "attachment; filename=\"/tmp/evil2.txt\"", "evil2.txt" },
    { "attachment; filename=\"..\\\\evil3.txt\"", "evil3.txt" },
    { "attachment; filename=..\\evil4.txt", "evil4.txt" },
    { "attachment; filename=\"a\001b\033[31mc.txt\"", "ab[31mc.txt" },
    { "attachment; filename*=UTF-8''%E2%82%AC%20rates.txt", "€ rates.txt" },
    { "attachment; filename*=UTF-8''..%2F..%2Fevil5.txt", "evil5.txt" },
    { "attachment; filename*=UTF-8''evil%0A%0D%006.txt", NULL },
    { "attachment; filename=\".hidden7\"", "hidden7" },
    { "attachment; filename=\"-rf8.txt\"", "rf8.txt" },
    { "attachment; filename=\"..\"", "fallback-10.bin" },
    { "attachment; filename=\"\"", "fallback-11.bin" },
    { "attachment; filename=\"fine.txt\"; filename*=UTF-8''%2Fetc%2Fevil11.txt", "evil11.txt" },
    { NULL, NULL }, /* the 400-byte name, filled in below */
  };
  DispositionCase long_case;
  g_autoptr(GPtrArray) downloads = g_ptr_array_new ();
  g_autoptr(GBytes) content = haul_test_content (4 * KIB, 18);

  long_name = g_strnfill (400 - 4, 'L');
  long_value = g_strdup_printf ("attachment; filename=\"%s.txt\"", long_name);
  long_case.disposition = long_value;
  long_case.expected = NULL;

  g_assert_false (haul_test_exists_nofollow ("/tmp/evil2.txt"));
  g_assert_cmpint (g_mkdir (inner, 0755), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const DispositionCase *c = cases[i].disposition ? &cases[i] : &long_case;
      g_autofree char *path = g_strdup_printf ("/cd/fallback-%u.bin", i);

      haul_test_server_add_file (fx->server, path, content,
                                 &(HaulTestFileOptions) { .content_disposition = c->disposition });
      g_ptr_array_add (downloads, add_to (fx, path, inner));
    }

  for (guint i = 0; i < downloads->len; i++)
    haul_test_wait_finished (g_ptr_array_index (downloads, i));

  for (guint i = 0; i < downloads->len; i++)
    {
      HaulDownload *d = g_ptr_array_index (downloads, i);
      const DispositionCase *c = cases[i].disposition ? &cases[i] : &long_case;
      const char *name = haul_download_get_filename (d);
      g_autofree char *path = NULL;
      g_autofree char *dirname = NULL;

      g_test_message ("%s → %s", c->disposition, name);
      haul_test_assert_completed_with (d, content);
      g_assert_nonnull (name);
      if (c->expected != NULL)
        g_assert_cmpstr (name, ==, c->expected);

      /* Whatever the header said: one plain name inside the folder. */
      g_assert_null (strchr (name, '/'));
      g_assert_null (strchr (name, '\\'));
      g_assert_cmpint (name[0], !=, '.');
      g_assert_cmpint (name[0], !=, '-');
      g_assert_cmpuint (strlen (name), <=, 255);
      g_assert_true (g_utf8_validate (name, -1, NULL));
      for (const char *p = name; *p != '\0'; p++)
        g_assert_cmpint ((guchar) *p, >=, 0x20);
      path = haul_download_dup_path (d);
      dirname = g_path_get_dirname (path);
      g_assert_cmpstr (dirname, ==, inner);
    }

  /* The long one keeps its extension and fits with room for " (N).part". */
  {
    const char *name = haul_download_get_filename (g_ptr_array_index (downloads, downloads->len - 1));

    g_assert_true (g_str_has_suffix (name, ".txt"));
    g_assert_true (g_str_has_prefix (name, "LLLL"));
    g_assert_cmpuint (strlen (name) + strlen (" (99).part"), <=, 255);
  }
  /* Encoded newlines and a NUL: the name is dropped or cleaned, never kept. */
  {
    const char *name = haul_download_get_filename (g_ptr_array_index (downloads, 7));

    g_assert_true (g_strcmp0 (name, "evil6.txt") == 0 || g_strcmp0 (name, "fallback-7.bin") == 0);
  }

  /* Nothing was created outside the folder, and nothing but files inside. */
  g_assert_false (haul_test_exists_nofollow ("/tmp/evil2.txt"));
  {
    g_autofree char *outer = haul_test_list_dir (fx->dir);
    g_autoptr(GDir) dir = g_dir_open (inner, 0, NULL);
    const char *entry;
    guint n = 0;

    g_assert_cmpstr (outer, ==, "inner");
    while ((entry = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (inner, entry, NULL);

        g_assert_true (g_file_test (child, G_FILE_TEST_IS_REGULAR));
        g_assert_false (g_file_test (child, G_FILE_TEST_IS_SYMLINK));
        n++;
      }
    g_assert_cmpuint (n, ==, downloads->len);
  }
}

static void
test_name_conflict (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(GBytes) a = haul_test_content (300 * KIB, 19);
  g_autoptr(GBytes) b = haul_test_content (310 * KIB, 20);
  g_autoptr(GBytes) c = haul_test_content (50 * KIB, 21);
  g_autoptr(GBytes) late = haul_test_content (400 * KIB, 22);
  g_autofree char *existing = g_build_filename (fx->dir, "exist.bin", NULL);
  g_autofree char *late_path = g_build_filename (fx->dir, "late.bin", NULL);
  g_autofree char *names = NULL;
  g_autofree char *existing_data = NULL;
  HaulDownload *da, *db, *dc, *dl;
  const char *na, *nb;

  haul_test_server_add_file (fx->server, "/one/same.bin", a, &(HaulTestFileOptions) { .rate = 1 * MIB });
  haul_test_server_add_file (fx->server, "/two/same.bin", b, &(HaulTestFileOptions) { .rate = 1 * MIB });
  haul_test_server_add_file (fx->server, "/exist.bin", c, NULL);
  haul_test_server_add_file (fx->server, "/late.bin", late, &(HaulTestFileOptions) { .rate = 256 * KIB });
  g_assert_true (g_file_set_contents (existing, "precious", -1, NULL));

  /* Two at once with the same name. */
  da = add (fx, "/one/same.bin");
  db = add (fx, "/two/same.bin");
  /* A name already taken on disk. */
  dc = add (fx, "/exist.bin");
  /* A name taken on disk while the download runs. */
  dl = add (fx, "/late.bin");
  wait_received (dl, 50 * KIB);
  g_assert_true (g_file_set_contents (late_path, "mine", -1, NULL));

  haul_test_wait_finished (da);
  haul_test_wait_finished (db);
  haul_test_wait_finished (dc);
  haul_test_wait_finished (dl);

  haul_test_assert_completed_with (da, a);
  haul_test_assert_completed_with (db, b);
  na = haul_download_get_filename (da);
  nb = haul_download_get_filename (db);
  g_assert_true ((g_strcmp0 (na, "same.bin") == 0 && g_strcmp0 (nb, "same (1).bin") == 0) ||
                 (g_strcmp0 (na, "same (1).bin") == 0 && g_strcmp0 (nb, "same.bin") == 0));

  haul_test_assert_completed_with (dc, c);
  g_assert_cmpstr (haul_download_get_filename (dc), ==, "exist (1).bin");
  g_assert_true (g_file_get_contents (existing, &existing_data, NULL, NULL));
  g_assert_cmpstr (existing_data, ==, "precious");

  haul_test_assert_completed_with (dl, late);
  g_assert_cmpstr (haul_download_get_filename (dl), ==, "late (1).bin");
  g_clear_pointer (&existing_data, g_free);
  g_assert_true (g_file_get_contents (late_path, &existing_data, NULL, NULL));
  g_assert_cmpstr (existing_data, ==, "mine");

  names = haul_test_list_dir (fx->dir);
  g_assert_cmpstr (names, ==, "exist (1).bin|exist.bin|late (1).bin|late.bin|same (1).bin|same.bin");
}

static void
test_checksum (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (500 * KIB, 23);
  g_autofree char *sha = haul_test_sha256_bytes (content);
  g_autofree char *md5 = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, content);
  g_autofree char *sha_spec = g_strdup_printf ("sha256:%s", sha);
  g_autofree char *md5_spec = g_strdup_printf ("MD5:%s", md5);
  g_autofree char *uri1 = NULL, *uri2 = NULL, *uri3 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;
  HaulDownload *d1, *d2, *d3;

  haul_test_server_add_file (fx->server, "/sum/good-sha.bin", content, NULL);
  haul_test_server_add_file (fx->server, "/sum/good-md5.bin", content, NULL);
  haul_test_server_add_file (fx->server, "/sum/bad.bin", content, NULL);
  uri1 = haul_test_server_uri (fx->server, "/sum/good-sha.bin");
  uri2 = haul_test_server_uri (fx->server, "/sum/good-md5.bin");
  uri3 = haul_test_server_uri (fx->server, "/sum/bad.bin");

  d1 = haul_download_new (uri1, fx->dir);
  g_assert_true (haul_download_set_checksum (d1, sha_spec, &error));
  g_assert_no_error (error);
  d2 = haul_download_new (uri2, fx->dir);
  g_assert_true (haul_download_set_checksum (d2, md5_spec, &error));
  g_assert_no_error (error);
  d3 = haul_download_new (uri3, fx->dir);
  g_assert_true (haul_download_set_checksum (d3, "sha256:0000000000000000000000000000000000000000000000000000000000000000",
                                             &error));
  g_assert_no_error (error);

  d1 = add_prepared (fx, d1);
  d2 = add_prepared (fx, d2);
  d3 = add_prepared (fx, d3);
  haul_test_wait_finished (d1);
  haul_test_wait_finished (d2);
  haul_test_wait_finished (d3);

  haul_test_assert_completed_with (d1, content);
  haul_test_assert_completed_with (d2, content);

  /* A mismatch fails at once, says the file is damaged, and leaves neither
   * the file nor a .part that a retry would "resume". */
  haul_test_assert_failed_with (d3, "damaged");
  haul_test_assert_error_contains (d3, "checksum");
  g_assert_cmpuint (haul_download_get_retries (d3), ==, 0);
  names = haul_test_list_dir (fx->dir);
  g_assert_cmpstr (names, ==, "good-md5.bin|good-sha.bin");
}

/* Measures a rate from published progress: from the first moment at least
 * @skip bytes were in (past the initial burst) to the end. */
typedef struct
{
  GPtrArray *downloads;
  gint64     skip;
  gint64     t0;
  gint64     r0;
} RateProbe;

static gint64
sum_received (GPtrArray *downloads)
{
  gint64 sum = 0;

  for (guint i = 0; i < downloads->len; i++)
    sum += haul_download_get_received (g_ptr_array_index (downloads, i));
  return sum;
}

static void
rate_probe_notify_cb (GObject    *object,
                      GParamSpec *pspec,
                      RateProbe  *probe)
{
  gint64 sum = sum_received (probe->downloads);

  if (probe->t0 == 0 && sum >= probe->skip)
    {
      probe->t0 = g_get_monotonic_time ();
      probe->r0 = sum;
    }
}

static gdouble
measure_rate (GPtrArray *downloads,
              gint64     skip)
{
  RateProbe probe = { downloads, skip, 0, 0 };
  gint64 t1, total;

  for (guint i = 0; i < downloads->len; i++)
    g_signal_connect (g_ptr_array_index (downloads, i), "notify::received",
                      G_CALLBACK (rate_probe_notify_cb), &probe);
  g_assert_true (haul_test_wait_until (haul_test_downloads_are_finished, downloads, HAUL_TEST_WAIT_MS));
  t1 = g_get_monotonic_time ();
  for (guint i = 0; i < downloads->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (downloads, i), &probe);

  total = sum_received (downloads);
  g_assert_cmpint (probe.t0, >, 0);
  g_assert_cmpint (t1 - probe.t0, >, G_USEC_PER_SEC);
  return (total - probe.r0) / ((t1 - probe.t0) / (gdouble) G_USEC_PER_SEC);
}

static void
test_rate_limit_global (Fixture       *fx,
                        gconstpointer  data)
{
  const gint64 rate = 200 * KIB;
  g_autoptr(GBytes) a = haul_test_content (280 * KIB, 24);
  g_autoptr(GBytes) b = haul_test_content (280 * KIB, 25);
  g_autoptr(GPtrArray) downloads = g_ptr_array_new ();
  gdouble measured;

  haul_queue_set_rate_limit (fx->queue, rate);
  haul_test_server_add_file (fx->server, "/limited-a.bin", a, NULL);
  haul_test_server_add_file (fx->server, "/limited-b.bin", b, NULL);
  g_ptr_array_add (downloads, add (fx, "/limited-a.bin"));
  g_ptr_array_add (downloads, add (fx, "/limited-b.bin"));

  measured = measure_rate (downloads, 60 * KIB);
  g_test_message ("global limit %" G_GINT64_FORMAT " B/s, measured %.0f B/s (%.1f %%)",
                  rate, measured, 100.0 * (measured - rate) / rate);
  g_assert_cmpfloat (measured, >=, rate * 0.85);
  g_assert_cmpfloat (measured, <=, rate * 1.15);

  haul_test_assert_completed_with (g_ptr_array_index (downloads, 0), a);
  haul_test_assert_completed_with (g_ptr_array_index (downloads, 1), b);
}

static void
test_rate_limit_download (Fixture       *fx,
                          gconstpointer  data)
{
  const gint64 rate = 200 * KIB;
  g_autoptr(GBytes) limited = haul_test_content (560 * KIB, 26);
  g_autoptr(GBytes) free_one = haul_test_content (2 * MIB, 27);
  g_autoptr(GPtrArray) downloads = g_ptr_array_new ();
  g_autofree char *uri = NULL;
  HaulDownload *d, *other;
  gdouble measured;

  haul_test_server_add_file (fx->server, "/own-limit.bin", limited, NULL);
  haul_test_server_add_file (fx->server, "/no-limit.bin", free_one, NULL);
  uri = haul_test_server_uri (fx->server, "/own-limit.bin");
  d = haul_download_new (uri, fx->dir);
  haul_queue_set_download_rate_limit (fx->queue, d, rate);
  d = add_prepared (fx, d);
  /* Another download at the same time is not held back by that limit. */
  other = add (fx, "/no-limit.bin");
  g_ptr_array_add (downloads, d);

  measured = measure_rate (downloads, 60 * KIB);
  g_test_message ("download limit %" G_GINT64_FORMAT " B/s, measured %.0f B/s (%.1f %%)",
                  rate, measured, 100.0 * (measured - rate) / rate);
  g_assert_cmpfloat (measured, >=, rate * 0.85);
  g_assert_cmpfloat (measured, <=, rate * 1.15);
  haul_test_assert_completed_with (d, limited);

  haul_test_wait_finished (other);
  haul_test_assert_completed_with (other, free_one);
}

static void
test_symlink_part (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (200 * KIB, 28);
  g_autoptr(GError) error = NULL;
  g_autofree char *outside = g_dir_make_tmp ("haul-outside-XXXXXX", &error);
  g_autofree char *target = NULL;
  g_autofree char *target2 = NULL;
  g_autofree char *link = g_build_filename (fx->dir, "victim.bin.part", NULL);
  g_autofree char *link2 = g_build_filename (fx->dir, "victim2.bin", NULL);
  g_autofree char *data_after = NULL;
  g_autofree char *link_target = NULL;
  HaulDownload *d;

  g_assert_no_error (error);
  target = g_build_filename (outside, "precious.txt", NULL);
  target2 = g_build_filename (outside, "precious2.txt", NULL);
  g_assert_true (g_file_set_contents (target, "do not touch", -1, NULL));
  g_assert_true (g_file_set_contents (target2, "do not touch either", -1, NULL));
  g_assert_cmpint (symlink (target, link), ==, 0);
  g_assert_cmpint (symlink (target2, link2), ==, 0);

  haul_test_server_add_file (fx->server, "/victim.bin", content, NULL);
  haul_test_server_add_file (fx->server, "/victim2.bin", content, NULL);
  d = add (fx, "/victim.bin");
  haul_test_wait_finished (d);
  /* The planted NAME.part is left alone: the download takes another name. */
  haul_test_assert_completed_with (d, content);
  g_assert_cmpstr (haul_download_get_filename (d), ==, "victim (1).bin");

  /* Same for a link planted at the final name. */
  d = add (fx, "/victim2.bin");
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);
  g_assert_cmpstr (haul_download_get_filename (d), ==, "victim2 (1).bin");

  g_assert_true (g_file_get_contents (target, &data_after, NULL, NULL));
  g_assert_cmpstr (data_after, ==, "do not touch");
  g_clear_pointer (&data_after, g_free);
  g_assert_true (g_file_get_contents (target2, &data_after, NULL, NULL));
  g_assert_cmpstr (data_after, ==, "do not touch either");
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  link_target = g_file_read_link (link, NULL);
  g_assert_cmpstr (link_target, ==, target);
  {
    g_autofree char *names = haul_test_list_dir (outside);

    g_assert_cmpstr (names, ==, "precious.txt|precious2.txt");
  }
  haul_test_rm_rf (outside);
}

/* A hard link planted at NAME.part (same filesystem, so it is another
 * file's inode) is neither emptied nor written: opening it would truncate
 * the other file, and appending would change it. */
static void
test_hardlink_part (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (200 * KIB, 31);
  g_autofree char *outside = g_build_filename (fx->dir, "outside", NULL);
  g_autofree char *target = g_build_filename (outside, "precious.txt", NULL);
  g_autofree char *planted = g_build_filename (fx->dir, "linked.bin.part", NULL);
  g_autofree char *data_after = NULL;
  struct stat st;
  HaulDownload *d;

  g_assert_cmpint (g_mkdir (outside, 0700), ==, 0);
  g_assert_true (g_file_set_contents (target, "do not touch", -1, NULL));
  g_assert_cmpint (link (target, planted), ==, 0);

  haul_test_server_add_file (fx->server, "/linked.bin", content, NULL);
  d = add (fx, "/linked.bin");
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);
  g_assert_cmpstr (haul_download_get_filename (d), ==, "linked (1).bin");

  g_assert_true (g_file_get_contents (target, &data_after, NULL, NULL));
  g_assert_cmpstr (data_after, ==, "do not touch");
  g_assert_cmpint (stat (planted, &st), ==, 0);
  g_assert_cmpint (st.st_nlink, ==, 2);
  g_assert_cmpint (st.st_size, ==, strlen ("do not touch"));
}

/* A link swapped in for the kept .part of a paused download. */
typedef struct
{
  const char *path;
  const char *etag;
  guint32     seed;
  gboolean    hard;          /* a hard link, else a symbolic one */
  const char *failed_with;
} SwappedPart;

/* A symbolic link: resuming refuses to follow it. */
static const SwappedPart symlink_swapped = { "/swap.bin", "\"s1\"", 29, FALSE, "symbolic link" };
/* The same with a hard link swapped in: the paused download restarts from
 * zero (the .part is not the one it left), and an open with O_TRUNC would
 * have emptied the other file through the link. */
static const SwappedPart hardlink_swapped = { "/hswap.bin", "\"h1\"", 32, TRUE, "hard link" };

static void
test_swapped_part_resume (Fixture       *fx,
                          gconstpointer  data)
{
  const SwappedPart *c = data;
  g_autoptr(GBytes) content = haul_test_content (1 * MIB, c->seed);
  g_autoptr(GError) error = NULL;
  /* A hard link must stay on the same filesystem. */
  g_autofree char *outside = c->hard ? g_build_filename (fx->dir, "outside", NULL)
                                     : g_dir_make_tmp ("haul-outside-XXXXXX", &error);
  g_autofree char *target = NULL;
  g_autofree char *part = NULL;
  g_autofree char *data_after = NULL;
  HaulDownload *d;

  g_assert_no_error (error);
  if (c->hard)
    g_assert_cmpint (g_mkdir (outside, 0700), ==, 0);
  target = g_build_filename (outside, "precious.txt", NULL);
  g_assert_true (g_file_set_contents (target, "do not touch", -1, NULL));

  haul_test_server_add_file (fx->server, c->path, content,
                             &(HaulTestFileOptions) { .rate = 1 * MIB, .etag = c->etag });
  d = add (fx, c->path);
  wait_received (d, 64 * KIB);
  haul_queue_pause (fx->queue, d);
  haul_test_wait_paused (d);

  /* Someone swaps the kept .part for a link while it is paused. */
  part = part_path (d);
  g_assert_cmpint (g_unlink (part), ==, 0);
  if (c->hard)
    g_assert_cmpint (link (target, part), ==, 0);
  else
    g_assert_cmpint (symlink (target, part), ==, 0);

  haul_queue_resume (fx->queue, d);
  haul_test_wait_finished (d);
  haul_test_assert_failed_with (d, c->failed_with);

  g_assert_true (g_file_get_contents (target, &data_after, NULL, NULL));
  g_assert_cmpstr (data_after, ==, "do not touch");
  if (!c->hard)
    {
      g_assert_true (g_file_test (part, G_FILE_TEST_IS_SYMLINK));
      haul_test_rm_rf (outside);
    }
}

/* ------------------------------------------------------------------ */
/* One file served with a fault: the table */

#define NOT_CHECKED (-1)

typedef struct
{
  const char          *name;            /* the test path below /haul/core/transfer/ */
  const char          *path;            /* served (size > 0) or not */
  gsize                size;
  guint32              seed;
  gsize                new_size;        /* > 0: what the file becomes (options.change_after) */
  guint32              new_seed;
  HaulTestFileOptions  options;
  guint                connect_timeout; /* queue settings; 0: as configured */
  guint                stall_timeout;
  guint                max_retries;

  /* What must hold once it finished */
  const char          *failed_with;     /* NULL: completed with the (new) content */
  int                  retries;         /* NOT_CHECKED or exactly */
  const char          *errors_seen[3];  /* shown at some point (NULL-terminated) */
  guint                linger_ms;       /* waited before counting requests */
  guint                min_elapsed_ms;  /* from the add to the end */
  const char          *ranges;          /* the Range headers, "|"-joined; NULL: not checked */
  const char          *if_range;        /* the one If-Range sent; NULL: not checked */
  guint                n_requests;      /* 0: not checked */
  const char          *folder;          /* NULL: not checked */
} ServedCase;

static const ServedCase served_cases[] = {
  {
    /* The second request resumes where the connection broke. */
    .name = "reset-resume",
    .path = "/reset.bin", .size = 1 * MIB + 11, .seed = 5,
    .options = { .etag = "\"r1\"", .reset = TRUE, .reset_after = 300000, .reset_times = 1 },
    .retries = 1, .errors_seen = { "closed the connection" },
    .ranges = "bytes=300000-", .n_requests = 2,
  },
  {
    /* The server answered the resume with 200 and the whole file: the
     * engine started over instead of appending it to the first 250000 bytes. */
    .name = "ignore-range",
    .path = "/norange.bin", .size = 800 * KIB, .seed = 6,
    .options = { .ignore_range = TRUE, .reset = TRUE, .reset_after = 250000, .reset_times = 1 },
    .retries = NOT_CHECKED,
    .ranges = "bytes=250000-", .n_requests = 2,
  },
  {
    /* If-Range "v1" no longer matched: the whole new file, not a splice. */
    .name = "etag-changed",
    .path = "/changing.bin", .size = 700 * KIB, .seed = 7, .new_size = 900 * KIB, .new_seed = 8,
    .options = {
      .etag = "\"v1\"", .reset = TRUE, .reset_after = 200000, .reset_times = 1,
      .change_after = 1, .new_etag = "\"v2\"",
    },
    .retries = NOT_CHECKED,
    .ranges = "bytes=200000-", .if_range = "\"v1\"",
  },
  {
    /* A broken server answers the resume with 206 of the new file despite
     * If-Range: the engine sees the ETag changed and starts over. */
    .name = "etag-changed-206",
    .path = "/changing-206.bin", .size = 700 * KIB, .seed = 33, .new_size = 700 * KIB, .new_seed = 34,
    .options = {
      .etag = "\"v1\"", .reset = TRUE, .reset_after = 200000, .reset_times = 1,
      .change_after = 1, .new_etag = "\"v2\"", .ignore_if_range = TRUE,
    },
    .retries = NOT_CHECKED,
    .ranges = "bytes=200000-", .n_requests = 3,
  },
  {
    /* No ETag: the resume is validated with Last-Modified. */
    .name = "resume-last-modified",
    .path = "/dated.bin", .size = 600 * KIB, .seed = 35,
    .options = {
      .last_modified = "Tue, 15 Nov 1994 08:12:31 GMT",
      .reset = TRUE, .reset_after = 100000, .reset_times = 1,
    },
    .retries = NOT_CHECKED,
    .ranges = "bytes=100000-", .if_range = "Tue, 15 Nov 1994 08:12:31 GMT",
  },
  {
    /* No answer within the connect timeout: a timeout, retried, then failed. */
    .name = "slow-headers",
    .path = "/silent.bin", .size = 10 * KIB, .seed = 36,
    .options = { .headers_delay_ms = 5000 },
    .connect_timeout = 1, .max_retries = 1,
    .failed_with = "within 1 second", .retries = 1,
    .n_requests = 2, .folder = "",
  },
  {
    /* Permanent: no retry, and none comes later either. */
    .name = "not-found",
    .path = "/no/such/file.bin",
    .failed_with = "404", .retries = 0, .linger_ms = 300,
    .n_requests = 1, .folder = "",
  },
  {
    /* It waited for Retry-After (1 s), not for the 50 ms base delay. */
    .name = "retry-after",
    .path = "/busy.bin", .size = 100 * KIB, .seed = 15,
    .options = { .fail_status = 503, .fail_times = 1, .retry_after = "1" },
    .retries = 1, .errors_seen = { "503", "in 1 s" }, .min_elapsed_ms = 900,
    .n_requests = 2,
  },
  {
    /* The first attempt timed out, the retry resumed and finished. */
    .name = "stall-timeout",
    .path = "/stall.bin", .size = 400 * KIB, .seed = 16,
    .options = { .stall = TRUE, .stall_after = 100 * KIB, .stall_times = 1 },
    .stall_timeout = 1,
    .retries = 1, .errors_seen = { "No data arrived" },
    .ranges = "bytes=102400-",
  },
};

static void
configure_case (HaulQueue        *queue,
                const ServedCase *c)
{
  if (c->connect_timeout != 0)
    g_object_set (queue, "connect-timeout", c->connect_timeout, NULL);
  if (c->stall_timeout != 0)
    g_object_set (queue, "stall-timeout", c->stall_timeout, NULL);
  if (c->max_retries != 0)
    g_object_set (queue, "max-retries", c->max_retries, NULL);
}

/* Everything but the outcome itself: retries, errors shown, timing and
 * what the server saw. */
static void
assert_served (Fixture          *fx,
               const ServedCase *c,
               HaulDownload     *d,
               gint64            start)
{
  if (c->retries != NOT_CHECKED)
    g_assert_cmpuint (haul_download_get_retries (d), ==, c->retries);
  for (guint i = 0; c->errors_seen[i] != NULL; i++)
    g_assert_true (errors_contain (fx, c->errors_seen[i]));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, c->min_elapsed_ms * 1000);
  if (c->linger_ms > 0)
    haul_test_spin (c->linger_ms);
  if (c->ranges != NULL)
    assert_ranges (fx->server, c->path, c->ranges);
  if (c->if_range != NULL)
    {
      g_auto(GStrv) if_ranges = haul_test_server_get_if_ranges (fx->server, c->path);

      g_assert_cmpuint (g_strv_length (if_ranges), ==, 1);
      g_assert_cmpstr (if_ranges[0], ==, c->if_range);
    }
  if (c->n_requests > 0)
    g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, c->path), ==, c->n_requests);
  if (c->folder != NULL)
    haul_test_assert_folder (fx->dir, c->folder);
}

static void
test_served (Fixture       *fx,
             gconstpointer  data)
{
  const ServedCase *c = data;
  g_autoptr(GBytes) content = c->size > 0 ? haul_test_content (c->size, c->seed) : NULL;
  g_autoptr(GBytes) new_content = c->new_size > 0 ? haul_test_content (c->new_size, c->new_seed) : NULL;
  HaulTestFileOptions options = c->options;
  HaulDownload *d;
  gint64 start;

  configure_case (fx->queue, c);
  options.new_content = new_content;
  if (content != NULL)
    haul_test_server_add_file (fx->server, c->path, content, &options);
  start = g_get_monotonic_time ();
  d = add (fx, c->path);
  haul_test_wait_finished (d);

  if (c->failed_with != NULL)
    haul_test_assert_failed_with (d, c->failed_with);
  else
    haul_test_assert_completed_with (d, new_content != NULL ? new_content : content);
  assert_served (fx, c, d, start);
}

/* ------------------------------------------------------------------ */
/* Local failures: unwritable folder, full disk
 *
 * Both run in a subprocess (g_test_trap_subprocess) so that it can enter
 * a private mount namespace before it starts any thread (a mount namespace
 * is per thread; unshare() of a user namespace requires a single-threaded
 * process), and so that an rlimit or a mount never leaks into other tests.
 */

/* What a child process runs: its own server and queue. */
typedef struct
{
  HaulTestServer *server;
  HaulQueue      *queue;
} Child;

/* Runs one download of @content into @dir in this (child) process, and
 * checks that it failed at once (no retry) with @needle in its error,
 * which it prints for the parent. Returns: (transfer full) */
static HaulDownload *
fail_once (Child      *child,
           const char *dir,
           GBytes     *content,
           const char *needle)
{
  g_autofree char *uri = NULL;
  g_autoptr(GError) error = NULL;
  HaulDownload *d;

  child->server = haul_test_server_new ();
  child->queue = haul_queue_new ();
  configure_queue (child->queue);
  haul_test_server_add_file (child->server, "/big.bin", content, NULL);
  uri = haul_test_server_uri (child->server, "/big.bin");
  d = haul_queue_add (child->queue, uri, dir, &error);
  g_assert_no_error (error);
  haul_test_wait_finished (d);

  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_FAILED);
  g_print ("error: %s\n", haul_download_get_error (d));
  haul_test_assert_error_contains (d, needle);
  /* Permanent: no retry. */
  g_assert_cmpuint (haul_download_get_retries (d), ==, 0);
  return g_object_ref (d);
}

static void
child_clean_up (Child      *child,
                const char *dest,
                const char *base)
{
  shut_down_queue (&child->queue);
  haul_test_server_free (child->server);
  umount2 (dest, MNT_DETACH);
  haul_test_rm_rf (base);
}

static void
unwritable_child (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_dir_make_tmp ("haul-unwritable-XXXXXX", &error);
  g_autofree char *dest = NULL;
  g_autoptr(GBytes) content = haul_test_content (100 * KIB, 30);
  Child child;
  g_autoptr(HaulDownload) d = NULL;
  const char *method = NULL;

  g_assert_no_error (error);
  dest = g_build_filename (base, "read-only", NULL);
  g_assert_cmpint (g_mkdir (dest, 0755), ==, 0);

  /* As an ordinary user, a 0555 folder is enough. Root (CI) writes into
   * it anyway (CAP_DAC_OVERRIDE), so then make the folder a read-only bind
   * mount in a private mount namespace: that stops root too (EROFS). */
  g_assert_cmpint (chmod (dest, 0555), ==, 0);
  if (access (dest, W_OK) != 0)
    method = "chmod 0555";
  else if (haul_test_enter_private_mount_namespace () &&
           mount (dest, dest, NULL, MS_BIND, NULL) == 0 &&
           mount (NULL, dest, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) == 0)
    method = "read-only bind mount in a private mount namespace";

  /* The parent checked that one of the two works here. */
  g_assert_nonnull (method);
  g_printerr ("unwritable folder made with: %s\n", method);

  d = fail_once (&child, dest, content, "not allowed to write");
  {
    g_autofree char *names = haul_test_list_dir (dest);

    g_assert_cmpstr (names, ==, "");
  }

  child_clean_up (&child, dest, base);
}

typedef enum
{
  PROBE_READ_ONLY_BIND,
  PROBE_TMPFS,
} Probe;

/* Whether a (forked, hence single-threaded) child can enter a private
 * mount namespace and make a read-only bind mount or a small tmpfs. */
static gboolean
probe_mounts (Probe probe)
{
  g_autofree char *dir = g_dir_make_tmp ("haul-probe-XXXXXX", NULL);
  int status = 0;
  pid_t pid;

  g_assert_nonnull (dir);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      gboolean ok = haul_test_enter_private_mount_namespace ();

      if (ok && probe == PROBE_READ_ONLY_BIND)
        ok = mount (dir, dir, NULL, MS_BIND, NULL) == 0 &&
             mount (NULL, dir, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) == 0;
      else if (ok)
        ok = mount ("tmpfs", dir, "tmpfs", 0, "size=64k") == 0;
      _exit (ok ? 0 : 1);
    }
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  g_rmdir (dir);
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

static gboolean
chmod_stops_writes (void)
{
  g_autofree char *dir = g_dir_make_tmp ("haul-probe-XXXXXX", NULL);
  gboolean stops;

  g_assert_nonnull (dir);
  chmod (dir, 0555);
  stops = access (dir, W_OK) != 0;
  g_rmdir (dir);
  return stops;
}

static void
test_unwritable (void)
{
  if (g_test_subprocess ())
    {
      unwritable_child ();
      return;
    }

  if (!chmod_stops_writes () && !probe_mounts (PROBE_READ_ONLY_BIND))
    {
      /* Root (CAP_DAC_OVERRIDE) ignores 0555, and without CAP_SYS_ADMIN or
       * user namespaces no read-only mount can be made either. */
      g_test_skip ("running as root without mount namespaces: no way to make a folder unwritable");
      return;
    }

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*error: Haul is not allowed to write*");
}

static void
test_no_folder (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (10 * KIB, 31);
  g_autofree char *file = g_build_filename (fx->dir, "a-file", NULL);
  g_autofree char *below_file = g_build_filename (file, "sub", NULL);
  g_autofree char *missing = g_build_filename (fx->dir, "missing", NULL);
  g_autofree char *uri1 = haul_test_server_uri (fx->server, "/u1.bin");
  g_autofree char *uri2 = haul_test_server_uri (fx->server, "/u2.bin");
  g_autoptr(GError) error = NULL;
  HaulDownload *d1, *d2;

  /* These fail for root too: a "folder" below a regular file, and a folder
   * that does not exist (and is not created). */
  g_assert_true (g_file_set_contents (file, "x", -1, NULL));
  haul_test_server_add_file (fx->server, "/u1.bin", content, NULL);
  haul_test_server_add_file (fx->server, "/u2.bin", content, NULL);
  d1 = haul_queue_add (fx->queue, uri1, below_file, &error);
  g_assert_no_error (error);
  d2 = haul_queue_add (fx->queue, uri2, missing, &error);
  g_assert_no_error (error);
  haul_test_wait_finished (d1);
  haul_test_wait_finished (d2);

  haul_test_assert_failed_with (d1, "does not exist");
  haul_test_assert_failed_with (d2, "does not exist");
  g_assert_cmpuint (haul_download_get_retries (d1), ==, 0);
  g_assert_false (haul_test_exists_nofollow (missing));
  haul_test_assert_folder (fx->dir, "a-file");
}

static void
disk_full_child (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_dir_make_tmp ("haul-diskfull-XXXXXX", &error);
  g_autofree char *dest = NULL;
  g_autoptr(GBytes) content = haul_test_content (2 * MIB, 32);
  Child child;
  g_autoptr(HaulDownload) d = NULL;
  const char *method;

  g_assert_no_error (error);
  dest = g_build_filename (base, "disk", NULL);
  g_assert_cmpint (g_mkdir (dest, 0755), ==, 0);

  method = haul_test_fill_disk_at (dest, 512 * KIB);
  g_printerr ("disk full simulated with: %s\n", method);

  d = fail_once (&child, dest, content, "disk is full");
  /* Nothing but the partial file is there. */
  g_assert_cmpuint (haul_test_server_get_n_requests (child.server, "/big.bin"), ==, 1);
  {
    g_autofree char *names = haul_test_list_dir (dest);

    g_assert_cmpstr (names, ==, "big.bin.part");
  }

  child_clean_up (&child, dest, base);
}

static void
test_disk_full (void)
{
  if (g_test_subprocess ())
    {
      disk_full_child ();
      return;
    }

  g_test_message ("disk full via %s", probe_mounts (PROBE_TMPFS) ? "a private tmpfs" : "RLIMIT_FSIZE");
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*error: The disk is full*");
}

/* ------------------------------------------------------------------ */

#define ADD(path, func) \
  g_test_add ("/haul/core/transfer/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  haul_test_ignore_proxies ();

  ADD ("plain", test_plain);
  ADD ("concurrent", test_concurrent);
  ADD ("pause-resume", test_pause_resume);
  ADD ("pause-keeps-part", test_pause_keeps_part);
  ADD ("cancel-deletes-part", test_cancel_deletes_part);
  for (guint i = 0; i < G_N_ELEMENTS (served_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/haul/core/transfer/", served_cases[i].name, NULL);

      g_test_add (path, Fixture, &served_cases[i], fixture_set_up, test_served, fixture_tear_down);
    }
  ADD ("resume-existing-part", test_resume_existing_part);
  ADD ("resume-complete-part", test_resume_complete_part);
  ADD ("html-on-resume", test_html_on_resume);
  ADD ("length-too-long", test_length_too_long);
  ADD ("length-too-short", test_length_too_short);
  ADD ("chunked", test_chunked);
  ADD ("no-content-decoding", test_no_content_decoding);
  ADD ("redirect-chain", test_redirect_chain);
  ADD ("redirect-loop", test_redirect_loop);
  ADD ("redirect-too-many", test_redirect_too_many);
  ADD ("empty", test_empty);
  ADD ("stall-pause", test_stall_pause);
  ADD ("content-disposition", test_content_disposition);
  ADD ("name-conflict", test_name_conflict);
  ADD ("checksum", test_checksum);
  ADD ("rate-limit-global", test_rate_limit_global);
  ADD ("rate-limit-download", test_rate_limit_download);
  ADD ("symlink-part", test_symlink_part);
  g_test_add ("/haul/core/transfer/symlink-part-resume", Fixture, &symlink_swapped,
              fixture_set_up, test_swapped_part_resume, fixture_tear_down);
  ADD ("hardlink-part", test_hardlink_part);
  g_test_add ("/haul/core/transfer/hardlink-part-resume", Fixture, &hardlink_swapped,
              fixture_set_up, test_swapped_part_resume, fixture_tear_down);
  ADD ("no-folder", test_no_folder);
  /* No fixture: these start their threads only inside the subprocess. */
  g_test_add_func ("/haul/core/transfer/unwritable", test_unwritable);
  g_test_add_func ("/haul/core/transfer/disk-full", test_disk_full);

  return g_test_run ();
}
