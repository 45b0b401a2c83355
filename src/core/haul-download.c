/* haul-download.c — one download: identity, settings and observable state
 *
 * A HaulDownload lives on the main thread only. Workers never see it: the
 * queue snapshots it into a HaulJob for each attempt and copies the
 * results back.
 *
 * Notifications follow what a person sees, not the raw values: received,
 * speed and eta are notified only when their text (haul-format.c) changes,
 * the fraction when a bar would move by a step (FRACTION_STEPS), other
 * properties when their value changes; the getters always return the exact
 * values. Each batch of notifications (the queue publishes a download's
 * progress in one batch) ends with one HaulDownload::changed, so a row
 * formats its text once per publication, not once per property.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-download"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "haul-checksum.h"
#include "haul-download-private.h"
#include "haul-format.h"

/* A bar 1000 pixels wide moves by one pixel. */
#define FRACTION_STEPS 1000

G_DEFINE_FINAL_TYPE (HaulDownload, haul_download, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_URI,
  PROP_FINAL_URI,
  PROP_DIRECTORY,
  PROP_FILENAME,
  PROP_STATE,
  PROP_RECEIVED,
  PROP_TOTAL,
  PROP_FRACTION,
  PROP_SPEED,
  PROP_ETA,
  PROP_ERROR,
  PROP_CHECKSUM,
  PROP_RATE_LIMIT,
  PROP_RETRIES,
  PROP_CREATED,
  PROP_STARTED,
  PROP_FINISHED,
  PROP_CONNECTIONS,
  PROP_REQUEST_CONTEXT,
  PROP_START_AFTER,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];
static guint64 next_id = 1;

HaulDownload *
haul_download_new (const char *uri,
                   const char *directory)
{
  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (directory != NULL, NULL);

  return g_object_new (HAUL_TYPE_DOWNLOAD,
                       "uri", uri,
                       "directory", directory,
                       NULL);
}

static void
haul_download_finalize (GObject *object)
{
  HaulDownload *self = (HaulDownload *)object;

#define FREE_FIELD(name, kind, type, owner, dflt, min, max) \
  HAUL_DOWNLOAD_ONLY_##owner (HAUL_STORE_FREE_##kind (self->name);)
  HAUL_STORE_COLUMNS (FREE_FIELD)
#undef FREE_FIELD
  g_free (self->checksum_hex);
  g_clear_pointer (&self->limiter, haul_rate_limiter_unref);
  g_clear_pointer (&self->context, haul_request_context_unref);
  g_clear_pointer (&self->live_segments, haul_segments_unref);
  g_clear_pointer (&self->saved_segments, haul_segments_unref);
  g_free (self->retry_reason);
  _haul_download_auth_clear (self);

  G_OBJECT_CLASS (haul_download_parent_class)->finalize (object);
}

