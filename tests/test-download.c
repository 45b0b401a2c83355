/* test-download.c — HaulDownload: its properties, what a person may do in
 * each state, when it notifies, and the names it shows
 *
 * No queue and no network: the engine's setters (haul-download-private.h)
 * are called directly, as the queue calls them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>

#include "haul-download-private.h"

/* ------------------------------------------------------------------ */
/* Notifications, recorded */

typedef struct
{
  GPtrArray *names;   /* of the properties notified, in order */
} Notes;

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           Notes      *notes)
{
  g_ptr_array_add (notes->names, g_strdup (pspec->name));
}

static void
notes_watch (Notes        *notes,
             HaulDownload *d)
{
  notes->names = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (d, "notify", G_CALLBACK (notify_cb), notes);
}

static void
notes_clear (Notes *notes)
{
  g_ptr_array_set_size (notes->names, 0);
}

static guint
notes_count (Notes      *notes,
             const char *name)
{
  guint n = 0;

  for (guint i = 0; i < notes->names->len; i++)
    if (g_str_equal (g_ptr_array_index (notes->names, i), name))
      n++;
  return n;
}

/* Exactly the properties named (NULL-terminated), each once, in any order. */
static void
notes_assert (Notes      *notes,
              const char *first,
              ...)
{
  va_list args;
  guint n = 0;

  va_start (args, first);
  for (const char *name = first; name != NULL; name = va_arg (args, const char *))
    {
      if (notes_count (notes, name) != 1)
        g_error ("“%s” notified %u times, not once", name, notes_count (notes, name));
      n++;
    }
  va_end (args);
  if (notes->names->len != n)
    {
      g_autofree char *all = NULL;

      g_ptr_array_add (notes->names, NULL);
      all = g_strjoinv (", ", (char **) notes->names->pdata);
      g_error ("expected %u notifications, got %u: %s", n, notes->names->len - 1, all);
    }
  notes_clear (notes);
}

/* ------------------------------------------------------------------ */
/* Properties */

static void
test_new (void)
{
  g_autoptr(HaulDownload) d = haul_download_new ("https://example.org/a/file.iso", "/tmp/where");
  g_autoptr(HaulDownload) e = haul_download_new ("https://example.org/b", "/tmp/where");
  gint64 before = g_get_real_time ();
  g_autoptr(HaulDownload) f = haul_download_new ("https://example.org/c", "/srv");
  gint64 after = g_get_real_time ();

  g_assert_cmpstr (haul_download_get_uri (d), ==, "https://example.org/a/file.iso");
  g_assert_cmpstr (haul_download_get_directory (d), ==, "/tmp/where");
  g_assert_cmpint (haul_download_get_state (d), ==, HAUL_DOWNLOAD_STATE_QUEUED);
  g_assert_null (haul_download_get_filename (d));
  g_assert_null (haul_download_get_final_uri (d));
  g_assert_null (haul_download_get_error (d));
  g_assert_null (haul_download_get_checksum (d));
  g_assert_null (haul_download_dup_path (d));
  g_assert_cmpint (haul_download_get_received (d), ==, 0);
  g_assert_cmpint (haul_download_get_total (d), ==, -1);
  g_assert_cmpfloat (haul_download_get_fraction (d), ==, 0.0);
  g_assert_cmpfloat (haul_download_get_speed (d), ==, 0.0);
  g_assert_cmpint (haul_download_get_eta (d), ==, -1);
  g_assert_cmpint (haul_download_get_rate_limit (d), ==, 0);
  g_assert_cmpuint (haul_download_get_retries (d), ==, 0);
  g_assert_cmpint (haul_download_get_started (d), ==, 0);
  g_assert_cmpint (haul_download_get_finished (d), ==, 0);

  /* Ids grow; creation is stamped with the wall clock. */
  g_assert_cmpuint (haul_download_get_id (e), >, haul_download_get_id (d));
  g_assert_cmpuint (haul_download_get_id (f), >, haul_download_get_id (e));
  g_assert_cmpint (haul_download_get_created (f), >=, before);
  g_assert_cmpint (haul_download_get_created (f), <=, after);
}

