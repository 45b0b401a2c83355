/* haul-test-desktop.h — a fake desktop on the test's session bus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Owns the desktop's names on the session bus (once per process). */
void     fake_desktop_start (void);
/* Forgets the calls recorded so far. */
void     fake_desktop_clear (void);
/* The calls so far whose record starts with @prefix. */
GStrv    fake_desktop_calls (const char *prefix);
/* Whether a call starting with @prefix (a const char *) was made: a
 * HaulTestPredicate. */
gboolean has_call           (gpointer    prefix);

G_END_DECLS
