/* haul-queue-relink.c — a new link for a paused or failed download
 *
 * haul_queue_change_link_async() asks the new link for its first byte on a
 * worker thread (haul_transfer_probe(), on the pool of extra connections:
 * a thread with its own SoupSession, never the main thread), compares the
 * answer with what the old link said (haul-link-check.c) on that thread,
 * and only back on the main thread, if the download is still stopped,
 * takes the new link: it continues from its .part or its written ranges.
 * haul_queue_change_link_restart() deletes the .part (on GLib's pool) and
 * downloads from the new link from zero. Everything else: main thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-queue"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "haul-link-check.h"
#include "haul-part-file.h"
#include "haul-queue-private.h"
#include "haul-transfer.h"
#include "haul-uri-list.h"

typedef struct
{
  HaulDownload *download;   /* owned */
  char         *uri;        /* the new link, normalized */
  HaulJob      *job;        /* the probe's: the download's snapshot, with the new link */
  gint64        written;    /* bytes of the .part worth keeping; 0: nothing to prove */
  GCancellable *cancellable; /* the caller's, nullable */
  gulong        handler;
} Relink;

static void
relink_free (Relink *r)
{
  if (r->handler != 0)
    g_cancellable_disconnect (r->cancellable, r->handler);
  g_clear_object (&r->cancellable);
  g_clear_object (&r->download);
  g_clear_pointer (&r->job, haul_job_unref);
  g_free (r->uri);
  g_free (r);
}

/**
 * haul_queue_can_change_link:
 *
 * Whether @download may take a new link: it is listed, and paused or
 * failed (a cancelled download has no partial file left: Retry starts it
 * over; a running one must be paused first).
 */
gboolean
haul_queue_can_change_link (HaulQueue    *self,
                            HaulDownload *download)
{
  HaulQueueItem *item = _haul_queue_lookup (self, download);

  return item != NULL && item->job == NULL && item->retry_source == 0 &&
         (download->state == HAUL_DOWNLOAD_STATE_PAUSED || download->state == HAUL_DOWNLOAD_STATE_FAILED);
}

/* The new link, normalized, if @download may take it. */
static char *
check_request (HaulQueue     *self,
               HaulDownload  *download,
               const char    *uri,
               GError       **error)
{
  g_autofree char *normalized = NULL;
  HaulQueueItem *other;
  GError *local_error = NULL;

  if (!haul_queue_can_change_link (self, download))
    {
      g_set_error_literal (error, HAUL_LINK_ERROR, HAUL_LINK_ERROR_NOT_STOPPED,
                           _("Only a paused or failed download can take a new link"));
      return NULL;
    }
  normalized = haul_uri_normalize (uri, &local_error);
  if (normalized == NULL)
    {
      g_set_error_literal (error, HAUL_LINK_ERROR, HAUL_LINK_ERROR_INVALID, local_error->message);
      g_error_free (local_error);
      return NULL;
    }
  other = g_hash_table_lookup (self->by_uri, normalized);
  if (other != NULL && other->download != download)
    {
      /* Not the link itself: a signed link's query is a secret. */
      g_set_error_literal (error, HAUL_LINK_ERROR, HAUL_LINK_ERROR_IN_LIST,
                           _("Another download in the list already has this link"));
      return NULL;
    }
  return g_steal_pointer (&normalized);
}

/* ------------------------------------------------------------------ */
/* The probe, on a worker thread */

static gboolean
unref_task_cb (gpointer task)
{
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void
probe_thread (gpointer     data,
              SoupSession *session)
{
  GTask *task = data;
  Relink *r = g_task_get_task_data (task);
  HaulJob *job = r->job;
  GError *error = NULL;
  GSource *source;

  if (!haul_transfer_probe (job, session, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&error, _("Could not check the new link: "));
      g_task_return_error (task, error);
    }
  else
    {
      HaulLinkFacts old_facts = { job->known_total, job->etag, job->last_modified, job->content_type };
      HaulLinkFacts new_facts = { job->total, job->result_etag, job->result_last_modified,
                                  job->result_content_type };

      if (r->written > 0 && !haul_link_check_same (&old_facts, r->written, &new_facts, &error))
        g_task_return_error (task, error);
      else
        g_task_return_boolean (task, TRUE);
    }

  /* The last reference goes on the task's own context (see run_task() in
   * haul-worker-pool.c): never finalize the queue on a worker. */
  source = g_idle_source_new ();
  g_source_set_static_name (source, "[haul] release probe");
  g_source_set_callback (source, unref_task_cb, task, NULL);
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);
}

static void
cancel_job (GCancellable *cancellable,
            gpointer      job_cancellable)
{
  g_cancellable_cancel (G_CANCELLABLE (job_cancellable));
}

