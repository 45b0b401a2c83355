/* test-folders.c — haul-folders: the Downloads folder, where new downloads go, folders' names
 *
 * A throwaway HOME and XDG_CONFIG_HOME (set before GLib reads them); each
 * case writes its own user-dirs.dirs and reloads GLib's cache. The
 * settings are a memory backend over the schema compiled in the build tree.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_SETTINGS_ENABLE_BACKEND /* g_memory_settings_backend_new() */

#include "config.h"

#include <gio/gio.h>
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>

#include "haul-folders.h"
#include "haul-test-server.h"

static char *home;

/* Writes user-dirs.dirs with @download as XDG_DOWNLOAD_DIR (NULL: no
 * file, which GLib's reload ignores once a value was read: only the first
 * case can use it; the others say "$HOME/", which means the same to Haul). */
static void
set_user_dirs (const char *download)
{
  g_autofree char *config = g_build_filename (home, ".config", NULL);
  g_autofree char *path = g_build_filename (config, "user-dirs.dirs", NULL);

  g_mkdir_with_parents (config, 0700);
  if (download == NULL)
    g_remove (path);
  else
    {
      g_autofree char *contents = g_strdup_printf ("XDG_DOWNLOAD_DIR=\"%s\"\n", download);

      g_assert_true (g_file_set_contents (path, contents, -1, NULL));
    }
  g_reload_user_special_dirs_cache ();
}

/* No XDG download folder, or one that is the home folder: ~/Downloads,
 * not $HOME. */
static void
test_default (void)
{
  g_autofree char *downloads = g_build_filename (home, "Downloads", NULL);
  g_autofree char *localized = g_build_filename (home, "Téléchargements", NULL);
  g_autofree char *name = NULL;

  set_user_dirs (NULL);
  g_assert_cmpstr (haul_folders_get_default (), ==, downloads);

  set_user_dirs ("$HOME");
  g_assert_cmpstr (g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD), ==, home);
  g_assert_cmpstr (haul_folders_get_default (), ==, downloads);

  set_user_dirs ("$HOME/Téléchargements");
  g_assert_cmpstr (haul_folders_get_default (), ==, localized);
  name = haul_folders_dup_display_name (localized);
  g_assert_cmpstr (name, ==, "Téléchargements");
}

static void
assert_display_name (const char *folder,
                     const char *expected)
{
  g_autofree char *name = haul_folders_dup_display_name (folder);

  g_assert_cmpstr (name, ==, expected);
}

static void
test_display_name (void)
{
  g_autofree char *downloads = g_build_filename (home, "Downloads", NULL);
  g_autofree char *downloads_slash = g_strconcat (downloads, "/", NULL);
  g_autofree char *projects = g_build_filename (home, "Projects", "iso", NULL);
  g_autofree char *projects_dots = g_build_filename (home, "Projects", ".", "iso", "", NULL);
  g_autofree char *home_slash = g_strconcat (home, "/", NULL);
  g_autofree char *not_utf8 = g_build_filename (home, "caf\xe9", NULL);
  g_autofree char *sibling = g_strconcat (home, "-other/x", NULL);
  g_autofree char *sibling_name = g_strconcat (home, "-other/x", NULL);

  set_user_dirs ("$HOME/");
  assert_display_name (downloads, "Downloads");
  assert_display_name (downloads_slash, "Downloads");
  assert_display_name (home, "Home");
  assert_display_name (home_slash, "Home");
  assert_display_name (projects, "~/Projects/iso");
  assert_display_name (projects_dots, "~/Projects/iso");
  assert_display_name ("/srv/haul downloads", "/srv/haul downloads");
  assert_display_name ("/", "/");
  /* A folder whose name only starts like the home folder's is not in it. */
  assert_display_name (sibling, sibling_name);
  /* Not UTF-8: shown, with a replacement character. */
  assert_display_name (not_utf8, "~/caf\ufffd");
}

static GSettings *
new_settings (void)
{
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();

  return g_settings_new_with_backend ("io.github.haulapp.Haul", backend);
}

static void
assert_pick (GSettings  *settings,
             const char *expected)
{
  g_autofree char *folder = haul_folders_pick (settings);

  g_assert_cmpstr (folder, ==, expected);
}

/* The folder last chosen in the Add dialog, else Preferences', else the
 * Downloads folder; only absolute paths count. */
static void
test_pick (void)
{
  g_autoptr(GSettings) settings = new_settings ();

  set_user_dirs ("$HOME/");
  assert_pick (NULL, haul_folders_get_default ());
  assert_pick (settings, haul_folders_get_default ());
  g_settings_set_string (settings, "download-folder", "/srv/prefs");
  assert_pick (settings, "/srv/prefs");
  g_settings_set_string (settings, "last-folder", "/srv/chosen");
  assert_pick (settings, "/srv/chosen");
  g_settings_set_string (settings, "last-folder", "relative/folder");
  assert_pick (settings, "/srv/prefs");
  g_settings_set_string (settings, "download-folder", "");
  assert_pick (settings, haul_folders_get_default ());
}

static void
ensure_cb (GObject      *source,
           GAsyncResult *res,
           gpointer      user_data)
{
  int *result = user_data;
  g_autoptr(GError) error = NULL;

  *result = haul_folders_ensure_finish (res, &error) ? 1 : 2;
  g_assert_no_error (error);
}

static gboolean
is_set (gpointer data)
{
  return *(int *) data != 0;
}

static void
ensure (const char *folder)
{
  int result = 0;

  haul_folders_ensure_async (folder, NULL, ensure_cb, &result);
  /* Never at once: the caller's callback runs from the main loop. */
  g_assert_cmpint (result, ==, 0);
  g_assert_true (haul_test_wait_until (is_set, &result, 10000));
  g_assert_cmpint (result, ==, 1);
}

/* The Downloads folder is created when first needed; another folder that
 * is gone is not made anew. */
static void
test_ensure (void)
{
  g_autofree char *downloads = g_build_filename (home, "Downloads", NULL);
  g_autofree char *gone = g_build_filename (home, "Unmounted", "disk", NULL);

  set_user_dirs ("$HOME/");
  haul_test_rm_rf (downloads);
  g_assert_false (g_file_test (downloads, G_FILE_TEST_EXISTS));
  ensure (downloads);
  g_assert_true (g_file_test (downloads, G_FILE_TEST_IS_DIR));
  /* Again: nothing to do. */
  ensure (downloads);
  g_assert_true (g_file_test (downloads, G_FILE_TEST_IS_DIR));

  ensure (gone);
  g_assert_false (g_file_test (gone, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config = NULL;
  int ret;

  home = g_dir_make_tmp ("haul-folders-XXXXXX", NULL);
  config = g_build_filename (home, ".config", NULL);
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haul/ui/folders/default", test_default);
  g_test_add_func ("/haul/ui/folders/display-name", test_display_name);
  g_test_add_func ("/haul/ui/folders/pick", test_pick);
  g_test_add_func ("/haul/ui/folders/ensure", test_ensure);

  ret = g_test_run ();
  haul_test_rm_rf (home);
  g_free (home);
  return ret;
}
