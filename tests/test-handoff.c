/* test-handoff.c — the body of POST /v1/downloads and /v1/pair against browser/PROTOCOL.md's limits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <string.h>

#include "haul-handoff-private.h"

static HaulHandoff *
parse (const char *json,
       GError    **error)
{
  return haul_handoff_parse (json, strlen (json), error);
}

static void
test_valid (void)
{
  const char *json =
    "{\"url\": \"https://example.org/get?id=7\", \"finalUrl\": \"https://cdn.example.org/f.iso\","
    " \"referrer\": \"https://example.org/page\", \"pageUrl\": \"https://example.org/page\","
    " \"filename\": \"f.iso\", \"size\": 1234567, \"mime\": \"application/x-iso9660-image\","
    " \"userAgent\": \"Mozilla/5.0 (X11)\", \"unknown\": {\"a\": [1, 2]},"
    " \"cookies\": [{\"name\": \"sid\", \"value\": \"s3cr3t\", \"domain\": \".example.org\", \"path\": \"/\","
    "   \"secure\": true, \"httpOnly\": true, \"hostOnly\": false, \"expirationDate\": 1893456000.5},"
    "  {\"name\": \"h\", \"value\": \"\", \"domain\": \"cdn.example.org\", \"hostOnly\": true},"
    "  {\"name\": \"n\", \"value\": \"v\"}]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(HaulHandoff) handoff = parse (json, &error);
  g_autoptr(HaulHandoff) copy = NULL;
  SoupCookie *cookie;

  g_assert_no_error (error);
  g_assert_nonnull (handoff);
  g_assert_cmpstr (handoff->url, ==, "https://example.org/get?id=7");
  g_assert_cmpstr (handoff->final_url, ==, "https://cdn.example.org/f.iso");
  g_assert_cmpstr (handoff->referrer, ==, "https://example.org/page");
  g_assert_cmpstr (handoff->page_url, ==, "https://example.org/page");
  g_assert_cmpstr (handoff->filename, ==, "f.iso");
  g_assert_cmpint (handoff->size, ==, 1234567);
  g_assert_cmpstr (handoff->mime, ==, "application/x-iso9660-image");
  g_assert_cmpstr (handoff->user_agent, ==, "Mozilla/5.0 (X11)");
  g_assert_null (handoff->browser);
  g_assert_cmpuint (handoff->cookies->len, ==, 3);

  cookie = g_ptr_array_index (handoff->cookies, 0);
  g_assert_cmpstr (soup_cookie_get_name (cookie), ==, "sid");
  g_assert_cmpstr (soup_cookie_get_value (cookie), ==, "s3cr3t");
  g_assert_cmpstr (soup_cookie_get_domain (cookie), ==, ".example.org");
  g_assert_true (soup_cookie_get_secure (cookie));
  g_assert_true (soup_cookie_get_http_only (cookie));
  g_assert_cmpint (g_date_time_to_unix (soup_cookie_get_expires (cookie)), ==, 1893456000);
  cookie = g_ptr_array_index (handoff->cookies, 1);
  g_assert_cmpstr (soup_cookie_get_domain (cookie), ==, "cdn.example.org");  /* host-only: no dot */
  g_assert_cmpstr (soup_cookie_get_value (cookie), ==, "");
  g_assert_null (soup_cookie_get_expires (cookie));                          /* a session cookie */
  cookie = g_ptr_array_index (handoff->cookies, 2);
  g_assert_cmpstr (soup_cookie_get_domain (cookie), ==, "cdn.example.org");  /* the final link's host */
  g_assert_cmpstr (soup_cookie_get_path (cookie), ==, "/");

  copy = haul_handoff_copy (handoff);
  g_assert_cmpstr (copy->final_url, ==, handoff->final_url);
  g_assert_cmpuint (copy->cookies->len, ==, 3);
  g_assert_true (soup_cookie_equal (g_ptr_array_index (copy->cookies, 0), g_ptr_array_index (handoff->cookies, 0)));
  g_assert_cmpstr (haul_handoff_get_display_name (copy), ==, "f.iso");
}