static void
haul_download_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  HaulDownload *self = HAUL_DOWNLOAD (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_uint64 (value, self->id); break;
    case PROP_URI: g_value_set_string (value, self->uri); break;
    case PROP_FINAL_URI: g_value_set_string (value, self->final_uri); break;
    case PROP_DIRECTORY: g_value_set_string (value, self->directory); break;
    case PROP_FILENAME: g_value_set_string (value, self->filename); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_RECEIVED: g_value_set_int64 (value, self->received); break;
    case PROP_TOTAL: g_value_set_int64 (value, self->total); break;
    case PROP_FRACTION: g_value_set_double (value, haul_download_get_fraction (self)); break;
    case PROP_SPEED: g_value_set_double (value, self->speed); break;
    case PROP_ETA: g_value_set_int64 (value, self->eta); break;
    case PROP_ERROR: g_value_set_string (value, self->error); break;
    case PROP_CHECKSUM: g_value_set_string (value, self->checksum); break;
    case PROP_RATE_LIMIT: g_value_set_int64 (value, self->rate_limit); break;
    case PROP_RETRIES: g_value_set_uint (value, self->retries); break;
    case PROP_CREATED: g_value_set_int64 (value, self->created); break;
    case PROP_STARTED: g_value_set_int64 (value, self->started); break;
    case PROP_FINISHED: g_value_set_int64 (value, self->finished); break;
    case PROP_CONNECTIONS: g_value_set_uint (value, self->connections); break;
    case PROP_REQUEST_CONTEXT: g_value_set_boxed (value, self->context); break;
    case PROP_START_AFTER: g_value_set_int64 (value, self->start_after); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haul_download_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  HaulDownload *self = HAUL_DOWNLOAD (object);

  switch (prop_id)
    {
    case PROP_URI:
      self->uri = g_value_dup_string (value);
      break;
    case PROP_DIRECTORY:
      self->directory = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Every batch of notifications (all the notifications queued while
 * notify was frozen, or a single one) ends with one ::changed. */
static void
haul_download_dispatch_properties_changed (GObject     *object,
                                           guint        n_pspecs,
                                           GParamSpec **pspecs)
{
  G_OBJECT_CLASS (haul_download_parent_class)->dispatch_properties_changed (object, n_pspecs, pspecs);
  g_signal_emit (object, signals[CHANGED], 0);
}

static void
haul_download_class_init (HaulDownloadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = haul_download_finalize;
  object_class->get_property = haul_download_get_property;
  object_class->set_property = haul_download_set_property;
  object_class->dispatch_properties_changed = haul_download_dispatch_properties_changed;

  properties[PROP_ID] = g_param_spec_uint64 ("id", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_URI] =
    g_param_spec_string ("uri", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FINAL_URI] = g_param_spec_string ("final-uri", NULL, NULL, NULL, ro);
  properties[PROP_DIRECTORY] =
    g_param_spec_string ("directory", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FILENAME] = g_param_spec_string ("filename", NULL, NULL, NULL, ro);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, HAUL_TYPE_DOWNLOAD_STATE, HAUL_DOWNLOAD_STATE_QUEUED, ro);
  properties[PROP_RECEIVED] = g_param_spec_int64 ("received", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_TOTAL] = g_param_spec_int64 ("total", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0, ro);
  properties[PROP_SPEED] = g_param_spec_double ("speed", NULL, NULL, 0, G_MAXDOUBLE, 0, ro);
  properties[PROP_ETA] = g_param_spec_int64 ("eta", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, ro);
  properties[PROP_CHECKSUM] = g_param_spec_string ("checksum", NULL, NULL, NULL, ro);
  properties[PROP_RATE_LIMIT] = g_param_spec_int64 ("rate-limit", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_RETRIES] = g_param_spec_uint ("retries", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_CREATED] = g_param_spec_int64 ("created", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_STARTED] = g_param_spec_int64 ("started", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_FINISHED] = g_param_spec_int64 ("finished", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_CONNECTIONS] = g_param_spec_uint ("connections", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_REQUEST_CONTEXT] =
    g_param_spec_boxed ("request-context", NULL, NULL, HAUL_TYPE_REQUEST_CONTEXT, ro);
  /* "Start at…": wall-clock µs since the epoch, 0: none (haul-queue-schedule.c). */
  properties[PROP_START_AFTER] = g_param_spec_int64 ("start-after", NULL, NULL, 0, G_MAXINT64, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * HaulDownload::changed:
   *
   * Some of the properties changed, as far as a person can see: emitted
   * once after each batch of notify emissions (one progress publication,
   * one state change). A view that shows several properties together
   * formats them here, once, rather than on every notify.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
haul_download_init (HaulDownload *self)
{
  self->id = next_id++;
  self->restored_part_size = -1;
  /* Always there (0 = unlimited), shared with every attempt, so a limit
   * set while one runs applies to it at once. */
  self->limiter = haul_rate_limiter_new (0);
  self->total = -1;
  self->eta = -1;
  self->created = g_get_real_time ();
}

guint64 haul_download_get_id (HaulDownload *self) { return self->id; }
const char *haul_download_get_uri (HaulDownload *self) { return self->uri; }
const char *haul_download_get_final_uri (HaulDownload *self) { return self->final_uri; }
const char *haul_download_get_directory (HaulDownload *self) { return self->directory; }
const char *haul_download_get_filename (HaulDownload *self) { return self->filename; }
HaulDownloadState haul_download_get_state (HaulDownload *self) { return self->state; }
gint64 haul_download_get_received (HaulDownload *self) { return self->received; }
gint64 haul_download_get_total (HaulDownload *self) { return self->total; }
gdouble haul_download_get_speed (HaulDownload *self) { return self->speed; }
gint64 haul_download_get_eta (HaulDownload *self) { return self->eta; }
const char *haul_download_get_error (HaulDownload *self) { return self->error; }
const char *haul_download_get_checksum (HaulDownload *self) { return self->checksum; }
gint64 haul_download_get_rate_limit (HaulDownload *self) { return self->rate_limit; }
guint haul_download_get_retries (HaulDownload *self) { return self->retries; }
gint64 haul_download_get_created (HaulDownload *self) { return self->created; }
gint64 haul_download_get_started (HaulDownload *self) { return self->started; }
gint64 haul_download_get_finished (HaulDownload *self) { return self->finished; }
/* "Start at…": wall-clock µs before which it does not start; 0 if none. */
gint64 haul_download_get_start_after (HaulDownload *self) { return self->start_after; }

/* The queue's "Start at…" (haul-queue-schedule.c): µs, 0 for none. */
void
_haul_download_set_start_after (HaulDownload *self,
                                gint64        start_after)
{
  if (self->start_after == start_after)
    return;
  self->start_after = start_after;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_START_AFTER]);
}

/**
 * haul_download_dup_path:
 *
 * Returns: (nullable): where the file is (or will be), once its name is known
 */
char *
haul_download_dup_path (HaulDownload *self)
{
  if (self->filename == NULL)
    return NULL;
  return g_build_filename (self->directory, self->filename, NULL);
}

gboolean
haul_download_is_active (HaulDownload *self)
{
  return self->state == HAUL_DOWNLOAD_STATE_CONNECTING ||
         self->state == HAUL_DOWNLOAD_STATE_DOWNLOADING ||
         self->state == HAUL_DOWNLOAD_STATE_VERIFYING;
}

gboolean
haul_download_is_finished (HaulDownload *self)
{
  return self->state == HAUL_DOWNLOAD_STATE_COMPLETED ||
         self->state == HAUL_DOWNLOAD_STATE_FAILED ||
         self->state == HAUL_DOWNLOAD_STATE_CANCELLED;
}

gdouble
haul_download_get_fraction (HaulDownload *self)
{
  if (self->state == HAUL_DOWNLOAD_STATE_COMPLETED)
    return 1.0;
  if (self->total <= 0)
    return 0.0;
  return CLAMP ((gdouble) self->received / self->total, 0.0, 1.0);
}

/**
 * haul_download_set_checksum:
 * @checksum: (nullable): "sha256:HEX" and the like, or %NULL for none
 *
 * Takes effect from the next attempt.
 */
gboolean
haul_download_set_checksum (HaulDownload  *self,
                            const char    *checksum,
                            GError       **error)
{
  GChecksumType type = G_CHECKSUM_SHA256;
  g_autofree char *hex = NULL;

  if (checksum != NULL && !haul_checksum_parse (checksum, &type, &hex, error))
    return FALSE;

  g_free (self->checksum_hex);
  self->checksum_hex = g_steal_pointer (&hex);
  self->checksum_type = type;
  if (g_strcmp0 (self->checksum, checksum) != 0)
    {
      g_free (self->checksum);
      self->checksum = g_strdup (checksum);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKSUM]);
    }
  return TRUE;
}

