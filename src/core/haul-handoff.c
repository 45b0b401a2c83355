/* haul-handoff.c — the bodies of the endpoint's requests, checked against browser/PROTOCOL.md
 *
 * haul_handoff_parse() turns the body of POST /v1/downloads into a
 * HaulHandoff, or says in one sentence what is wrong with it; the body of
 * POST /v1/pair goes through the same gate (_haul_handoff_parse_pair()).
 *
 * Before json-glib sees a byte, the text is checked here: at most 16 KiB,
 * valid UTF-8 without NUL, nothing outside strings but JSON's own
 * characters (json-glib 1.6 also reads 'single quotes' and comments),
 * arrays and objects nested at most HAUL_HANDOFF_MAX_DEPTH deep (its
 * parser recurses), no "\u0000" in a string, and no integer of more than
 * 18 digits (json-glib 1.6 wraps 2^63 around to a negative number without
 * a word). Then every member the protocol names is checked for its type,
 * its length and, for links, its scheme; unknown members are ignored.
 *
 * Pure functions, any thread (the endpoint's thread in Haul; the unit
 * test and the fuzzer in tests/). Cookie values are secrets: no message
 * here quotes a value, only the member's name.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-handoff"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "haul-handoff-private.h"
#include "haul-request-context.h"

#define MAX_INT_DIGITS 18
#define MAX_EXACT_SIZE (G_GINT64_CONSTANT (1) << 53)

HAUL_DEFINE_QUARK (haul-handoff-error-quark, haul_handoff_error)

G_DEFINE_BOXED_TYPE (HaulHandoff, haul_handoff, haul_handoff_copy, haul_handoff_free)

#define invalid _haul_handoff_invalid

gboolean
_haul_handoff_invalid (GError    **error,
                       const char *format,
                       ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, HAUL_HANDOFF_ERROR, HAUL_HANDOFF_ERROR_INVALID, message);
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* The text, before json-glib */

/* The four hex digits of a \uXXXX escape at @p (just after the "u"). */
static gboolean
read_hex4 (const char *p,
           const char *end,
           guint      *value)
{
  *value = 0;
  if (end - p < 4)
    return FALSE;
  for (int i = 0; i < 4; i++)
    {
      if (!g_ascii_isxdigit (p[i]))
        return FALSE;
      *value = *value * 16 + (guint) g_ascii_xdigit_value (p[i]);
    }
  return TRUE;
}

/* An escape in a string, @p just after its backslash: only JSON's own
 * (\" \\ \/ \b \f \n \r \t, \uXXXX with surrogates in pairs), never
 * \u0000. json-glib 1.6 turns others, and a lone surrogate, into text that
 * is not UTF-8 (found by the fuzzer).
 *
 * Returns: how many characters after the backslash it takes, or 0 (with
 *   @error) when it is refused */
static gsize
check_string_escape (const char *p,
                     const char *end,
                     GError    **error)
{
  guint unit, low;

  if (p < end && *p != '\0' && strchr ("\"\\/bfnrt", *p) != NULL)
    return 1;
  if (p >= end || *p != 'u' || !read_hex4 (p + 1, end, &unit))
    return invalid (error, _("The request is not valid JSON"));
  if (unit == 0)
    return invalid (error, _("A text in the request holds a NUL character"));
  if (unit >= 0xDC00 && unit <= 0xDFFF)
    return invalid (error, _("The request is not valid JSON"));
  if (unit < 0xD800 || unit > 0xDBFF)
    return 5;
  /* A high surrogate: its low half must follow. */
  if (end - p < 11 || p[5] != '\\' || p[6] != 'u' || !read_hex4 (p + 7, end, &low) ||
      low < 0xDC00 || low > 0xDFFF)
    return invalid (error, _("The request is not valid JSON"));
  return 11;
}

/* JSON's characters outside strings: structure, numbers, true/false/null. */
static gboolean
is_json_outside_char (char c)
{
  return c != '\0' && strchr ("\" \t\r\n{}[]:,-+.0123456789eEtrufalsn", c) != NULL;
}

