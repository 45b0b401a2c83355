/* haul-transfer.c — the body of one download attempt, run on a worker thread
 *
 * Everything here blocks: libsoup's sync API and plain POSIX file I/O on a
 * worker thread of the queue's pool. The only shared state it touches is
 * the job's atomics, the progress bridge, the rate limiters and the name
 * claims, all of which are thread-safe.
 *
 * Files are created relative to a descriptor of the destination folder,
 * never following a symlink, as NAME.part, and renamed to NAME without
 * replacing anything once complete and verified.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-transfer"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "haul-checksum.h"
#include "haul-filename.h"
#include "haul-http.h"
#include "haul-transfer.h"
#include "haul-uri-list.h"
#include "haul-types.h"

#define READ_SIZE        (256 * 1024)
#define WATCH_INTERVAL_MS 100
#define SLEEP_SLICE_US   (50 * 1000)

/* A .part carries what is needed to resume it in a later run: one extended
 * attribute "URL\nETAG\nLAST-MODIFIED\nCONTENT-TYPE" (empty fields for
 * unknown values; none of them can hold a newline). It is written once
 * the first XATTR_AFTER bytes of a body are on disk, or when an attempt
 * stops early, so small files that complete at once never pay for it. */
#define XATTR_RESUME "user.haul.resume"
#define XATTR_AFTER  (1024 * 1024)

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
    default:
      return FALSE;
    }
}

/* ------------------------------------------------------------------ */
/* Watchdog: connect and stall timeouts, checked on GLib's worker context */

typedef struct
{
  gatomicrefcount ref_count;
  GCancellable   *attempt;
  gint64          start_us;
  _Atomic gint64  last_activity_us;
  _Atomic int     connected;
  _Atomic int     timed_out;
  guint           connect_timeout_s;
  guint           stall_timeout_s;
} Watch;

static Watch *
watch_ref (Watch *w)
{
  g_atomic_ref_count_inc (&w->ref_count);
  return w;
}

static void
watch_unref (Watch *w)
{
  if (!g_atomic_ref_count_dec (&w->ref_count))
    return;
  g_object_unref (w->attempt);
  g_free (w);
}

/* Returns TRUE when @w has run out of time. */
static gboolean
watch_expired (Watch  *w,
               gint64  now)
{
  if (!w->connected)
    return w->connect_timeout_s > 0 && now - w->start_us > w->connect_timeout_s * G_USEC_PER_SEC;
  return w->stall_timeout_s > 0 && now - w->last_activity_us > w->stall_timeout_s * G_USEC_PER_SEC;
}

/* Every running attempt is in one list that one timer on the watchdog
 * thread scans, so starting and ending an attempt costs a lock, not a
 * GSource attached to another thread's context. */
static GMutex     watches_mutex;
static GPtrArray *watches;       /* Watch, owned refs */
static GSource   *watches_source;

static gboolean
watches_tick (gpointer data)
{
  g_autoptr(GPtrArray) expired = g_ptr_array_new_with_free_func ((GDestroyNotify) watch_unref);
  gint64 now = g_get_monotonic_time ();
  gboolean keep = TRUE;

  g_mutex_lock (&watches_mutex);
  for (guint i = 0; i < watches->len; i++)
    {
      Watch *w = g_ptr_array_index (watches, i);

      if (!w->timed_out && watch_expired (w, now))
        {
          w->timed_out = TRUE;
          g_ptr_array_add (expired, watch_ref (w));
        }
    }
  if (watches->len == 0)
    {
      /* Idle: stop ticking until the next attempt starts. */
      g_clear_pointer (&watches_source, g_source_unref);
      keep = FALSE;
    }
  g_mutex_unlock (&watches_mutex);

  /* Outside the lock: cancelling runs the cancellable's handlers. */
  for (guint i = 0; i < expired->len; i++)
    g_cancellable_cancel (((Watch *) g_ptr_array_index (expired, i))->attempt);

  return keep;
}

static gpointer
watchdog_thread (gpointer data)
{
  GMainContext *context = data;

  g_main_context_push_thread_default (context);
  for (;;)
    g_main_context_iteration (context, TRUE);
  return NULL;
}

/* One thread for all watchdogs, started on first use and kept for the
 * process's life (GLib's own worker context is private API). */