/**
 * haul_download_get_request_context:
 *
 * Returns: (transfer none) (nullable): the cookies, referrer, user agent
 *   and extra headers every request of this download carries (frozen)
 */
HaulRequestContext *
haul_download_get_request_context (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), NULL);
  return self->context;
}

/**
 * haul_download_set_request_context:
 * @context: (nullable): a context, frozen and kept; %NULL or an empty one for none
 *
 * Only while no attempt runs (a running attempt keeps the context it
 * started with): takes effect from the next attempt. A download in a
 * queue is saved by the queue (haul_queue_add_with_context()).
 *
 * Returns: %FALSE (and changes nothing) while an attempt runs
 */
/* Holds @context (frozen; %NULL or empty: none) and its stored text. */
static void
take_request_context (HaulDownload       *self,
                      HaulRequestContext *context)
{
  if (haul_request_context_is_empty (context))
    context = NULL;
  if (context == self->context)
    return;

  g_clear_pointer (&self->context, haul_request_context_unref);
  g_clear_pointer (&self->request_context, g_free);
  if (context != NULL)
    {
      haul_request_context_freeze (context);
      self->context = haul_request_context_ref (context);
      self->request_context = haul_request_context_to_string (context);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUEST_CONTEXT]);
}

gboolean
haul_download_set_request_context (HaulDownload       *self,
                                   HaulRequestContext *context)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), FALSE);

  if (haul_download_is_active (self))
    return FALSE;
  take_request_context (self, context);
  return TRUE;
}

/* What a person may do with a download in its present state; the window's
 * buttons and actions follow these, the queue accepts exactly these. */