/* Braces around the whole text (and, checked in check_text(), nothing
 * after the outermost value ends): json-glib never sees a bare value or a
 * value followed by more. Its error path on a second value leaks the first
 * (json-glib 1.6; found by the fuzzer). */
static gboolean
check_one_object (const char  *json,
                  const char  *end,
                  GError     **error)
{
  while (json < end && g_ascii_isspace (*json))
    json++;
  while (end > json && g_ascii_isspace (end[-1]))
    end--;
  if (json == end || json[0] != '{')
    return invalid (error, _("The request is not a JSON object"));
  if (end - json < 2 || end[-1] != '}')
    return invalid (error, _("The request is not valid JSON"));
  return TRUE;
}

static gboolean
check_text (const char *json,
            gsize       len,
            GError    **error)
{
  const char *end = json + len;
  gboolean in_string = FALSE;
  guint depth = 0, digits = 0;
  gboolean in_fraction = FALSE;
  gboolean closed = FALSE;   /* the outermost value has ended: only spaces may follow */

  if (len > HAUL_HANDOFF_MAX_BODY)
    {
      g_set_error (error, HAUL_HANDOFF_ERROR, HAUL_HANDOFF_ERROR_TOO_LARGE,
                   _("The request is larger than %u KiB"), HAUL_HANDOFF_MAX_BODY / 1024);
      return FALSE;
    }
  if (!g_utf8_validate (json, len, NULL))
    return invalid (error, _("The request is not valid UTF-8 text"));

  for (const char *p = json; p < end; p++)
    {
      if (in_string)
        {
          if (*p == '\\')
            {
              gsize taken = check_string_escape (p + 1, end, error);

              if (taken == 0)
                return FALSE;
              p += taken;
            }
          else if (*p == '"')
            in_string = FALSE;
          continue;
        }
      if (!is_json_outside_char (*p))
        return invalid (error, _("The request is not JSON"));
      if (closed && !g_ascii_isspace (*p))
        return invalid (error, _("The request is not valid JSON"));
      if (g_ascii_isdigit (*p))
        {
          if (!in_fraction && ++digits > MAX_INT_DIGITS)
            return invalid (error, _("A number in the request is too large"));
          continue;
        }
      if (*p == '.' || *p == 'e' || *p == 'E')
        in_fraction = TRUE;
      else if (*p != '-' && *p != '+')
        in_fraction = FALSE;
      digits = 0;
      if (*p == '"')
        in_string = TRUE;
      else if (*p == '{' || *p == '[')
        {
          if (++depth > HAUL_HANDOFF_MAX_DEPTH)
            return invalid (error, _("The request is nested too deeply"));
        }
      else if ((*p == '}' || *p == ']') && depth > 0)
        closed = --depth == 0;
    }
  return check_one_object (json, end, error);
}

/**
 * _haul_handoff_parse_object:
 *
 * The body as a JSON object, after the checks of check_text().
 *
 * Returns: (transfer full): the object, or %NULL with @error set
 */
