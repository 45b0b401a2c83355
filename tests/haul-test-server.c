/* haul-test-server.c — an in-process HTTP server with fault injection, for tests
 *
 * The SoupServer lives in its own thread, whose thread-default GMainContext
 * it was created and listens in; every handler, timer and unpause runs in
 * that thread. Bodies are always streamed (accumulate off), so libsoup's
 * automatic Range handling never applies: Range and If-Range are done here.
 *
 * Faults:
 *  - throttle: a timer appends rate/50 bytes every 20 ms and unpauses;
 *  - drop ("reset"): once the bytes before the fault have been written,
 *    the socket is shut down (the client sees EOF mid-body), then one more
 *    byte is queued so libsoup notices the dead connection and cleans up;
 *  - stall: the bytes before the fault are queued, then nothing more;
 *  - wrong lengths: Content-Length is set to the announced length; a longer
 *    announcement ends in a drop, a shorter one writes the rest raw on the
 *    socket after the body and closes ("Connection: close");
 *  - lying ranges (206 answers to a Range starting after 0 only): a shifted
 *    start, a wrong total, a body cut short (a drop) or bytes past the asked
 *    end (raw after the body, or inside a chunked body).
 *
 * Several requests, to one path or many, are served at once: each response
 * is its own Response with its own timers, all driven by the server thread's
 * main loop, so none waits for another.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-test-server"

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "haul-byte-range.h"
#include "haul-test-server.h"

#define THROTTLE_INTERVAL_MS 20

typedef enum
{
  ENTRY_FILE,
  ENTRY_REDIRECT,
  ENTRY_RESPONSE,
} EntryKind;

typedef struct
{
  gatomicrefcount ref_count;
  EntryKind       kind;

  /* ENTRY_FILE */
  GBytes         *content;
  char           *content_type;
  char           *etag;
  char           *last_modified;
  char           *content_disposition;
  char           *content_encoding;
  char           *encoding_on_partial;
  GBytes         *new_content;
  char           *new_etag;
  char           *new_last_modified;
  char           *auth_user;
  char           *auth_password;
  GStrv           require_headers;
  char           *set_cookie;
  HaulTestFileOptions options; /* string and GBytes fields are not used */

  /* ENTRY_REDIRECT and ENTRY_RESPONSE */
  guint           status;
  char           *target;
  char           *body;
} Entry;

typedef struct
{
  guint       n_requests;
  guint       n_range_requests; /* requests with a Range header */
  GPtrArray  *ranges;
  GPtrArray  *if_ranges;
  GPtrArray  *headers;          /* SoupMessageHeaders of every request */
  char       *accept_encoding;  /* of the last request */
  GHashTable *statuses;         /* status → how many answers had it */
  guint       in_flight;
  guint       max_in_flight;
  guint       n_auth_refused;   /* answered 401 by an auth domain */
} PathStats;

/* Which of its path's requests one request is (from 1). */
typedef struct
{
  guint index;       /* among all requests of the path */
  guint range_index; /* among those with a Range header; 0: no Range */
} RequestIndex;

/* The file as one request sees it (before or after change_after). */
typedef struct
{
  GBytes     *content;
  const char *etag;
  const char *last_modified;
} Version;

struct _HaulTestServer
{
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *soup;
  guint16       port;
  GError       *error;

  GMutex        mutex;      /* guards everything below and the startup handshake */
  GCond         cond;
  gboolean      ready;
  GHashTable   *entries;    /* path → Entry */
  GHashTable   *stats;      /* path → PathStats */
  guint         total_requests;
  guint         in_flight;
  guint         max_in_flight;

  /* Server thread only. */
  GList        *responses;  /* Response, still streaming */
  GList        *delayed;    /* GSource, answers not started yet */
};

typedef enum
{
  AFTER_COMPLETE,
  AFTER_DROP,
  AFTER_STALL,
} AfterLimit;

/* One streamed response, server thread only. */
typedef struct
{
  HaulTestServer    *server;
  SoupServerMessage *msg;
  GBytes            *body;        /* the bytes this response carries */
  gsize              pos;         /* queued so far */
  gsize              limit;       /* queue at most this much */
  gsize              written;     /* reported by wrote-body-data */
  AfterLimit         after;
  gint64             rate;
  GBytes            *raw_tail;    /* written raw after the body (announced too short) */
  GSource           *timer;
  GSource           *drop_idle;
  gboolean           dropped;
  gboolean           finished;
} Response;

/* ------------------------------------------------------------------ */
/* Entries and statistics */

static Entry *
entry_ref (Entry *entry)
{
  g_atomic_ref_count_inc (&entry->ref_count);
  return entry;
}

static void
entry_unref (Entry *entry)
{
  if (!g_atomic_ref_count_dec (&entry->ref_count))
    return;
  g_clear_pointer (&entry->content, g_bytes_unref);
  g_clear_pointer (&entry->new_content, g_bytes_unref);
  g_free (entry->content_type);
  g_free (entry->etag);
  g_free (entry->last_modified);
  g_free (entry->content_disposition);
  g_free (entry->content_encoding);
  g_free (entry->encoding_on_partial);
  g_free (entry->new_etag);
  g_free (entry->new_last_modified);
  g_free (entry->auth_user);
  g_free (entry->auth_password);
  g_strfreev (entry->require_headers);
  g_free (entry->set_cookie);
  g_free (entry->target);
  g_free (entry->body);
  g_free (entry);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Entry, entry_unref)

static Entry *
entry_new (EntryKind kind)
{
  Entry *entry = g_new0 (Entry, 1);

  g_atomic_ref_count_init (&entry->ref_count);
  entry->kind = kind;
  return entry;
}

static void
path_stats_free (gpointer data)
{
  PathStats *stats = data;

  g_ptr_array_unref (stats->ranges);
  g_ptr_array_unref (stats->if_ranges);
  g_ptr_array_unref (stats->headers);
  g_free (stats->accept_encoding);
  g_hash_table_unref (stats->statuses);
  g_free (stats);
}

/* Called with the mutex held: forgets the counters, not what is in flight. */
static void
path_stats_clear (PathStats *stats)
{
  stats->n_requests = 0;
  stats->n_range_requests = 0;
  g_ptr_array_set_size (stats->ranges, 0);
  g_ptr_array_set_size (stats->if_ranges, 0);
  g_ptr_array_set_size (stats->headers, 0);
  g_clear_pointer (&stats->accept_encoding, g_free);
  stats->n_auth_refused = 0;
  g_hash_table_remove_all (stats->statuses);
  stats->max_in_flight = stats->in_flight;
}