gboolean
haul_download_can_pause (HaulDownload *self)
{
  switch (self->state)
    {
    case HAUL_DOWNLOAD_STATE_QUEUED:
    case HAUL_DOWNLOAD_STATE_CONNECTING:
    case HAUL_DOWNLOAD_STATE_DOWNLOADING:
    case HAUL_DOWNLOAD_STATE_VERIFYING:
      return TRUE;
    case HAUL_DOWNLOAD_STATE_COMPLETED:
    case HAUL_DOWNLOAD_STATE_PAUSED:
    case HAUL_DOWNLOAD_STATE_FAILED:
    case HAUL_DOWNLOAD_STATE_CANCELLED:
    default:
      return FALSE;
    }
}

gboolean
haul_download_can_resume (HaulDownload *self)
{
  return self->state == HAUL_DOWNLOAD_STATE_PAUSED;
}

gboolean
haul_download_can_cancel (HaulDownload *self)
{
  return haul_download_can_pause (self) || self->state == HAUL_DOWNLOAD_STATE_PAUSED;
}

gboolean
haul_download_can_retry (HaulDownload *self)
{
  return self->state == HAUL_DOWNLOAD_STATE_FAILED || self->state == HAUL_DOWNLOAD_STATE_CANCELLED;
}

const char *
haul_download_state_to_string (HaulDownloadState state)
{
  switch (state)
    {
    case HAUL_DOWNLOAD_STATE_QUEUED: return _("Queued");
    case HAUL_DOWNLOAD_STATE_CONNECTING: return _("Connecting");
    case HAUL_DOWNLOAD_STATE_DOWNLOADING: return _("Downloading");
    case HAUL_DOWNLOAD_STATE_VERIFYING: return _("Verifying");
    case HAUL_DOWNLOAD_STATE_COMPLETED: return _("Completed");
    case HAUL_DOWNLOAD_STATE_PAUSED: return _("Paused");
    case HAUL_DOWNLOAD_STATE_FAILED: return _("Failed");
    case HAUL_DOWNLOAD_STATE_CANCELLED: return _("Cancelled");
    default: return "?";
    }
}

/* ------------------------------------------------------------------ */
/* What a person sees of a value: its text in haul-format.c */

/* Whether @a and @b read differently once @format has made text of them. */
static gboolean
int_shown_differs (gint64   a,
                   gint64   b,
                   char  *(*format) (gint64))
{
  g_autofree char *ta = NULL;
  g_autofree char *tb = NULL;

  if (a == b)
    return FALSE;
  ta = format (a);
  tb = format (b);
  return !g_str_equal (ta, tb);
}

/* A row shows a speed only when it is above 0. */
static gboolean
speed_shown_differs (gdouble a,
                     gdouble b)
{
  g_autofree char *ta = NULL;
  g_autofree char *tb = NULL;

  if (a == b)
    return FALSE;
  if ((a > 0) != (b > 0))
    return TRUE;
  ta = haul_format_speed (a);
  tb = haul_format_speed (b);
  return !g_str_equal (ta, tb);
}

static gint64
fraction_shown (gdouble fraction)
{
  return (gint64) (fraction * FRACTION_STEPS);
}

static void
notify_fraction_if_shown (HaulDownload *self,
                          gdouble       old_fraction)
{
  if (fraction_shown (haul_download_get_fraction (self)) != fraction_shown (old_fraction))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
}

static void
set_string (HaulDownload  *self,
            char         **field,
            const char    *value,
            guint          prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
_haul_download_set_state (HaulDownload      *self,
                          HaulDownloadState  state)
{
  gdouble old_fraction = haul_download_get_fraction (self);

  if (self->state == state)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  self->state = state;
  if (state != HAUL_DOWNLOAD_STATE_PAUSED)
    _haul_download_set_auth_needed (self, HAUL_DOWNLOAD_AUTH_NONE, FALSE, NULL, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);

  if (state == HAUL_DOWNLOAD_STATE_CONNECTING && self->started == 0)
    {
      self->started = g_get_real_time ();
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STARTED]);
    }
  if (haul_download_is_finished (self))
    {
      self->finished = g_get_real_time ();
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINISHED]);
    }
  if (!haul_download_is_active (self))
    _haul_download_set_speed (self, 0, -1);
  notify_fraction_if_shown (self, old_fraction);
  g_object_thaw_notify (G_OBJECT (self));
}