JsonObject *
_haul_handoff_parse_object (const char *json,
                            gsize       len,
                            GError    **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local = NULL;
  JsonNode *root;

  if (!check_text (json, len, error))
    return NULL;
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, json, (gssize) len, &local))
    {
      invalid (error, _("The request is not valid JSON"));
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      invalid (error, _("The request is not a JSON object"));
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

/* ------------------------------------------------------------------ */
/* Members */

static gboolean
has_control (const char *s)
{
  for (const char *p = s; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return TRUE;
  return FALSE;
}

/* A string member: %TRUE with *out NULL when absent, null or empty. */
gboolean
_haul_handoff_get_string (JsonObject  *object,
                          const char  *name,
                          gsize        max,
                          const char **out,
                          GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  const char *s;

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return invalid (error, _("“%s” must be a text"), name);
  s = json_node_get_string (node);
  if (strlen (s) > max)
    return invalid (error, _("“%s” is longer than %zu bytes"), name, max);
  if (has_control (s))
    return invalid (error, _("“%s” holds a control character"), name);
  if (*s != '\0')
    *out = s;
  return TRUE;
}

static gboolean
get_link (JsonObject  *object,
          const char  *name,
          char       **out,
          GError     **error)
{
  const char *s;
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (!_haul_handoff_get_string (object, name, HAUL_HANDOFF_MAX_URL, &s, error))
    return FALSE;
  if (s == NULL)
    return TRUE;
  uri = g_uri_parse (s, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL)
    return invalid (error, _("“%s” is not a valid link"), name);
  scheme = g_uri_get_scheme (uri);
  if ((g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return invalid (error, _("“%s” must be an http or https link"), name);
  *out = g_strdup (s);
  return TRUE;
}

static gboolean
get_size (JsonObject *object,
          gint64     *out,
          GError    **error)
{
  JsonNode *node = json_object_get_member (object, "size");
  double d;

  *out = -1;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return invalid (error, _("“%s” must be a number"), "size");
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      if (json_node_get_int (node) < 0)
        return invalid (error, _("“%s” must not be negative"), "size");
      *out = json_node_get_int (node);
      return TRUE;
    }
  if (json_node_get_value_type (node) != G_TYPE_DOUBLE)
    return invalid (error, _("“%s” must be a number"), "size");
  d = json_node_get_double (node);
  if (!isfinite (d) || d < 0 || d > (double) MAX_EXACT_SIZE || d != floor (d))
    return invalid (error, _("“%s” must be a whole number of bytes"), "size");
  *out = (gint64) d;
  return TRUE;
}

static gboolean
get_filename (JsonObject  *object,
              char       **out,
              GError     **error)
{
  const char *s;

  if (!_haul_handoff_get_string (object, "filename", HAUL_HANDOFF_MAX_STRING, &s, error))
    return FALSE;
  if (s == NULL)
    return TRUE;
  if (strchr (s, '/') != NULL || strchr (s, '\\') != NULL || strcmp (s, ".") == 0 || strcmp (s, "..") == 0)
    return invalid (error, _("“%s” must be a file name, not a path"), "filename");
  *out = g_strdup (s);
  return TRUE;
}

static gboolean
get_plain (JsonObject  *object,
           const char  *name,
           char       **out,
           GError     **error)
{
  const char *s;

  if (!_haul_handoff_get_string (object, name, HAUL_HANDOFF_MAX_STRING, &s, error))
    return FALSE;
  *out = g_strdup (s);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* The download */

static void
handoff_init_members (HaulHandoff *self)
{
  self->size = -1;
  self->cookies = g_ptr_array_new_with_free_func ((GDestroyNotify) soup_cookie_free);
}

/**
 * haul_handoff_parse:
 * @json: the body of POST /v1/downloads (need not be NUL-terminated)
 * @len: its length in bytes
 *
 * Returns: (transfer full): the handoff, or %NULL with @error set in
 *   %HAUL_HANDOFF_ERROR: %HAUL_HANDOFF_ERROR_TOO_LARGE past 16 KiB,
 *   %HAUL_HANDOFF_ERROR_INVALID with one sentence for anything else
 */
HaulHandoff *
haul_handoff_parse (const char *json,
                    gsize       len,
                    GError    **error)
{
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(HaulHandoff) self = NULL;
  const char *url;

  g_return_val_if_fail (json != NULL || len == 0, NULL);

  object = _haul_handoff_parse_object (json != NULL ? json : "", len, error);
  if (object == NULL)
    return NULL;

  self = g_new0 (HaulHandoff, 1);
  handoff_init_members (self);

  if (!_haul_handoff_get_string (object, "url", HAUL_HANDOFF_MAX_URL, &url, error))
    return NULL;
  if (url == NULL)
    {
      invalid (error, _("The request has no “url”"));
      return NULL;
    }
  if (!get_link (object, "url", &self->url, error) ||
      !get_link (object, "finalUrl", &self->final_url, error) ||
      !get_link (object, "referrer", &self->referrer, error) ||
      !get_link (object, "pageUrl", &self->page_url, error) ||
      !get_filename (object, &self->filename, error) ||
      !get_size (object, &self->size, error) ||
      !get_plain (object, "mime", &self->mime, error) ||
      !get_plain (object, "userAgent", &self->user_agent, error) ||
      !_haul_handoff_get_cookies (object, self->final_url != NULL ? self->final_url : self->url,
                                  self->cookies, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * haul_handoff_copy:
 *
 * Returns: (transfer full): a deep copy (cookies copied too)
 */
HaulHandoff *
haul_handoff_copy (const HaulHandoff *self)
{
  HaulHandoff *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (HaulHandoff, 1);
  handoff_init_members (copy);
  copy->url = g_strdup (self->url);
  copy->final_url = g_strdup (self->final_url);
  copy->referrer = g_strdup (self->referrer);
  copy->page_url = g_strdup (self->page_url);
  copy->filename = g_strdup (self->filename);
  copy->size = self->size;
  copy->mime = g_strdup (self->mime);
  copy->user_agent = g_strdup (self->user_agent);
  for (guint i = 0; self->cookies != NULL && i < self->cookies->len; i++)
    g_ptr_array_add (copy->cookies, soup_cookie_copy (g_ptr_array_index (self->cookies, i)));
  copy->browser = g_strdup (self->browser);
  copy->id = g_strdup (self->id);
  copy->offered = self->offered;
  return copy;
}

void
haul_handoff_free (HaulHandoff *self)
{
  if (self == NULL)
    return;
  g_free (self->url);
  g_free (self->final_url);
  g_free (self->referrer);
  g_free (self->page_url);
  g_free (self->filename);
  g_free (self->mime);
  g_free (self->user_agent);
  g_clear_pointer (&self->cookies, g_ptr_array_unref);
  g_free (self->browser);
  g_free (self->id);
  g_free (self);
}

/**
 * haul_handoff_get_display_name:
 *
 * Returns: the name to show for the handoff: the browser's file name, else
 *   the link
 */
const char *
haul_handoff_get_display_name (const HaulHandoff *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->filename != NULL)
    return self->filename;
  return self->final_url != NULL ? self->final_url : self->url;
}

/**
 * haul_handoff_dup_request_context:
 *
 * What every request of the handed-over download carries: the browser's
 * referrer, user agent and cookies. A referrer or user agent the request
 * context refuses is left out (the handoff's own checks are looser); the
 * reason is not logged, since it could quote the value.
 *
 * Returns: (transfer full): a new request context, not frozen
 */
HaulRequestContext *
haul_handoff_dup_request_context (const HaulHandoff *self)
{
  g_autoptr(HaulRequestContext) context = haul_request_context_new ();

  g_return_val_if_fail (self != NULL, NULL);

  if (self->referrer != NULL)
    haul_request_context_set_referrer (context, self->referrer, NULL);
  if (self->user_agent != NULL)
    haul_request_context_set_user_agent (context, self->user_agent, NULL);
  for (guint i = 0; i < self->cookies->len; i++)
    haul_request_context_add_cookie (context, g_ptr_array_index (self->cookies, i));
  return g_steal_pointer (&context);
}

/* ------------------------------------------------------------------ */
/* The pairing request */

/**
 * _haul_handoff_parse_pair:
 * @code: (out): the one-time code, as sent
 * @browser: (out): the browser's name
 *
 * The body of POST /v1/pair: {"code": "K7M2QP", "browser": "Firefox"}.
 */
gboolean
_haul_handoff_parse_pair (const char *json,
                          gsize       len,
                          char      **code,
                          char      **browser,
                          GError    **error)
{
  g_autoptr(JsonObject) object = _haul_handoff_parse_object (json, len, error);
  const char *c, *b;

  if (object == NULL)
    return FALSE;
  if (!_haul_handoff_get_string (object, "code", 64, &c, error) ||
      !_haul_handoff_get_string (object, "browser", 64, &b, error))
    return FALSE;
  if (c == NULL)
    return invalid (error, _("The request has no “code”"));
  if (b == NULL)
    return invalid (error, _("The request has no “browser”"));
  *code = g_strdup (c);
  *browser = g_strdup (b);
  return TRUE;
}
