/* test-http.c — parsers for the response headers a download depends on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <string.h>

#include "haul-http.h"

/* Content-Range ---------------------------------------------------------- */

static void
assert_range (const char *value,
              gint64      start,
              gint64      end,
              gint64      total)
{
  gint64 s = -42, e = -42, t = -42;

  if (!haul_http_parse_content_range (value, &s, &e, &t))
    g_error ("Content-Range “%s” should parse", value);
  g_assert_cmpint (s, ==, start);
  g_assert_cmpint (e, ==, end);
  g_assert_cmpint (t, ==, total);
}

static void
assert_range_invalid (const char *value)
{
  gint64 s = -42, e = -42, t = -42;

  if (haul_http_parse_content_range (value, &s, &e, &t))
    g_error ("Content-Range “%s” should be refused", value);
  /* Nothing is written on failure. */
  g_assert_cmpint (s, ==, -42);
  g_assert_cmpint (e, ==, -42);
  g_assert_cmpint (t, ==, -42);
}

static void
test_content_range (void)
{
  assert_range ("bytes 0-99/100", 0, 99, 100);
  assert_range ("bytes 100-199/1000", 100, 199, 1000);
  assert_range ("bytes 0-0/1", 0, 0, 1);
  assert_range ("bytes 999-999/1000", 999, 999, 1000);
  assert_range ("bytes 1048576-2097151/10485760", 1048576, 2097151, 10485760);
  /* Case, extra whitespace around it. */
  assert_range ("BYTES 0-1/2", 0, 1, 2);
  assert_range ("Bytes 0-1/2", 0, 1, 2);
  assert_range ("  bytes\t 5-9/10 \t", 5, 9, 10);
  /* Sizes beyond 4 GiB and up to 18 digits. */
  assert_range ("bytes 4294967296-4294967299/8589934592",
                G_GINT64_CONSTANT (4294967296), G_GINT64_CONSTANT (4294967299),
                G_GINT64_CONSTANT (8589934592));
  assert_range ("bytes 0-999999999999999998/999999999999999999",
                0, G_GINT64_CONSTANT (999999999999999998), G_GINT64_CONSTANT (999999999999999999));
  /* Leading zeros are still decimal. */
  assert_range ("bytes 010-019/100", 10, 19, 100);
}

/* "bytes A-B/<asterisk>": the server does not know the complete length. */
static void
test_content_range_unknown_total (void)
{
  assert_range ("bytes 5-9/*", 5, 9, -1);
  assert_range ("bytes 0-0/*", 0, 0, -1);
}

/* "bytes <asterisk>/N" is what a 416 carries: the range was unsatisfiable and the
 * complete length is N. */
static void
test_content_range_unsatisfied (void)
{
  assert_range ("bytes */1000", -1, -1, 1000);
  assert_range ("bytes */0", -1, -1, 0);
  assert_range ("bytes  */4294967296 ", -1, -1, G_GINT64_CONSTANT (4294967296));
}

