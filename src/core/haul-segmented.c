/* haul-segmented.c — the connections of one segmented download attempt
 *
 * The attempt's own thread (a worker of the queue's pool) runs the first
 * connection, whose request was the probe ("bytes=0-", or from the first
 * missing byte when resuming); it keeps reading as the first segment. Each
 * 206 that matches the probe lets one more connection open (a ramp, one at
 * a time, up to the download's, its server's and the global limits). Extra
 * connections run on the process-wide connection pool
 * (haul_worker_pool_run_connection()), each with its own session.
 *
 * A connection's life: claim a range in the segment table, ask for it,
 * check that the answer is that range of the same file, then read, write
 * with pwrite() at its position and advance the table, chunk by chunk,
 * never more than the table allows; when its range ends (or was split
 * short) it claims the next one, until nothing is left.
 *
 * Shared state (a Fetch): the segment table, which has its own lock; and,
 * under the Fetch's mutex, how many extra connections run, whether one is
 * opening, and the verdict that ends the attempt early (the file changed,
 * the server lies, the disk is full). Nothing blocking runs under either
 * lock. The attempt's thread waits for every extra connection to end
 * before it returns: the .part, the table and the job outlive them.
 *
 * What an answer to a segment's request must be, and what happens if not
 * (nothing of a wrong answer is ever written):
 *  - a 206 whose Content-Range is the asked range (or a shorter one from
 *    the same start), of the probe's total, with the probe's ETag (when
 *    both have one) and no Content-Encoding: its bytes are written;
 *  - the file changed (another total, another ETag, a 200 to If-Range, a
 *    416): the attempt starts over from byte 0, and the log says why;
 *  - another start or a range past the asked end: the server lies; the
 *    download fails with a message naming both ranges (starting over
 *    would only meet the same lie);
 *  - a 200 without validators, or an encoded 206: the server does not
 *    keep to ranges: no more extra connections, and when the first
 *    connection gets one too, one stream from byte 0;
 *  - 429, 503, a refused or reset connection on an extra connection: the
 *    server's budget halves (haul-connections.c), its range goes back;
 *  - three answers cut short: one stream from byte 0.
 *
 * Checkpoints: about every five seconds one connection takes the written
 * ranges' text, fdatasync()s the .part and only then publishes the text:
 * to the job (the queue saves it in the store) and to the .part's
 * attribute (what a plain --headless run finds next time; with a store it
 * is also what keeps any later run from taking the .part's size for what
 * it holds).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-segmented"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdatomic.h>
#include <string.h>

#include "haul-auth.h"
#include "haul-connections.h"
#include "haul-copy-gate.h"
#include "haul-http.h"
#include "haul-proxy.h"
#include "haul-transfer.h"
#include "haul-transfer-private.h"
#include "haul-worker-pool.h"

/* A checkpoint costs an fdatasync() of everything the file has in the
 * page cache: at loopback speed, once a second took a tenth of W1's time
 * (tests/bench/README.md). A crash costs at most this much of fetching. */
#define CHECKPOINT_US      (5 * G_USEC_PER_SEC)
#define WAIT_SLICE_US      (100 * 1000)
#define MAX_FIRST_FAILURES 3
#define MAX_EXTRA_FAILURES 8
#define RAMP_BACKOFF_US    G_USEC_PER_SEC

typedef struct
{
  gatomicrefcount     ref_count;
  HaulJob            *job;
  HaulPartFile       *part;       /* borrowed: the attempt waits for every connection */
  HaulSegments       *table;
  GUri               *uri;
  char               *server;     /* scheme://host:port, for the connection budgets */
  char               *etag;
  char               *last_modified;
  gint64              total;
  HaulWatchdog       *watchdog;   /* the attempt's: a stall is no connection moving */
  GCancellable       *attempt;    /* the attempt's: the user's stop, or that stall */
  GCancellable       *stop;       /* ends every connection */
  _Atomic gint64      checkpoint_us;

  GMutex              lock;
  GCond               cond;
  guint               n_extras;   /* extra connections running */
  guint               n_leaving;  /* ...of which ending because the limit went down */
  guint               n_failed;   /* extra connections that failed */
  _Atomic guint       n_cut_short; /* ranged answers that ended before their end */
  gint64              ramp_after_us; /* no new extra before (after a failure) */
  gboolean            opening;    /* an extra connection waits for its answer */
  gboolean            no_extras;  /* extra connections are not answered with ranges */
  gboolean            decided;    /* verdict is set: the attempt ends */
  HaulSegmentedResult verdict;
  GError             *fatal;      /* with verdict FAILED */
  GError             *last_error; /* the last failed connection's */
} Fetch;

