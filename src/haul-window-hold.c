/* haul-window-hold.c — the bar under the header while the queue is held
 *
 * While something holds every queued download back (HaulQueue:hold), a bar
 * says what: no network ("No network — downloads continue when it is
 * back"), a metered connection ("Downloads are paused on this metered
 * connection", with Download Anyway → haul_queue_download_anyway (queue,
 * NULL), until the hold ends: haul_queue_get_metered_allowed()), or the
 * schedule ("Downloads wait for the set hours (from 01:00)").
 * Held downloads whose rows say why are in haul-download-row.c.
 *
 * Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-window"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-window-private.h"

/* The sentence for @hold, or %NULL for no bar; whether it offers
 * Download Anyway in @anyway. */
static char *
hold_text (HaulWindow    *self,
           HaulQueueHold  hold,
           gboolean      *anyway)
{
  const HaulSchedule *schedule = haul_queue_get_schedule (self->queue);

  *anyway = FALSE;
  if (hold & HAUL_QUEUE_HOLD_OFFLINE)
    return g_strdup (_("No network — downloads continue when it is back"));
  if ((hold & HAUL_QUEUE_HOLD_METERED) && !haul_queue_get_metered_allowed (self->queue))
    {
      *anyway = TRUE;
      return g_strdup (_("Downloads are paused on this metered connection"));
    }
  if ((hold & HAUL_QUEUE_HOLD_SCHEDULE) && schedule != NULL)
    {
      g_autofree char *start = haul_schedule_format_time (haul_schedule_get_start (schedule));

      /* Translators: the schedule's start time, "(from 01:00)" */
      return g_strdup_printf (_("Downloads wait for the set hours (from %s)"), start);
    }
  if (hold & HAUL_QUEUE_HOLD_SCHEDULE)
    return g_strdup (_("Downloads wait for the set hours"));
  return NULL;
}

static void
update_hold_bar (HaulWindow *self)
{
  HaulQueueHold hold = haul_queue_get_hold (self->queue);
  gboolean anyway;
  g_autofree char *text = NULL;

  text = hold_text (self, hold, &anyway);
  if (text != NULL)
    gtk_label_set_label (self->hold_label, text);
  gtk_widget_set_visible (self->hold_button, anyway);
  gtk_revealer_set_reveal_child (self->hold_revealer, text != NULL);
}

static void
hold_button_clicked_cb (HaulWindow *self,
                        GtkButton  *button)
{
  haul_queue_download_anyway (self->queue, NULL);
  update_hold_bar (self);
}

void
_haul_window_class_hold_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, hold_revealer);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, hold_label);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, hold_button);
  gtk_widget_class_bind_template_callback (widget_class, hold_button_clicked_cb);
}

void
_haul_window_hold_init (HaulWindow *self)
{
  g_signal_connect_swapped (self->queue, "notify::hold", G_CALLBACK (update_hold_bar), self);
  update_hold_bar (self);
}
