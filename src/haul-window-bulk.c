/* haul-window-bulk.c — one action on many downloads, a slice per frame
 *
 * Pausing, resuming, retrying, cancelling or removing a selection of ten
 * thousand downloads, clearing the finished ones, taking an add or a
 * removal back: each is one HaulWindowBulk, carried out through the
 * queue's batch calls (haul_queue_pause_many(), haul_queue_remove_many(),
 * haul_queue_undo_step()…) a slice at a time. A slice is as many downloads
 * as fit in about 6 ms, measured as it goes, so the main loop draws a frame
 * between two slices whatever the list's length; the first slice runs at
 * once, the rest from an idle. Bulks run one after the other, in the order
 * they were asked for.
 *
 * Removing and cancelling end with a toast with Undo. Until the toast is
 * gone, the partial files of what was removed or cancelled are kept
 * (HaulQueueUndo); Undo puts everything back, as it was, in slices too;
 * once the toast is dismissed or times out the removal is final and the
 * partial files are deleted (haul_queue_undo_commit()). A window that
 * closes makes the removals its toasts still offered final.
 *
 * Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-window"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-window-private.h"

/* The time one slice may take, and the bounds of a slice. */
#define SLICE_BUDGET_US 6000
#define SLICE_MIN 32
#define SLICE_MAX 16384

/* The list view keeps a row widget for each of the first two hundred or
 * so items: taking them out destroys widgets, putting them back builds
 * new ones (half a millisecond to a millisecond each, with their first
 * layout). Near the top of the list a slice is at most this many
 * downloads, one slice per frame. */
#define NEAR_TOP 256
#define NEAR_TOP_SLICE 16
#define NEAR_TOP_UNDO_SLICE 8  /* building a row costs more than destroying one */

typedef struct
{
  HaulBulkKind   kind;
  GPtrArray     *downloads;   /* HaulDownload (owned refs); NULL when undoing */
  guint          done;        /* how many of them were handled */
  guint          n_steps;
  HaulQueueUndo *undo;        /* what Undo takes back, or what is being undone */
  gboolean       undoing;
  gdouble        us_per_item; /* measured so far */
} HaulWindowBulk;

static void
bulk_free (HaulWindowBulk *b)
{
  /* Removed for good, they may be finalized by the thousand. */
  if (b->downloads != NULL)
    haul_queue_release_later (g_steal_pointer (&b->downloads));
  g_clear_pointer (&b->undo, haul_queue_undo_unref);
  g_free (b);
}

/* ------------------------------------------------------------------ */
/* The toast, with Undo */

typedef struct
{
  HaulWindow    *window;  /* weak */
  HaulQueue     *queue;   /* owned */
  HaulQueueUndo *undo;    /* owned */
  gboolean       undone;
} ToastUndo;

static void
toast_undo_free (ToastUndo *t)
{
  if (t->window != NULL)
    g_object_remove_weak_pointer (G_OBJECT (t->window), (gpointer *) &t->window);
  g_object_unref (t->queue);
  haul_queue_undo_unref (t->undo);
  g_free (t);
}

static void
undo_clicked_cb (AdwToast  *toast,
                 ToastUndo *t)
{
  if (t->undone || t->window == NULL)
    return;
  t->undone = TRUE;
  _haul_window_bulk_undo (t->window, t->undo);
}

/* Gone without Undo: final, the kept partial files are deleted. */
static void
toast_dismissed_cb (AdwToast  *toast,
                    ToastUndo *t)
{
  if (t->undone)
    return;
  haul_queue_undo_commit (t->queue, t->undo);
  if (t->window != NULL)
    g_ptr_array_remove (t->window->undos, t->undo);
}

static char *
toast_text (HaulBulkKind kind,
            guint        n)
{
  switch (kind)
    {
    case HAUL_BULK_REMOVE:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Removed %u download from the list",
                                           "Removed %u downloads from the list", n), n);
    case HAUL_BULK_CLEAR:
      /* Translators: what Clear Finished did; the files stay on disk */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Cleared %u finished download from the list",
                                           "Cleared %u finished downloads from the list", n), n);
    case HAUL_BULK_CANCEL:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Cancelled %u download",
                                           "Cancelled %u downloads", n), n);
    case HAUL_BULK_PAUSE:
    case HAUL_BULK_RESUME:
    case HAUL_BULK_RETRY:
    case HAUL_BULK_FORGET:
    default:
      return NULL;
    }
}

