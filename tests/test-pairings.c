/* test-pairings.c — the one-time code, tokens, their file, revoking
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "haul-pairings.h"
#include "haul-test-server.h"

typedef struct
{
  char         *dir;
  char         *path;
  HaulPairings *pairings;
  gint64        now;       /* the fake clock, µs */
  guint         changed;
} Fixture;

static gint64
fake_clock (gpointer user_data)
{
  Fixture *f = user_data;

  return f->now;
}

static void
changed_cb (HaulPairings *pairings,
            Fixture      *f)
{
  f->changed++;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = haul_test_make_tmp_dir ();
  f->path = g_build_filename (f->dir, "config", "haul", "browsers.ini", NULL);
  f->pairings = haul_pairings_new (f->path);
  f->now = 1000 * G_USEC_PER_SEC;
  haul_pairings_set_clock (f->pairings, fake_clock, f);
  g_signal_connect (f->pairings, "changed", G_CALLBACK (changed_cb), f);
  haul_pairings_load (f->pairings);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  /* A "changed" still on its way (an idle holding a reference) must not
   * reach the next test's fixture. */
  g_signal_handlers_disconnect_by_data (f->pairings, f);
  g_clear_object (&f->pairings);
  g_free (f->path);
  g_free (f->dir);
}

static void
wait_changed (Fixture *f,
              guint    count)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (f->changed < count && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (f->changed, ==, count);
}

static char *
pair (Fixture    *f,
      const char *browser)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = haul_pairings_dup_code (f->pairings, NULL);
  char *token = haul_pairings_pair (f->pairings, code, browser, NULL, &error);

  g_assert_no_error (error);
  return token;
}

