/* haul-handoff-cookies.c — the "cookies" member of a handoff, as SoupCookies
 *
 * Each cookie of browser/PROTOCOL.md ({"name", "value", "domain", "path",
 * "secure", "httpOnly", "hostOnly", "expirationDate"}) becomes a
 * SoupCookie: a host-only cookie keeps its domain without the leading dot
 * (libsoup's way of saying host-only), a domain cookie gets one; without a
 * domain the cookie belongs to the link's host, without an expiration date
 * it lasts the session. At most HAUL_HANDOFF_MAX_COOKIES; names and values
 * that could split a Cookie header (';', control characters) are refused.
 *
 * Values are secrets: an error names the member and the cookie's place in
 * the list, never its name or value. Pure functions, any thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-handoff"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "haul-handoff-private.h"

#define invalid _haul_handoff_invalid

static gboolean
get_bool (JsonObject *object,
          const char *name,
          guint       index,
          gboolean   *out,
          GError    **error)
{
  JsonNode *node = json_object_get_member (object, name);

  *out = FALSE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return invalid (error, _("“%s” of cookie %u must be true or false"), name, index + 1);
  *out = json_node_get_boolean (node);
  return TRUE;
}

/* Seconds since 1970 (browsers give fractions), or -1 for a session cookie. */
static gboolean
get_expiration (JsonObject *object,
                guint       index,
                gint64     *out,
                GError    **error)
{
  JsonNode *node = json_object_get_member (object, "expirationDate");
  double d;

  *out = -1;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) ||
      (json_node_get_value_type (node) != G_TYPE_INT64 && json_node_get_value_type (node) != G_TYPE_DOUBLE))
    return invalid (error, _("“%s” of cookie %u must be a number"), "expirationDate", index + 1);
  d = json_node_get_double (node);
  if (!isfinite (d))
    return invalid (error, _("“%s” of cookie %u must be a number"), "expirationDate", index + 1);
  /* GDateTime ends with year 9999; earlier than 1970 is simply expired. */
  *out = (gint64) CLAMP (d, 0.0, 253402300799.0);
  return TRUE;
}

static gboolean
get_text (JsonObject  *object,
          const char  *name,
          guint        index,
          const char  *forbidden,
          const char **out,
          GError     **error)
{
  g_autoptr(GError) local = NULL;

  if (!_haul_handoff_get_string (object, name, HAUL_HANDOFF_MAX_STRING, out, &local))
    return invalid (error, _("“%s” of cookie %u must be a text of at most %u bytes without control characters"),
                    name, index + 1, HAUL_HANDOFF_MAX_STRING);
  if (*out != NULL && strpbrk (*out, forbidden) != NULL)
    return invalid (error, _("“%s” of cookie %u holds a character a cookie cannot have"), name, index + 1);
  return TRUE;
}

static SoupCookie *
parse_cookie (JsonNode    *node,
              guint        index,
              const char  *host,
              GError     **error)
{
  JsonObject *object;
  const char *name, *value, *domain, *path;
  gboolean secure, http_only, host_only;
  gint64 expires;
  g_autofree char *cookie_domain = NULL;
  SoupCookie *cookie;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      invalid (error, _("Cookie %u is not a JSON object"), index + 1);
      return NULL;
    }
  object = json_node_get_object (node);
  if (!json_object_has_member (object, "name") || !json_object_has_member (object, "value"))
    {
      invalid (error, _("Cookie %u has no “name” or no “value”"), index + 1);
      return NULL;
    }
  if (!get_text (object, "name", index, ";= \t", &name, error) ||
      !get_text (object, "value", index, ";", &value, error) ||
      !get_text (object, "domain", index, ";, \t", &domain, error) ||
      !get_text (object, "path", index, ";", &path, error) ||
      !get_bool (object, "secure", index, &secure, error) ||
      !get_bool (object, "httpOnly", index, &http_only, error) ||
      !get_bool (object, "hostOnly", index, &host_only, error) ||
      !get_expiration (object, index, &expires, error))
    return NULL;

  if (domain == NULL)
    cookie_domain = g_strdup (host);
  else if (host_only)
    cookie_domain = g_strdup (domain[0] == '.' ? domain + 1 : domain);
  else
    cookie_domain = domain[0] == '.' ? g_strdup (domain) : g_strconcat (".", domain, NULL);
  if (*cookie_domain == '\0' || strcmp (cookie_domain, ".") == 0)
    {
      invalid (error, _("“%s” of cookie %u is empty"), "domain", index + 1);
      return NULL;
    }

  cookie = soup_cookie_new (name != NULL ? name : "", value != NULL ? value : "",
                            cookie_domain, path != NULL ? path : "/", -1);
  soup_cookie_set_secure (cookie, secure);
  soup_cookie_set_http_only (cookie, http_only);
  if (expires >= 0)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (expires);

      if (when != NULL)
        soup_cookie_set_expires (cookie, when);
    }
  return cookie;
}

/**
 * _haul_handoff_get_cookies:
 * @url: the link the cookies are for (its host is a cookie's default domain)
 * @cookies: (element-type SoupCookie): where they go
 */
gboolean
_haul_handoff_get_cookies (JsonObject *object,
                           const char *url,
                           GPtrArray  *cookies,
                           GError    **error)
{
  JsonNode *node = json_object_get_member (object, "cookies");
  g_autoptr(GUri) uri = NULL;
  JsonArray *array;
  guint n;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, _("“%s” must be a list"), "cookies");
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n > HAUL_HANDOFF_MAX_COOKIES)
    return invalid (error, _("The request has more than %u cookies"), HAUL_HANDOFF_MAX_COOKIES);

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  g_return_val_if_fail (uri != NULL, FALSE);  /* checked by the caller */
  for (guint i = 0; i < n; i++)
    {
      SoupCookie *cookie = parse_cookie (json_array_get_element (array, i), i, g_uri_get_host (uri), error);

      if (cookie == NULL)
        return FALSE;
      g_ptr_array_add (cookies, cookie);
    }
  return TRUE;
}
