/* haul-test-log.h — everything logged, captured, for the checks that a secret is never logged
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sets G_MESSAGES_DEBUG=all and installs a log writer that keeps every
 * message logged, from any thread, at every level: each of its fields as
 * KEY=VALUE (the message, its domain, and whatever else the caller gave).
 * Only messages and above (what GLib's default writer writes to stderr)
 * go on to the default writer: debug and info would go to stdout, into
 * the TAP stream. Call it in main(), before g_test_init(); a process has
 * one writer, so once. */
void     haul_test_log_capture_start (void);

/* Whether anything was captured; whether @text was. */
gboolean haul_test_log_captured_any  (void);
gboolean haul_test_log_contains      (const char *text);

/* Fails the test (at the caller's line) when @secret was logged. */
#define haul_test_assert_not_logged(secret) g_assert_false (haul_test_log_contains (secret))

G_END_DECLS
