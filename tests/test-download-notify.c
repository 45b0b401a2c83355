/* test-download-notify.c — a download notifies what a person would see change
 *
 * Counts notifications of HaulDownload while its private setters are fed
 * the way the queue feeds them: received, speed and eta are notified only
 * when their text changes, the fraction when a bar would move, and each
 * batch of notifications ends with exactly one ::changed (what a row
 * formats its text on).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-download-notify"

#include "config.h"

#include <string.h>

#include "haul-download-private.h"
#include "haul-format.h"

#define MB 1000000

typedef struct
{
  guint  n_received;
  guint  n_fraction;
  guint  n_speed;
  guint  n_eta;
  guint  n_total;
  guint  n_state;
  guint  n_notify;
  guint  n_changed;
  char  *last_received_text;  /* what a view showed at the last notify */
  guint  n_received_unchanged; /* notifications whose text had not changed */
} Counts;

static void
notify_cb (HaulDownload *d,
           GParamSpec   *pspec,
           Counts       *c)
{
  const char *name = pspec->name;

  c->n_notify++;
  if (g_str_equal (name, "received"))
    {
      g_autofree char *text = haul_format_size (haul_download_get_received (d));

      c->n_received++;
      if (g_strcmp0 (text, c->last_received_text) == 0)
        c->n_received_unchanged++;
      g_free (c->last_received_text);
      c->last_received_text = g_steal_pointer (&text);
    }
  else if (g_str_equal (name, "fraction"))
    c->n_fraction++;
  else if (g_str_equal (name, "speed"))
    c->n_speed++;
  else if (g_str_equal (name, "eta"))
    c->n_eta++;
  else if (g_str_equal (name, "total"))
    c->n_total++;
  else if (g_str_equal (name, "state"))
    c->n_state++;
}

static void
changed_cb (HaulDownload *d,
            Counts       *c)
{
  c->n_changed++;
}

static HaulDownload *
new_counted (Counts *c)
{
  HaulDownload *d = haul_download_new ("https://example.com/file.iso", "/tmp");

  *c = (Counts) { 0 };
  c->last_received_text = haul_format_size (0);
  g_signal_connect (d, "notify", G_CALLBACK (notify_cb), c);
  g_signal_connect (d, "changed", G_CALLBACK (changed_cb), c);
  return d;
}

static void
counts_clear (Counts *c)
{
  g_free (c->last_received_text);
}

/* How many times the text of a size changes from 0 to @to in @step steps. */
static guint
count_size_texts (gint64 to,
                  gint64 step)
{
  g_autofree char *last = haul_format_size (0);
  guint n = 0;

  for (gint64 r = step; r <= to; r += step)
    {
      g_autofree char *text = haul_format_size (r);

      if (!g_str_equal (text, last))
        {
          n++;
          g_free (last);
          last = g_steal_pointer (&text);
        }
    }
  return n;
}

/* 100 MB in 4 kB publications: 25 000 publications, but received is
 * notified only when "12.3 MB" changes, and the fraction in 1000 steps. */
static void
test_progress (void)
{
  const gint64 total = 100 * MB, step = 4000;
  Counts c;
  g_autoptr(HaulDownload) d = new_counted (&c);
  guint n_publications = 0;

  _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_DOWNLOADING);
  _haul_download_set_progress (d, 0, total);
  c.n_changed = c.n_notify = 0;

  for (gint64 r = step; r <= total; r += step)
    {
      _haul_download_set_progress (d, r, total);
      n_publications++;
      g_assert_cmpint (haul_download_get_received (d), ==, r); /* exact */
    }

  g_assert_cmpuint (n_publications, ==, 25000);
  g_assert_cmpuint (c.n_received, ==, count_size_texts (total, step));
  g_assert_cmpuint (c.n_received_unchanged, ==, 0);
  /* 250 texts below 1 MB ("4.0 kB" … "996.0 kB"), then one per 100 kB. */
  g_assert_cmpuint (c.n_received, <, 1300);
  g_assert_cmpuint (c.n_fraction, ==, 1000);
  /* One ::changed per publication that changed something visible. */
  g_assert_cmpuint (c.n_changed, <=, c.n_received + c.n_fraction);
  g_assert_cmpuint (c.n_changed, <, n_publications / 10);
  g_assert_cmpfloat (haul_download_get_fraction (d), ==, 1.0);
  counts_clear (&c);
}