/* Every property reads the same through GObject as through its getter. */
static void
test_properties (void)
{
  g_autoptr(HaulDownload) d = haul_download_new ("https://example.org/x", "/tmp");
  g_autofree char *uri = NULL, *final_uri = NULL, *directory = NULL, *filename = NULL;
  g_autofree char *error = NULL, *checksum = NULL;
  HaulDownloadState state;
  gint64 received, total, eta, rate_limit, created, started, finished;
  gdouble fraction, speed;
  guint64 id;
  guint retries;
  const char *sum = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_CONNECTING);
  _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_DOWNLOADING);
  _haul_download_set_final_uri (d, "https://mirror.example.org/x");
  _haul_download_set_filename (d, "x.tar.gz");
  _haul_download_set_progress (d, 250, 1000);
  _haul_download_set_speed (d, 50.0, 15);
  _haul_download_set_error (d, "Connection reset");
  _haul_download_set_retries (d, 3);
  _haul_download_set_rate_limit (d, 4096);
  g_assert_true (haul_download_set_checksum (d, sum, NULL));

  g_object_get (d, "id", &id, "uri", &uri, "final-uri", &final_uri, "directory", &directory,
                "filename", &filename, "state", &state, "received", &received, "total", &total,
                "fraction", &fraction, "speed", &speed, "eta", &eta, "error", &error,
                "checksum", &checksum, "rate-limit", &rate_limit, "retries", &retries,
                "created", &created, "started", &started, "finished", &finished, NULL);

  g_assert_cmpuint (id, ==, haul_download_get_id (d));
  g_assert_cmpstr (uri, ==, "https://example.org/x");
  g_assert_cmpstr (final_uri, ==, "https://mirror.example.org/x");
  g_assert_cmpstr (directory, ==, "/tmp");
  g_assert_cmpstr (filename, ==, "x.tar.gz");
  g_assert_cmpint (state, ==, HAUL_DOWNLOAD_STATE_DOWNLOADING);
  g_assert_cmpint (received, ==, 250);
  g_assert_cmpint (total, ==, 1000);
  g_assert_cmpfloat_with_epsilon (fraction, 0.25, 1e-9);
  g_assert_cmpfloat (speed, ==, 50.0);
  g_assert_cmpint (eta, ==, 15);
  g_assert_cmpstr (error, ==, "Connection reset");
  g_assert_cmpstr (checksum, ==, sum);
  g_assert_cmpint (rate_limit, ==, 4096);
  g_assert_cmpuint (retries, ==, 3);
  g_assert_cmpint (created, ==, haul_download_get_created (d));
  g_assert_cmpint (started, >=, created);
  g_assert_cmpint (finished, ==, 0);
}

static void
test_fraction (void)
{
  g_autoptr(HaulDownload) d = haul_download_new ("https://example.org/x", "/tmp");

  /* Unknown size: no fraction, however much arrived. */
  _haul_download_set_progress (d, 5000, -1);
  g_assert_cmpfloat (haul_download_get_fraction (d), ==, 0.0);
  _haul_download_set_progress (d, 5000, 0);
  g_assert_cmpfloat (haul_download_get_fraction (d), ==, 0.0);

  _haul_download_set_progress (d, 1, 3);
  g_assert_cmpfloat_with_epsilon (haul_download_get_fraction (d), 1.0 / 3, 1e-9);

  /* A server that sent more than it announced never shows past 100 %. */
  _haul_download_set_progress (d, 4000, 3000);
  g_assert_cmpfloat (haul_download_get_fraction (d), ==, 1.0);

  /* Completed is whole even when the size was never known. */
  _haul_download_set_progress (d, 10, -1);
  _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  g_assert_cmpfloat (haul_download_get_fraction (d), ==, 1.0);
}

/* ------------------------------------------------------------------ */
/* State predicates */