/* ------------------------------------------------------------------ */
/* Taking the new link, on the main thread */

static void
set_uri (HaulQueue     *self,
         HaulQueueItem *item,
         const char    *uri)
{
  HaulDownload *d = item->download;

  g_hash_table_remove (self->by_uri, d->uri);
  _haul_download_set_uri (d, uri);
  g_hash_table_insert (self->by_uri, d->uri, item);
  _haul_download_set_final_uri (d, NULL);
  _haul_download_set_retries (d, 0);
  _haul_download_set_error (d, NULL);
}

/* The probe said "same file": continue, if nothing changed meanwhile. */
static gboolean
take_new_link (HaulQueue  *self,
               Relink     *r,
               GError    **error)
{
  HaulDownload *d = r->download;
  HaulJob *job = r->job;
  g_autofree char *uri = check_request (self, d, r->uri, error);
  g_autofree char *etag = NULL, *last_modified = NULL, *content_type = NULL;
  HaulQueueItem *item;

  if (uri == NULL)
    return FALSE;
  if (d->received != r->written && r->written > 0)
    {
      g_set_error_literal (error, HAUL_LINK_ERROR, HAUL_LINK_ERROR_NOT_STOPPED,
                           _("The download ran while the new link was checked; check it again"));
      return FALSE;
    }
  item = _haul_queue_lookup (self, d);
  /* Validators the old link lacked come from the new one (the next
   * answers must keep to them); the old ones are equal where they were.
   * Copies: the setter frees the old strings. */
  etag = g_strdup (d->etag != NULL ? d->etag : job->result_etag);
  last_modified = g_strdup (d->last_modified != NULL ? d->last_modified : job->result_last_modified);
  content_type = g_strdup (d->content_type != NULL ? d->content_type : job->result_content_type);
  g_object_freeze_notify (G_OBJECT (d));
  set_uri (self, item, uri);
  _haul_download_set_validators (d, etag, last_modified, content_type);
  g_object_thaw_notify (G_OBJECT (d));
  _haul_queue_mark_dirty (self, item);
  if (d->state == HAUL_DOWNLOAD_STATE_FAILED)
    haul_queue_retry (self, d);
  else
    haul_queue_resume (self, d);
  return TRUE;
}

static void
probe_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  HaulQueue *self = HAUL_QUEUE (source);
  g_autoptr(GTask) outer = user_data;
  Relink *r = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error) || !take_new_link (self, r, &error))
    g_task_return_error (outer, error);
  else
    g_task_return_boolean (outer, TRUE);
}

/**
 * haul_queue_change_link_async:
 * @download: a paused or failed download of this queue
 * @uri: its new link
 *
 * Asks @uri whether it serves the same file as @download's link did (the
 * same length; the same ETag and Last-Modified where the old answer had
 * them; a compatible type), off the main thread. If so, @download takes
 * @uri (its final link forgotten, its retries and error cleared, saved)
 * and continues from its .part or written ranges.
 */
void
haul_queue_change_link_async (HaulQueue           *self,
                              HaulDownload        *download,
                              const char          *uri,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  GTask *probe;
  GError *error = NULL;
  g_autofree char *normalized = NULL;
  Relink *r;

  g_return_if_fail (HAUL_IS_QUEUE (self));
  g_return_if_fail (HAUL_IS_DOWNLOAD (download));
  g_return_if_fail (uri != NULL);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, haul_queue_change_link_async);
  normalized = check_request (self, download, uri, &error);
  if (normalized == NULL)
    {
      g_task_return_error (outer, error);
      return;
    }

  r = g_new0 (Relink, 1);
  r->download = g_object_ref (download);
  r->uri = g_steal_pointer (&normalized);
  r->job = _haul_queue_job_new (self, download);
  g_free (r->job->uri);
  r->job->uri = g_strdup (r->uri);
  r->written = download->filename != NULL ? download->received : 0;
  if (cancellable != NULL)
    {
      r->cancellable = g_object_ref (cancellable);
      r->handler = g_cancellable_connect (cancellable, G_CALLBACK (cancel_job),
                                          r->job->cancellable, NULL);
    }

  probe = g_task_new (self, NULL, probe_done_cb, g_steal_pointer (&outer));
  g_task_set_source_tag (probe, probe_thread);
  g_task_set_name (probe, "[haul] link probe");
  g_task_set_task_data (probe, r, (GDestroyNotify) relink_free);
  haul_worker_pool_run_connection (probe_thread, probe);
}

/**
 * haul_queue_change_link_finish:
 *
 * Returns: %TRUE if the download took the new link and continues; else
 *   %FALSE with @error: %HAUL_LINK_ERROR_DIFFERENT (its message says what
 *   differs; nothing changed: offer haul_queue_change_link_restart()),
 *   another #HaulLinkError, or the probe's own (the network, HTTP)
 */
