/* test-link-import.c — haul-link-import: text and files turned into links
 *
 * Real files in a temporary folder: lists of links, a binary file, a
 * folder, files that cannot be read. English messages under the tests'
 * C.UTF-8 without translations.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "haul-link-import.h"
#include "haul-test-server.h"
#include "haul-uri-list.h"

typedef struct
{
  char      *dir;
  GPtrArray *files;  /* (element-type GFile): what the test hands in */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("haul-link-import-XXXXXX", &error);
  g_assert_no_error (error);
  f->files = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_ptr_array_unref (f->files);
  haul_test_rm_rf (f->dir);
  g_free (f->dir);
}

/* Writes @len bytes of @contents (-1: a string) to @name in the folder
 * and hands the file in. */
static void
add_file (Fixture    *f,
          const char *name,
          const char *contents,
          gssize      len)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
  g_ptr_array_add (f->files, g_file_new_for_path (path));
}

static void
add_path (Fixture    *f,
          const char *name)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);

  g_ptr_array_add (f->files, g_file_new_for_path (path));
}

static void
assert_uris (HaulLinkImport *import,
             const char     *first,
             ...)
{
  va_list args;
  guint i = 0;

  va_start (args, first);
  for (const char *uri = first; uri != NULL; uri = va_arg (args, const char *), i++)
    {
      g_assert_cmpuint (i, <, import->uris->len);
      g_assert_cmpstr (g_ptr_array_index (import->uris, i), ==, uri);
    }
  va_end (args);
  g_assert_cmpuint (import->uris->len, ==, i);
}

static const char *
problem (HaulLinkImport *import,
         guint           i)
{
  g_assert_cmpuint (i, <, import->problems->len);
  return g_ptr_array_index (import->problems, i);
}

static const char *
rejection (HaulLinkImport *import,
           guint           i)
{
  g_assert_cmpuint (i, <, import->rejections->len);
  return g_ptr_array_index (import->rejections, i);
}

/* ------------------------------------------------------------------ */

static void
test_text (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(HaulLinkImport) import = NULL;

  import = haul_link_import_run ("# links\n"
                                 "https://example.org/a.iso\n"
                                 "  not-a-link   HTTP://Example.org/b.zip\n"
                                 "https://example.org/a.iso\tftp://example.org/c\n",
                                 NULL, NULL);

  /* In their order, normalized, each once; a word is not a bad link. */
  assert_uris (import, "https://example.org/a.iso", "http://example.org/b.zip", NULL);
  g_assert_cmpuint (import->n_duplicates, ==, 1);
  g_assert_cmpuint (import->n_rejected, ==, 1);
  /* Text has no name, so no line number in the sentence... */
  g_assert_cmpstr (rejection (import, 0), ==,
                   "“ftp://example.org/c”: “ftp” links are not supported (only http and https)");
  /* ...but the Add dialog has the line. */
  g_assert_cmpuint (import->text_rejections->len, ==, 1);
  g_assert_cmpuint (((HaulUriListRejection *) g_ptr_array_index (import->text_rejections, 0))->line, ==, 4);
  g_assert_cmpuint (import->problems->len, ==, 0);
  g_assert_false (import->full);
}

static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(HaulLinkImport) import = haul_link_import_run (NULL, NULL, NULL);

  g_assert_cmpuint (import->uris->len, ==, 0);
  g_assert_cmpuint (import->n_rejected, ==, 0);
  g_assert_cmpuint (import->n_duplicates, ==, 0);
  g_assert_cmpuint (import->rejections->len, ==, 0);
  g_assert_cmpuint (import->problems->len, ==, 0);
  g_assert_false (import->full);
}

/* Lists of links in files: rejections carry the file's name and line. */
static void
test_files (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(HaulLinkImport) import = NULL;

  add_file (f, "links.txt",
            "\xef\xbb\xbf# first list\r\n"
            "https://example.org/1\r\n"
            "\r\n"
            "htp:/broken\r\n"
            "https://example.org/2  # with a comment\r\n", -1);
  add_file (f, "more.txt",
            "https://example.org/2\n"
            "https://example.org/3\n"
            "mailto:me@example.org\n"
            "\n"
            "\n"
            "https:///nohost\n", -1);

  import = haul_link_import_run ("https://example.org/typed", f->files, NULL);

  /* The typed link first, then each list's in order; the second list's
   * repeat of the first's counts as a duplicate. */
  assert_uris (import, "https://example.org/typed", "https://example.org/1",
               "https://example.org/2", "https://example.org/3", NULL);
  g_assert_cmpuint (import->n_duplicates, ==, 1);
  g_assert_cmpuint (import->n_rejected, ==, 3);
  g_assert_cmpstr (rejection (import, 0), ==,
                   "links.txt, line 4: “htp:/broken”: the link starts with “htp”: did you mean “http”?");
  g_assert_cmpstr (rejection (import, 1), ==,
                   "more.txt, line 3: “mailto:me@example.org”: “mailto” links are not supported (only http and https)");
  g_assert_cmpstr (rejection (import, 2), ==, "more.txt, line 6: “https:///nohost”: the link has no host name");
  g_assert_cmpuint (import->problems->len, ==, 0);
}

