/* test-demo.c — the demo server of `haul --demo`, through the real engine
 *
 * Starts a HaulDemo, looks at every link it offers with HEAD, runs the two
 * smallest files and the expired link through a real HaulQueue, and checks
 * the bytes on disk against the deterministic content, Range and If-Range
 * answers, and that stopping never hangs on an open download.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-demo"

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "haul-byte-range.h"
#include "haul-demo.h"
#include "haul-download.h"
#include "haul-queue.h"
#include "haul-test-queue.h"
#include "haul-test-server.h"

typedef struct
{
  char    *uri;
  guint    status;
  gint64   size;
  char    *name;         /* the name it is saved under */
  char    *etag;
  gboolean disposition;  /* the name came from Content-Disposition */
} Link;

static void
link_free (Link *link)
{
  g_free (link->uri);
  g_free (link->name);
  g_free (link->etag);
  g_free (link);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Link, link_free)

typedef struct
{
  HaulDemo    *demo;
  SoupSession *session;
  GPtrArray   *links;    /* Link, in the demo's order */
} Fixture;

/* ------------------------------------------------------------------ */
/* Helpers */

static GBytes *
expected_content (const char *name,
                  guint64     offset,
                  gsize       length)
{
  guint8 *data = g_malloc (length);

  haul_demo_fill_content (name, offset, data, length);
  return g_bytes_new_take (data, length);
}

static SoupMessage *
request (Fixture    *fx,
         const char *method,
         const char *uri,
         const char *range,
         const char *if_range)
{
  SoupMessage *msg = soup_message_new (method, uri);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  g_assert_nonnull (msg);
  soup_message_headers_replace (headers, "Accept-Encoding", "identity");
  if (range != NULL)
    soup_message_headers_replace (headers, "Range", range);
  if (if_range != NULL)
    soup_message_headers_replace (headers, "If-Range", if_range);
  return msg;
}

static GBytes *
get (Fixture      *fx,
     const char   *uri,
     const char   *range,
     const char   *if_range,
     SoupMessage **out_msg)
{
  g_autoptr(SoupMessage) msg = request (fx, SOUP_METHOD_GET, uri, range, if_range);
  g_autoptr(GError) error = NULL;
  GBytes *body;

  body = soup_session_send_and_read (fx->session, msg, NULL, &error);
  g_assert_no_error (error);
  *out_msg = g_steal_pointer (&msg);
  return body;
}

