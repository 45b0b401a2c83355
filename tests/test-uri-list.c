/* test-uri-list.c — one parser for every list of links Haul is given
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "haul-uri-list.h"

/* Helpers ---------------------------------------------------------------- */

/* Parses @text fed in chunks of @chunk bytes (0: all at once). */
static HaulUriList *
parse_chunked (const char *text,
               gssize      len,
               gsize       chunk)
{
  HaulUriList *list = haul_uri_list_new ();
  g_autoptr(GError) error = NULL;
  gsize n = len < 0 ? strlen (text) : (gsize) len;

  if (chunk == 0)
    chunk = MAX (n, 1);
  for (gsize off = 0; off < n; off += chunk)
    {
      g_assert_true (haul_uri_list_feed (list, text + off, MIN (chunk, n - off), &error));
      g_assert_no_error (error);
    }
  haul_uri_list_finish (list);
  return list;
}

static HaulUriList *
parse (const char *text)
{
  return parse_chunked (text, -1, 0);
}

/* Asserts the accepted links, in order; @... is a NULL-terminated list. */
static void
assert_uris (HaulUriList *list,
             ...)
{
  const GPtrArray *uris = haul_uri_list_get_uris (list);
  va_list args;
  const char *expected;
  guint i = 0;

  va_start (args, list);
  while ((expected = va_arg (args, const char *)) != NULL)
    {
      if (i >= uris->len)
        g_error ("expected link %u “%s”, but there are only %u", i, expected, uris->len);
      g_assert_cmpstr (g_ptr_array_index (uris, i), ==, expected);
      i++;
    }
  va_end (args);
  g_assert_cmpuint (uris->len, ==, i);
}

static const HaulUriListRejection *
get_rejection (HaulUriList *list,
               guint        i)
{
  const GPtrArray *rejections = haul_uri_list_get_rejections (list);

  g_assert_cmpuint (i, <, rejections->len);
  return g_ptr_array_index (rejections, i);
}

static void
assert_rejection (HaulUriList *list,
                  guint        i,
                  guint        line,
                  const char  *text,
                  const char  *reason)
{
  const HaulUriListRejection *r = get_rejection (list, i);

  g_assert_cmpuint (r->line, ==, line);
  g_assert_cmpstr (r->text, ==, text);
  g_assert_cmpstr (r->reason, ==, reason);
}

#define REASON_NOT_A_LINK      "not a link"
#define REASON_NOT_VALID       "not a valid link"
#define REASON_NO_HOST         "the link has no host name"
#define REASON_BAD_HOST        "the link’s host name is not valid"
#define REASON_CONTROL         "the link contains spaces or control characters"
#define REASON_NOT_UTF8        "the link is not valid UTF-8 text"
#define REASON_TOO_LONG        "the line is too long to be a link"
#define REASON_SCHEME(s)       "“" s "” links are not supported (only http and https)"
#define REASON_TYPO(s, m)      "the link starts with “" s "”: did you mean “" m "”?"
#define REASON_NEEDS_SCHEME    "the link needs “https://” or “http://” in front"

/* haul_uri_normalize() --------------------------------------------------- */