/* Called with the mutex held. */
static PathStats *
get_stats (HaulTestServer *server,
           const char     *path)
{
  PathStats *stats = g_hash_table_lookup (server->stats, path);

  if (stats == NULL)
    {
      stats = g_new0 (PathStats, 1);
      stats->ranges = g_ptr_array_new_with_free_func (g_free);
      stats->if_ranges = g_ptr_array_new_with_free_func (g_free);
      stats->headers = g_ptr_array_new_with_free_func ((GDestroyNotify) soup_message_headers_unref);
      stats->statuses = g_hash_table_new (NULL, NULL);
      g_hash_table_insert (server->stats, g_strdup (path), stats);
    }
  return stats;
}

static void
set_entry (HaulTestServer *server,
           const char     *path,
           Entry          *entry)
{
  g_return_if_fail (path != NULL && path[0] == '/');

  g_mutex_lock (&server->mutex);
  g_hash_table_replace (server->entries, g_strdup (path), entry);
  g_mutex_unlock (&server->mutex);
}

/* ------------------------------------------------------------------ */
/* Streaming (server thread) */

static void
in_flight_done (HaulTestServer *server,
                const char     *path)
{
  PathStats *stats;

  g_mutex_lock (&server->mutex);
  if (server->in_flight > 0)
    server->in_flight--;
  stats = get_stats (server, path);
  if (stats->in_flight > 0)
    stats->in_flight--;
  g_mutex_unlock (&server->mutex);
}

/* Counts the status the request for @path was answered with. */
static void
record_status (HaulTestServer    *server,
               const char        *path,
               SoupServerMessage *msg)
{
  gpointer key = GUINT_TO_POINTER (soup_server_message_get_status (msg));
  PathStats *stats;

  g_mutex_lock (&server->mutex);
  stats = get_stats (server, path);
  g_hash_table_insert (stats->statuses, key,
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (stats->statuses, key)) + 1));
  g_mutex_unlock (&server->mutex);
}

static void
response_stop_sources (Response *r)
{
  if (r->timer != NULL)
    {
      g_source_destroy (r->timer);
      g_clear_pointer (&r->timer, g_source_unref);
    }
  if (r->drop_idle != NULL)
    {
      g_source_destroy (r->drop_idle);
      g_clear_pointer (&r->drop_idle, g_source_unref);
    }
}

static void
response_free (Response *r)
{
  response_stop_sources (r);
  g_signal_handlers_disconnect_by_data (r->msg, r);
  g_clear_object (&r->msg);
  g_clear_pointer (&r->body, g_bytes_unref);
  g_clear_pointer (&r->raw_tail, g_bytes_unref);
  g_free (r);
}

static void
response_finished_cb (SoupServerMessage *msg,
                      Response          *r)
{
  HaulTestServer *server = r->server;

  server->responses = g_list_remove (server->responses, r);
  response_free (r);
}

static gboolean
drop_cb (gpointer data)
{
  Response *r = data;
  GSocket *socket = soup_server_message_get_socket (r->msg);
  static const char one = 0;

  g_clear_pointer (&r->drop_idle, g_source_unref);
  if (r->dropped || r->finished)
    return G_SOURCE_REMOVE;
  r->dropped = TRUE;

  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);

  /* Give libsoup something to write, so it finds the connection dead and
   * finishes the message (the write fails with EPIPE; no SIGPIPE). */
  soup_message_body_append (soup_server_message_get_response_body (r->msg),
                            SOUP_MEMORY_STATIC, &one, 1);
  soup_server_message_unpause (r->msg);
  return G_SOURCE_REMOVE;
}

static void
schedule_drop (Response *r)
{
  if (r->drop_idle != NULL || r->dropped)
    return;
  /* Let the kernel flush what libsoup wrote before the FIN goes out. */
  r->drop_idle = g_timeout_source_new (20);
  g_source_set_static_name (r->drop_idle, "[haul-test] drop");
  g_source_set_callback (r->drop_idle, drop_cb, r, NULL);
  g_source_attach (r->drop_idle, r->server->context);
}

static void
wrote_body_data_cb (SoupServerMessage *msg,
                    guint              chunk_size,
                    Response          *r)
{
  r->written += chunk_size;
  if (r->after == AFTER_DROP && r->written >= r->limit)
    schedule_drop (r);
}

static void
wrote_body_cb (SoupServerMessage *msg,
               Response          *r)
{
  GSocket *socket;

  r->finished = TRUE;
  if (r->raw_tail == NULL)
    return;
  socket = soup_server_message_get_socket (msg);
  if (socket != NULL)
    g_socket_send_with_blocking (socket, g_bytes_get_data (r->raw_tail, NULL),
                                 g_bytes_get_size (r->raw_tail), FALSE, NULL, NULL);
}

/* Queues up to @n more bytes; returns TRUE when the limit is reached. */
static gboolean
response_queue (Response *r,
                gsize     n)
{
  SoupMessageBody *body = soup_server_message_get_response_body (r->msg);

  n = MIN (n, r->limit - r->pos);
  if (n > 0)
    {
      g_autoptr(GBytes) slice = g_bytes_new_from_bytes (r->body, r->pos, n);

      soup_message_body_append_bytes (body, slice);
      r->pos += n;
    }

  if (r->pos < r->limit)
    return FALSE;

  switch (r->after)
    {
    case AFTER_COMPLETE:
      soup_message_body_complete (body);
      break;
    case AFTER_DROP:
      if (r->limit == 0 || r->written >= r->limit)
        schedule_drop (r);
      break;
    case AFTER_STALL:
    default:
      break;
    }
  return TRUE;
}