static GMainContext *
watchdog_context (void)
{
  static GMainContext *context;

  if (g_once_init_enter (&context))
    {
      GMainContext *ctx = g_main_context_new ();

      g_thread_unref (g_thread_new ("haul-watchdog", watchdog_thread, g_main_context_ref (ctx)));
      g_once_init_leave (&context, ctx);
    }
  return context;
}

static Watch *
watch_start (HaulJob      *job,
             GCancellable *attempt)
{
  Watch *w = g_new0 (Watch, 1);
  GMainContext *context = watchdog_context ();

  g_atomic_ref_count_init (&w->ref_count);
  w->attempt = g_object_ref (attempt);
  w->start_us = w->last_activity_us = g_get_monotonic_time ();
  w->connect_timeout_s = job->connect_timeout_s;
  w->stall_timeout_s = job->stall_timeout_s;

  g_mutex_lock (&watches_mutex);
  if (watches == NULL)
    watches = g_ptr_array_new_with_free_func ((GDestroyNotify) watch_unref);
  g_ptr_array_add (watches, watch_ref (w));
  if (watches_source == NULL)
    {
      watches_source = g_timeout_source_new (WATCH_INTERVAL_MS);
      g_source_set_static_name (watches_source, "[haul] transfer watchdog");
      g_source_set_callback (watches_source, watches_tick, NULL, NULL);
      g_source_attach (watches_source, context);
    }
  g_mutex_unlock (&watches_mutex);

  return w;
}

static void
watch_stop (Watch *w)
{
  g_mutex_lock (&watches_mutex);
  g_ptr_array_remove_fast (watches, w);
  g_mutex_unlock (&watches_mutex);
  watch_unref (w);
}

/* ------------------------------------------------------------------ */
/* Local files */

static gboolean
set_errno_error (GError     **error,
                 int          errsv,
                 const char  *directory,
                 const char  *name)
{
  g_autofree char *path = g_build_filename (directory, name, NULL);

  switch (errsv)
    {
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_DISK_FULL,
                   _("The disk is full: could not write “%s”"), path);
      break;
    case EACCES:
    case EPERM:
    case EROFS:
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_PERMISSION,
                   _("Haul is not allowed to write “%s”: %s"), path, g_strerror (errsv));
      break;
    case ELOOP:
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_UNSAFE_FILE,
                   _("“%s” is a symbolic link; Haul does not follow links when saving"), path);
      break;
    default:
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_LOCAL_IO,
                   _("Could not write “%s”: %s"), path, g_strerror (errsv));
      break;
    }
  return FALSE;
}

static int
open_directory (const char  *directory,
                GError     **error)
{
  int fd = open (directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    {
      int errsv = errno;

      if (errsv == ENOENT || errsv == ENOTDIR)
        g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_NO_DIRECTORY,
                     _("The folder “%s” does not exist"), directory);
      else if (errsv == EACCES || errsv == EPERM)
        g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_PERMISSION,
                     _("Haul is not allowed to open the folder “%s”"), directory);
      else
        g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_LOCAL_IO,
                     _("Could not open the folder “%s”: %s"), directory, g_strerror (errsv));
    }
  return fd;
}

static void
write_resume_xattr (int      fd,
                    HaulJob *job)
{
  g_autofree char *value = g_strjoin ("\n", job->uri,
                                      job->result_etag ? job->result_etag : "",
                                      job->result_last_modified ? job->result_last_modified : "",
                                      job->result_content_type ? job->result_content_type : "",
                                      NULL);

  (void) fsetxattr (fd, XATTR_RESUME, value, strlen (value), 0);
}

static char *
nonempty_or_null (const char *value)
{
  return value != NULL && *value != '\0' ? g_strdup (value) : NULL;
}

/* Size of NAME.part if it is a regular file with no other hard link, else
 * -1 (a symlink or a link to another file counts as "not there": it makes
 * the open fail safely later, and a new download takes another name). */
