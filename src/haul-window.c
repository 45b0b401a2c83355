/* haul-window.c — the main window
 *
 * The queue as a list (only visible rows exist, so a long queue costs
 * nothing), with search and a state filter, multi-selection, and the
 * summary and aggregate progress in the header. Adding links is in
 * haul-window-import.c, the actions in haul-window-actions.c; the three
 * share haul-window-private.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-window"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-download-row.h"
#include "haul-file-actions.h"
#include "haul-format.h"
#include "haul-window-private.h"

G_DEFINE_FINAL_TYPE (HaulWindow, haul_window, ADW_TYPE_APPLICATION_WINDOW)


/* ------------------------------------------------------------------ */
/* Rows */

static void
factory_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               HaulWindow               *self)
{
  gtk_list_item_set_child (item, GTK_WIDGET (haul_download_row_new (self->queue)));
}

static void
factory_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              HaulWindow               *self)
{
  haul_download_row_set_download (HAUL_DOWNLOAD_ROW (gtk_list_item_get_child (item)),
                                  gtk_list_item_get_item (item));
}

static void
factory_unbind (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                HaulWindow               *self)
{
  haul_download_row_set_download (HAUL_DOWNLOAD_ROW (gtk_list_item_get_child (item)), NULL);
}

/* Enter on a row: open a finished file, resume a paused one, retry a failed one. */
static void
list_activate_cb (HaulWindow  *self,
                  guint        position,
                  GtkListView *list_view)
{
  g_autoptr(HaulDownload) d = g_list_model_get_item (G_LIST_MODEL (self->shown), position);

  if (d == NULL)
    return;
  if (haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_COMPLETED)
    haul_file_actions_open (GTK_WINDOW (self), d);
  else if (haul_download_can_resume (d))
    haul_queue_resume (self->queue, d);
  else if (haul_download_can_retry (d))
    haul_queue_retry (self->queue, d);
}

/* ------------------------------------------------------------------ */
/* Search and state filter */

/* Whether @haystack holds @needle (casefolded), ignoring case: without
 * allocating for ASCII text (most links and names), so that a search of a
 * long list stays quick. */
static gboolean
contains_folded (const char *haystack,
                 const char *needle)
{
  g_autofree char *folded = NULL;
  gboolean ascii = TRUE;

  for (const char *h = haystack; *h != '\0' && ascii; h++)
    ascii = !(*h & 0x80);
  for (const char *n = needle; *n != '\0' && ascii; n++)
    ascii = !(*n & 0x80);
  if (ascii)
    {
      for (const char *h = haystack; *h != '\0'; h++)
        {
          const char *a = h, *b = needle;

          while (*b != '\0' && g_ascii_tolower (*a) == *b)
            a++, b++;
          if (*b == '\0')
            return TRUE;
        }
      return FALSE;
    }
  folded = g_utf8_casefold (haystack, -1);
  return strstr (folded, needle) != NULL;
}

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  HaulWindow *self = user_data;
  HaulDownload *d = item;
  HaulDownloadState state = haul_download_get_state (d);

  switch (self->state)
    {
    case FILTER_ACTIVE:
      if (haul_download_is_finished (d))
        return FALSE;
      break;
    case FILTER_FINISHED:
      if (state != HAUL_DOWNLOAD_STATE_COMPLETED)
        return FALSE;
      break;
    case FILTER_FAILED:
      if (state != HAUL_DOWNLOAD_STATE_FAILED && state != HAUL_DOWNLOAD_STATE_CANCELLED)
        return FALSE;
      break;
    case FILTER_ALL:
    default:
      break;
    }

  if (self->search != NULL)
    {
      const char *name = haul_download_get_filename (d);

      if ((name == NULL || !contains_folded (name, self->search)) &&
          !contains_folded (haul_download_get_uri (d), self->search))
        return FALSE;
    }
  return TRUE;
}

/* A filter's result reaches the list a few rows per frame (see
 * haul-reveal-model.c): GtkListView (4.8) would otherwise destroy the
 * rows of the downloads that go and build those of the ones that come,
 * about two hundred of each, in one iteration. One step per frame. */
static gboolean
reveal_step_cb (gpointer data)
{
  HaulWindow *self = data;

  if (haul_reveal_model_step (self->shown))
    return G_SOURCE_CONTINUE;
  self->reveal_source = 0;
  return G_SOURCE_REMOVE;
}