static void
test_code (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 expires;
  g_autofree char *code = haul_pairings_dup_code (f->pairings, &expires);
  g_autofree char *again = haul_pairings_dup_code (f->pairings, NULL);
  g_autofree char *lower = g_ascii_strdown (code, -1);
  g_autofree char *token = NULL;
  g_autofree char *id = NULL;
  g_autofree char *reuse = NULL;

  g_assert_cmpuint (strlen (code), ==, HAUL_PAIRING_CODE_LENGTH);
  for (const char *p = code; *p != '\0'; p++)
    g_assert_nonnull (strchr (HAUL_PAIRING_CODE_ALPHABET, *p));
  g_assert_cmpint (expires, ==, f->now + 5 * G_TIME_SPAN_MINUTE);
  g_assert_cmpstr (again, ==, code);   /* the same while it is shown */

  /* Case-insensitive; a token of 43 base64url characters. */
  token = haul_pairings_pair (f->pairings, lower, "Firefox", &id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (token), ==, 43);
  for (const char *p = token; *p != '\0'; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
  g_assert_cmpuint (strlen (id), ==, 16);
  {
    g_autofree char *browser = haul_pairings_check_token (f->pairings, token);

    g_assert_cmpstr (browser, ==, "Firefox");
  }

  /* Used once. */
  reuse = haul_pairings_pair (f->pairings, code, "Evil", NULL, &error);
  g_assert_null (reuse);
  g_assert_error (error, HAUL_PAIRINGS_ERROR, HAUL_PAIRINGS_ERROR_NO_CODE);
  wait_changed (f, 1);

  /* A new code after that, and "New Code" makes another. */
  {
    g_autofree char *next = haul_pairings_dup_code (f->pairings, NULL);
    g_autofree char *newer = NULL;

    haul_pairings_new_code (f->pairings);
    newer = haul_pairings_dup_code (f->pairings, NULL);
    g_assert_cmpuint (strlen (newer), ==, HAUL_PAIRING_CODE_LENGTH);
    /* 31^6 codes: the same one twice in a row would be a broken generator. */
    g_assert_cmpstr (next, !=, newer);
  }

  /* No code while Preferences shows none. */
  haul_pairings_clear_code (f->pairings);
  g_clear_error (&error);
  g_assert_null (haul_pairings_pair (f->pairings, code, "Firefox", NULL, &error));
  g_assert_error (error, HAUL_PAIRINGS_ERROR, HAUL_PAIRINGS_ERROR_NO_CODE);
}

static void
test_codes_spread (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint letters[256] = { 0 };

  for (guint i = 0; i < 2000; i++)
    {
      char *code;

      haul_pairings_new_code (f->pairings);
      code = haul_pairings_dup_code (f->pairings, NULL);
      for (const char *p = code; *p != '\0'; p++)
        letters[(guchar) *p]++;
      g_hash_table_add (seen, code);
    }
  g_assert_cmpuint (g_hash_table_size (seen), >=, 1995);
  /* Every letter of the alphabet turns up, none of 0 O 1 I L. */
  for (const char *p = HAUL_PAIRING_CODE_ALPHABET; *p != '\0'; p++)
    g_assert_cmpuint (letters[(guchar) *p], >, 200);
  for (const char *p = "0O1IL"; *p != '\0'; p++)
    g_assert_cmpuint (letters[(guchar) *p], ==, 0);
}

static void
test_expiry (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = haul_pairings_dup_code (f->pairings, NULL);
  g_autofree char *next = NULL;

  f->now += 5 * G_TIME_SPAN_MINUTE - 1;
  haul_pairings_set_clock (f->pairings, fake_clock, f);
  {
    g_autofree char *still = haul_pairings_dup_code (f->pairings, NULL);

    g_assert_cmpstr (still, ==, code);
  }
  f->now += 1;
  g_assert_null (haul_pairings_pair (f->pairings, code, "Firefox", NULL, &error));
  g_assert_error (error, HAUL_PAIRINGS_ERROR, HAUL_PAIRINGS_ERROR_NO_CODE);
  next = haul_pairings_dup_code (f->pairings, NULL);
  g_assert_cmpstr (next, !=, code);
}

static void
test_wrong_tries (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = haul_pairings_dup_code (f->pairings, NULL);
  g_autofree char *wrong = g_strdup (code);
  g_autofree char *token = NULL;

  wrong[0] = wrong[0] == '2' ? '3' : '2';
  /* Four wrong ones, then the right one: paired. */
  for (guint i = 0; i < HAUL_PAIRING_MAX_TRIES - 1; i++)
    {
      g_assert_null (haul_pairings_pair (f->pairings, wrong, "Firefox", NULL, &error));
      g_assert_error (error, HAUL_PAIRINGS_ERROR, HAUL_PAIRINGS_ERROR_WRONG_CODE);
      g_clear_error (&error);
    }
  token = haul_pairings_pair (f->pairings, code, "Firefox", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  wait_changed (f, 1);

  /* Five wrong ones burn the code: the right one no longer works. */
  g_free (code);
  code = haul_pairings_dup_code (f->pairings, NULL);
  g_free (wrong);
  wrong = g_strdup ("ZZZZZZ");
  if (strcmp (code, wrong) == 0)
    wrong[0] = 'Y';
  for (guint i = 0; i < HAUL_PAIRING_MAX_TRIES; i++)
    {
      g_assert_null (haul_pairings_pair (f->pairings, wrong, "Evil", NULL, &error));
      g_clear_error (&error);
    }
  g_assert_null (haul_pairings_pair (f->pairings, code, "Evil", NULL, &error));
  g_assert_error (error, HAUL_PAIRINGS_ERROR, HAUL_PAIRINGS_ERROR_NO_CODE);
  wait_changed (f, 2);  /* Preferences hears it and shows a new code */
  {
    g_autoptr(GPtrArray) list = haul_pairings_list (f->pairings);

    g_assert_cmpuint (list->len, ==, 1);
  }
}

static void
test_names (Fixture       *f,
            gconstpointer  data)
{
  const char *bad[] = { "", "Fire\nfox", "a\x7f", "12345678901234567890123456789012345678901234567890123456789012345" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *code = haul_pairings_dup_code (f->pairings, NULL);

      g_assert_null (haul_pairings_pair (f->pairings, code, bad[i], NULL, &error));
      g_assert_error (error, HAUL_PAIRINGS_ERROR, HAUL_PAIRINGS_ERROR_INVALID);
    }
}

static void
test_file (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *token = pair (f, "Chromium");
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
  g_autofree char *text = NULL;
  g_autoptr(HaulPairings) again = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *browser = NULL;
  GStatBuf st;

  g_assert_true (g_file_get_contents (f->path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, hash));
  g_assert_null (strstr (text, token));
  g_assert_nonnull (strstr (text, "Chromium"));
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* Another start reads it back. */
  again = haul_pairings_new (f->path);
  haul_pairings_load (again);
  browser = haul_pairings_check_token (again, token);
  g_assert_cmpstr (browser, ==, "Chromium");
  list = haul_pairings_list (again);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((HaulPairing *) list->pdata[0])->browser, ==, "Chromium");
  g_assert_cmpint (ABS (((HaulPairing *) list->pdata[0])->paired - g_get_real_time () / G_USEC_PER_SEC), <, 60);
  g_assert_null (haul_pairings_check_token (again, "not-a-token"));
  g_assert_null (haul_pairings_check_token (again, hash));   /* the hash is not a token */
  g_assert_null (haul_pairings_check_token (again, ""));
}

static void
test_revoke (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *first = pair (f, "Firefox");
  g_autofree char *second = pair (f, "Chromium");
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, first, -1);
  g_autoptr(GPtrArray) list = haul_pairings_list (f->pairings);
  g_autofree char *text = NULL;
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  HaulPairing *firefox = list->pdata[0];

  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (firefox->browser, ==, "Firefox");
  wait_changed (f, 1);
  g_assert_true (haul_pairings_revoke (f->pairings, firefox->id));
  g_assert_false (haul_pairings_revoke (f->pairings, firefox->id));
  g_assert_false (haul_pairings_revoke (f->pairings, "0000000000000000"));

  /* At once for the endpoint, then in the file (written on GLib's pool). */
  g_assert_null (haul_pairings_check_token (f->pairings, first));
  {
    g_autofree char *browser = haul_pairings_check_token (f->pairings, second);

    g_assert_cmpstr (browser, ==, "Chromium");
  }
  wait_changed (f, 2);
  do
    {
      g_clear_pointer (&text, g_free);
      g_assert_true (g_file_get_contents (f->path, &text, NULL, NULL));
      if (strstr (text, hash) != NULL)
        g_usleep (10000);
    }
  while (strstr (text, hash) != NULL && g_get_monotonic_time () < end);
  g_assert_null (strstr (text, hash));
  g_assert_nonnull (strstr (text, "Chromium"));
}