static gboolean
throttle_cb (gpointer data)
{
  Response *r = data;
  gsize n = MAX (1, r->rate * THROTTLE_INTERVAL_MS / 1000);
  gboolean done;

  done = response_queue (r, n);
  soup_server_message_unpause (r->msg);
  if (done)
    {
      g_clear_pointer (&r->timer, g_source_unref);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
response_start (Response *r)
{
  if (r->rate > 0)
    {
      r->timer = g_timeout_source_new (THROTTLE_INTERVAL_MS);
      g_source_set_static_name (r->timer, "[haul-test] throttle");
      g_source_set_callback (r->timer, throttle_cb, r, NULL);
      g_source_attach (r->timer, r->server->context);
    }
  else
    response_queue (r, G_MAXSIZE);
}

/* ------------------------------------------------------------------ */
/* Handlers (server thread) */

static const char html_page[] =
  "<!DOCTYPE html>\n<html><head><title>Link expired</title></head>\n"
  "<body><h1>This download link has expired</h1><p>Please log in again.</p></body></html>\n";

/* A response stops being "in flight" once it is written (or failed),
 * whichever comes first: the client may already start its next request. */
static void
finished_cb (SoupServerMessage *msg,
             HaulTestServer    *server)
{
  g_autofree char *path = g_object_steal_data (G_OBJECT (msg), "haul-test-in-flight");

  if (path != NULL)
    in_flight_done (server, path);
}

/* Whether a fault hits the @index-th request of its path: not the first
 * @skip ones, then the next @times ones (all of them when @times is 0). */
static gboolean
fault_hits (guint index,
            guint skip,
            guint times)
{
  return index > skip && (times == 0 || index - skip <= times);
}

/* The configured failure (fail_status, Retry-After) instead of the file. */
static void
serve_failure (SoupServerMessage         *msg,
               const HaulTestFileOptions *o)
{
  static const char text[] = "Try again later.\n";
  SoupMessageHeaders *rh = soup_server_message_get_response_headers (msg);

  if (o->retry_after != NULL)
    soup_message_headers_replace (rh, "Retry-After", o->retry_after);
  soup_server_message_set_status (msg, o->fail_status, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, text, strlen (text));
}

/* Whether If-Range (when sent) still names @v. */
static gboolean
if_range_matches (const HaulTestFileOptions *o,
                  const Version             *v,
                  const char                *if_range)
{
  if (if_range == NULL || o->ignore_if_range)
    return TRUE;
  return g_strcmp0 (if_range, v->etag) == 0 ||
         (v->etag == NULL && g_strcmp0 (if_range, v->last_modified) == 0);
}

/* Honours Range (and If-Range against the ETag or Last-Modified of @v):
 * narrows [@start, @end] and sets @partial. Returns FALSE when it answered
 * 416. */
static gboolean
negotiate_range (SoupServerMessage *msg,
                 Entry             *entry,
                 const Version     *v,
                 RequestIndex       ri,
                 gint64             total,
                 gint64            *start,
                 gint64            *end,
                 gboolean          *partial)
{
  const HaulTestFileOptions *o = &entry->options;
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *rh = soup_server_message_get_response_headers (msg);
  const char *range = soup_message_headers_get_one (req, "Range");
  gboolean satisfiable;
  guint64 s, e;

  if (o->ignore_range || range == NULL)
    return TRUE;
  if (o->range_requests_honoured > 0 && ri.range_index > o->range_requests_honoured)
    return TRUE;
  if (!if_range_matches (o, v, soup_message_headers_get_one (req, "If-Range")) ||
      !haul_byte_range_parse (range, (guint64) total, &s, &e, &satisfiable))
    return TRUE;

  if (!satisfiable)
    {
      char value[64];

      g_snprintf (value, sizeof value, "bytes */%" G_GINT64_FORMAT, total);
      soup_message_headers_replace (rh, "Content-Range", value);
      if (v->etag != NULL)
        soup_message_headers_replace (rh, "ETag", v->etag);
      soup_server_message_set_status (msg, SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE, NULL);
      return FALSE;
    }
  *start = (gint64) s;
  *end = (gint64) e - 1;
  *partial = TRUE;
  return TRUE;
}

/* lie_range_start and lie_range_total, for a 206 to a Range starting after
 * 0: moves [@start, @end] (kept inside the file) and sets the total to
 * announce. */
static void
apply_range_lies (const HaulTestFileOptions *o,
                  gint64                     total,
                  gint64                    *start,
                  gint64                    *end,
                  gint64                    *announced_total)
{
  if (o->lie_range_start != 0)
    {
      *start = CLAMP (*start + o->lie_range_start, 0, total - 1);
      *end = CLAMP (*end + o->lie_range_start, *start, total - 1);
    }
  if (o->lie_range_total != 0)
    *announced_total = o->lie_range_total;
}

static void
set_file_headers (SoupServerMessage *msg,
                  Entry             *entry,
                  const Version     *v,
                  gboolean           partial,
                  gint64             start,
                  gint64             end,
                  gint64             announced_total)
{
  const HaulTestFileOptions *o = &entry->options;
  SoupMessageHeaders *rh = soup_server_message_get_response_headers (msg);

  soup_server_message_set_status (msg, partial ? SOUP_STATUS_PARTIAL_CONTENT : SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (rh, "Content-Type",
                                entry->content_type ? entry->content_type : "application/octet-stream");
  if (v->etag != NULL)
    soup_message_headers_replace (rh, "ETag", v->etag);
  if (v->last_modified != NULL)
    soup_message_headers_replace (rh, "Last-Modified", v->last_modified);
  if (entry->content_disposition != NULL)
    soup_message_headers_replace (rh, "Content-Disposition", entry->content_disposition);
  if (entry->content_encoding != NULL)
    soup_message_headers_replace (rh, "Content-Encoding", entry->content_encoding);
  if (entry->set_cookie != NULL)
    soup_message_headers_append (rh, "Set-Cookie", entry->set_cookie);
  if (partial && entry->encoding_on_partial != NULL)
    soup_message_headers_replace (rh, "Content-Encoding", entry->encoding_on_partial);
  if (!o->ignore_range)
    soup_message_headers_replace (rh, "Accept-Ranges", "bytes");
  if (partial)
    soup_message_headers_set_content_range (rh, start, end, announced_total);

  if (o->chunked)
    soup_message_headers_set_encoding (rh, SOUP_ENCODING_CHUNKED);
  else
    soup_message_headers_set_content_length (rh, end - start + 1);
}

/* The body of bytes [@start, @end] of @content (announced as @total), and
 * where it stops: complete, dropped or stalled, as the options say. */
static Response *
response_new (HaulTestServer            *server,
              SoupServerMessage         *msg,
              const HaulTestFileOptions *o,
              GBytes                    *content,
              guint                      index,
              gint64                     start,
              gint64                     end,
              gint64                     total)
{
  gint64 real_len = g_bytes_get_size (content);
  Response *r = g_new0 (Response, 1);
  gsize limit;

  r->server = server;
  r->msg = g_object_ref (msg);
  r->rate = o->rate;
  r->after = AFTER_COMPLETE;
  /* The real bytes this response can carry. */
  if (start < real_len)
    r->body = g_bytes_new_from_bytes (content, start, MIN (end + 1, real_len) - start);
  else
    r->body = g_bytes_new_static ("", 0);
  limit = g_bytes_get_size (r->body);

  if (total > real_len)
    r->after = AFTER_DROP;                 /* announced too long */
  else if (total < real_len && end + 1 == total)
    {
      /* Announced too short: the rest goes raw after the body. */
      r->raw_tail = g_bytes_new_from_bytes (content, total, real_len - total);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
    }

  if (o->reset && fault_hits (index, o->fault_skip, o->reset_times) &&
      (gsize) o->reset_after < limit)
    {
      limit = o->reset_after;
      r->after = AFTER_DROP;
    }
  if (o->stall && fault_hits (index, o->fault_skip, o->stall_times) &&
      (gsize) o->stall_after < limit)
    {
      limit = o->stall_after;
      r->after = AFTER_STALL;
    }
  r->limit = limit;
  return r;
}

/* @n bytes of @content from @from on, zeros past its end. */
static GBytes *
bytes_past (GBytes *content,
            gint64  from,
            gint64  n)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (content, &size);
  guint8 *out = g_malloc0 (MAX (n, 1));

  if (from < (gint64) size)
    memcpy (out, data + from, MIN (n, (gint64) size - from));
  return g_bytes_new_take (out, n);
}

/* short_range_body and long_range_body, for a 206 to a Range starting
 * after 0 whose body ends at @end of @content. */
static void
apply_body_lies (Response                  *r,
                 const HaulTestFileOptions *o,
                 GBytes                    *content,
                 gint64                     end)
{
  gsize size = g_bytes_get_size (r->body);

  if (o->short_range_body > 0)
    {
      gsize cut = size - MIN ((gsize) o->short_range_body, size);

      if (cut < r->limit)
        {
          r->limit = cut;
          r->after = AFTER_DROP;
        }
    }
  else if (o->long_range_body > 0 && r->raw_tail == NULL &&
           r->after == AFTER_COMPLETE && r->limit == size)
    {
      g_autoptr(GBytes) extra = bytes_past (content, end + 1, o->long_range_body);

      if (o->chunked)
        {
          /* No length announced: the extra bytes are part of the body. */
          GByteArray *joined = g_bytes_unref_to_array (g_steal_pointer (&r->body));

          g_byte_array_append (joined, g_bytes_get_data (extra, NULL), g_bytes_get_size (extra));
          r->body = g_byte_array_free_to_bytes (joined);
          r->limit = g_bytes_get_size (r->body);
        }
      else
        {
          r->raw_tail = g_steal_pointer (&extra);
          soup_message_headers_replace (soup_server_message_get_response_headers (r->msg),
                                        "Connection", "close");
        }
    }
}

static void
serve_file (HaulTestServer    *server,
            SoupServerMessage *msg,
            Entry             *entry,
            RequestIndex       ri)
{
  const HaulTestFileOptions *o = &entry->options;
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  Version v = { entry->content, entry->etag, entry->last_modified };
  gint64 total, announced_total, start = 0, end;
  gboolean partial = FALSE;
  gboolean lie;
  Response *r;

  if (o->fail_status != 0 && fault_hits (ri.index, o->fail_skip, o->fail_times))
    {
      serve_failure (msg, o);
      return;
    }

  if (o->change_after > 0 && ri.index > o->change_after && entry->new_content != NULL)
    {
      v.content = entry->new_content;
      v.etag = entry->new_etag;
      if (entry->new_last_modified != NULL)
        v.last_modified = entry->new_last_modified;
    }

  if (soup_message_headers_get_one (req, "Range") != NULL && o->html_on_range)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_STATIC,
                                        html_page, strlen (html_page));
      return;
    }

  total = o->announce_length > 0 ? o->announce_length : (gint64) g_bytes_get_size (v.content);
  announced_total = total;
  end = total - 1;
  if (!negotiate_range (msg, entry, &v, ri, total, &start, &end, &partial))
    return;

  lie = partial && start > 0;
  if (lie)
    apply_range_lies (o, total, &start, &end, &announced_total);
  set_file_headers (msg, entry, &v, partial, start, end, announced_total);
  r = response_new (server, msg, o, v.content, ri.index, start, end, total);
  if (lie)
    apply_body_lies (r, o, v.content, end);

  g_signal_connect (msg, "wrote-body-data", G_CALLBACK (wrote_body_data_cb), r);
  g_signal_connect (msg, "wrote-body", G_CALLBACK (wrote_body_cb), r);
  g_signal_connect (msg, "finished", G_CALLBACK (response_finished_cb), r);
  server->responses = g_list_prepend (server->responses, r);

  response_start (r);
}