static void
revealing_cb (HaulWindow *self)
{
  if (!haul_reveal_model_get_revealing (self->shown) || self->reveal_source != 0)
    return;
  self->reveal_source = g_timeout_add (16, reveal_step_cb, self);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->reveal_source),
                            "[haul] reveal");
}

/* Everything selected while a filter's result is still being revealed
 * (Ctrl+A right after typing): every download it shows, not only the
 * rows revealed so far. */
static void
selection_changed_cb (HaulWindow *self)
{
  g_autoptr(GtkBitset) set = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->shown));

  if (!haul_reveal_model_get_revealing (self->shown) || n < 2)
    return;
  set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  if (gtk_bitset_get_size (set) != n)
    return;
  haul_reveal_model_finish (self->shown);
  gtk_selection_model_select_all (GTK_SELECTION_MODEL (self->selection));
}

/* An incremental filter empties the list, then adds what it finds: the
 * list keeps what it shows until the filter is done. */
static void
filter_pending_cb (HaulWindow *self)
{
  if (self->reveal_held && gtk_filter_list_model_get_pending (self->filtered) == 0)
    {
      self->reveal_held = FALSE;
      haul_reveal_model_release (self->shown);
    }
}

/* With neither a search nor a state filter, the list shows the queue as
 * it is (no filter to run over every item). A long list is filtered
 * incrementally (GtkFilterListModel's slices of 512 per idle): 100 000
 * searched downloads are 20 ms of filter function and as much of the
 * filter model's own work. A search or filter a person changes
 * (@by_user) starts from the top of the list, so that the rows the list
 * view keeps are the ones the reveal replaces; downloads changing state
 * under a state filter (at most ten times a second) are refiltered at
 * once, without moving the list. */
#define FILTER_INCREMENTAL_FROM 4096
static void
refilter (HaulWindow *self,
          gboolean    by_user)
{
  gboolean needed = self->state != FILTER_ALL || self->search != NULL;
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->list_view));
  gboolean incremental = by_user &&
                         g_list_model_get_n_items (G_LIST_MODEL (self->queue)) >= FILTER_INCREMENTAL_FROM;

  if (by_user && adjustment != NULL && gtk_adjustment_get_value (adjustment) > 0)
    gtk_adjustment_set_value (adjustment, 0);
  if (incremental && !self->reveal_held)
    {
      self->reveal_held = TRUE;
      haul_reveal_model_hold (self->shown);
    }
  gtk_filter_list_model_set_incremental (self->filtered, incremental);

  if (!needed)
    gtk_filter_list_model_set_filter (self->filtered, NULL);
  else if (gtk_filter_list_model_get_filter (self->filtered) == NULL)
    gtk_filter_list_model_set_filter (self->filtered, GTK_FILTER (self->filter));
  else
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  filter_pending_cb (self);
}

/* A state filter must follow downloads that change state; without one
 * nothing moves in or out. */
static void
states_changed (HaulWindow *self)
{
  if (self->state != FILTER_ALL)
    refilter (self, FALSE);
}

static void
search_changed_cb (HaulWindow *self)
{
  const char *text = gtk_editable_get_text (self->search_entry);

  g_clear_pointer (&self->search, g_free);
  if (text != NULL && *text != '\0')
    self->search = g_utf8_casefold (text, -1);
  refilter (self, TRUE);
}

static void
state_filter_cb (HaulWindow *self)
{
  self->state = gtk_drop_down_get_selected (self->state_filter);
  refilter (self, TRUE);
}

static gboolean
is_filtered (HaulWindow *self)
{
  return self->state != FILTER_ALL || self->search != NULL;
}

/* A filter is only on while the search bar shows it: closing the bar
 * (Escape, the search button) shows every download again. GtkSearchBar
 * empties the entry itself. */
static void
search_mode_cb (HaulWindow *self)
{
  if (!gtk_search_bar_get_search_mode (self->search_bar))
    gtk_drop_down_set_selected (self->state_filter, FILTER_ALL);
}

/* win.clear-filter: every download again, the search bar stays. */
void
_haul_window_clear_filter (HaulWindow *self)
{
  gtk_editable_set_text (self->search_entry, "");
  gtk_drop_down_set_selected (self->state_filter, FILTER_ALL);
}

/* The next download shown before (@down FALSE) or after @position in the
 * queue: the one a filter lets through, skipping the hidden ones. */