void
_haul_download_set_progress (HaulDownload *self,
                             gint64        received,
                             gint64        total)
{
  gdouble old_fraction = haul_download_get_fraction (self);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->received != received)
    {
      gboolean shown = int_shown_differs (self->received, received, haul_format_size);

      self->received = received;
      if (shown)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECEIVED]);
    }
  if (self->total != total)
    {
      self->total = total;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
    }
  notify_fraction_if_shown (self, old_fraction);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * haul_download_get_connections:
 *
 * Returns: how many connections fetch the download now (0 when none)
 */
guint
haul_download_get_connections (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), 0);

  return self->connections;
}

void
_haul_download_set_connections (HaulDownload *self,
                                guint         connections)
{
  if (self->connections == connections)
    return;
  self->connections = connections;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTIONS]);
}

/**
 * haul_download_get_segments:
 *
 * The download's segment table: the live one while a segmented attempt
 * runs (any thread may read it: haul_segments_snapshot(),
 * haul_segments_copy_active()), else one made from the written ranges
 * saved by its last attempt.
 *
 * Returns: (transfer none) (nullable): the table, or %NULL when the
 *   download is not fetched in segments
 */
HaulSegments *
haul_download_get_segments (HaulDownload *self)
{
  g_autoptr(GArray) ranges = NULL;

  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), NULL);

  if (self->live_segments != NULL)
    return self->live_segments;
  if (self->saved_segments != NULL)
    return self->saved_segments;
  if (self->segments == NULL || self->total <= 0 ||
      !haul_segments_parse (self->segments, self->total, &ranges))
    return NULL;
  self->saved_segments = haul_segments_new (self->total, (const HaulRange *) ranges->data, ranges->len);
  return self->saved_segments;
}

/* @segments: (nullable): the running attempt's table */
void
_haul_download_set_live_segments (HaulDownload *self,
                                  HaulSegments *segments)
{
  if (self->live_segments == segments)
    return;
  g_clear_pointer (&self->live_segments, haul_segments_unref);
  if (segments != NULL)
    self->live_segments = haul_segments_ref (segments);
}

/* @text: (nullable): written ranges whose bytes are on disk */
void
_haul_download_set_segments_text (HaulDownload *self,
                                  const char   *text)
{
  if (g_strcmp0 (self->segments, text) == 0)
    return;
  g_free (self->segments);
  self->segments = g_strdup (text);
  g_clear_pointer (&self->saved_segments, haul_segments_unref);
}

void
_haul_download_set_speed (HaulDownload *self,
                          gdouble       speed,
                          gint64        eta)
{
  gboolean speed_shown = speed_shown_differs (self->speed, speed);
  gboolean eta_shown = int_shown_differs (self->eta, eta, haul_format_eta);

  /* The exact values are kept (the queue adds the speeds up); only what
   * a person would see change is notified. */
  self->speed = speed;
  self->eta = eta;
  g_object_freeze_notify (G_OBJECT (self));
  if (speed_shown)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEED]);
  if (eta_shown)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ETA]);
  g_object_thaw_notify (G_OBJECT (self));
}

void
_haul_download_set_filename (HaulDownload *self,
                             const char   *filename)
{
  set_string (self, &self->filename, filename, PROP_FILENAME);
}

/* A new link (haul-queue-relink.c): the queue re-keys its index first. */
void
_haul_download_set_uri (HaulDownload *self,
                        const char   *uri)
{
  set_string (self, &self->uri, uri, PROP_URI);
}

void
_haul_download_set_final_uri (HaulDownload *self,
                              const char   *final_uri)
{
  set_string (self, &self->final_uri, final_uri, PROP_FINAL_URI);
}

void
_haul_download_set_error (HaulDownload *self,
                          const char   *error)
{
  set_string (self, &self->error, error, PROP_ERROR);
}

void
_haul_download_set_retries (HaulDownload *self,
                            guint         retries)
{
  if (self->retries == retries)
    return;
  self->retries = retries;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRIES]);
}

void
_haul_download_set_rate_limit (HaulDownload *self,
                               gint64        rate_limit)
{
  rate_limit = MAX (rate_limit, 0);
  if (self->rate_limit == rate_limit)
    return;
  self->rate_limit = rate_limit;
  haul_rate_limiter_set_rate (self->limiter, rate_limit);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE_LIMIT]);
}

