/* test-request-context.c — HaulRequestContext: headers, cookies, cookies.txt,
 * the stored text
 *
 * No network: cookies are matched against URIs, applied to SoupMessages
 * that are never sent, and cookies.txt files are real files in a
 * temporary folder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "haul-request-context.h"
#include "haul-test-queue.h"

#define SECRET "s3cr3t-M4RK3R"

static char *tmp_dir;

static char *
write_file (const char *name,
            const char *contents,
            gssize      len)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (tmp_dir, name, NULL);

  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
  return path;
}

static GUri *
uri (const char *text)
{
  GUri *u = g_uri_parse (text, G_URI_FLAGS_ENCODED, NULL);

  g_assert_nonnull (u);
  return u;
}

/* The Cookie header for @text, or "" for none. */
static char *
cookie_for (HaulRequestContext *ctx,
            const char         *text)
{
  g_autoptr(GUri) u = uri (text);
  char *header = haul_request_context_dup_cookie_header (ctx, u);

  return header != NULL ? header : g_strdup ("");
}

static void
assert_refused (HaulRequestContext *ctx,
                const char         *line,
                int                 code,
                const char         *needle)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (haul_request_context_add_header_line (ctx, line, &error));
  g_assert_error (error, HAUL_REQUEST_CONTEXT_ERROR, code);
  if (needle != NULL && strstr (error->message, needle) == NULL)
    g_error ("“%s” not in “%s”", needle, error->message);
  g_assert_null (strstr (error->message, SECRET));
}