typedef struct
{
  Fetch            *fetch;
  gboolean          extra;
  HaulSegmentClaim  claim;
  gboolean          claimed;
  gboolean          failed;      /* it noted an error */
  gboolean          leaving;     /* it ends because the limit went down */
  gint64            pos;         /* the next byte to write */
  gint64            stop_at;     /* exclusive: where the answer's range ends */
  GCancellable     *cancellable;
  gulong            stop_handler;
  HaulWatchdog     *watchdog;
  SoupSession      *session;
  SoupMessage      *msg;
  GInputStream     *stream;
  char             *buf;
} Conn;

/* ------------------------------------------------------------------ */
/* The shared state */

static Fetch *
fetch_ref (Fetch *f)
{
  g_atomic_ref_count_inc (&f->ref_count);
  return f;
}

static void
fetch_unref (Fetch *f)
{
  if (!g_atomic_ref_count_dec (&f->ref_count))
    return;
  haul_job_unref (f->job);
  haul_segments_unref (f->table);
  g_uri_unref (f->uri);
  g_free (f->server);
  g_free (f->etag);
  g_free (f->last_modified);
  g_object_unref (f->stop);
  g_object_unref (f->attempt);
  g_mutex_clear (&f->lock);
  g_cond_clear (&f->cond);
  g_clear_error (&f->fatal);
  g_clear_error (&f->last_error);
  g_free (f);
}

static Fetch *
fetch_new (HaulSegmentedSpec *spec)
{
  Fetch *f = g_new0 (Fetch, 1);

  g_atomic_ref_count_init (&f->ref_count);
  f->job = haul_job_ref (spec->job);
  f->part = spec->part;
  f->table = haul_segments_ref (spec->table);
  f->uri = g_uri_ref (spec->uri);
  f->server = haul_connections_server_of (spec->uri);
  f->etag = g_strdup (spec->etag);
  f->last_modified = g_strdup (spec->last_modified);
  f->total = spec->total;
  f->watchdog = spec->watchdog;
  f->attempt = g_object_ref (spec->attempt);
  f->stop = g_cancellable_new ();
  f->checkpoint_us = g_get_monotonic_time ();
  g_mutex_init (&f->lock);
  g_cond_init (&f->cond);
  return f;
}

/* The first verdict wins; every connection stops. @error: (transfer full) */
static void
fetch_decide (Fetch               *f,
              HaulSegmentedResult  verdict,
              GError              *error)
{
  gboolean first;

  g_mutex_lock (&f->lock);
  first = !f->decided;
  if (first)
    {
      f->decided = TRUE;
      f->verdict = verdict;
      f->fatal = error;
      error = NULL;
    }
  g_cond_broadcast (&f->cond);
  g_mutex_unlock (&f->lock);
  g_clear_error (&error);
  if (first)
    g_cancellable_cancel (f->stop);
}

/* The answer is of another version of the file: start over from zero. */
static void
fetch_file_changed (Fetch *f)
{
  fetch_decide (f, HAUL_SEGMENTED_RESTART,
                g_error_new_literal (HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_BAD_RESPONSE,
                                     _("The file changed on the server")));
}

static gboolean
fetch_is_decided (Fetch *f)
{
  gboolean decided;

  g_mutex_lock (&f->lock);
  decided = f->decided;
  g_mutex_unlock (&f->lock);
  return decided;
}

static void
fetch_note_error (Fetch  *f,
                  GError *error)
{
  g_mutex_lock (&f->lock);
  g_clear_error (&f->last_error);
  f->last_error = error;
  g_mutex_unlock (&f->lock);
}

static void
publish_connections (Fetch *f)
{
  f->job->n_connections = 1 + (int) f->n_extras;
  if (f->job->bridge != NULL)
    haul_progress_bridge_poke (f->job->bridge);
}

/* ------------------------------------------------------------------ */
/* Checkpoints */

/* The written ranges' text is taken before the sync: every byte it names
 * was written before it was counted, so after the sync it is on disk. */
