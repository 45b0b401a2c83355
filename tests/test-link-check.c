/* test-link-check.c — is a new link the same file: the comparison table
 *
 * Each row is what the old link said, the bytes already written, what the
 * new link answers, the verdict and a part of the sentence a person reads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <locale.h>
#include <string.h>

#include "haul-link-check.h"

#define GB (G_GINT64_CONSTANT (1000) * 1000 * 1000)
#define LM1 "Wed, 21 Oct 2015 07:28:00 GMT"
#define LM2 "Thu, 22 Oct 2015 07:28:00 GMT"

typedef struct
{
  const char     *name;
  HaulLinkFacts   old_facts;
  gint64          written;
  HaulLinkFacts   new_facts;
  HaulLinkVerdict verdict;
  const char     *message; /* a part of the sentence; NULL for "same" */
} Case;

static const Case cases[] = {
  { "same",
    { 1000, "\"v1\"", LM1, "application/zip" }, 500,
    { 1000, "\"v1\"", LM1, "application/zip" }, HAUL_LINK_SAME, NULL },
  { "same-date-other-spelling",
    { 1000, NULL, "Wed, 21 Oct 2015 07:28:00 GMT", NULL }, 500,
    { 1000, NULL, "Wednesday, 21-Oct-15 07:28:00 GMT", NULL }, HAUL_LINK_SAME, NULL },
  { "different-length",
    { 12 * GB / 10, NULL, NULL, "application/x-iso9660-image" }, 500,
    { 14 * GB / 10, NULL, NULL, "application/x-iso9660-image" }, HAUL_LINK_LENGTH,
    "The new link is a different file: 1.4\u00a0GB instead of 1.2\u00a0GB" },
  { "length-differs-by-a-byte",
    { 1000000, NULL, NULL, NULL }, 500,
    { 1000001, NULL, NULL, NULL }, HAUL_LINK_LENGTH, "(1000001 bytes) instead of 1.0\u00a0MB (1000000 bytes)" },
  { "new-length-unknown",
    { 1000, "\"v1\"", NULL, NULL }, 500,
    { -1, "\"v1\"", NULL, NULL }, HAUL_LINK_LENGTH_UNKNOWN, "does not say how big" },
  { "etag-changed",
    { 1000, "\"v1\"", NULL, NULL }, 500,
    { 1000, "\"v2\"", NULL, NULL }, HAUL_LINK_ETAG, "it has changed since (ETag)" },
  { "etag-missing-on-new",
    { 1000, "\"v1\"", NULL, NULL }, 500,
    { 1000, NULL, NULL, NULL }, HAUL_LINK_ETAG_MISSING, "(ETag)" },
  { "etag-weak-on-new",
    { 1000, "\"v1\"", NULL, NULL }, 500,
    { 1000, "W/\"v1\"", NULL, NULL }, HAUL_LINK_ETAG_MISSING, "(ETag)" },
  { "etag-new-where-old-had-none",
    { 1000, NULL, NULL, NULL }, 500,
    { 1000, "\"v9\"", NULL, NULL }, HAUL_LINK_SAME, NULL },
  { "only-last-modified-same",
    { 1000, NULL, LM1, NULL }, 500,
    { 1000, "\"new\"", LM1, NULL }, HAUL_LINK_SAME, NULL },
  { "only-last-modified-changed",
    { 1000, NULL, LM1, NULL }, 500,
    { 1000, NULL, LM2, NULL }, HAUL_LINK_LAST_MODIFIED, "it has changed since (Last-Modified)" },
  { "last-modified-missing-on-new",
    { 1000, NULL, LM1, NULL }, 500,
    { 1000, NULL, NULL, NULL }, HAUL_LINK_LAST_MODIFIED_MISSING, "(Last-Modified)" },
  { "html-page",
    { 1000, "\"v1\"", NULL, "application/zip" }, 500,
    { 1000, "\"v1\"", NULL, "text/html" }, HAUL_LINK_WEB_PAGE, "the server sent a web page" },
  { "html-page-old-type-unknown",
    { 1000, NULL, NULL, NULL }, 500,
    { 300, NULL, NULL, "text/html" }, HAUL_LINK_WEB_PAGE, "web page" },
  { "html-where-the-file-was-html",
    { 1000, NULL, NULL, "text/html" }, 500,
    { 1000, NULL, NULL, "text/html" }, HAUL_LINK_SAME, NULL },
  { "octet-stream-new",
    { 1000, NULL, NULL, "application/zip" }, 500,
    { 1000, NULL, NULL, "application/octet-stream" }, HAUL_LINK_SAME, NULL },
  { "octet-stream-old",
    { 1000, NULL, NULL, "application/octet-stream" }, 500,
    { 1000, NULL, NULL, "video/mp4" }, HAUL_LINK_SAME, NULL },
  { "no-type-new",
    { 1000, NULL, NULL, "video/mp4" }, 500,
    { 1000, NULL, NULL, NULL }, HAUL_LINK_SAME, NULL },
  { "different-specific-types",
    { 1000, NULL, NULL, "application/zip" }, 500,
    { 1000, NULL, NULL, "text/plain" }, HAUL_LINK_TYPE, "“text/plain” instead of “application/zip”" },
  { "unknown-old-length-etag-same",
    { -1, "\"v1\"", NULL, NULL }, 500,
    { 1000, "\"v1\"", NULL, NULL }, HAUL_LINK_SAME, NULL },
  { "unknown-old-length-new-unknown-too",
    { -1, "\"v1\"", NULL, NULL }, 500,
    { -1, "\"v1\"", NULL, NULL }, HAUL_LINK_SAME, NULL },
  { "unknown-old-length-smaller-than-written",
    { -1, "\"v1\"", NULL, NULL }, 500,
    { 400, "\"v1\"", NULL, NULL }, HAUL_LINK_LENGTH, "smaller than the part already downloaded" },
  { "unknown-old-length-no-validators",
    { -1, NULL, NULL, "application/zip" }, 500,
    { 1000, NULL, NULL, "application/zip" }, HAUL_LINK_UNPROVABLE, "neither its size nor its version" },
};

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  HaulLinkVerdict verdict = haul_link_check_compare (&c->old_facts, c->written, &c->new_facts);
  g_autofree char *message = haul_link_check_describe (verdict, &c->old_facts, &c->new_facts);
  g_autoptr(GError) error = NULL;
  gboolean same = haul_link_check_same (&c->old_facts, c->written, &c->new_facts, &error);

  g_assert_cmpint (verdict, ==, c->verdict);
  g_assert_cmpint (same, ==, c->verdict == HAUL_LINK_SAME);
  if (c->message == NULL)
    {
      g_assert_null (message);
      g_assert_no_error (error);
      return;
    }
  g_assert_nonnull (message);
  if (strstr (message, c->message) == NULL)
    g_error ("“%s” does not contain “%s”", message, c->message);
  g_assert_error (error, HAUL_LINK_ERROR, HAUL_LINK_ERROR_DIFFERENT);
  g_assert_cmpstr (error->message, ==, message);
}

/* Drops and pastes: exactly one http(s) link, nothing else. */
static void
test_single_link (void)
{
  static const struct { const char *text; const char *link; } rows[] = {
    { "https://example.org/a.iso", "https://example.org/a.iso" },
    { "  https://example.org/a.iso\n", "https://example.org/a.iso" },
    { "http://example.org/a.iso http://example.org/b.iso", NULL },
    { "https://example.org/a.iso\nhttps://example.org/a.iso", NULL },
    { "ftp://example.org/a.iso", NULL },
    { "not a link", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *link = haul_link_check_single_link (rows[i].text);

      g_assert_cmpstr (link, ==, rows[i].link);
    }
  g_assert_null (haul_link_check_single_link (NULL));
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/haul/core/link-check/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/haul/core/link-check/single-link", test_single_link);
  return g_test_run ();
}