static Link *
head_link (Fixture    *fx,
           const char *uri)
{
  g_autoptr(SoupMessage) msg = request (fx, SOUP_METHOD_HEAD, uri, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(Link) link = g_new0 (Link, 1);
  SoupMessageHeaders *rh;
  g_autoptr(GHashTable) params = NULL;
  char *disposition = NULL;

  body = soup_session_send_and_read (fx->session, msg, NULL, &error);
  g_assert_no_error (error);
  rh = soup_message_get_response_headers (msg);

  link->uri = g_strdup (uri);
  link->status = soup_message_get_status (msg);
  if (link->status != SOUP_STATUS_OK)
    return g_steal_pointer (&link);

  g_assert_cmpint (soup_message_headers_get_encoding (rh), ==, SOUP_ENCODING_CONTENT_LENGTH);
  link->size = soup_message_headers_get_content_length (rh);
  link->etag = g_strdup (soup_message_headers_get_one (rh, "ETag"));
  g_assert_cmpstr (soup_message_headers_get_one (rh, "Accept-Ranges"), ==, "bytes");
  g_assert_nonnull (link->etag);
  g_assert_true (g_str_has_prefix (link->etag, "\"")); /* strong */
  g_assert_nonnull (soup_message_headers_get_one (rh, "Last-Modified"));

  if (soup_message_headers_get_content_disposition (rh, &disposition, &params))
    {
      const char *filename = g_hash_table_lookup (params, "filename");

      g_assert_cmpstr (disposition, ==, "attachment");
      g_assert_nonnull (filename);
      link->name = g_strdup (filename);
      link->disposition = TRUE;
      g_free (disposition);
    }
  else
    {
      g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
      const char *path = g_uri_get_path (parsed);

      link->name = g_strdup (strrchr (path, '/') + 1);
    }
  return g_steal_pointer (&link);
}

static const Link *
find_failing (Fixture *fx)
{
  for (guint i = 0; i < fx->links->len; i++)
    {
      const Link *link = g_ptr_array_index (fx->links, i);

      if (link->status != SOUP_STATUS_OK)
        return link;
    }
  g_assert_not_reached ();
}

static gint
compare_size (gconstpointer a,
              gconstpointer b)
{
  const Link *la = *(const Link * const *) a;
  const Link *lb = *(const Link * const *) b;

  return (la->size > lb->size) - (la->size < lb->size);
}

/* The files (not the failing link), smallest first. Free with g_ptr_array_unref(). */
static GPtrArray *
files_by_size (Fixture *fx)
{
  GPtrArray *files = g_ptr_array_new ();

  for (guint i = 0; i < fx->links->len; i++)
    {
      Link *link = g_ptr_array_index (fx->links, i);

      if (link->status == SOUP_STATUS_OK)
        g_ptr_array_add (files, link);
    }
  g_ptr_array_sort (files, compare_size);
  return files;
}

/* ------------------------------------------------------------------ */
/* Fixture */

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) uris = NULL;

  fx->demo = haul_demo_new ();
  g_assert_true (haul_demo_start (fx->demo, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (haul_demo_get_port (fx->demo), >, 0);

  fx->session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  soup_session_remove_feature_by_type (fx->session, SOUP_TYPE_CONTENT_DECODER);

  uris = haul_demo_dup_uris (fx->demo);
  fx->links = g_ptr_array_new_with_free_func ((GDestroyNotify) link_free);
  for (guint i = 0; i < uris->len; i++)
    g_ptr_array_add (fx->links, head_link (fx, g_ptr_array_index (uris, i)));
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_clear_object (&fx->session);
  g_clear_object (&fx->demo);
  g_clear_pointer (&fx->links, g_ptr_array_unref);
}

/* ------------------------------------------------------------------ */
/* Tests */

/* A dozen links on 127.0.0.1, realistic and varied, one expired, one
 * named by Content-Disposition. */
static void
test_links (Fixture       *fx,
            gconstpointer  data)
{
  g_autofree char *prefix = g_strdup_printf ("http://127.0.0.1:%u/", haul_demo_get_port (fx->demo));
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) files = files_by_size (fx);
  guint n_failing = 0, n_disposition = 0;
  gint64 total = 0;

  g_assert_cmpuint (fx->links->len, >=, 10);
  g_assert_cmpuint (fx->links->len, <=, 16);

  for (guint i = 0; i < fx->links->len; i++)
    {
      const Link *link = g_ptr_array_index (fx->links, i);

      g_assert_true (g_str_has_prefix (link->uri, prefix));
      if (link->status == SOUP_STATUS_NOT_FOUND)
        {
          n_failing++;
          continue;
        }
      g_assert_cmpuint (link->status, ==, SOUP_STATUS_OK);
      g_assert_nonnull (link->name);
      g_assert_nonnull (strchr (link->name, '.')); /* a real name with an extension */
      g_assert_false (g_hash_table_contains (names, link->name));
      g_hash_table_add (names, link->name);
      if (link->disposition)
        {
          n_disposition++;
          /* The link alone would not give this name. */
          g_assert_null (strstr (link->uri, link->name));
        }
      total += link->size;
    }

  g_assert_cmpuint (n_failing, ==, 1);
  g_assert_cmpuint (n_disposition, ==, 1);
  /* From a few hundred KiB to about 150 MiB. */
  g_assert_cmpint (((Link *) g_ptr_array_index (files, 0))->size, >=, 200 * KIB);
  g_assert_cmpint (((Link *) g_ptr_array_index (files, 0))->size, <, MIB);
  g_assert_cmpint (((Link *) g_ptr_array_index (files, files->len - 1))->size, >, 100 * MIB);
  g_assert_cmpint (((Link *) g_ptr_array_index (files, files->len - 1))->size, <=, 160 * MIB);
  g_assert_cmpint (total, >, 200 * MIB);
}

