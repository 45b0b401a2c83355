/* haul-transfer.c — the body of one download attempt, run on a worker thread
 *
 * Everything here blocks: libsoup's sync API and plain POSIX file I/O on a
 * worker thread of the queue's pool. The only shared state it touches is
 * the job's atomics, the progress bridge, the rate limiters, the name
 * claims and the watchdog, all of which are thread-safe.
 *
 * An attempt runs as stages, one after the other in one loop
 * (transfer_stages()): the resume offset, the negotiation (which may ask
 * again from another offset, find the file already complete, or go on to
 * the body), receiving the body, verifying its checksum and finishing the
 * file. The partial file and its rules are haul-part-file.c's; the
 * timeouts are haul-watchdog.c's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-transfer"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "haul-auth.h"
#include "haul-checksum.h"
#include "haul-connections.h"
#include "haul-copy-gate.h"
#include "haul-filename.h"
#include "haul-http.h"
#include "haul-part-file.h"
#include "haul-segments.h"
#include "haul-proxy.h"
#include "haul-transfer.h"
#include "haul-transfer-private.h"
#include "haul-uri-list.h"
#include "haul-types.h"
#include "haul-watchdog.h"

#define READ_SIZE        (256 * 1024)
#define SLEEP_SLICE_US   (50 * 1000)
#define MAX_RESTARTS     3

typedef enum
{
  STAGE_RESUME_OFFSET, /* where an earlier attempt left off */
  STAGE_NEGOTIATE,     /* ask; the answer restarts, is already complete, or is the body */
  STAGE_RECEIVE,       /* the body into NAME.part */
  STAGE_SEGMENTS,      /* the body and the rest of the file, by several connections */
  STAGE_VERIFY,        /* the checksum */
  STAGE_FINISH,        /* NAME.part becomes NAME */
  STAGE_DONE,
  STAGE_FAILED,
} Stage;

typedef struct
{
  HaulJob       *job;
  SoupSession   *session;
  GCancellable  *attempt;
  HaulWatchdog  *watchdog;
  HaulPartFile  *part;          /* NULL until the folder is open */
  char          *server;        /* counted in its connection budget once answered */

  /* The exchange */
  SoupMessage   *msg;
  GInputStream  *stream;
  char          *etag;          /* validators for a ranged request */
  char          *last_modified;
  char          *content_type;
  char          *new_type;      /* the answer's Content-Type */
  gint64         offset;        /* the bytes asked for start here */
  gint64         total;         /* -1 unknown */
  guint          restarts;
  GChecksum     *checksum;      /* NULL: nothing hashed while receiving */

  /* Segments */
  GArray        *resume_ranges; /* HaulRange: what an earlier segmented attempt wrote */
  HaulSegments  *table;         /* set once the answer allows splitting */
  gboolean       one_stream;    /* the server does not keep to ranges */

  gboolean       probe;         /* haul_transfer_probe(): only "bytes=0-0" */
} Attempt;

HAUL_DEFINE_QUARK (haul-transfer-error-quark, haul_transfer_error)

gboolean
haul_transfer_error_is_transient (const GError *error)
{
  if (error == NULL || error->domain != HAUL_TRANSFER_ERROR)
    return FALSE;

  switch ((HaulTransferError) error->code)
    {
    case HAUL_TRANSFER_ERROR_HTTP_SERVER:
    case HAUL_TRANSFER_ERROR_NETWORK:
    case HAUL_TRANSFER_ERROR_TIMEOUT:
    case HAUL_TRANSFER_ERROR_TRUNCATED:
      return TRUE;

    case HAUL_TRANSFER_ERROR_HTTP_CLIENT:
    case HAUL_TRANSFER_ERROR_BAD_URL:
    case HAUL_TRANSFER_ERROR_UNSUPPORTED_SCHEME:
    case HAUL_TRANSFER_ERROR_TLS:
    case HAUL_TRANSFER_ERROR_DISK_FULL:
    case HAUL_TRANSFER_ERROR_PERMISSION:
    case HAUL_TRANSFER_ERROR_NO_DIRECTORY:
    case HAUL_TRANSFER_ERROR_UNSAFE_FILE:
    case HAUL_TRANSFER_ERROR_LOCAL_IO:
    case HAUL_TRANSFER_ERROR_CHECKSUM:
    case HAUL_TRANSFER_ERROR_REDIRECT_LOOP:
    case HAUL_TRANSFER_ERROR_TOO_MANY_REDIRECTS:
    case HAUL_TRANSFER_ERROR_BAD_REDIRECT:
    case HAUL_TRANSFER_ERROR_WEB_PAGE:
    case HAUL_TRANSFER_ERROR_BAD_RESPONSE:
    case HAUL_TRANSFER_ERROR_AUTH:
    case HAUL_TRANSFER_ERROR_PROXY_AUTH:
    default:
      return FALSE;
    }
}

/* ------------------------------------------------------------------ */
/* Network */

/* @in_headers: the error came while reading the answer's headers (libsoup
 * also ends a header block it finds too long this way). */
void
_haul_transfer_set_network_error (GError      **error,
                   GError       *cause,
                   const char   *host,
                   gboolean      in_headers)
{
  if (cause->domain == G_TLS_ERROR &&
      (cause->code == G_TLS_ERROR_BAD_CERTIFICATE || cause->code == G_TLS_ERROR_NOT_TLS ||
       cause->code == G_TLS_ERROR_CERTIFICATE_REQUIRED || cause->code == G_TLS_ERROR_HANDSHAKE ||
       cause->code == G_TLS_ERROR_INAPPROPRIATE_FALLBACK))
    g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_TLS,
                 _("The secure connection to “%s” could not be trusted: %s"), host, cause->message);
  else if (cause->domain == G_RESOLVER_ERROR)
    g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_NETWORK,
                 _("Could not find the server “%s”"), host);
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_NETWORK,
                 _("The server “%s” refused the connection"), host);
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_TIMEOUT,
                 _("The server “%s” stopped responding"), host);
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT) && in_headers)
    g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_TRUNCATED,
                 _("The server “%s” broke off its answer before the file began "
                   "(its headers were cut off or too long)"), host);
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
    g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_TRUNCATED,
                 _("The server “%s” closed the connection before the file was complete"), host);
  else if (cause->domain == SOUP_SESSION_ERROR &&
           (cause->code == SOUP_SESSION_ERROR_PARSING ||
            cause->code == SOUP_SESSION_ERROR_ENCODING))
    g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_BAD_RESPONSE,
                 _("The server “%s” sent a response Haul cannot accept: %s"), host, cause->message);
  else
    g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_NETWORK,
                 _("Network error talking to “%s”: %s"), host, cause->message);
}