static void
test_predicates (void)
{
  const struct {
    HaulDownloadState state;
    gboolean pause, resume, cancel, retry, active, finished;
  } table[] = {
    { HAUL_DOWNLOAD_STATE_QUEUED,      TRUE,  FALSE, TRUE,  FALSE, FALSE, FALSE },
    { HAUL_DOWNLOAD_STATE_CONNECTING,  TRUE,  FALSE, TRUE,  FALSE, TRUE,  FALSE },
    { HAUL_DOWNLOAD_STATE_DOWNLOADING, TRUE,  FALSE, TRUE,  FALSE, TRUE,  FALSE },
    { HAUL_DOWNLOAD_STATE_VERIFYING,   TRUE,  FALSE, TRUE,  FALSE, TRUE,  FALSE },
    { HAUL_DOWNLOAD_STATE_COMPLETED,   FALSE, FALSE, FALSE, FALSE, FALSE, TRUE  },
    { HAUL_DOWNLOAD_STATE_PAUSED,      FALSE, TRUE,  TRUE,  FALSE, FALSE, FALSE },
    { HAUL_DOWNLOAD_STATE_FAILED,      FALSE, FALSE, FALSE, TRUE,  FALSE, TRUE  },
    { HAUL_DOWNLOAD_STATE_CANCELLED,   FALSE, FALSE, FALSE, TRUE,  FALSE, TRUE  },
  };
  g_autoptr(GEnumClass) states = g_type_class_ref (HAUL_TYPE_DOWNLOAD_STATE);

  /* Every state is in the table. */
  g_assert_cmpuint (states->n_values, ==, G_N_ELEMENTS (table));

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autoptr(HaulDownload) d = haul_download_new ("https://example.org/x", "/tmp");

      _haul_download_set_state (d, table[i].state);
      g_test_message ("%s", g_enum_get_value (states, table[i].state)->value_nick);
      g_assert_cmpint (haul_download_get_state (d), ==, table[i].state);
      g_assert_cmpint (haul_download_can_pause (d), ==, table[i].pause);
      g_assert_cmpint (haul_download_can_resume (d), ==, table[i].resume);
      g_assert_cmpint (haul_download_can_cancel (d), ==, table[i].cancel);
      g_assert_cmpint (haul_download_can_retry (d), ==, table[i].retry);
      g_assert_cmpint (haul_download_is_active (d), ==, table[i].active);
      g_assert_cmpint (haul_download_is_finished (d), ==, table[i].finished);
    }
}

/* ------------------------------------------------------------------ */
/* Notifications */

/* A setter notifies what changed, once, and nothing when nothing did. */
static void
test_notify_setters (void)
{
  g_autoptr(HaulDownload) d = haul_download_new ("https://example.org/x", "/tmp");
  Notes notes;

  notes_watch (&notes, d);

  _haul_download_set_progress (d, 100, 1000);
  notes_assert (&notes, "received", "total", "fraction", NULL);
  _haul_download_set_progress (d, 100, 1000);
  notes_assert (&notes, NULL);
  _haul_download_set_progress (d, 200, 1000);
  notes_assert (&notes, "received", "fraction", NULL);
  /* A size learnt at last, with the fraction unchanged (unknown stays 0). */
  _haul_download_set_progress (d, 0, -1);
  notes_clear (&notes);
  _haul_download_set_progress (d, 0, 500);
  notes_assert (&notes, "total", NULL);

  _haul_download_set_speed (d, 10.0, 50);
  notes_assert (&notes, "speed", "eta", NULL);
  _haul_download_set_speed (d, 10.0, 50);
  notes_assert (&notes, NULL);
  _haul_download_set_speed (d, 10.0, 49);
  notes_assert (&notes, "eta", NULL);

  _haul_download_set_filename (d, "x.bin");
  notes_assert (&notes, "filename", NULL);
  _haul_download_set_filename (d, "x.bin");
  notes_assert (&notes, NULL);
  _haul_download_set_final_uri (d, "https://example.org/y");
  notes_assert (&notes, "final-uri", NULL);
  _haul_download_set_error (d, "Timed out");
  notes_assert (&notes, "error", NULL);
  _haul_download_set_error (d, "Timed out");
  notes_assert (&notes, NULL);
  _haul_download_set_error (d, NULL);
  notes_assert (&notes, "error", NULL);
  g_assert_null (haul_download_get_error (d));

  _haul_download_set_retries (d, 1);
  notes_assert (&notes, "retries", NULL);
  _haul_download_set_retries (d, 1);
  notes_assert (&notes, NULL);

  /* A negative limit is no limit: already the case, so nothing changes. */
  _haul_download_set_rate_limit (d, -5);
  notes_assert (&notes, NULL);
  g_assert_cmpint (haul_download_get_rate_limit (d), ==, 0);
  _haul_download_set_rate_limit (d, 1000);
  notes_assert (&notes, "rate-limit", NULL);

  /* Validators are for the engine, not for a person: no notification. */
  _haul_download_set_validators (d, "\"v1\"", "Mon, 01 Jan 2024 00:00:00 GMT", "text/plain");
  notes_assert (&notes, NULL);

  g_ptr_array_unref (notes.names);
}

static void
test_notify_checksum (void)
{
  g_autoptr(HaulDownload) d = haul_download_new ("https://example.org/x", "/tmp");
  g_autoptr(GError) error = NULL;
  const char *sum = "md5:d41d8cd98f00b204e9800998ecf8427e";
  Notes notes;

  notes_watch (&notes, d);

  /* Refused: nothing changes. */
  g_assert_false (haul_download_set_checksum (d, "crc32:00000000", &error));
  g_assert_nonnull (error);
  g_assert_null (haul_download_get_checksum (d));
  notes_assert (&notes, NULL);

  g_assert_true (haul_download_set_checksum (d, sum, NULL));
  notes_assert (&notes, "checksum", NULL);
  g_assert_cmpstr (haul_download_get_checksum (d), ==, sum);
  g_assert_true (haul_download_set_checksum (d, sum, NULL));
  notes_assert (&notes, NULL);
  g_assert_true (haul_download_set_checksum (d, NULL, NULL));
  notes_assert (&notes, "checksum", NULL);
  g_assert_null (haul_download_get_checksum (d));

  g_ptr_array_unref (notes.names);
}

