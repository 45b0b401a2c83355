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
#include "haul-terminal-text.h"

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

/* `haul --help` works without a display; the window's own arguments are
 * handled by the application (haul-application.c), the terminal's by
 * haul --headless (haul-headless.c). data/haul.1 documents both and a test
 * keeps it in step with this text. Only printed, never parsed: the entries
 * need no storage. Wrapped at spaces to the terminal's width. */
static int
print_help (void)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *help = NULL;
  gboolean unused = FALSE;
  char *unused_value = NULL;
  const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &unused,
      N_("Show the version and exit"), NULL },
    { "demo", 0, 0, G_OPTION_ARG_NONE, &unused,
      N_("Watch Haul download a dozen files from a server of its own on this computer, "
         "into a temporary folder, remembering nothing"), NULL },
    { "headless", 0, 0, G_OPTION_ARG_NONE, &unused,
      N_("Run in the terminal, without a window (haul --headless --help lists its options)"),
      NULL },
    { "header", 0, 0, G_OPTION_ARG_STRING, &unused_value,
      N_("Send the header “Name: value” with every request of the downloads added; may be "
         "given more than once"), N_("HEADER") },
    { "referer", 0, 0, G_OPTION_ARG_STRING, &unused_value,
      N_("Send URL as the referring page"), N_("URL") },
    { "user-agent", 0, 0, G_OPTION_ARG_STRING, &unused_value,
      N_("Introduce Haul to servers as AGENT (a browser's, for a site that wants one)"), N_("AGENT") },
    { "load-cookies", 0, 0, G_OPTION_ARG_STRING, &unused_value,
      N_("Send the cookies of FILE (the cookies.txt format of curl, wget and browser "
         "add-ons), each only to its own site, with the downloads added; they are kept "
         "with each download until it is removed"), N_("FILE") },
    { "proxy", 0, 0, G_OPTION_ARG_STRING, &unused_value,
      N_("Connect through the proxy URL (http://, https://, socks5:// or socks5h://HOST:PORT, "
         "USER:PASSWORD@ allowed before HOST) for as long as Haul runs, instead of the proxy "
         "set in Preferences"), N_("URL") },
    { "no-proxy", 0, 0, G_OPTION_ARG_NONE, &unused,
      N_("Connect directly for as long as Haul runs, whatever Preferences and the system's "
         "proxy settings say"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("[URL…] [FILE…] — download many files at once"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Opens the Haul window and adds every URL, and every link in "
                                  "each FILE (a text file with a list of links), to its downloads. "
                                  "When Haul is already running, they go to the running window."));
  g_option_context_set_description (context,
                                    _("Exit status: 0 when the links were handed over, 1 when a "
                                      "link or a file was not valid or no window could be opened, "
                                      "2 for a usage error."));

  g_set_prgname ("haul");
  help = g_option_context_get_help (context, TRUE, NULL);
  haul_terminal_print_help (help);
  return 0;
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

  if (has_option (argc, argv, "--version"))
    {
      g_print ("haul %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (has_option (argc, argv, "--headless"))
    return haul_headless_run (argc, argv);
  if (has_option (argc, argv, "--help") || has_option (argc, argv, "-h"))
    return print_help ();

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