static void
assert_normalized (const char *text,
                   const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = haul_uri_normalize (text, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (uri, ==, expected);
}

static void
assert_not_normalized (const char *text,
                       GQuark      domain,
                       int         code,
                       const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = haul_uri_normalize (text, &error);

  g_assert_null (uri);
  g_assert_error (error, domain, code);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_normalize_plain (void)
{
  assert_normalized ("http://example.com/file.iso", "http://example.com/file.iso");
  assert_normalized ("https://example.com/a/b/c.tar.gz?x=1&y=2", "https://example.com/a/b/c.tar.gz?x=1&y=2");
  assert_normalized ("https://example.com:8443/x", "https://example.com:8443/x");
  assert_normalized ("http://user:secret@example.com/x", "http://user:secret@example.com/x");
  assert_normalized ("http://127.0.0.1:8080/x", "http://127.0.0.1:8080/x");
  assert_normalized ("http://[::1]:8080/x", "http://[::1]:8080/x");
  /* Existing escapes are kept. */
  assert_normalized ("https://example.com/a%20b.txt", "https://example.com/a%20b.txt");
}

/* Scheme and host are case-insensitive; the path is not. */
static void
test_normalize_case (void)
{
  assert_normalized ("HTTP://example.com/a", "http://example.com/a");
  assert_normalized ("HttpS://example.com/a", "https://example.com/a");
  assert_normalized ("http://EXAMPLE.COM/a", "http://example.com/a");
  assert_normalized ("HTTPS://Example.Com:8443/Path/File.ISO?Q=V",
                     "https://example.com:8443/Path/File.ISO?Q=V");
  assert_normalized ("http://[FE80::1]/x", "http://[fe80::1]/x");
}

/* Default ports, empty paths and dot segments. */
static void
test_normalize_defaults (void)
{
  assert_normalized ("http://example.com:80/a", "http://example.com/a");
  assert_normalized ("https://example.com:443/a", "https://example.com/a");
  assert_normalized ("http://example.com:443/a", "http://example.com:443/a");
  assert_normalized ("https://example.com", "https://example.com/");
  assert_normalized ("http://example.com/a/./b/../c", "http://example.com/a/c");
}

/* The fragment is never sent to a server, so it is dropped. */
static void
test_normalize_fragment (void)
{
  assert_normalized ("http://example.com/a#section", "http://example.com/a");
  assert_normalized ("http://example.com/a?q=1#frag", "http://example.com/a?q=1");
  assert_normalized ("http://example.com/a#", "http://example.com/a");
  assert_normalized ("http://example.com/ä#ö", "http://example.com/%C3%A4");
}

/* Non-ASCII text is percent-encoded as UTF-8; so are characters a URL may
 * not contain literally. Non-ASCII host names become IDNA. */
static void
test_normalize_non_ascii (void)
{
  assert_normalized ("https://example.com/ファイル.zip",
                     "https://example.com/%E3%83%95%E3%82%A1%E3%82%A4%E3%83%AB.zip");
  assert_normalized ("https://example.com/café/naïve.txt",
                     "https://example.com/caf%C3%A9/na%C3%AFve.txt");
  assert_normalized ("https://example.com/x?q=€", "https://example.com/x?q=%E2%82%AC");
  assert_normalized ("https://example.com/a\"b<c>d`e{f}g|h\\i^j",
                     "https://example.com/a%22b%3Cc%3Ed%60e%7Bf%7Dg%7Ch%5Ci%5Ej");
  assert_normalized ("http://bücher.de/x", "http://xn--bcher-kva.de/x");
  /* Bidi overrides in a link are encoded, so they cannot disguise it. */
  assert_normalized ("https://example.com/a\u202eb", "https://example.com/a%E2%80%AEb");
}

static void
test_normalize_rejected (void)
{
  assert_not_normalized ("ftp://example.com/a", G_URI_ERROR, G_URI_ERROR_BAD_SCHEME, REASON_SCHEME ("ftp"));
  assert_not_normalized ("file:///etc/passwd", G_URI_ERROR, G_URI_ERROR_BAD_SCHEME, REASON_SCHEME ("file"));
  assert_not_normalized ("javascript:alert(1)", G_URI_ERROR, G_URI_ERROR_BAD_SCHEME,
                         REASON_SCHEME ("javascript"));
  assert_not_normalized ("mailto:someone@example.com", G_URI_ERROR, G_URI_ERROR_BAD_SCHEME,
                         REASON_SCHEME ("mailto"));
  assert_not_normalized ("data:text/plain,hello", G_URI_ERROR, G_URI_ERROR_BAD_SCHEME,
                         REASON_SCHEME ("data"));
  assert_not_normalized ("magnet:?xt=urn:btih:abc", G_URI_ERROR, G_URI_ERROR_BAD_SCHEME,
                         REASON_SCHEME ("magnet"));
  assert_not_normalized ("FTP://example.com/a", G_URI_ERROR, G_URI_ERROR_BAD_SCHEME, REASON_SCHEME ("ftp"));
  assert_not_normalized ("http:///path", G_URI_ERROR, G_URI_ERROR_BAD_HOST, REASON_NO_HOST);
  assert_not_normalized ("http:path", G_URI_ERROR, G_URI_ERROR_BAD_HOST, REASON_NO_HOST);
  assert_not_normalized ("example.com/file.iso", G_URI_ERROR, G_URI_ERROR_FAILED, REASON_NOT_A_LINK);
  assert_not_normalized ("/just/a/path", G_URI_ERROR, G_URI_ERROR_FAILED, REASON_NOT_A_LINK);
  assert_not_normalized ("", G_URI_ERROR, G_URI_ERROR_FAILED, REASON_NOT_A_LINK);
  assert_not_normalized ("http://exa mple.com/", G_URI_ERROR, G_URI_ERROR_FAILED, REASON_CONTROL);
  assert_not_normalized ("http://example.com/a\tb", G_URI_ERROR, G_URI_ERROR_FAILED, REASON_CONTROL);
  assert_not_normalized ("http://example.com/a\r\n", G_URI_ERROR, G_URI_ERROR_FAILED, REASON_CONTROL);
  assert_not_normalized ("http://example.com/\x01", G_URI_ERROR, G_URI_ERROR_FAILED, REASON_CONTROL);
  assert_not_normalized ("http://example.com/\x7f", G_URI_ERROR, G_URI_ERROR_FAILED, REASON_CONTROL);
  assert_not_normalized ("http://example.com/\xc3\x28", G_URI_ERROR, G_URI_ERROR_FAILED, REASON_NOT_UTF8);
  assert_not_normalized ("http://example.com:99999/", G_URI_ERROR, G_URI_ERROR_FAILED, REASON_NOT_VALID);
  assert_not_normalized ("http://example.com:port/", G_URI_ERROR, G_URI_ERROR_FAILED, REASON_NOT_VALID);
  /* GLib decodes the host: escapes there must not smuggle in spaces, line
   * breaks or NULs (found by tests/fuzz/fuzz-uri-list). */
  assert_not_normalized ("http://exa%20mple.com/", G_URI_ERROR, G_URI_ERROR_BAD_HOST, REASON_BAD_HOST);
  assert_not_normalized ("http://evil%0D%0Ay.example/", G_URI_ERROR, G_URI_ERROR_BAD_HOST, REASON_BAD_HOST);
  assert_not_normalized ("http://a%2Fb.example/", G_URI_ERROR, G_URI_ERROR_BAD_HOST, REASON_BAD_HOST);
  assert_not_normalized ("http://a%40b.example/", G_URI_ERROR, G_URI_ERROR_BAD_HOST, REASON_BAD_HOST);
  assert_not_normalized ("http://example.com/100%", G_URI_ERROR, G_URI_ERROR_FAILED, REASON_NOT_VALID);
  assert_not_normalized ("http://example.com/%zz", G_URI_ERROR, G_URI_ERROR_FAILED, REASON_NOT_VALID);
  assert_not_normalized ("http://[::1/", G_URI_ERROR, G_URI_ERROR_FAILED, REASON_NOT_VALID);
}

/* Parsing lists ---------------------------------------------------------- */

/* text/uri-list as a browser drops it: CRLF, # comments. */
static void
test_list_uri_list (void)
{
  g_autoptr(HaulUriList) list =
    parse ("# dragged from Firefox\r\n"
           "https://example.com/a.iso\r\n"
           "# another comment\r\n"
           "https://example.com/b.iso\r\n");

  assert_uris (list, "https://example.com/a.iso", "https://example.com/b.iso", NULL);
  g_assert_cmpuint (haul_uri_list_get_n_lines (list), ==, 4);
  g_assert_cmpuint (haul_uri_list_get_n_rejected (list), ==, 0);
  g_assert_cmpuint (haul_uri_list_get_n_duplicates (list), ==, 0);
  g_assert_cmpuint (haul_uri_list_get_rejections (list)->len, ==, 0);
}

static void
test_list_lf (void)
{
  g_autoptr(HaulUriList) list = parse ("http://a.example/1\nhttp://a.example/2\nhttp://a.example/3\n");

  assert_uris (list, "http://a.example/1", "http://a.example/2", "http://a.example/3", NULL);
  g_assert_cmpuint (haul_uri_list_get_n_lines (list), ==, 3);
  g_assert_cmpuint (haul_uri_list_get_n_rejected (list), ==, 0);
}

/* The last line needs no newline. */
static void
test_list_no_final_newline (void)
{
  g_autoptr(HaulUriList) list = haul_uri_list_new ();

  g_assert_true (haul_uri_list_feed (list, "http://a.example/1\nhttp://a.example/2", 37, NULL));
  /* The unterminated line waits for more data... */
  assert_uris (list, "http://a.example/1", NULL);
  g_assert_cmpuint (haul_uri_list_get_n_lines (list), ==, 1);
  /* ...until finish(). */
  haul_uri_list_finish (list);
  assert_uris (list, "http://a.example/1", "http://a.example/2", NULL);
  g_assert_cmpuint (haul_uri_list_get_n_lines (list), ==, 2);
}

static void
test_list_crlf (void)
{
  g_autoptr(HaulUriList) list = parse ("http://a.example/1\r\n\r\nhttp://a.example/2\r\nftp://x/\r\n");

  assert_uris (list, "http://a.example/1", "http://a.example/2", NULL);
  g_assert_cmpuint (haul_uri_list_get_n_lines (list), ==, 4);
  /* The CR is not part of the rejected entry. */
  assert_rejection (list, 0, 4, "ftp://x/", REASON_SCHEME ("ftp"));
}

/* Any whitespace separates links, and several may share a line. */
static void
test_list_whitespace (void)
{
  g_autoptr(HaulUriList) list =
    parse ("  http://a.example/1\t\thttp://a.example/2   \n"
           "\thttp://a.example/3 http://a.example/4 http://a.example/5\n"
           "\v\fhttp://a.example/6\f\n"
           "   \t  \n"
           "http://a.example/7\rhttp://a.example/8\n");

  assert_uris (list,
               "http://a.example/1", "http://a.example/2", "http://a.example/3",
               "http://a.example/4", "http://a.example/5", "http://a.example/6",
               "http://a.example/7", "http://a.example/8", NULL);
  g_assert_cmpuint (haul_uri_list_get_n_lines (list), ==, 5);
  g_assert_cmpuint (haul_uri_list_get_n_rejected (list), ==, 0);
}

/* A '#' starts a comment at the start of a line (after whitespace) or
 * after a link and a space; inside a link it is a fragment. */
static void
test_list_comments (void)
{
  g_autoptr(HaulUriList) list =
    parse ("#http://commented.example/1\n"
           "   # indented comment http://commented.example/2\n"
           "\t#\n"
           "#\n"
           "http://a.example/x#frag\n"
           "## double\n"
           "http://a.example/y   # the ISO, not-a-link\n");

  assert_uris (list, "http://a.example/x", "http://a.example/y", NULL);
  g_assert_cmpuint (haul_uri_list_get_n_lines (list), ==, 7);
  g_assert_cmpuint (haul_uri_list_get_n_rejected (list), ==, 0);
}

/* A UTF-8 byte order mark at the very start is skipped, and only there. */
static void
test_list_bom (void)
{
  g_autoptr(HaulUriList) list = parse ("\xef\xbb\xbfhttp://a.example/1\nhttp://a.example/2\n");
  g_autoptr(HaulUriList) only = parse ("\xef\xbb\xbf");
  g_autoptr(HaulUriList) comment = parse ("\xef\xbb\xbf# comment\nhttp://a.example/3\n");
  g_autoptr(HaulUriList) second = parse ("http://a.example/1\n\xef\xbb\xbfhttp://a.example/2\n");

  assert_uris (list, "http://a.example/1", "http://a.example/2", NULL);
  g_assert_cmpuint (haul_uri_list_get_n_rejected (list), ==, 0);

  assert_uris (only, NULL);
  g_assert_cmpuint (haul_uri_list_get_n_rejected (only), ==, 0);

  assert_uris (comment, "http://a.example/3", NULL);
  g_assert_cmpuint (haul_uri_list_get_n_rejected (comment), ==, 0);

  /* Elsewhere it is an invisible character in copied text (U+FEFF, a
   * zero-width no-break space): it separates words, like a space. */
  assert_uris (second, "http://a.example/1", "http://a.example/2", NULL);
  g_assert_cmpuint (haul_uri_list_get_n_rejected (second), ==, 0);
}

/* Only http and https links are accepted; each entry that looks like a
 * link and is not one is reported with its line and a reason, and the rest
 * is kept. */
static void
test_list_rejections (void)
{
  g_autoptr(HaulUriList) list =
    parse ("http://ok.example/1\n"                         /* 1 */
           "ftp://files.example/a.iso\n"                   /* 2 */
           "\n"                                            /* 3 */
           "example.com/no-scheme.iso mailto:x@example.com\n" /* 4 */
           "https://ok.example/2\n"                        /* 5 */
           "file:///etc/passwd\r\n"                        /* 6 */
           "http:///nohost https://ok.example/3\n"          /* 7 */
           "http://bad.example/\x01x\n"                     /* 8 */
           "http://bad.example/\xff\n"                      /* 9 */
           "javascript:alert(1)");                          /* 10 */

  assert_uris (list, "http://ok.example/1", "https://ok.example/2", "https://ok.example/3", NULL);
  g_assert_cmpuint (haul_uri_list_get_n_lines (list), ==, 10);
  g_assert_cmpuint (haul_uri_list_get_n_rejected (list), ==, 8);
  g_assert_cmpuint (haul_uri_list_get_rejections (list)->len, ==, 8);

  assert_rejection (list, 0, 2, "ftp://files.example/a.iso", REASON_SCHEME ("ftp"));
  assert_rejection (list, 1, 4, "example.com/no-scheme.iso", REASON_NEEDS_SCHEME);
  assert_rejection (list, 2, 4, "mailto:x@example.com", REASON_SCHEME ("mailto"));
  assert_rejection (list, 3, 6, "file:///etc/passwd", REASON_SCHEME ("file"));
  assert_rejection (list, 4, 7, "http:///nohost", REASON_NO_HOST);
  /* Control characters are shown as '?', invalid UTF-8 as U+FFFD. */
  assert_rejection (list, 5, 8, "http://bad.example/?x", REASON_CONTROL);
  assert_rejection (list, 6, 9, "http://bad.example/\ufffd", REASON_NOT_UTF8);
  assert_rejection (list, 7, 10, "javascript:alert(1)", REASON_SCHEME ("javascript"));
}

/* A long rejected entry is shortened for display. */
static void
test_list_rejection_shortened (void)
{
  g_autofree char *path = g_strnfill (500, 'p');
  g_autofree char *text = g_strdup_printf ("ftp://example.com/%s\n", path);
  g_autoptr(HaulUriList) list = parse (text);
  const HaulUriListRejection *r;

  g_assert_cmpuint (haul_uri_list_get_n_rejected (list), ==, 1);
  r = get_rejection (list, 0);
  g_assert_cmpuint (r->line, ==, 1);
  g_assert_true (g_str_has_prefix (r->text, "ftp://example.com/ppp"));
  g_assert_true (g_str_has_suffix (r->text, "…"));
  g_assert_cmpuint (g_utf8_strlen (r->text, -1), ==, 121);
}

/* Only the first HAUL_URI_LIST_MAX_REJECTIONS are kept in detail; all are
 * counted. */
static void
test_list_rejections_capped (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(HaulUriList) list = NULL;
  const GPtrArray *rejections;

  for (guint i = 0; i < 1500; i++)
    g_string_append_printf (text, "ftp://example.com/%u\nhttp://example.com/%u\n", i, i);
  list = parse (text->str);

  g_assert_cmpuint (haul_uri_list_get_uris (list)->len, ==, 1500);
  g_assert_cmpuint (haul_uri_list_get_n_rejected (list), ==, 1500);
  rejections = haul_uri_list_get_rejections (list);
  g_assert_cmpuint (rejections->len, ==, HAUL_URI_LIST_MAX_REJECTIONS);
  assert_rejection (list, 0, 1, "ftp://example.com/0", REASON_SCHEME ("ftp"));
  assert_rejection (list, HAUL_URI_LIST_MAX_REJECTIONS - 1, 2 * HAUL_URI_LIST_MAX_REJECTIONS - 1,
                    "ftp://example.com/999", REASON_SCHEME ("ftp"));
}

/* Duplicates are skipped and counted, comparing normalized links. */
static void
test_list_duplicates (void)
{
  g_autoptr(HaulUriList) list =
    parse ("http://example.com/a\n"
           "http://example.com/a\n"
           "HTTP://EXAMPLE.COM/a\n"
           "http://example.com:80/a\n"
           "http://example.com/a#top\n"
           "http://example.com/a http://example.com/b http://example.com/a\n"
           "http://example.com/A\n"
           "https://example.com/a\n"
           "http://example.com/a?\n");

  /* The last one's "?" is punctuation, as at the end of a sentence. */
  assert_uris (list,
               "http://example.com/a", "http://example.com/b", "http://example.com/A",
               "https://example.com/a", NULL);
  g_assert_cmpuint (haul_uri_list_get_n_duplicates (list), ==, 7);
  g_assert_cmpuint (haul_uri_list_get_n_rejected (list), ==, 0);
}

/* Stealing the links hands them over and starts a fresh set. */
static void
test_list_steal (void)
{
  g_autoptr(HaulUriList) list = haul_uri_list_new ();
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;

  g_assert_true (haul_uri_list_feed (list, "http://a.example/1\nhttp://a.example/2\n", 38, NULL));
  first = haul_uri_list_steal_uris (list);
  g_assert_cmpuint (first->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (first, 0), ==, "http://a.example/1");
  g_assert_cmpstr (g_ptr_array_index (first, 1), ==, "http://a.example/2");
  g_assert_cmpuint (haul_uri_list_get_uris (list)->len, ==, 0);

  g_assert_true (haul_uri_list_feed (list, "http://a.example/2\nhttp://a.example/3\n", 38, NULL));
  haul_uri_list_finish (list);
  second = haul_uri_list_steal_uris (list);
  g_assert_cmpuint (second->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (second, 0), ==, "http://a.example/2");
  g_assert_cmpstr (g_ptr_array_index (second, 1), ==, "http://a.example/3");
  g_assert_cmpuint (haul_uri_list_get_n_duplicates (list), ==, 0);
  g_assert_cmpuint (haul_uri_list_get_n_lines (list), ==, 4);
}

static void
test_list_empty (void)
{
  g_autoptr(HaulUriList) list = parse ("");
  g_autoptr(HaulUriList) blank = parse ("\n\n\r\n  \n");

  assert_uris (list, NULL);
  g_assert_cmpuint (haul_uri_list_get_n_lines (list), ==, 0);
  g_assert_cmpuint (haul_uri_list_get_n_rejected (list), ==, 0);
  assert_uris (blank, NULL);
  g_assert_cmpuint (haul_uri_list_get_n_lines (blank), ==, 4);
  g_assert_cmpuint (haul_uri_list_get_n_rejected (blank), ==, 0);
}

/* Chunking --------------------------------------------------------------- */

static void assert_same_result (HaulUriList *a, HaulUriList *b);

static void
assert_same_result (HaulUriList *a,
                    HaulUriList *b)
{
  const GPtrArray *ua = haul_uri_list_get_uris (a);
  const GPtrArray *ub = haul_uri_list_get_uris (b);
  const GPtrArray *ra = haul_uri_list_get_rejections (a);
  const GPtrArray *rb = haul_uri_list_get_rejections (b);

  g_assert_cmpuint (ua->len, ==, ub->len);
  for (guint i = 0; i < ua->len; i++)
    g_assert_cmpstr (g_ptr_array_index (ua, i), ==, g_ptr_array_index (ub, i));

  g_assert_cmpuint (ra->len, ==, rb->len);
  for (guint i = 0; i < ra->len; i++)
    {
      const HaulUriListRejection *x = g_ptr_array_index (ra, i);
      const HaulUriListRejection *y = g_ptr_array_index (rb, i);

      g_assert_cmpuint (x->line, ==, y->line);
      g_assert_cmpstr (x->text, ==, y->text);
      g_assert_cmpstr (x->reason, ==, y->reason);
    }

  g_assert_cmpuint (haul_uri_list_get_n_rejected (a), ==, haul_uri_list_get_n_rejected (b));
  g_assert_cmpuint (haul_uri_list_get_n_duplicates (a), ==, haul_uri_list_get_n_duplicates (b));
  g_assert_cmpuint (haul_uri_list_get_n_lines (a), ==, haul_uri_list_get_n_lines (b));
}

static const char chunk_sample[] =
  "\xef\xbb\xbf# list with everything\r\n"
  "https://example.com/one.iso\r\n"
  "  https://example.com/two.iso\thttps://example.com/three.iso  \r\n"
  "\r\n"
  "ftp://example.com/nope\n"
  "HTTPS://EXAMPLE.COM/one.iso#dup\n"
  "https://example.com/日本/ファイル.zip\n"
  "not-a-link http://[::1]:8080/x\n"
  "http://bad.example/\xc3\x28\n"
  "   # indented comment\n"
  "http://example.com/last";

/* Input split anywhere, even inside a CRLF, a UTF-8 character or the BOM,
 * gives exactly the result of one chunk. */
static void
test_chunks_any_size (void)
{
  g_autoptr(HaulUriList) whole = parse_chunked (chunk_sample, sizeof chunk_sample - 1, 0);
  static const gsize sizes[] = { 1, 2, 3, 4, 5, 7, 13, 64, 100 };

  /* The reference result itself is what it should be. */
  assert_uris (whole,
               "https://example.com/one.iso", "https://example.com/two.iso",
               "https://example.com/three.iso",
               "https://example.com/%E6%97%A5%E6%9C%AC/%E3%83%95%E3%82%A1%E3%82%A4%E3%83%AB.zip",
               "http://[::1]:8080/x", "http://example.com/last", NULL);
  g_assert_cmpuint (haul_uri_list_get_n_lines (whole), ==, 11);
  g_assert_cmpuint (haul_uri_list_get_n_duplicates (whole), ==, 1);
  g_assert_cmpuint (haul_uri_list_get_n_rejected (whole), ==, 2);
  /* "not-a-link" is a word, not a link: ignored. */
  assert_rejection (whole, 0, 5, "ftp://example.com/nope", REASON_SCHEME ("ftp"));
  assert_rejection (whole, 1, 9, "http://bad.example/\ufffd(", REASON_NOT_UTF8);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(HaulUriList) chunked = parse_chunked (chunk_sample, sizeof chunk_sample - 1, sizes[i]);

      assert_same_result (whole, chunked);
    }
}

/* Every single split point of a two-chunk feed. */
static void
test_chunks_every_split (void)
{
  g_autoptr(HaulUriList) whole = parse_chunked (chunk_sample, sizeof chunk_sample - 1, 0);
  gsize n = sizeof chunk_sample - 1;

  for (gsize split = 0; split <= n; split++)
    {
      g_autoptr(HaulUriList) list = haul_uri_list_new ();

      g_assert_true (haul_uri_list_feed (list, chunk_sample, split, NULL));
      g_assert_true (haul_uri_list_feed (list, chunk_sample + split, n - split, NULL));
      haul_uri_list_finish (list);
      assert_same_result (whole, list);
    }
}

/* Finding links in text ---------------------------------------------------- */

typedef struct
{
  const char *name;
  const char *text;
  const char *uris[8];     /* NULL-terminated: the links found, in order */
  const char *rejected[10]; /* NULL-terminated: "text\treason" of each rejected entry */
} TextCase;

static const TextCase text_cases[] = {
  { "chat, trailing commas and a period",
    "grab http://h.example/alpha.bin, http://h.example/beta.bin, and http://h.example/gamma.bin.",
    { "http://h.example/alpha.bin", "http://h.example/beta.bin", "http://h.example/gamma.bin" } },
  { "angle brackets",
    "<http://h.example/gamma.bin>",
    { "http://h.example/gamma.bin" } },
  { "double quotes",
    "\"http://h.example/delta.bin\"",
    { "http://h.example/delta.bin" } },
  { "typographic quotes",
    "“http://h.example/a.bin” ‘http://h.example/b.bin’ «http://h.example/c.bin» „http://h.example/d.bin“ "
    "「http://h.example/e.bin」",
    { "http://h.example/a.bin", "http://h.example/b.bin", "http://h.example/c.bin", "http://h.example/d.bin",
      "http://h.example/e.bin" } },
  { "balanced parentheses are kept, unbalanced ones dropped",
    "see https://en.wikipedia.org/wiki/Foo_(bar) (or https://en.wikipedia.org/wiki/Baz_(qux)). "
    "(https://h.example/x)",
    { "https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Baz_(qux)",
      "https://h.example/x" } },
  { "trailing punctuation",
    "Is it http://h.example/q?! Or http://h.example/r... or http://h.example/s: *http://h.example/bold.bin*; "
    "'http://h.example/single.bin'",
    { "http://h.example/q", "http://h.example/r", "http://h.example/s", "http://h.example/bold.bin",
      "http://h.example/single.bin" } },
  { "markdown",
    "Get [the ISO](https://h.example/os.iso) or [a mirror](https://m.example/os.iso \"Mirror\"), "
    "[https://h.example/os.iso](https://h.example/os.iso), <https://h.example/auto>.",
    { "https://h.example/os.iso", "https://m.example/os.iso", "https://h.example/auto" } },
  { "HTML",
    "<p><a href=\"https://h.example/a.iso\">ISO</a> <a href='https://h.example/b.iso'>B</a> "
    "<img src=https://h.example/c.png></p>",
    { "https://h.example/a.iso", "https://h.example/b.iso", "https://h.example/c.png" } },
  { "a mail",
    "From: Alice <alice@example.org>\n"
    "Subject: Re: the build\n"
    "\n"
    "Hi Bob,\n"
    "\n"
    "the build is at <https://ci.example.org/job/42/artifact/out.tar.gz>.\n"
    "> On Monday, Bob wrote:\n"
    "> where is it?\n"
    "-- \n"
    "Alice",
    { "https://ci.example.org/job/42/artifact/out.tar.gz" } },
  { "prose with links in the middle, www. without a scheme",
    "The new release (2.0, finally!) is out: download it from https://rel.example.com/v2.0/app-2.0.tar.xz; "
    "the notes are at www.example.com/notes?v=2.0. See WWW.Example.com too. Cheers :) e.g. and/or at 10:30, "
    "C:/Windows, meh:/ #42 #general",
    { "https://rel.example.com/v2.0/app-2.0.tar.xz", "https://www.example.com/notes?v=2.0",
      "https://www.example.com/" } },
  { "IPv6 hosts and ports",
    "http://[::1]:8080/a.bin, [http://[fe80::1]/b.bin] http://127.0.0.1:8000/c.bin.",
    { "http://[::1]:8080/a.bin", "http://[fe80::1]/b.bin", "http://127.0.0.1:8000/c.bin" } },
  { "query strings with commas, percent-encoding",
    "https://h.example/get?ids=1,2,3&fmt=csv, then https://h.example/my%20file.iso.",
    { "https://h.example/get?ids=1,2,3&fmt=csv", "https://h.example/my%20file.iso" } },
  { "IDN hosts and CJK punctuation",
    "Bücher: http://bücher.de/katalog.pdf。ファイル：https://例え.jp/ファイル.zip、以上",
    { "http://xn--bcher-kva.de/katalog.pdf",
      "https://xn--r8jz45g.jp/%E3%83%95%E3%82%A1%E3%82%A4%E3%83%AB.zip" } },
  { "links joined by commas, a link inside a link",
    "http://h.example/1,http://h.example/2;https://h.example/3 https://web.archive.org/web/2020/http://example.com/a",
    { "http://h.example/1", "http://h.example/2", "https://h.example/3",
      "https://web.archive.org/web/2020/http://example.com/a" } },
  { "no-break and zero-width spaces",
    "link:\u00a0http://h.example/nb.bin\u200b\u3000http://h.example/ideographic.bin",
    { "http://h.example/nb.bin", "http://h.example/ideographic.bin" } },
  { "comments",
    "http://h.example/a # http://h.example/b\n"
    "#http://h.example/c\n"
    "see #42 at http://h.example/d #http://h.example/e http://h.example/f",
    { "http://h.example/a", "http://h.example/d" } },
  { "what looks like a link and is not one",
    "htp://h.example/x\n"
    "hxxp://h.example/defanged\n"
    "https:/h.example/one-slash\n"
    "http://\n"
    "ftp://h.example/x.iso\n"
    "http://exa mple\n"
    "example.com/file.iso\n"
    "localhost:8080/x\n"
    "(mailto:bob@example.org)\n",
    { NULL },
    { "htp://h.example/x\tthe link starts with “htp”: did you mean “http”?",
      "hxxp://h.example/defanged\t“hxxp” links are not supported (only http and https)",
      "https:/h.example/one-slash\tthe link has no host name",
      "http://\tthe link has no host name",
      "ftp://h.example/x.iso\t“ftp” links are not supported (only http and https)",
      "http://exa mple\tthe link contains spaces or control characters",
      "example.com/file.iso\tthe link needs “https://” or “http://” in front",
      "localhost:8080/x\tthe link needs “https://” or “http://” in front",
      "mailto:bob@example.org\t“mailto” links are not supported (only http and https)" } },
  { "plain prose",
    "Hello, this is just some text: nothing to see here. Nothing at all… (really). "
    "Version 1.2.3/4, a ratio 3:2, an address bob@example.org and a path /usr/share/doc.",
    { NULL } },
};

static void
test_text_cases (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (text_cases); i++)
    {
      const TextCase *c = &text_cases[i];
      g_autoptr(HaulUriList) list = parse (c->text);
      const GPtrArray *uris = haul_uri_list_get_uris (list);
      const GPtrArray *rejections = haul_uri_list_get_rejections (list);
      guint n_uris = 0, n_rejected = 0;

      g_test_message ("case: %s", c->name);
      while (n_uris < G_N_ELEMENTS (c->uris) && c->uris[n_uris] != NULL)
        n_uris++;
      while (n_rejected < G_N_ELEMENTS (c->rejected) && c->rejected[n_rejected] != NULL)
        n_rejected++;

      for (guint j = 0; j < MIN (uris->len, n_uris); j++)
        g_assert_cmpstr (g_ptr_array_index (uris, j), ==, c->uris[j]);
      g_assert_cmpuint (uris->len, ==, n_uris);

      for (guint j = 0; j < MIN (rejections->len, n_rejected); j++)
        {
          const HaulUriListRejection *r = g_ptr_array_index (rejections, j);
          g_autofree char *got = g_strdup_printf ("%s\t%s", r->text, r->reason);

          g_assert_cmpstr (got, ==, c->rejected[j]);
        }
      g_assert_cmpuint (rejections->len, ==, n_rejected);
      g_assert_cmpuint (haul_uri_list_get_n_rejected (list), ==, n_rejected);
    }
}

