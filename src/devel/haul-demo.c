/* haul-demo.c — a local HTTP server with files to download, for `haul --demo`
 *
 * The SoupServer is created, listens and runs in its own thread, under that
 * thread's own GMainContext (pushed as its thread-default context), so every
 * handler, timer and unpause below runs there and never on the
 * application's main context. The caller's thread only starts the thread,
 * waits for the port, and later asks the loop to quit and joins it.
 *
 * A body is streamed (accumulate off, so libsoup never answers a Range by
 * itself) from a per-response timer: every TICK_MS the timer works out how
 * many bytes the connection's current speed allows since the last tick,
 * generates exactly those bytes of the file, appends them and unpauses the
 * message; libsoup pauses it again by itself once it has written them. No
 * more than WINDOW bytes are ever queued and not yet written, so a slow
 * reader costs no memory and a whole file is never held anywhere.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-demo"

#include "config.h"

#include <libsoup/soup.h>
#include <math.h>
#include <string.h>

#include "haul-byte-range.h"
#include "haul-demo.h"

#define KIB ((guint64) 1024)
#define MIB (1024 * KIB)

#define TICK_MS       25
#define WINDOW        (512 * KIB)   /* queued but not yet written, at most */
#define BURST_SECONDS 0.1           /* credit saved up while the reader is slow */
#define RAMP_SECONDS  0.8           /* a new connection reaches full speed after this */
#define LAST_MODIFIED "Tue, 12 Nov 2024 09:30:00 GMT"

typedef struct
{
  const char *path;          /* the link's path (and query) */
  const char *disposition;   /* the name in Content-Disposition, or NULL */
  const char *content_type;
  guint64     size;
  guint64     rate;          /* bytes per second */
  guint       fluctuation;   /* percent of the rate it swings by, 0 = steady */
  guint       latency_ms;    /* before the response starts */
  guint       status;        /* 0: serve the file; else this error */
} DemoFile;

/* In queue order: a big slow one first so it runs all along, small ones
 * early so something finishes soon. About 80 s with 4 at a time. */
static const DemoFile demo_files[] = {
  { "/debian-cd/12.8.0/amd64/iso-cd/debian-12.8.0-amd64-netinst.iso", NULL,
    "application/x-iso9660-image", 150 * MIB, 2560 * KIB, 30, 180, 0 },
  { "/podcasts/tech-talk/podcast-episode-42.mp3", NULL,
    "audio/mpeg", 38 * MIB, 900 * KIB, 20, 240, 0 },
  { "/download.php?id=48213", "quarterly-report-2024.pdf",
    "application/pdf", 1229 * KIB, 450 * KIB, 0, 300, 0 },
  { "/shared/holiday-photos.zip", NULL,
    "application/zip", 86 * MIB, 4 * MIB, 25, 120, 0 },
  { "/pub/linux/kernel/v6.x/linux-6.1.119.tar.xz", NULL,
    "application/x-xz", 132 * MIB, 9 * MIB, 0, 60, 0 },
  { "/s/8f3a2c91/conference-keynote-1080p.mp4", NULL,
    "video/mp4", 0, 0, 0, 150, SOUP_STATUS_NOT_FOUND },
  { "/images/cover-art.png", NULL,
    "image/png", 420 * KIB, 300 * KIB, 0, 90, 0 },
  { "/releases/gimp-2.10.38-x86_64.AppImage", NULL,
    "application/vnd.appimage", 120 * MIB, 12 * MIB, 10, 50, 0 },
  { "/firmware/router-fw-v3.2.1.bin", NULL,
    "application/octet-stream", 14 * MIB, 600 * KIB, 35, 400, 0 },
  { "/datasets/city-weather-2023.csv.gz", NULL,
    "application/gzip", 24 * MIB, 1536 * KIB, 20, 200, 0 },
  { "/fonts/noto-sans-cjk.tar.gz", NULL,
    "application/gzip", 64 * MIB, 6 * MIB, 0, 80, 0 },
  { "/videos/lecture-07-thermodynamics.webm", NULL,
    "video/webm", 95 * MIB, 3 * MIB, 15, 130, 0 },
};

static const char expired_page[] =
  "<!DOCTYPE html>\n"
  "<html><head><title>Link expired</title></head>\n"
  "<body><h1>This link has expired</h1>\n"
  "<p>Shared links are kept for 7 days. Ask the owner to share the file again.</p>\n"
  "</body></html>\n";

struct _HaulDemo
{
  GObject       parent_instance;

  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  guint16       port;