static gboolean
shown_neighbour (HaulWindow *self,
                 guint       position,
                 gboolean    down,
                 guint      *neighbour)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->queue));

  for (guint i = position; down ? i + 1 < n : i > 0;)
    {
      i = down ? i + 1 : i - 1;
      if (!is_filtered (self) || filter_func (haul_queue_get_download (self->queue, i), self))
        {
          *neighbour = i;
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * _haul_window_move:
 * @position: the queue position of the download to move
 *
 * Moves a download one row up or down the list as it is shown: past the
 * downloads a filter hides, to the queue position of the shown neighbour.
 *
 * Returns: whether it moved
 */
gboolean
_haul_window_move (HaulWindow *self,
                   guint       position,
                   gboolean    down)
{
  HaulDownload *d = haul_queue_get_download (self->queue, position);
  guint to;

  if (d == NULL || !shown_neighbour (self, position, down, &to))
    return FALSE;
  return haul_queue_move (self->queue, d, to);
}

/* ------------------------------------------------------------------ */
/* Header: summary, aggregate progress, page */

/* "Showing 3 of 40 downloads · Show All" while a filter hides some (when
 * it hides all, the no-results page says so). */
static void
update_filter_bar (HaulWindow *self,
                   guint       n_shown,
                   guint       n_items)
{
  gboolean filtered = is_filtered (self) && n_shown > 0;

  if (filtered)
    {
      g_autofree char *text = NULL;

      /* Translators: while a search or the state filter hides some
       * downloads: "Showing 3 of 40 downloads" */
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Showing %u of %u download",
                                           "Showing %u of %u downloads", n_items),
                              n_shown, n_items);
      gtk_label_set_label (self->filter_label, text);
    }
  gtk_revealer_set_reveal_child (self->filter_revealer, filtered);
  /* The search button stays lit while a filter is on. */
  if (filtered)
    gtk_widget_add_css_class (self->search_button, "accent");
  else
    gtk_widget_remove_css_class (self->search_button, "accent");
}

static void
update_page (HaulWindow *self)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->queue));
  guint n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  const char *page;

  if (n_items == 0)
    page = "empty";
  else if (n_shown == 0 && gtk_filter_list_model_get_pending (self->filtered) == 0)
    page = "no-results";
  else
    page = "list";
  gtk_stack_set_visible_child_name (self->stack, page);
  /* The final count, not a running filter's. */
  if (gtk_filter_list_model_get_pending (self->filtered) == 0)
    update_filter_bar (self, n_shown, n_items);
}

/* Takes @part: "a" then "a · b". */
static void
add_part (GString *s,
          char    *part)
{
  g_autofree char *owned = part;

  if (s->len > 0)
    /* Translators: between the parts of the header's summary, "4 active · 1 failed" */
    g_string_append (s, _(" · "));
  g_string_append (s, owned);
}

/* Takes @text; adds it only when @n is not 0. */
static void
add_count (GString *s,
           guint    n,
           char    *text)
{
  if (n > 0)
    add_part (s, text);
  else
    g_free (text);
}

/* "4 active · 7 waiting · 1 failed"; with nothing active, what the list
 * holds: "11 completed · 1 failed". Counted as states change (O(1)). The
 * literals stay in g_dngettext() calls so that xgettext finds them. */