static void
test_minimal (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HaulHandoff) handoff = parse ("{\"url\": \"http://example.org/a.zip\", \"referrer\": \"\", "
                                          "\"size\": null, \"filename\": null}", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (handoff->url, ==, "http://example.org/a.zip");
  g_assert_null (handoff->final_url);
  g_assert_null (handoff->referrer);   /* empty: absent */
  g_assert_null (handoff->filename);
  g_assert_cmpint (handoff->size, ==, -1);
  g_assert_cmpuint (handoff->cookies->len, ==, 0);
  g_assert_cmpstr (haul_handoff_get_display_name (handoff), ==, "http://example.org/a.zip");
}

/* Every way a body is refused: 400, and the message names the problem. */
typedef struct
{
  const char *name;
  const char *json;
  const char *message;   /* a part of the error message */
} BadCase;

static const BadCase bad_cases[] = {
  { "empty", "", "not a JSON object" },
  { "not-json", "url=http://example.org/", "not JSON" },
  { "single-quotes", "{'url': 'http://example.org/'}", "not JSON" },
  { "comment", "{\"url\": \"http://example.org/\"} /* x */", "not JSON" },
  { "truncated", "{\"url\": \"http://example.org/\"", "not valid JSON" },
  { "array", "[\"http://example.org/\"]", "not a JSON object" },
  { "string", "\"http://example.org/\"", "not a JSON object" },
  { "value-then-more", "11111111111[{\"url\": 1e400}]", "not a JSON object" },
  { "object-then-more", "{\"url\": \"http://example.org/\"} [1]", "not valid JSON" },
  { "two-objects", "{\"url\": \"http://example.org/\"}{\"url\": \"http://example.org/\"}", "not valid JSON" },
  /* Escapes json-glib 1.6 would turn into text that is not UTF-8 (the
   * first found by CI's fuzzer): refused before it sees them. */
  { "escape-unknown", "{\"url\": \"http://a.org/\\2\"}", "not valid JSON" },
  { "escape-lone-high", "{\"url\": \"http://a.org/\\ud800\"}", "not valid JSON" },
  { "escape-lone-low", "{\"url\": \"http://a.org/\\udc00x\"}", "not valid JSON" },
  { "escape-high-high", "{\"url\": \"http://a.org/\\ud800\\ud800\"}", "not valid JSON" },
  { "escape-short", "{\"url\": \"http://a.org/\\u12\"}", "not valid JSON" },
  { "escape-nul", "{\"url\": \"http://a.org/\\u0000\"}", "NUL character" },
  { "no-url", "{\"finalUrl\": \"http://example.org/\"}", "no “url”" },
  { "url-number", "{\"url\": 7}", "“url” must be a text" },
  { "url-object", "{\"url\": {\"href\": \"http://example.org/\"}}", "“url” must be a text" },
  { "url-ftp", "{\"url\": \"ftp://example.org/f\"}", "http or https" },
  { "url-file", "{\"url\": \"file:///etc/passwd\"}", "http or https" },
  { "url-javascript", "{\"url\": \"javascript:alert(1)\"}", "http or https" },
  { "url-data", "{\"url\": \"data:text/plain,hi\"}", "http or https" },
  { "url-blob", "{\"url\": \"blob:https://example.org/1\"}", "http or https" },
  { "url-relative", "{\"url\": \"/get?id=7\"}", "not a valid link" },
  { "url-no-host", "{\"url\": \"http:///x\"}", "http or https" },
  { "url-newline", "{\"url\": \"http://example.org/\\r\\nX: y\"}", "control character" },
  { "final-url-ftp", "{\"url\": \"http://a.org/\", \"finalUrl\": \"ftp://a.org/f\"}", "“finalUrl” must be an http" },
  { "referrer-bool", "{\"url\": \"http://a.org/\", \"referrer\": true}", "“referrer” must be a text" },
  { "page-url-file", "{\"url\": \"http://a.org/\", \"pageUrl\": \"file:///x\"}", "“pageUrl” must be an http" },
  { "filename-path", "{\"url\": \"http://a.org/\", \"filename\": \"/home/me/f.iso\"}", "not a path" },
  { "filename-dotdot", "{\"url\": \"http://a.org/\", \"filename\": \"..\"}", "not a path" },
  { "filename-backslash", "{\"url\": \"http://a.org/\", \"filename\": \"a\\\\b\"}", "not a path" },
  { "size-string", "{\"url\": \"http://a.org/\", \"size\": \"12\"}", "“size” must be a number" },
  { "size-negative", "{\"url\": \"http://a.org/\", \"size\": -1}", "negative" },
  { "size-fraction", "{\"url\": \"http://a.org/\", \"size\": 1.5}", "whole number" },
  { "size-huge-int", "{\"url\": \"http://a.org/\", \"size\": 18446744073709551617}", "too large" },
  { "size-2-63", "{\"url\": \"http://a.org/\", \"size\": 9223372036854775808}", "too large" },
  { "size-huge-float", "{\"url\": \"http://a.org/\", \"size\": 1e400}", "whole number" },
  { "size-1e300", "{\"url\": \"http://a.org/\", \"size\": 1e300}", "whole number" },
  { "size-array", "{\"url\": \"http://a.org/\", \"size\": [1]}", "“size” must be a number" },
  { "mime-number", "{\"url\": \"http://a.org/\", \"mime\": 3}", "“mime” must be a text" },
  { "user-agent-newline", "{\"url\": \"http://a.org/\", \"userAgent\": \"a\\nCookie: x\"}", "control character" },
  { "nul-escape", "{\"url\": \"http://a.org/\\u0000.evil/\"}", "NUL" },
  { "cookies-object", "{\"url\": \"http://a.org/\", \"cookies\": {}}", "“cookies” must be a list" },
  { "cookie-string", "{\"url\": \"http://a.org/\", \"cookies\": [\"sid=1\"]}", "Cookie 1 is not" },
  { "cookie-no-value", "{\"url\": \"http://a.org/\", \"cookies\": [{\"name\": \"a\"}]}", "no “name” or no “value”" },
  { "cookie-semicolon", "{\"url\": \"http://a.org/\", \"cookies\": [{\"name\": \"a\", \"value\": \"1; b=2\"}]}",
    "“value” of cookie 1 holds" },
  { "cookie-name-equals", "{\"url\": \"http://a.org/\", \"cookies\": [{\"name\": \"a=b\", \"value\": \"1\"}]}",
    "“name” of cookie 1 holds" },
  { "cookie-secure-string", "{\"url\": \"http://a.org/\", \"cookies\": [{\"name\": \"a\", \"value\": \"1\", \"secure\": \"yes\"}]}",
    "“secure” of cookie 1 must be true or false" },
  { "cookie-expiry-string", "{\"url\": \"http://a.org/\", \"cookies\": [{\"name\": \"a\", \"value\": \"1\", \"expirationDate\": \"soon\"}]}",
    "“expirationDate” of cookie 1 must be a number" },
  { "cookie-domain-dot", "{\"url\": \"http://a.org/\", \"cookies\": [{\"name\": \"a\", \"value\": \"1\", \"domain\": \".\"}]}",
    "is empty" },
};

