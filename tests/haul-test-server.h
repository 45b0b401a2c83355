/* haul-test-server.h — an in-process HTTP server with fault injection, for tests
 *
 * A SoupServer (libsoup 3.2 API) running in its own thread with its own
 * GMainContext, listening on 127.0.0.1 only, on a random port. Tests add
 * files (byte contents plus behaviour options) and redirects under paths,
 * point the engine at haul_test_server_uri(), and afterwards assert on the
 * per-path request counters and on the Range headers the server received.
 *
 * Every function here may be called from the test's main thread while the
 * server runs; the server thread never touches the test's main context.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define KIB 1024
#define MIB (1024 * 1024)

typedef struct _HaulTestServer HaulTestServer;

/**
 * HaulTestFileOptions:
 *
 * How the server answers requests for one file. All fields are optional:
 * a zero-filled struct (or %NULL) is a well-behaved server that sends
 * Content-Length, Accept-Ranges and honours Range and If-Range with 206.
 * Counts ("_times") refer to the first requests of this path (after the
 * skipped ones, see fail_skip and fault_skip): a fault with times == 0
 * applies to every request (after the skipped ones).
 *
 * Range and If-Range: a request with "Range: bytes=..." gets 206 with
 * Content-Range for the bytes asked (416, with a Content-Range naming the
 * total, when none of them exist), unless ignore_range, html_on_range or
 * range_requests_honoured say otherwise, or If-Range is sent and does not
 * match: If-Range matches when it equals the current ETag, or, when the
 * file has no ETag, the current Last-Modified (compared as strings). When it
 * does not match, the answer is 200 with the whole current file — the new
 * one after change_after.
 *
 * Several requests, to one path or to many, are served at the same time
 * (each with its own rate, faults and counters); counters are kept under
 * the server's lock and may be read while requests run.
 *
 * Use it with a compound literal:
 *   haul_test_server_add_file (server, "/a.bin", bytes,
 *                              &(HaulTestFileOptions) { .rate = 100 * 1024 });
 */