/* Turns a cancellation of @cancellable (one connection's, watched by
 * @watchdog) into the right error: a timeout, or the user. */
gboolean
_haul_transfer_check_cancelled (HaulJob       *job,
                                GCancellable  *cancellable,
                                HaulWatchdog  *watchdog,
                                GError       **error)
{
  if (!g_cancellable_is_cancelled (cancellable))
    return FALSE;

  g_clear_error (error);
  if (haul_watchdog_timed_out (watchdog) && !g_cancellable_is_cancelled (job->cancellable))
    {
      /* Cancelled early because the network changed: tried again at once. */
      if (haul_watchdog_probed (watchdog))
        job->result_stall_probed = TRUE;
      if (haul_watchdog_is_connected (watchdog))
        g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_TIMEOUT,
                     g_dngettext (GETTEXT_PACKAGE, "No data arrived for %u second",
                                  "No data arrived for %u seconds", job->stall_timeout_s),
                     job->stall_timeout_s);
      else
        g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_TIMEOUT,
                     g_dngettext (GETTEXT_PACKAGE, "Could not connect within %u second",
                                  "Could not connect within %u seconds", job->connect_timeout_s),
                     job->connect_timeout_s);
    }
  else
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Stopped"));
  return TRUE;
}

static gboolean
check_cancelled (Attempt  *a,
                 GError  **error)
{
  return _haul_transfer_check_cancelled (a->job, a->attempt, a->watchdog, error);
}

gboolean
_haul_transfer_sleep (GCancellable *cancellable,
                   gint64        us)
{
  while (us > 0 && !g_cancellable_is_cancelled (cancellable))
    {
      gint64 slice = MIN (us, SLEEP_SLICE_US);

      g_usleep (slice);
      us -= slice;
    }
  return !g_cancellable_is_cancelled (cancellable);
}

#define LIMIT_SLEEP_US (250 * 1000)

/* Reads small enough for about ten per second at the current limits. */
gsize
_haul_transfer_read_size (HaulJob *job)
{
  gsize size = READ_SIZE;
  gint64 rate;

  if (job->download_limiter != NULL && (rate = haul_rate_limiter_get_rate (job->download_limiter)) > 0)
    size = MIN (size, (gsize) CLAMP (rate / 10, 1024, READ_SIZE));
  if (job->global_limiter != NULL && (rate = haul_rate_limiter_get_rate (job->global_limiter)) > 0)
    size = MIN (size, (gsize) CLAMP (rate / 10, 1024, READ_SIZE));
  return size;
}

static gboolean
set_flag_cb (gpointer flag)
{
  *(gboolean *) flag = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
readable_cb (GObject  *stream,
             gpointer  flag)
{
  return set_flag_cb (flag);
}

#define READABLE_SLICE_MS 50

/* Waits, without a copy slot, until @stream has bytes (or its end, or an
 * error), iterating the thread's own main context. FALSE: cancelled.
 * The wait looks at @cancellable every READABLE_SLICE_MS rather than
 * through a cancellable source: in GLib 2.74 the one
 * g_pollable_input_stream_create_source() adds is leaked once cancelled
 * (LeakSanitizer), and it would take GLib's process-wide cancellable lock
 * on every wait. */
static gboolean
wait_readable (GPollableInputStream *stream,
               GCancellable         *cancellable)
{
  GMainContext *context;
  GSource *source;
  gboolean ready = FALSE;

  if (g_pollable_input_stream_is_readable (stream))
    return TRUE;
  context = g_main_context_ref_thread_default ();
  source = g_pollable_input_stream_create_source (stream, NULL);
  g_source_set_callback (source, G_SOURCE_FUNC (readable_cb), &ready, NULL);
  g_source_attach (source, context);
  while (!ready && !g_cancellable_is_cancelled (cancellable))
    {
      gboolean slice_over = FALSE;
      GSource *slice = g_timeout_source_new (READABLE_SLICE_MS);

      g_source_set_callback (slice, set_flag_cb, &slice_over, NULL);
      g_source_attach (slice, context);
      while (!ready && !slice_over)
        g_main_context_iteration (context, TRUE);
      g_source_destroy (slice);
      g_source_unref (slice);
    }
  g_source_destroy (source);
  g_source_unref (source);
  g_main_context_unref (context);
  return !g_cancellable_is_cancelled (cancellable);
}

/**
 * _haul_transfer_read:
 *
 * Reads up to @count bytes of a body. It waits for the socket first, then
 * enters the copy gate (haul-copy-gate.h) and reads what is there.
 *
 * Returns: as g_input_stream_read(); when >= 0 the caller holds a slot of
 *   the gate and calls haul_copy_gate_leave() once the bytes are written
 */
gssize
_haul_transfer_read (GInputStream  *stream,
                     char          *buf,
                     gsize          count,
                     GCancellable  *cancellable,
                     GError       **error)
{
  GPollableInputStream *pollable = G_IS_POLLABLE_INPUT_STREAM (stream) ? G_POLLABLE_INPUT_STREAM (stream) : NULL;

  if (pollable == NULL || !g_pollable_input_stream_can_poll (pollable))
    {
      gssize n = g_input_stream_read (stream, buf, count, cancellable, error);

      if (n >= 0)
        haul_copy_gate_enter ();
      return n;
    }

  for (;;)
    {
      GError *local_error = NULL;
      gssize n;

      if (!wait_readable (pollable, cancellable))
        {
          g_cancellable_set_error_if_cancelled (cancellable, error);
          return -1;
        }
      haul_copy_gate_enter ();
      n = g_pollable_input_stream_read_nonblocking (pollable, buf, count, cancellable, &local_error);
      if (n >= 0)
        return n;
      haul_copy_gate_leave ();
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_propagate_error (error, local_error);
          return -1;
        }
      g_error_free (local_error);
    }
}