static void
test_bad (gconstpointer data)
{
  const BadCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HaulHandoff) handoff = parse (c->json, &error);

  g_assert_null (handoff);
  g_assert_error (error, HAUL_HANDOFF_ERROR, HAUL_HANDOFF_ERROR_INVALID);
  if (strstr (error->message, c->message) == NULL)
    g_error ("%s: “%s” does not say “%s”", c->name, error->message, c->message);
}

static char *
repeat (char   c,
        gsize  n)
{
  char *s = g_malloc (n + 1);

  memset (s, c, n);
  s[n] = '\0';
  return s;
}

static void
test_lengths (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = repeat ('a', HAUL_HANDOFF_MAX_URL - strlen ("http://a.org/"));
  g_autofree char *long_path = repeat ('a', HAUL_HANDOFF_MAX_URL - strlen ("http://a.org/") + 1);
  g_autofree char *name = repeat ('n', HAUL_HANDOFF_MAX_STRING);
  g_autofree char *long_name = repeat ('n', HAUL_HANDOFF_MAX_STRING + 1);
  g_autofree char *json = NULL;
  HaulHandoff *handoff;

  /* Exactly at the limits: taken. */
  json = g_strdup_printf ("{\"url\": \"http://a.org/%s\", \"filename\": \"%s\"}", path, name);
  handoff = parse (json, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (handoff->url), ==, HAUL_HANDOFF_MAX_URL);
  haul_handoff_free (handoff);

  /* One byte over: refused, naming the member. */
  g_free (json);
  json = g_strdup_printf ("{\"url\": \"http://a.org/%s\"}", long_path);
  g_assert_null (parse (json, &error));
  g_assert_error (error, HAUL_HANDOFF_ERROR, HAUL_HANDOFF_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "“url” is longer than 8192 bytes"));
  g_clear_error (&error);

  g_free (json);
  json = g_strdup_printf ("{\"url\": \"http://a.org/\", \"userAgent\": \"%s\"}", long_name);
  g_assert_null (parse (json, &error));
  g_assert_nonnull (strstr (error->message, "“userAgent” is longer than 1024 bytes"));
  g_clear_error (&error);

  g_free (json);
  json = g_strdup_printf ("{\"url\": \"http://a.org/\", \"cookies\": [{\"name\": \"a\", \"value\": \"%s\"}]}", long_name);
  g_assert_null (parse (json, &error));
  g_assert_nonnull (strstr (error->message, "“value” of cookie 1 must be a text of at most 1024 bytes"));
  /* The value itself is a secret: never in the message. */
  g_assert_null (strstr (error->message, "nnnnnnnn"));
}

