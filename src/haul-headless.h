/* haul-headless.h — `haul --headless`: the engine in a terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HAUL_EXIT_OK          0
#define HAUL_EXIT_FAILED      1
#define HAUL_EXIT_USAGE       2
#define HAUL_EXIT_INTERRUPTED 130

int haul_headless_run (int    argc,
                       char **argv);

G_END_DECLS
