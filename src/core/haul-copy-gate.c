/* haul-copy-gate.c — a counting semaphore for threads that copy bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-copy-gate"

#include "config.h"

#include <stdlib.h>

#include "haul-copy-gate.h"

static GMutex lock;
static GCond  freed;
static guint  n_inside;

/* 0: no gate */
static guint
n_slots (void)
{
  static gsize slots;

  if (g_once_init_enter (&slots))
    {
      const char *env = g_getenv ("HAUL_COPY_GATE");
      gsize n = g_get_num_processors ();

      if (env != NULL && *env != '\0')
        n = (gsize) strtoul (env, NULL, 10);
      /* g_once_init_leave() takes no 0: store n + 1. */
      g_once_init_leave (&slots, MIN (n, 1024) + 1);
    }
  return (guint) slots - 1;
}

void
haul_copy_gate_enter (void)
{
  guint slots = n_slots ();

  if (slots == 0)
    return;
  g_mutex_lock (&lock);
  while (n_inside >= slots)
    g_cond_wait (&freed, &lock);
  n_inside++;
  g_mutex_unlock (&lock);
}

void
haul_copy_gate_leave (void)
{
  if (n_slots () == 0)
    return;
  g_mutex_lock (&lock);
  n_inside--;
  g_cond_signal (&freed);
  g_mutex_unlock (&lock);
}