/* Takes @bytes from both limiters; returns how long to wait (µs). */
static gint64
limiters_consume (HaulJob *job,
                  gint64   bytes)
{
  gint64 wait = 0;

  if (job->download_limiter != NULL)
    wait = haul_rate_limiter_consume (job->download_limiter, bytes);
  if (job->global_limiter != NULL)
    {
      /* Not inside MAX(): it would consume twice. */
      gint64 global_wait = haul_rate_limiter_consume (job->global_limiter, bytes);

      wait = MAX (wait, global_wait);
    }
  return wait;
}

/**
 * _haul_transfer_new_request:
 * @first: the first byte asked for
 * @last: the last byte asked for, or -1 for the rest of the file
 * @ranged: ask with a Range header even from byte 0 (a probe)
 *
 * A GET for @uri that is never decoded or redirected by libsoup. A
 * request from a later byte carries If-Range with the validator the bytes
 * already written came with (a strong ETag, else Last-Modified).
 */
SoupMessage *
_haul_transfer_new_request (GUri       *uri,
                            gint64      first,
                            gint64      last,
                            gboolean    ranged,
                            const char *etag,
                            const char *last_modified)
{
  SoupMessage *msg = soup_message_new_from_uri ("GET", uri);
  SoupMessageHeaders *req = soup_message_get_request_headers (msg);

  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_disable_feature (msg, SOUP_TYPE_CONTENT_DECODER);
  soup_message_headers_replace (req, "Accept-Encoding", "identity");
  if (first > 0 || last >= 0 || ranged)
    soup_message_headers_set_range (req, first, last);
  if (first > 0)
    {
      if (haul_http_etag_is_strong (etag))
        soup_message_headers_replace (req, "If-Range", etag);
      else if (last_modified != NULL && haul_http_value_is_safe (last_modified))
        soup_message_headers_replace (req, "If-Range", last_modified);
    }
  return msg;
}

/* Whether the first request asks "bytes=0-": the download may be split. */
static gboolean
asks_ranged (Attempt *a)
{
  return a->job->max_connections > 1 && !a->one_stream;
}

/* A GET for @uri, from the attempt's resume offset on; a download that
 * may be split asks for "bytes=0-" (the probe). */
static SoupMessage *
new_request (Attempt *a,
             GUri    *uri)
{
  SoupMessage *msg;

  if (a->probe)
    msg = _haul_transfer_new_request (uri, 0, 0, TRUE, NULL, NULL);
  else
    msg = _haul_transfer_new_request (uri, a->offset, -1, asks_ranged (a),
                                      a->etag, a->last_modified);
  _haul_auth_attach (msg, a->job);
  /* Every hop: cookies for the hop's own host only. */
  haul_request_context_apply (a->job->context, msg);
  return msg;
}

/* Where the redirect @msg (to the request for @uri) sends the attempt
 * next, as its @hops-th hop; or NULL with @error set. */
static GUri *
redirect_target (Attempt      *a,
                 GUri         *uri,
                 SoupMessage  *msg,
                 GHashTable   *visited,
                 guint         hops,
                 GError      **error)
{
  const char *location = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location");
  guint status = soup_message_get_status (msg);
  g_autoptr(GUri) next = NULL;
  g_autofree char *next_str = NULL;
  GError *local_error = NULL;

  if (location == NULL || !haul_http_value_is_safe (location))
    {
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_BAD_REDIRECT,
                   _("The server sent a redirect (%u) without a usable destination"), status);
      return NULL;
    }

  next = g_uri_parse_relative (uri, location, G_URI_FLAGS_ENCODED, &local_error);
  if (next == NULL)
    {
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_BAD_REDIRECT,
                   _("The server redirected to an invalid link: %s"), local_error->message);
      g_clear_error (&local_error);
      return NULL;
    }

  next_str = g_uri_to_string_partial (next, G_URI_HIDE_FRAGMENT);
  if (g_hash_table_contains (visited, next_str))
    {
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_REDIRECT_LOOP,
                   _("The server redirects in a loop (back to %s)"), next_str);
      return NULL;
    }

  if (hops > a->job->max_redirects)
    {
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_TOO_MANY_REDIRECTS,
                   g_dngettext (GETTEXT_PACKAGE, "The server redirected more than %u time",
                                "The server redirected more than %u times", a->job->max_redirects),
                   a->job->max_redirects);
      return NULL;
    }
  return g_steal_pointer (&next);
}

static GInputStream *
send_following_redirects (Attempt      *a,
                          SoupMessage **out_msg,
                          GError      **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) visited = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint hops = 0;
  GError *local_error = NULL;

  uri = g_uri_parse (a->job->uri, G_URI_FLAGS_ENCODED, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_BAD_URL,
                   _("“%s” is not a valid link: %s"), a->job->uri, local_error->message);
      g_clear_error (&local_error);
      return NULL;
    }

  for (;;)
    {
      g_autoptr(SoupMessage) msg = NULL;
      g_autoptr(GInputStream) stream = NULL;
      const char *scheme = g_uri_get_scheme (uri);
      guint status;
      g_autoptr(GUri) next = NULL;

      if (!haul_uri_scheme_is_web (scheme))
        {
          g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_UNSUPPORTED_SCHEME,
                       _("“%s” links are not supported (only http and https)"), scheme);
          return NULL;
        }

      g_hash_table_add (visited, g_uri_to_string_partial (uri, G_URI_HIDE_FRAGMENT));

      msg = new_request (a, uri);

      stream = soup_session_send (a->session, msg, a->attempt, &local_error);
      if (stream == NULL)
        {
          if (!check_cancelled (a, error) && !haul_proxy_set_error (error, local_error, a->job->proxy_resolver, uri, a->job))
            _haul_transfer_set_network_error (error, local_error, g_uri_get_host (uri), TRUE);
          g_clear_error (&local_error);
          return NULL;
        }

      status = soup_message_get_status (msg);
      if (!SOUP_STATUS_IS_REDIRECTION (status) || status == 304)
        {
          *out_msg = g_steal_pointer (&msg);
          return g_steal_pointer (&stream);
        }

      g_input_stream_close (stream, NULL, NULL);
      next = redirect_target (a, uri, msg, visited, ++hops, error);
      if (next == NULL)
        return NULL;

      g_clear_pointer (&uri, g_uri_unref);
      uri = g_steal_pointer (&next);
    }
}