static gint64
part_size (int         dirfd,
           const char *part)
{
  struct stat st;

  if (fstatat (dirfd, part, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG (st.st_mode) ||
      st.st_nlink != 1)
    return -1;
  return st.st_size;
}

/* Whether an existing .part left by an earlier run belongs to @job's URL.
 * Only the resume attribute can say so: on filesystems without user xattrs
 * (exFAT, vfat) a NAME.part may be another program's, so it is left alone
 * and the download takes a free name. (Within one run the download knows its
 * own .part and does not ask.) */
static gboolean
part_is_ours (int      dirfd,
              const char *part,
              HaulJob *job,
              char   **etag,
              char   **last_modified,
              char   **content_type)
{
  int fd = openat (dirfd, part, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  char buf[16 * 1024 + 1];
  g_auto(GStrv) fields = NULL;
  ssize_t n;
  gboolean ours = FALSE;

  if (fd < 0)
    return FALSE;

  n = fgetxattr (fd, XATTR_RESUME, buf, sizeof buf - 1);
  close (fd);
  if (n < 0)
    return FALSE; /* no attribute, or none possible here: not provably ours */

  buf[n] = '\0';
  if (strlen (buf) != (gsize) n || !g_utf8_validate (buf, n, NULL))
    return FALSE;
  fields = g_strsplit (buf, "\n", 5);
  if (g_strv_length (fields) == 4 && strcmp (fields[0], job->uri) == 0)
    {
      ours = TRUE;
      for (guint i = 1; i < 4; i++)
        if (!haul_http_value_is_safe (fields[i]))
          return FALSE;
      *etag = nonempty_or_null (fields[1]);
      *last_modified = nonempty_or_null (fields[2]);
      *content_type = nonempty_or_null (fields[3]);
    }
  return ours;
}

static gboolean
write_all (int           fd,
           const char   *buf,
           gsize         len,
           const char   *directory,
           const char   *name,
           GError      **error)
{
  while (len > 0)
    {
      ssize_t n = write (fd, buf, len);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return set_errno_error (error, errno, directory, name);
        }
      buf += n;
      len -= n;
    }
  return TRUE;
}

/* Hashes the first @length bytes of @fd. @activity, when given, is the
 * watchdog's clock: reading back gigabytes is not a stalled connection. */
static gboolean
hash_prefix (int             fd,
             gint64          length,
             GChecksum      *checksum,
             _Atomic gint64 *activity,
             GError        **error)
{
  g_autofree char *buf = g_malloc (READ_SIZE);
  gint64 pos = 0;

  while (pos < length)
    {
      ssize_t n = pread (fd, buf, MIN ((gint64) READ_SIZE, length - pos), pos);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_LOCAL_IO,
                       _("Could not read back the partial file: %s"),
                       n < 0 ? g_strerror (errno) : _("it is shorter than expected"));
          return FALSE;
        }
      g_checksum_update (checksum, (const guchar *) buf, n);
      pos += n;
      if (activity != NULL)
        *activity = g_get_monotonic_time ();
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Network */

/* @in_headers: the error came while reading the answer's headers (libsoup
 * also ends a header block it finds too long this way). */
static void
set_network_error (GError      **error,
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

typedef struct
{
  HaulJob      *job;
  SoupSession  *session;
  GCancellable *attempt;
  Watch        *watch;
  int           dirfd;
  char         *name;      /* chosen file name, claimed */
  int           fd;
  gboolean      xattr_pending; /* the .part has no resume attribute yet */
  gboolean      part_is_new;   /* no NAME.part existed: create it O_EXCL */
} Attempt;

/* Turns a cancellation into the right error: a timeout, or the user. */
static gboolean
check_cancelled (Attempt  *a,
                 GError  **error)
{
  if (!g_cancellable_is_cancelled (a->attempt))
    return FALSE;

  g_clear_error (error);
  if (a->watch->timed_out && !g_cancellable_is_cancelled (a->job->cancellable))
    {
      if (a->watch->connected)
        g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_TIMEOUT,
                     g_dngettext (GETTEXT_PACKAGE, "No data arrived for %u second",
                                  "No data arrived for %u seconds", a->job->stall_timeout_s),
                     a->job->stall_timeout_s);
      else
        g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_TIMEOUT,
                     g_dngettext (GETTEXT_PACKAGE, "Could not connect within %u second",
                                  "Could not connect within %u seconds", a->job->connect_timeout_s),
                     a->job->connect_timeout_s);
    }
  else
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Stopped"));
  return TRUE;
}