static void
test_body_size (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) json = g_string_new ("{\"url\": \"http://a.org/\", \"x\": \"");
  HaulHandoff *handoff;

  while (json->len < HAUL_HANDOFF_MAX_BODY - 2)
    g_string_append_c (json, 'x');
  g_string_append (json, "\"}");
  g_assert_cmpuint (json->len, ==, HAUL_HANDOFF_MAX_BODY);
  handoff = haul_handoff_parse (json->str, json->len, &error);
  g_assert_no_error (error);
  haul_handoff_free (handoff);

  g_string_insert_c (json, 30, 'x');
  g_assert_null (haul_handoff_parse (json->str, json->len, &error));
  g_assert_error (error, HAUL_HANDOFF_ERROR, HAUL_HANDOFF_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "16 KiB"));
}

static void
test_nesting (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) json = g_string_new ("{\"url\": \"http://a.org/\", \"x\": ");
  HaulHandoff *handoff;

  /* The limit: fine (unknown members are ignored). */
  for (guint i = 1; i < HAUL_HANDOFF_MAX_DEPTH; i++)
    g_string_append_c (json, '[');
  for (guint i = 1; i < HAUL_HANDOFF_MAX_DEPTH; i++)
    g_string_append_c (json, ']');
  g_string_append_c (json, '}');
  handoff = parse (json->str, &error);
  g_assert_no_error (error);
  haul_handoff_free (handoff);

  /* 5000 deep: refused before the parser recurses. */
  g_string_truncate (json, 0);
  for (guint i = 0; i < 2500; i++)
    g_string_append (json, "[{\"a\":");
  g_assert_null (parse (json->str, &error));
  g_assert_error (error, HAUL_HANDOFF_ERROR, HAUL_HANDOFF_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "nested too deeply"));
  g_clear_error (&error);

  /* Brackets inside a string are text. */
  handoff = parse ("{\"url\": \"http://a.org/[[[[[[[[[[[[[[[[[[[[\", \"mime\": \"{{{{{{{{{{{{{{{{{\\\"[[[[\"}", &error);
  g_assert_no_error (error);
  haul_handoff_free (handoff);
}

