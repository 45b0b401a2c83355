/* haul-test-queue.h — helpers for tests that drive a HaulQueue
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "haul-queue.h"
#include "haul-store.h"
#include "haul-test-server.h"

G_BEGIN_DECLS

#define HAUL_TEST_WAIT_MS 30000

/* Adds the link of @path on @server, saving into @dir; asserts it was
 * accepted. Returns: (transfer none) */
HaulDownload *haul_test_add                   (HaulQueue      *queue,
                                               HaulTestServer *server,
                                               const char     *dir,
                                               const char     *path);

/* Loopback only: the engine never goes through a proxy from the
 * environment. Call it in main(), before any test. */
void          haul_test_ignore_proxies        (void);

gboolean      haul_test_download_is_finished  (gpointer        download);
gboolean      haul_test_download_is_paused    (gpointer        download);
/* Whether every download of the GPtrArray @downloads has finished. */
gboolean      haul_test_downloads_are_finished (gpointer       downloads);

/* No download of @queue is running, and the queue counts none active. */
gboolean      haul_test_queue_is_quiet        (gpointer        queue);
/* Pauses everything and waits until @queue is quiet. */
void          haul_test_stop_queue            (HaulQueue      *queue);
/* Drops the caller's reference and waits until the queue is gone (the
 * last attempt's GTask lets go of it once its callback ran). */
void          haul_test_release_queue         (HaulQueue     **queue);

/* A store at @path, opened (a new or sound file: nothing moved aside). */
HaulStore    *haul_test_open_store            (const char     *path);
/* Waits until everything posted to @store is committed. */
void          haul_test_flush_store           (HaulStore      *store);
/* Like quitting Haul (without haul_queue_stop_for_exit(): callers do that
 * when they want it): saves, stops and drops *@queue, then flushes and
 * closes *@store; either may be NULL already. */
void          haul_test_close_queue_and_store (HaulQueue     **queue,
                                               HaulStore     **store);

/* Spins the main context until @predicate holds for @download; fails the
 * test with the download's state and error after HAUL_TEST_WAIT_MS. */
void          haul_test_wait_download         (HaulDownload      *download,
                                               HaulTestPredicate  predicate,
                                               const char        *what);

#define haul_test_wait_finished(d) \
  haul_test_wait_download ((d), haul_test_download_is_finished, "finished")
#define haul_test_wait_paused(d) \
  haul_test_wait_download ((d), haul_test_download_is_paused, "paused")

/* Fail the test, naming the download, its state and its error, when
 * @download is not in state @expected. */
#define haul_test_assert_state(download, expected) \
  haul_test_assert_state_at (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, (download), (expected))

/* Fail the test when @download's error does not contain @needle. */
#define haul_test_assert_error_contains(download, needle) \
  haul_test_assert_error_contains_at (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, (download), (needle))

/* Failed, with @needle in its error. */
#define haul_test_assert_failed_with(download, needle) \
  G_STMT_START { \
    haul_test_assert_state ((download), HAUL_DOWNLOAD_STATE_FAILED); \
    haul_test_assert_error_contains ((download), (needle)); \
  } G_STMT_END

/* The folder @dir holds exactly @expected, names sorted and joined by "|"
 * ("" for nothing; see haul_test_list_dir()). */
#define haul_test_assert_folder(dir, expected) \
  haul_test_assert_folder_at (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, (dir), (expected))

void          haul_test_assert_state_at          (const char        *domain,
                                                  const char        *file,
                                                  int                line,
                                                  const char        *func,
                                                  HaulDownload      *download,
                                                  HaulDownloadState  expected);
void          haul_test_assert_error_contains_at (const char        *domain,
                                                  const char        *file,
                                                  int                line,
                                                  const char        *func,
                                                  HaulDownload      *download,
                                                  const char        *needle);
void          haul_test_assert_folder_at         (const char        *domain,
                                                  const char        *file,
                                                  int                line,
                                                  const char        *func,
                                                  const char        *dir,
                                                  const char        *expected);

/* Completed, the file on disk holds exactly @content, no .part is left,
 * and the counters say 100 % with no error. */
void          haul_test_assert_completed_with (HaulDownload   *download,
                                               GBytes         *content);

G_END_DECLS