static void
fetch_checkpoint (Fetch *f)
{
  g_autofree char *text = haul_segments_to_string (f->table, 0);
  GError *error = NULL;

  if (!haul_part_file_sync (f->part, &error))
    {
      fetch_decide (f, HAUL_SEGMENTED_FAILED, error);
      return;
    }
  haul_part_file_set_ranges (f->part, text);
  haul_job_set_checkpoint (f->job, g_steal_pointer (&text));
}

/* Every CHECKPOINT_US, by whichever connection gets there first. */
static void
fetch_maybe_checkpoint (Fetch *f)
{
  gint64 now = g_get_monotonic_time ();
  gint64 last = f->checkpoint_us;

  if (now - last < CHECKPOINT_US || !atomic_compare_exchange_strong (&f->checkpoint_us, &last, now))
    return;
  fetch_checkpoint (f);
}

/* ------------------------------------------------------------------ */
/* Connections */

static void
cancel_conn (GCancellable *stop,
             gpointer      conn_cancellable)
{
  g_cancellable_cancel (G_CANCELLABLE (conn_cancellable));
}

/* @error: (transfer full): why @c ends, kept for the attempt's message if
 * no connection is left to finish the file. */
static void
conn_note_error (Conn   *c,
                 GError *error)
{
  c->failed = TRUE;
  fetch_note_error (c->fetch, error);
}

/* Each connection has its own cancellable (the Fetch's stop cancels it)
 * and its own watchdog: one stalled connection ends alone. */
static Conn *
conn_new (Fetch    *f,
          gboolean  extra)
{
  Conn *c = g_new0 (Conn, 1);

  c->fetch = fetch_ref (f);
  c->extra = extra;
  c->cancellable = g_cancellable_new ();
  c->stop_handler = g_cancellable_connect (f->stop, G_CALLBACK (cancel_conn),
                                           g_object_ref (c->cancellable), g_object_unref);
  c->watchdog = haul_watchdog_start (c->cancellable, f->job->connect_timeout_s,
                                     f->job->stall_timeout_s);
  c->buf = g_malloc (HAUL_SEGMENTS_SAFE_ZONE);
  return c;
}

/* Ends the exchange. A body read to its end leaves the connection to the
 * next request (keep-alive); closing it early drops the connection. */
static void
conn_close_stream (Conn *c)
{
  if (c->stream != NULL)
    g_input_stream_close (c->stream, NULL, NULL);
  g_clear_object (&c->stream);
  g_clear_object (&c->msg);
}

static void
conn_release (Conn *c)
{
  if (c->claimed)
    haul_segments_release (c->fetch->table, c->claim.id);
  c->claimed = FALSE;
}

static void
conn_free (Conn *c)
{
  conn_close_stream (c);
  conn_release (c);
  g_cancellable_disconnect (c->fetch->stop, c->stop_handler);
  haul_watchdog_stop (c->watchdog);
  g_object_unref (c->cancellable);
  fetch_unref (c->fetch);
  g_free (c->buf);
  g_free (c);
}

/* Whether the connection should end quietly: the attempt is decided or
 * stopped, or an extra one is more than the download may have now (the
 * limit went down: only as many leave as must). @claiming: about to claim
 * a new range, which an extra does not when the server ignores ranges. */
static gboolean
conn_should_end (Conn     *c,
                 gboolean  claiming)
{
  Fetch *f = c->fetch;
  gboolean end;

  if (g_cancellable_is_cancelled (c->cancellable) || c->leaving)
    return TRUE;
  g_mutex_lock (&f->lock);
  end = f->decided || (c->extra && claiming && f->no_extras);
  if (!end && c->extra &&
      1 + f->n_extras - f->n_leaving > (guint) CLAMP (f->job->max_connections, 1, HAUL_MAX_CONNECTIONS))
    {
      f->n_leaving++;
      c->leaving = TRUE;
      end = TRUE;
    }
  g_mutex_unlock (&f->lock);
  return end;
}

/* An extra connection the server would not take (busy, refused, reset)
 * while others work: fewer for this server from now on. */
static void
conn_refused (Conn   *c,
              gint64  retry_after_s)
{
  Fetch *f = c->fetch;

  haul_connections_penalize (f->server, f->job->max_per_server, retry_after_s);
}

static gboolean
error_is_refusal (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);
}

