/* haul-start-at-dialog.c — "Start at…": a time of day before which one download does not start
 *
 * From a queued, paused or failed row's menu. An AdwMessageDialog template
 * with one HH:MM entry (haul_schedule_parse_time()); under it, as the time
 * is typed, the day it means ("Today", or "Tomorrow" once that time has
 * passed on the queue's clock) or, for text that is not a time, why, and
 * Start at stays off. Start at → haul_queue_set_start_time() with the next
 * such time; Clear → no start time; Cancel leaves it as it was.
 *
 * Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-start-at-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-schedule.h"
#include "haul-start-at-dialog.h"
#include "haul-wait-text.h"

struct _HaulStartAtDialog
{
  AdwMessageDialog  parent_instance;

  /* Template widgets */
  GtkEditable      *entry;
  GtkLabel         *day_label;

  /* Owned references */
  HaulQueue        *queue;
  HaulDownload     *download;
};

G_DEFINE_FINAL_TYPE (HaulStartAtDialog, haul_start_at_dialog, ADW_TYPE_MESSAGE_DIALOG)

/**
 * haul_start_at_next:
 * @now: the queue's clock's now, local
 * @minute: a time of day, minutes after midnight
 *
 * Returns: (transfer full): the next time the clock shows @minute: today
 *   if that is still to come, else tomorrow
 */
GDateTime *
haul_start_at_next (GDateTime *now,
                    guint      minute)
{
  g_autoptr(GDateTime) today = g_date_time_new_local (g_date_time_get_year (now),
                                                      g_date_time_get_month (now),
                                                      g_date_time_get_day_of_month (now),
                                                      (int) (minute / 60), (int) (minute % 60), 0);

  if (g_date_time_compare (today, now) > 0)
    return g_date_time_ref (today);
  return g_date_time_add_days (today, 1);
}

/* The entry's time as the next such moment; %NULL (and why) if it is not one. */
static GDateTime *
chosen_time (HaulStartAtDialog  *self,
             GError            **error)
{
  g_autoptr(GDateTime) now = haul_clock_now (haul_queue_get_clock (self->queue));
  guint minute;

  if (!haul_schedule_parse_time (gtk_editable_get_text (self->entry), &minute, error))
    return NULL;
  return haul_start_at_next (now, minute);
}

static void
entry_changed_cb (HaulStartAtDialog *self,
                  GtkEditable       *entry)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) time = chosen_time (self, &error);
  g_autoptr(GDateTime) now = haul_clock_now (haul_queue_get_clock (self->queue));
  g_autofree char *day = NULL;

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "start", time != NULL);
  if (time == NULL)
    {
      const char *text = gtk_editable_get_text (entry);

      gtk_label_set_label (self->day_label, text[0] != '\0' ? error->message : "");
      gtk_widget_add_css_class (GTK_WIDGET (self->day_label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->day_label), "dim-label");
      return;
    }
  day = haul_wait_text_day (time, now);
  gtk_label_set_label (self->day_label, day);
  gtk_widget_remove_css_class (GTK_WIDGET (self->day_label), "error");
  gtk_widget_add_css_class (GTK_WIDGET (self->day_label), "dim-label");
}

static void
response_cb (HaulStartAtDialog *self,
             const char        *response)
{
  if (g_str_equal (response, "start"))
    {
      g_autoptr(GDateTime) time = chosen_time (self, NULL);

      if (time != NULL)
        haul_queue_set_start_time (self->queue, self->download, time);
    }
  else if (g_str_equal (response, "clear"))
    haul_queue_set_start_time (self->queue, self->download, NULL);
}

static void
haul_start_at_dialog_dispose (GObject *object)
{
  HaulStartAtDialog *self = HAUL_START_AT_DIALOG (object);

  g_clear_object (&self->queue);
  g_clear_object (&self->download);
  gtk_widget_dispose_template (GTK_WIDGET (self), HAUL_TYPE_START_AT_DIALOG);

  G_OBJECT_CLASS (haul_start_at_dialog_parent_class)->dispose (object);
}

static void
haul_start_at_dialog_class_init (HaulStartAtDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = haul_start_at_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/haulapp/Haul/haul-start-at-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, HaulStartAtDialog, entry);
  gtk_widget_class_bind_template_child (widget_class, HaulStartAtDialog, day_label);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, response_cb);
}

static void
haul_start_at_dialog_init (HaulStartAtDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

HaulStartAtDialog *
haul_start_at_dialog_new (GtkWindow    *parent,
                          HaulQueue    *queue,
                          HaulDownload *download)
{
  HaulStartAtDialog *self;
  gint64 start_after;

  g_return_val_if_fail (HAUL_IS_QUEUE (queue), NULL);
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (download), NULL);

  self = g_object_new (HAUL_TYPE_START_AT_DIALOG, "transient-for", parent, NULL);
  self->queue = g_object_ref (queue);
  self->download = g_object_ref (download);

  /* Its start time, if it has one, to change or clear. */
  start_after = haul_download_get_start_after (download);
  if (start_after > 0)
    {
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (start_after / G_USEC_PER_SEC);
      g_autofree char *text = g_date_time_format (time, "%H:%M");

      gtk_editable_set_text (self->entry, text);
    }
  else
    adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "clear", FALSE);
  return self;
}

void
haul_start_at_dialog_present (GtkWindow    *parent,
                              HaulQueue    *queue,
                              HaulDownload *download)
{
  gtk_window_present (GTK_WINDOW (haul_start_at_dialog_new (parent, queue, download)));
}