static gboolean
sleep_cancellable (GCancellable *cancellable,
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
static gsize
limited_read_size (HaulJob *job)
{
  gsize size = READ_SIZE;
  gint64 rate;

  if (job->download_limiter != NULL && (rate = haul_rate_limiter_get_rate (job->download_limiter)) > 0)
    size = MIN (size, (gsize) CLAMP (rate / 10, 1024, READ_SIZE));
  if (job->global_limiter != NULL && (rate = haul_rate_limiter_get_rate (job->global_limiter)) > 0)
    size = MIN (size, (gsize) CLAMP (rate / 10, 1024, READ_SIZE));
  return size;
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

static GInputStream *
send_following_redirects (Attempt      *a,
                          gint64        offset,
                          const char   *etag,
                          const char   *last_modified,
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
      SoupMessageHeaders *req;
      const char *scheme = g_uri_get_scheme (uri);
      const char *location;
      guint status;
      g_autoptr(GUri) next = NULL;

      if (!haul_uri_scheme_is_web (scheme))
        {
          g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_UNSUPPORTED_SCHEME,
                       _("“%s” links are not supported (only http and https)"), scheme);
          return NULL;
        }

      g_hash_table_add (visited, g_uri_to_string_partial (uri, G_URI_HIDE_FRAGMENT));

      msg = soup_message_new_from_uri ("GET", uri);
      soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
      soup_message_disable_feature (msg, SOUP_TYPE_CONTENT_DECODER);
      req = soup_message_get_request_headers (msg);
      soup_message_headers_replace (req, "Accept-Encoding", "identity");
      if (offset > 0)
        {
          soup_message_headers_set_range (req, offset, -1);
          if (haul_http_etag_is_strong (etag))
            soup_message_headers_replace (req, "If-Range", etag);
          else if (last_modified != NULL && haul_http_value_is_safe (last_modified))
            soup_message_headers_replace (req, "If-Range", last_modified);
        }

      stream = soup_session_send (a->session, msg, a->attempt, &local_error);
      if (stream == NULL)
        {
          if (!check_cancelled (a, error))
            set_network_error (error, local_error, g_uri_get_host (uri), TRUE);
          g_clear_error (&local_error);
          return NULL;
        }

      status = soup_message_get_status (msg);
      if (!SOUP_STATUS_IS_REDIRECTION (status) || status == 304)
        {
          *out_msg = g_steal_pointer (&msg);
          return g_steal_pointer (&stream);
        }

      location = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location");
      g_input_stream_close (stream, NULL, NULL);
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

      {
        g_autofree char *next_str = g_uri_to_string_partial (next, G_URI_HIDE_FRAGMENT);

        if (g_hash_table_contains (visited, next_str))
          {
            g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_REDIRECT_LOOP,
                         _("The server redirects in a loop (back to %s)"), next_str);
            return NULL;
          }
      }

      if (++hops > a->job->max_redirects)
        {
          g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_TOO_MANY_REDIRECTS,
                       g_dngettext (GETTEXT_PACKAGE, "The server redirected more than %u time",
                                    "The server redirected more than %u times", a->job->max_redirects),
                       a->job->max_redirects);
          return NULL;
        }

      g_clear_pointer (&uri, g_uri_unref);
      uri = g_steal_pointer (&next);
    }
}

static void
set_http_error (GError      **error,
                SoupMessage  *msg,
                HaulJob      *job)
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
    job->result_retry_after_s = retry_after;

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

/* Picks a free name for a new download, or finds the .part an earlier run
 * of the same URL left behind. */
static gboolean
choose_name (Attempt     *a,
             const char  *base,
             gint64      *offset,
             char       **etag,
             char       **last_modified,
             char       **content_type,
             GError     **error)
{
  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *cand = haul_filename_with_index (base, i);
      g_autofree char *part = g_strconcat (cand, HAUL_PART_SUFFIX, NULL);
      struct stat st;
      gint64 size;

      if (a->job->claims != NULL && !haul_name_claims_try (a->job->claims, a->job->directory, cand))
        continue;

      if (fstatat (a->dirfd, cand, &st, AT_SYMLINK_NOFOLLOW) == 0)
        goto taken;

      size = part_size (a->dirfd, part);
      if (size >= 0)
        {
          if (!part_is_ours (a->dirfd, part, a->job, etag, last_modified, content_type))
            goto taken;
          *offset = size;
        }
      else if (fstatat (a->dirfd, part, &st, AT_SYMLINK_NOFOLLOW) == 0)
        goto taken; /* a symlink, hard link or special file: leave it alone */
      else
        a->part_is_new = TRUE;

      a->name = g_steal_pointer (&cand);
      return TRUE;

taken:
      if (a->job->claims != NULL)
        haul_name_claims_release (a->job->claims, a->job->directory, cand);
    }

  g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_LOCAL_IO,
               _("Could not find a free file name for “%s”"), base);
  return FALSE;
}

