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

/* Whether @text (the inscription's own when NULL) shows whole in
 * @inscription as it is allocated: laid out as GtkInscription lays it out
 * (its width and height, wrapping by word, ellipsized at the end), nothing
 * is left out. */
gboolean haul_test_inscription_shows_whole (GtkInscription *inscription,
                                            const char     *text);

/* Waits until @widget shows @needle (in haul_test_visible_text()); fails
 * the test with what it shows instead after 20 s. */
void haul_test_assert_shows (GtkWidget  *widget,
                             const char *needle);

/* The download list under @widget (the list view over a
 * GtkMultiSelection, not the state filter's popup list), or %NULL. */
GtkListView *haul_test_find_list_view (GtkWidget *widget);

G_END_DECLS