static void
test_content_range_garbage (void)
{
  static const char *values[] = {
    "", " ", "bytes", "bytes ", "bytes 0", "bytes 0-", "bytes 0-99", "bytes 0-99/",
    "bytes=0-99/100",          /* the Range syntax, not Content-Range */
    "bytes0-99/100", "items 0-99/100", "byte 0-99/100", "bytesx 0-99/100",
    "0-99/100", "/100", "*/100",
    "bytes 99-0/100",          /* end before start */
    "bytes 0-100/100",         /* end beyond the length */
    "bytes 0-1000/100",
    "bytes */*",               /* says nothing */
    "bytes * /100", "bytes */ 100", "bytes 0 - 99/100", "bytes 0-99 /100", "bytes 0- 99/100",
    "bytes -5-9/10", "bytes +5-9/10", "bytes 5--9/10", "bytes 5-9/-10", "bytes 5-9/+10",
    "bytes 0x10-0x20/100", "bytes 1.5-2/3", "bytes 0-99/100x", "bytes 0-99/100 x",
    "bytes 0-99/100, 200-299/300", "bytes 0-99/100;", "bytes 0-99/100\r\n", "bytes 0-99/100\n",
    "bytes 0-9/**", "bytes 0-9/*5", "bytes *-9/10", "bytes 0-*/10",
    "bytes 0-99/1000000000000000000",                      /* 19 digits */
    "bytes 1000000000000000000-1000000000000000001/*",     /* 19 digits */
    "bytes 0-99/99999999999999999999999999999999999999999",
    "bytes ０-９/１０",                                     /* full-width digits */
  };

  g_assert_false (haul_http_parse_content_range (NULL, NULL, NULL, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    assert_range_invalid (values[i]);
}

/* Out-parameters may be NULL. */
static void
test_content_range_null_outs (void)
{
  gint64 total = 0;

  g_assert_true (haul_http_parse_content_range ("bytes 0-1/2", NULL, NULL, NULL));
  g_assert_true (haul_http_parse_content_range ("bytes */77", NULL, NULL, &total));
  g_assert_cmpint (total, ==, 77);
}

/* Retry-After ------------------------------------------------------------ */

/* Wed, 21 Oct 2015 07:28:00 GMT */
#define DATE_UNIX G_GINT64_CONSTANT (1445412480)

static void
assert_retry_after (const char *value,
                    gint64      now,
                    gint64      expected)
{
  gint64 seconds = -42;

  if (!haul_http_parse_retry_after (value, now, &seconds))
    g_error ("Retry-After “%s” should parse", value);
  g_assert_cmpint (seconds, ==, expected);
}

static void
assert_retry_after_invalid (const char *value)
{
  gint64 seconds = -42;

  if (haul_http_parse_retry_after (value, DATE_UNIX, &seconds))
    g_error ("Retry-After “%s” should be refused, got %" G_GINT64_FORMAT, value, seconds);
  g_assert_cmpint (seconds, ==, -42);
}

static void
test_retry_after_seconds (void)
{
  assert_retry_after ("120", 0, 120);
  assert_retry_after ("0", 0, 0);
  assert_retry_after ("1", DATE_UNIX, 1);
  assert_retry_after (" 5 ", 0, 5);
  assert_retry_after ("\t30\t", 0, 30);
  assert_retry_after ("007", 0, 7);
  /* "now" does not matter for a delay. */
  assert_retry_after ("3600", DATE_UNIX, 3600);
}

/* A huge but well-formed delay is parsed as is (the backoff caps it); one
 * too long to be a number is refused rather than overflowing. */
static void
test_retry_after_huge (void)
{
  assert_retry_after ("31536000", 0, 31536000);
  assert_retry_after ("999999999999999999", 0, G_GINT64_CONSTANT (999999999999999999));
  assert_retry_after_invalid ("9999999999999999999");
  assert_retry_after_invalid ("9223372036854775807");
  assert_retry_after_invalid ("9223372036854775808");
  assert_retry_after_invalid ("99999999999999999999999999999999999999999999999999");
}

static void
test_retry_after_date (void)
{
  /* The three date formats HTTP allows. */
  assert_retry_after ("Wed, 21 Oct 2015 07:28:00 GMT", DATE_UNIX - 120, 120);
  assert_retry_after ("Wednesday, 21-Oct-15 07:28:00 GMT", DATE_UNIX - 120, 120);
  assert_retry_after ("Wed Oct 21 07:28:00 2015", DATE_UNIX - 120, 120);
  /* Whitespace before it. */
  assert_retry_after ("  Wed, 21 Oct 2015 07:28:00 GMT", DATE_UNIX - 1, 1);
  /* Exactly now, and in the past: no wait, never negative. */
  assert_retry_after ("Wed, 21 Oct 2015 07:28:00 GMT", DATE_UNIX, 0);
  assert_retry_after ("Wed, 21 Oct 2015 07:28:00 GMT", DATE_UNIX + 1, 0);
  assert_retry_after ("Sun, 06 Nov 1994 08:49:37 GMT", DATE_UNIX, 0);
  /* Far in the future: parsed as is (the backoff caps it). */
  assert_retry_after ("Fri, 31 Dec 9999 23:59:59 GMT", DATE_UNIX,
                      G_GINT64_CONSTANT (253402300799) - DATE_UNIX);
}

static void
test_retry_after_garbage (void)
{
  g_autofree char *long_value = g_strnfill (200, 'W');
  g_autofree char *long_date = g_strconcat ("Wed, 21 Oct 2015 07:28:00 GMT", long_value, NULL);

  assert_retry_after_invalid (NULL);
  assert_retry_after_invalid ("");
  assert_retry_after_invalid ("   ");
  assert_retry_after_invalid ("-5");
  assert_retry_after_invalid ("+5");
  assert_retry_after_invalid ("5s");
  assert_retry_after_invalid ("1.5");
  assert_retry_after_invalid ("5 5");
  assert_retry_after_invalid ("5,");
  assert_retry_after_invalid ("0x10");
  assert_retry_after_invalid ("120\r\n");
  assert_retry_after_invalid ("tomorrow");
  assert_retry_after_invalid ("soon");
  assert_retry_after_invalid ("Wed, 99 Oct 2015 07:28:00 GMT");
  assert_retry_after_invalid ("Wed, 21 Foo 2015 07:28:00 GMT");
  assert_retry_after_invalid (long_value);
  assert_retry_after_invalid (long_date);
}

/* Content-Type ----------------------------------------------------------- */

static void
assert_content_type (const char *value,
                     const char *expected)
{
  g_autofree char *type = haul_http_parse_content_type (value);

  g_assert_cmpstr (type, ==, expected);
}

static void
test_content_type (void)
{
  assert_content_type ("text/html", "text/html");
  assert_content_type ("text/html; charset=utf-8", "text/html");
  assert_content_type ("text/html;charset=UTF-8", "text/html");
  assert_content_type ("TEXT/HTML; Charset=UTF-8", "text/html");
  assert_content_type ("  application/octet-stream  ", "application/octet-stream");
  assert_content_type ("\tapplication/zip\t;\tname=x", "application/zip");
  assert_content_type ("application/vnd.ms-excel", "application/vnd.ms-excel");
  assert_content_type ("image/svg+xml", "image/svg+xml");
  assert_content_type ("application/x-iso9660-image", "application/x-iso9660-image");
  assert_content_type ("multipart/x-mixed-replace;boundary=frame", "multipart/x-mixed-replace");
  assert_content_type ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                       "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
}

static void
test_content_type_garbage (void)
{
  static const char *values[] = {
    "", " ", ";", "; charset=utf-8", "text", "text;charset=utf-8", "/", "/html", "text/",
    "text/;x=y", "text//html", "text/html/x", "te(xt/html", "text/ht\"ml", "text/html\r\n",
    "text/html\n", "tëxt/html", "text/htm\x01l", "te xt/html",
  };

  g_assert_null (haul_http_parse_content_type (NULL));
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *type = haul_http_parse_content_type (values[i]);

      if (type != NULL)
        g_error ("Content-Type “%s” should be refused, got “%s”", values[i], type);
    }
}

/* Content-Disposition ---------------------------------------------------- */

static void
assert_disposition (const char *value,
                    const char *expected)
{
  g_autofree char *name = haul_http_content_disposition_filename (value);

  if (g_strcmp0 (name, expected) != 0)
    g_error ("Content-Disposition “%s”: expected “%s”, got “%s”", value, expected, name);
  g_assert_cmpstr (name, ==, expected);
}

static void
test_disposition_plain (void)
{
  assert_disposition ("attachment; filename=\"report.pdf\"", "report.pdf");
  assert_disposition ("attachment; filename=report.pdf", "report.pdf");
  assert_disposition ("inline; filename=\"a.txt\"", "a.txt");
  assert_disposition ("attachment;filename=x.bin", "x.bin");
  assert_disposition ("attachment ;  filename  =  \"spaced name.txt\"  ", "spaced name.txt");
  assert_disposition ("attachment; FILENAME=\"Upper.txt\"", "Upper.txt");
  assert_disposition ("ATTACHMENT; FileName=x.txt", "x.txt");
  assert_disposition ("attachment; size=1234; filename=\"x.txt\"; creation-date=\"Wed, 12 Feb 1997 16:29:51 -0500\"",
                      "x.txt");
  assert_disposition ("attachment; filename=\"x.txt\";", "x.txt");
  /* The raw name comes back unsanitized; haul_filename_sanitize() is the
   * caller's job. */
  assert_disposition ("attachment; filename=\"../../etc/passwd\"", "../../etc/passwd");
  assert_disposition ("attachment; filename=\"\"", "");
  /* The first of two wins. */
  assert_disposition ("attachment; filename=\"first.txt\"; filename=\"second.txt\"", "first.txt");
}

static void
test_disposition_none (void)
{
  assert_disposition (NULL, NULL);
  assert_disposition ("", NULL);
  assert_disposition ("attachment", NULL);
  assert_disposition ("inline", NULL);
  assert_disposition ("attachment;", NULL);
  assert_disposition ("attachment; size=12", NULL);
  assert_disposition ("attachment; filenamex=\"a.txt\"", NULL);
  assert_disposition ("attachment; xfilename=\"a.txt\"", NULL);
  assert_disposition ("attachment; name=\"a.txt\"", NULL);
}

/* Quoted strings: a backslash escapes the next character. */
static void
test_disposition_quoted (void)
{
  assert_disposition ("attachment; filename=\"a\\\"b.txt\"", "a\"b.txt");
  assert_disposition ("attachment; filename=\"a\\\\b.txt\"", "a\\b.txt");
  assert_disposition ("attachment; filename=\"\\a\\b\\c.txt\"", "abc.txt");
  assert_disposition ("attachment; filename=\"semi;colon.txt\"", "semi;colon.txt");
  assert_disposition ("attachment; filename=\"with space.txt\"; size=3", "with space.txt");
  assert_disposition ("attachment; filename=\"é.txt\"", "é.txt");
}

/* RFC 8187 ext-values in filename*. */
static void
test_disposition_ext_value (void)
{
  assert_disposition ("attachment; filename*=UTF-8''%E2%82%AC%20rates.txt", "€ rates.txt");
  assert_disposition ("attachment; filename*=utf-8''%e2%82%ac.txt", "€.txt");
  assert_disposition ("attachment; filename*=UTF-8'en'plain.txt", "plain.txt");
  assert_disposition ("attachment; filename*=UTF-8'de-DE'%C3%A4rger.txt", "ärger.txt");
  assert_disposition ("attachment; filename*=ISO-8859-1''caf%E9.txt", "café.txt");
  assert_disposition ("attachment; filename*=iso-8859-1'fr'%C0%20la%20carte.txt", "À la carte.txt");
  assert_disposition ("attachment; FILENAME*=UTF-8''x.txt", "x.txt");
  assert_disposition ("attachment; filename*=UTF-8''%F0%9F%98%80.png", "😀.png");
}

/* filename* wins over filename wherever it comes (RFC 6266 §4.3). */
static void
test_disposition_precedence (void)
{
  assert_disposition ("attachment; filename=\"EURO rates.txt\"; filename*=UTF-8''%E2%82%AC%20rates.txt",
                      "€ rates.txt");
  assert_disposition ("attachment; filename*=UTF-8''%E2%82%AC%20rates.txt; filename=\"EURO rates.txt\"",
                      "€ rates.txt");
  /* An unusable filename* falls back to filename. */
  assert_disposition ("attachment; filename*=UTF-8''%FF%FE.txt; filename=\"fallback.txt\"", "fallback.txt");
  assert_disposition ("attachment; filename=\"fallback.txt\"; filename*=KOI8-R''%C1.txt", "fallback.txt");
  assert_disposition ("attachment; filename=\"fallback.txt\"; filename*=UTF-8''bad%G1", "fallback.txt");
  assert_disposition ("attachment; filename=\"fallback.txt\"; filename*=UTF-8''bad%4", "fallback.txt");
  assert_disposition ("attachment; filename=\"fallback.txt\"; filename*=nocharset.txt", "fallback.txt");
  assert_disposition ("attachment; filename=\"fallback.txt\"; filename*=UTF-8'x.txt", "fallback.txt");
  /* An ext-value may not be quoted. */
  assert_disposition ("attachment; filename=\"fallback.txt\"; filename*=\"UTF-8''x.txt\"", "fallback.txt");
  /* A NUL byte cannot be smuggled in through an escape. */
  assert_disposition ("attachment; filename=\"fallback.txt\"; filename*=UTF-8''evil%00.exe", "fallback.txt");
  /* The first usable filename* wins. */
  assert_disposition ("attachment; filename*=UTF-8''one.txt; filename*=UTF-8''two.txt", "one.txt");
}

/* Values from servers nobody controls: refused or returned raw, never a
 * crash or a read past the end. */
static void
test_disposition_hostile (void)
{
  g_autofree char *huge_name = g_strnfill (100000, 'x');
  g_autofree char *huge = g_strdup_printf ("attachment; filename=\"%s\"", huge_name);
  g_autofree char *huge_out = haul_http_content_disposition_filename (huge);
  g_autofree char *many = NULL;
  g_autoptr(GString) s = g_string_new ("attachment");

  /* Unterminated quotes and escapes at the very end. */
  assert_disposition ("attachment; filename=\"unterminated", NULL);
  assert_disposition ("attachment; filename=\"unterminated\\", NULL);
  assert_disposition ("attachment; filename=\"", NULL);
  assert_disposition ("attachment; filename=\"a\\\"", NULL);
  /* Missing parts. */
  assert_disposition ("attachment; filename", NULL);
  assert_disposition ("attachment; filename=", "");
  assert_disposition ("attachment; =x.txt", NULL);
  assert_disposition ("attachment; ; filename=x.txt", NULL);
  assert_disposition ("attachment; filename*=", NULL);
  assert_disposition ("attachment; filename*=UTF-8''", "");
  /* Garbage between or instead of parameters. */
  assert_disposition ("attachment garbage; filename=x.txt", NULL);
  assert_disposition ("attachment; filename=\"x.txt\" garbage", NULL);
  assert_disposition ("attachment; filename=x.txt garbage", NULL);
  assert_disposition ("filename=x.txt", NULL);
  assert_disposition ("\"attachment\"; filename=x.txt", NULL);
  /* Control characters, separators and overrides come back raw, for the
   * sanitizer to deal with. */
  assert_disposition ("attachment; filename=\"a\r\nSet-Cookie: x\"", "a\r\nSet-Cookie: x");
  assert_disposition ("attachment; filename*=UTF-8''..%2F..%2F.bashrc", "../../.bashrc");
  assert_disposition ("attachment; filename*=UTF-8''invoice%E2%80%AEfdp.exe", "invoice\u202efdp.exe");
  /* Huge values do not crash. */
  g_assert_nonnull (huge_out);
  g_assert_cmpuint (strlen (huge_out), ==, 100000);
  g_assert_cmpstr (huge_out, ==, huge_name);
  /* Nor do many parameters. */
  for (guint i = 0; i < 10000; i++)
    g_string_append_printf (s, "; p%u=\"v%u\"", i, i);
  g_string_append (s, "; filename=last.txt");
  many = haul_http_content_disposition_filename (s->str);
  g_assert_cmpstr (many, ==, "last.txt");
}

/* ETag ------------------------------------------------------------------- */

static void
test_etag_strong (void)
{
  g_autofree char *long_body = g_strnfill (5000, 'a');
  g_autofree char *long_etag = g_strdup_printf ("\"%s\"", long_body);

  g_assert_true (haul_http_etag_is_strong ("\"abc\""));
  g_assert_true (haul_http_etag_is_strong ("\"5f3a-1b2c3d4e5f\""));
  g_assert_true (haul_http_etag_is_strong ("\"\""));
  g_assert_true (haul_http_etag_is_strong ("\"W/abc\""));

  /* Weak tags cannot be used with If-Range. */
  g_assert_false (haul_http_etag_is_strong ("W/\"abc\""));
  g_assert_false (haul_http_etag_is_strong ("w/\"abc\""));
  /* Malformed. */
  g_assert_false (haul_http_etag_is_strong (NULL));
  g_assert_false (haul_http_etag_is_strong (""));
  g_assert_false (haul_http_etag_is_strong ("\""));
  g_assert_false (haul_http_etag_is_strong ("abc"));
  g_assert_false (haul_http_etag_is_strong ("\"abc"));
  g_assert_false (haul_http_etag_is_strong ("abc\""));
  g_assert_false (haul_http_etag_is_strong (" \"abc\""));
  g_assert_false (haul_http_etag_is_strong ("'abc'"));
  /* Unsafe to send back. */
  g_assert_false (haul_http_etag_is_strong ("\"abc\r\nX-Evil: 1\""));
  g_assert_false (haul_http_etag_is_strong ("\"abc\n\""));
  g_assert_false (haul_http_etag_is_strong ("\"a\x01\""));
  g_assert_false (haul_http_etag_is_strong (long_etag));
}

/* Header value safety ---------------------------------------------------- */

static void
test_value_is_safe (void)
{
  g_autofree char *k4 = g_strnfill (4096, 'a');
  g_autofree char *k5 = g_strnfill (5000, 'a');
  g_autofree char *m1 = g_strnfill (1 << 20, 'a');

  g_assert_true (haul_http_value_is_safe (""));
  g_assert_true (haul_http_value_is_safe ("abc"));
  g_assert_true (haul_http_value_is_safe ("\"5f3a-1b2c\""));
  g_assert_true (haul_http_value_is_safe ("W/\"x\""));
  g_assert_true (haul_http_value_is_safe ("Wed, 21 Oct 2015 07:28:00 GMT"));
  g_assert_true (haul_http_value_is_safe ("https://example.com/a?b=c&d=%20e"));
  g_assert_true (haul_http_value_is_safe ("café ☕"));
  g_assert_true (haul_http_value_is_safe ("~!@#$%^&*()_+{}|:<>?`-=[]\\;',./"));
  g_assert_true (haul_http_value_is_safe (k4));

  /* CR and LF would split the request: header injection. */
  g_assert_false (haul_http_value_is_safe ("abc\r\nX-Evil: 1"));
  g_assert_false (haul_http_value_is_safe ("abc\r"));
  g_assert_false (haul_http_value_is_safe ("\n"));
  g_assert_false (haul_http_value_is_safe ("a\nb"));
  /* Other controls, including the ones right after NUL and DEL. */
  g_assert_false (haul_http_value_is_safe ("\x01"));
  g_assert_false (haul_http_value_is_safe ("a\x01" "b"));
  g_assert_false (haul_http_value_is_safe ("a\x08" "b"));
  g_assert_false (haul_http_value_is_safe ("a\x1b[0m"));
  g_assert_false (haul_http_value_is_safe ("a\x1f"));
  g_assert_false (haul_http_value_is_safe ("a\x7f"));
  g_assert_false (haul_http_value_is_safe ("a\tb"));
  g_assert_false (haul_http_value_is_safe ("\x0b"));
  g_assert_false (haul_http_value_is_safe ("\x0c"));
  /* Absurd lengths. */
  g_assert_false (haul_http_value_is_safe (k5));
  g_assert_false (haul_http_value_is_safe (m1));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haul/core/http/content-range", test_content_range);
  g_test_add_func ("/haul/core/http/content-range/unknown-total", test_content_range_unknown_total);
  g_test_add_func ("/haul/core/http/content-range/unsatisfied", test_content_range_unsatisfied);
  g_test_add_func ("/haul/core/http/content-range/garbage", test_content_range_garbage);
  g_test_add_func ("/haul/core/http/content-range/null-outs", test_content_range_null_outs);
  g_test_add_func ("/haul/core/http/retry-after/seconds", test_retry_after_seconds);
  g_test_add_func ("/haul/core/http/retry-after/huge", test_retry_after_huge);
  g_test_add_func ("/haul/core/http/retry-after/date", test_retry_after_date);
  g_test_add_func ("/haul/core/http/retry-after/garbage", test_retry_after_garbage);
  g_test_add_func ("/haul/core/http/content-type", test_content_type);
  g_test_add_func ("/haul/core/http/content-type/garbage", test_content_type_garbage);
  g_test_add_func ("/haul/core/http/content-disposition/plain", test_disposition_plain);
  g_test_add_func ("/haul/core/http/content-disposition/none", test_disposition_none);
  g_test_add_func ("/haul/core/http/content-disposition/quoted", test_disposition_quoted);
  g_test_add_func ("/haul/core/http/content-disposition/ext-value", test_disposition_ext_value);
  g_test_add_func ("/haul/core/http/content-disposition/precedence", test_disposition_precedence);
  g_test_add_func ("/haul/core/http/content-disposition/hostile", test_disposition_hostile);
  g_test_add_func ("/haul/core/http/etag-strong", test_etag_strong);
  g_test_add_func ("/haul/core/http/value-is-safe", test_value_is_safe);

  return g_test_run ();
}