static char *
format_counts (HaulWindow *self,
               guint       n_active)
{
  HaulQueue *q = self->queue;
  guint n_queued = haul_queue_get_n_in_state (q, HAUL_DOWNLOAD_STATE_QUEUED);
  guint n_paused = haul_queue_get_n_in_state (q, HAUL_DOWNLOAD_STATE_PAUSED);
  guint n_failed = haul_queue_get_n_in_state (q, HAUL_DOWNLOAD_STATE_FAILED);
  guint n_completed = haul_queue_get_n_in_state (q, HAUL_DOWNLOAD_STATE_COMPLETED);
  guint n_cancelled = haul_queue_get_n_in_state (q, HAUL_DOWNLOAD_STATE_CANCELLED);
  g_autoptr(GString) s = g_string_new (NULL);

  /* Translators: downloads that run now (or wait a moment to retry) */
  add_count (s, n_active, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u active", "%u active", n_active), n_active));
  /* Translators: downloads queued for a free slot */
  add_count (s, n_queued, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u waiting", "%u waiting", n_queued), n_queued));
  add_count (s, n_paused, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u paused", "%u paused", n_paused), n_paused));
  add_count (s, n_failed, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u failed", "%u failed", n_failed), n_failed));
  if (n_active == 0)
    {
      add_count (s, n_completed,
                 g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u completed", "%u completed", n_completed),
                                  n_completed));
      add_count (s, n_cancelled,
                 g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u cancelled", "%u cancelled", n_cancelled),
                                  n_cancelled));
    }
  return s->len > 0 ? g_string_free (g_steal_pointer (&s), FALSE) : NULL;
}

/* "18 MB/s · 2 minutes left": the time left covers everything still to
 * come; when some sizes are not known yet it is only a lower bound. */
static char *
format_rate (HaulWindow              *self,
             const HaulQueueProgress *p)
{
  g_autofree char *speed = haul_format_speed (haul_queue_get_speed (self->queue));
  g_autofree char *left = NULL;
  g_autoptr(GString) s = g_string_new (NULL);

  add_part (s, g_steal_pointer (&speed));
  if (p->eta < 0)
    return g_string_free (g_steal_pointer (&s), FALSE);
  left = haul_format_eta (p->eta);
  if (p->n_unknown > 0)
    /* Translators: a time left that is a lower bound (some files' sizes
     * are not known yet): "at least 4 minutes left" */
    add_part (s, g_strdup_printf (_("at least %s"), left));
  else
    add_part (s, g_steal_pointer (&left));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
set_inscription (GtkInscription *inscription,
                 const char     *text)
{
  if (g_strcmp0 (gtk_inscription_get_text (inscription), text) != 0)
    gtk_inscription_set_text (inscription, text);
  gtk_widget_set_visible (GTK_WIDGET (inscription), text != NULL);
}

/* On narrow windows the title shows "Haul" alone and the summary takes a
 * bar of its own below the header. */
static void
update_summary_bar (HaulWindow *self)
{
  gboolean narrow;

  if (self->title_squeezer == NULL || self->summary_bar == NULL)
    return; /* disposing */
  narrow = adw_squeezer_get_visible_child (self->title_squeezer) != self->title_wide;
  gtk_widget_set_visible (self->summary_bar,
                          narrow && gtk_inscription_get_text (self->summary_counts) != NULL);
}

/* The one-line summary only where all of it fits the title's natural
 * width: else the title shows "Haul" and the bar below shows the summary
 * on two lines. The squeezer picks by that width, not by the text, so a
 * new text never relayouts the window; a text too long for it switches to
 * the bar (rare: when a count appears or the time left grows a word). */
static gboolean
summary_fits (HaulWindow *self,
              const char *text)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self->summary), text);
  int room = 0, width = 0;

  gtk_widget_measure (GTK_WIDGET (self->summary), GTK_ORIENTATION_HORIZONTAL, -1, NULL, &room, NULL, NULL);
  pango_layout_get_pixel_size (layout, &width, NULL);
  return width <= room;
}

static void
summary_bar_idle_cb (gpointer data)
{
  HaulWindow *self = data;

  self->summary_bar_source = 0;
  update_summary_bar (self);
}

/* The squeezer picks its child while the window is allocated, when a
 * change of size would be lost: the bar follows from an idle. */
static void
title_squeezer_changed_cb (HaulWindow *self)
{
  if (self->summary_bar_source == 0)
    self->summary_bar_source = g_idle_add_once (summary_bar_idle_cb, self);
}

static void
update_summary (HaulWindow *self)
{
  guint n_active = haul_queue_get_n_active (self->queue);
  g_autofree char *counts = format_counts (self, n_active);
  g_autofree char *rate = NULL;
  g_autoptr(GString) wide = g_string_new (counts);
  HaulQueueProgress p = { 0, };
  gint64 whole;
  gboolean fits;
  AdwSqueezerPage *page;

  if (n_active > 0)
    {
      haul_queue_get_progress_full (self->queue, &p);
      rate = format_rate (self, &p);
      add_part (wide, g_strdup (rate));
    }

  set_inscription (self->summary, wide->len > 0 ? wide->str : NULL);
  set_inscription (self->summary_counts, counts);
  set_inscription (self->summary_rate, rate);
  fits = summary_fits (self, wide->str);
  page = adw_squeezer_get_page (self->title_squeezer, self->title_wide);
  if (adw_squeezer_page_get_enabled (page) != fits)
    adw_squeezer_page_set_enabled (page, fits);
  update_summary_bar (self);

  /* The aggregate bar: the known sizes still to come, and those completed
   * since the queue last had nothing to do (so it never goes back). */
  whole = p.total + p.batch_done;
  gtk_widget_set_visible (GTK_WIDGET (self->total_bar), n_active > 0 && whole > 0);
  if (n_active > 0 && whole > 0)
    haul_progress_line_set_fraction (self->total_bar, (gdouble) (p.received + p.batch_done) / whole);
}