  GMutex        mutex;      /* the startup handshake */
  GCond         cond;
  gboolean      ready;
  GError       *error;

  /* Server thread only. */
  SoupServer   *server;
  GList        *streams;
};

G_DEFINE_FINAL_TYPE (HaulDemo, haul_demo, G_TYPE_OBJECT)

/* ------------------------------------------------------------------ */
/* Content */

static guint64
name_seed (const char *name)
{
  guint64 hash = G_GUINT64_CONSTANT (0xcbf29ce484222325);

  /* FNV-1a */
  for (const char *p = name; *p != '\0'; p++)
    {
      hash ^= (guchar) *p;
      hash *= G_GUINT64_CONSTANT (0x100000001b3);
    }
  return hash;
}

/* SplitMix64 of the word index: any offset can be generated on its own. */
static guint64
content_word (guint64 seed,
              guint64 index)
{
  guint64 z = seed + (index + 1) * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

typedef struct
{
  const char *suffix;
  const char *magic;
  gsize       length;
} Magic;

/* So that `file` and thumbnailers recognise what they look at. */
static const Magic magics[] = {
  { ".pdf", "%PDF-1.7\n", 9 },
  { ".png", "\x89PNG\r\n\x1a\n", 8 },
  { ".zip", "PK\x03\x04", 4 },
  { ".xz", "\xfd" "7zXZ\x00", 6 },
  { ".gz", "\x1f\x8b\x08\x00", 4 },
  { ".mp3", "ID3\x04\x00", 5 },
  { ".webm", "\x1a\x45\xdf\xa3", 4 },
  { ".AppImage", "\x7f" "ELF", 4 },
};

void
haul_demo_fill_content (const char *name,
                        guint64     offset,
                        guint8     *buffer,
                        gsize       length)
{
  guint64 seed;
  gsize i = 0;

  g_return_if_fail (name != NULL);
  g_return_if_fail (buffer != NULL || length == 0);

  seed = name_seed (name);
  while (i < length)
    {
      guint64 pos = offset + i;
      guint64 word = content_word (seed, pos / 8);
      guint shift = pos % 8;

      /* Little-endian bytes of the word, from the byte we are at. */
      for (; shift < 8 && i < length; shift++, i++)
        buffer[i] = (guint8) (word >> (shift * 8));
    }

  for (gsize m = 0; m < G_N_ELEMENTS (magics); m++)
    {
      if (!g_str_has_suffix (name, magics[m].suffix))
        continue;
      for (guint64 pos = offset; pos < magics[m].length && pos < offset + length; pos++)
        buffer[pos - offset] = (guint8) magics[m].magic[pos];
      break;
    }
}

static const char *
file_name (const DemoFile *file)
{
  const char *slash;

  if (file->disposition != NULL)
    return file->disposition;
  slash = strrchr (file->path, '/');
  return slash != NULL ? slash + 1 : file->path;
}

static const DemoFile *
find_file (const char *path)
{
  for (gsize i = 0; i < G_N_ELEMENTS (demo_files); i++)
    {
      const char *link = demo_files[i].path;
      const char *query = strchr (link, '?');
      gsize length = query != NULL ? (gsize) (query - link) : strlen (link);

      if (strlen (path) == length && strncmp (path, link, length) == 0)
        return &demo_files[i];
    }
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Streaming (server thread) */

typedef struct
{
  HaulDemo          *demo;
  SoupServerMessage *msg;
  const DemoFile    *file;
  guint64            pos;        /* next byte to queue */
  guint64            end;        /* one past the last byte to send */
  guint64            queued;     /* bytes queued so far */
  guint64            written;    /* bytes libsoup has written */
  gint64             started_us;
  gint64             tick_us;
  double             credit;     /* bytes the speed allows but not yet queued */
  double             phase1;
  double             phase2;
  GSource           *timer;
} Stream;

static void
stream_stop_timer (Stream *stream)
{
  if (stream->timer != NULL)
    {
      g_source_destroy (stream->timer);
      g_clear_pointer (&stream->timer, g_source_unref);
    }
}

static void
stream_free (Stream *stream)
{
  stream_stop_timer (stream);
  g_signal_handlers_disconnect_by_data (stream->msg, stream);
  g_clear_object (&stream->msg);
  g_free (stream);
}

/* Bytes per second at @t seconds into the response: a short ramp (like
 * TCP's slow start), then the file's rate, swinging slowly around it. */
static double
stream_rate (Stream *stream,
             double  t)
{
  const DemoFile *file = stream->file;
  double rate = file->rate;

  if (file->fluctuation > 0)
    {
      double swing = 0.6 * sin (2 * G_PI * t / 11.0 + stream->phase1) +
                     0.4 * sin (2 * G_PI * t / 4.3 + stream->phase2);

      rate *= 1.0 + swing * file->fluctuation / 100.0;
    }
  if (t < RAMP_SECONDS)
    rate *= 0.25 + 0.75 * t / RAMP_SECONDS;
  return MAX (rate, file->rate / 10.0);
}

/* Queues what the speed allows since the last call and unpauses the
 * message. Returns TRUE once the whole body is queued. */
static gboolean
stream_pump (Stream *stream)
{
  SoupMessageBody *body = soup_server_message_get_response_body (stream->msg);
  gint64 now = g_get_monotonic_time ();
  double rate = stream_rate (stream, (now - stream->started_us) / (double) G_USEC_PER_SEC);
  guint64 in_flight = stream->queued - stream->written;
  guint8 *chunk;
  guint64 n;

  stream->credit += rate * (now - stream->tick_us) / G_USEC_PER_SEC;
  stream->tick_us = now;

  n = MIN ((guint64) stream->credit, stream->end - stream->pos);
  n = MIN (n, in_flight < WINDOW ? WINDOW - in_flight : 0);
  if (n == 0)
    {
      /* The reader is behind: keep only a small burst for later. */
      stream->credit = MIN (stream->credit, rate * BURST_SECONDS);
      return FALSE;
    }

  chunk = g_malloc (n);
  haul_demo_fill_content (file_name (stream->file), stream->pos, chunk, n);
  soup_message_body_append_take (body, chunk, n);
  stream->pos += n;
  stream->queued += n;
  stream->credit -= n;

  if (stream->pos == stream->end)
    soup_message_body_complete (body);
  soup_server_message_unpause (stream->msg);
  return stream->pos == stream->end;
}

static gboolean
stream_tick_cb (gpointer data)
{
  Stream *stream = data;

  if (!stream_pump (stream))
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&stream->timer, g_source_unref);
  return G_SOURCE_REMOVE;
}

/* After the file's latency: the headers go out with the first bytes. */
static gboolean
stream_begin_cb (gpointer data)
{
  Stream *stream = data;

  g_clear_pointer (&stream->timer, g_source_unref);

  stream->started_us = g_get_monotonic_time ();
  stream->tick_us = stream->started_us;
  stream->credit = stream_rate (stream, 0) * TICK_MS / 1000.0;
  if (stream_pump (stream))
    return G_SOURCE_REMOVE;

  soup_server_message_unpause (stream->msg);
  stream->timer = g_timeout_source_new (TICK_MS);
  g_source_set_static_name (stream->timer, "[haul-demo] throttle");
  g_source_set_callback (stream->timer, stream_tick_cb, stream, NULL);
  g_source_attach (stream->timer, stream->demo->context);
  return G_SOURCE_REMOVE;
}

static void
stream_wrote_body_data_cb (SoupServerMessage *msg,
                           guint              chunk_size,
                           Stream            *stream)
{
  stream->written += chunk_size;
}

static void
stream_finished_cb (SoupServerMessage *msg,
                    Stream            *stream)
{
  HaulDemo *self = stream->demo;

  self->streams = g_list_remove (self->streams, stream);
  stream_free (stream);
}

static void
stream_start (HaulDemo          *self,
              SoupServerMessage *msg,
              const DemoFile    *file,
              guint64            start,
              guint64            end)
{
  Stream *stream = g_new0 (Stream, 1);
  guint64 seed = name_seed (file_name (file));

  stream->demo = self;
  stream->msg = g_object_ref (msg);
  stream->file = file;
  stream->pos = start;
  stream->end = end;
  stream->phase1 = (seed & 0xffff) / 65536.0 * 2 * G_PI;
  stream->phase2 = ((seed >> 16) & 0xffff) / 65536.0 * 2 * G_PI;

  g_signal_connect (msg, "wrote-body-data", G_CALLBACK (stream_wrote_body_data_cb), stream);
  g_signal_connect (msg, "finished", G_CALLBACK (stream_finished_cb), stream);
  self->streams = g_list_prepend (self->streams, stream);

  /* Nothing, not even the headers, until the latency has passed. */
  soup_server_message_pause (msg);
  stream->timer = g_timeout_source_new (file->latency_ms);
  g_source_set_static_name (stream->timer, "[haul-demo] latency");
  g_source_set_callback (stream->timer, stream_begin_cb, stream, NULL);
  g_source_attach (stream->timer, self->context);
}

/* ------------------------------------------------------------------ */
/* Requests (server thread) */

static void
serve_expired (SoupServerMessage *msg)
{
  soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_STATIC,
                                    expired_page, strlen (expired_page));
}

