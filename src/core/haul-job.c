/* haul-job.c — the immutable snapshot one download attempt works from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-job"

#include "config.h"

#include "haul-job.h"

HaulJob *
haul_job_new (const char *uri,
              const char *directory)
{
  HaulJob *job = g_new0 (HaulJob, 1);

  g_atomic_ref_count_init (&job->ref_count);
  g_mutex_init (&job->info_mutex);
  job->uri = g_strdup (uri);
  job->directory = g_strdup (directory);
  job->known_total = -1;
  job->expected_part = -1;
  job->total = -1;
  job->result_retry_after_s = -1;
  job->connect_timeout_s = 30;
  job->stall_timeout_s = 60;
  job->max_redirects = 20;
  job->max_connections = 1;
  job->max_per_server = HAUL_DEFAULT_CONNECTIONS;
  job->cancellable = g_cancellable_new ();
  return job;
}

HaulJob *
haul_job_ref (HaulJob *job)
{
  g_atomic_ref_count_inc (&job->ref_count);
  return job;
}

void
haul_job_unref (HaulJob *job)
{
  if (!g_atomic_ref_count_dec (&job->ref_count))
    return;

  g_free (job->uri);
  g_free (job->directory);
  g_free (job->filename);
  g_free (job->etag);
  g_free (job->last_modified);
  g_free (job->content_type);
  g_free (job->checksum_hex);
  g_clear_pointer (&job->global_limiter, haul_rate_limiter_unref);
  g_clear_pointer (&job->download_limiter, haul_rate_limiter_unref);
  g_clear_pointer (&job->bridge, haul_progress_bridge_unref);
  g_clear_pointer (&job->claims, haul_name_claims_unref);
  g_clear_pointer (&job->context, haul_request_context_unref);
  g_clear_object (&job->cancellable);
  g_mutex_clear (&job->info_mutex);
  g_free (job->info_filename);
  g_clear_pointer (&job->info_segments, haul_segments_unref);
  g_free (job->info_checkpoint);
  g_free (job->segments);
  g_free (job->result_filename);
  g_free (job->result_final_uri);
  g_free (job->result_etag);
  g_free (job->result_last_modified);
  g_free (job->result_content_type);
  g_free (job);
}

void
haul_job_set_info_filename (HaulJob    *job,
                            const char *filename)
{
  g_mutex_lock (&job->info_mutex);
  g_free (job->info_filename);
  g_clear_pointer (&job->info_segments, haul_segments_unref);
  g_free (job->info_checkpoint);
  g_free (job->segments);
  job->info_filename = g_strdup (filename);
  g_mutex_unlock (&job->info_mutex);
  job->info_changed = TRUE;
}

/* Returns the name the worker announced since the last call, if any. */
char *
haul_job_take_info_filename (HaulJob *job)
{
  char *ret;

  if (!job->info_changed)
    return NULL;
  g_mutex_lock (&job->info_mutex);
  job->info_changed = FALSE;
  ret = g_steal_pointer (&job->info_filename);
  g_mutex_unlock (&job->info_mutex);
  return ret;
}

/* The worker's live segment table, for the window's segment map. */
void
haul_job_set_segments (HaulJob      *job,
                       HaulSegments *segments)
{
  g_mutex_lock (&job->info_mutex);
  g_clear_pointer (&job->info_segments, haul_segments_unref);
  job->info_segments = segments != NULL ? haul_segments_ref (segments) : NULL;
  g_mutex_unlock (&job->info_mutex);
  job->segmented = segments != NULL;
}

HaulSegments *
haul_job_dup_segments (HaulJob *job)
{
  HaulSegments *ret;

  g_mutex_lock (&job->info_mutex);
  ret = job->info_segments != NULL ? haul_segments_ref (job->info_segments) : NULL;
  g_mutex_unlock (&job->info_mutex);
  return ret;
}

/* @text: (transfer full): written ranges whose bytes are on disk now */
void
haul_job_set_checkpoint (HaulJob *job,
                         char    *text)
{
  g_mutex_lock (&job->info_mutex);
  g_free (job->info_checkpoint);
  job->info_checkpoint = text;
  g_mutex_unlock (&job->info_mutex);
}

/* Returns: (transfer full) (nullable): the newest checkpoint since the last call */
char *
haul_job_take_checkpoint (HaulJob *job)
{
  char *ret;

  g_mutex_lock (&job->info_mutex);
  ret = g_steal_pointer (&job->info_checkpoint);
  g_mutex_unlock (&job->info_mutex);
  return ret;
}
