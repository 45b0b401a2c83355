/* haul-test-queue.c — helpers for tests that drive a HaulQueue
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include "haul-test-queue.h"

HaulDownload *
haul_test_add (HaulQueue      *queue,
               HaulTestServer *server,
               const char     *dir,
               const char     *path)
{
  g_autofree char *uri = haul_test_server_uri (server, path);
  g_autoptr(GError) error = NULL;
  HaulDownload *d;

  d = haul_queue_add (queue, uri, dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (d);
  return d;
}

void
haul_test_ignore_proxies (void)
{
  g_unsetenv ("http_proxy");
  g_unsetenv ("HTTP_PROXY");
  g_unsetenv ("all_proxy");
  g_unsetenv ("ALL_PROXY");
}

gboolean
haul_test_downloads_are_finished (gpointer downloads)
{
  GPtrArray *array = downloads;

  for (guint i = 0; i < array->len; i++)
    if (!haul_download_is_finished (g_ptr_array_index (array, i)))
      return FALSE;
  return TRUE;
}

gboolean
haul_test_download_is_finished (gpointer download)
{
  return haul_download_is_finished (download);
}

gboolean
haul_test_download_is_paused (gpointer download)
{
  return haul_download_get_state (download) == HAUL_DOWNLOAD_STATE_PAUSED;
}

gboolean
haul_test_queue_is_quiet (gpointer data)
{
  HaulQueue *queue = data;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (queue)); i++)
    if (haul_download_is_active (haul_queue_get_download (queue, i)))
      return FALSE;
  return haul_queue_get_n_active (queue) == 0;
}

void
haul_test_stop_queue (HaulQueue *queue)
{
  haul_queue_pause_all (queue);
  g_assert_true (haul_test_wait_until (haul_test_queue_is_quiet, queue, HAUL_TEST_WAIT_MS));
}

void
haul_test_release_queue (HaulQueue **queue)
{
  gpointer weak = *queue;

  g_object_add_weak_pointer (G_OBJECT (*queue), &weak);
  g_clear_object (queue);
  g_assert_true (haul_test_wait_until (haul_test_pointer_is_null, &weak, HAUL_TEST_WAIT_MS));
}

HaulStore *
haul_test_open_store (const char *path)
{
  HaulStore *store = haul_store_new (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *aside = NULL;
  HaulTestAsync w = { 0 };
  gboolean ok;

  haul_store_open_async (store, NULL, haul_test_async_cb, &w);
  ok = haul_store_open_finish (store, haul_test_async_wait (&w), &aside, &error);
  g_clear_object (&w.result);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_null (aside);
  return store;
}

void
haul_test_flush_store (HaulStore *store)
{
  g_autoptr(GError) error = NULL;
  HaulTestAsync w = { 0 };
  gboolean ok;

  haul_store_flush_async (store, NULL, haul_test_async_cb, &w);
  ok = haul_store_flush_finish (store, haul_test_async_wait (&w), &error);
  g_clear_object (&w.result);
  g_assert_no_error (error);
  g_assert_true (ok);
}

void
haul_test_close_queue_and_store (HaulQueue **queue,
                                 HaulStore **store)
{
  if (*queue != NULL)
    {
      haul_queue_save_now (*queue);
      haul_queue_set_store (*queue, NULL);
      haul_test_stop_queue (*queue);
      haul_test_release_queue (queue);
    }
  if (*store != NULL)
    {
      haul_test_flush_store (*store);
      haul_store_close (*store);
      g_clear_object (store);
    }
}

void
haul_test_wait_download (HaulDownload      *download,
                         HaulTestPredicate  predicate,
                         const char        *what)
{
  if (!haul_test_wait_until (predicate, download, HAUL_TEST_WAIT_MS))
    g_error ("timed out waiting for %s to be %s (state %s, error %s)",
             haul_download_get_uri (download), what,
             haul_download_state_to_string (haul_download_get_state (download)),
             haul_download_get_error (download));
}

void
haul_test_assert_state_at (const char        *domain,
                           const char        *file,
                           int                line,
                           const char        *func,
                           HaulDownload      *download,
                           HaulDownloadState  expected)
{
  HaulDownloadState state = haul_download_get_state (download);
  g_autofree char *message = NULL;

  if (state == expected)
    return;
  message = g_strdup_printf ("%s is %s, expected %s (error: %s)",
                             haul_download_get_uri (download),
                             haul_download_state_to_string (state),
                             haul_download_state_to_string (expected),
                             haul_download_get_error (download));
  g_assertion_message (domain, file, line, func, message);
}

void
haul_test_assert_error_contains_at (const char   *domain,
                                    const char   *file,
                                    int           line,
                                    const char   *func,
                                    HaulDownload *download,
                                    const char   *needle)
{
  const char *error = haul_download_get_error (download);
  g_autofree char *message = NULL;

  if (error != NULL && strstr (error, needle) != NULL)
    return;
  message = g_strdup_printf ("error “%s” does not contain “%s”", error ? error : "(none)", needle);
  g_assertion_message (domain, file, line, func, message);
}

void
haul_test_assert_folder_at (const char *domain,
                            const char *file,
                            int         line,
                            const char *func,
                            const char *dir,
                            const char *expected)
{
  g_autofree char *names = haul_test_list_dir (dir);

  if (g_strcmp0 (names, expected) != 0)
    g_assertion_message_cmpstr (domain, file, line, func, "haul_test_list_dir (dir) == expected",
                                names, "==", expected);
}

void
haul_test_assert_completed_with (HaulDownload *download,
                                 GBytes       *content)
{
  g_autofree char *path = haul_download_dup_path (download);
  g_autofree char *part = NULL;
  gint64 size = g_bytes_get_size (content);
  struct stat st;

  if (haul_download_get_state (download) != HAUL_DOWNLOAD_STATE_COMPLETED)
    g_error ("%s is %s, expected completed (error: %s)", haul_download_get_uri (download),
             haul_download_state_to_string (haul_download_get_state (download)),
             haul_download_get_error (download));
  g_assert_nonnull (path);
  haul_test_assert_file_is (path, content);
  g_assert_cmpint (lstat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, size);
  part = g_strconcat (path, ".part", NULL);
  g_assert_false (haul_test_exists_nofollow (part));
  g_assert_cmpint (haul_download_get_received (download), ==, size);
  g_assert_cmpint (haul_download_get_total (download), ==, size);
  g_assert_cmpfloat (haul_download_get_fraction (download), ==, 1.0);
  g_assert_null (haul_download_get_error (download));
}