static void
test_headers (void)
{
  g_autoptr(HaulRequestContext) ctx = haul_request_context_new ();
  g_autoptr(GError) error = NULL;
  const char * const *headers;
  const char *reserved[] = { "Host", "range", "If-Range", "Content-Length", "Accept-Encoding",
                             "Transfer-Encoding", "Connection", "Authorization", "COOKIE" };

  g_assert_true (haul_request_context_is_empty (ctx));
  g_assert_true (haul_request_context_add_header_line (ctx, "X-Token:   " SECRET "  ", &error));
  g_assert_no_error (error);
  g_assert_true (haul_request_context_add_header (ctx, "Accept-Language", "de", &error));
  headers = haul_request_context_get_headers (ctx);
  g_assert_cmpstr (headers[0], ==, "X-Token: " SECRET);
  g_assert_cmpstr (headers[1], ==, "Accept-Language: de");
  g_assert_null (headers[2]);
  g_assert_false (haul_request_context_is_empty (ctx));

  /* Referer and User-Agent as headers set the fields. */
  g_assert_true (haul_request_context_add_header_line (ctx, "Referer: https://example.org/page", &error));
  g_assert_true (haul_request_context_add_header_line (ctx, "User-Agent: Mozilla/5.0 (X11)", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (haul_request_context_get_referrer (ctx), ==, "https://example.org/page");
  g_assert_cmpstr (haul_request_context_get_user_agent (ctx), ==, "Mozilla/5.0 (X11)");
  g_assert_null (haul_request_context_get_headers (ctx)[2]);

  for (gsize i = 0; i < G_N_ELEMENTS (reserved); i++)
    {
      g_autofree char *line = g_strdup_printf ("%s: " SECRET, reserved[i]);
      g_autofree char *quoted = g_strdup_printf ("“%s”", reserved[i]);

      assert_refused (ctx, line, HAUL_REQUEST_CONTEXT_ERROR_RESERVED, quoted);
    }
  assert_refused (ctx, "Cookie: a=" SECRET, HAUL_REQUEST_CONTEXT_ERROR_RESERVED, "cookies file");

  assert_refused (ctx, "no colon " SECRET, HAUL_REQUEST_CONTEXT_ERROR_INVALID, "colon");
  assert_refused (ctx, ": " SECRET, HAUL_REQUEST_CONTEXT_ERROR_INVALID, "header name");
  assert_refused (ctx, "Bad Name: " SECRET, HAUL_REQUEST_CONTEXT_ERROR_INVALID, "header name");
  assert_refused (ctx, "X-A: " SECRET "\r\nHost: evil", HAUL_REQUEST_CONTEXT_ERROR_INVALID, "line break");
  assert_refused (ctx, "X-A: a\n" SECRET, HAUL_REQUEST_CONTEXT_ERROR_INVALID, "line break");
  assert_refused (ctx, "X-A: a\x01" SECRET, HAUL_REQUEST_CONTEXT_ERROR_INVALID, "control");
  assert_refused (ctx, "X-A: \xff\xfe" SECRET, HAUL_REQUEST_CONTEXT_ERROR_INVALID, NULL);
  assert_refused (ctx, "Referer: ftp://example.org/" SECRET, HAUL_REQUEST_CONTEXT_ERROR_INVALID, "http or https");
  assert_refused (ctx, "Referer: not a link " SECRET, HAUL_REQUEST_CONTEXT_ERROR_INVALID, "http or https");

  {
    g_autofree char *long_value = g_strnfill (HAUL_REQUEST_CONTEXT_MAX_VALUE + 1, 'v');
    g_autofree char *line = g_strconcat ("X-Long: ", long_value, NULL);

    assert_refused (ctx, line, HAUL_REQUEST_CONTEXT_ERROR_INVALID, "too long");
  }

  /* Refused lines changed nothing. */
  g_assert_null (haul_request_context_get_headers (ctx)[2]);

  for (guint i = 2; i < HAUL_REQUEST_CONTEXT_MAX_HEADERS; i++)
    g_assert_true (haul_request_context_add_header (ctx, "X-Many", "1", NULL));
  assert_refused (ctx, "X-One-More: 1", HAUL_REQUEST_CONTEXT_ERROR_TOO_MANY, "at most");
}

static SoupCookie *
cookie_new (const char *name,
            const char *value,
            const char *domain,
            const char *path)
{
  return soup_cookie_new (name, value, domain, path, -1);
}

/* Cookies of every kind: domain, host-only, path, secure, expired. */
static HaulRequestContext *
matching_context (void)
{
  HaulRequestContext *ctx = haul_request_context_new ();
  g_autoptr(SoupCookie) domain = cookie_new ("dom", "1", ".example.org", "/");
  g_autoptr(SoupCookie) host = cookie_new ("host", "2", "example.org", "/");
  g_autoptr(SoupCookie) path = cookie_new ("path", "3", ".example.org", "/private");
  g_autoptr(SoupCookie) secure = cookie_new ("sec", "4", ".example.org", "/");
  g_autoptr(SoupCookie) expired = cookie_new ("old", "5", ".example.org", "/");
  g_autoptr(SoupCookie) other = cookie_new ("other", "6", "other.net", "/");
  g_autoptr(GDateTime) past = g_date_time_new_from_unix_utc (1000000000);

  soup_cookie_set_secure (secure, TRUE);
  soup_cookie_set_expires (expired, past);
  haul_request_context_add_cookie (ctx, domain);
  haul_request_context_add_cookie (ctx, host);
  haul_request_context_add_cookie (ctx, path);
  haul_request_context_add_cookie (ctx, secure);
  haul_request_context_add_cookie (ctx, expired);
  haul_request_context_add_cookie (ctx, other);
  return ctx;
}

static void
assert_matching (HaulRequestContext *ctx)
{
  static const struct
  {
    const char *uri;
    const char *cookie;
  } cases[] = {
    { "http://example.org/file", "dom=1; host=2" },
    { "https://example.org/file", "dom=1; host=2; sec=4" },
    { "http://www.example.org/file", "dom=1" },                     /* host-only stays home */
    { "https://cdn.example.org/private/x", "path=3; dom=1; sec=4" }, /* longest path first */
    { "http://example.org/privateer", "dom=1; host=2" },            /* a path prefix is not a path */
    { "http://notexample.org/", "" },
    { "http://example.org.evil.net/", "" },
    { "http://other.net/", "other=6" },
    { "http://sub.other.net/", "" },
    { "http://127.0.0.1/", "" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = cookie_for (ctx, cases[i].uri);

      if (g_strcmp0 (got, cases[i].cookie) != 0)
        g_error ("%s: got “%s”, expected “%s”", cases[i].uri, got, cases[i].cookie);
    }
}

static void
test_cookie_matching (void)
{
  g_autoptr(HaulRequestContext) ctx = matching_context ();

  assert_matching (ctx);
  g_assert_cmpuint (g_slist_length (haul_request_context_get_cookies (ctx)), ==, 6);
}

static void
test_apply (void)
{
  g_autoptr(HaulRequestContext) ctx = matching_context ();
  g_autoptr(SoupMessage) home = soup_message_new ("GET", "https://example.org/f");
  g_autoptr(SoupMessage) away = soup_message_new ("GET", "http://other.org/f");
  SoupMessageHeaders *h;

  g_assert_true (haul_request_context_set_referrer (ctx, "https://example.org/page", NULL));
  g_assert_true (haul_request_context_set_user_agent (ctx, "Agent/1", NULL));
  g_assert_true (haul_request_context_add_header_line (ctx, "X-Token: " SECRET, NULL));
  haul_request_context_freeze (ctx);

  haul_request_context_apply (ctx, home);
  h = soup_message_get_request_headers (home);
  g_assert_cmpstr (soup_message_headers_get_one (h, "Referer"), ==, "https://example.org/page");
  g_assert_cmpstr (soup_message_headers_get_one (h, "User-Agent"), ==, "Agent/1");
  g_assert_cmpstr (soup_message_headers_get_one (h, "X-Token"), ==, SECRET);
  g_assert_cmpstr (soup_message_headers_get_one (h, "Cookie"), ==, "dom=1; host=2; sec=4");

  /* Another site: the headers, never the cookies; a stale Cookie goes. */
  soup_message_headers_replace (soup_message_get_request_headers (away), "Cookie", "stale=1");
  haul_request_context_apply (ctx, away);
  h = soup_message_get_request_headers (away);
  g_assert_cmpstr (soup_message_headers_get_one (h, "X-Token"), ==, SECRET);
  g_assert_null (soup_message_headers_get_one (h, "Cookie"));

  /* No context: nothing. */
  haul_request_context_apply (NULL, away);

  /* Frozen: setters refuse. */
  g_test_expect_message ("haul-request-context", G_LOG_LEVEL_CRITICAL, "*frozen*");
  g_assert_false (haul_request_context_set_referrer (ctx, NULL, NULL));
  g_test_assert_expected_messages ();
}

static void
test_describe (void)
{
  g_autoptr(HaulRequestContext) ctx = matching_context ();
  g_autoptr(HaulRequestContext) empty = haul_request_context_new ();
  g_autofree char *text = NULL;
  g_autofree char *one = NULL;
  g_autoptr(HaulRequestContext) single = haul_request_context_new ();
  g_autoptr(SoupCookie) c = cookie_new ("n", SECRET, "example.org", "/");

  g_assert_null (haul_request_context_describe (empty));
  g_assert_true (haul_request_context_set_referrer (ctx, "https://www.example.org/a?token=" SECRET, NULL));
  g_assert_true (haul_request_context_add_header_line (ctx, "X-A: " SECRET, NULL));
  g_assert_true (haul_request_context_add_header_line (ctx, "X-B: " SECRET, NULL));
  text = haul_request_context_describe (ctx);
  g_assert_cmpstr (text, ==, "6 cookies, referrer www.example.org, 2 extra headers");

  haul_request_context_add_cookie (single, c);
  one = haul_request_context_describe (single);
  g_assert_cmpstr (one, ==, "1 cookie");
}

static void
test_copy_for_site (void)
{
  g_autoptr(HaulRequestContext) ctx = matching_context ();
  g_autoptr(HaulRequestContext) site = NULL;
  g_autoptr(HaulRequestContext) none = NULL;
  g_autoptr(SoupCookie) uk = cookie_new ("uk", "7", ".shop.co.uk", "/");
  g_autoptr(SoupCookie) uk_other = cookie_new ("uk2", "8", ".other.co.uk", "/");
  g_autoptr(HaulRequestContext) uk_site = NULL;

  g_assert_true (haul_request_context_add_header_line (ctx, "X-A: 1", NULL));
  haul_request_context_add_cookie (ctx, uk);
  haul_request_context_add_cookie (ctx, uk_other);
  haul_request_context_freeze (ctx);

  site = haul_request_context_copy_for_site (ctx, "https://dl.example.org/f.iso");
  g_assert_false (haul_request_context_is_frozen (site));
  g_assert_cmpuint (g_slist_length (haul_request_context_get_cookies (site)), ==, 5);
  g_assert_cmpstr (haul_request_context_get_headers (site)[0], ==, "X-A: 1");
  {
    g_autofree char *home = cookie_for (site, "https://cdn.example.org/private/x");
    g_autofree char *got = cookie_for (site, "http://other.net/");

    g_assert_cmpstr (home, ==, "path=3; dom=1; sec=4");
    g_assert_cmpstr (got, ==, "");
  }

  uk_site = haul_request_context_copy_for_site (ctx, "http://www.shop.co.uk/");
  g_assert_cmpuint (g_slist_length (haul_request_context_get_cookies (uk_site)), ==, 1);

  none = haul_request_context_copy_for_site (ctx, "http://127.0.0.1:8080/");
  g_assert_null (haul_request_context_get_cookies (none));
  g_assert_false (haul_request_context_is_empty (none));
}

static void
test_round_trip (void)
{
  g_autoptr(HaulRequestContext) ctx = matching_context ();
  g_autoptr(HaulRequestContext) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;
  g_autoptr(SoupCookie) future = cookie_new ("future", "9", "example.org", "/future");
  g_autoptr(GDateTime) later = g_date_time_new_from_unix_utc (4102444800); /* 2100 */

  soup_cookie_set_expires (future, later);
  soup_cookie_set_http_only (future, TRUE);
  haul_request_context_add_cookie (ctx, future);
  g_assert_true (haul_request_context_set_referrer (ctx, "https://example.org/p", NULL));
  g_assert_true (haul_request_context_set_user_agent (ctx, "Agent “quoted” 'x' \\", NULL));
  g_assert_true (haul_request_context_add_header_line (ctx, "X-Q: a'b\"c", NULL));

  text = haul_request_context_to_string (ctx);
  back = haul_request_context_new_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  again = haul_request_context_to_string (back);
  g_assert_cmpstr (again, ==, text);

  g_assert_cmpstr (haul_request_context_get_referrer (back), ==, "https://example.org/p");
  g_assert_cmpstr (haul_request_context_get_user_agent (back), ==, "Agent “quoted” 'x' \\");
  g_assert_cmpstr (haul_request_context_get_headers (back)[0], ==, "X-Q: a'b\"c");
  assert_matching (back);
  {
    g_autofree char *got = cookie_for (back, "http://example.org/future/x");

    g_assert_cmpstr (got, ==, "future=9; dom=1; host=2");
  }

  /* An empty one too. */
  {
    g_autoptr(HaulRequestContext) empty = haul_request_context_new ();
    g_autofree char *empty_text = haul_request_context_to_string (empty);
    g_autoptr(HaulRequestContext) empty_back = haul_request_context_new_from_string (empty_text, &error);

    g_assert_no_error (error);
    g_assert_true (haul_request_context_is_empty (empty_back));
  }
}

static void
test_hostile_text (void)
{
  g_autofree char *huge = g_strnfill (HAUL_REQUEST_CONTEXT_MAX_TEXT + 1, ' ');
  g_autofree char *deep = NULL;
  const char *cases[] = {
    "",
    "garbage " SECRET,
    "{}",
    "{'version': <uint32 2>}",
    "{'version': <'1'>}",
    "{'version': <uint32 1>, 'referrer': <int32 5>}",
    "{'version': <uint32 1>, 'referrer': <'javascript:" SECRET "'>}",
    "{'version': <uint32 1>, 'user-agent': <'a\\r\\nHost: evil'>}",
    "{'version': <uint32 1>, 'headers': <'X-A: 1'>}",
    "{'version': <uint32 1>, 'headers': <['Host: " SECRET "']>}",
    "{'version': <uint32 1>, 'headers': <['X-A: " SECRET "\\nX-B: 2']>}",
    "{'version': <uint32 1>, 'headers': <['no colon']>}",
    "{'version': <uint32 1>, 'cookies': <[('n', 'v')]>}",
    "{'version': <uint32 1>, 'cookies': <[('n', '" SECRET ";x', 'a.org', '/', int64 -1, false, false, 0)]>}",
    "{'version': <uint32 1>, 'cookies': <[('n', 'v', '', '/', int64 -1, false, false, 0)]>}",
    "{'version': <uint32 1>, 'cookies': <[('n', 'v', 'a.org', '/', int64 -1, false, false, 99)]>}",
    "{'version': <uint32 1>, 'cookies': <[('n', 'v', 'a.org', '/', int64 -5, false, false, 0)]>}",
    "{'version': <uint32 1>, 'cookies': <[('n=x', 'v', 'a.org', '/', int64 -1, false, false, 0)]>}",
    "{'version': <uint32 1>, 'cookies': <[('n', 'v', 'a.org/x', '/', int64 -1, false, false, 0)]>}",
    "{'version': <uint32 1>, 'referrer': <'\xff\xfe'>}",
    "\xff{'version': <uint32 1>}",
  };
  GString *nested = g_string_new ("{'version': <uint32 1>, 'x': <");

  for (int i = 0; i < 100000; i++)
    g_string_append_c (nested, '[');
  deep = g_string_free (nested, FALSE);

  for (gsize i = 0; i < G_N_ELEMENTS (cases) + 3; i++)
    {
      g_autoptr(GError) error = NULL;
      const char *text = i < G_N_ELEMENTS (cases) ? cases[i] : i == G_N_ELEMENTS (cases) ? huge : deep;
      g_autoptr(HaulRequestContext) ctx = NULL;

      if (i == G_N_ELEMENTS (cases) + 2)
        text = NULL;
      ctx = haul_request_context_new_from_string (text, &error);
      if (ctx != NULL)
        g_error ("case %" G_GSIZE_FORMAT " was accepted", i);
      g_assert_error (error, HAUL_REQUEST_CONTEXT_ERROR, HAUL_REQUEST_CONTEXT_ERROR_DAMAGED);
      g_assert_null (strstr (error->message, SECRET));
    }

  /* A key this build does not know is ignored. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(HaulRequestContext) ctx =
      haul_request_context_new_from_string ("{'version': <uint32 1>, 'later': <'x'>, 'referrer': <'http://a.org/'>, "
                                            "'nested': <[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]>}",
                                            &error);

    g_assert_no_error (error);
    g_assert_cmpstr (haul_request_context_get_referrer (ctx), ==, "http://a.org/");
  }
}

static void
assert_file_refused (const char *path,
                     const char *needle)
{
  g_autoptr(HaulRequestContext) ctx = haul_request_context_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (haul_request_context_load_cookies_file (ctx, path, &error));
  g_assert_error (error, HAUL_REQUEST_CONTEXT_ERROR, HAUL_REQUEST_CONTEXT_ERROR_COOKIES_FILE);
  if (strstr (error->message, needle) == NULL)
    g_error ("“%s” not in “%s”", needle, error->message);
  g_assert_null (strstr (error->message, SECRET));
  g_assert_null (haul_request_context_get_cookies (ctx));
}

static void
test_cookies_file (void)
{
  g_autoptr(HaulRequestContext) ctx = haul_request_context_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *got = NULL;
  g_autofree char *sub = NULL;
  g_autofree char *secure_http = NULL;
  g_autofree char *secure_https = NULL;
  g_autofree char *other = NULL;
  const char *text =
    "# Netscape HTTP Cookie File\n"
    "# a comment: example.org\tFALSE\t/\tFALSE\t0\tcomment\tno\n"
    "\n"
    ".example.org\tTRUE\t/\tFALSE\t4102444800\tdom\t" SECRET "\n"
    "example.org\tFALSE\t/\tFALSE\t0\thost\tsession\n"
    "#HttpOnly_.example.org\tTRUE\t/\tFALSE\t4102444800\thttponly\tyes\n"
    ".example.org\tTRUE\t/\tTRUE\t4102444800\tsec\tonly-https\n"
    ".example.org\tTRUE\t/\tFALSE\t1000000000\texpired\tgone\n"
    ".example.org\tTRUE\t/\tFALSE\n"                      /* missing fields */
    "sub.example.org\tTRUE\t/\tFALSE\tsoon\tbadexpiry\tx\n"
    "just some words\n"
    "other.net\tFALSE\t/\tFALSE\t0\tother\tx\n"
    "www.example.net\tTRUE\t/\tFALSE\t4102444800\tflag\t1\r\n";

  path = write_file ("cookies.txt", text, -1);
  g_assert_true (haul_request_context_load_cookies_file (ctx, path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_slist_length (haul_request_context_get_cookies (ctx)), ==, 6);

  got = cookie_for (ctx, "http://example.org/f");
  sub = cookie_for (ctx, "http://www.example.org/f");
  secure_http = cookie_for (ctx, "http://cdn.example.org/f");
  secure_https = cookie_for (ctx, "https://cdn.example.org/f");
  other = cookie_for (ctx, "http://other.net/f");
  /* Same path length: the order libsoup lists them in. */
  g_assert_nonnull (strstr (got, "dom=" SECRET));
  g_assert_nonnull (strstr (got, "host=session"));
  g_assert_nonnull (strstr (got, "httponly=yes"));
  g_assert_null (strstr (got, "sec="));
  g_assert_null (strstr (got, "expired"));
  g_assert_null (strstr (sub, "host="));
  g_assert_nonnull (strstr (sub, "dom="));
  g_assert_null (strstr (secure_http, "sec="));
  g_assert_nonnull (strstr (secure_https, "sec=only-https"));
  g_assert_cmpstr (other, ==, "other=x");

  /* TRUE without a leading dot: subdomains too; a date after 2038 kept;
   * a CRLF line. */
  {
    g_autofree char *flag = cookie_for (ctx, "http://a.www.example.net/");
    SoupCookie *newest = haul_request_context_get_cookies (ctx)->data;

    g_assert_cmpstr (flag, ==, "flag=1");
    g_assert_cmpstr (soup_cookie_get_name (newest), ==, "flag");
    g_assert_cmpint (g_date_time_to_unix (soup_cookie_get_expires (newest)), ==, 4102444800);
  }

  /* Hostile files. */
  {
    g_autofree char *binary = write_file ("binary.txt", "example.org\tFALSE\t/\tFALSE\t0\ta\tb\n\0\x01\x02",
                                              sizeof "example.org\tFALSE\t/\tFALSE\t0\ta\tb\n\0\x01\x02" - 1);
    g_autofree char *latin1 = write_file ("latin1.txt", "example.org\tFALSE\t/\tFALSE\t0\ta\t\xe9\n", -1);
    g_autofree char *prose = write_file ("prose.txt", "Dear " SECRET ",\nthis is not a cookies file.\n", -1);
    g_autofree char *huge = g_build_filename (tmp_dir, "huge.txt", NULL);
    g_autofree char *fifo = g_build_filename (tmp_dir, "fifo", NULL);
    g_autofree char *missing = g_build_filename (tmp_dir, "missing.txt", NULL);
    FILE *f = fopen (huge, "w");

    g_assert_nonnull (f);
    g_assert_cmpint (ftruncate (fileno (f), HAUL_REQUEST_CONTEXT_MAX_FILE + 1), ==, 0);
    fclose (f);
    g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);

    assert_file_refused (binary, "not text");
    assert_file_refused (latin1, "not text");
    assert_file_refused (prose, "seven fields");
    assert_file_refused (huge, "too big");
    assert_file_refused (tmp_dir, "is a folder");
    assert_file_refused (fifo, "not a regular file");
    assert_file_refused (missing, "Could not open");
    if (geteuid () != 0)
      {
        g_autofree char *locked = write_file ("locked.txt", text, -1);

        g_assert_cmpint (g_chmod (locked, 0), ==, 0);
        assert_file_refused (locked, "Permission denied");
      }
  }

  /* An empty file or comments only: no cookies, no error. */
  {
    g_autoptr(HaulRequestContext) empty = haul_request_context_new ();
    g_autofree char *comments = write_file ("comments.txt", "# Netscape HTTP Cookie File\n\n", -1);

    g_assert_true (haul_request_context_load_cookies_file (empty, comments, &error));
    g_assert_no_error (error);
    g_assert_null (haul_request_context_get_cookies (empty));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("haul-request-context-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/request-context/headers", test_headers);
  g_test_add_func ("/request-context/cookie-matching", test_cookie_matching);
  g_test_add_func ("/request-context/apply", test_apply);
  g_test_add_func ("/request-context/describe", test_describe);
  g_test_add_func ("/request-context/copy-for-site", test_copy_for_site);
  g_test_add_func ("/request-context/round-trip", test_round_trip);
  g_test_add_func ("/request-context/hostile-text", test_hostile_text);
  g_test_add_func ("/request-context/cookies-file", test_cookies_file);

  ret = g_test_run ();
  haul_test_rm_rf (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
