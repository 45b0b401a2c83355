/* haul-test-keyring.c — gnome-keyring-daemon for tests (see haul-test-keyring.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>

#include "haul-test-keyring.h"
#include "haul-test-queue.h"
#include "haul-test-server.h"

static GSubprocess *keyring_daemon;

char *
haul_test_keyring_make_home (const char *tmpl)
{
  g_autoptr(GError) error = NULL;
  char *home = g_dir_make_tmp (tmpl, &error);
  g_autofree char *config = NULL;
  g_autofree char *data_home = NULL;
  g_autofree char *runtime = NULL;

  g_assert_no_error (error);
  config = g_build_filename (home, ".config", NULL);
  data_home = g_build_filename (home, ".local", "share", NULL);
  runtime = g_build_filename (home, "run", NULL);
  g_assert_cmpint (g_mkdir_with_parents (data_home, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (runtime, 0700), ==, 0);
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  return home;
}

static gboolean
secrets_owned (gpointer data)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", "org.freedesktop.secrets"),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

/* The daemon ends with the test, however the test ends. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

void
haul_test_keyring_start (void)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                               G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GError) error = NULL;
  GOutputStream *in;

  g_assert_null (keyring_daemon);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  keyring_daemon = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon", "--foreground",
                                                "--unlock", "--components=secrets", NULL);
  g_assert_no_error (error);
  in = g_subprocess_get_stdin_pipe (keyring_daemon);
  g_assert_true (g_output_stream_write_all (in, "test-keyring", 12, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (in, NULL, &error));
  if (!haul_test_wait_until (secrets_owned, NULL, HAUL_TEST_WAIT_MS))
    g_error ("gnome-keyring-daemon did not take org.freedesktop.secrets");
}

void
haul_test_keyring_stop (void)
{
  if (keyring_daemon == NULL)
    return;
  g_subprocess_send_signal (keyring_daemon, SIGTERM);
  g_subprocess_wait (keyring_daemon, NULL, NULL);
  g_clear_object (&keyring_daemon);
}

char *
haul_test_keyring_lookup (const char *server,
                          const char *user)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) p = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  /* Under G_MESSAGES_DEBUG=all its own debug lines would go to stdout,
   * into what is read as the password. */
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  p = g_subprocess_launcher_spawn (launcher, &error, "secret-tool", "lookup",
                                   "xdg:schema", "io.github.haulapp.Haul.Password",
                                   "server", server, "user", user, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (p, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  return out;
}

char *
haul_test_keyring_wait_for (const char *server,
                            const char *user,
                            const char *expected)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  char *found = haul_test_keyring_lookup (server, user);

  while (g_strcmp0 (found, expected) != 0 && g_get_monotonic_time () < end)
    {
      g_free (found);
      haul_test_spin (100);
      found = haul_test_keyring_lookup (server, user);
    }
  return found;
}