static gboolean
open_part (Attempt  *a,
           gint64    offset,
           GError  **error)
{
  g_autofree char *part = g_strconcat (a->name, HAUL_PART_SUFFIX, NULL);
  struct stat st;
  int fd;

  /* Relative to the folder's descriptor; never through a symlink; a name
   * chosen as free is created exclusively (nothing planted since is
   * opened); no O_TRUNC before the checks below (a hard link to another
   * file would be emptied by the open itself). */
  fd = openat (a->dirfd, part,
               O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | (a->part_is_new ? O_EXCL : 0),
               0644);
  if (fd < 0 && errno == EEXIST)
    {
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_UNSAFE_FILE,
                   _("“%s” appeared while the download started; it was left alone"), part);
      return FALSE;
    }
  if (fd < 0)
    return set_errno_error (error, errno, a->job->directory, part);
  a->part_is_new = FALSE;

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_UNSAFE_FILE,
                   _("“%s” exists and is not a regular file"), part);
      return FALSE;
    }
  if (st.st_nlink != 1)
    {
      close (fd);
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_UNSAFE_FILE,
                   _("“%s” is a hard link to another file; it was left alone"), part);
      return FALSE;
    }
  /* Clear O_NONBLOCK (it only protected the open from a planted FIFO). */
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);

  if (offset == 0 && st.st_size > 0 && ftruncate (fd, 0) != 0)
    {
      int saved = errno;

      close (fd);
      return set_errno_error (error, saved, a->job->directory, part);
    }
  if (offset > 0 && (st.st_size < offset || ftruncate (fd, offset) != 0 ||
                     lseek (fd, offset, SEEK_SET) != offset))
    {
      close (fd);
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_LOCAL_IO,
                   _("The partial file “%s” changed on disk"), part);
      return FALSE;
    }

  a->fd = fd;
  return TRUE;
}

static gboolean
finish_file (Attempt  *a,
             GError  **error)
{
  g_autofree char *part = g_strconcat (a->name, HAUL_PART_SUFFIX, NULL);

  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *cand = NULL;
      g_autofree char *base = NULL;

      if (i == 0)
        cand = g_strdup (a->name);
      else
        {
          base = g_strdup (a->name);
          cand = haul_filename_with_index (base, i);
        }

      if (renameat2 (a->dirfd, part, a->dirfd, cand, RENAME_NOREPLACE) == 0)
        {
          if (i > 0)
            {
              if (a->job->claims != NULL)
                haul_name_claims_release (a->job->claims, a->job->directory, a->name);
              g_free (a->name);
              a->name = g_steal_pointer (&cand);
            }
          return TRUE;
        }
      if (errno == EINVAL || errno == ENOSYS)
        {
          /* No RENAME_NOREPLACE here: link + unlink never replaces either. */
          if (linkat (a->dirfd, part, a->dirfd, cand, 0) == 0)
            {
              unlinkat (a->dirfd, part, 0);
              if (i > 0)
                {
                  if (a->job->claims != NULL)
                    haul_name_claims_release (a->job->claims, a->job->directory, a->name);
                  g_free (a->name);
                  a->name = g_steal_pointer (&cand);
                }
              return TRUE;
            }
        }
      if (errno != EEXIST)
        return set_errno_error (error, errno, a->job->directory, cand);
    }

  g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_LOCAL_IO,
               _("Could not find a free file name for “%s”"), a->name);
  return FALSE;
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

/* A restored download whose .part is gone may have completed just before
 * Haul died: the rename happened, the new state never reached the store.
 * The file is ours if it still carries this URL's resume attribute (it
 * survives the rename) and, when the size is known, has that size. Then
 * it counts as done instead of being fetched again as "NAME (1)". */
