/* tsan-canary.c — proves the ThreadSanitizer run can see (tests/tsan.sh)
 *
 * `tsan-canary racy`: two threads increment a plain int: TSan must report
 * it (in tsan_canary_racy). `tsan-canary locked`: the same under a GMutex,
 * and a hand-over through g_idle_add() and a GThreadPool: with the
 * annotations of src/core/haul-tsan.c TSan must report nothing. The first
 * shows TSan is on; the second that GLib's locks are not taken for races.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib.h>
#include <string.h>

static int counter;
static GMutex lock;

static gpointer
tsan_canary_racy (gpointer data)
{
  for (int i = 0; i < 100000; i++)
    counter++;
  return NULL;
}

static gpointer
locked_thread (gpointer data)
{
  for (int i = 0; i < 100000; i++)
    {
      g_mutex_lock (&lock);
      counter++;
      g_mutex_unlock (&lock);
    }
  return NULL;
}

typedef struct
{
  int        value;
  GMainLoop *loop;
} Handed;

static gboolean
on_main (gpointer data)
{
  Handed *h = data;

  g_assert_cmpint (h->value, ==, 42); /* written by the pool thread */
  h->value = 0;
  g_main_loop_quit (h->loop);
  return G_SOURCE_REMOVE;
}

static void
pool_func (gpointer item,
           gpointer user_data)
{
  Handed *h = item;

  g_assert_cmpint (h->value, ==, 7); /* written by the main thread */
  h->value = 42;
  g_idle_add (on_main, h);
}

int
main (int   argc,
      char *argv[])
{
  gboolean racy = argc > 1 && strcmp (argv[1], "racy") == 0;
  GThreadFunc func = racy ? tsan_canary_racy : locked_thread;
  GThread *a = g_thread_new ("a", func, NULL);
  GThread *b = g_thread_new ("b", func, NULL);

  g_thread_join (a);
  g_thread_join (b);

  if (!racy)
    {
      Handed h = { 7, g_main_loop_new (NULL, FALSE) };
      GThreadPool *pool = g_thread_pool_new (pool_func, NULL, 2, FALSE, NULL);

      g_thread_pool_push (pool, &h, NULL);
      g_main_loop_run (h.loop);
      g_thread_pool_free (pool, FALSE, TRUE);
      g_main_loop_unref (h.loop);
      g_assert_cmpint (counter, ==, 200000);
    }
  g_print ("counter %d\n", counter);
  return 0;
}