/* From the queue's counts per state, never a walk of the list. */
static void
update_list_actions (HaulWindow *self)
{
  HaulQueue *q = self->queue;
  gboolean any_completed = haul_queue_get_n_in_state (q, HAUL_DOWNLOAD_STATE_COMPLETED) > 0;
  gboolean any_paused = haul_queue_get_n_in_state (q, HAUL_DOWNLOAD_STATE_PAUSED) > 0;
  gboolean any_runnable = haul_queue_get_n_in_state (q, HAUL_DOWNLOAD_STATE_QUEUED) > 0 ||
                          haul_queue_get_n_in_state (q, HAUL_DOWNLOAD_STATE_CONNECTING) > 0 ||
                          haul_queue_get_n_in_state (q, HAUL_DOWNLOAD_STATE_DOWNLOADING) > 0 ||
                          haul_queue_get_n_in_state (q, HAUL_DOWNLOAD_STATE_VERIFYING) > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.clear-finished", any_completed);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.pause-all", any_runnable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.resume-all", any_paused);
  /* One of the two in the header: pause while anything runs. */
  gtk_widget_set_visible (self->pause_all_button, any_runnable);
  gtk_widget_set_visible (self->resume_all_button, !any_runnable && any_paused);
}

/* What depends on the states of the whole list, now. */
void
_haul_window_refresh_states (HaulWindow *self)
{
  g_clear_handle_id (&self->states_source, g_source_remove);
  update_summary (self);
  update_list_actions (self);
  states_changed (self);
  _haul_window_update_selection (self);
}

static void
states_timeout_cb (gpointer data)
{
  HaulWindow *self = data;

  self->states_source = 0;
  _haul_window_refresh_states (self);
}

/* Downloads finishing by the thousand (a long list of small files) must
 * not each rescan the list: at most ten scans a second. */
static void
queue_states_changed_cb (HaulWindow *self)
{
  if (self->states_source == 0)
    self->states_source = g_timeout_add_once (100, states_timeout_cb, self);
}

/* ------------------------------------------------------------------ */
/* Selection */