static void
load_hostile (Fixture    *f,
              const char *content,
              gssize      len,
              guint       expected)
{
  g_autoptr(HaulPairings) pairings = haul_pairings_new (f->path);
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *dir = g_path_get_dirname (f->path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (f->path, content, len, NULL));
  haul_pairings_load (pairings);
  list = haul_pairings_list (pairings);
  g_assert_cmpuint (list->len, ==, expected);
}

static void
test_hostile_file (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *token = pair (f, "Firefox");
  g_autofree char *good = NULL;
  g_autofree char *mixed = NULL;
  g_autofree char *huge = g_malloc (1024 * 1024);
  g_autofree char *binary = g_malloc (4096);

  g_assert_true (g_file_get_contents (f->path, &good, NULL, NULL));

  /* Binary garbage, and a file far too big: no browser paired, no crash. */
  for (guint i = 0; i < 4096; i++)
    binary[i] = (char) g_random_int ();
  g_test_expect_message ("haul-pairings", G_LOG_LEVEL_WARNING, "*cannot be read*");
  load_hostile (f, binary, 4096, 0);
  g_test_assert_expected_messages ();
  memset (huge, 'a', 1024 * 1024);
  g_test_expect_message ("haul-pairings", G_LOG_LEVEL_WARNING, "*cannot be read*");
  load_hostile (f, huge, 1024 * 1024, 0);
  g_test_assert_expected_messages ();

  /* Damaged entries beside a good one: only the good one stays. */
  mixed = g_strconcat (good,
                       "\n[Browser 0123456789abcdef]\nName=Evil\nToken-SHA256=short\nPaired=2026-01-01T00:00:00Z\n"
                       "\n[Browser ../../etc]\nName=Evil\nToken-SHA256=", "0000000000000000000000000000000000000000000000000000000000000000",
                       "\nPaired=2026-01-01T00:00:00Z\n"
                       "\n[Browser fedcba9876543210]\nToken-SHA256=0000000000000000000000000000000000000000000000000000000000000000\n"
                       "Paired=yesterday\n", NULL);
  g_test_expect_message ("haul-pairings", G_LOG_LEVEL_WARNING, "*damaged*");
  g_test_expect_message ("haul-pairings", G_LOG_LEVEL_WARNING, "*damaged*");
  g_test_expect_message ("haul-pairings", G_LOG_LEVEL_WARNING, "*damaged*");
  load_hostile (f, mixed, -1, 1);
  g_test_assert_expected_messages ();

  /* A directory where the file should be. */
  g_assert_cmpint (g_unlink (f->path), ==, 0);
  g_assert_cmpint (g_mkdir (f->path, 0700), ==, 0);
  {
    g_autoptr(HaulPairings) pairings = haul_pairings_new (f->path);

    g_test_expect_message ("haul-pairings", G_LOG_LEVEL_WARNING, "*cannot be read*");
    haul_pairings_load (pairings);
    g_test_assert_expected_messages ();
    {
      g_autoptr(GPtrArray) list = haul_pairings_list (pairings);

      g_assert_cmpuint (list->len, ==, 0);
    }
  }
  g_assert_cmpint (g_rmdir (f->path), ==, 0);

  /* A link to a device. */
  g_assert_cmpint (symlink ("/dev/zero", f->path), ==, 0);
  {
    g_autoptr(HaulPairings) pairings = haul_pairings_new (f->path);

    g_test_expect_message ("haul-pairings", G_LOG_LEVEL_WARNING, "*cannot be read*");
    haul_pairings_load (pairings);
    g_test_assert_expected_messages ();
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/haul/core/pairings/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("code", test_code);
  ADD ("codes-spread", test_codes_spread);
  ADD ("expiry", test_expiry);
  ADD ("wrong-tries", test_wrong_tries);
  ADD ("names", test_names);
  ADD ("file", test_file);
  ADD ("revoke", test_revoke);
  ADD ("hostile-file", test_hostile_file);
#undef ADD

  return g_test_run ();
}