/* The two smallest files and the expired link, through the real engine. */
static void
test_engine (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) files = files_by_size (fx);
  g_autoptr(HaulQueue) queue = haul_queue_new ();
  g_autofree char *dir = haul_test_make_tmp_dir ();
  g_autofree char *listing = NULL;
  g_autofree char *want_listing = NULL;
  const Link *failing = find_failing (fx);
  HaulDownload *downloads[2];
  HaulDownload *failed;
  g_autoptr(GError) error = NULL;

  g_object_set (queue, "connect-timeout", 10, "max-active", 4, NULL);

  for (guint i = 0; i < 2; i++)
    {
      const Link *link = g_ptr_array_index (files, i);

      g_test_message ("downloading %s (%" G_GINT64_FORMAT " bytes) as %s", link->uri, link->size, link->name);
      downloads[i] = haul_queue_add (queue, link->uri, dir, &error);
      g_assert_no_error (error);
      g_assert_nonnull (downloads[i]);
    }
  failed = haul_queue_add (queue, failing->uri, dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (failed);

  for (guint i = 0; i < 2; i++)
    {
      const Link *link = g_ptr_array_index (files, i);
      g_autoptr(GBytes) content = expected_content (link->name, 0, link->size);

      haul_test_wait_finished (downloads[i]);
      haul_test_assert_completed_with (downloads[i], content);
      g_assert_cmpstr (haul_download_get_filename (downloads[i]), ==, link->name);
    }

  haul_test_wait_finished (failed);
  g_assert_cmpint (haul_download_get_state (failed), ==, HAUL_DOWNLOAD_STATE_FAILED);
  g_assert_nonnull (haul_download_get_error (failed));
  g_assert_nonnull (strstr (haul_download_get_error (failed), "404"));

  /* Only the two files: nothing of the failed one. */
  listing = haul_test_list_dir (dir);
  {
    const char *a = ((Link *) g_ptr_array_index (files, 0))->name;
    const char *b = ((Link *) g_ptr_array_index (files, 1))->name;

    want_listing = strcmp (a, b) < 0 ? g_strdup_printf ("%s|%s", a, b) : g_strdup_printf ("%s|%s", b, a);
  }
  g_assert_cmpstr (listing, ==, want_listing);

  haul_test_release_queue (&queue);
  haul_test_rm_rf (dir);
}

/* Range answers: 206 with the right bytes and Content-Range, If-Range
 * honoured, 416 past the end. */