GPtrArray *
_haul_window_dup_selected (HaulWindow *self)
{
  g_autoptr(GtkBitset) set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GPtrArray *ret = g_ptr_array_new_full ((guint) gtk_bitset_get_size (set), g_object_unref);
  /* Without a filter the list is the queue: no lookup through the model. */
  gboolean direct = gtk_filter_list_model_get_filter (self->filtered) == NULL &&
                    !haul_reveal_model_get_revealing (self->shown);
  GtkBitsetIter iter;
  guint position;

  for (gboolean ok = gtk_bitset_iter_init_first (&iter, set, &position);
       ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    {
      HaulDownload *d = direct ? g_object_ref (haul_queue_get_download (self->queue, position))
                               : g_list_model_get_item (G_LIST_MODEL (self->shown), position);

      if (d != NULL)
        g_ptr_array_add (ret, d);
    }
  return ret;
}

typedef struct
{
  gboolean pause, resume, retry, cancel;
} SelectionCan;

/* What the selected downloads allow: from the queue's counts when every
 * download is selected, else from the selection itself, stopping as soon
 * as everything is allowed. */
static SelectionCan
selection_can (HaulWindow *self,
               GtkBitset  *set,
               guint       n_selected)
{
  SelectionCan can = { FALSE, FALSE, FALSE, FALSE };
  GListModel *shown = G_LIST_MODEL (self->shown);
  GtkBitsetIter iter;
  guint position;

  if (n_selected > 0 && n_selected == g_list_model_get_n_items (G_LIST_MODEL (self->queue)))
    {
      HaulQueue *q = self->queue;
      guint queued = haul_queue_get_n_in_state (q, HAUL_DOWNLOAD_STATE_QUEUED);
      guint active = haul_queue_get_n_in_state (q, HAUL_DOWNLOAD_STATE_CONNECTING) +
                     haul_queue_get_n_in_state (q, HAUL_DOWNLOAD_STATE_DOWNLOADING) +
                     haul_queue_get_n_in_state (q, HAUL_DOWNLOAD_STATE_VERIFYING);
      guint paused = haul_queue_get_n_in_state (q, HAUL_DOWNLOAD_STATE_PAUSED);

      can.pause = queued + active > 0;
      can.resume = paused > 0;
      can.retry = haul_queue_get_n_in_state (q, HAUL_DOWNLOAD_STATE_FAILED) +
                  haul_queue_get_n_in_state (q, HAUL_DOWNLOAD_STATE_CANCELLED) > 0;
      can.cancel = can.pause || can.resume;
      return can;
    }

  for (gboolean ok = gtk_bitset_iter_init_first (&iter, set, &position);
       ok && !(can.pause && can.resume && can.retry && can.cancel);
       ok = gtk_bitset_iter_next (&iter, &position))
    {
      g_autoptr(HaulDownload) d = g_list_model_get_item (shown, position);

      if (d == NULL)
        continue;
      can.pause |= haul_download_can_pause (d);
      can.resume |= haul_download_can_resume (d);
      can.retry |= haul_download_can_retry (d);
      can.cancel |= haul_download_can_cancel (d);
    }
  return can;
}

/* The selection bar and the selection's actions. The number selected is
 * the bitset's size (no walk); what they allow, see selection_can(). */
static void
update_selection_now (HaulWindow *self)
{
  g_autoptr(GtkBitset) set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  guint n = (guint) gtk_bitset_get_size (set);
  SelectionCan can = selection_can (self, set, n);
  /* Filtered too: past the hidden downloads (_haul_window_move()). */
  gboolean move = n == 1;
  GtkWidget *widget = GTK_WIDGET (self);

  gtk_widget_action_set_enabled (widget, "win.pause-selected", can.pause);
  gtk_widget_action_set_enabled (widget, "win.resume-selected", can.resume);
  gtk_widget_action_set_enabled (widget, "win.retry-selected", can.retry);
  gtk_widget_action_set_enabled (widget, "win.cancel-selected", can.cancel);
  gtk_widget_action_set_enabled (widget, "win.toggle-pause-selected", can.pause || can.resume);
  gtk_widget_action_set_enabled (widget, "win.remove-selected", n > 0);
  gtk_widget_action_set_enabled (widget, "win.details-selected", n == 1);
  gtk_widget_action_set_enabled (widget, "win.move-up", move);
  gtk_widget_action_set_enabled (widget, "win.move-down", move);

  if (n > 1)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u selected", "%u selected", n), n);

      gtk_label_set_label (self->selection_label, text);
    }
  gtk_revealer_set_reveal_child (self->selection_revealer, n > 1);
}

static gboolean
selection_idle_cb (gpointer data)
{
  HaulWindow *self = data;

  self->selection_source = 0;
  /* A bulk action in slices changes the selection every frame: once at
   * its end (it refreshes the states, the selection with them). */
  if (!_haul_window_bulk_is_running (self))
    update_selection_now (self);
  return G_SOURCE_REMOVE;
}

/* A few selected downloads: now (the actions are right for the very next
 * key press). Many: once per frame however often the selection or the
 * list changes, before the frame is drawn. */
#define SELECTION_NOW_MAX 1024

void
_haul_window_update_selection (HaulWindow *self)
{
  if (self->selection_source != 0)
    return;
  if (self->selection != NULL && !_haul_window_bulk_is_running (self))
    {
      g_autoptr(GtkBitset) set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));

      if (gtk_bitset_get_size (set) <= SELECTION_NOW_MAX)
        {
          update_selection_now (self);
          return;
        }
    }
  self->selection_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 10, selection_idle_cb, self, NULL);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->selection_source),
                            "[haul] selection");
}

/* ------------------------------------------------------------------ */

static void
haul_window_dispose (GObject *object)
{
  HaulWindow *self = HAUL_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->states_source, g_source_remove);
  g_clear_handle_id (&self->summary_bar_source, g_source_remove);
  g_clear_handle_id (&self->selection_source, g_source_remove);
  _haul_window_bulk_dispose (self);
  if (self->queue != NULL)
    g_signal_handlers_disconnect_by_data (self->queue, self);
  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  g_clear_handle_id (&self->reveal_source, g_source_remove);
  g_clear_object (&self->selection);
  if (self->shown != NULL)
    g_signal_handlers_disconnect_by_data (self->shown, self);
  g_clear_object (&self->shown);
  if (self->filtered != NULL)
    g_signal_handlers_disconnect_by_data (self->filtered, self);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->queue);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), HAUL_TYPE_WINDOW);

  G_OBJECT_CLASS (haul_window_parent_class)->dispose (object);
}

