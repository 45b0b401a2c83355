/* haul-link-check.c — is a new link's answer the same file as the old one
 *
 * Pure functions, any thread. The rules (issue 17, "Link refresh"):
 *  - the same length (Content-Range total or Content-Length) where the old
 *    one was known; where it was not, the new one must at least hold the
 *    bytes already written;
 *  - each validator the old link had (ETag, Last-Modified) comes back
 *    unchanged; a strong ETag must come back strong (a weak or missing one
 *    proves nothing); where the old link had none, length and type decide;
 *  - a compatible type: the same media type, or application/octet-stream
 *    on either side; a web page where the file was not one never is (the
 *    "link expired" page);
 *  - with neither a size nor a validator from the old link nothing can be
 *    proven, and the answer is "different".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-link-check"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "haul-http.h"
#include "haul-link-check.h"
#include "haul-types.h"
#include "haul-uri-list.h"

/* Longer text is never taken as "one link" (a paste of a page). */
#define SINGLE_LINK_MAX_TEXT (16 * 1024)

HAUL_DEFINE_QUARK (haul-link-error-quark, haul_link_error)

static gboolean
is_html (const char *type)
{
  return g_strcmp0 (type, "text/html") == 0 || g_strcmp0 (type, "application/xhtml+xml") == 0;
}

static gboolean
is_generic (const char *type)
{
  return type == NULL || g_strcmp0 (type, "application/octet-stream") == 0 ||
         g_strcmp0 (type, "binary/octet-stream") == 0;
}

static gboolean
same_date (const char *a,
           const char *b)
{
  g_autoptr(GDateTime) da = NULL;
  g_autoptr(GDateTime) db = NULL;

  if (strcmp (a, b) == 0)
    return TRUE;
  da = soup_date_time_new_from_http_string (a);
  db = soup_date_time_new_from_http_string (b);
  return da != NULL && db != NULL && g_date_time_equal (da, db);
}

static HaulLinkVerdict
compare_etags (const char *old_etag,
               const char *new_etag)
{
  if (old_etag == NULL)
    return HAUL_LINK_SAME;
  if (new_etag == NULL || (haul_http_etag_is_strong (old_etag) && !haul_http_etag_is_strong (new_etag)))
    return HAUL_LINK_ETAG_MISSING;
  return strcmp (old_etag, new_etag) == 0 ? HAUL_LINK_SAME : HAUL_LINK_ETAG;
}

/**
 * haul_link_check_compare:
 * @old_facts: what the download knows from its old link
 * @written: the bytes of the file already on disk (the .part's)
 * @new_facts: what the new link answered
 *
 * Returns: %HAUL_LINK_SAME, or the first difference found
 */
HaulLinkVerdict
haul_link_check_compare (const HaulLinkFacts *old_facts,
                         gint64               written,
                         const HaulLinkFacts *new_facts)
{
  HaulLinkVerdict verdict;

  if (is_html (new_facts->content_type) && !is_html (old_facts->content_type))
    return HAUL_LINK_WEB_PAGE;

  if (old_facts->total >= 0 && new_facts->total < 0)
    return HAUL_LINK_LENGTH_UNKNOWN;
  if (old_facts->total >= 0 && new_facts->total != old_facts->total)
    return HAUL_LINK_LENGTH;
  if (new_facts->total >= 0 && new_facts->total < written)
    return HAUL_LINK_LENGTH;

  verdict = compare_etags (old_facts->etag, new_facts->etag);
  if (verdict != HAUL_LINK_SAME)
    return verdict;

  if (old_facts->last_modified != NULL && new_facts->last_modified == NULL)
    return HAUL_LINK_LAST_MODIFIED_MISSING;
  if (old_facts->last_modified != NULL && !same_date (old_facts->last_modified, new_facts->last_modified))
    return HAUL_LINK_LAST_MODIFIED;

  if (!is_generic (old_facts->content_type) && !is_generic (new_facts->content_type) &&
      strcmp (old_facts->content_type, new_facts->content_type) != 0)
    return HAUL_LINK_TYPE;

  if (old_facts->total < 0 && old_facts->etag == NULL && old_facts->last_modified == NULL)
    return HAUL_LINK_UNPROVABLE;
  return HAUL_LINK_SAME;
}