static gboolean
final_file_is_ours (Attempt *a)
{
  g_autofree char *etag = NULL, *last_modified = NULL, *content_type = NULL;
  struct stat st;

  if (fstatat (a->dirfd, a->name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG (st.st_mode) ||
      (a->job->known_total >= 0 && st.st_size != a->job->known_total) ||
      !part_is_ours (a->dirfd, a->name, a->job, &etag, &last_modified, &content_type))
    return FALSE;

  a->job->received = st.st_size;
  a->job->total = st.st_size;
  return TRUE;
}

static gboolean
transfer_body (Attempt  *a,
               GError  **error);

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
  Attempt a = { .job = job, .session = session, .attempt = attempt, .dirfd = -1, .fd = -1 };
  gulong handler;
  gboolean ok;

  handler = g_cancellable_connect (job->cancellable, G_CALLBACK (cancel_from_user), attempt, NULL);
  a.watch = watch_start (job, attempt);
  job->phase = HAUL_JOB_PHASE_CONNECTING;

  ok = transfer_body (&a, error);

  watch_stop (a.watch);
  g_cancellable_disconnect (job->cancellable, handler);

  if (a.fd >= 0)
    {
      /* Stopped early: make the .part resumable by a later run. */
      if (!ok && a.xattr_pending && job->stop != HAUL_JOB_STOP_CANCEL)
        write_resume_xattr (a.fd, job);
      close (a.fd);
    }

  if (!ok && a.name != NULL && job->stop == HAUL_JOB_STOP_CANCEL)
    {
      g_autofree char *part = g_strconcat (a.name, HAUL_PART_SUFFIX, NULL);

      /* The name stays claimed: the queue releases it once it has made
       * sure the .part is gone (it may have been told after we looked). */
      unlinkat (a.dirfd, part, 0);
    }
  else if (ok && job->claims != NULL)
    haul_name_claims_release (job->claims, job->directory, a.name);

  if (a.name != NULL)
    job->result_filename = g_strdup (a.name);
  if (a.dirfd >= 0)
    close (a.dirfd);
  g_free (a.name);

  return ok;
}

static gboolean
transfer_body (Attempt  *a,
               GError  **error)
{
  HaulJob *job = a->job;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GChecksum) checksum = NULL;
  g_autofree char *buf = NULL;
  g_autofree char *etag = g_strdup (job->etag);
  g_autofree char *last_modified = g_strdup (job->last_modified);
  g_autofree char *content_type = g_strdup (job->content_type);
  g_autofree char *new_type = NULL;
  SoupMessageHeaders *rh;
  gint64 offset = 0;
  gint64 total = -1;
  gint64 received;
  guint status;
  guint restarts = 0;
  gsize read_size;
  GError *local_error = NULL;

  a->dirfd = open_directory (job->directory, error);
  if (a->dirfd < 0)
    return FALSE;

  if (job->filename != NULL)
    {
      g_autofree char *part = g_strconcat (job->filename, HAUL_PART_SUFFIX, NULL);

      a->name = g_strdup (job->filename);
      offset = part_size (a->dirfd, part);
      if (offset < 0 && job->expected_part >= 0 && final_file_is_ours (a))
        return TRUE; /* it finished just before a crash; only the state was lost */
      offset = MAX (offset, 0);
      if (job->expected_part >= 0 && offset != job->expected_part)
        {
          /* Missing, or not what was saved (it may hold bytes written
           * after the last checkpoint, or be someone else's): start over
           * rather than append at a wrong offset. */
          offset = 0;
          job->result_restarted = TRUE;
          job->result_part_mismatch = job->expected_part > 0;
        }
    }

