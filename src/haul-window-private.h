/* haul-window-private.h — what the main window's files share
 *
 * The window is one type in three files: haul-window.c (the list, its
 * search and state filter, the selection and the summary in the header),
 * haul-window-import.c (every way of adding links: dropping, pasting, the
 * Add dialog; adding in slices; the toast with Undo) and
 * haul-window-actions.c (what each win. action does, and its shortcut).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "haul-progress-line.h"
#include "haul-window.h"

G_BEGIN_DECLS

typedef enum
{
  FILTER_ALL,
  FILTER_ACTIVE,
  FILTER_FINISHED,
  FILTER_FAILED,
} StateFilter;

struct _HaulWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  GtkWidget            *drop_area;
  AdwSqueezer          *title_squeezer;
  GtkWidget            *title_wide;
  GtkInscription       *summary;
  GtkWidget            *summary_bar;
  GtkInscription       *summary_counts;
  GtkInscription       *summary_rate;
  GtkWidget            *pause_all_button;
  GtkWidget            *resume_all_button;
  GtkWidget            *search_button;
  HaulProgressLine     *total_bar;
  GtkSearchBar         *search_bar;
  GtkEditable          *search_entry;
  GtkDropDown          *state_filter;
  GtkRevealer          *filter_revealer;
  GtkLabel             *filter_label;
  GtkStack             *stack;
  GtkListView          *list_view;
  GtkRevealer          *selection_revealer;
  GtkLabel             *selection_label;
  GtkRevealer          *drop_revealer;

  /* Owned references */
  HaulQueue            *queue;
  GtkCustomFilter      *filter;
  GtkFilterListModel   *filtered;
  GtkMultiSelection    *selection;
  GCancellable         *cancellable;

  guint                 states_source;
  guint                 summary_bar_source;
  char                 *search;  /* casefolded, NULL when empty */
  StateFilter           state;
};

/* haul-window.c */
GPtrArray *_haul_window_dup_selected        (HaulWindow      *self);
void       _haul_window_refresh_states      (HaulWindow      *self);
void       _haul_window_clear_filter        (HaulWindow      *self);
gboolean   _haul_window_move                (HaulWindow      *self,
                                             guint            position,
                                             gboolean         down);

/* haul-window-actions.c */
void       _haul_window_class_actions_init  (HaulWindowClass *klass);
void       _haul_window_actions_init        (HaulWindow      *self);

/* haul-window-import.c */
void       _haul_window_import_init         (HaulWindow      *self);
void       _haul_window_show_add_dialog     (HaulWindow      *self);
void       _haul_window_paste               (HaulWindow      *self);

G_END_DECLS
