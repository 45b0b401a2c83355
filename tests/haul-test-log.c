/* haul-test-log.c — everything logged, captured (see haul-test-log.h)
 *
 * Thread: the writer runs on whichever thread logs; the captured text is
 * behind one mutex.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "haul-test-log.h"

static GMutex   captured_lock;
static GString *captured;

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         data)
{
  g_mutex_lock (&captured_lock);
  for (gsize i = 0; i < n_fields; i++)
    if (fields[i].length < 0)
      g_string_append_printf (captured, "%s=%s ", fields[i].key, (const char *) fields[i].value);
    else
      g_string_append_printf (captured, "%s=%.*s ", fields[i].key, (int) fields[i].length,
                              (const char *) fields[i].value);
  g_string_append_c (captured, '\n');
  g_mutex_unlock (&captured_lock);

  /* Debug and info would go to stdout, into the TAP stream: kept only here. */
  if (level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, data);
}

void
haul_test_log_capture_start (void)
{
  g_assert_null (captured);
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  captured = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);
}

gboolean
haul_test_log_captured_any (void)
{
  gboolean any;

  g_assert_nonnull (captured);
  g_mutex_lock (&captured_lock);
  any = captured->len > 0;
  g_mutex_unlock (&captured_lock);
  return any;
}

gboolean
haul_test_log_contains (const char *text)
{
  gboolean found;

  g_assert_nonnull (captured);
  g_mutex_lock (&captured_lock);
  found = strstr (captured->str, text) != NULL;
  g_mutex_unlock (&captured_lock);
  return found;
}