typedef struct
{
  const char *content_type;        /* NULL: "application/octet-stream" */
  const char *etag;                /* full header value, e.g. "\"v1\"" (quotes included) */
  const char *last_modified;       /* full header value (an HTTP date) */
  const char *content_disposition; /* raw header value, sent as is */

  gint64      rate;                /* bytes per second; 0 = as fast as possible */
  gboolean    chunked;             /* Transfer-Encoding: chunked, no Content-Length */
  gboolean    ignore_range;        /* no Accept-Ranges; always 200 with the whole file */
  guint       headers_delay_ms;    /* wait this long before answering at all */

  /* Close the connection (FIN, mid-body) after this many body bytes
   * (counted from the start of this response's body). Requests
   * fault_skip + 1 .. fault_skip + reset_times of the path (all from
   * fault_skip + 1 on when reset_times is 0). */
  gboolean    reset;
  gint64      reset_after;
  guint       reset_times;

  /* Stop sending after this many body bytes, keeping the connection open.
   * Requests counted as for reset. */
  gboolean    stall;
  gint64      stall_after;
  guint       stall_times;

  /* After this many requests the file "changes": later requests get
   * new_content (must be non-NULL) with new_etag (may be NULL: no ETag)
   * and new_last_modified (NULL: Last-Modified stays as it was; with no
   * ETag, an If-Range of the old date then still matches and gets a 206 of
   * the new content, like a server with a coarse clock). An If-Range of
   * the old ETag gets 200 with the whole new file. */
  guint       change_after;
  GBytes     *new_content;
  const char *new_etag;

  /* A request with a Range header gets "200 text/html" and an HTML error
   * page (like an expired link that lands on a login page). */
  gboolean    html_on_range;

  /* Announce a wrong Content-Length. announce_length > real length: the
   * real bytes are sent, then the connection is closed. announce_length <
   * real length: the announced bytes are sent, then the rest of the body is
   * written raw after them and the connection closed ("Connection: close"). */
  gint64      announce_length;     /* 0: the real length */

  /* Requests fail_skip + 1 .. fail_skip + fail_times of the path get
   * fail_status (e.g. 503) and a short text/plain body, with a
   * "Retry-After: retry_after" header when retry_after is not NULL;
   * fail_times == 0: every request from fail_skip + 1 on. E.g. fail_skip =
   * 2, fail_times = 0: the 3rd request and all later ones get 503 (extra
   * connections refused forever); fail_skip = 2, fail_times = 1: only the
   * 3rd. Requests count from 1 in arrival order, whatever they ask. */
  guint       fail_status;
  guint       fail_times;
  const char *retry_after;

  /* Answer Range with 206 even when If-Range no longer matches (a broken
   * server or cache): the client must notice the new ETag itself. */
  gboolean    ignore_if_range;

  /* Sent as Content-Encoding; the bytes go out as they are (pass already
   * compressed content), like a server that serves a .gz "encoded". */
  const char *content_encoding;

  /* The fail_status fault spares the first fail_skip requests of the path
   * (see fail_status). */
  guint       fail_skip;
  /* The reset and stall faults spare the first fault_skip requests. */
  guint       fault_skip;

  /* 0: no limit. Otherwise only the first range_requests_honoured requests
   * carrying a Range header get 206; later ones get 200 with the whole
   * file (Accept-Ranges is still sent): ranges that work for the probe
   * only. */
  guint       range_requests_honoured;

  /* Lies, only in 206 answers to a Range whose start is > 0 (never in a
   * 200, a 416 or a 206 from byte 0):
   *
   * lie_range_start: the answer is for [start + lie, end + lie] (clamped
   * to the file) instead of [start, end]: Content-Range announces the
   * shifted range, Content-Length its length, and the body holds those
   * bytes — self-consistent, but not what was asked.
   *
   * lie_range_total: Content-Range announces this total instead of the
   * real one; the range and the body are right. */
  gint64      lie_range_start;
  gint64      lie_range_total;

  /* short_range_body: the headers announce the asked range (Content-Range
   * and Content-Length), the body stops that many bytes before its end
   * (at least 0 bytes sent) and the connection is shut down (FIN): the
   * client sees an early end of the body. Wins over long_range_body.
   *
   * long_range_body: the headers announce the asked range; without
   * chunked, the body is exactly that range, then this many more bytes
   * (the file's next bytes, zeros past its end) are written raw on the
   * socket right after it (one non-blocking write: keep it to a few KiB),
   * with "Connection: close", and the connection is closed: a client that reads by Content-Length never sees them as
   * body, one that reads to EOF does. With chunked (no Content-Length),
   * the extra bytes are part of the chunked body, which then ends
   * normally: the client gets more bytes than Content-Range says. Not
   * applied when reset, stall or announce_length already bend that
   * answer. */
  gint64      short_range_body;
  gint64      long_range_body;

  /* Sent as Content-Encoding on 206 answers only (replacing
   * content_encoding there); the bytes are not encoded. */
  const char *encoding_on_partial;

  /* Last-Modified after change_after (see change_after). */
  const char *new_last_modified;

  /* HTTP authentication (libsoup's SoupAuthDomainBasic, or
   * SoupAuthDomainDigest with auth_digest), realm "Haul test": with
   * auth_user set, a request must sign in as auth_user / auth_password or
   * gets 401 with a challenge. Refused requests never reach the file's
   * handler: they are not counted in the path's requests
   * (haul_test_server_get_n_auth_refused() counts them). */
  const char *auth_user;
  const char *auth_password;
  gboolean    auth_digest;
  /* "Name: value" lines, NULL-terminated: a request that lacks one of
   * these headers with exactly this value (compared whole, after libsoup
   * joined repeated headers with ", ") gets 403 Forbidden, like a site
   * that wants its session cookie, its own page as the referrer or a
   * token header. Every request is checked: each segment, each retry. */
  const char * const *require_headers;

  /* Sent as a Set-Cookie header with every answer (e.g. "sid=s3cr3t;
   * Path=/"): a page that gives the browser the cookie its file needs. */
  const char *set_cookie;

  /* POST is answered like GET (the same status, headers and body: the
   * file, with content_disposition and every other option), as a form's
   * action that answers with a download; the request's body is read and
   * ignored, and the request is counted like a GET (its headers in
   * haul_test_server_get_header_values()). Without it POST gets 405. */
  gboolean    allow_post;
} HaulTestFileOptions;