send:
  g_clear_object (&stream);
  g_clear_object (&msg);
  if (restarts > 3)
    {
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_BAD_RESPONSE,
                   _("The server keeps answering ranged requests inconsistently"));
      return FALSE;
    }

  stream = send_following_redirects (a, offset, etag, last_modified, &msg, error);
  if (stream == NULL)
    return FALSE;
  a->watch->last_activity_us = g_get_monotonic_time ();
  a->watch->connected = TRUE;

  rh = soup_message_get_response_headers (msg);
  status = soup_message_get_status (msg);
  g_free (job->result_final_uri);
  job->result_final_uri = g_uri_to_string_partial (soup_message_get_uri (msg), G_URI_HIDE_FRAGMENT);

  if (status == SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE && offset > 0)
    {
      gint64 s, e, t;

      if (haul_http_parse_content_range (soup_message_headers_get_one (rh, "Content-Range"), &s, &e, &t) &&
          s < 0 && t == offset)
        {
          /* We already have every byte. */
          total = t;
          g_input_stream_close (stream, NULL, NULL);
          job->received = offset;
          job->total = total;
          goto complete_existing;
        }
      offset = 0;
      job->result_restarted = TRUE;
      restarts++;
      goto send;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      set_http_error (error, msg, job);
      return FALSE;
    }

  if (status != SOUP_STATUS_OK && status != SOUP_STATUS_PARTIAL_CONTENT)
    {
      set_http_error (error, msg, job);
      return FALSE;
    }

  g_free (new_type);
  new_type = haul_http_parse_content_type (soup_message_headers_get_one (rh, "Content-Type"));

  /* First response: now the name can be chosen. */
  if (a->name == NULL)
    {
      g_autofree char *base = NULL;
      g_autofree char *old_etag = NULL, *old_lm = NULL, *old_type = NULL;
      gint64 found = 0;

      base = haul_filename_choose (soup_message_headers_get_one (rh, "Content-Disposition"),
                                   job->result_final_uri);
      if (!choose_name (a, base, &found, &old_etag, &old_lm, &old_type, error))
        return FALSE;
      haul_job_set_info_filename (job, a->name);
      if (job->bridge != NULL)
        haul_progress_bridge_poke (job->bridge);

      if (found > 0)
        {
          /* A .part of this URL from an earlier run: ask for the rest. */
          g_free (etag);
          etag = g_steal_pointer (&old_etag);
          g_free (last_modified);
          last_modified = g_steal_pointer (&old_lm);
          g_free (content_type);
          content_type = g_steal_pointer (&old_type);
          offset = found;
          restarts++;
          goto send;
        }
    }

  if (status == SOUP_STATUS_PARTIAL_CONTENT)
    {
      gint64 s = -1, e = -1, t = -1;
      const char *new_etag = soup_message_headers_get_one (rh, "ETag");

      if (offset == 0 ||
          !haul_http_parse_content_range (soup_message_headers_get_one (rh, "Content-Range"), &s, &e, &t) ||
          s != offset ||
          (t >= 0 && job->known_total > 0 && t != job->known_total) ||
          (etag != NULL && new_etag != NULL && strcmp (etag, new_etag) != 0))
        {
          /* Not the continuation of our bytes: start over rather than splice. */
          offset = 0;
          job->result_restarted = TRUE;
          restarts++;
          goto send;
        }
      total = t;
    }
  else
    {
      /* 200: the whole file. A resume that got a web page instead is an
       * error page or a login form: never write it over our bytes. */
      if (offset > 0 && is_html (new_type) && !is_html (content_type))
        {
          g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_WEB_PAGE,
                       _("The server sent a web page instead of the file; the link may have expired"));
          return FALSE;
        }
      if (offset > 0)
        job->result_restarted = TRUE;
      offset = 0;
      if (soup_message_headers_get_encoding (rh) == SOUP_ENCODING_CONTENT_LENGTH)
        total = soup_message_headers_get_content_length (rh);
    }

  /* Remember the validators for the next attempt. */
  g_free (job->result_etag);
  job->result_etag = g_strdup (soup_message_headers_get_one (rh, "ETag"));
  if (job->result_etag != NULL && !haul_http_value_is_safe (job->result_etag))
    g_clear_pointer (&job->result_etag, g_free);
  g_free (job->result_last_modified);
  job->result_last_modified = g_strdup (soup_message_headers_get_one (rh, "Last-Modified"));
  if (job->result_last_modified != NULL && !haul_http_value_is_safe (job->result_last_modified))
    g_clear_pointer (&job->result_last_modified, g_free);
  g_free (job->result_content_type);
  job->result_content_type = g_strdup (new_type);

  if (!open_part (a, offset, error))
    return FALSE;
  a->xattr_pending = TRUE;
  if (job->tag_part_now)
    {
      /* A saved queue may not know this name yet (a crash before the
       * store heard of it): the attribute lets the next run claim the
       * .part instead of leaving it behind and taking "NAME (1)". */
      write_resume_xattr (a->fd, job);
      a->xattr_pending = FALSE;
    }

  if (job->checksum_hex != NULL)
    {
      checksum = g_checksum_new (job->checksum_type);
      if (offset > 0 && !hash_prefix (a->fd, offset, checksum, &a->watch->last_activity_us, error))
        return FALSE;
    }


  received = offset;
  job->received = received;
  job->total = total;
  job->phase = HAUL_JOB_PHASE_DOWNLOADING;
  if (job->bridge != NULL)
    haul_progress_bridge_poke (job->bridge);

  buf = g_malloc (READ_SIZE);
  for (;;)
    {
      gssize n;
      gint64 wait = 0;

      read_size = limited_read_size (job);
      n = g_input_stream_read (stream, buf, read_size, a->attempt, &local_error);
      if (n < 0)
        {
          if (!check_cancelled (a, error))
            set_network_error (error, local_error, g_uri_get_host (soup_message_get_uri (msg)), FALSE);
          g_clear_error (&local_error);
          return FALSE;
        }
      if (n == 0)
        break;

      a->watch->last_activity_us = g_get_monotonic_time ();

      if (total >= 0 && received + n > total)
        n = total - received; /* never write past the announced end */

      if (!write_all (a->fd, buf, n, job->directory, a->name, error))
        return FALSE;
      if (checksum != NULL)
        g_checksum_update (checksum, (const guchar *) buf, n);

      received += n;
      job->received = received;
      if (a->xattr_pending && received - offset >= XATTR_AFTER)
        {
          write_resume_xattr (a->fd, job);
          a->xattr_pending = FALSE;
        }
      if (job->bridge != NULL)
        haul_progress_bridge_poke (job->bridge);

      if (total >= 0 && received >= total)
        {
          /* libsoup reuses the connection (keep-alive) only when the body
           * stream reached its end before being closed; closing it right
           * after the last byte drops the connection, and every next
           * download on this thread pays for a new one. With Content-Length
           * framing this read returns 0 at once, without touching the
           * socket; any other framing is left as it was. */
          if (soup_message_headers_get_encoding (rh) == SOUP_ENCODING_CONTENT_LENGTH)
            (void) g_input_stream_read (stream, buf, 1, a->attempt, NULL);
          break;
        }

      /* Waiting for the rate limit is not a stall. The wait is asked for
       * again after each short sleep, so a limit changed meanwhile (raised,
       * removed or lowered) applies at once. */
      for (wait = limiters_consume (job, n); wait > 0; wait = limiters_consume (job, 0))
        {
          if (!sleep_cancellable (a->attempt, MIN (wait, LIMIT_SLEEP_US)))
            {
              check_cancelled (a, error);
              return FALSE;
            }
          a->watch->last_activity_us = g_get_monotonic_time ();
        }
    }

  g_input_stream_close (stream, NULL, NULL);

  if (total >= 0 && received < total)
    {
      g_autofree char *got = g_format_size (received);
      g_autofree char *want = g_format_size (total);

      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_TRUNCATED,
                   _("The server closed the connection after %s of %s"), got, want);
      return FALSE;
    }
  if (total < 0)
    job->total = received;

  if (close (a->fd) != 0)
    {
      int errsv = errno;

      a->fd = -1;
      return set_errno_error (error, errsv, job->directory, a->name);
    }
  a->fd = -1;
  goto verify;