/* A change of state notifies what follows from it, in one batch. */
static void
test_notify_state (void)
{
  g_autoptr(HaulDownload) d = haul_download_new ("https://example.org/x", "/tmp");
  gint64 started;
  Notes notes;

  notes_watch (&notes, d);

  _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_QUEUED);
  notes_assert (&notes, NULL);

  /* The first connection stamps "started"; later ones do not move it. */
  _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_CONNECTING);
  notes_assert (&notes, "state", "started", NULL);
  started = haul_download_get_started (d);
  g_assert_cmpint (started, >, 0);

  _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_DOWNLOADING);
  _haul_download_set_progress (d, 300, 1000);
  _haul_download_set_speed (d, 100.0, 7);
  notes_clear (&notes);

  /* Paused: no longer moving, so speed and ETA go back to nothing. */
  _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_PAUSED);
  notes_assert (&notes, "state", "speed", "eta", NULL);
  g_assert_cmpfloat (haul_download_get_speed (d), ==, 0.0);
  g_assert_cmpint (haul_download_get_eta (d), ==, -1);

  _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_CONNECTING);
  notes_assert (&notes, "state", NULL);
  g_assert_cmpint (haul_download_get_started (d), ==, started);

  /* Completed: finished is stamped and the fraction jumps to 1. */
  _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  notes_assert (&notes, "state", "finished", "fraction", NULL);
  g_assert_cmpint (haul_download_get_finished (d), >=, started);
  g_assert_cmpfloat (haul_download_get_fraction (d), ==, 1.0);

  g_ptr_array_unref (notes.names);
}

/* ------------------------------------------------------------------ */
/* Names */

/* Each state has its own name for a person (English under the tests'
 * C.UTF-8 without translations). */
static void
test_state_names (void)
{
  const char *expected[] = {
    [HAUL_DOWNLOAD_STATE_QUEUED] = "Queued",
    [HAUL_DOWNLOAD_STATE_CONNECTING] = "Connecting",
    [HAUL_DOWNLOAD_STATE_DOWNLOADING] = "Downloading",
    [HAUL_DOWNLOAD_STATE_VERIFYING] = "Verifying",
    [HAUL_DOWNLOAD_STATE_COMPLETED] = "Completed",
    [HAUL_DOWNLOAD_STATE_PAUSED] = "Paused",
    [HAUL_DOWNLOAD_STATE_FAILED] = "Failed",
    [HAUL_DOWNLOAD_STATE_CANCELLED] = "Cancelled",
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (haul_download_state_to_string (i), ==, expected[i]);
  g_assert_cmpstr (haul_download_state_to_string (G_N_ELEMENTS (expected)), ==, "?");
}

/* The name a download is saved and shown under: none until the server's
 * answer chose one, then the folder and that name. */
static void
test_path (void)
{
  g_autoptr(HaulDownload) d = haul_download_new ("https://example.org/dl?id=7", "/home/me/Downloads");
  g_autofree char *path = NULL;

  g_assert_null (haul_download_get_filename (d));
  g_assert_null (haul_download_dup_path (d));

  _haul_download_set_filename (d, "report (2).pdf");
  path = haul_download_dup_path (d);
  g_assert_cmpstr (path, ==, "/home/me/Downloads/report (2).pdf");
  g_assert_cmpstr (haul_download_get_filename (d), ==, "report (2).pdf");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haul/core/download/new", test_new);
  g_test_add_func ("/haul/core/download/properties", test_properties);
  g_test_add_func ("/haul/core/download/fraction", test_fraction);
  g_test_add_func ("/haul/core/download/predicates", test_predicates);
  g_test_add_func ("/haul/core/download/notify-setters", test_notify_setters);
  g_test_add_func ("/haul/core/download/notify-checksum", test_notify_checksum);
  g_test_add_func ("/haul/core/download/notify-state", test_notify_state);
  g_test_add_func ("/haul/core/download/state-names", test_state_names);
  g_test_add_func ("/haul/core/download/path", test_path);

  return g_test_run ();
}