void
_haul_transfer_set_http_error (GError      **error,
                               SoupMessage  *msg,
                               gint64       *retry_after_s)
{
  guint status = soup_message_get_status (msg);
  const char *reason = soup_message_get_reason_phrase (msg);
  g_autofree char *safe_reason = NULL;
  SoupMessageHeaders *rh = soup_message_get_response_headers (msg);
  gint64 retry_after;

  if (reason == NULL || *reason == '\0')
    reason = soup_status_get_phrase (status);
  safe_reason = reason ? g_utf8_make_valid (reason, MIN (strlen (reason), 80)) : g_strdup ("");

  if (haul_http_parse_retry_after (soup_message_headers_get_one (rh, "Retry-After"),
                                   g_get_real_time () / G_USEC_PER_SEC, &retry_after))
    *retry_after_s = retry_after;

  if (status == 404 || status == 410)
    g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_HTTP_CLIENT,
                 _("The file is not on the server (%u %s)"), status, safe_reason);
  else if (status == 401 || status == 403)
    g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_HTTP_CLIENT,
                 _("The server refused access to the file (%u %s)"), status, safe_reason);
  else if (status >= 400 && status < 500 && status != 408 && status != 429)
    g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_HTTP_CLIENT,
                 _("The server refused the request (%u %s)"), status, safe_reason);
  else if (status == 429 || status == 503)
    g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_HTTP_SERVER,
                 _("The server is busy (%u %s)"), status, safe_reason);
  else if (status >= 400)
    g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_HTTP_SERVER,
                 _("The server had a problem (%u %s)"), status, safe_reason);
  else
    g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_BAD_RESPONSE,
                 _("The server gave an unexpected answer (%u %s)"), status, safe_reason);
}


static void
cancel_from_user (GCancellable *user,
                  gpointer      attempt)
{
  g_cancellable_cancel (G_CANCELLABLE (attempt));
}

static gboolean
is_html (const char *content_type)
{
  return g_strcmp0 (content_type, "text/html") == 0 ||
         g_strcmp0 (content_type, "application/xhtml+xml") == 0;
}

static void
touch_watchdog (gpointer watchdog)
{
  haul_watchdog_touch (watchdog);
}

/* Asks again from the beginning: what the server sent does not continue
 * our bytes. */
static void
drop_ranges (Attempt *a)
{
  g_clear_pointer (&a->resume_ranges, g_array_unref);
  g_clear_pointer (&a->table, haul_segments_unref);
  if (a->job->segments != NULL || a->job->segmented)
    a->job->segments_dropped = TRUE;
  haul_job_set_segments (a->job, NULL);
}

static Stage
restart_from_zero (Attempt *a)
{
  drop_ranges (a);
  a->offset = 0;
  a->job->result_restarted = TRUE;
  a->restarts++;
  return STAGE_NEGOTIATE;
}

/* ------------------------------------------------------------------ */
/* Stage: the resume offset */

/* The first byte @ranges leave missing. */
static gint64
first_missing (GArray *ranges)
{
  if (ranges->len == 0 || g_array_index (ranges, HaulRange, 0).start > 0)
    return 0;
  return g_array_index (ranges, HaulRange, 0).end;
}

/* Takes the written ranges @text (from the store or the .part's
 * attribute) as what the .part holds: the next request asks from the
 * first missing byte, and the answer's total must contain them. */
static gboolean
take_resume_ranges (Attempt    *a,
                    const char *text,
                    gint64      total)
{
  g_autoptr(GArray) ranges = NULL;
  gint64 size = haul_part_file_get_size (a->part);

  if (!haul_segments_parse (text, total > 0 ? total : G_MAXINT64 / 2, &ranges) ||
      (ranges->len > 0 && size < g_array_index (ranges, HaulRange, ranges->len - 1).end))
    return FALSE;
  g_clear_pointer (&a->resume_ranges, g_array_unref);
  a->resume_ranges = g_steal_pointer (&ranges);
  a->offset = first_missing (a->resume_ranges);
  return TRUE;
}

static gint64
ranges_length (GArray *ranges)
{
  gint64 n = 0;

  for (guint i = 0; i < ranges->len; i++)
    n += g_array_index (ranges, HaulRange, i).end - g_array_index (ranges, HaulRange, i).start;
  return n;
}

/* A restored segmented download: its saved written ranges say what the
 * .part holds (never its size). */
static Stage
resume_segmented (Attempt    *a,
                  const char *text)
{
  HaulJob *job = a->job;
  gint64 size;

  if (haul_part_file_get_size (a->part) < 0 &&
      haul_part_file_final_is_ours (a->part, job->known_total, &size))
    {
      job->received = size;
      job->total = size;
      return STAGE_DONE;
    }
  if (job->known_total <= 0 || !take_resume_ranges (a, text, job->known_total))
    {
      job->result_restarted = TRUE;
      job->result_part_mismatch = TRUE;
      drop_ranges (a);
      a->offset = 0;
      return STAGE_NEGOTIATE;
    }
  job->received = ranges_length (a->resume_ranges);
  if (a->offset >= job->known_total)
    {
      /* Every byte was written before the state was saved. */
      a->total = job->known_total;
      job->total = a->total;
      return STAGE_VERIFY;
    }
  return STAGE_NEGOTIATE;
}

static Stage
stage_resume_offset (Attempt  *a,
                     GError  **error)
{
  HaulJob *job = a->job;
  gint64 size;

  a->part = haul_part_file_new (job->directory, job->uri, job->claims, error);
  if (a->part == NULL)
    return STAGE_FAILED;
  if (job->filename == NULL)
    return STAGE_NEGOTIATE; /* the first answer names the file */

  haul_part_file_adopt_name (a->part, job->filename);
  if (job->segments != NULL)
    return resume_segmented (a, job->segments);
  {
    /* Written in segments though the store has no ranges (a crash before
     * the first checkpoint reached it): the attribute's, never the size. */
    g_autofree char *ranges = haul_part_file_read_ranges (a->part);

    if (ranges != NULL)
      return resume_segmented (a, ranges);
  }
  a->offset = haul_part_file_get_size (a->part);
  if (a->offset < 0 && job->expected_part >= 0 &&
      haul_part_file_final_is_ours (a->part, job->known_total, &size))
    {
      /* It finished just before a crash; only the state was lost. */
      job->received = size;
      job->total = size;
      return STAGE_DONE;
    }
  a->offset = MAX (a->offset, 0);
  if (job->expected_part >= 0 && a->offset != job->expected_part)
    {
      /* Missing, or not what was saved (it may hold bytes written
       * after the last checkpoint, or be someone else's): start over
       * rather than append at a wrong offset. */
      a->offset = 0;
      job->result_restarted = TRUE;
      job->result_part_mismatch = job->expected_part > 0;
    }
  return STAGE_NEGOTIATE;
}