static void
show_undo_toast (HaulWindow     *self,
                 HaulWindowBulk *b)
{
  guint n = haul_queue_undo_get_n_items (b->undo);
  g_autofree char *text = toast_text (b->kind, n);
  g_autofree char *escaped = NULL;
  ToastUndo *t;
  AdwToast *toast;

  if (n == 0 || text == NULL)
    return;
  escaped = g_markup_escape_text (text, -1);
  toast = adw_toast_new (escaped);
  adw_toast_set_button_label (toast, _("_Undo"));
  t = g_new0 (ToastUndo, 1);
  t->window = self;
  g_object_add_weak_pointer (G_OBJECT (self), (gpointer *) &t->window);
  t->queue = g_object_ref (self->queue);
  t->undo = haul_queue_undo_ref (b->undo);
  g_ptr_array_add (self->undos, haul_queue_undo_ref (b->undo));
  g_signal_connect (toast, "button-clicked", G_CALLBACK (undo_clicked_cb), t);
  g_signal_connect_data (toast, "dismissed", G_CALLBACK (toast_dismissed_cb), t,
                         (GClosureNotify) toast_undo_free, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* ------------------------------------------------------------------ */
/* Slices */

/* Removals go from the end of the list: what stays behind a slice does
 * not move, so the store has fewer new places to write. */
static gboolean
goes_backwards (HaulBulkKind kind)
{
  return kind == HAUL_BULK_REMOVE || kind == HAUL_BULK_CLEAR || kind == HAUL_BULK_FORGET;
}

/* Going backwards, the next @n downloads, cut after NEAR_TOP_SLICE of
 * them near the top of the list. */
static guint
near_top_limit (HaulWindow     *self,
                HaulWindowBulk *b,
                guint           n)
{
  guint end = b->downloads->len - b->done, near = 0;

  for (guint i = 0; i < n; i++)
    {
      guint position;

      if (haul_queue_get_position (self->queue, g_ptr_array_index (b->downloads, end - 1 - i), &position) &&
          position < NEAR_TOP && ++near > NEAR_TOP_SLICE)
        return i;
    }
  return n;
}

/* Handles up to @n more downloads of @b; @small says the slice was made
 * small to build or destroy few rows (the frame should come next).
 * Returns TRUE when @b is done. */
static gboolean
bulk_step (HaulWindow     *self,
           HaulWindowBulk *b,
           guint           n,
           gboolean       *small)
{
  g_autoptr(GPtrArray) slice = NULL;
  guint len;

  /* Undo puts back the top of the list first (the removal's last
   * slices): small slices while it builds rows. */
  if (b->undoing)
    {
      guint steps = b->n_steps++;

      *small = steps < NEAR_TOP / NEAR_TOP_UNDO_SLICE;
      return haul_queue_undo_step (self->queue, b->undo, *small ? NEAR_TOP_UNDO_SLICE : n);
    }

  len = b->downloads->len;
  n = MIN (n, len - b->done);
  if (goes_backwards (b->kind))
    {
      guint limited = near_top_limit (self, b, n);

      *small = limited < n;
      n = MAX (limited, 1);
    }
  slice = g_ptr_array_new_full (n, NULL);
  for (guint i = 0; i < n; i++)
    {
      guint k = goes_backwards (b->kind) ? len - b->done - n + i : b->done + i;

      g_ptr_array_add (slice, g_ptr_array_index (b->downloads, k));
    }
  b->done += n;

  switch (b->kind)
    {
    case HAUL_BULK_PAUSE: haul_queue_pause_many (self->queue, slice); break;
    case HAUL_BULK_RESUME: haul_queue_resume_many (self->queue, slice); break;
    case HAUL_BULK_RETRY: haul_queue_retry_many (self->queue, slice); break;
    case HAUL_BULK_CANCEL: haul_queue_cancel_many (self->queue, slice, b->undo); break;
    case HAUL_BULK_REMOVE:
    case HAUL_BULK_CLEAR: haul_queue_remove_many (self->queue, slice, b->undo); break;
    case HAUL_BULK_FORGET: haul_queue_remove_many (self->queue, slice, NULL); break;
    default: g_assert_not_reached ();
    }
  return b->done == len;
}

static void
bulk_finish (HaulWindow     *self,
             HaulWindowBulk *b)
{
  if (b->undoing)
    g_ptr_array_remove (self->undos, b->undo);
  else if (b->undo != NULL)
    show_undo_toast (self, b);
}

/* Runs slices of the bulks in turn for about SLICE_BUDGET_US. Returns
 * TRUE when none is left. */
static gboolean
bulk_run (HaulWindow *self)
{
  gint64 start = g_get_monotonic_time ();
  HaulWindowBulk *b;

  while ((b = g_queue_peek_head (&self->bulk)) != NULL)
    {
      gint64 left = SLICE_BUDGET_US - (g_get_monotonic_time () - start);
      gint64 t0 = g_get_monotonic_time ();
      gboolean finished, small = FALSE;
      guint n;

      if (left <= 0)
        return FALSE;
      n = (guint) CLAMP (left / b->us_per_item, SLICE_MIN, SLICE_MAX);
      finished = bulk_step (self, b, n, &small);
      /* Small slices cost what rows cost, not what the queue does. */
      if (!small)
        b->us_per_item = MAX (0.05, (g_get_monotonic_time () - t0) / (gdouble) n);
      if (finished)
        {
          g_queue_pop_head (&self->bulk);
          bulk_finish (self, b);
          bulk_free (b);
        }
      /* Rows were built or destroyed: the frame comes next. */
      if (small)
        return g_queue_is_empty (&self->bulk);
    }
  return TRUE;
}

static gboolean
bulk_cb (gpointer data)
{
  HaulWindow *self = data;

  if (!bulk_run (self))
    return G_SOURCE_CONTINUE;
  self->bulk_source = 0;
  _haul_window_refresh_states (self);
  return G_SOURCE_REMOVE;
}

/* At most this many at once, in the action's own main-loop iteration. */
#define AT_ONCE_MAX 256

static void
bulk_push (HaulWindow     *self,
           HaulWindowBulk *b)
{
  b->us_per_item = 5.0;
  g_queue_push_tail (&self->bulk, b);
  if (self->bulk_source != 0)
    return;
  /* A short list now, done before the next frame; a long one from the
   * next iteration on (collecting it took this one's share). */
  if ((b->downloads == NULL || b->downloads->len <= AT_ONCE_MAX) && bulk_run (self))
    {
      _haul_window_refresh_states (self);
      return;
    }
  self->bulk_source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, bulk_cb, self, NULL);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->bulk_source),
                            "[haul] bulk action");
}

