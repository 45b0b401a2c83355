/* haul-worker-pool.c — the threads downloads run on
 *
 * Haul's own GThreadPool, not g_task_run_in_thread(): in GLib 2.74 GTask's
 * shared pool also runs every DNS lookup and GFile async fallback, so long
 * downloads there would starve the rest of the process (and their own DNS
 * lookups). Each worker thread owns one SoupSession, created and configured
 * in that thread before its first request and reused for the next jobs it
 * runs (keep-alive). Sessions are never shared between threads.
 *
 * The pool runs GTasks whose task data is a HaulJob; the thread function
 * runs the transfer and returns the task, which delivers the result to the
 * main context the task was created in.
 *
 * A segmented download's extra connections run on one more pool, shared
 * by the whole process and sized by the global connection budget
 * (haul-connections.h); their threads own a session the same way.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-worker-pool"

#include "config.h"

#include <libsoup/soup.h>
#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "haul-connections.h"
#include "haul-job.h"
#include "haul-transfer.h"
#include "haul-worker-pool.h"

#define HAUL_WORKER_NICE 15

struct _HaulWorkerPool
{
  GThreadPool *pool;
};

typedef struct
{
  GMainContext *context;
  SoupSession  *session;
} ThreadState;

static void
thread_state_free (gpointer data)
{
  ThreadState *state = data;

  g_main_context_push_thread_default (state->context);
  soup_session_abort (state->session);
  g_object_unref (state->session);
  while (g_main_context_iteration (state->context, FALSE))
    ;
  g_main_context_pop_thread_default (state->context);
  g_main_context_unref (state->context);
  g_free (state);
}

static GPrivate thread_state_key = G_PRIVATE_INIT (thread_state_free);

static ThreadState *
get_thread_state (void)
{
  ThreadState *state = g_private_get (&thread_state_key);
  g_autofree char *user_agent = NULL;

  if (state != NULL)
    return state;

  state = g_new0 (ThreadState, 1);

  /* Workers yield the CPU to the thread that draws the window: with 16
   * downloads on 2 cores, equal shares would leave the main loop waiting
   * for a core (at +5 it still got only about a quarter of one). At +15 a
   * worker weighs 36 against the main thread's 1024. Downloads need little
   * CPU unless the network is as fast as memory, so they lose next to
   * nothing. On Linux a nice value is per thread. Best effort. */
  {
    id_t tid = (id_t) syscall (SYS_gettid);
    int nice_value = getpriority (PRIO_PROCESS, tid);

    if (setpriority (PRIO_PROCESS, tid, MIN (nice_value + HAUL_WORKER_NICE, 19)) != 0)
      g_debug ("could not lower a worker's priority: %s", g_strerror (errno));
  }

  /* The session binds to the thread-default context at construction; give
   * it one of its own so its timers never land on the UI's main context. */
  state->context = g_main_context_new ();
  g_main_context_push_thread_default (state->context);
  user_agent = g_strdup_printf ("Haul/%s ", PACKAGE_VERSION);
  state->session = soup_session_new_with_options ("user-agent", user_agent,
                                                  "max-conns", 4,
                                                  "max-conns-per-host", 2,
                                                  /* the transfer's own watchdog times out
                                                   * stalls; this is only the last resort */
                                                  "timeout", 300,
                                                  "idle-timeout", 60,
                                                  NULL);
  g_main_context_pop_thread_default (state->context);
  g_private_set (&thread_state_key, state);
  return state;
}

static gboolean
unref_task_cb (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

static void
run_task (gpointer data,
          gpointer user_data)
{
  GTask *task = data;
  GSource *source;
  HaulJob *job = g_task_get_task_data (task);
  ThreadState *state = get_thread_state ();
  GError *error = NULL;

  g_main_context_push_thread_default (state->context);
  if (haul_transfer_run (job, state->session, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
  g_main_context_pop_thread_default (state->context);

  /* Our reference goes back to the task's own context: were it the last
   * one, the queue (the task's source object) would be finalized here, on
   * a worker thread of the very pool it frees. An explicit source, not
   * g_main_context_invoke(), which could run it right here when the main
   * context happens to be free. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_static_name (source, "[haul] release task");
  g_source_set_callback (source, unref_task_cb, task, NULL);
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);
}

HaulWorkerPool *
haul_worker_pool_new (guint max_threads)
{
  HaulWorkerPool *self = g_new0 (HaulWorkerPool, 1);
  g_autoptr(GError) error = NULL;

  self->pool = g_thread_pool_new_full (run_task, self, g_object_unref,
                                       CLAMP (max_threads, 1, HAUL_MAX_CONCURRENCY),
                                       FALSE, &error);
  g_assert_no_error (error);
  return self;
}

/**
 * haul_worker_pool_free:
 *
 * Waits for the tasks already pushed: cancel them first.
 */
void
haul_worker_pool_free (HaulWorkerPool *self)
{
  /* The threads go back to GLib's shared pool of unused threads, each with
   * its session (thread_state_key), freed when GLib ends them. Ending them
   * here (g_thread_pool_stop_unused_threads) was tried: at exit, threads
   * still ending made LeakSanitizer's tracer crash now and then. */
  g_thread_pool_free (self->pool, FALSE, TRUE);
  g_free (self);
}

void
haul_worker_pool_set_max_threads (HaulWorkerPool *self,
                                  guint           max_threads)
{
  g_thread_pool_set_max_threads (self->pool, CLAMP (max_threads, 1, HAUL_MAX_CONCURRENCY), NULL);
}

/**
 * haul_worker_pool_push:
 * @task: (transfer full): a task whose data is a #HaulJob
 */
void
haul_worker_pool_push (HaulWorkerPool *self,
                       GTask          *task)
{
  g_thread_pool_push (self->pool, task, NULL);
}

/* ------------------------------------------------------------------ */
/* Extra connections */

typedef struct
{
  HaulConnectionFunc func;
  gpointer           data;
} ConnectionWork;

static void
run_connection (gpointer data,
                gpointer user_data)
{
  ConnectionWork *work = data;
  ThreadState *state = get_thread_state ();

  g_main_context_push_thread_default (state->context);
  work->func (work->data, state->session);
  g_main_context_pop_thread_default (state->context);
  g_free (work);
}

/**
 * haul_worker_pool_run_connection:
 * @func: runs one extra connection, blocking, with the thread's session
 *
 * Runs @func on the process-wide pool of extra connections. The caller
 * has taken a slot of the connection budget, so a thread is free for it.
 */
void
haul_worker_pool_run_connection (HaulConnectionFunc func,
                                 gpointer           data)
{
  static GThreadPool *connections;
  ConnectionWork *work = g_new (ConnectionWork, 1);

  if (g_once_init_enter (&connections))
    {
      GThreadPool *pool = g_thread_pool_new (run_connection, NULL, HAUL_CONNECTION_BUDGET, FALSE, NULL);

      g_once_init_leave (&connections, pool);
    }
  work->func = func;
  work->data = data;
  g_thread_pool_push (connections, work, NULL);
}
