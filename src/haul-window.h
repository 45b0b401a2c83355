/* haul-window.h — the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "haul-application.h"
#include "haul-handoff.h"
#include "haul-request-context.h"

G_BEGIN_DECLS

#define HAUL_TYPE_WINDOW (haul_window_get_type ())

G_DECLARE_FINAL_TYPE (HaulWindow, haul_window, HAUL, WINDOW, AdwApplicationWindow)

HaulWindow *haul_window_new            (HaulApplication *application);
void        haul_window_import         (HaulWindow      *self,
                                        const char      *text,
                                        GPtrArray       *files,
                                        const char      *folder,
                                        const char      *checksum);
void        haul_window_import_with_context (HaulWindow         *self,
                                             const char         *text,
                                             GPtrArray          *files,
                                             const char         *folder,
                                             const char         *checksum,
                                             HaulRequestContext *context);
void        haul_window_import_for_command_line (HaulWindow              *self,
                                                 const char              *text,
                                                 GPtrArray               *files,
                                                 GApplicationCommandLine *cmdline);
void        haul_window_import_for_command_line_with_context (HaulWindow              *self,
                                                              const char              *text,
                                                              GPtrArray               *files,
                                                              HaulRequestContext      *context,
                                                              GApplicationCommandLine *cmdline);
gboolean    haul_window_drop_value     (HaulWindow      *self,
                                        const GValue    *value);
void        haul_window_show_toast     (HaulWindow      *self,
                                        const char      *text);
gboolean    haul_window_add_handoff    (HaulWindow        *self,
                                        const HaulHandoff *handoff);

G_END_DECLS
