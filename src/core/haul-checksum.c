/* haul-checksum.c — "ALGO:HEX" expected checksums
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-checksum"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "haul-checksum.h"

static const struct {
  const char    *name;
  GChecksumType  type;
} algorithms[] = {
  { "sha256", G_CHECKSUM_SHA256 },
  { "sha512", G_CHECKSUM_SHA512 },
  { "sha1",   G_CHECKSUM_SHA1 },
  { "md5",    G_CHECKSUM_MD5 },
};

const char *
haul_checksum_type_name (GChecksumType type)
{
  for (guint i = 0; i < G_N_ELEMENTS (algorithms); i++)
    if (algorithms[i].type == type)
      return algorithms[i].name;
  return "unknown";
}

/**
 * haul_checksum_parse:
 * @spec: "sha256:HEX", "sha512:HEX", "sha1:HEX" or "md5:HEX"
 * @type: (out): the algorithm
 * @hex: (out): the digest in lower case
 *
 * Returns: %TRUE if @spec names a known algorithm with a digest of the right length
 */
gboolean
haul_checksum_parse (const char     *spec,
                     GChecksumType  *type,
                     char          **hex,
                     GError        **error)
{
  const char *colon;
  g_autofree char *algo = NULL;
  const char *digest;
  gssize expected_len;
  gsize len;

  g_return_val_if_fail (spec != NULL, FALSE);

  colon = strchr (spec, ':');
  if (colon == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Checksum “%s” must look like ALGORITHM:HEX, for example sha256:…"), spec);
      return FALSE;
    }

  algo = g_ascii_strdown (spec, colon - spec);
  digest = colon + 1;

  for (guint i = 0; i < G_N_ELEMENTS (algorithms); i++)
    {
      if (strcmp (algo, algorithms[i].name) != 0)
        continue;

      expected_len = g_checksum_type_get_length (algorithms[i].type) * 2;
      len = strlen (digest);
      if ((gssize) len != expected_len)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "A %s checksum has %d hexadecimal digit, not %d",
                                    "A %s checksum has %d hexadecimal digits, not %d",
                                    expected_len),
                       algorithms[i].name, (int) expected_len, (int) len);
          return FALSE;
        }
      for (gsize j = 0; j < len; j++)
        if (!g_ascii_isxdigit (digest[j]))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                         _("Checksum “%s” contains a character that is not hexadecimal"), spec);
            return FALSE;
          }

      if (type != NULL)
        *type = algorithms[i].type;
      if (hex != NULL)
        *hex = g_ascii_strdown (digest, len);
      return TRUE;
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("Unknown checksum algorithm “%s” (use sha256, sha512, sha1 or md5)"), algo);
  return FALSE;
}
