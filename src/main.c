/* main.c — the haul executable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>
#include <string.h>

#include <gtk/gtk.h>
#include <stdio.h>

#include "haul-application.h"
#include "haul-headless.h"

static gboolean
has_option (int         argc,
            char      **argv,
            const char *option)
{
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--") == 0)
        return FALSE;
      if (strcmp (argv[i], option) == 0)
        return TRUE;
    }
  return FALSE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(HaulApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* A file-size limit must make write() fail with EFBIG (reported as a
   * full disk), not kill the process. */
  signal (SIGXFSZ, SIG_IGN);

  if (has_option (argc, argv, "--headless"))
    return haul_headless_run (argc, argv);

  if (!gtk_init_check ())
    {
      fprintf (stderr, "%s\n", _("haul: cannot open a window: no display was found "
                                  "(DISPLAY and WAYLAND_DISPLAY are not set or not reachable).\n"
                                  "To download in the terminal, run: haul --headless URL…"));
      return 1;
    }

  app = haul_application_new ();
  haul_application_set_demo (app, has_option (argc, argv, "--demo"));
  return g_application_run (G_APPLICATION (app), argc, argv);
}
