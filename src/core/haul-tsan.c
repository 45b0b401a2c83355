/* haul-tsan.c — what ThreadSanitizer cannot see in GLib, told to it
 *
 * Only in -Db_sanitize=thread builds (src/core/meson.build links every
 * program with -Wl,--wrap for the functions below). GLib is not built
 * with TSan: its GMutex is a futex, its main loops and thread pools hand
 * data between threads through its own locks, and its reference counts are
 * atomics TSan never sees. So a lock Haul takes, a callback it queues on
 * another thread, or an object another thread frees would all look like
 * data races in Haul's code. These wrappers sit between Haul (and its
 * tests) and GLib, and annotate each hand-over with __tsan_release() on
 * the sending side and __tsan_acquire() on the receiving side, on the same
 * address. What Haul does between those points is checked by TSan as
 * usual: a field read without its lock, or written by two threads, is
 * still reported.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>

void __tsan_acquire (void *addr);
void __tsan_release (void *addr);

/* ------------------------------------------------------------------ */
/* Locks */

void     __real_g_mutex_lock (GMutex *mutex);
void     __real_g_mutex_unlock (GMutex *mutex);
gboolean __real_g_mutex_trylock (GMutex *mutex);
void     __real_g_rec_mutex_lock (GRecMutex *mutex);
void     __real_g_rec_mutex_unlock (GRecMutex *mutex);
void     __real_g_cond_wait (GCond *cond, GMutex *mutex);
gboolean __real_g_cond_wait_until (GCond *cond, GMutex *mutex, gint64 end_time);

void     __wrap_g_mutex_lock (GMutex *mutex);
void     __wrap_g_mutex_unlock (GMutex *mutex);
gboolean __wrap_g_mutex_trylock (GMutex *mutex);
void     __wrap_g_rec_mutex_lock (GRecMutex *mutex);
void     __wrap_g_rec_mutex_unlock (GRecMutex *mutex);
void     __wrap_g_cond_wait (GCond *cond, GMutex *mutex);
gboolean __wrap_g_cond_wait_until (GCond *cond, GMutex *mutex, gint64 end_time);

void
__wrap_g_mutex_lock (GMutex *mutex)
{
  __real_g_mutex_lock (mutex);
  __tsan_acquire (mutex);
}

void
__wrap_g_mutex_unlock (GMutex *mutex)
{
  __tsan_release (mutex);
  __real_g_mutex_unlock (mutex);
}

gboolean
__wrap_g_mutex_trylock (GMutex *mutex)
{
  if (!__real_g_mutex_trylock (mutex))
    return FALSE;
  __tsan_acquire (mutex);
  return TRUE;
}

void
__wrap_g_rec_mutex_lock (GRecMutex *mutex)
{
  __real_g_rec_mutex_lock (mutex);
  __tsan_acquire (mutex);
}

void
__wrap_g_rec_mutex_unlock (GRecMutex *mutex)
{
  __tsan_release (mutex);
  __real_g_rec_mutex_unlock (mutex);
}

void
__wrap_g_cond_wait (GCond  *cond,
                    GMutex *mutex)
{
  __tsan_release (mutex);
  __real_g_cond_wait (cond, mutex);
  __tsan_acquire (mutex);
}

gboolean
__wrap_g_cond_wait_until (GCond  *cond,
                          GMutex *mutex,
                          gint64  end_time)
{
  gboolean ret;

  __tsan_release (mutex);
  ret = __real_g_cond_wait_until (cond, mutex, end_time);
  __tsan_acquire (mutex);
  return ret;
}

/* ------------------------------------------------------------------ */
/* Callbacks run by another thread's main loop */

typedef struct
{
  GSourceFunc     func;
  gpointer        data;
  GDestroyNotify  notify;
} Trampoline;

/* Live trampolines, so that a lookup by the caller's user data (tests do
 * g_main_context_find_source_by_user_data()) still finds the source. */
static GMutex trampolines_lock;
static GHashTable *trampolines;

static gboolean
trampoline_cb (gpointer user_data)
{
  Trampoline *t = user_data;

  __tsan_acquire (t);
  return t->func (t->data);
}