/* ------------------------------------------------------------------ */
/* Stage: negotiating. Each helper returns the next stage; STAGE_RECEIVE
 * means "the answer is the body, go on". */

/* The answer is the first segment: the table starts from the written
 * ranges to continue, or from nothing. */
static Stage
start_segments (Attempt *a)
{
  HaulJob *job = a->job;
  GArray *ranges = a->resume_ranges;

  /* Written out of order from the start: the next run must know the
   * .part is ours and what it holds, whenever this one ends. */
  haul_part_file_tag (a->part);
  a->table = haul_segments_new (a->total, ranges != NULL ? (const HaulRange *) ranges->data : NULL,
                                ranges != NULL ? ranges->len : 0);
  haul_segments_set_tail_duplicates (a->table, TRUE);
  if (!haul_part_file_can_be_sparse (a->part))
    haul_segments_set_max_ahead (a->table, 2 * HAUL_SEGMENTS_MIN_SPLIT);
  job->received = haul_segments_get_written (a->table);
  job->total = a->total;
  job->phase = HAUL_JOB_PHASE_DOWNLOADING;
  if (job->bridge != NULL)
    haul_progress_bridge_poke (job->bridge);
  return STAGE_SEGMENTS;
}

/* 416 to a ranged request: either we already have every byte, or the
 * server knows the file differently. */
static Stage
negotiate_unsatisfiable (Attempt *a)
{
  SoupMessageHeaders *rh = soup_message_get_response_headers (a->msg);
  gint64 s, e, t;

  if (a->resume_ranges == NULL &&
      haul_http_parse_content_range (soup_message_headers_get_one (rh, "Content-Range"), &s, &e, &t) &&
      s < 0 && t == a->offset)
    {
      /* We already have every byte. */
      a->total = t;
      g_input_stream_close (a->stream, NULL, NULL);
      a->job->received = a->offset;
      a->job->total = a->total;
      return STAGE_VERIFY;
    }
  return restart_from_zero (a);
}

/* First answer of a new download: now the name can be chosen. */
static Stage
negotiate_name (Attempt  *a,
                GError  **error)
{
  HaulJob *job = a->job;
  SoupMessageHeaders *rh = soup_message_get_response_headers (a->msg);
  g_autofree char *base = NULL;
  g_autofree char *old_etag = NULL, *old_lm = NULL, *old_type = NULL;
  gint64 found = 0;

  base = haul_filename_choose (soup_message_headers_get_one (rh, "Content-Disposition"),
                               job->result_final_uri);
  if (!haul_part_file_choose_name (a->part, base, &found, &old_etag, &old_lm, &old_type, error))
    return STAGE_FAILED;
  haul_job_set_info_filename (job, haul_part_file_get_name (a->part));
  if (job->bridge != NULL)
    haul_progress_bridge_poke (job->bridge);

  if (found == 0)
    return STAGE_RECEIVE;

  /* A .part of this URL from an earlier run: ask for the rest (or for
   * what its written ranges leave missing). */
  {
    g_autofree char *ranges = haul_part_file_read_ranges (a->part);

    if (ranges != NULL && !take_resume_ranges (a, ranges, -1))
      found = 0;
  }
  if (found == 0)
    return STAGE_RECEIVE; /* its ranges make no sense: start over */
  g_free (a->etag);
  a->etag = g_steal_pointer (&old_etag);
  g_free (a->last_modified);
  a->last_modified = g_steal_pointer (&old_lm);
  g_free (a->content_type);
  a->content_type = g_steal_pointer (&old_type);
  if (a->resume_ranges == NULL)
    a->offset = found;
  a->restarts++;
  return STAGE_NEGOTIATE;
}

/* 206: only the continuation of our bytes is accepted. */
static Stage
negotiate_partial (Attempt *a)
{
  SoupMessageHeaders *rh = soup_message_get_response_headers (a->msg);
  const char *new_etag = soup_message_headers_get_one (rh, "ETag");
  gint64 s = -1, e = -1, t = -1;

  if ((a->offset == 0 && !asks_ranged (a)) ||
      !haul_http_parse_content_range (soup_message_headers_get_one (rh, "Content-Range"), &s, &e, &t) ||
      s != a->offset ||
      (t >= 0 && a->job->known_total > 0 && t != a->job->known_total) ||
      (a->resume_ranges != NULL &&
       (t < 0 || (a->resume_ranges->len > 0 &&
                  g_array_index (a->resume_ranges, HaulRange, a->resume_ranges->len - 1).end > t))) ||
      (a->etag != NULL && new_etag != NULL && strcmp (a->etag, new_etag) != 0))
    return restart_from_zero (a); /* not the continuation: start over rather than splice */

  a->total = t;
  return STAGE_RECEIVE;
}

/* 200: the whole file. */
static Stage
negotiate_whole (Attempt  *a,
                 GError  **error)
{
  SoupMessageHeaders *rh = soup_message_get_response_headers (a->msg);

  /* A resume that got a web page instead is an error page or a login
   * form: never write it over our bytes. */
  if (a->offset > 0 && is_html (a->new_type) && !is_html (a->content_type))
    {
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_WEB_PAGE,
                   _("The server sent a web page instead of the file; the link may have expired"));
      return STAGE_FAILED;
    }
  if (a->offset > 0 || a->resume_ranges != NULL)
    a->job->result_restarted = TRUE;
  drop_ranges (a);
  a->offset = 0;
  if (soup_message_headers_get_encoding (rh) == SOUP_ENCODING_CONTENT_LENGTH)
    a->total = soup_message_headers_get_content_length (rh);
  return STAGE_RECEIVE;
}

/* Remembers the answer's validators for the next attempt. */
static void
remember_validators (Attempt *a)
{
  HaulJob *job = a->job;
  SoupMessageHeaders *rh = soup_message_get_response_headers (a->msg);

  g_free (job->result_etag);
  job->result_etag = g_strdup (soup_message_headers_get_one (rh, "ETag"));
  if (job->result_etag != NULL && !haul_http_value_is_safe (job->result_etag))
    g_clear_pointer (&job->result_etag, g_free);
  g_free (job->result_last_modified);
  job->result_last_modified = g_strdup (soup_message_headers_get_one (rh, "Last-Modified"));
  if (job->result_last_modified != NULL && !haul_http_value_is_safe (job->result_last_modified))
    g_clear_pointer (&job->result_last_modified, g_free);
  g_free (job->result_content_type);
  job->result_content_type = g_strdup (a->new_type);
}

