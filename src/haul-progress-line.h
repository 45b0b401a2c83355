/* haul-progress-line.h — a thin progress bar that only ever redraws
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define HAUL_TYPE_PROGRESS_LINE (haul_progress_line_get_type ())

G_DECLARE_FINAL_TYPE (HaulProgressLine, haul_progress_line, HAUL, PROGRESS_LINE, GtkWidget)

GtkWidget *haul_progress_line_new          (void);
double     haul_progress_line_get_fraction (HaulProgressLine *self);
void       haul_progress_line_set_fraction (HaulProgressLine *self,
                                            double            fraction);
void       haul_progress_line_pulse        (HaulProgressLine *self);

G_END_DECLS