typedef struct
{
  HaulTestServer    *server;
  SoupServerMessage *msg;
  Entry             *entry;
  char              *path;
  RequestIndex       ri;
  GSource           *source;
} Delayed;

static gboolean
delayed_cb (gpointer data)
{
  Delayed *d = data;

  d->server->delayed = g_list_remove (d->server->delayed, d->source);
  g_source_unref (d->source); /* the list's ref; the context keeps its own */
  serve_file (d->server, d->msg, d->entry, d->ri);
  record_status (d->server, d->path, d->msg);
  soup_server_message_unpause (d->msg);
  return G_SOURCE_REMOVE;
}

static void
delayed_free (gpointer data)
{
  Delayed *d = data;

  g_object_unref (d->msg);
  entry_unref (d->entry);
  g_free (d->path);
  g_free (d);
}

static void
serve_later (HaulTestServer    *server,
             SoupServerMessage *msg,
             Entry             *entry,
             const char        *path,
             RequestIndex       ri)
{
  Delayed *d = g_new0 (Delayed, 1);
  GSource *source = g_timeout_source_new (entry->options.headers_delay_ms);

  d->server = server;
  d->msg = g_object_ref (msg);
  d->entry = entry_ref (entry);
  d->path = g_strdup (path);
  d->ri = ri;
  d->source = source;
  soup_server_message_pause (msg);
  g_source_set_static_name (source, "[haul-test] delay");
  g_source_set_callback (source, delayed_cb, d, delayed_free);
  g_source_attach (source, server->context);
  server->delayed = g_list_prepend (server->delayed, source);
}

/* Counts the request for @path; returns its entry (NULL: none) and which
 * request of the path it is. */