/* A dropped web link arrives as a GFile: it is a link, not a list to
 * read, and comes before the lists' links. */
static void
test_web_file (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(HaulLinkImport) import = NULL;

  add_file (f, "list.txt", "https://example.org/from-list\n", -1);
  g_ptr_array_add (f->files, g_file_new_for_uri ("https://example.org/dropped.bin"));

  import = haul_link_import_run (NULL, f->files, NULL);

  assert_uris (import, "https://example.org/dropped.bin", "https://example.org/from-list", NULL);
  g_assert_cmpuint (import->problems->len, ==, 0);
}

/* A pasted chat message: its links, and no word of its prose counted as a
 * bad link (was "Added 1 download · 24 not valid links"). */
static void
test_pasted_prose (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(HaulLinkImport) import = NULL;

  import = haul_link_import_run ("Hey! The files are up: http://h.example/alpha.bin, http://h.example/beta.bin,\n"
                                 "<http://h.example/gamma.bin> and \"http://h.example/delta.bin\" "
                                 "(mirror: www.mirror.example/alpha.bin). Tell me if anything is missing :)\n",
                                 NULL, NULL);

  assert_uris (import, "http://h.example/alpha.bin", "http://h.example/beta.bin", "http://h.example/gamma.bin",
               "http://h.example/delta.bin", "https://www.mirror.example/alpha.bin", NULL);
  g_assert_cmpuint (import->n_rejected, ==, 0);
  g_assert_cmpuint (import->n_duplicates, ==, 0);
  g_assert_cmpuint (import->problems->len, ==, 0);
}

/* Files that are not plain lists: a saved HTML page, a markdown README, a
 * mail. Their links, with the file's name and line for what is not one. */
static void
test_files_with_text (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(HaulLinkImport) import = NULL;

  add_file (f, "page.html",
            "<!DOCTYPE html>\n<html><body>\n"
            "<a href=\"https://h.example/a.iso\">A</a>\n"
            "<a href='ftp://h.example/b.iso'>B</a>\n"
            "</body></html>\n", -1);
  add_file (f, "README.md",
            "# Downloads\n\n"
            "* [The ISO](https://h.example/c.iso)\n"
            "* <https://h.example/d.iso>\n", -1);
  add_file (f, "mail.eml",
            "From: Alice <alice@example.org>\n\nGet it at https://h.example/a.iso.\n", -1);
  add_file (f, "prose.txt", "Nothing to download here, sorry.\n", -1);
  add_file (f, "bad.txt", "ftp://h.example/only-this.iso\n", -1);

  import = haul_link_import_run (NULL, f->files, NULL);

  assert_uris (import, "https://h.example/a.iso", "https://h.example/c.iso", "https://h.example/d.iso", NULL);
  g_assert_cmpuint (import->n_duplicates, ==, 1);
  g_assert_cmpuint (import->n_rejected, ==, 2);
  g_assert_cmpstr (rejection (import, 0), ==,
                   "page.html, line 4: “ftp://h.example/b.iso”: “ftp” links are not supported (only http and https)");
  /* A file with only a bad link says why, not just "contains no links". */
  g_assert_cmpstr (rejection (import, 1), ==,
                   "bad.txt, line 1: “ftp://h.example/only-this.iso”: “ftp” links are not supported (only http and https)");
  g_assert_cmpuint (import->problems->len, ==, 1);
  g_assert_cmpstr (problem (import, 0), ==, "“prose.txt” contains no links");
  /* Only the text's rejections carry line numbers for the Add dialog. */
  g_assert_cmpuint (import->text_rejections->len, ==, 0);
}

/* Inputs that are not lists: one sentence each, and the rest still counts. */
static void
test_not_lists (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(HaulLinkImport) import = NULL;
  g_autofree char *folder = g_build_filename (f->dir, "photos", NULL);

  add_file (f, "image.png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  add_path (f, "photos");
  add_file (f, "empty.txt", "# nothing here yet\n\n", -1);
  add_file (f, "good.txt", "https://example.org/ok\n", -1);

  import = haul_link_import_run (NULL, f->files, NULL);

  assert_uris (import, "https://example.org/ok", NULL);
  g_assert_cmpuint (import->problems->len, ==, 3);
  g_assert_cmpstr (problem (import, 0), ==, "“image.png” is not a list of links: it is not a text file");
  g_assert_cmpstr (problem (import, 1), ==, "“photos” is a folder, not a list of links");
  g_assert_cmpstr (problem (import, 2), ==, "“empty.txt” contains no links");
  g_assert_cmpuint (import->n_rejected, ==, 0);
}

/* A file that is not there, and one that is there but cannot be opened
 * for reading (a socket: even root cannot). */
static void
test_unreadable (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(HaulLinkImport) import = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "missing.txt", NULL);
  g_autofree char *socket_path = g_build_filename (f->dir, "socket", NULL);
  g_autofree char *expected = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, &error);
  g_assert_no_error (error);
  address = g_unix_socket_address_new (socket_path);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  g_assert_no_error (error);

  add_path (f, "missing.txt");
  add_path (f, "socket");
  add_file (f, "good.txt", "https://example.org/ok\n", -1);

  import = haul_link_import_run (NULL, f->files, NULL);

  assert_uris (import, "https://example.org/ok", NULL);
  g_assert_cmpuint (import->problems->len, ==, 2);
  /* Not there: named by its path, as nothing else is known of it. */
  expected = g_strdup_printf ("Could not read “%s”: ", missing);
  g_assert_true (g_str_has_prefix (problem (import, 0), expected));
  g_assert_true (g_str_has_prefix (problem (import, 1), "Could not read “socket”: "));
}