HaulTestServer *haul_test_server_new            (void);
void            haul_test_server_free           (HaulTestServer            *server);

/* "http://127.0.0.1:PORT" + path (path starts with '/'; may contain a query). */
char           *haul_test_server_uri            (HaulTestServer            *server,
                                                 const char                *path);
guint16         haul_test_server_get_port       (HaulTestServer            *server);

/* Serves @bytes under @path (exact match, query ignored). @options is copied;
 * NULL means defaults. Replaces an earlier file or redirect at @path and
 * keeps its counters. */
void            haul_test_server_add_file       (HaulTestServer            *server,
                                                 const char                *path,
                                                 GBytes                    *bytes,
                                                 const HaulTestFileOptions *options);

/* @status is 301, 302, 303, 307 or 308; @target is a path on this server
 * ("/b") or an absolute URI. Loops are just redirects that point back. */
void            haul_test_server_add_redirect   (HaulTestServer            *server,
                                                 const char                *path,
                                                 guint                      status,
                                                 const char                *target);

/* A fixed response: @status with @body (may be NULL) of @content_type. */
void            haul_test_server_add_response   (HaulTestServer            *server,
                                                 const char                *path,
                                                 guint                      status,
                                                 const char                *content_type,
                                                 const char                *body);

/* Counters, per path (any path, including unknown ones that got a 404). */
guint           haul_test_server_get_n_requests (HaulTestServer            *server,
                                                 const char                *path);
guint           haul_test_server_get_total_requests (HaulTestServer        *server);
/* The Range headers received for @path, as sent ("bytes=START-END"), in
 * arrival order (requests without one are not listed). Free with
 * g_strfreev(). */
char          **haul_test_server_get_ranges     (HaulTestServer            *server,
                                                 const char                *path);
/* The If-Range headers received for @path, in order. Free with g_strfreev(). */
char          **haul_test_server_get_if_ranges  (HaulTestServer            *server,
                                                 const char                *path);
/* The values of header @name in every request for @path, in arrival order:
 * "" for a request without it. Free with g_strfreev(). */
char          **haul_test_server_get_header_values (HaulTestServer         *server,
                                                    const char             *path,
                                                    const char             *name);
/* The Accept-Encoding header of the last request for @path (NULL if none). */
char           *haul_test_server_get_accept_encoding (HaulTestServer       *server,
                                                      const char           *path);
/* How many requests' bodies are being sent right now, and the most at once
 * since the server started (or since reset_counters). A request is in
 * flight from the moment its headers arrive until its body is written or
 * it fails (a stalled one stays in flight until the client goes). */
guint           haul_test_server_get_in_flight  (HaulTestServer            *server);
guint           haul_test_server_get_max_in_flight (HaulTestServer         *server);
/* The same for the requests of @path only: the most at once. */
guint           haul_test_server_get_max_in_flight_path (HaulTestServer    *server,
                                                         const char        *path);
/* How many requests for @path were answered with @status (206: the ranges
 * honoured), counted when the answer's headers are decided. */
guint           haul_test_server_get_n_status   (HaulTestServer            *server,
                                                 const char                *path,
                                                 guint                      status);
/* How many requests for @path were answered 401 by the auth domains. */
guint           haul_test_server_get_n_auth_refused (HaulTestServer        *server,
                                                     const char            *path);
/* Forgets every counter (requests, ranges, statuses, maxima) but not the
 * requests in flight now. */
void            haul_test_server_reset_counters (HaulTestServer            *server);

/* Deterministic pseudo-random content: same (size, seed), same bytes. */
GBytes         *haul_test_content               (gsize                      size,
                                                 guint32                    seed);

/* Lowercase hex SHA-256 of a file (NULL if it cannot be read) or of bytes. */
char           *haul_test_sha256_file           (const char                *path);
char           *haul_test_sha256_bytes          (GBytes                    *bytes);

/* Waiting for an async call: pass haul_test_async_cb and a zeroed
 * HaulTestAsync as its callback and data, then haul_test_async_wait()
 * iterates the default main context until the result arrives (and returns
 * it, still owned by the struct: g_clear_object (&w.result) after). */
