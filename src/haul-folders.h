/* haul-folders.h — the default download folder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *haul_folders_get_default (void);

G_END_DECLS
