/* haul-test-queue.h — helpers for tests that drive a HaulQueue
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "haul-queue.h"
#include "haul-test-server.h"

G_BEGIN_DECLS

#define HAUL_TEST_WAIT_MS 30000

/* Adds the link of @path on @server, saving into @dir; asserts it was
 * accepted. Returns: (transfer none) */
HaulDownload *haul_test_add                   (HaulQueue      *queue,
                                               HaulTestServer *server,
                                               const char     *dir,
                                               const char     *path);

gboolean      haul_test_download_is_finished  (gpointer        download);
gboolean      haul_test_download_is_paused    (gpointer        download);

/* Spins the main context until @predicate holds for @download; fails the
 * test with the download's state and error after HAUL_TEST_WAIT_MS. */
void          haul_test_wait_download         (HaulDownload      *download,
                                               HaulTestPredicate  predicate,
                                               const char        *what);

#define haul_test_wait_finished(d) \
  haul_test_wait_download ((d), haul_test_download_is_finished, "finished")
#define haul_test_wait_paused(d) \
  haul_test_wait_download ((d), haul_test_download_is_paused, "paused")

/* Completed, the file on disk holds exactly @content, no .part is left,
 * and the counters say 100 % with no error. */
void          haul_test_assert_completed_with (HaulDownload   *download,
                                               GBytes         *content);

G_END_DECLS