/* Whether the answer lets the file be fetched in segments: a 206 with a
 * known total, a Content-Length (not chunked) and no encoding, and either written ranges to continue or
 * a file worth splitting with more than one connection allowed. */
static gboolean
can_split (Attempt *a)
{
  SoupMessageHeaders *rh = soup_message_get_response_headers (a->msg);
  const char *encoding = soup_message_headers_get_one (rh, "Content-Encoding");

  if (a->one_stream || soup_message_get_status (a->msg) != SOUP_STATUS_PARTIAL_CONTENT || a->total <= 0 ||
      soup_message_headers_get_encoding (rh) != SOUP_ENCODING_CONTENT_LENGTH ||
      (encoding != NULL && g_ascii_strcasecmp (encoding, "identity") != 0))
    return FALSE;
  return a->resume_ranges != NULL ||
         (a->job->max_connections > 1 && a->total >= 2 * HAUL_SEGMENTS_MIN_SPLIT);
}

/* The answer is the body: opens NAME.part for it. */
static Stage
start_body (Attempt  *a,
            GError  **error)
{
  HaulJob *job = a->job;
  gboolean split = can_split (a);

  if (!split && a->resume_ranges != NULL)
    return restart_from_zero (a); /* written ranges but no way to fill the gaps */

  haul_part_file_set_resume_info (a->part, job->result_etag, job->result_last_modified,
                                  job->result_content_type);
  if (!haul_part_file_open (a->part, a->resume_ranges != NULL ? -1 : a->offset, error))
    return STAGE_FAILED;
  if (split)
    return start_segments (a);
  if (job->segments != NULL)
    job->segments_dropped = TRUE; /* one stream from here: a prefix again */
  if (job->tag_part_now)
    {
      /* A saved queue may not know this name yet (a crash before the
       * store heard of it): the attribute lets the next run claim the
       * .part instead of leaving it behind and taking "NAME (1)". */
      haul_part_file_tag (a->part);
    }

  if (job->checksum_hex != NULL)
    {
      a->checksum = g_checksum_new (job->checksum_type);
      if (a->offset > 0 &&
          !haul_part_file_hash_prefix (a->part, a->offset, a->checksum, touch_watchdog, a->watchdog, error))
        return STAGE_FAILED;
    }

  job->received = a->offset;
  job->total = a->total;
  job->phase = HAUL_JOB_PHASE_DOWNLOADING;
  if (job->bridge != NULL)
    haul_progress_bridge_poke (job->bridge);
  return STAGE_RECEIVE;
}

static Stage
stage_negotiate (Attempt  *a,
                 GError  **error)
{
  HaulJob *job = a->job;
  Stage next;
  guint status;

  g_clear_object (&a->stream);
  g_clear_object (&a->msg);
  if (a->restarts > MAX_RESTARTS)
    {
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_BAD_RESPONSE,
                   _("The server keeps answering ranged requests inconsistently"));
      return STAGE_FAILED;
    }

  a->stream = send_following_redirects (a, &a->msg, error);
  if (a->stream == NULL)
    return STAGE_FAILED;
  haul_watchdog_set_connected (a->watchdog);
  if (a->server == NULL)
    {
      a->server = haul_connections_server_of (soup_message_get_uri (a->msg));
      haul_connections_open_first (a->server);
    }

  status = soup_message_get_status (a->msg);
  g_free (job->result_final_uri);
  job->result_final_uri = g_uri_to_string_partial (soup_message_get_uri (a->msg), G_URI_HIDE_FRAGMENT);

  if (status == SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE && a->offset > 0)
    return negotiate_unsatisfiable (a);
  if (status == SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE && asks_ranged (a))
    {
      /* "bytes=0-" of an empty file (or a server that dislikes the
       * probe): ask again without a range. */
      a->one_stream = TRUE;
      a->restarts++;
      return STAGE_NEGOTIATE;
    }
  /* Every other answer but 200 and 206 (errors included) is a failure. */
  if (status != SOUP_STATUS_OK && status != SOUP_STATUS_PARTIAL_CONTENT)
    {
      if (!_haul_auth_set_error (error, a->msg, job))
        _haul_transfer_set_http_error (error, a->msg, &job->result_retry_after_s);
      return STAGE_FAILED;
    }

  g_free (a->new_type);
  a->new_type = haul_http_parse_content_type (
    soup_message_headers_get_one (soup_message_get_response_headers (a->msg), "Content-Type"));

  if (haul_part_file_get_name (a->part) == NULL &&
      (next = negotiate_name (a, error)) != STAGE_RECEIVE)
    return next;
  next = status == SOUP_STATUS_PARTIAL_CONTENT ? negotiate_partial (a) : negotiate_whole (a, error);
  if (next != STAGE_RECEIVE)
    return next;

  remember_validators (a);
  return start_body (a, error);
}

/* ------------------------------------------------------------------ */
/* Stage: receiving the body */

/* Waiting for the rate limit is not a stall. The wait is asked for again
 * after each short sleep, so a limit changed meanwhile (raised, removed or
 * lowered) applies at once. Every connection of a download takes from the
 * same limiters. */
gboolean
_haul_transfer_throttle (HaulJob       *job,
                         GCancellable  *cancellable,
                         HaulWatchdog  *watchdog,
                         gint64         bytes,
                         GError       **error)
{
  for (gint64 wait = limiters_consume (job, bytes); wait > 0; wait = limiters_consume (job, 0))
    {
      if (!_haul_transfer_sleep (cancellable, MIN (wait, LIMIT_SLEEP_US)))
        {
          _haul_transfer_check_cancelled (job, cancellable, watchdog, error);
          return FALSE;
        }
      haul_watchdog_touch (watchdog);
    }
  return TRUE;
}