typedef struct
{
  gboolean      done;
  GAsyncResult *result;
} HaulTestAsync;

void            haul_test_async_cb              (GObject                   *source,
                                                 GAsyncResult              *result,
                                                 gpointer                   user_data);
GAsyncResult   *haul_test_async_wait            (HaulTestAsync             *async);

/* Iterates the thread-default main context (the test's main context) until
 * predicate returns TRUE or timeout_ms pass. Returns the last result of
 * the predicate. */
typedef gboolean (*HaulTestPredicate) (gpointer data);

gboolean        haul_test_wait_until            (HaulTestPredicate          predicate,
                                                 gpointer                   data,
                                                 guint                      timeout_ms);
/* A predicate: the pointer at @data is NULL (a weak pointer let go). */
gboolean        haul_test_pointer_is_null       (gpointer                   data);
/* Iterates the thread-default main context for @ms milliseconds. */
void            haul_test_spin                  (guint                      ms);
/* The benchmarks' lateness probe: a source on the default main context
 * that calls @callback at @ready_time (monotonic µs), and again whenever
 * the callback moves the ready time on. Returns: (transfer full) */
GSource        *haul_test_probe_new             (GSourceFunc                callback,
                                                 gpointer                   data,
                                                 gint64                     ready_time);

/* Enters a private mount namespace (as root, or in a new user namespace),
 * so a test can mount a small tmpfs or a read-only bind. Only in a
 * single-threaded process (a g_test_trap_subprocess child before it starts
 * any thread). FALSE when not allowed, or when HAUL_TEST_NO_MOUNTS is set
 * to exercise the fallbacks. */
gboolean        haul_test_enter_private_mount_namespace (void);
/* Writes under @dir fail past @size bytes (a small tmpfs, or RLIMIT_FSIZE);
 * the same rule: a child with no thread yet. Returns how, for the log. */
const char     *haul_test_fill_disk_at          (const char                *dir,
                                                 gsize                      size);

/* The haul binary under test ($HAUL_BINARY, set by meson). */
const char     *haul_test_haul_binary           (void);
/* Runs haul with the arguments (NULL-terminated), feeding @input (may be
 * NULL) to its standard input; returns its exit status and, when asked,
 * what it printed. */
int             haul_test_run_haul              (const char  *input,
                                                 char       **out,
                                                 char       **err,
                                                 const char  *first_arg,
                                                 ...) G_GNUC_NULL_TERMINATED;

/* Interrupts a running haul (SIGINT, as Ctrl-C) and asserts that it
 * stopped with status 130. */
void            haul_test_interrupt_haul        (GSubprocess               *haul);

/* Listens on 127.0.0.1 at a port the system picks (a raw server of the
 * test's own, e.g. a GThreadedSocketService); returns the port. */
guint16         haul_test_listen_loopback       (GSocketListener           *listener);

/* Test file helpers. */
char           *haul_test_make_tmp_dir          (void);
void            haul_test_rm_rf                 (const char                *path);
gboolean        haul_test_exists_nofollow       (const char                *path);
/* Sorted names in @path, as one string "a|b|c" for easy assertions. */
char           *haul_test_list_dir              (const char                *path);
gint64          haul_test_proc_status_kib       (const char                *field);
/* Asserts that the file at @path holds exactly @content (by SHA-256). */
#define haul_test_assert_file_is(path, content) \
  G_STMT_START { \
    g_autofree char *__got = haul_test_sha256_file (path); \
    g_autofree char *__want = haul_test_sha256_bytes (content); \
    g_assert_cmpstr (__got, ==, __want); \
  } G_STMT_END

/* The same for the file @name in the folder @dir. */
/* Whether the file at @path holds the bytes of @needle anywhere (FALSE when
 * it cannot be read): for secrets that must not be in a store's files. */
gboolean        haul_test_file_contains         (const char                *path,
                                                 const char                *needle);

#define haul_test_assert_file_in(dir, name, content) \
  G_STMT_START { \
    g_autofree char *__path = g_build_filename ((dir), (name), NULL); \
    haul_test_assert_file_is (__path, content); \
  } G_STMT_END

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulTestServer, haul_test_server_free)

G_END_DECLS
