/* haul-netrc.h — the ~/.netrc file: machine, login, password, default
 *
 * Parsed strictly: a file that is too big, binary, not UTF-8, or has a
 * word out of place is refused whole, with its line; messages never quote
 * the file's words (a misplaced word may be a piece of a password).
 *
 * Thread: any (a HaulNetrc is immutable once parsed); haul_netrc_load()
 * reads the disk, so not on the main thread of a window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HAUL_NETRC_MAX_SIZE (1024 * 1024)

#define HAUL_NETRC_ERROR (haul_netrc_error_quark ())

typedef enum
{
  HAUL_NETRC_ERROR_SYNTAX,
  HAUL_NETRC_ERROR_TOO_BIG,
  HAUL_NETRC_ERROR_BINARY,
  HAUL_NETRC_ERROR_UNSAFE,   /* readable or writable by others, or not a regular file */
} HaulNetrcError;

typedef struct _HaulNetrc HaulNetrc;

GQuark     haul_netrc_error_quark (void);
char      *haul_netrc_default_path (void);
HaulNetrc *haul_netrc_parse       (const char  *text,
                                   gsize        length,
                                   const char  *name,
                                   GError     **error);
HaulNetrc *haul_netrc_load        (const char  *path,
                                   GError     **error);
gboolean   haul_netrc_lookup      (HaulNetrc   *self,
                                   const char  *host,
                                   const char **login,
                                   const char **password);
guint      haul_netrc_get_n_entries (HaulNetrc *self);
void       haul_netrc_free        (HaulNetrc   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulNetrc, haul_netrc_free)

G_END_DECLS