/* The same text cut anywhere gives the same links (the fuzz target checks
 * this on random input too). */
static void
test_text_cases_chunked (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (text_cases); i++)
    {
      g_autoptr(HaulUriList) whole = parse (text_cases[i].text);

      for (gsize chunk = 1; chunk < 8; chunk++)
        {
          g_autoptr(HaulUriList) chunked = parse_chunked (text_cases[i].text, -1, chunk);

          assert_same_result (whole, chunked);
        }
    }
}

/* Rejected entries keep their line numbers, for the Add dialog. */
static void
test_text_rejection_lines (void)
{
  g_autoptr(HaulUriList) list =
    parse ("Here are the files:\n"
           "https://h.example/1.iso\n"
           "htp://h.example/2.iso and some words\n"
           "\n"
           "words, then ftp://h.example/4.iso, then https://h.example/5.iso\n");

  assert_uris (list, "https://h.example/1.iso", "https://h.example/5.iso", NULL);
  g_assert_cmpuint (haul_uri_list_get_n_rejected (list), ==, 2);
  assert_rejection (list, 0, 3, "htp://h.example/2.iso", REASON_TYPO ("htp", "http"));
  assert_rejection (list, 1, 5, "ftp://h.example/4.iso", REASON_SCHEME ("ftp"));
}