/* "1.4 GB instead of 1.2 GB", with the bytes where those read the same. */
static char *
describe_length (gint64 old_total,
                 gint64 new_total)
{
  g_autofree char *was = g_format_size (old_total);
  g_autofree char *is = g_format_size (new_total);

  if (strcmp (was, is) == 0)
    {
      g_free (was);
      g_free (is);
      was = g_format_size_full (old_total, G_FORMAT_SIZE_LONG_FORMAT);
      is = g_format_size_full (new_total, G_FORMAT_SIZE_LONG_FORMAT);
    }
  /* Translators: "The new link is a different file: 1.4 GB instead of 1.2 GB" */
  return g_strdup_printf (_("The new link is a different file: %s instead of %s"), is, was);
}

/**
 * haul_link_check_describe:
 *
 * Returns: (transfer full): the sentence that says what differs, or
 *   %NULL for %HAUL_LINK_SAME
 */
char *
haul_link_check_describe (HaulLinkVerdict      verdict,
                          const HaulLinkFacts *old_facts,
                          const HaulLinkFacts *new_facts)
{
  switch (verdict)
    {
    case HAUL_LINK_SAME:
      return NULL;
    case HAUL_LINK_WEB_PAGE:
      return g_strdup (_("The new link is a different file: the server sent a web page"));
    case HAUL_LINK_LENGTH:
      if (old_facts->total < 0)
        return g_strdup (_("The new link is a different file: it is smaller than the part already downloaded"));
      return describe_length (old_facts->total, new_facts->total);
    case HAUL_LINK_LENGTH_UNKNOWN:
      return g_strdup (_("The new link cannot be checked: the server does not say how big the file is"));
    case HAUL_LINK_ETAG:
      return g_strdup (_("The new link is a different file: it has changed since (ETag)"));
    case HAUL_LINK_ETAG_MISSING:
      return g_strdup (_("The new link cannot be proven to be the same file: "
                         "the server no longer names its version (ETag)"));
    case HAUL_LINK_LAST_MODIFIED:
      return g_strdup (_("The new link is a different file: it has changed since (Last-Modified)"));
    case HAUL_LINK_LAST_MODIFIED_MISSING:
      return g_strdup (_("The new link cannot be proven to be the same file: "
                         "the server no longer gives its date (Last-Modified)"));
    case HAUL_LINK_TYPE:
      /* Translators: "The new link is a different file: “text/plain” instead of “application/zip”" */
      return g_strdup_printf (_("The new link is a different file: “%s” instead of “%s”"),
                              new_facts->content_type, old_facts->content_type);
    case HAUL_LINK_UNPROVABLE:
    default:
      return g_strdup (_("The new link cannot be proven to be the same file: "
                         "the old link gave neither its size nor its version"));
    }
}

/**
 * haul_link_check_same:
 *
 * haul_link_check_compare() as a #GError: %HAUL_LINK_ERROR_DIFFERENT with
 * the sentence of haul_link_check_describe().
 */
gboolean
haul_link_check_same (const HaulLinkFacts *old_facts,
                      gint64               written,
                      const HaulLinkFacts *new_facts,
                      GError             **error)
{
  HaulLinkVerdict verdict = haul_link_check_compare (old_facts, written, new_facts);
  g_autofree char *message = NULL;

  if (verdict == HAUL_LINK_SAME)
    return TRUE;
  message = haul_link_check_describe (verdict, old_facts, new_facts);
  g_set_error_literal (error, HAUL_LINK_ERROR, HAUL_LINK_ERROR_DIFFERENT, message);
  return FALSE;
}

/**
 * haul_link_check_single_link:
 * @text: dropped or pasted text
 *
 * Returns: (transfer full) (nullable): the link when @text holds exactly
 *   one http(s) link and nothing that looks like another one, else %NULL
 */
char *
haul_link_check_single_link (const char *text)
{
  g_autoptr(HaulUriList) list = NULL;
  const GPtrArray *uris;
  const char *scheme;
  gsize len;

  if (text == NULL)
    return NULL;
  len = strlen (text);
  if (len == 0 || len > SINGLE_LINK_MAX_TEXT)
    return NULL;
  list = haul_uri_list_new ();
  if (!haul_uri_list_feed (list, text, len, NULL))
    return NULL;
  haul_uri_list_finish (list);
  uris = haul_uri_list_get_uris (list);
  if (uris->len != 1 || haul_uri_list_get_n_rejected (list) > 0 ||
      haul_uri_list_get_n_duplicates (list) > 0)
    return NULL;
  scheme = g_uri_peek_scheme (g_ptr_array_index (uris, 0));
  if (!haul_uri_scheme_is_web (scheme))
    return NULL;
  return g_strdup (g_ptr_array_index (uris, 0));
}