static void
trampoline_free (gpointer user_data)
{
  Trampoline *t = user_data;

  __tsan_acquire (t);
  __wrap_g_mutex_lock (&trampolines_lock);
  g_hash_table_remove (trampolines, t);
  __wrap_g_mutex_unlock (&trampolines_lock);
  if (t->notify != NULL)
    t->notify (t->data);
  g_free (t);
}

static Trampoline *
trampoline_new (GSourceFunc    func,
                gpointer       data,
                GDestroyNotify notify)
{
  Trampoline *t = g_new (Trampoline, 1);

  t->func = func;
  t->data = data;
  t->notify = notify;
  __wrap_g_mutex_lock (&trampolines_lock);
  if (trampolines == NULL)
    trampolines = g_hash_table_new (NULL, NULL);
  g_hash_table_add (trampolines, t);
  __wrap_g_mutex_unlock (&trampolines_lock);
  __tsan_release (t);
  return t;
}

GSource *__real_g_main_context_find_source_by_user_data (GMainContext *context, gpointer data);
GSource *__wrap_g_main_context_find_source_by_user_data (GMainContext *context, gpointer data);

GSource *
__wrap_g_main_context_find_source_by_user_data (GMainContext *context,
                                                gpointer      data)
{
  GSource *found = __real_g_main_context_find_source_by_user_data (context, data);
  GHashTableIter iter;
  gpointer key;

  __wrap_g_mutex_lock (&trampolines_lock);
  if (trampolines != NULL)
    {
      g_hash_table_iter_init (&iter, trampolines);
      while (found == NULL && g_hash_table_iter_next (&iter, &key, NULL))
        if (((Trampoline *) key)->data == data)
          found = __real_g_main_context_find_source_by_user_data (context, key);
    }
  __wrap_g_mutex_unlock (&trampolines_lock);
  return found;
}

void  __real_g_source_set_callback (GSource *source, GSourceFunc func, gpointer data, GDestroyNotify notify);
guint __real_g_source_attach (GSource *source, GMainContext *context);
guint __real_g_idle_add_full (gint priority, GSourceFunc func, gpointer data, GDestroyNotify notify);
guint __real_g_timeout_add_full (gint priority, guint interval, GSourceFunc func, gpointer data,
                                 GDestroyNotify notify);
void  __real_g_main_context_invoke_full (GMainContext *context, gint priority, GSourceFunc func,
                                         gpointer data, GDestroyNotify notify);

void  __wrap_g_source_set_callback (GSource *source, GSourceFunc func, gpointer data, GDestroyNotify notify);
guint __wrap_g_source_attach (GSource *source, GMainContext *context);
guint __wrap_g_idle_add (GSourceFunc func, gpointer data);
guint __wrap_g_idle_add_full (gint priority, GSourceFunc func, gpointer data, GDestroyNotify notify);
guint __wrap_g_timeout_add (guint interval, GSourceFunc func, gpointer data);
guint __wrap_g_timeout_add_full (gint priority, guint interval, GSourceFunc func, gpointer data,
                                 GDestroyNotify notify);
void  __wrap_g_main_context_invoke (GMainContext *context, GSourceFunc func, gpointer data);
void  __wrap_g_main_context_invoke_full (GMainContext *context, gint priority, GSourceFunc func,
                                         gpointer data, GDestroyNotify notify);

void
__wrap_g_source_set_callback (GSource        *source,
                              GSourceFunc     func,
                              gpointer        data,
                              GDestroyNotify  notify)
{
  __real_g_source_set_callback (source, trampoline_cb, trampoline_new (func, data, notify),
                                trampoline_free);
}

guint
__wrap_g_source_attach (GSource      *source,
                        GMainContext *context)
{
  /* The source itself (allocated here, freed by the other thread). */
  __tsan_release (source);
  return __real_g_source_attach (source, context);
}

guint
__wrap_g_idle_add_full (gint           priority,
                        GSourceFunc    func,
                        gpointer       data,
                        GDestroyNotify notify)
{
  return __real_g_idle_add_full (priority, trampoline_cb, trampoline_new (func, data, notify),
                                 trampoline_free);
}

guint
__wrap_g_idle_add (GSourceFunc func,
                   gpointer    data)
{
  return __wrap_g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, func, data, NULL);
}

guint
__wrap_g_timeout_add_full (gint           priority,
                           guint          interval,
                           GSourceFunc    func,
                           gpointer       data,
                           GDestroyNotify notify)
{
  return __real_g_timeout_add_full (priority, interval, trampoline_cb,
                                    trampoline_new (func, data, notify), trampoline_free);
}

