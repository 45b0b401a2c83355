/* haul-status-lines.h — a row's status: one line where it fits, two where not
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define HAUL_TYPE_STATUS_LINES (haul_status_lines_get_type ())

G_DECLARE_FINAL_TYPE (HaulStatusLines, haul_status_lines, HAUL, STATUS_LINES, GtkWidget)

GtkWidget *haul_status_lines_new           (void);
void       haul_status_lines_set_text      (HaulStatusLines *self,
                                            const char      *main,
                                            const char      *rate,
                                            const char      *extra);
gboolean   haul_status_lines_get_two_lines (HaulStatusLines *self);

G_END_DECLS