static void
test_range (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) files = files_by_size (fx);
  const Link *big = g_ptr_array_index (files, files->len - 1);
  const Link *small = g_ptr_array_index (files, 0);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) want = NULL;
  g_autofree char *range = NULL;
  g_autofree char *value = NULL;
  SoupMessageHeaders *rh;
  goffset start, end, total;
  gint64 offset = big->size - 100 * KIB - 123;

  /* Near the end of the biggest file: the content is generated at any offset. */
  range = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT, offset, offset + 4095);
  body = get (fx, big->uri, range, big->etag, &msg);
  rh = soup_message_get_response_headers (msg);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_PARTIAL_CONTENT);
  g_assert_true (soup_message_headers_get_content_range (rh, &start, &end, &total));
  g_assert_cmpint (start, ==, offset);
  g_assert_cmpint (end, ==, offset + 4095);
  g_assert_cmpint (total, ==, big->size);
  g_assert_cmpint (soup_message_headers_get_content_length (rh), ==, 4096);
  g_assert_cmpstr (soup_message_headers_get_one (rh, "ETag"), ==, big->etag);
  want = expected_content (big->name, offset, 4096);
  g_assert_true (g_bytes_equal (body, want));
  g_clear_object (&msg);
  g_clear_pointer (&body, g_bytes_unref);
  g_clear_pointer (&want, g_bytes_unref);

  /* Open-ended, as a resume asks: the rest of the file. */
  g_clear_pointer (&range, g_free);
  range = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", small->size - 10000);
  body = get (fx, small->uri, range, NULL, &msg);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_PARTIAL_CONTENT);
  want = expected_content (small->name, small->size - 10000, 10000);
  g_assert_true (g_bytes_equal (body, want));
  g_clear_object (&msg);
  g_clear_pointer (&body, g_bytes_unref);
  g_clear_pointer (&want, g_bytes_unref);

  /* A suffix range: the last 100 bytes. */
  body = get (fx, small->uri, "bytes=-100", NULL, &msg);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_PARTIAL_CONTENT);
  want = expected_content (small->name, small->size - 100, 100);
  g_assert_true (g_bytes_equal (body, want));
  g_clear_object (&msg);
  g_clear_pointer (&body, g_bytes_unref);
  g_clear_pointer (&want, g_bytes_unref);

  /* Past the end. */
  g_clear_pointer (&range, g_free);
  range = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", small->size);
  body = get (fx, small->uri, range, NULL, &msg);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE);
  value = g_strdup_printf ("bytes */%" G_GINT64_FORMAT, small->size);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg), "Content-Range"),
                   ==, value);
  g_clear_object (&msg);
  g_clear_pointer (&body, g_bytes_unref);

  /* If-Range with another validator: the whole file, from the start. */
  {
    g_autoptr(SoupMessage) full = request (fx, SOUP_METHOD_GET, small->uri, "bytes=1000-", "\"stale\"");
    g_autoptr(GInputStream) stream = NULL;
    g_autoptr(GError) error = NULL;
    guint8 buffer[64];
    gsize n_read = 0;

    stream = soup_session_send (fx->session, full, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (full), ==, SOUP_STATUS_OK);
    g_assert_cmpint (soup_message_headers_get_content_length (soup_message_get_response_headers (full)),
                     ==, small->size);
    g_assert_true (g_input_stream_read_all (stream, buffer, sizeof buffer, &n_read, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (n_read, ==, sizeof buffer);
    want = expected_content (small->name, 0, sizeof buffer);
    g_assert_cmpmem (buffer, sizeof buffer, g_bytes_get_data (want, NULL), sizeof buffer);
    g_input_stream_close (stream, NULL, NULL);
  }

  /* The expired link: a 404 with a page that says so. */
  body = get (fx, find_failing (fx)->uri, NULL, NULL, &msg);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_NOT_FOUND);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "expired"));
}

/* Stopping with a download still open returns at once, the link then
 * fails to connect, and the demo starts again on a new port. */