/* The request failed before an answer: @cause is libsoup's error. */
static void
conn_send_failed (Conn   *c,
                  GError *cause)
{
  Fetch *f = c->fetch;
  GError *error = NULL;

  if (_haul_transfer_check_cancelled (f->job, c->cancellable, c->watchdog, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      return;
    }
  if (error == NULL)
    {
      if (c->extra && error_is_refusal (cause))
        conn_refused (c, -1);
      if (!haul_proxy_set_error (&error, cause, f->job->proxy_resolver, f->uri, NULL))
        _haul_transfer_set_network_error (&error, cause, g_uri_get_host (f->uri), TRUE);
    }
  conn_note_error (c, error);
}

/* A 200 to a ranged request. With If-Range it means the file changed; without, the server does
 * not keep to ranges: no more extra connections, and if this one was the
 * only one left, one stream from zero. */
static void
conn_got_whole (Conn *c)
{
  Fetch *f = c->fetch;
  gboolean alone;

  if (haul_http_etag_is_strong (f->etag) || f->last_modified != NULL)
    {
      fetch_file_changed (f);
      return;
    }
  g_mutex_lock (&f->lock);
  f->no_extras = TRUE;
  alone = f->n_extras == 0 || (c->extra && f->n_extras == 1);
  g_mutex_unlock (&f->lock);
  g_debug ("%s answers ranged requests with the whole file", f->server);
  if (alone && !c->extra)
    fetch_decide (f, HAUL_SEGMENTED_ONE_STREAM, NULL);
}

/* A 206 must be the asked range of the same file, unencoded. Returns
 * FALSE (and decides or notes why) when it is not. */
static gboolean
conn_check_partial (Conn *c)
{
  Fetch *f = c->fetch;
  SoupMessageHeaders *rh = soup_message_get_response_headers (c->msg);
  const char *etag = soup_message_headers_get_one (rh, "ETag");
  const char *encoding = soup_message_headers_get_one (rh, "Content-Encoding");
  gint64 s = -1, e = -1, t = -1;

  if (!haul_http_parse_content_range (soup_message_headers_get_one (rh, "Content-Range"), &s, &e, &t) ||
      (t >= 0 && t != f->total) || (etag != NULL && f->etag != NULL && strcmp (etag, f->etag) != 0))
    {
      fetch_file_changed (f);
      return FALSE;
    }
  if (encoding != NULL && g_ascii_strcasecmp (encoding, "identity") != 0)
    {
      /* Another representation of the file: not these bytes. */
      conn_got_whole (c);
      return FALSE;
    }
  /* %lld, not G_GINT64_FORMAT: xgettext would cut the message at the macro. */
  if (s != c->claim.start || e < s || e >= c->claim.end)
    {
      fetch_decide (f, HAUL_SEGMENTED_FAILED,
                    g_error_new (HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_BAD_RESPONSE,
                                 _("The server sent the wrong part of the file (asked for bytes "
                                   "%lld–%lld, got %lld–%lld); nothing of it was written"),
                                 (long long) c->claim.start, (long long) (c->claim.end - 1),
                                 (long long) s, (long long) e));
      return FALSE;
    }
  c->stop_at = e + 1;  /* a server may send less than asked */
  return TRUE;
}

/* Any other status: busy servers make fewer extras; the rest is noted. */
static void
conn_got_error_status (Conn *c)
{
  Fetch *f = c->fetch;
  guint status = soup_message_get_status (c->msg);
  GError *error = NULL;

  gint64 retry_after_s = -1;

  if (!_haul_auth_set_error (&error, c->msg, NULL))
    _haul_transfer_set_http_error (&error, c->msg, &retry_after_s);
  if (status == SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE)
    {
      fetch_decide (f, HAUL_SEGMENTED_RESTART, error);
      return;
    }
  if (c->extra && (status == 429 || status == 503))
    conn_refused (c, retry_after_s);
  conn_note_error (c, error);
}

/* Asks for the claimed range. Returns TRUE when the answer is its bytes. */
static gboolean
conn_open (Conn *c)
{
  Fetch *f = c->fetch;
  GError *cause = NULL;
  guint status;

  c->msg = _haul_transfer_new_request (f->uri, c->claim.start, c->claim.end - 1, TRUE,
                                       f->etag, f->last_modified);
  _haul_auth_attach (c->msg, f->job);
  haul_request_context_apply (f->job->context, c->msg);
  c->stream = soup_session_send (c->session, c->msg, c->cancellable, &cause);
  if (c->stream == NULL)
    {
      conn_send_failed (c, cause);
      g_error_free (cause);
      return FALSE;
    }
  haul_watchdog_set_connected (c->watchdog);
  c->pos = c->claim.start;

  status = soup_message_get_status (c->msg);
  if (status == SOUP_STATUS_PARTIAL_CONTENT)
    return conn_check_partial (c);
  if (status == SOUP_STATUS_OK)
    conn_got_whole (c);
  else
    conn_got_error_status (c);
  return FALSE;
}

/* A read or write failed. */
static void
conn_io_failed (Conn   *c,
                GError *cause)
{
  Fetch *f = c->fetch;
  GError *error = NULL;

  if (_haul_transfer_check_cancelled (f->job, c->cancellable, c->watchdog, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_error_free (error);
      else
        conn_note_error (c, error);  /* this connection stalled */
      return;
    }
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
    f->n_cut_short++;
  _haul_transfer_set_network_error (&error, cause, g_uri_get_host (f->uri), FALSE);
  conn_note_error (c, error);
}

/* Writes @n bytes read at the connection's position and counts them.
 * Returns how many more bytes the table lets it write. The job's received
 * grows by what the table counted as newly written, never by @n: a twin
 * fetching the same rest writes the same bytes, and the job's count
 * (seeded from the table's written bytes) stays the table's. */
static gint64
conn_write (Conn   *c,
            gssize  n)
{
  Fetch *f = c->fetch;
  GError *error = NULL;
  gint64 counted = 0, allowed;

  if (!haul_part_file_write_at (f->part, c->pos, c->buf, n, &error))
    {
      fetch_decide (f, HAUL_SEGMENTED_FAILED, error);
      return -1;
    }
  allowed = haul_segments_advance (f->table, c->claim.id, n, &counted);
  haul_watchdog_touch (f->watchdog);
  c->pos += n;
  f->job->received += counted;
  if (f->job->bridge != NULL)
    haul_progress_bridge_poke (f->job->bridge);
  return allowed;
}

/* Reads the claimed range into the file. Returns FALSE when the
 * connection cannot go on (its error is noted or the attempt decided). */
static gboolean
conn_receive (Conn *c)
{
  Fetch *f = c->fetch;
  gint64 allowed = haul_segments_get_allowed (f->table, c->claim.id);
  GError *error = NULL;

  for (;;)
    {
      gint64 want = MIN (MIN (allowed, c->stop_at - c->pos),
                         MIN ((gint64) _haul_transfer_read_size (f->job), HAUL_SEGMENTS_SAFE_ZONE));
      gssize n;

      if (want <= 0)
        return TRUE;
      n = _haul_transfer_read (c->stream, c->buf, want, c->cancellable, &error);
      if (n < 0)
        {
          conn_io_failed (c, error);
          g_clear_error (&error);
          return FALSE;
        }
      if (n == 0)
        {
          haul_copy_gate_leave ();
          f->n_cut_short++;
          conn_note_error (c, g_error_new (HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_TRUNCATED,
                                            _("The server closed the connection before the file was complete")));
          return FALSE;
        }
      haul_watchdog_touch (c->watchdog);
      allowed = conn_write (c, n);
      haul_copy_gate_leave ();
      if (allowed < 0)
        return FALSE;
      fetch_maybe_checkpoint (f);
      if (conn_should_end (c, FALSE) ||
          !_haul_transfer_throttle (f->job, c->cancellable, c->watchdog, n, NULL))
        return FALSE;
    }
}

/* Ends the exchange after its range: a body read to its end keeps the
 * connection for the next request. */
static void
conn_finish_range (Conn *c)
{
  SoupMessageHeaders *rh;

  if (c->stream != NULL && c->msg != NULL && c->pos == c->stop_at)
    {
      rh = soup_message_get_response_headers (c->msg);
      if (soup_message_headers_get_encoding (rh) == SOUP_ENCODING_CONTENT_LENGTH)
        (void) g_input_stream_read (c->stream, c->buf, 1, c->cancellable, NULL);
    }
  conn_close_stream (c);
  conn_release (c);
}

/* Claims, asks and receives ranges until there is nothing to claim, the
 * connection fails or it should end. Returns FALSE after a failure. */
static gboolean
conn_run (Conn *c)
{
  Fetch *f = c->fetch;
  gboolean ok = TRUE;

  while (ok && !conn_should_end (c, TRUE))
    {
      if (c->stream == NULL)
        {
          if (!haul_segments_claim (f->table, &c->claim))
            break;
          c->claimed = TRUE;
          ok = conn_open (c);
        }
      ok = ok && conn_receive (c);
      conn_finish_range (c);
    }
  return ok;
}

/* ------------------------------------------------------------------ */
/* Extra connections and the ramp */

static void fetch_ramp (Fetch *f);

static void
extra_main (gpointer     data,
            SoupSession *session)
{
  Conn *c = data;
  Fetch *f = fetch_ref (c->fetch);
  gboolean opened;

  c->session = session;
  _haul_auth_prepare_session (session, f->job);
  opened = !conn_should_end (c, TRUE) && conn_open (c);
  g_mutex_lock (&f->lock);
  f->opening = FALSE;
  g_mutex_unlock (&f->lock);
  if (opened)
    {
      fetch_ramp (f); /* each 206 lets the next connection open */
      if (conn_receive (c))
        {
          conn_finish_range (c);
          conn_run (c);
        }
    }
  haul_connections_release (f->server, TRUE);
  g_mutex_lock (&f->lock);
  f->n_extras--;
  if (c->leaving)
    f->n_leaving--;
  if (c->failed)
    {
      /* Failing extras open again more slowly, then not at all. */
      f->n_failed++;
      f->ramp_after_us = g_get_monotonic_time () + f->n_failed * RAMP_BACKOFF_US;
    }
  publish_connections (f);
  g_cond_broadcast (&f->cond);
  g_mutex_unlock (&f->lock);
  conn_free (c);
  fetch_unref (f);
}

/* Opens one more connection if every limit allows it and there is a range
 * for it: the claim is made here, so no thread starts for nothing. */
static void
fetch_ramp (Fetch *f)
{
  HaulJob *job = f->job;
  Conn *c;
  HaulSegmentClaim claim;

  g_mutex_lock (&f->lock);
  if (f->opening || f->no_extras || f->decided || f->n_failed >= MAX_EXTRA_FAILURES ||
      g_get_monotonic_time () < f->ramp_after_us ||
      1 + f->n_extras >= (guint) CLAMP (job->max_connections, 1, HAUL_MAX_CONNECTIONS) ||
      !haul_connections_acquire (f->server, job->max_per_server))
    {
      g_mutex_unlock (&f->lock);
      return;
    }
  if (!haul_segments_claim (f->table, &claim))
    {
      g_mutex_unlock (&f->lock);
      haul_connections_release (f->server, TRUE);
      return;
    }
  f->opening = TRUE;
  f->n_extras++;
  publish_connections (f);
  g_mutex_unlock (&f->lock);

  c = conn_new (f, TRUE);
  c->claim = claim;
  c->claimed = TRUE;
  haul_worker_pool_run_connection (extra_main, c);
}

/* ------------------------------------------------------------------ */
/* The attempt's thread */

/* Waits a slice for the extra connections (the attempt's watchdog is
 * told: waiting for them is not a stall), then checkpoints and ramps.
 * Returns how many extra connections still run. */
static guint
first_wait (Fetch *f)
{
  guint n;

  g_mutex_lock (&f->lock);
  if (f->n_extras > 0 && !f->decided)
    g_cond_wait_until (&f->cond, &f->lock, g_get_monotonic_time () + WAIT_SLICE_US);
  n = f->n_extras;
  g_mutex_unlock (&f->lock);
  if (n > 0)
    haul_watchdog_touch (f->watchdog);
  fetch_maybe_checkpoint (f);
  fetch_ramp (f);
  return n;
}

/* The first connection: the probe's answer is its first range; then it
 * claims like the others, and when nothing is left to claim it waits for
 * the others (one of them may fail and leave a range behind). */
static void
first_run (Fetch *f,
           Conn  *c)
{
  guint failures = 0;

  fetch_ramp (f);
  if (conn_receive (c))
    conn_finish_range (c);
  else
    {
      conn_finish_range (c);
      failures++;
    }

  while (!fetch_is_decided (f) && !g_cancellable_is_cancelled (c->cancellable) &&
         !haul_segments_is_complete (f->table))
    {
      if (failures < MAX_FIRST_FAILURES)
        failures = conn_run (c) ? 0 : failures + 1;
      if (first_wait (f) > 0)
        continue;
      if (failures >= MAX_FIRST_FAILURES)
        break;
      if (failures > 0)
        _haul_transfer_sleep (c->cancellable, failures * 500 * 1000);
    }
}

/* Stops every extra connection and waits for them to end. */
static void
fetch_stop_all (Fetch *f)
{
  g_cancellable_cancel (f->stop);
  g_mutex_lock (&f->lock);
  while (f->n_extras > 0)
    g_cond_wait (&f->cond, &f->lock);
  g_mutex_unlock (&f->lock);
}

static HaulSegmentedResult
fetch_result (Fetch   *f,
              GError **error)
{
  HaulJob *job = f->job;

  if (_haul_transfer_check_cancelled (job, f->attempt, f->watchdog, error))
    return HAUL_SEGMENTED_FAILED;
  if (f->decided)
    {
      if (f->fatal != NULL && f->verdict == HAUL_SEGMENTED_FAILED)
        g_propagate_error (error, g_steal_pointer (&f->fatal));
      else if (f->fatal != NULL)
        g_message ("%s: %s; starting again from the beginning", job->uri, f->fatal->message);
      return f->verdict;
    }
  if (haul_segments_is_complete (f->table))
    return HAUL_SEGMENTED_DONE;
  if (f->n_cut_short >= MAX_FIRST_FAILURES)
    {
      /* Ranged answers keep ending early: this server cannot be trusted
       * with ranges, one whole answer is the way to the file. */
      g_message ("%s: the server cuts ranged answers short; fetching in one stream", job->uri);
      return HAUL_SEGMENTED_ONE_STREAM;
    }
  if (f->last_error != NULL)
    g_propagate_error (error, g_steal_pointer (&f->last_error));
  else
    g_set_error_literal (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_NETWORK,
                         _("Every connection to the server failed"));
  return HAUL_SEGMENTED_FAILED;
}

/**
 * _haul_segmented_receive:
 *
 * Fetches the missing ranges of @spec's table with as many connections
 * as the limits allow, the probe's exchange being the first. Blocks until
 * every connection has ended. The written ranges are checkpointed as it
 * goes and once more at the end (unless the file must start over).
 */
HaulSegmentedResult
_haul_segmented_receive (HaulSegmentedSpec  *spec,
                         GError            **error)
{
  Fetch *f = fetch_new (spec);
  Conn *first = conn_new (f, FALSE);
  gulong handler = g_cancellable_connect (spec->attempt, G_CALLBACK (cancel_conn),
                                          g_object_ref (f->stop), g_object_unref);
  HaulSegmentedResult result;
  gint64 s = -1, e = -1, t = -1;

  haul_job_set_segments (spec->job, f->table);
  {
    /* Before any byte lands out of order: whoever opens this .part next
     * (the store or not) must never take its size for what it holds. */
    g_autofree char *text = haul_segments_to_string (f->table, 0);

    haul_part_file_set_ranges (spec->part, text);
  }
  haul_job_set_checkpoint (spec->job, haul_segments_to_string (f->table, 0));
  publish_connections (f);

  /* The probe's answer is the first claim's range. */
  first->session = spec->session;
  haul_watchdog_set_connected (first->watchdog);
  first->msg = g_object_ref (spec->probe_msg);
  first->stream = g_object_ref (spec->probe_stream);
  haul_http_parse_content_range (soup_message_headers_get_one (soup_message_get_response_headers (spec->probe_msg),
                                                               "Content-Range"), &s, &e, &t);
  if (haul_segments_claim (f->table, &first->claim) && first->claim.start == s)
    {
      first->claimed = TRUE;
      first->pos = s;
      first->stop_at = e + 1;
      first_run (f, first);
    }
  else
    fetch_decide (f, HAUL_SEGMENTED_ONE_STREAM, NULL);

  fetch_stop_all (f);
  g_cancellable_disconnect (spec->attempt, handler);
  result = fetch_result (f, error);
  if (result == HAUL_SEGMENTED_FAILED)
    fetch_checkpoint (f); /* if the sync fails, the last checkpoint stands */

  spec->job->n_connections = 0;
  conn_free (first);
  fetch_unref (f);
  return result;
}
