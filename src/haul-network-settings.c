/* haul-network-settings.c — the application's network, power, schedule and when-done settings applied to its queue
 *
 * Owns the HaulNetworkPolicy that steers the application's queue from
 * GIO's default network and power-profile monitors (portals in a
 * Flatpak), and follows the keys Preferences → Network writes:
 * metered-downloads and save-power → the policy; schedule-enabled,
 * -start, -end and -days → haul_queue_set_schedule() (NULL when off or
 * when a key holds text that is not a time); when-done.
 *
 * When-done = "quit": ::done is emitted (the application quits the normal
 * way, its store flushed) when the queue has finished its work: HaulQueue::idle
 * (nothing runs, nothing is queued — a queue held by the network, a
 * metered connection, the schedule or a start time still has queued
 * downloads, so it is not idle), at least one download finished since the
 * queue last had nothing to do (completed or failed: not cancelled), and
 * none is paused (pausing everything is not finishing it).
 *
 * Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-network-settings"

#include "config.h"

#include "haul-network-settings.h"
#include "haul-schedule.h"

struct _HaulNetworkSettings
{
  GObject            parent_instance;

  HaulQueue         *queue;
  GSettings         *settings;
  HaulNetworkPolicy *policy;
  gboolean           finished_some; /* a download finished since the queue was last idle */
};

G_DEFINE_FINAL_TYPE (HaulNetworkSettings, haul_network_settings, G_TYPE_OBJECT)

enum { DONE, N_SIGNALS };
static guint signals[N_SIGNALS];

/**
 * haul_network_settings_dup_schedule:
 *
 * Returns: (transfer full) (nullable): the schedule the keys describe;
 *   %NULL when it is off or a time is not valid
 */
HaulSchedule *
haul_network_settings_dup_schedule (GSettings *settings)
{
  g_autofree char *start_text = g_settings_get_string (settings, "schedule-start");
  g_autofree char *end_text = g_settings_get_string (settings, "schedule-end");
  g_autoptr(GError) error = NULL;
  guint start, end;

  if (!g_settings_get_boolean (settings, "schedule-enabled"))
    return NULL;
  if (!haul_schedule_parse_time (start_text, &start, &error) ||
      !haul_schedule_parse_time (end_text, &end, &error))
    {
      g_warning ("The schedule is off: %s", error->message);
      return NULL;
    }
  return haul_schedule_new ((guint) g_settings_get_int (settings, "schedule-days"), start, end);
}

static void
settings_changed_cb (HaulNetworkSettings *self,
                     const char          *key,
                     GSettings           *settings)
{
  if (key == NULL || g_str_equal (key, "metered-downloads"))
    {
      g_autofree char *metered = g_settings_get_string (settings, "metered-downloads");

      haul_network_policy_set_pause_on_metered (self->policy, g_str_equal (metered, "pause"));
    }
  if (key == NULL || g_str_equal (key, "save-power"))
    haul_network_policy_set_save_power (self->policy, g_settings_get_boolean (settings, "save-power"));
  if (key == NULL || g_str_has_prefix (key, "schedule-"))
    {
      g_autoptr(HaulSchedule) schedule = haul_network_settings_dup_schedule (settings);

      haul_queue_set_schedule (self->queue, schedule);
    }
}

/* Completed or failed (its retries used up); a cancelled one is not work
 * done: cancelling the last download does not quit Haul. */
static void
download_finished_cb (HaulNetworkSettings *self,
                      HaulDownload        *download,
                      HaulQueue           *queue)
{
  HaulDownloadState state = haul_download_get_state (download);

  if (state == HAUL_DOWNLOAD_STATE_COMPLETED || state == HAUL_DOWNLOAD_STATE_FAILED)
    self->finished_some = TRUE;
}

static void
queue_idle_cb (HaulNetworkSettings *self,
               HaulQueue           *queue)
{
  g_autofree char *when_done = g_settings_get_string (self->settings, "when-done");
  gboolean finished_some = self->finished_some;

  self->finished_some = FALSE;
  if (!finished_some || !g_str_equal (when_done, "quit") ||
      haul_queue_get_n_in_state (queue, HAUL_DOWNLOAD_STATE_PAUSED) > 0)
    return;
  g_debug ("the queue is done: when-done is quit");
  g_signal_emit (self, signals[DONE], 0);
}

static void
haul_network_settings_dispose (GObject *object)
{
  HaulNetworkSettings *self = HAUL_NETWORK_SETTINGS (object);

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  if (self->queue != NULL)
    g_signal_handlers_disconnect_by_data (self->queue, self);
  g_clear_object (&self->policy);
  g_clear_object (&self->settings);
  g_clear_object (&self->queue);

  G_OBJECT_CLASS (haul_network_settings_parent_class)->dispose (object);
}

static void
haul_network_settings_class_init (HaulNetworkSettingsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = haul_network_settings_dispose;

  /**
   * HaulNetworkSettings::done:
   *
   * when-done is "quit" and the queue has finished its work.
   */
  signals[DONE] = g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
haul_network_settings_init (HaulNetworkSettings *self)
{
}

HaulNetworkSettings *
haul_network_settings_new (HaulQueue *queue,
                           GSettings *settings)
{
  g_autoptr(GPowerProfileMonitor) power = g_power_profile_monitor_dup_default ();
  HaulNetworkSettings *self;

  g_return_val_if_fail (HAUL_IS_QUEUE (queue), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (HAUL_TYPE_NETWORK_SETTINGS, NULL);
  self->queue = g_object_ref (queue);
  self->settings = g_object_ref (settings);
  self->policy = haul_network_policy_new (queue, g_network_monitor_get_default (), power);
  g_signal_connect_object (settings, "changed", G_CALLBACK (settings_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (queue, "download-finished", G_CALLBACK (download_finished_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (queue, "idle", G_CALLBACK (queue_idle_cb), self, G_CONNECT_SWAPPED);
  settings_changed_cb (self, NULL, settings);
  return self;
}

/**
 * haul_network_settings_get_policy:
 *
 * Returns: (transfer none): the policy steering the queue
 */
HaulNetworkPolicy *
haul_network_settings_get_policy (HaulNetworkSettings *self)
{
  g_return_val_if_fail (HAUL_IS_NETWORK_SETTINGS (self), NULL);
  return self->policy;
}