static void
serve_file (HaulDemo          *self,
            SoupServerMessage *msg,
            const DemoFile    *file)
{
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *rh = soup_server_message_get_response_headers (msg);
  const char *range = soup_message_headers_get_one (req, "Range");
  const char *if_range = soup_message_headers_get_one (req, "If-Range");
  g_autofree char *etag = NULL;
  guint64 start = 0;
  guint64 end = file->size;
  gboolean partial = FALSE;

  etag = g_strdup_printf ("\"%016" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x\"",
                          name_seed (file_name (file)), file->size);

  soup_message_headers_replace (rh, "ETag", etag);
  soup_message_headers_replace (rh, "Last-Modified", LAST_MODIFIED);
  soup_message_headers_replace (rh, "Accept-Ranges", "bytes");

  if (range != NULL &&
      (if_range == NULL || strcmp (if_range, etag) == 0 || strcmp (if_range, LAST_MODIFIED) == 0))
    {
      guint64 s, e;
      gboolean satisfiable;

      if (haul_byte_range_parse (range, file->size, &s, &e, &satisfiable))
        {
          if (!satisfiable)
            {
              g_autofree char *value = g_strdup_printf ("bytes */%" G_GUINT64_FORMAT, file->size);

              soup_message_headers_replace (rh, "Content-Range", value);
              soup_message_headers_set_content_length (rh, 0);
              soup_message_body_complete (soup_server_message_get_response_body (msg));
              soup_server_message_set_status (msg, SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE, NULL);
              return;
            }
          start = s;
          end = e;
          partial = TRUE;
        }
    }

  soup_server_message_set_status (msg, partial ? SOUP_STATUS_PARTIAL_CONTENT : SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (rh, "Content-Type", file->content_type);
  if (file->disposition != NULL)
    {
      g_autofree char *value = g_strdup_printf ("attachment; filename=\"%s\"", file->disposition);

      soup_message_headers_replace (rh, "Content-Disposition", value);
    }
  if (partial)
    soup_message_headers_set_content_range (rh, start, end - 1, file->size);
  soup_message_headers_set_content_length (rh, end - start);

  if (soup_server_message_get_method (msg) == SOUP_METHOD_HEAD || start == end)
    {
      soup_message_body_complete (soup_server_message_get_response_body (msg));
      return;
    }
  stream_start (self, msg, file, start, end);
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  HaulDemo *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  const DemoFile *file;

  /* Never let libsoup answer a Range request by itself. */
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);

  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "GET, HEAD");
      soup_message_headers_set_content_length (soup_server_message_get_response_headers (msg), 0);
      soup_message_body_complete (soup_server_message_get_response_body (msg));
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }

  file = find_file (path);
  if (file == NULL)
    {
      static const char text[] = "Not found.\n";

      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_STATIC,
                                        text, strlen (text));
      return;
    }

  if (file->status != 0)
    serve_expired (msg);
  else
    serve_file (self, msg, file);
}