void
_haul_download_set_validators (HaulDownload *self,
                               const char   *etag,
                               const char   *last_modified,
                               const char   *content_type)
{
  g_free (self->etag);
  self->etag = g_strdup (etag);
  g_free (self->last_modified);
  self->last_modified = g_strdup (last_modified);
  g_free (self->content_type);
  self->content_type = g_strdup (content_type);
}

/**
 * _haul_download_to_record:
 * @position: its place in the queue
 *
 * What the store keeps of @self. A download stopped only because Haul quit
 * is saved as queued, so it starts again next time.
 */
HaulStoreRecord *
_haul_download_to_record (HaulDownload *self,
                          gint64        position)
{
  HaulStoreRecord *r = haul_store_record_new ();

#define TO_RECORD(name, kind, type, owner, dflt, min, max) \
  HAUL_DOWNLOAD_ONLY_##owner (r->name = HAUL_STORE_DUP_##kind (self->name);)
  HAUL_STORE_COLUMNS (TO_RECORD)
#undef TO_RECORD

  r->position = position;
  if (self->resume_on_start && self->state == HAUL_DOWNLOAD_STATE_PAUSED)
    r->state = HAUL_DOWNLOAD_STATE_QUEUED;
  return r;
}

/**
 * _haul_download_new_from_record:
 *
 * A download as it was saved; ids of new downloads continue above it. An
 * unfinished one remembers how long its .part must be, so a .part that
 * was lost or grew past the checkpoint is never appended to.
 */
HaulDownload *
_haul_download_new_from_record (const HaulStoreRecord *r)
{
  HaulDownload *self;
  g_autofree char *checksum = NULL;
  gint64 rate_limit;

  g_return_val_if_fail (r->uri != NULL && r->directory != NULL, NULL);

  self = g_object_new (HAUL_TYPE_DOWNLOAD, NULL);
#define FROM_RECORD(name, kind, type, owner, dflt, min, max)      \
  HAUL_DOWNLOAD_ONLY_##owner (HAUL_STORE_FREE_##kind (self->name); \
                              self->name = HAUL_STORE_DUP_##kind (r->name);)
  HAUL_STORE_COLUMNS (FROM_RECORD)
#undef FROM_RECORD

  /* The fix-ups: what a value needs beyond being copied. */
  next_id = MAX (next_id, r->id + 1);
  self->state = CLAMP ((int) r->state, HAUL_DOWNLOAD_STATE_QUEUED, HAUL_DOWNLOAD_STATE_CANCELLED);
  self->received = MAX (r->received, 0);
  checksum = g_steal_pointer (&self->checksum);
  if (checksum != NULL && !haul_download_set_checksum (self, checksum, NULL))
    g_message ("ignoring the saved checksum of %s: not valid", r->uri);
  if (self->request_context != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = g_steal_pointer (&self->request_context);
      g_autoptr(HaulRequestContext) context = haul_request_context_new_from_string (text, &error);

      if (context == NULL)
        g_message ("ignoring the saved request context of download %" G_GUINT64_FORMAT ": %s",
                   r->id, error->message);
      else
        take_request_context (self, context);
    }
  rate_limit = self->rate_limit;
  self->rate_limit = 0;
  if (rate_limit > 0)
    _haul_download_set_rate_limit (self, rate_limit);
  /* A segmented .part is checked against its written ranges instead
   * (they say what it holds; its size does not). */
  if (self->state != HAUL_DOWNLOAD_STATE_COMPLETED && self->filename != NULL && self->segments == NULL)
    self->restored_part_size = self->received;
  return self;
}

/**
 * haul_download_get_retry_at:
 *
 * Returns: the monotonic time (µs) of the next attempt while a retry
 *   waits, else 0
 */
gint64
haul_download_get_retry_at (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), 0);
  return self->retry_at;
}

/**
 * haul_download_get_retry_reason:
 *
 * Returns: (nullable): why the attempt before the latest retry failed,
 *   without the retry's count and delay (those are in the error text)
 */
const char *
haul_download_get_retry_reason (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), NULL);
  return self->retry_reason;
}

/* A retry waits until @at_us (0: none waits now) after @reason. Read by
 * polling (the terminal redraws on a timer): no notification. */
void
_haul_download_set_retry (HaulDownload *self,
                          const char   *reason,
                          gint64        at_us)
{
  if (reason != self->retry_reason)
    {
      g_free (self->retry_reason);
      self->retry_reason = g_strdup (reason);
    }
  self->retry_at = at_us;
}
