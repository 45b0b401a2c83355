/* haul-window-private.h — what the main window's files share
 *
 * The window is one type in five files: haul-window.c (the list, its
 * search and state filter, the selection and the summary in the header),
 * haul-window-import.c (every way of adding links: dropping, pasting, the
 * Add dialog; adding in slices; the toast with Undo),
 * haul-window-actions.c (what each win. action does, and its shortcut) and
 * haul-window-bulk.c (an action on many downloads, a slice per frame; the
 * toasts with Undo of removals and cancellations), haul-window-handoff.c
 * (a download handed over by a paired browser, with its toast) and
 * haul-window-relink.c (a new link for a paused or failed download: Change
 * Link…, a drop on its row, a paste) and haul-window-hold.c (the bar that
 * says why queued downloads wait, with Download Anyway).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "haul-progress-line.h"
#include "haul-reveal-model.h"
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
  GtkRevealer          *hold_revealer;
  GtkLabel             *hold_label;
  GtkWidget            *hold_button;

  /* Owned references */
  HaulQueue            *queue;
  GtkCustomFilter      *filter;
  GtkFilterListModel   *filtered;
  HaulRevealModel      *shown;   /* the filtered list, a big change revealed a few rows per frame */
  GtkMultiSelection    *selection;
  GCancellable         *cancellable;

  guint                 states_source;
  guint                 summary_bar_source;
  guint                 selection_source;
  guint                 reveal_source;
  gboolean              reveal_held;  /* while an incremental filter runs */
  GQueue                bulk;    /* HaulWindowBulk waiting or running, the first runs */
  guint                 bulk_source;
  GPtrArray            *undos;   /* HaulQueueUndo offered by a toast (owned refs) */
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
void       _haul_window_update_selection    (HaulWindow      *self);

/* haul-window-bulk.c */
typedef enum
{
  HAUL_BULK_PAUSE,
  HAUL_BULK_RESUME,
  HAUL_BULK_RETRY,
  HAUL_BULK_CANCEL,
  HAUL_BULK_REMOVE,
  HAUL_BULK_CLEAR,  /* removing finished downloads */
  HAUL_BULK_FORGET, /* taking an add back: removed for good, no toast */
} HaulBulkKind;

void       _haul_window_bulk                (HaulWindow      *self,
                                             HaulBulkKind     kind,
                                             GPtrArray       *downloads);
void       _haul_window_bulk_undo           (HaulWindow      *self,
                                             HaulQueueUndo   *undo);
gboolean   _haul_window_bulk_is_running     (HaulWindow      *self);
void       _haul_window_bulk_dispose        (HaulWindow      *self);

/* haul-window-actions.c */
void       _haul_window_class_actions_init  (HaulWindowClass *klass);
void       _haul_window_actions_init        (HaulWindow      *self);

/* haul-window-relink.c */
void       _haul_window_class_relink_init   (HaulWindowClass *klass);
void       _haul_window_relink_open         (HaulWindow      *self,
                                             HaulDownload    *download,
                                             const char      *link);
gboolean   _haul_window_relink_paste        (HaulWindow      *self,
                                             const char      *text);

/* haul-window-hold.c */
void       _haul_window_class_hold_init     (GtkWidgetClass  *widget_class);
void       _haul_window_hold_init           (HaulWindow      *self);

/* haul-window-import.c */
void       _haul_window_import_init         (HaulWindow      *self);
void       _haul_window_show_add_dialog     (HaulWindow      *self);
void       _haul_window_paste               (HaulWindow      *self);
void       _haul_window_scroll_to_added     (HaulWindow      *self,
                                             GPtrArray       *added);

G_END_DECLS