static void
test_stop (Fixture       *fx,
           gconstpointer  data)
{
  g_autoptr(GPtrArray) files = files_by_size (fx);
  const Link *big = g_ptr_array_index (files, files->len - 1);
  g_autoptr(SoupMessage) msg = request (fx, SOUP_METHOD_GET, big->uri, NULL, NULL);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) uris = NULL;
  g_autoptr(GBytes) body = NULL;
  guint8 buffer[16 * 1024];
  gsize n_read = 0;
  gint64 before;

  stream = soup_session_send (fx->session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);
  g_assert_true (g_input_stream_read_all (stream, buffer, sizeof buffer, &n_read, NULL, &error));
  g_assert_cmpuint (n_read, ==, sizeof buffer);

  before = g_get_monotonic_time ();
  haul_demo_stop (fx->demo);
  g_assert_cmpint (g_get_monotonic_time () - before, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (haul_demo_get_port (fx->demo), ==, 0);
  uris = haul_demo_dup_uris (fx->demo);
  g_assert_cmpuint (uris->len, ==, 0);
  g_clear_pointer (&uris, g_ptr_array_unref);

  /* The open body ends (an error or a short read), it does not hang. */
  while (g_input_stream_read_all (stream, buffer, sizeof buffer, &n_read, NULL, &error) &&
         n_read == sizeof buffer)
    ;
  g_clear_error (&error);
  g_input_stream_close (stream, NULL, NULL);
  g_clear_object (&stream);
  g_clear_object (&msg);

  /* Nobody listens any more. */
  msg = request (fx, SOUP_METHOD_HEAD, big->uri, NULL, NULL);
  body = soup_session_send_and_read (fx->session, msg, NULL, &error);
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_clear_object (&msg);

  /* Again. */
  g_assert_true (haul_demo_start (fx->demo, &error));
  g_assert_no_error (error);
  uris = haul_demo_dup_uris (fx->demo);
  g_assert_cmpuint (uris->len, ==, fx->links->len);
  g_clear_pointer (&body, g_bytes_unref);
  msg = request (fx, SOUP_METHOD_HEAD, g_ptr_array_index (uris, 0), NULL, NULL);
  body = soup_session_send_and_read (fx->session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);
  /* Left running: dispose stops it. */
}

/* The Range parser the demo server shares with the tests' server. */
static void
test_byte_range_parse (void)
{
  const struct {
    const char *value;
    guint64     size;
    gboolean    parsed;
    gboolean    satisfiable;
    guint64     start, end;
  } cases[] = {
    { "bytes=0-", 100, TRUE, TRUE, 0, 100 },
    { "bytes=10-", 100, TRUE, TRUE, 10, 100 },
    { "bytes=10-19", 100, TRUE, TRUE, 10, 20 },
    { "bytes=90-500", 100, TRUE, TRUE, 90, 100 },
    { "bytes=99-99", 100, TRUE, TRUE, 99, 100 },
    { "bytes=-30", 100, TRUE, TRUE, 70, 100 },
    { "bytes=-500", 100, TRUE, TRUE, 0, 100 },
    { "bytes=100-", 100, TRUE, FALSE, 0, 0 },
    { "bytes=0-", 0, TRUE, FALSE, 0, 0 },
    { "bytes=-0", 100, TRUE, FALSE, 0, 0 },
    { "bytes=99999999999999999999999-", 100, TRUE, FALSE, 0, 0 },
    { "bytes=20-10", 100, FALSE, FALSE, 0, 0 },
    { "bytes=0-10,20-30", 100, FALSE, FALSE, 0, 0 },
    { "bytes=-", 100, FALSE, FALSE, 0, 0 },
    { "bytes= 1-", 100, FALSE, FALSE, 0, 0 },
    { "bytes=1-x", 100, FALSE, FALSE, 0, 0 },
    { "items=0-", 100, FALSE, FALSE, 0, 0 },
    { "", 100, FALSE, FALSE, 0, 0 },
    { NULL, 100, FALSE, FALSE, 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint64 start = 12345, end = 12345;
      gboolean satisfiable = -1;
      gboolean parsed = haul_byte_range_parse (cases[i].value, cases[i].size, &start, &end, &satisfiable);

      g_test_message ("%s of %" G_GUINT64_FORMAT, cases[i].value, cases[i].size);
      g_assert_cmpint (parsed, ==, cases[i].parsed);
      if (!parsed)
        continue;
      g_assert_cmpint (satisfiable, ==, cases[i].satisfiable);
      if (!satisfiable)
        continue;
      g_assert_cmpuint (start, ==, cases[i].start);
      g_assert_cmpuint (end, ==, cases[i].end);
    }
}

#define ADD(path, func) \
  g_test_add ("/haul/ui/demo/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  haul_test_ignore_proxies ();

  ADD ("links", test_links);
  ADD ("engine", test_engine);
  ADD ("range", test_range);
  ADD ("stop", test_stop);
  g_test_add_func ("/haul/ui/demo/byte-range-parse", test_byte_range_parse);

  return g_test_run ();
}