guint
__wrap_g_timeout_add (guint       interval,
                      GSourceFunc func,
                      gpointer    data)
{
  return __wrap_g_timeout_add_full (G_PRIORITY_DEFAULT, interval, func, data, NULL);
}

void
__wrap_g_main_context_invoke_full (GMainContext   *context,
                                   gint            priority,
                                   GSourceFunc     func,
                                   gpointer        data,
                                   GDestroyNotify  notify)
{
  __real_g_main_context_invoke_full (context, priority, trampoline_cb,
                                     trampoline_new (func, data, notify), trampoline_free);
}

void
__wrap_g_main_context_invoke (GMainContext *context,
                              GSourceFunc   func,
                              gpointer      data)
{
  __wrap_g_main_context_invoke_full (context, G_PRIORITY_DEFAULT, func, data, NULL);
}

/* ------------------------------------------------------------------ */
/* Thread pools and tasks */

typedef struct
{
  GFunc    func;
  gpointer data;
} PoolFunc;

static void
pool_trampoline (gpointer item,
                 gpointer user_data)
{
  PoolFunc *p = user_data;

  __tsan_acquire (item);
  p->func (item, p->data);
}

GThreadPool *__real_g_thread_pool_new (GFunc func, gpointer data, gint max_threads, gboolean exclusive,
                                       GError **error);
gboolean     __real_g_thread_pool_push (GThreadPool *pool, gpointer item, GError **error);
GThreadPool *__wrap_g_thread_pool_new (GFunc func, gpointer data, gint max_threads, gboolean exclusive,
                                       GError **error);
gboolean     __wrap_g_thread_pool_push (GThreadPool *pool, gpointer item, GError **error);

GThreadPool *
__wrap_g_thread_pool_new (GFunc     func,
                          gpointer  data,
                          gint      max_threads,
                          gboolean  exclusive,
                          GError  **error)
{
  PoolFunc *p = g_new (PoolFunc, 1); /* lives as long as the pool: a few bytes */

  p->func = func;
  p->data = data;
  return __real_g_thread_pool_new (pool_trampoline, p, max_threads, exclusive, error);
}

gboolean
__wrap_g_thread_pool_push (GThreadPool *pool,
                           gpointer     item,
                           GError     **error)
{
  __tsan_release (item);
  return __real_g_thread_pool_push (pool, item, error);
}

GThreadPool *__real_g_thread_pool_new_full (GFunc func, gpointer data, GDestroyNotify item_free_func,
                                            gint max_threads, gboolean exclusive, GError **error);
GThreadPool *__wrap_g_thread_pool_new_full (GFunc func, gpointer data, GDestroyNotify item_free_func,
                                            gint max_threads, gboolean exclusive, GError **error);

GThreadPool *
__wrap_g_thread_pool_new_full (GFunc           func,
                               gpointer        data,
                               GDestroyNotify  item_free_func,
                               gint            max_threads,
                               gboolean        exclusive,
                               GError        **error)
{
  PoolFunc *p = g_new (PoolFunc, 1);

  p->func = func;
  p->data = data;
  return __real_g_thread_pool_new_full (pool_trampoline, p, item_free_func, max_threads, exclusive, error);
}

void     __real_g_async_queue_push (GAsyncQueue *queue, gpointer data);
gpointer __real_g_async_queue_pop (GAsyncQueue *queue);
gpointer __real_g_async_queue_try_pop (GAsyncQueue *queue);
void     __wrap_g_async_queue_push (GAsyncQueue *queue, gpointer data);
gpointer __wrap_g_async_queue_pop (GAsyncQueue *queue);
gpointer __wrap_g_async_queue_try_pop (GAsyncQueue *queue);

void
__wrap_g_async_queue_push (GAsyncQueue *queue,
                           gpointer     data)
{
  __tsan_release (data);
  __real_g_async_queue_push (queue, data);
}

gpointer
__wrap_g_async_queue_pop (GAsyncQueue *queue)
{
  gpointer data = __real_g_async_queue_pop (queue);

  __tsan_acquire (data);
  return data;
}

gpointer
__wrap_g_async_queue_try_pop (GAsyncQueue *queue)
{
  gpointer data = __real_g_async_queue_try_pop (queue);

  if (data != NULL)
    __tsan_acquire (data);
  return data;
}