static void
haul_window_finalize (GObject *object)
{
  HaulWindow *self = HAUL_WINDOW (object);

  g_free (self->search);

  G_OBJECT_CLASS (haul_window_parent_class)->finalize (object);
}

static void
haul_window_class_init (HaulWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = haul_window_dispose;
  object_class->finalize = haul_window_finalize;

  g_type_ensure (HAUL_TYPE_PROGRESS_LINE);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/haulapp/Haul/haul-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, drop_area);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, title_squeezer);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, title_wide);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, summary);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, summary_bar);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, summary_counts);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, summary_rate);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, pause_all_button);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, resume_all_button);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, total_bar);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, state_filter);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, filter_revealer);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, filter_label);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, selection_revealer);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, selection_label);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, drop_revealer);
  _haul_window_class_hold_init (widget_class);
  gtk_widget_class_bind_template_callback (widget_class, list_activate_cb);

  _haul_window_class_actions_init (klass);
}

static void
haul_window_init (HaulWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->undos = g_ptr_array_new_with_free_func ((GDestroyNotify) haul_queue_undo_unref);

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (search_changed_cb), self);
  g_signal_connect_swapped (self->state_filter, "notify::selected", G_CALLBACK (state_filter_cb), self);
  g_signal_connect_swapped (self->search_bar, "notify::search-mode-enabled", G_CALLBACK (search_mode_cb), self);
  g_signal_connect_swapped (self->title_squeezer, "notify::visible-child",
                            G_CALLBACK (title_squeezer_changed_cb), self);

  _haul_window_import_init (self);
  _haul_window_actions_init (self);
}

HaulWindow *
haul_window_new (HaulApplication *application)
{
  HaulWindow *self = g_object_new (HAUL_TYPE_WINDOW, "application", application, NULL);
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  self->queue = g_object_ref (haul_application_get_queue (application));

  g_signal_connect (factory, "setup", G_CALLBACK (factory_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (factory_bind), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (factory_unbind), self);

  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  /* No filter until a search or a state filter asks for one (refilter()). */
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->queue)), NULL);
  self->shown = haul_reveal_model_new (G_LIST_MODEL (self->filtered));
  self->selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->shown)));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  gtk_list_view_set_factory (self->list_view, factory);

  g_signal_connect_swapped (self->filtered, "items-changed", G_CALLBACK (update_page), self);
  /* Also when what joins or leaves is hidden: the count and the empty page. */
  g_signal_connect_swapped (self->queue, "items-changed", G_CALLBACK (update_page), self);
  g_signal_connect_swapped (self->filtered, "notify::pending", G_CALLBACK (update_page), self);
  g_signal_connect_swapped (self->filtered, "notify::pending", G_CALLBACK (filter_pending_cb), self);
  g_signal_connect_swapped (self->shown, "notify::revealing", G_CALLBACK (revealing_cb), self);
  g_signal_connect_swapped (self->selection, "selection-changed", G_CALLBACK (selection_changed_cb), self);
  g_signal_connect_swapped (self->selection, "selection-changed",
                            G_CALLBACK (_haul_window_update_selection), self);
  g_signal_connect_swapped (self->selection, "items-changed", G_CALLBACK (_haul_window_update_selection), self);
  g_signal_connect_swapped (self->queue, "items-changed", G_CALLBACK (queue_states_changed_cb), self);
  g_signal_connect_swapped (self->queue, "notify::speed", G_CALLBACK (update_summary), self);
  /* Not on every progress update: these look at the whole list. */
  g_signal_connect_swapped (self->queue, "notify::n-active", G_CALLBACK (queue_states_changed_cb), self);
  g_signal_connect_swapped (self->queue, "download-finished", G_CALLBACK (queue_states_changed_cb), self);
  g_signal_connect_swapped (self->queue, "idle", G_CALLBACK (queue_states_changed_cb), self);

  _haul_window_hold_init (self);
  _haul_window_refresh_states (self);
  update_page (self);

  return self;
}
