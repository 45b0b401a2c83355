/* haul-help.h — Help (F1): Haul's manual
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define HAUL_HELP_MANUAL_URI "man:haul"
#define HAUL_HELP_ONLINE_URI "https://github.com/haulapp/haul#readme"

void haul_help_show (GtkWindow *parent);

G_END_DECLS