/* The body ended (or the announced size arrived) after @received bytes. */
static Stage
end_of_body (Attempt  *a,
             gint64    received,
             GError  **error)
{
  g_input_stream_close (a->stream, NULL, NULL);

  if (a->total >= 0 && received < a->total)
    {
      g_autofree char *got = g_format_size (received);
      g_autofree char *want = g_format_size (a->total);

      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_TRUNCATED,
                   _("The server closed the connection after %s of %s"), got, want);
      return STAGE_FAILED;
    }
  if (a->total < 0)
    a->job->total = received;

  if (!haul_part_file_close (a->part, error))
    return STAGE_FAILED;
  return STAGE_VERIFY;
}

static Stage
stage_receive (Attempt  *a,
               GError  **error)
{
  HaulJob *job = a->job;
  g_autofree char *buf = g_malloc (READ_SIZE);
  gint64 received = a->offset;
  GError *local_error = NULL;

  for (;;)
    {
      gssize n = _haul_transfer_read (a->stream, buf, _haul_transfer_read_size (job), a->attempt, &local_error);

      if (n < 0)
        {
          if (!check_cancelled (a, error))
            _haul_transfer_set_network_error (error, local_error, g_uri_get_host (soup_message_get_uri (a->msg)), FALSE);
          g_clear_error (&local_error);
          return STAGE_FAILED;
        }
      if (n == 0)
        {
          haul_copy_gate_leave ();
          break;
        }

      haul_watchdog_touch (a->watchdog);

      if (a->total >= 0 && received + n > a->total)
        n = a->total - received; /* never write past the announced end */

      if (!haul_part_file_write_at (a->part, received, buf, n, error))
        {
          haul_copy_gate_leave ();
          return STAGE_FAILED;
        }
      if (a->checksum != NULL)
        g_checksum_update (a->checksum, (const guchar *) buf, n);
      haul_copy_gate_leave ();

      received += n;
      job->received = received;
      if (job->bridge != NULL)
        haul_progress_bridge_poke (job->bridge);

      if (a->total >= 0 && received >= a->total)
        {
          /* libsoup reuses the connection (keep-alive) only when the body
           * stream reached its end before being closed; closing it right
           * after the last byte drops the connection, and every next
           * download on this thread pays for a new one. With Content-Length
           * framing this read returns 0 at once, without touching the
           * socket; any other framing is left as it was. */
          if (soup_message_headers_get_encoding (soup_message_get_response_headers (a->msg)) ==
              SOUP_ENCODING_CONTENT_LENGTH)
            (void) g_input_stream_read (a->stream, buf, 1, a->attempt, NULL);
          break;
        }

      if (!_haul_transfer_throttle (a->job, a->attempt, a->watchdog, n, error))
        return STAGE_FAILED;
    }

  return end_of_body (a, received, error);
}

/* ------------------------------------------------------------------ */
/* Stage: several connections */

static Stage
stage_segments (Attempt  *a,
                GError  **error)
{
  HaulSegmentedSpec spec = {
    .job = a->job,
    .part = a->part,
    .table = a->table,
    .uri = soup_message_get_uri (a->msg),
    .etag = a->job->result_etag,
    .last_modified = a->job->result_last_modified,
    .total = a->total,
    .attempt = a->attempt,
    .watchdog = a->watchdog,
    .session = a->session,
    .probe_msg = a->msg,
    .probe_stream = a->stream,
  };

  switch (_haul_segmented_receive (&spec, error))
    {
    case HAUL_SEGMENTED_DONE:
      g_clear_pointer (&a->checksum, g_checksum_free); /* hashed from the disk */
      return haul_part_file_close (a->part, error) ? STAGE_VERIFY : STAGE_FAILED;
    case HAUL_SEGMENTED_ONE_STREAM:
      a->one_stream = TRUE;
      G_GNUC_FALLTHROUGH;
    case HAUL_SEGMENTED_RESTART:
      haul_part_file_close (a->part, NULL);
      return restart_from_zero (a);
    case HAUL_SEGMENTED_FAILED:
    default:
      return STAGE_FAILED;
    }
}

/* ------------------------------------------------------------------ */
/* Stages: verifying and finishing */

static Stage
stage_verify (Attempt  *a,
              GError  **error)
{
  HaulJob *job = a->job;
  const char *actual;

  if (job->checksum_hex == NULL)
    return STAGE_FINISH;

  if (a->checksum == NULL)
    {
      /* Already complete: hash what is on disk. */
      a->checksum = g_checksum_new (job->checksum_type);
      if (!haul_part_file_hash_prefix (a->part, a->total, a->checksum, touch_watchdog, a->watchdog, error))
        return STAGE_FAILED;
    }

  job->phase = HAUL_JOB_PHASE_VERIFYING;
  actual = g_checksum_get_string (a->checksum);
  if (g_ascii_strcasecmp (actual, job->checksum_hex) != 0)
    {
      /* The bytes are wrong: keeping them would only make the next
       * attempt "resume" a corrupt file. */
      haul_part_file_delete (a->part);
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_CHECKSUM,
                   _("The file is damaged: its %s checksum is %s, expected %s"),
                   haul_checksum_type_name (job->checksum_type), actual, job->checksum_hex);
      return STAGE_FAILED;
    }
  return STAGE_FINISH;
}

static Stage
stage_finish (Attempt  *a,
              GError  **error)
{
  return haul_part_file_finish (a->part, error) ? STAGE_DONE : STAGE_FAILED;
}

static gboolean
transfer_stages (Attempt  *a,
                 GError  **error)
{
  Stage stage = STAGE_RESUME_OFFSET;

  while (stage != STAGE_DONE && stage != STAGE_FAILED)
    {
      switch (stage)
        {
        case STAGE_RESUME_OFFSET:
          stage = stage_resume_offset (a, error);
          break;
        case STAGE_NEGOTIATE:
          stage = stage_negotiate (a, error);
          break;
        case STAGE_RECEIVE:
          stage = stage_receive (a, error);
          break;
        case STAGE_SEGMENTS:
          stage = stage_segments (a, error);
          break;
        case STAGE_VERIFY:
          stage = stage_verify (a, error);
          break;
        case STAGE_FINISH:
          stage = stage_finish (a, error);
          break;
        case STAGE_DONE:
        case STAGE_FAILED:
        default:
          g_assert_not_reached ();
        }
    }

  /* The exchange ends here, while the watchdog still runs. */
  g_clear_object (&a->stream);
  g_clear_object (&a->msg);
  g_clear_pointer (&a->checksum, g_checksum_free);
  g_clear_pointer (&a->resume_ranges, g_array_unref);
  g_clear_pointer (&a->table, haul_segments_unref);
  return stage == STAGE_DONE;
}