typedef struct
{
  GAsyncReadyCallback callback;
  gpointer            data;
} TaskCallback;

static void
task_trampoline (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  TaskCallback t = *(TaskCallback *) user_data;

  __tsan_acquire (result);
  g_free (user_data);
  if (t.callback != NULL)
    t.callback (source, result, t.data);
}

GTask *__real_g_task_new (gpointer source, GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer data);
GTask *__wrap_g_task_new (gpointer source, GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer data);

GTask *
__wrap_g_task_new (gpointer             source,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             data)
{
  TaskCallback *t = g_new (TaskCallback, 1);

  t->callback = callback;
  t->data = data;
  return __real_g_task_new (source, cancellable, task_trampoline, t);
}

#define WRAP_RETURN(name, type)                                     \
  void __real_##name (GTask *task, type value);                     \
  void __wrap_##name (GTask *task, type value);                     \
  void __wrap_##name (GTask *task, type value)                      \
  {                                                                 \
    __tsan_release (task);                                          \
    __real_##name (task, value);                                    \
  }

WRAP_RETURN (g_task_return_boolean, gboolean)
WRAP_RETURN (g_task_return_int, gssize)
WRAP_RETURN (g_task_return_error, GError *)

void __real_g_task_return_new_error (GTask *task, GQuark domain, gint code, const char *format, ...);
void __wrap_g_task_return_new_error (GTask *task, GQuark domain, gint code, const char *format, ...)
  G_GNUC_PRINTF (4, 5);

void
__wrap_g_task_return_new_error (GTask      *task,
                                GQuark      domain,
                                gint        code,
                                const char *format,
                                ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  __tsan_release (task);
  __real_g_task_return_new_error (task, domain, code, "%s", message);
}

gboolean __real_g_task_return_error_if_cancelled (GTask *task);
gboolean __wrap_g_task_return_error_if_cancelled (GTask *task);

gboolean
__wrap_g_task_return_error_if_cancelled (GTask *task)
{
  __tsan_release (task);
  return __real_g_task_return_error_if_cancelled (task);
}

static void
task_thread_trampoline (GTask        *task,
                        gpointer      source,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  GTaskThreadFunc func;

  __tsan_acquire (task);
  func = (GTaskThreadFunc) g_object_get_data (G_OBJECT (task), "haul-tsan-thread-func");
  func (task, source, task_data, cancellable);
}

void __real_g_task_run_in_thread (GTask *task, GTaskThreadFunc func);
void __wrap_g_task_run_in_thread (GTask *task, GTaskThreadFunc func);

void
__wrap_g_task_run_in_thread (GTask           *task,
                             GTaskThreadFunc  func)
{
  g_object_set_data (G_OBJECT (task), "haul-tsan-thread-func", (gpointer) func);
  __tsan_release (task);
  __real_g_task_run_in_thread (task, task_thread_trampoline);
}

void __real_g_task_return_pointer (GTask *task, gpointer result, GDestroyNotify notify);
void __wrap_g_task_return_pointer (GTask *task, gpointer result, GDestroyNotify notify);

void
__wrap_g_task_return_pointer (GTask          *task,
                              gpointer        result,
                              GDestroyNotify  notify)
{
  __tsan_release (task);
  __real_g_task_return_pointer (task, result, notify);
}

/* ------------------------------------------------------------------ */
/* Reference counts: the last unref (and finalize) happens after every
 * earlier one, whichever thread makes it. (GLib's grefcount functions are
 * not instrumented outside G_DISABLE_CHECKS builds.) */

gboolean __real_g_atomic_ref_count_dec (gatomicrefcount *rc);
gboolean __wrap_g_atomic_ref_count_dec (gatomicrefcount *rc);

gboolean
__wrap_g_atomic_ref_count_dec (gatomicrefcount *rc)
{
  __tsan_release ((void *) rc);
  if (!__real_g_atomic_ref_count_dec (rc))
    return FALSE;
  __tsan_acquire ((void *) rc);
  return TRUE;
}

void     __real_g_object_unref (gpointer object);
void     __wrap_g_object_unref (gpointer object);

void
__wrap_g_object_unref (gpointer object)
{
  __tsan_release (object);
  __tsan_acquire (object);
  __real_g_object_unref (object);
}