static Entry *
count_request (HaulTestServer    *server,
               SoupServerMessage *msg,
               const char        *path,
               RequestIndex      *ri)
{
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  const char *range = soup_message_headers_get_one (req, "Range");
  const char *if_range = soup_message_headers_get_one (req, "If-Range");
  Entry *entry;
  PathStats *stats;
  SoupMessageHeaders *copy = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  SoupMessageHeadersIter iter;
  const char *name, *value;

  soup_message_headers_iter_init (&iter, req);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    soup_message_headers_append (copy, name, value);

  g_mutex_lock (&server->mutex);
  stats = get_stats (server, path);
  g_ptr_array_add (stats->headers, copy);
  ri->index = ++stats->n_requests;
  ri->range_index = range != NULL ? ++stats->n_range_requests : 0;
  server->total_requests++;
  if (range != NULL)
    g_ptr_array_add (stats->ranges, g_strdup (range));
  if (if_range != NULL)
    g_ptr_array_add (stats->if_ranges, g_strdup (if_range));
  g_free (stats->accept_encoding);
  stats->accept_encoding = g_strdup (soup_message_headers_get_one (req, "Accept-Encoding"));
  entry = g_hash_table_lookup (server->entries, path);
  if (entry != NULL)
    entry_ref (entry);
  server->in_flight++;
  server->max_in_flight = MAX (server->max_in_flight, server->in_flight);
  stats->in_flight++;
  stats->max_in_flight = MAX (stats->max_in_flight, stats->in_flight);
  g_mutex_unlock (&server->mutex);
  return entry;
}

/* Whether @msg carries every header @entry requires. */
static gboolean
has_required_headers (Entry             *entry,
                      SoupServerMessage *msg)
{
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);

  for (guint i = 0; entry->require_headers != NULL && entry->require_headers[i] != NULL; i++)
    {
      const char *line = entry->require_headers[i];
      const char *colon = strchr (line, ':');
      g_autofree char *name = g_strndup (line, colon - line);
      g_autofree char *value = g_strdup (colon + 1);

      if (g_strcmp0 (soup_message_headers_get_list (req, name), g_strstrip (value)) != 0)
        return FALSE;
    }
  return TRUE;
}

/* GET and HEAD, and POST where the file allows it. */
static gboolean
method_allowed (Entry             *entry,
                SoupServerMessage *msg)
{
  const char *method = soup_server_message_get_method (msg);

  if (strcmp (method, "GET") == 0 || strcmp (method, "HEAD") == 0)
    return TRUE;
  return strcmp (method, "POST") == 0 && entry != NULL && entry->kind == ENTRY_FILE &&
         entry->options.allow_post;
}

static void
server_cb (SoupServer        *soup,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  HaulTestServer *server = user_data;
  g_autoptr(Entry) entry = NULL;
  RequestIndex ri;

  entry = count_request (server, msg, path, &ri);

  g_object_set_data_full (G_OBJECT (msg), "haul-test-in-flight", g_strdup (path), g_free);
  g_signal_connect (msg, "wrote-body", G_CALLBACK (finished_cb), server);
  g_signal_connect (msg, "finished", G_CALLBACK (finished_cb), server);

  /* Never let libsoup answer a Range request by itself (it ignores
   * If-Range, and would turn an error page into a 416). */
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);

  if (!method_allowed (entry, msg))
    soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
  else if (entry == NULL)
    {
      static const char text[] = "Not found.\n";

      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, text, strlen (text));
    }
  else if (entry->kind == ENTRY_REDIRECT)
    soup_server_message_set_redirect (msg, entry->status, entry->target);
  else if (entry->kind == ENTRY_RESPONSE)
    {
      soup_server_message_set_status (msg, entry->status, NULL);
      if (entry->body != NULL)
        soup_server_message_set_response (msg, entry->content_type ? entry->content_type : "text/plain",
                                          SOUP_MEMORY_COPY, entry->body, strlen (entry->body));
    }
  else if (!has_required_headers (entry, msg))
    {
      static const char text[] = "Forbidden.\n";

      soup_server_message_set_status (msg, SOUP_STATUS_FORBIDDEN, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, text, strlen (text));
    }
  else if (entry->options.headers_delay_ms > 0)
    {
      serve_later (server, msg, entry, path, ri);
      return; /* its status is counted once it is answered */
    }
  else
    serve_file (server, msg, entry, ri);

  record_status (server, path, msg);
}

/* ------------------------------------------------------------------ */
/* Authentication (server thread): one Basic and one Digest domain over
 * every path; each filters on its path's entry. */

#define AUTH_REALM "Haul test"

/* The user and password @msg's path asks for with @digest, or FALSE. */
static gboolean
entry_auth (HaulTestServer    *server,
            SoupServerMessage *msg,
            gboolean           digest,
            char             **user,
            char             **password)
{
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  Entry *entry;
  gboolean wants = FALSE;

  g_mutex_lock (&server->mutex);
  entry = g_hash_table_lookup (server->entries, path);
  if (entry != NULL && entry->kind == ENTRY_FILE && entry->auth_user != NULL &&
      !entry->options.auth_digest == !digest)
    {
      wants = TRUE;
      if (user != NULL)
        *user = g_strdup (entry->auth_user);
      if (password != NULL)
        *password = g_strdup (entry->auth_password ? entry->auth_password : "");
    }
  g_mutex_unlock (&server->mutex);
  return wants;
}

static gboolean
basic_filter (SoupAuthDomain    *domain,
              SoupServerMessage *msg,
              gpointer           data)
{
  return entry_auth (data, msg, FALSE, NULL, NULL);
}

static gboolean
digest_filter (SoupAuthDomain    *domain,
               SoupServerMessage *msg,
               gpointer           data)
{
  return entry_auth (data, msg, TRUE, NULL, NULL);
}

static gboolean
basic_auth_cb (SoupAuthDomain    *domain,
               SoupServerMessage *msg,
               const char        *username,
               const char        *password,
               gpointer           data)
{
  g_autofree char *user = NULL, *want = NULL;

  return entry_auth (data, msg, FALSE, &user, &want) &&
         g_strcmp0 (username, user) == 0 && g_strcmp0 (password, want) == 0;
}

static char *
digest_auth_cb (SoupAuthDomain    *domain,
                SoupServerMessage *msg,
                const char        *username,
                gpointer           data)
{
  g_autofree char *user = NULL, *want = NULL;

  if (!entry_auth (data, msg, TRUE, &user, &want) || g_strcmp0 (username, user) != 0)
    return NULL;
  return soup_auth_domain_digest_encode_password (username, AUTH_REALM, want);
}

static void
request_finished_cb (SoupServer        *soup,
                     SoupServerMessage *msg,
                     gpointer           data)
{
  HaulTestServer *server = data;

  if (soup_server_message_get_status (msg) != SOUP_STATUS_UNAUTHORIZED)
    return;
  g_mutex_lock (&server->mutex);
  get_stats (server, g_uri_get_path (soup_server_message_get_uri (msg)))->n_auth_refused++;
  g_mutex_unlock (&server->mutex);
}