complete_existing:
  if (job->checksum_hex != NULL)
    {
      g_autofree char *part = g_strconcat (a->name, HAUL_PART_SUFFIX, NULL);
      int fd = openat (a->dirfd, part, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      gboolean hashed;

      if (fd < 0)
        return set_errno_error (error, errno, job->directory, part);
      checksum = g_checksum_new (job->checksum_type);
      hashed = hash_prefix (fd, total, checksum, &a->watch->last_activity_us, error);
      close (fd);
      if (!hashed)
        return FALSE;
    }

verify:
  if (checksum != NULL)
    {
      const char *actual;

      job->phase = HAUL_JOB_PHASE_VERIFYING;
      actual = g_checksum_get_string (checksum);
      if (g_ascii_strcasecmp (actual, job->checksum_hex) != 0)
        {
          g_autofree char *part = g_strconcat (a->name, HAUL_PART_SUFFIX, NULL);

          /* The bytes are wrong: keeping them would only make the next
           * attempt "resume" a corrupt file. */
          unlinkat (a->dirfd, part, 0);
          g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_CHECKSUM,
                       _("The file is damaged: its %s checksum is %s, expected %s"),
                       haul_checksum_type_name (job->checksum_type), actual, job->checksum_hex);
          return FALSE;
        }
    }

  return finish_file (a, error);
}