/* Without the permission to read it. Root reads a file whatever its
 * permissions, so as root the import runs as "nobody" (effective ids only,
 * given back afterwards). */
static void
test_no_permission (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(HaulLinkImport) import = NULL;
  g_autofree char *path = g_build_filename (f->dir, "secret.txt", NULL);
  gboolean as_root = geteuid () == 0;

  add_file (f, "secret.txt", "https://example.org/secret\n", -1);
  g_assert_cmpint (g_chmod (path, 0), ==, 0);
  if (as_root)
    {
      g_assert_cmpint (g_chmod (f->dir, 0755), ==, 0);
      g_assert_cmpint (setegid (65534), ==, 0);
      g_assert_cmpint (seteuid (65534), ==, 0);
    }

  import = haul_link_import_run (NULL, f->files, NULL);

  if (as_root)
    {
      g_assert_cmpint (seteuid (0), ==, 0);
      g_assert_cmpint (setegid (0), ==, 0);
    }

  g_assert_cmpuint (import->uris->len, ==, 0);
  g_assert_cmpuint (import->problems->len, ==, 1);
  g_assert_true (g_str_has_prefix (problem (import, 0), "Could not read “secret.txt”: "));
  g_chmod (path, 0600);
}

/* Only the first HAUL_LINK_IMPORT_MAX_PROBLEMS problems and rejections are
 * kept as sentences; every rejection is counted. */
static void
test_many_problems (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(HaulLinkImport) import = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < HAUL_LINK_IMPORT_MAX_PROBLEMS + 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("missing-%02u.txt", i);

      add_path (f, name);
      g_string_append_printf (text, "htp://bad/%u\n", i);
    }

  import = haul_link_import_run (text->str, f->files, NULL);

  g_assert_cmpuint (import->uris->len, ==, 0);
  g_assert_cmpuint (import->problems->len, ==, HAUL_LINK_IMPORT_MAX_PROBLEMS);
  g_assert_cmpuint (import->n_rejected, ==, HAUL_LINK_IMPORT_MAX_PROBLEMS + 5);
  g_assert_cmpuint (import->rejections->len, <=, HAUL_LINK_IMPORT_MAX_PROBLEMS);
  g_assert_cmpstr (rejection (import, 0), ==, "“htp://bad/0”: the link starts with “htp”: did you mean “http”?");
}

static void
import_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  HaulLinkImport **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = haul_link_import_finish (result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*out);
}

static gboolean
is_set (gpointer data)
{
  return *(HaulLinkImport **) data != NULL;
}

/* The same, off the main thread. */
static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(HaulLinkImport) import = NULL;

  add_file (f, "list.txt", "https://example.org/1\nnope htp://nope\n", -1);
  haul_link_import_async ("https://example.org/0", f->files, NULL, import_done_cb, &import);
  /* The files were copied: the caller may drop its array at once. */
  g_ptr_array_set_size (f->files, 0);
  g_assert_true (haul_test_wait_until (is_set, &import, 10000));

  assert_uris (import, "https://example.org/0", "https://example.org/1", NULL);
  g_assert_cmpstr (rejection (import, 0), ==,
                   "list.txt, line 2: “htp://nope”: the link starts with “htp”: did you mean “http”?");
}

/* Cancelled before it finished: no result, the error says cancelled. */
static void
cancelled_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;
  HaulLinkImport *import = haul_link_import_finish (result, &error);

  g_assert_null (import);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  *done = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static void
test_cancelled (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gboolean done = FALSE;

  add_file (f, "list.txt", "https://example.org/1\n", -1);
  g_cancellable_cancel (cancellable);
  haul_link_import_async (NULL, f->files, cancellable, cancelled_cb, &done);
  g_assert_true (haul_test_wait_until (is_true, &done, 10000));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/haul/core/link-import/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("text", test_text);
  ADD ("empty", test_empty);
  ADD ("files", test_files);
  ADD ("web-file", test_web_file);
  ADD ("pasted-prose", test_pasted_prose);
  ADD ("files-with-text", test_files_with_text);
  ADD ("not-lists", test_not_lists);
  ADD ("unreadable", test_unreadable);
  ADD ("no-permission", test_no_permission);
  ADD ("many-problems", test_many_problems);
  ADD ("async", test_async);
  ADD ("cancelled", test_cancelled);

#undef ADD

  return g_test_run ();
}