static void
add_auth_domains (HaulTestServer *server)
{
  g_autoptr(SoupAuthDomain) basic = soup_auth_domain_basic_new ("realm", AUTH_REALM, NULL);
  g_autoptr(SoupAuthDomain) digest = soup_auth_domain_digest_new ("realm", AUTH_REALM, NULL);

  soup_auth_domain_add_path (basic, "/");
  soup_auth_domain_set_filter (basic, basic_filter, server, NULL);
  soup_auth_domain_basic_set_auth_callback (basic, basic_auth_cb, server, NULL);
  soup_server_add_auth_domain (server->soup, basic);
  soup_auth_domain_add_path (digest, "/");
  soup_auth_domain_set_filter (digest, digest_filter, server, NULL);
  soup_auth_domain_digest_set_auth_callback (digest, digest_auth_cb, server, NULL);
  soup_server_add_auth_domain (server->soup, digest);
  g_signal_connect (server->soup, "request-finished", G_CALLBACK (request_finished_cb), server);
}

/* ------------------------------------------------------------------ */
/* Thread */

static gpointer
server_thread (gpointer data)
{
  HaulTestServer *server = data;
  GError *error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (server->context);

  server->soup = soup_server_new ("server-header", "haul-test-server ", NULL);
  soup_server_add_handler (server->soup, NULL, server_cb, server, NULL);
  add_auth_domains (server);
  if (soup_server_listen_local (server->soup, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      uris = soup_server_get_uris (server->soup);
      server->port = g_uri_get_port (uris->data);
      g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
    }

  g_mutex_lock (&server->mutex);
  server->error = error;
  server->ready = TRUE;
  g_cond_signal (&server->cond);
  g_mutex_unlock (&server->mutex);

  if (error == NULL)
    g_main_loop_run (server->loop);

  /* Shut down in this thread: the messages belong to it. */
  while (server->delayed != NULL)
    {
      GSource *source = server->delayed->data;

      server->delayed = g_list_delete_link (server->delayed, server->delayed);
      g_source_destroy (source);
      g_source_unref (source);
    }
  while (server->responses != NULL)
    {
      Response *r = server->responses->data;

      server->responses = g_list_delete_link (server->responses, server->responses);
      response_free (r);
    }
  soup_server_disconnect (server->soup);
  while (g_main_context_iteration (server->context, FALSE))
    ;
  g_clear_object (&server->soup);
  while (g_main_context_iteration (server->context, FALSE))
    ;

  g_main_context_pop_thread_default (server->context);
  return NULL;
}

static gboolean
quit_cb (gpointer data)
{
  HaulTestServer *server = data;

  g_main_loop_quit (server->loop);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------ */
/* Public API */

HaulTestServer *
haul_test_server_new (void)
{
  HaulTestServer *server = g_new0 (HaulTestServer, 1);

  g_mutex_init (&server->mutex);
  g_cond_init (&server->cond);
  server->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) entry_unref);
  server->stats = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, path_stats_free);
  server->context = g_main_context_new ();
  server->loop = g_main_loop_new (server->context, FALSE);
  server->thread = g_thread_new ("haul-test-server", server_thread, server);

  g_mutex_lock (&server->mutex);
  while (!server->ready)
    g_cond_wait (&server->cond, &server->mutex);
  g_mutex_unlock (&server->mutex);

  g_assert_no_error (server->error);
  g_assert_cmpuint (server->port, >, 0);
  return server;
}

void
haul_test_server_free (HaulTestServer *server)
{
  GSource *source;

  if (server == NULL)
    return;

  source = g_idle_source_new ();
  g_source_set_callback (source, quit_cb, server, NULL);
  g_source_attach (source, server->context);
  g_source_unref (source);
  g_thread_join (server->thread);

  g_main_loop_unref (server->loop);
  g_main_context_unref (server->context);
  g_hash_table_unref (server->entries);
  g_hash_table_unref (server->stats);
  g_clear_error (&server->error);
  g_cond_clear (&server->cond);
  g_mutex_clear (&server->mutex);
  g_free (server);
}

char *
haul_test_server_uri (HaulTestServer *server,
                      const char     *path)
{
  return g_strdup_printf ("http://127.0.0.1:%u%s", server->port, path ? path : "/");
}

guint16
haul_test_server_get_port (HaulTestServer *server)
{
  return server->port;
}

void
haul_test_server_add_file (HaulTestServer            *server,
                           const char                *path,
                           GBytes                    *bytes,
                           const HaulTestFileOptions *options)
{
  Entry *entry = entry_new (ENTRY_FILE);

  g_return_if_fail (bytes != NULL);

  if (options != NULL)
    entry->options = *options;
  entry->content = g_bytes_ref (bytes);
  entry->content_type = g_strdup (entry->options.content_type);
  entry->etag = g_strdup (entry->options.etag);
  entry->last_modified = g_strdup (entry->options.last_modified);
  entry->content_disposition = g_strdup (entry->options.content_disposition);
  entry->content_encoding = g_strdup (entry->options.content_encoding);
  entry->encoding_on_partial = g_strdup (entry->options.encoding_on_partial);
  entry->new_content = entry->options.new_content ? g_bytes_ref (entry->options.new_content) : NULL;
  entry->new_etag = g_strdup (entry->options.new_etag);
  entry->new_last_modified = g_strdup (entry->options.new_last_modified);
  entry->auth_user = g_strdup (entry->options.auth_user);
  entry->auth_password = g_strdup (entry->options.auth_password);
  entry->require_headers = g_strdupv ((char **) entry->options.require_headers);
  for (guint i = 0; entry->require_headers != NULL && entry->require_headers[i] != NULL; i++)
    g_return_if_fail (strchr (entry->require_headers[i], ':') != NULL);
  entry->set_cookie = g_strdup (entry->options.set_cookie);

  /* Only the copies above may be used. */
  entry->options.content_type = NULL;
  entry->options.etag = NULL;
  entry->options.last_modified = NULL;
  entry->options.content_disposition = NULL;
  entry->options.content_encoding = NULL;
  entry->options.encoding_on_partial = NULL;
  entry->options.new_content = NULL;
  entry->options.new_etag = NULL;
  entry->options.new_last_modified = NULL;
  entry->options.auth_user = NULL;
  entry->options.auth_password = NULL;
  entry->options.require_headers = NULL;
  entry->options.set_cookie = NULL;
  entry->options.retry_after = g_intern_string (entry->options.retry_after);

  set_entry (server, path, entry);
}

void
haul_test_server_add_redirect (HaulTestServer *server,
                               const char     *path,
                               guint           status,
                               const char     *target)
{
  Entry *entry = entry_new (ENTRY_REDIRECT);

  g_return_if_fail (SOUP_STATUS_IS_REDIRECTION (status));

  entry->status = status;
  entry->target = g_strdup (target);
  set_entry (server, path, entry);
}

