/* ui-validate-types.c — lets `gtk4-builder-tool validate` check Haul's .ui files
 *
 * The tool knows GTK's types only. Loaded with LD_PRELOAD, this module
 * registers the libadwaita template parents and Haul's own widgets that the
 * .ui files name, so the real tool validates them as written (templates
 * become fake subclasses of their parents, as the tool does for any
 * template). tests/validate-ui.sh runs it on every .ui file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <adwaita.h>

#include "haul-progress-line.h"
#include "haul-segment-map.h"
#include "haul-status-lines.h"

__attribute__ ((constructor)) static void
register_types (void)
{
  g_type_ensure (ADW_TYPE_APPLICATION_WINDOW);
  g_type_ensure (ADW_TYPE_MESSAGE_DIALOG);
  g_type_ensure (ADW_TYPE_PREFERENCES_GROUP);
  g_type_ensure (ADW_TYPE_PREFERENCES_WINDOW);
  g_type_ensure (ADW_TYPE_WINDOW);
  g_type_ensure (HAUL_TYPE_PROGRESS_LINE);
  g_type_ensure (HAUL_TYPE_SEGMENT_MAP);
  g_type_ensure (HAUL_TYPE_STATUS_LINES);
  /* A template of its own (haul-proxy-group.ui, validated as a template):
   * where other .ui files use it, a plain subclass of its parent. */
  g_type_register_static_simple (ADW_TYPE_PREFERENCES_GROUP, "HaulProxyGroup",
                                 sizeof (AdwPreferencesGroupClass), NULL,
                                 sizeof (AdwPreferencesGroup), NULL, 0);
}