/**
 * _haul_window_bulk:
 * @downloads: (transfer full) (element-type HaulDownload): what to act on,
 *   an array nobody else holds (it is released a slice at a time)
 *
 * Does @kind to @downloads, a slice per frame; removals and cancellations
 * end with a toast that offers Undo.
 */
void
_haul_window_bulk (HaulWindow   *self,
                   HaulBulkKind  kind,
                   GPtrArray    *downloads)
{
  HaulWindowBulk *b = g_new0 (HaulWindowBulk, 1);

  b->kind = kind;
  b->downloads = downloads;
  if (kind == HAUL_BULK_REMOVE || kind == HAUL_BULK_CLEAR || kind == HAUL_BULK_CANCEL)
    b->undo = haul_queue_undo_new ();
  bulk_push (self, b);
}

/* Takes @undo back (its toast's Undo), a slice per frame. */
void
_haul_window_bulk_undo (HaulWindow    *self,
                        HaulQueueUndo *undo)
{
  HaulWindowBulk *b = g_new0 (HaulWindowBulk, 1);

  b->undoing = TRUE;
  b->undo = haul_queue_undo_ref (undo);
  bulk_push (self, b);
}

gboolean
_haul_window_bulk_is_running (HaulWindow *self)
{
  return !g_queue_is_empty (&self->bulk);
}

/* The window goes: what is left undone stays undone, and what its toasts
 * offered to take back becomes final. */
void
_haul_window_bulk_dispose (HaulWindow *self)
{
  g_clear_handle_id (&self->bulk_source, g_source_remove);
  g_queue_clear_full (&self->bulk, (GDestroyNotify) bulk_free);
  if (self->undos != NULL && self->queue != NULL)
    for (guint i = 0; i < self->undos->len; i++)
      haul_queue_undo_commit (self->queue, g_ptr_array_index (self->undos, i));
  g_clear_pointer (&self->undos, g_ptr_array_unref);
}