/* ------------------------------------------------------------------ */
/* Thread */

static gpointer
server_thread (gpointer data)
{
  HaulDemo *self = data;
  GError *error = NULL;

  g_main_context_push_thread_default (self->context);

  self->server = soup_server_new ("server-header", "haul-demo ", NULL);
  soup_server_add_handler (self->server, NULL, server_cb, self, NULL);
  if (soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      GSList *uris = soup_server_get_uris (self->server);

      if (uris != NULL)
        self->port = g_uri_get_port (uris->data);
      g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
    }

  g_mutex_lock (&self->mutex);
  self->error = error;
  self->ready = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->mutex);

  if (error == NULL)
    g_main_loop_run (self->loop);

  /* Shut down in this thread: the messages belong to it. */
  g_list_free_full (g_steal_pointer (&self->streams), (GDestroyNotify) stream_free);
  soup_server_disconnect (self->server);
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_clear_object (&self->server);
  while (g_main_context_iteration (self->context, FALSE))
    ;

  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static gboolean
quit_cb (gpointer data)
{
  GMainLoop *loop = data;

  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------ */
/* GObject */

static void
haul_demo_dispose (GObject *object)
{
  haul_demo_stop (HAUL_DEMO (object));

  G_OBJECT_CLASS (haul_demo_parent_class)->dispose (object);
}

static void
haul_demo_finalize (GObject *object)
{
  HaulDemo *self = HAUL_DEMO (object);

  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (haul_demo_parent_class)->finalize (object);
}

static void
haul_demo_class_init (HaulDemoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = haul_demo_dispose;
  object_class->finalize = haul_demo_finalize;
}

static void
haul_demo_init (HaulDemo *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
}

/* ------------------------------------------------------------------ */
/* Public API */

HaulDemo *
haul_demo_new (void)
{
  return g_object_new (HAUL_TYPE_DEMO, NULL);
}

/**
 * haul_demo_start:
 *
 * Starts the server thread and waits until it listens on 127.0.0.1 (on a
 * port the system picks). Starting a running demo does nothing.
 *
 * Returns: %FALSE with @error set when the server could not listen
 */
gboolean
haul_demo_start (HaulDemo  *self,
                 GError   **error)
{
  g_return_val_if_fail (HAUL_IS_DEMO (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->thread != NULL)
    return TRUE;

  self->ready = FALSE;
  self->port = 0;
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("haul-demo", server_thread, self);

  g_mutex_lock (&self->mutex);
  while (!self->ready)
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);

  if (self->error != NULL)
    {
      g_thread_join (g_steal_pointer (&self->thread));
      g_clear_pointer (&self->loop, g_main_loop_unref);
      g_clear_pointer (&self->context, g_main_context_unref);
      g_propagate_prefixed_error (error, g_steal_pointer (&self->error),
                                  "Could not start the demo server: ");
      return FALSE;
    }
  return TRUE;
}

/**
 * haul_demo_stop:
 *
 * Stops the server (connections still open are closed) and joins its
 * thread. Stopping a demo that is not running does nothing; dispose does it
 * too.
 */
void
haul_demo_stop (HaulDemo *self)
{
  GSource *source;

  g_return_if_fail (HAUL_IS_DEMO (self));

  if (self->thread == NULL)
    return;

  /* Not g_main_context_invoke(): until the thread runs its loop, that
   * could call quit_cb here, before the loop starts, and lose it. */
  source = g_idle_source_new ();
  g_source_set_static_name (source, "[haul-demo] quit");
  g_source_set_callback (source, quit_cb, self->loop, NULL);
  g_source_attach (source, self->context);
  g_source_unref (source);
  g_thread_join (g_steal_pointer (&self->thread));
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  self->port = 0;
}

/**
 * haul_demo_get_port:
 *
 * Returns: the port the server listens on, 0 when it is not running
 */
guint16
haul_demo_get_port (HaulDemo *self)
{
  g_return_val_if_fail (HAUL_IS_DEMO (self), 0);

  return self->port;
}

/**
 * haul_demo_dup_uris:
 *
 * The links to queue, in a sensible order: every file, the one that has
 * expired included. Empty when the demo is not running.
 *
 * Returns: (transfer full) (element-type utf8): a new array
 */
GPtrArray *
haul_demo_dup_uris (HaulDemo *self)
{
  GPtrArray *uris;

  g_return_val_if_fail (HAUL_IS_DEMO (self), NULL);

  uris = g_ptr_array_new_with_free_func (g_free);
  if (self->port == 0)
    return uris;

  for (gsize i = 0; i < G_N_ELEMENTS (demo_files); i++)
    g_ptr_array_add (uris, g_strdup_printf ("http://127.0.0.1:%u%s", self->port, demo_files[i].path));
  return uris;
}

/* ------------------------------------------------------------------ */
/* The demo's folder */

static gboolean
delete_tree (GFile   *file,
             GError **error)
{
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;
  GFile *child;

  if (g_file_query_file_type (file, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL) == G_FILE_TYPE_DIRECTORY)
    {
      children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                            G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, error);
      if (children == NULL)
        return FALSE;
      while (g_file_enumerator_iterate (children, &info, &child, NULL, error) && info != NULL)
        if (!delete_tree (child, error))
          return FALSE;
      if (error != NULL && *error != NULL)
        return FALSE;
    }
  return g_file_delete (file, NULL, error);
}

/**
 * haul_demo_delete_folder:
 * @folder: the temporary folder `haul --demo` downloaded into
 *
 * Returns: %TRUE when the folder is gone (or was already)
 */
gboolean
haul_demo_delete_folder (const char  *folder,
                         GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (folder);
  g_autoptr(GError) local_error = NULL;

  if (delete_tree (file, &local_error) || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}