gboolean
haul_queue_change_link_finish (HaulQueue     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Starting over */

typedef struct
{
  HaulDownload   *download;
  char           *directory;
  char           *name;
  HaulNameClaims *claims;
} Restart;

static void
restart_free (Restart *rs)
{
  g_object_unref (rs->download);
  g_free (rs->directory);
  g_free (rs->name);
  haul_name_claims_unref (rs->claims);
  g_free (rs);
}

static void
delete_part_thread (GTask        *task,
                    gpointer      source,
                    gpointer      data,
                    GCancellable *cancellable)
{
  Restart *rs = data;
  HaulPartFile *part = haul_part_file_new (rs->directory, "", NULL, NULL);

  if (part != NULL)
    {
      haul_part_file_adopt_name (part, rs->name);
      haul_part_file_delete (part);
      haul_part_file_free (part);
    }
  g_task_return_boolean (task, TRUE);
}

/* The old .part is gone: its name is free again, and the download starts. */
static void
part_deleted_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  HaulQueue *self = HAUL_QUEUE (source);
  Restart *rs = g_task_get_task_data (G_TASK (result));
  HaulDownload *d = rs->download;

  if (rs->name != NULL)
    haul_name_claims_release (rs->claims, rs->directory, rs->name);
  if (d->state == HAUL_DOWNLOAD_STATE_FAILED)
    haul_queue_retry (self, d);
  else
    haul_queue_resume (self, d);
}

/**
 * haul_queue_change_link_restart:
 * @download: a paused or failed download of this queue
 * @uri: its new link
 *
 * Starts @download over from @uri: its .part is deleted (off the main
 * thread; it starts once that is done), its validators, size and written
 * ranges are forgotten. Does nothing when haul_queue_change_link_async()
 * would refuse @uri for another reason than a different file.
 */
void
haul_queue_change_link_restart (HaulQueue    *self,
                                HaulDownload *download,
                                const char   *uri)
{
  g_autofree char *normalized = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  HaulQueueItem *item;
  Restart *rs;

  g_return_if_fail (HAUL_IS_QUEUE (self));
  g_return_if_fail (HAUL_IS_DOWNLOAD (download));

  normalized = check_request (self, download, uri, &error);
  if (normalized == NULL)
    {
      g_debug ("not starting over: error %d", error->code); /* never the link: it may be signed */
      return;
    }
  item = _haul_queue_lookup (self, download);
  rs = g_new0 (Restart, 1);
  rs->download = g_object_ref (download);
  rs->directory = g_strdup (download->directory);
  rs->name = g_strdup (download->filename);
  rs->claims = haul_name_claims_ref (self->claims);

  /* Nothing of the old file is used from here on, even if it is
   * resumed before the .part is gone: it has no name to continue. */
  g_object_freeze_notify (G_OBJECT (download));
  set_uri (self, item, normalized);
  _haul_download_set_filename (download, NULL);
  _haul_download_set_validators (download, NULL, NULL, NULL);
  _haul_download_set_segments_text (download, NULL);
  download->total = -1;
  download->restored_part_size = -1;
  _haul_download_set_progress (download, 0, -1);
  g_object_thaw_notify (G_OBJECT (download));
  _haul_queue_mark_dirty (self, item);

  task = g_task_new (self, NULL, part_deleted_cb, NULL);
  g_task_set_source_tag (task, haul_queue_change_link_restart);
  g_task_set_task_data (task, rs, (GDestroyNotify) restart_free);
  if (rs->name == NULL)
    {
      /* No .part: nothing to delete. */
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_task_run_in_thread (task, delete_part_thread);
}

/**
 * haul_queue_find_continuable:
 * @filename: a file's name
 * @size: its size in bytes
 *
 * For the browser handoff ("the browser started the same file again"):
 * a paused or failed download of @filename whose size is known to be
 * @size, that could continue from a new link.
 *
 * Returns: (transfer none) (nullable): the first such download
 */
HaulDownload *
haul_queue_find_continuable (HaulQueue  *self,
                             const char *filename,
                             gint64      size)
{
  g_return_val_if_fail (HAUL_IS_QUEUE (self), NULL);

  if (filename == NULL || size <= 0)
    return NULL;
  for (guint i = 0; i < self->items->len; i++)
    {
      HaulQueueItem *item = g_ptr_array_index (self->items, i);
      HaulDownload *d = item->download;

      if (d->total == size && g_strcmp0 (d->filename, filename) == 0 &&
          haul_queue_can_change_link (self, d))
        return d;
    }
  return NULL;
}
