/* haul-test-widgets.h — helpers for tests that look at a real window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "haul-application.h"
#include "haul-download-row.h"
#include "haul-test-server.h"

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

/* The mapped row of @window that shows @download, or %NULL; how many
 * mapped rows show a download. */
HaulDownloadRow *haul_test_find_row (GtkWidget    *window,
                                     HaulDownload *download);
guint haul_test_count_rows (GtkWidget *window);

/* The first mapped toplevel window of @type (or a subtype), or %NULL;
 * still held by GTK's list of toplevels. */
GtkWindow *haul_test_find_toplevel (GType type);

/* Predicates for haul_test_wait_until(): @type is a GType in a pointer
 * (GSIZE_TO_POINTER). */
gboolean haul_test_toplevel_shown (gpointer type);
gboolean haul_test_toplevel_gone (gpointer type);

/* Waits (20 s at most, then fails) until a toplevel of @type is shown,
 * and returns it. */
GtkWindow *haul_test_wait_toplevel (GType type);

/* The first mapped button in @widget's tree whose label is @label or
 * whose visible text (haul_test_visible_text()) holds it, or %NULL. */
GtkWidget *haul_test_find_button (GtkWidget  *widget,
                                  const char *label);

/* Clicks the button haul_test_find_button() finds for @label in
 * @widget; fails the test if there is none. */
void haul_test_click (GtkWidget  *widget,
                      const char *label);

/* Opens @row's menu as a right-click does, waits until it is shown (and
 * shows "Remove from List"), closes it and returns what it showed
 * (haul_test_visible_text()). Returns: (transfer full) */
char *haul_test_row_menu_text (GtkWidget *row);

/* @widget's template child @name, declared by @type's template; fails
 * the test if there is none. */
gpointer haul_test_template_child (gpointer    widget,
                                   GType       type,
                                   const char *name);

/* With the environment variable @dir_env naming a folder: the whole
 * screen as DIR/NAME.png (ImageMagick's `import`); without it nothing. */
void haul_test_screenshot (const char *dir_env,
                           const char *name);

/* The same with @window at @width × 700 first, as DIR/NAME-WIDTH.png. */
void haul_test_screenshot_at (GtkWindow  *window,
                              const char *dir_env,
                              const char *name,
                              int         width);

/* Both widths, 1000 and 360 (haul_test_screenshot_at()), then @window
 * back at 1000 × 700; without @dir_env nothing. */
void haul_test_screenshots (GtkWindow  *window,
                            const char *dir_env,
                            const char *name);

/* A test body run inside the real application (a window, its queue). */
typedef struct _HaulTestApp HaulTestApp;
typedef void (*HaulTestAppBody) (HaulTestApp *f);

struct _HaulTestApp
{
  HaulApplication *app;
  GtkWidget       *window;  /* mapped before the body runs */
  HaulQueue       *queue;
  HaulTestServer  *server;
  char            *dir;     /* the default folder (~/Downloads: the test's HOME has no user-dirs.dirs) */
  HaulTestAppBody  body;
  gboolean         done;
};

/* Runs Haul (not unique, no arguments) with @body called once its window
 * is mapped; Haul quits after it. */
void haul_test_run_in_app (HaulTestAppBody body);

G_END_DECLS