/* Pathological words stay linear: a 64 KiB line of brackets, of "://"
 * and of "www." (would take minutes if each end were searched again). */
static void
test_text_pathological (void)
{
  static const char *const units[] = { ")", "(", "://", "a://", "www.", "wwww", "http://a", ",http://a", "]",
                                       "a", "a.", "“", "'", "](" };
  static const char *const prefixes[] = { "", "http://h.example/", "x", "(" };

  for (guint i = 0; i < G_N_ELEMENTS (units) * G_N_ELEMENTS (prefixes); i++)
    {
      g_autoptr(GString) text = g_string_new (prefixes[i % G_N_ELEMENTS (prefixes)]);
      const char *unit = units[i / G_N_ELEMENTS (prefixes)];
      g_autoptr(HaulUriList) list = NULL;

      while (text->len + strlen (unit) < HAUL_URI_LIST_MAX_LINE)
        g_string_append (text, unit);
      list = parse (text->str);
      g_assert_cmpuint (haul_uri_list_get_n_lines (list), ==, 1);
    }
}

/* Binary and oversized input ---------------------------------------------- */

/* A NUL byte means this is not a text list. */
static void
test_binary (void)
{
  static const char data[] = "http://a.example/1\nhttp://a.ex\0ample/2\n";
  g_autoptr(HaulUriList) list = haul_uri_list_new ();
  g_autoptr(HaulUriList) later = haul_uri_list_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;

  g_assert_false (haul_uri_list_feed (list, data, sizeof data - 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, "This is not a text list of links: it contains binary data");

  /* The same, when the NUL arrives in a later chunk on its own. */
  g_assert_true (haul_uri_list_feed (later, data, 30, NULL));
  g_assert_false (haul_uri_list_feed (later, data + 30, 1, &error2));
  g_assert_error (error2, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);

  /* The error may be ignored. */
  g_assert_false (haul_uri_list_feed (list, "\0", 1, NULL));
}

/* Real binary data, say a PNG someone dropped. */
static void
test_binary_png (void)
{
  static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";
  g_autoptr(HaulUriList) list = haul_uri_list_new ();
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (png, sizeof png - 1, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (haul_uri_list_parse_stream (list, stream, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpuint (haul_uri_list_get_uris (list)->len, ==, 0);
}

static char *
make_line (gsize       len,
           const char *prefix)
{
  char *line = g_malloc (len + 1);
  gsize plen = strlen (prefix);

  memcpy (line, prefix, plen);
  memset (line + plen, 'x', len - plen);
  line[len] = '\0';
  return line;
}

/* A line of exactly HAUL_URI_LIST_MAX_LINE bytes is still parsed; one byte
 * more is rejected as too long, whatever the chunking. */
static void
test_long_line_boundary (void)
{
  g_autofree char *fits = make_line (HAUL_URI_LIST_MAX_LINE, "http://example.com/");
  g_autofree char *over = make_line (HAUL_URI_LIST_MAX_LINE + 1, "http://example.com/");
  g_autofree char *text = g_strconcat ("http://a.example/1\n", fits, "\n", over, "\nhttp://a.example/2\n", NULL);
  static const gsize sizes[] = { 0, 1, 1000, 65536, 65537 };
  g_autoptr(HaulUriList) whole = NULL;
  const HaulUriListRejection *r;

  whole = parse_chunked (text, -1, 0);
  g_assert_cmpuint (haul_uri_list_get_uris (whole)->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (haul_uri_list_get_uris (whole), 0), ==, "http://a.example/1");
  g_assert_cmpstr (g_ptr_array_index (haul_uri_list_get_uris (whole), 1), ==, fits);
  g_assert_cmpstr (g_ptr_array_index (haul_uri_list_get_uris (whole), 2), ==, "http://a.example/2");
  g_assert_cmpuint (haul_uri_list_get_n_rejected (whole), ==, 1);
  g_assert_cmpuint (haul_uri_list_get_n_lines (whole), ==, 4);
  r = get_rejection (whole, 0);
  g_assert_cmpuint (r->line, ==, 3);
  g_assert_cmpstr (r->reason, ==, REASON_TOO_LONG);
  g_assert_true (g_str_has_prefix (r->text, "http://example.com/xxx"));
  g_assert_cmpuint (strlen (r->text), <=, 200);

  for (guint i = 1; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(HaulUriList) chunked = parse_chunked (text, -1, sizes[i]);

      assert_same_result (whole, chunked);
    }
}

#ifdef __GLIBC__
static gsize
heap_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks + info.hblkhd;
}
#endif

/* A 64 MiB line without a newline is rejected without buffering it: the
 * parser's memory stays bounded. */
static void
test_long_line_memory (void)
{
  const gsize buf_size = 64 * 1024;
  g_autofree char *buf = g_malloc (buf_size);
  g_autoptr(HaulUriList) list = haul_uri_list_new ();
  const HaulUriListRejection *r;
#ifdef __GLIBC__
  gsize before, after;
#endif

  memset (buf, 'a', buf_size);
  g_assert_true (haul_uri_list_feed (list, "http://ok.example/1\n", 20, NULL));

#ifdef __GLIBC__
  before = heap_in_use ();
#endif
  for (guint i = 0; i < 1024; i++)
    g_assert_true (haul_uri_list_feed (list, buf, buf_size, NULL));
#ifdef __GLIBC__
  after = heap_in_use ();
  g_test_message ("heap grew by %" G_GSIZE_FORMAT " bytes for a 64 MiB line", after - MIN (after, before));
  /* The line buffer is at most HAUL_URI_LIST_MAX_LINE; allow for slack. */
  g_assert_cmpuint (after, <, before + 4 * HAUL_URI_LIST_MAX_LINE + 64 * 1024);
#endif

  g_assert_true (haul_uri_list_feed (list, "\nhttp://ok.example/2\n", 21, NULL));
  haul_uri_list_finish (list);

  assert_uris (list, "http://ok.example/1", "http://ok.example/2", NULL);
  g_assert_cmpuint (haul_uri_list_get_n_lines (list), ==, 3);
  g_assert_cmpuint (haul_uri_list_get_n_rejected (list), ==, 1);
  r = get_rejection (list, 0);
  g_assert_cmpuint (r->line, ==, 2);
  g_assert_cmpstr (r->reason, ==, REASON_TOO_LONG);
  g_assert_true (g_str_has_prefix (r->text, "aaaa"));
  g_assert_cmpuint (strlen (r->text), <=, 200);
}

/* An over-long last line without a newline is reported by finish(). */
static void
test_long_line_at_end (void)
{
  g_autofree char *line = make_line (HAUL_URI_LIST_MAX_LINE * 2, "http://example.com/");
  g_autofree char *text = g_strconcat ("http://a.example/1\n", line, NULL);
  g_autoptr(HaulUriList) list = parse (text);

  assert_uris (list, "http://a.example/1", NULL);
  g_assert_cmpuint (haul_uri_list_get_n_rejected (list), ==, 1);
  assert_rejection (list, 0, 2, get_rejection (list, 0)->text, REASON_TOO_LONG);
  g_assert_cmpuint (haul_uri_list_get_n_lines (list), ==, 2);
}

/* Big lists and streams ---------------------------------------------------- */

#define N_BIG 200000

/* 200 000 links, with some duplicates, comments and junk mixed in, read
 * from a stream the way a dropped file is. */
static void
test_big_list (void)
{
  g_autoptr(GString) text = g_string_sized_new (N_BIG * 40);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(HaulUriList) list = haul_uri_list_new ();
  g_autoptr(GError) error = NULL;
  const GPtrArray *uris;
  guint n_lines = 0;

  for (guint i = 0; i < N_BIG; i++)
    {
      g_string_append_printf (text, "https://mirror%u.example.org/pool/file-%06u.deb\r\n", i % 7, i);
      n_lines++;
      if (i % 1000 == 0)
        {
          g_string_append_printf (text, "# block %u\nhttps://mirror%u.example.org/pool/file-%06u.deb\n",
                                  i, i % 7, i);
          n_lines += 2;
        }
      if (i % 5000 == 0)
        {
          g_string_append_printf (text, "gopher://old.example/%u\n", i);
          n_lines++;
        }
    }
  bytes = g_string_free_to_bytes (g_steal_pointer (&text));
  stream = g_memory_input_stream_new_from_bytes (bytes);

  g_assert_true (haul_uri_list_parse_stream (list, stream, NULL, &error));
  g_assert_no_error (error);

  uris = haul_uri_list_get_uris (list);
  g_assert_cmpuint (uris->len, ==, N_BIG);
  g_assert_cmpstr (g_ptr_array_index (uris, 0), ==, "https://mirror0.example.org/pool/file-000000.deb");
  g_assert_cmpstr (g_ptr_array_index (uris, 12345), ==, "https://mirror4.example.org/pool/file-012345.deb");
  g_assert_cmpstr (g_ptr_array_index (uris, N_BIG - 1), ==, "https://mirror2.example.org/pool/file-199999.deb");
  for (guint i = 0; i < N_BIG; i += 997)
    {
      g_autofree char *expected = g_strdup_printf ("https://mirror%u.example.org/pool/file-%06u.deb", i % 7, i);

      g_assert_cmpstr (g_ptr_array_index (uris, i), ==, expected);
    }
  g_assert_cmpuint (haul_uri_list_get_n_duplicates (list), ==, N_BIG / 1000);
  g_assert_cmpuint (haul_uri_list_get_n_rejected (list), ==, N_BIG / 5000);
  g_assert_cmpuint (haul_uri_list_get_n_lines (list), ==, n_lines);
  assert_rejection (list, 0, 4, "gopher://old.example/0", REASON_SCHEME ("gopher"));
}

/* A file of links, as given on the command line or dropped on the window. */
static void
test_stream_file (void)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileIOStream) io = NULL;
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GFileInputStream) in2 = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(HaulUriList) list = haul_uri_list_new ();
  g_autoptr(HaulUriList) cancelled = haul_uri_list_new ();
  g_autoptr(GError) error = NULL;
  static const char contents[] = "\xef\xbb\xbf# my downloads\r\nhttps://example.com/a.iso\r\nhttp://example.com/b.iso";

  file = g_file_new_tmp ("haul-uri-list-XXXXXX.txt", &io, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_replace_contents (file, contents, sizeof contents - 1, NULL, FALSE,
                                          G_FILE_CREATE_NONE, NULL, NULL, &error));
  g_assert_no_error (error);

  in = g_file_read (file, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (haul_uri_list_parse_stream (list, G_INPUT_STREAM (in), NULL, &error));
  g_assert_no_error (error);
  assert_uris (list, "https://example.com/a.iso", "http://example.com/b.iso", NULL);
  g_assert_cmpuint (haul_uri_list_get_n_lines (list), ==, 3);
  g_assert_cmpuint (haul_uri_list_get_n_rejected (list), ==, 0);

  /* A cancelled read stops with G_IO_ERROR_CANCELLED. */
  in2 = g_file_read (file, NULL, &error);
  g_assert_no_error (error);
  g_cancellable_cancel (cancellable);
  g_assert_false (haul_uri_list_parse_stream (cancelled, G_INPUT_STREAM (in2), cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_uris (cancelled, NULL);

  g_file_delete (file, NULL, NULL);
}

/* A list holds at most so many links; a huge stream is read only that far
 * (memory stays bounded whatever the file's size). */
static void
test_full (void)
{
  g_autoptr(HaulUriList) list = haul_uri_list_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  gsize total;

  for (guint i = 0; i < 200000; i++)
    g_string_append_printf (text, "https://example.org/file-%u.bin\n", i);
  total = text->len;
  stream = g_memory_input_stream_new_from_data (g_string_free (g_steal_pointer (&text), FALSE), total, g_free);

  haul_uri_list_set_max_uris (list, 1000);
  g_assert_false (haul_uri_list_is_full (list));
  g_assert_true (haul_uri_list_parse_stream (list, stream, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (haul_uri_list_is_full (list));
  g_assert_cmpuint (haul_uri_list_get_uris (list)->len, ==, 1000);
  g_assert_cmpstr (g_ptr_array_index (haul_uri_list_get_uris (list), 999), ==,
                   "https://example.org/file-999.bin");
  /* Stopped reading soon after the limit: not the 6 MB that follow. */
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (stream)), <, 256 * 1024);
  g_assert_cmpint (total, >, 6 * 1000 * 1000);
  /* Where reading stopped (mid-line, maybe) is not a rejected entry. */
  g_assert_cmpuint (haul_uri_list_get_n_rejected (list), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haul/core/uri-list/normalize/plain", test_normalize_plain);
  g_test_add_func ("/haul/core/uri-list/normalize/case", test_normalize_case);
  g_test_add_func ("/haul/core/uri-list/normalize/defaults", test_normalize_defaults);
  g_test_add_func ("/haul/core/uri-list/normalize/fragment", test_normalize_fragment);
  g_test_add_func ("/haul/core/uri-list/normalize/non-ascii", test_normalize_non_ascii);
  g_test_add_func ("/haul/core/uri-list/normalize/rejected", test_normalize_rejected);
  g_test_add_func ("/haul/core/uri-list/uri-list", test_list_uri_list);
  g_test_add_func ("/haul/core/uri-list/lf", test_list_lf);
  g_test_add_func ("/haul/core/uri-list/no-final-newline", test_list_no_final_newline);
  g_test_add_func ("/haul/core/uri-list/crlf", test_list_crlf);
  g_test_add_func ("/haul/core/uri-list/whitespace", test_list_whitespace);
  g_test_add_func ("/haul/core/uri-list/comments", test_list_comments);
  g_test_add_func ("/haul/core/uri-list/bom", test_list_bom);
  g_test_add_func ("/haul/core/uri-list/rejections", test_list_rejections);
  g_test_add_func ("/haul/core/uri-list/rejections/shortened", test_list_rejection_shortened);
  g_test_add_func ("/haul/core/uri-list/rejections/capped", test_list_rejections_capped);
  g_test_add_func ("/haul/core/uri-list/duplicates", test_list_duplicates);
  g_test_add_func ("/haul/core/uri-list/steal", test_list_steal);
  g_test_add_func ("/haul/core/uri-list/empty", test_list_empty);
  g_test_add_func ("/haul/core/uri-list/text/cases", test_text_cases);
  g_test_add_func ("/haul/core/uri-list/text/cases-chunked", test_text_cases_chunked);
  g_test_add_func ("/haul/core/uri-list/text/rejection-lines", test_text_rejection_lines);
  g_test_add_func ("/haul/core/uri-list/text/pathological", test_text_pathological);
  g_test_add_func ("/haul/core/uri-list/chunks/any-size", test_chunks_any_size);
  g_test_add_func ("/haul/core/uri-list/chunks/every-split", test_chunks_every_split);
  g_test_add_func ("/haul/core/uri-list/binary", test_binary);
  g_test_add_func ("/haul/core/uri-list/binary/png", test_binary_png);
  g_test_add_func ("/haul/core/uri-list/long-line/boundary", test_long_line_boundary);
  g_test_add_func ("/haul/core/uri-list/long-line/memory", test_long_line_memory);
  g_test_add_func ("/haul/core/uri-list/long-line/at-end", test_long_line_at_end);
  g_test_add_func ("/haul/core/uri-list/big-list", test_big_list);
  g_test_add_func ("/haul/core/uri-list/stream-file", test_stream_file);
  g_test_add_func ("/haul/core/uri-list/full", test_full);

  return g_test_run ();
}
