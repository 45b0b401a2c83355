/* fuzz-content-type.c — Content-Type, which picks a file's extension
 *
 * Checks: a result is a lower-case "type/subtype" of token characters,
 * with no parameters, spaces or control characters.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "fuzz-common.h"
#include "haul-http.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *value = fuzz_string (data, size);
  g_autofree char *type = haul_http_parse_content_type (value);
  const char *slash;

  if (type == NULL)
    return 0;
  slash = strchr (type, '/');
  FUZZ_CHECK (slash != NULL && slash != type && slash[1] != '\0' && strchr (slash + 1, '/') == NULL,
              "“%s” gives “%s”", value, type);
  for (const char *p = type; *p != '\0'; p++)
    FUZZ_CHECK (*p == '/' || (g_ascii_isgraph (*p) && !g_ascii_isupper (*p) && strchr (";,\"\\()<>@:[]?={}", *p) == NULL),
                "“%s” gives “%s”", value, type);
  return 0;
}