/* ------------------------------------------------------------------ */

/* What is left of the file once the attempt ended: a complete file frees
 * its name; a stopped one keeps a resumable .part, or none after a cancel.
 * The name stays claimed then: the queue releases it once it has made sure
 * the .part is gone (it may have been told after we looked). */
static void
end_part (Attempt  *a,
          gboolean  ok)
{
  HaulJob *job = a->job;
  const char *name;

  if (a->part == NULL)
    return;

  if (!ok)
    haul_part_file_abandon (a->part, job->stop == HAUL_JOB_STOP_CANCEL);
  else
    haul_part_file_release_name (a->part);

  name = haul_part_file_get_name (a->part);
  if (name != NULL)
    job->result_filename = g_strdup (name);
  g_clear_pointer (&a->part, haul_part_file_free);
}

/**
 * haul_transfer_run:
 * @job: the snapshot to work from; its result fields are filled in
 * @session: the calling thread's own session
 *
 * One attempt at @job, blocking. On success the file is complete under
 * job->result_filename. On failure @error is in %HAUL_TRANSFER_ERROR (see
 * haul_transfer_error_is_transient()) or is %G_IO_ERROR_CANCELLED after a
 * pause or cancel; a cancel has deleted the .part.
 */
gboolean
haul_transfer_run (HaulJob      *job,
                   SoupSession  *session,
                   GError      **error)
{
  g_autoptr(GCancellable) attempt = g_cancellable_new ();
  Attempt a = {
    .job = job,
    .session = session,
    .attempt = attempt,
    .etag = g_strdup (job->etag),
    .last_modified = g_strdup (job->last_modified),
    .content_type = g_strdup (job->content_type),
    .total = -1,
  };
  gulong handler;
  gboolean ok;

  handler = g_cancellable_connect (job->cancellable, G_CALLBACK (cancel_from_user), attempt, NULL);
  a.watchdog = haul_watchdog_start (attempt, job->connect_timeout_s, job->stall_timeout_s);
  _haul_auth_prepare_session (session, job);
  job->phase = HAUL_JOB_PHASE_CONNECTING;

  ok = transfer_stages (&a, error);

  haul_watchdog_stop (a.watchdog);
  g_cancellable_disconnect (job->cancellable, handler);

  end_part (&a, ok);
  if (a.server != NULL)
    haul_connections_release (a.server, FALSE);
  g_free (a.server);
  g_free (a.etag);
  g_free (a.last_modified);
  g_free (a.content_type);
  g_free (a.new_type);
  return ok;
}

/* ------------------------------------------------------------------ */
/* Probing a link */

/* What the probe's answer says about the file's size. */
static gint64
probe_total (SoupMessage *msg)
{
  SoupMessageHeaders *rh = soup_message_get_response_headers (msg);
  guint status = soup_message_get_status (msg);
  gint64 s, e, t;

  if (status == SOUP_STATUS_PARTIAL_CONTENT || status == SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE)
    return haul_http_parse_content_range (soup_message_headers_get_one (rh, "Content-Range"), &s, &e, &t) &&
           t >= 0 ? t : -1;
  if (soup_message_headers_get_encoding (rh) == SOUP_ENCODING_CONTENT_LENGTH)
    return soup_message_headers_get_content_length (rh);
  return -1;
}

/* Reads the byte asked for, so that the connection can be kept. */
static void
probe_drain (Attempt *a)
{
  char buf[64];

  if (soup_message_get_status (a->msg) == SOUP_STATUS_PARTIAL_CONTENT)
    for (guint i = 0; i < 4; i++)
      if (g_input_stream_read (a->stream, buf, sizeof buf, a->attempt, NULL) <= 0)
        break;
  g_input_stream_close (a->stream, NULL, NULL);
}

/**
 * haul_transfer_probe:
 * @job: a snapshot of a download (the queue's, with the link to ask as its
 *   uri): its request headers, timeouts and redirect limit apply
 * @session: the calling thread's own session
 *
 * Asks @job's link for its first byte ("Range: bytes=0-0"), following
 * redirects the way an attempt does, and writes nothing. Blocking: a worker
 * thread only. On success the answer's facts are in @job: its size in
 * job->total (-1 unknown), its validators and type in job->result_etag,
 * result_last_modified and result_content_type, where it came from in
 * job->result_final_uri.
 *
 * Returns: %FALSE with @error as an attempt would set it (an HTTP error,
 *   the network, a cancel of job->cancellable)
 */
gboolean
haul_transfer_probe (HaulJob      *job,
                     SoupSession  *session,
                     GError      **error)
{
  g_autoptr(GCancellable) attempt = g_cancellable_new ();
  Attempt a = { .job = job, .session = session, .attempt = attempt, .total = -1, .probe = TRUE };
  gboolean ok = FALSE;
  gulong handler;
  guint status;

  handler = g_cancellable_connect (job->cancellable, G_CALLBACK (cancel_from_user), attempt, NULL);
  a.watchdog = haul_watchdog_start (attempt, job->connect_timeout_s, job->stall_timeout_s);

  a.stream = send_following_redirects (&a, &a.msg, error);
  if (a.stream != NULL)
    {
      haul_watchdog_set_connected (a.watchdog);
      status = soup_message_get_status (a.msg);
      g_free (job->result_final_uri);
      job->result_final_uri = g_uri_to_string_partial (soup_message_get_uri (a.msg), G_URI_HIDE_FRAGMENT);
      if (status == SOUP_STATUS_OK || status == SOUP_STATUS_PARTIAL_CONTENT ||
          (status == SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE && probe_total (a.msg) == 0))
        {
          a.new_type = haul_http_parse_content_type (
            soup_message_headers_get_one (soup_message_get_response_headers (a.msg), "Content-Type"));
          remember_validators (&a);
          job->total = probe_total (a.msg);
          ok = TRUE;
        }
      else
        _haul_transfer_set_http_error (error, a.msg, &job->result_retry_after_s);
      probe_drain (&a);
    }

  haul_watchdog_stop (a.watchdog);
  g_cancellable_disconnect (job->cancellable, handler);
  g_clear_object (&a.stream);
  g_clear_object (&a.msg);
  g_free (a.new_type);
  return ok;
}