void
haul_test_server_add_response (HaulTestServer *server,
                               const char     *path,
                               guint           status,
                               const char     *content_type,
                               const char     *body)
{
  Entry *entry = entry_new (ENTRY_RESPONSE);

  entry->status = status;
  entry->content_type = g_strdup (content_type);
  entry->body = g_strdup (body);
  set_entry (server, path, entry);
}

guint
haul_test_server_get_n_requests (HaulTestServer *server,
                                 const char     *path)
{
  PathStats *stats;
  guint n = 0;

  g_mutex_lock (&server->mutex);
  stats = g_hash_table_lookup (server->stats, path);
  if (stats != NULL)
    n = stats->n_requests;
  g_mutex_unlock (&server->mutex);
  return n;
}

guint
haul_test_server_get_total_requests (HaulTestServer *server)
{
  guint n;

  g_mutex_lock (&server->mutex);
  n = server->total_requests;
  g_mutex_unlock (&server->mutex);
  return n;
}

static char **
dup_strings (HaulTestServer *server,
             const char     *path,
             gboolean        if_ranges)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  PathStats *stats;
  char **ret;

  g_mutex_lock (&server->mutex);
  stats = g_hash_table_lookup (server->stats, path);
  if (stats != NULL)
    {
      GPtrArray *array = if_ranges ? stats->if_ranges : stats->ranges;

      for (guint i = 0; i < array->len; i++)
        g_strv_builder_add (builder, g_ptr_array_index (array, i));
    }
  g_mutex_unlock (&server->mutex);

  ret = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return ret;
}

char **
haul_test_server_get_ranges (HaulTestServer *server,
                             const char     *path)
{
  return dup_strings (server, path, FALSE);
}

char **
haul_test_server_get_if_ranges (HaulTestServer *server,
                                const char     *path)
{
  return dup_strings (server, path, TRUE);
}

char **
haul_test_server_get_header_values (HaulTestServer *server,
                                    const char     *path,
                                    const char     *name)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  PathStats *stats;
  char **ret;

  g_mutex_lock (&server->mutex);
  stats = g_hash_table_lookup (server->stats, path);
  for (guint i = 0; stats != NULL && i < stats->headers->len; i++)
    {
      const char *value = soup_message_headers_get_list (g_ptr_array_index (stats->headers, i), name);

      g_strv_builder_add (builder, value != NULL ? value : "");
    }
  g_mutex_unlock (&server->mutex);

  ret = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return ret;
}

char *
haul_test_server_get_accept_encoding (HaulTestServer *server,
                                      const char     *path)
{
  PathStats *stats;
  char *ret = NULL;

  g_mutex_lock (&server->mutex);
  stats = g_hash_table_lookup (server->stats, path);
  if (stats != NULL)
    ret = g_strdup (stats->accept_encoding);
  g_mutex_unlock (&server->mutex);
  return ret;
}

guint
haul_test_server_get_in_flight (HaulTestServer *server)
{
  guint n;

  g_mutex_lock (&server->mutex);
  n = server->in_flight;
  g_mutex_unlock (&server->mutex);
  return n;
}

guint
haul_test_server_get_max_in_flight (HaulTestServer *server)
{
  guint n;

  g_mutex_lock (&server->mutex);
  n = server->max_in_flight;
  g_mutex_unlock (&server->mutex);
  return n;
}

guint
haul_test_server_get_max_in_flight_path (HaulTestServer *server,
                                         const char     *path)
{
  PathStats *stats;
  guint n = 0;

  g_mutex_lock (&server->mutex);
  stats = g_hash_table_lookup (server->stats, path);
  if (stats != NULL)
    n = stats->max_in_flight;
  g_mutex_unlock (&server->mutex);
  return n;
}

guint
haul_test_server_get_n_status (HaulTestServer *server,
                               const char     *path,
                               guint           status)
{
  PathStats *stats;
  guint n = 0;

  g_mutex_lock (&server->mutex);
  stats = g_hash_table_lookup (server->stats, path);
  if (stats != NULL)
    n = GPOINTER_TO_UINT (g_hash_table_lookup (stats->statuses, GUINT_TO_POINTER (status)));
  g_mutex_unlock (&server->mutex);
  return n;
}

void
haul_test_server_reset_counters (HaulTestServer *server)
{
  GHashTableIter iter;
  gpointer stats;

  g_mutex_lock (&server->mutex);
  g_hash_table_iter_init (&iter, server->stats);
  while (g_hash_table_iter_next (&iter, NULL, &stats))
    path_stats_clear (stats);
  server->total_requests = 0;
  server->max_in_flight = server->in_flight;
  g_mutex_unlock (&server->mutex);
}

/* ------------------------------------------------------------------ */
/* Helpers */

GBytes *
haul_test_content (gsize   size,
                   guint32 seed)
{
  guint8 *data = g_malloc (MAX (size, 1));
  guint32 x = seed ^ 0x9e3779b9u;

  if (x == 0)
    x = 1;
  for (gsize i = 0; i < size; i++)
    {
      /* xorshift32 */
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      data[i] = (guint8) (x >> 24);
    }
  return g_bytes_new_take (data, size);
}

char *
haul_test_sha256_file (const char *path)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guchar *buf = g_malloc (64 * 1024);
  FILE *f = fopen (path, "rbe");
  size_t n;

  if (f == NULL)
    return NULL;
  while ((n = fread (buf, 1, 64 * 1024, f)) > 0)
    g_checksum_update (checksum, buf, n);
  fclose (f);
  return g_strdup (g_checksum_get_string (checksum));
}

char *
haul_test_sha256_bytes (GBytes *bytes)
{
  gsize size;
  const guchar *data = g_bytes_get_data (bytes, &size);

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, size);
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_REMOVE;
}

gboolean
haul_test_wait_until (HaulTestPredicate predicate,
                      gpointer          data,
                      guint             timeout_ms)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!predicate (data))
    {
      gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;
      GSource *wake;

      if (left_ms <= 0)
        return predicate (data);

      /* Wake at least every 20 ms to look at the predicate again. */
      wake = g_timeout_source_new ((guint) MIN (left_ms, 20));
      g_source_set_callback (wake, wake_cb, NULL, NULL);
      g_source_attach (wake, context);
      g_main_context_iteration (context, TRUE);
      g_source_destroy (wake);
      g_source_unref (wake);
    }
  return TRUE;
}

