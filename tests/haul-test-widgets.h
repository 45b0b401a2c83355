/* haul-test-widgets.h — helpers for tests that look at a real window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* All the text a person sees in @widget (mapped labels and inscriptions),
 * one per line. */
char *haul_test_visible_text (GtkWidget *widget);

G_END_DECLS