/* A steady speed that jitters by a few bytes a second is not news; a new
 * displayed speed, a speed dropping to 0 and a new time left are. */
static void
test_speed_and_eta (void)
{
  Counts c;
  g_autoptr(HaulDownload) d = new_counted (&c);

  _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_DOWNLOADING);
  c.n_speed = c.n_eta = 0;

  _haul_download_set_speed (d, 1230000, 100);
  g_assert_cmpuint (c.n_speed, ==, 1);
  g_assert_cmpuint (c.n_eta, ==, 1);

  for (int i = 0; i < 100; i++)
    _haul_download_set_speed (d, 1230000 + (i % 7) * 100 - 300, 100);
  g_assert_cmpuint (c.n_speed, ==, 1);
  g_assert_cmpuint (c.n_eta, ==, 1);
  g_assert_cmpfloat (haul_download_get_speed (d), !=, 1230000); /* exact */

  _haul_download_set_speed (d, 2500000, 100);
  g_assert_cmpuint (c.n_speed, ==, 2);

  /* 30 minutes counted down second by second: "30 minutes left" … "1
   * minute left", then each second. */
  c.n_eta = 0;
  for (gint64 eta = 1800; eta >= 0; eta--)
    _haul_download_set_speed (d, 2500000, eta);
  g_assert_cmpint (haul_download_get_eta (d), ==, 0);
  g_assert_cmpuint (c.n_eta, <=, 30 + 60);
  g_assert_cmpuint (c.n_eta, >=, 29 + 59);

  _haul_download_set_speed (d, 0, -1);
  g_assert_cmpuint (c.n_speed, ==, 3);
  counts_clear (&c);
}

/* A publication (as the queue makes one: notify frozen around it) ends
 * with one ::changed, however many properties it changed. */
static void
test_one_changed_per_publication (void)
{
  Counts c;
  g_autoptr(HaulDownload) d = new_counted (&c);

  g_object_freeze_notify (G_OBJECT (d));
  _haul_download_set_filename (d, "file.iso");
  _haul_download_set_progress (d, 5 * MB, 10 * MB);
  _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_DOWNLOADING);
  _haul_download_set_speed (d, 1 * MB, 5);
  g_assert_cmpuint (c.n_changed, ==, 0);
  g_object_thaw_notify (G_OBJECT (d));

  g_assert_cmpuint (c.n_notify, >=, 6);
  g_assert_cmpuint (c.n_changed, ==, 1);

  /* Nothing visible changed: no notification, no ::changed. */
  c.n_notify = c.n_changed = 0;
  g_object_freeze_notify (G_OBJECT (d));
  _haul_download_set_progress (d, 5 * MB + 10, 10 * MB);
  _haul_download_set_speed (d, 1 * MB + 10, 5);
  g_object_thaw_notify (G_OBJECT (d));
  g_assert_cmpuint (c.n_notify, ==, 0);
  g_assert_cmpuint (c.n_changed, ==, 0);

  /* A single change outside a batch: one ::changed too. */
  _haul_download_set_error (d, "Not Found (404)");
  g_assert_cmpuint (c.n_changed, ==, 1);
  counts_clear (&c);
}

/* ::changed comes even when nobody listens to notify (a row connects to
 * ::changed only). */
static void
test_changed_without_notify_handlers (void)
{
  g_autoptr(HaulDownload) d = haul_download_new ("https://example.com/a", "/tmp");
  Counts c = { 0 };

  g_signal_connect (d, "changed", G_CALLBACK (changed_cb), &c);
  _haul_download_set_state (d, HAUL_DOWNLOAD_STATE_CONNECTING);
  g_assert_cmpuint (c.n_changed, ==, 1);
  _haul_download_set_progress (d, 2 * MB, 4 * MB);
  g_assert_cmpuint (c.n_changed, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haul/core/download/notify/progress", test_progress);
  g_test_add_func ("/haul/core/download/notify/speed-and-eta", test_speed_and_eta);
  g_test_add_func ("/haul/core/download/notify/one-changed-per-publication",
                   test_one_changed_per_publication);
  g_test_add_func ("/haul/core/download/notify/changed-without-notify-handlers",
                   test_changed_without_notify_handlers);

  return g_test_run ();
}