static gboolean
always_false (gpointer data)
{
  return FALSE;
}

gboolean
haul_test_pointer_is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

void
haul_test_spin (guint ms)
{
  haul_test_wait_until (always_false, NULL, ms);
}

static gboolean
probe_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs probe_funcs = {
  NULL, NULL, probe_dispatch, NULL, NULL, NULL
};

GSource *
haul_test_probe_new (GSourceFunc callback,
                     gpointer    data,
                     gint64      ready_time)
{
  GSource *probe = g_source_new (&probe_funcs, sizeof (GSource));

  g_source_set_priority (probe, G_PRIORITY_DEFAULT);
  g_source_set_static_name (probe, "[bench] probe");
  g_source_set_callback (probe, callback, data, NULL);
  g_source_set_ready_time (probe, ready_time);
  g_source_attach (probe, NULL);
  return probe;
}

/* ------------------------------------------------------------------ */
/* File helpers */

void
haul_test_interrupt_haul (GSubprocess *haul)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (haul, SIGINT);
  g_assert_true (g_subprocess_wait (haul, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (haul));
  g_assert_cmpint (g_subprocess_get_exit_status (haul), ==, 130);
}

guint16
haul_test_listen_loopback (GSocketListener *listener)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                 &effective, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
}

char *
haul_test_make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("haul-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
haul_test_rm_rf (const char *path)
{
  struct stat st;

  if (lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          haul_test_rm_rf (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

gboolean
haul_test_exists_nofollow (const char *path)
{
  struct stat st;

  return lstat (path, &st) == 0;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/**
 * haul_test_proc_status_kib:
 * @field: a line of /proc/self/status measured in kB: "VmRSS", "VmHWM"…
 *
 * Returns: its value in KiB, or -1
 */
gint64
haul_test_proc_status_kib (const char *field)
{
  g_autofree char *status = NULL;
  g_autofree char *prefix = g_strconcat ("\n", field, ":", NULL);
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, prefix)) == NULL)
    return -1;
  return g_ascii_strtoll (line + strlen (prefix), NULL, 10);
}

char *
haul_test_list_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);
  return g_strjoinv ("|", (char **) names->pdata);
}

/* ------------------------------------------------------------------ */
/* Mount namespaces */

static gboolean
write_proc_file (const char *path,
                 const char *text)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = write (fd, text, strlen (text)) == (ssize_t) strlen (text);
  close (fd);
  return ok;
}

/* Plain syscalls only, so a forked child of a threaded test may call it. */
gboolean
haul_test_enter_private_mount_namespace (void)
{
  uid_t uid = getuid ();
  gid_t gid = getgid ();

  if (getenv ("HAUL_TEST_NO_MOUNTS") != NULL)
    return FALSE;

  /* Root with CAP_SYS_ADMIN needs no user namespace; root without it (a
   * container) and ordinary users may still be allowed one. */
  if (uid != 0 || unshare (CLONE_NEWNS) != 0)
    {
      char map[64];

      if (unshare (CLONE_NEWUSER | CLONE_NEWNS) != 0)
        return FALSE;
      write_proc_file ("/proc/self/setgroups", "deny");
      snprintf (map, sizeof map, "0 %u 1", (guint) uid);
      if (!write_proc_file ("/proc/self/uid_map", map))
        return FALSE;
      snprintf (map, sizeof map, "0 %u 1", (guint) gid);
      if (!write_proc_file ("/proc/self/gid_map", map))
        return FALSE;
    }
  /* Keep our mounts from propagating back to the real namespace. */
  return mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
}

/**
 * haul_test_fill_disk_at:
 * @dir: an empty folder
 * @size: how many bytes the "disk" holds
 *
 * Makes writes under @dir fail once @size bytes are written: a tmpfs of
 * that size mounted on @dir in a private mount namespace (ENOSPC), or,
 * where namespaces are not allowed, RLIMIT_FSIZE with SIGXFSZ ignored
 * (EFBIG; the engine reports both the same way). Only in a process with
 * no thread yet (a g_test_trap_subprocess() child).
 *
 * Returns: which of the two, for the test's log
 */
const char *
haul_test_fill_disk_at (const char *dir,
                        gsize       size)
{
  g_autofree char *options = g_strdup_printf ("size=%" G_GSIZE_FORMAT, size);
  struct rlimit limit = { size, size };

  if (haul_test_enter_private_mount_namespace () && mount ("tmpfs", dir, "tmpfs", 0, options) == 0)
    return "a tmpfs in a private mount namespace (ENOSPC)";
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  return "setrlimit (RLIMIT_FSIZE) with SIGXFSZ ignored (EFBIG)";
}

/* ------------------------------------------------------------------ */
/* The haul binary as a process */

const char *
haul_test_haul_binary (void)
{
  const char *bin = g_getenv ("HAUL_BINARY");

  g_assert_nonnull (bin);
  return bin;
}

int
haul_test_run_haul (const char  *input,
                    char       **out,
                    char       **err,
                    const char  *first_arg,
                    ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_buf = NULL;
  g_autofree char *stderr_buf = NULL;
  va_list ap;

  g_ptr_array_add (argv, (gpointer) haul_test_haul_binary ());
  va_start (ap, first_arg);
  for (const char *a = first_arg; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE |
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, input ? input : "", NULL, &stdout_buf, &stderr_buf, &error);
  g_assert_no_error (error);

  if (g_test_verbose ())
    g_printerr ("stdout: %s\nstderr: %s\n", stdout_buf, stderr_buf);

  if (out != NULL)
    *out = g_steal_pointer (&stdout_buf);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_buf);

  g_assert_true (g_subprocess_get_if_exited (proc));
  return g_subprocess_get_exit_status (proc);
}

/* ------------------------------------------------------------------ */
/* Waiting for async calls */

void
haul_test_async_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  HaulTestAsync *async = user_data;

  async->result = g_object_ref (result);
  async->done = TRUE;
}

GAsyncResult *
haul_test_async_wait (HaulTestAsync *async)
{
  while (!async->done)
    g_main_context_iteration (NULL, TRUE);
  return async->result;
}

guint
haul_test_server_get_n_auth_refused (HaulTestServer *server,
                                     const char     *path)
{
  guint n;

  g_mutex_lock (&server->mutex);
  n = get_stats (server, path)->n_auth_refused;
  g_mutex_unlock (&server->mutex);
  return n;
}

gboolean
haul_test_file_contains (const char *path,
                         const char *needle)
{
  g_autofree char *bytes = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &bytes, &length, NULL))
    return FALSE;
  return memmem (bytes, length, needle, strlen (needle)) != NULL;
}