static void
test_invalid_utf8 (void)
{
  g_autoptr(GError) error = NULL;
  const char json[] = "{\"url\": \"http://a.org/\xc3\x28\"}";
  const char with_nul[] = "{\"url\": \"http://a.org/\"}\0{}";

  g_assert_null (haul_handoff_parse (json, sizeof json - 1, &error));
  g_assert_error (error, HAUL_HANDOFF_ERROR, HAUL_HANDOFF_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "UTF-8"));
  g_clear_error (&error);

  /* A NUL byte in the body: not text. */
  g_assert_null (haul_handoff_parse (with_nul, sizeof with_nul - 1, &error));
  g_assert_error (error, HAUL_HANDOFF_ERROR, HAUL_HANDOFF_ERROR_INVALID);
}

/* JSON's own escapes, a surrogate pair among them, are taken. */
static void
test_escapes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HaulHandoff) handoff =
    parse ("{\"url\": \"http:\\/\\/a.org\\/f\", "
           "\"filename\": \"\\u00e9t\\u00e9 \\ud83d\\ude00 \\\"q\\\".iso\"}", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (handoff->url, ==, "http://a.org/f");
  g_assert_cmpstr (handoff->filename, ==, "été 😀 \"q\".iso");
}

static void
test_cookies_count (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) json = g_string_new ("{\"url\": \"http://a.org/\", \"cookies\": [");
  HaulHandoff *handoff;

  for (guint i = 0; i < HAUL_HANDOFF_MAX_COOKIES; i++)
    g_string_append_printf (json, "%s{\"name\":\"c%u\",\"value\":\"v\"}", i > 0 ? "," : "", i);
  g_string_append (json, "]}");
  g_assert_cmpuint (json->len, <=, HAUL_HANDOFF_MAX_BODY);
  handoff = parse (json->str, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (handoff->cookies->len, ==, HAUL_HANDOFF_MAX_COOKIES);
  haul_handoff_free (handoff);

  g_string_truncate (json, json->len - 2);
  g_string_append (json, ",{\"name\":\"one-more\",\"value\":\"v\"}]}");
  g_assert_null (parse (json->str, &error));
  g_assert_error (error, HAUL_HANDOFF_ERROR, HAUL_HANDOFF_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "more than 200 cookies"));
}

static void
test_pair_body (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *browser = NULL;
  const char *good = "{\"code\": \"k7m2qp\", \"browser\": \"Firefox\", \"extra\": 1}";
  const char *bad[] = { "{\"code\": 123456, \"browser\": \"Firefox\"}", "{\"browser\": \"Firefox\"}",
                        "{\"code\": \"K7M2QP\"}", "{\"code\": \"K7M2QP\", \"browser\": [\"Firefox\"]}",
                        "[]", "" };

  g_assert_true (_haul_handoff_parse_pair (good, strlen (good), &code, &browser, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (code, ==, "k7m2qp");
  g_assert_cmpstr (browser, ==, "Firefox");
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *c = NULL;
      g_autofree char *b = NULL;

      g_assert_false (_haul_handoff_parse_pair (bad[i], strlen (bad[i]), &c, &b, &error));
      g_assert_error (error, HAUL_HANDOFF_ERROR, HAUL_HANDOFF_ERROR_INVALID);
      g_assert_null (c);
      g_clear_error (&error);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haul/core/handoff/valid", test_valid);
  g_test_add_func ("/haul/core/handoff/minimal", test_minimal);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/haul/core/handoff/bad/%s", bad_cases[i].name);

      g_test_add_data_func (path, &bad_cases[i], test_bad);
    }
  g_test_add_func ("/haul/core/handoff/escapes", test_escapes);
  g_test_add_func ("/haul/core/handoff/lengths", test_lengths);
  g_test_add_func ("/haul/core/handoff/body-size", test_body_size);
  g_test_add_func ("/haul/core/handoff/nesting", test_nesting);
  g_test_add_func ("/haul/core/handoff/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/haul/core/handoff/cookies-count", test_cookies_count);
  g_test_add_func ("/haul/core/handoff/pair-body", test_pair_body);

  return g_test_run ();
}
