/* test-filename.c — turning server-provided names into safe local ones
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <string.h>

#include "haul-filename.h"

/* What sanitize keeps free so that "NAME (99999).part" also fits in 255 bytes. */
#define ROOM (strlen (" (99999)") + strlen (HAUL_PART_SUFFIX))
#define MAX_SANITIZED (HAUL_FILENAME_MAX_BYTES - ROOM)

/* Properties every sanitized name must have, whatever the input. */
static void
assert_safe_name (const char *name)
{
  g_assert_nonnull (name);
  g_assert_cmpstr (name, !=, "");
  g_assert_cmpstr (name, !=, ".");
  g_assert_cmpstr (name, !=, "..");
  g_assert_null (strchr (name, '/'));
  g_assert_null (strchr (name, '\\'));
  g_assert_cmpint (name[0], !=, '.');
  g_assert_cmpint (name[0], !=, '-');
  g_assert_true (g_utf8_validate (name, -1, NULL));
  g_assert_cmpuint (strlen (name), <=, MAX_SANITIZED);
  g_assert_cmpuint (strlen (name) + ROOM, <=, HAUL_FILENAME_MAX_BYTES);

  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_assert_false (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0));
      g_assert_false (c == 0x200e || c == 0x200f);
      g_assert_false (c >= 0x202a && c <= 0x202e);
      g_assert_false (c >= 0x2066 && c <= 0x2069);
    }
}

static void
assert_sanitized (const char *input,
                  const char *expected)
{
  g_autofree char *out = haul_filename_sanitize (input);

  g_assert_cmpstr (out, ==, expected);
  if (out != NULL)
    assert_safe_name (out);
}

static void
test_sanitize_plain (void)
{
  assert_sanitized ("report.pdf", "report.pdf");
  assert_sanitized ("archive.tar.gz", "archive.tar.gz");
  assert_sanitized ("My Holiday Photos 2024.zip", "My Holiday Photos 2024.zip");
  assert_sanitized ("naïve café – résumé.odt", "naïve café – résumé.odt");
  assert_sanitized ("日本語のファイル.txt", "日本語のファイル.txt");
  assert_sanitized ("README", "README");
  assert_sanitized ("a", "a");
  /* ".." inside a name is not a path component and does no harm. */
  assert_sanitized ("version..2.txt", "version..2.txt");
}

static void
test_sanitize_nothing_left (void)
{
  static const char *inputs[] = {
    "", ".", "..", "...", "/", "\\", "./", "../", "..\\", "/..", "../..", "a/", "a/..",
    "foo\\..", " ", "   ", "-", "--", ".-.-", "~", "\x01\x02\x1f\x7f", "\t\r\n",
    "\u202e", "\u200e\u200f", ". . .", "dir/ . ",
  };

  g_assert_null (haul_filename_sanitize (NULL));
  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autofree char *out = haul_filename_sanitize (inputs[i]);

      if (out != NULL)
        g_error ("“%s” should sanitize to nothing, got “%s”", inputs[i], out);
    }
}

/* Only the last component survives, whichever separator is used. */
static void
test_sanitize_separators (void)
{
  assert_sanitized ("../../etc/passwd", "passwd");
  assert_sanitized ("/etc/passwd", "passwd");
  assert_sanitized ("..\\..\\Windows\\System32\\evil.dll", "evil.dll");
  assert_sanitized ("C:\\Users\\me\\file.txt", "file.txt");
  assert_sanitized ("dir/sub\\mixed/name.bin", "name.bin");
  assert_sanitized ("a/../../b.txt", "b.txt");
  assert_sanitized ("/../.ssh/authorized_keys", "authorized_keys");
  assert_sanitized ("x/../../.bashrc", "bashrc");
  assert_sanitized ("..%2F..%2Fpasswd", "%2F..%2Fpasswd");
}

static void
test_sanitize_leading (void)
{
  assert_sanitized (".bashrc", "bashrc");
  assert_sanitized ("...hidden.txt", "hidden.txt");
  assert_sanitized ("-rf", "rf");
  assert_sanitized ("--help.txt", "help.txt");
  assert_sanitized ("-.-.name", "name");
  assert_sanitized ("  spaced.txt", "spaced.txt");
  assert_sanitized ("~backup.txt", "backup.txt");
  /* Only leading ones: dashes and dots inside stay. */
  assert_sanitized ("my-file.v2.txt", "my-file.v2.txt");
}

static void
test_sanitize_trailing (void)
{
  assert_sanitized ("file.txt.", "file.txt");
  assert_sanitized ("file.txt . . ", "file.txt");
  assert_sanitized ("name   ", "name");
}

static void
test_sanitize_control (void)
{
  assert_sanitized ("a\x01" "b\x1f" "c\x7f" ".txt", "abc.txt");
  assert_sanitized ("line\nbreak\r.txt", "linebreak.txt");
  assert_sanitized ("tab\there.txt", "tabhere.txt");
  assert_sanitized ("\x1b[31mred\x1b[0m.txt", "[31mred[0m.txt");
  /* C1 controls, U+0080–U+009F. */
  assert_sanitized ("a\xc2\x85" "b\xc2\x9f" ".txt", "ab.txt");
  /* Header injection attempts lose their line breaks. */
  assert_sanitized ("x\r\nSet-Cookie: a=b", "xSet-Cookie_ a=b");
}

/* Bidirectional overrides would let "invoice\u202Efdp.exe" display as
 * "invoiceexe.pdf". */
static void
test_sanitize_bidi (void)
{
  assert_sanitized ("invoice\u202efdp.exe", "invoicefdp.exe");
  assert_sanitized ("\u202eexe.pdf", "exe.pdf");
  assert_sanitized ("a\u202ab\u202bc\u202cd\u202de.txt", "abcde.txt");
  assert_sanitized ("a\u2066b\u2067c\u2068d\u2069e.txt", "abcde.txt");
  assert_sanitized ("a\u200eb\u200fc.txt", "abc.txt");
  /* Right-to-left text itself is fine; only the controls go. */
  assert_sanitized ("שלום.txt", "שלום.txt");
}

/* Characters other systems reject become underscores. */
static void
test_sanitize_reserved (void)
{
  assert_sanitized ("a:b*c?d\"e<f>g|h.txt", "a_b_c_d_e_f_g_h.txt");
  assert_sanitized ("what?.html", "what_.html");
  assert_sanitized ("C:file", "C_file");
}

static void
test_sanitize_invalid_utf8 (void)
{
  g_autofree char *out = haul_filename_sanitize ("caf\xe9.txt");
  g_autofree char *out2 = haul_filename_sanitize ("\xff\xfe\xfd");

  assert_safe_name (out);
  g_assert_cmpstr (out, ==, "caf\ufffd.txt");
  assert_safe_name (out2);
  g_assert_true (g_str_has_prefix (out2, "\ufffd"));
}

static char *
repeat (const char *unit,
        guint       n)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append (s, unit);
  return g_string_free (s, FALSE);
}

/* Long names are cut to fit, keeping the extension. */
static void
test_sanitize_long_ascii (void)
{
  g_autofree char *stem = repeat ("a", 300);
  g_autofree char *input = g_strconcat (stem, ".txt", NULL);
  g_autofree char *out = haul_filename_sanitize (input);
  g_autofree char *expected_stem = repeat ("a", MAX_SANITIZED - 4);
  g_autofree char *expected = g_strconcat (expected_stem, ".txt", NULL);

  assert_safe_name (out);
  g_assert_cmpuint (strlen (out), ==, MAX_SANITIZED);
  g_assert_cmpstr (out, ==, expected);
}

static void
test_sanitize_long_boundary (void)
{
  g_autofree char *exact = repeat ("b", MAX_SANITIZED);
  g_autofree char *over = repeat ("b", MAX_SANITIZED + 1);
  g_autofree char *out_exact = haul_filename_sanitize (exact);
  g_autofree char *out_over = haul_filename_sanitize (over);
  g_autofree char *huge = repeat ("c", 100000);
  g_autofree char *out_huge = haul_filename_sanitize (huge);

  /* A name that fits is left alone. */
  g_assert_cmpstr (out_exact, ==, exact);
  /* One byte more is cut, without an extension to keep. */
  g_assert_cmpuint (strlen (out_over), ==, MAX_SANITIZED);
  g_assert_cmpstr (out_over, ==, exact);
  assert_safe_name (out_huge);
  g_assert_cmpuint (strlen (out_huge), ==, MAX_SANITIZED);
}

/* Cutting never splits a multi-byte character. */
static void
test_sanitize_long_utf8 (void)
{
  g_autofree char *e_acute = repeat ("é", 200);    /* 2 bytes each */
  g_autofree char *input1 = g_strconcat (e_acute, ".pdf", NULL);
  g_autofree char *out1 = haul_filename_sanitize (input1);
  g_autofree char *expected1_stem = repeat ("é", (MAX_SANITIZED - 4) / 2);
  g_autofree char *expected1 = g_strconcat (expected1_stem, ".pdf", NULL);
  g_autofree char *euro = repeat ("€", 200);       /* 3 bytes each */
  g_autofree char *input2 = g_strconcat (euro, ".pdf", NULL);
  g_autofree char *out2 = haul_filename_sanitize (input2);
  g_autofree char *expected2_stem = repeat ("€", (MAX_SANITIZED - 4) / 3);
  g_autofree char *expected2 = g_strconcat (expected2_stem, ".pdf", NULL);
  g_autofree char *emoji = repeat ("😀", 100);     /* 4 bytes each, no extension */
  g_autofree char *out3 = haul_filename_sanitize (emoji);
  g_autofree char *expected3 = repeat ("😀", MAX_SANITIZED / 4);

  assert_safe_name (out1);
  g_assert_cmpstr (out1, ==, expected1);
  assert_safe_name (out2);
  g_assert_cmpstr (out2, ==, expected2);
  g_assert_true (g_str_has_suffix (out2, ".pdf"));
  assert_safe_name (out3);
  g_assert_cmpstr (out3, ==, expected3);
}

/* An "extension" longer than 32 bytes is not kept as one: the name is
 * simply cut. */
static void
test_sanitize_long_extension (void)
{
  g_autofree char *stem = repeat ("a", 300);
  g_autofree char *ext = repeat ("x", 40);
  g_autofree char *input = g_strconcat (stem, ".", ext, NULL);
  g_autofree char *out = haul_filename_sanitize (input);
  g_autofree char *expected = repeat ("a", MAX_SANITIZED);
  g_autofree char *short_ext_in = g_strconcat (stem, ".", "tar.zst", NULL);
  g_autofree char *short_ext_out = haul_filename_sanitize (short_ext_in);

  assert_safe_name (out);
  g_assert_cmpstr (out, ==, expected);
  assert_safe_name (short_ext_out);
  /* A double extension like .tar.zst is kept whole. */
  g_assert_true (g_str_has_suffix (short_ext_out, "aaa.tar.zst"));
  g_assert_cmpuint (strlen (short_ext_out), ==, MAX_SANITIZED);
}

/* A cut that ends on a dot or a space does not leave it trailing. */
static void
test_sanitize_long_trailing (void)
{
  g_autofree char *stem = repeat ("a", MAX_SANITIZED - 1);
  g_autofree char *ext = repeat ("x", 40);
  g_autofree char *input = g_strconcat (stem, ".", ext, NULL);
  g_autofree char *out = haul_filename_sanitize (input);
  g_autofree char *input2 = g_strconcat (stem, "   ", ext, NULL);
  g_autofree char *out2 = haul_filename_sanitize (input2);

  assert_safe_name (out);
  g_assert_cmpstr (out, ==, stem);
  assert_safe_name (out2);
  g_assert_cmpstr (out2, ==, stem);
}

/* Millions of leading dots and dashes are stripped in one go (this took
 * minutes when they were erased one at a time). */
static void
test_sanitize_many_leading (void)
{
  const gsize n = 3 * 1000 * 1000;
  g_autofree char *input = g_malloc (n + sizeof "x.txt");
  g_autofree char *out = NULL;

  for (gsize i = 0; i < n; i++)
    input[i] = ".-~ "[i % 4];
  memcpy (input + n, "x.txt", sizeof "x.txt");

  out = haul_filename_sanitize (input);
  g_assert_cmpstr (out, ==, "x.txt");
}

static void
test_with_index (void)
{
  static const struct {
    const char *name;
    guint       index;
    const char *expected;
  } cases[] = {
    { "file.txt",          0, "file.txt" },
    { "file.txt",          1, "file (1).txt" },
    { "file.txt",          2, "file (2).txt" },
    { "file.txt",         10, "file (10).txt" },
    { "README",            3, "README (3)" },
    { "archive.tar.gz",    1, "archive (1).tar.gz" },
    { "archive.tar.bz2",   2, "archive (2).tar.bz2" },
    { "archive.tar.xz",    1, "archive (1).tar.xz" },
    { "a.tar.gz",          1, "a (1).tar.gz" },
    { "backup.tar",        1, "backup (1).tar" },
    { "mytar.gz",          1, "mytar (1).gz" },
    { "photo.JPG",         4, "photo (4).JPG" },
    { "v1.2.3",            1, "v1.2 (1).3" },
    { "name with spaces.odt", 1, "name with spaces (1).odt" },
    { "日本語.txt",        1, "日本語 (1).txt" },
    { "x",             99999, "x (99999)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = haul_filename_with_index (cases[i].name, cases[i].index);

      g_assert_cmpstr (out, ==, cases[i].expected);
    }
}

/* With a sanitized name of the maximum length, the indexed ".part" name
 * still fits in 255 bytes and keeps the extension last. */
static void
test_with_index_fits (void)
{
  g_autofree char *stem = repeat ("n", 400);
  g_autofree char *input = g_strconcat (stem, ".tar.gz", NULL);
  g_autofree char *name = haul_filename_sanitize (input);
  g_autofree char *indexed = haul_filename_with_index (name, 99999);
  g_autofree char *part = g_strconcat (indexed, HAUL_PART_SUFFIX, NULL);

  g_assert_true (g_str_has_suffix (name, ".tar.gz"));
  g_assert_true (g_str_has_suffix (indexed, " (99999).tar.gz"));
  g_assert_cmpuint (strlen (part), <=, HAUL_FILENAME_MAX_BYTES);
  g_assert_cmpuint (strlen (part), ==, HAUL_FILENAME_MAX_BYTES);
}

static void
assert_from_uri (const char *uri,
                 const char *expected)
{
  g_autofree char *out = haul_filename_from_uri (uri);

  g_assert_cmpstr (out, ==, expected);
  if (out != NULL)
    assert_safe_name (out);
}

static void
test_from_uri (void)
{
  assert_from_uri ("https://example.com/files/report.pdf", "report.pdf");
  assert_from_uri ("https://example.com/report.pdf?token=abc&x=1", "report.pdf");
  assert_from_uri ("https://example.com/report.pdf#page=2", "report.pdf");
  assert_from_uri ("https://example.com/a/b/c/archive.tar.gz", "archive.tar.gz");
  assert_from_uri ("https://example.com/download.php?id=42", "download.php");
  assert_from_uri ("http://example.com:8080/x/y.iso", "y.iso");
  /* Nothing after the last slash: no name. */
  assert_from_uri ("https://example.com/", NULL);
  assert_from_uri ("https://example.com", NULL);
  assert_from_uri ("https://example.com/dir/", NULL);
  assert_from_uri ("https://example.com/?file=x.zip", NULL);
  assert_from_uri (NULL, NULL);
  assert_from_uri ("", NULL);
  assert_from_uri ("not a uri at all", NULL);
}

static void
test_from_uri_escapes (void)
{
  assert_from_uri ("https://example.com/My%20File.txt", "My File.txt");
  assert_from_uri ("https://example.com/%E2%82%AC%20rates.csv", "€ rates.csv");
  assert_from_uri ("https://example.com/caf%C3%A9.txt", "café.txt");
  assert_from_uri ("https://example.com/100%25.txt", "100%.txt");
  assert_from_uri ("https://example.com/a%3Ab.txt", "a_b.txt");
  /* An escaped slash or backslash never becomes a directory. */
  assert_from_uri ("https://example.com/a%2Fb.txt", "b.txt");
  assert_from_uri ("https://example.com/a%2fb.txt", "b.txt");
  assert_from_uri ("https://example.com/a%5Cb.txt", "b.txt");
  assert_from_uri ("https://example.com/..%2F..%2F..%2Fetc%2Fpasswd", "passwd");
  assert_from_uri ("https://example.com/%2E%2E", NULL);
  assert_from_uri ("https://example.com/%2e%2e%2f", NULL);
  assert_from_uri ("https://example.com/%2Ebashrc", "bashrc");
  assert_from_uri ("https://example.com/%2D%2Dhelp", "help");
  /* Escaped control and bidi characters are removed after unescaping. */
  assert_from_uri ("https://example.com/a%0D%0Ab.txt", "ab.txt");
  assert_from_uri ("https://example.com/invoice%E2%80%AEfdp.exe", "invoicefdp.exe");
  /* Escapes that are not UTF-8 still give valid UTF-8. */
  assert_from_uri ("https://example.com/caf%E9.txt", "caf\ufffd.txt");
}

static void
test_choose (void)
{
  static const struct {
    const char *disposition;
    const char *uri;
    const char *expected;
  } cases[] = {
    /* Content-Disposition first. */
    { "attachment; filename=\"report.pdf\"", "https://h/dl.php?id=1", "report.pdf" },
    { "attachment; filename=report.pdf", "https://h/other.bin", "report.pdf" },
    { "inline; filename=\"a.txt\"", "https://h/b.txt", "a.txt" },
    /* filename* wins over filename. */
    { "attachment; filename=\"EUR rates.txt\"; filename*=UTF-8''%E2%82%AC%20rates.txt",
      "https://h/x", "€ rates.txt" },
    { "attachment; filename*=UTF-8''%E2%82%AC%20rates.txt; filename=\"EUR rates.txt\"",
      "https://h/x", "€ rates.txt" },
    { "attachment; filename*=iso-8859-1'en'caf%E9.txt", "https://h/x", "café.txt" },
    /* Then the final URL. */
    { NULL, "https://h/files/archive.tar.gz", "archive.tar.gz" },
    { "attachment", "https://h/files/archive.tar.gz", "archive.tar.gz" },
    { "inline", "https://h/a%20b.txt", "a b.txt" },
    { "", "https://h/c.txt", "c.txt" },
    /* A disposition name that sanitizes to nothing falls back to the URL. */
    { "attachment; filename=\"..\"", "https://h/x.bin", "x.bin" },
    { "attachment; filename=\"../\"", "https://h/x.bin", "x.bin" },
    { "attachment; filename=\"\"", "https://h/x.bin", "x.bin" },
    /* A malformed header falls back to the URL. */
    { "attachment; filename=\"unterminated", "https://h/x.bin", "x.bin" },
    { "garbage garbage", "https://h/x.bin", "x.bin" },
    { "attachment; filename*=UTF-8''%FF%FE", "https://h/x.bin", "x.bin" },
    /* Then "download". */
    { NULL, NULL, HAUL_FILENAME_FALLBACK },
    { NULL, "https://h/", HAUL_FILENAME_FALLBACK },
    { "attachment", "https://h/dir/", HAUL_FILENAME_FALLBACK },
    { "attachment; filename=\"..\"", "https://h/..", HAUL_FILENAME_FALLBACK },
    { "attachment; filename=\".\"", "https://h/%2E%2E", HAUL_FILENAME_FALLBACK },
    { "attachment; filename=\"/\"", NULL, HAUL_FILENAME_FALLBACK },
    /* Hostile names are made safe, never placed outside the folder. */
    { "attachment; filename=\"../../etc/passwd\"", "https://h/x", "passwd" },
    { "attachment; filename=\"/etc/cron.d/evil\"", "https://h/x", "evil" },
    { "attachment; filename=\"..\\\\..\\\\evil.bat\"", "https://h/x", "evil.bat" },
    { "attachment; filename*=UTF-8''..%2F..%2F.bashrc", "https://h/x", "bashrc" },
    { "attachment; filename=\".profile\"", "https://h/x", "profile" },
    { "attachment; filename=\"-rf --no-preserve-root\"", "https://h/x", "rf --no-preserve-root" },
    { "attachment; filename*=UTF-8''invoice%E2%80%AEfdp.exe", "https://h/x", "invoicefdp.exe" },
    { "attachment; filename*=UTF-8''a%0D%0ASet-Cookie%3A%20x", "https://h/x", "aSet-Cookie_ x" },
  };

  g_assert_cmpstr (HAUL_FILENAME_FALLBACK, ==, "download");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = haul_filename_choose (cases[i].disposition, cases[i].uri);

      if (g_strcmp0 (out, cases[i].expected) != 0)
        g_error ("“%s” + “%s”: expected “%s”, got “%s”",
                 cases[i].disposition, cases[i].uri, cases[i].expected, out);
      g_assert_cmpstr (out, ==, cases[i].expected);
      assert_safe_name (out);
    }
}

/* A huge name from the server is cut like any other. */
static void
test_choose_long (void)
{
  g_autofree char *stem = repeat ("z", 5000);
  g_autofree char *disposition = g_strdup_printf ("attachment; filename=\"%s.iso\"", stem);
  g_autofree char *out = haul_filename_choose (disposition, "https://h/x");

  assert_safe_name (out);
  g_assert_cmpuint (strlen (out), ==, MAX_SANITIZED);
  g_assert_true (g_str_has_suffix (out, "zzz.iso"));
}

/* A server name never looks like one of Haul's partial files. */
static void
test_sanitize_part_suffix (void)
{
  g_autofree char *a = haul_filename_sanitize ("video.mp4.part");
  g_autofree char *b = haul_filename_sanitize ("x.part");
  g_autofree char *c = haul_filename_sanitize ("partial.txt");

  g_assert_cmpstr (a, ==, "video.mp4_part");
  g_assert_cmpstr (b, ==, "x_part");
  g_assert_cmpstr (c, ==, "partial.txt");

  /* Cutting a long name must not leave it ending in ".part" either
   * (found by tests/fuzz/fuzz-filename): whatever the stem's length. */
  for (guint n = 180; n < 280; n++)
    {
      g_autofree char *stem = repeat ("a", n);
      g_autofree char *tail = repeat ("x", 100);
      g_autofree char *input = g_strconcat (stem, ".part", tail, NULL);
      g_autofree char *out = haul_filename_sanitize (input);
      g_autofree char *again = haul_filename_sanitize (out);

      g_assert_false (g_str_has_suffix (out, HAUL_PART_SUFFIX));
      g_assert_cmpstr (again, ==, out);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haul/core/filename/sanitize/part-suffix", test_sanitize_part_suffix);
  g_test_add_func ("/haul/core/filename/sanitize/plain", test_sanitize_plain);
  g_test_add_func ("/haul/core/filename/sanitize/nothing-left", test_sanitize_nothing_left);
  g_test_add_func ("/haul/core/filename/sanitize/separators", test_sanitize_separators);
  g_test_add_func ("/haul/core/filename/sanitize/leading", test_sanitize_leading);
  g_test_add_func ("/haul/core/filename/sanitize/trailing", test_sanitize_trailing);
  g_test_add_func ("/haul/core/filename/sanitize/control", test_sanitize_control);
  g_test_add_func ("/haul/core/filename/sanitize/bidi", test_sanitize_bidi);
  g_test_add_func ("/haul/core/filename/sanitize/reserved", test_sanitize_reserved);
  g_test_add_func ("/haul/core/filename/sanitize/invalid-utf8", test_sanitize_invalid_utf8);
  g_test_add_func ("/haul/core/filename/sanitize/long-ascii", test_sanitize_long_ascii);
  g_test_add_func ("/haul/core/filename/sanitize/long-boundary", test_sanitize_long_boundary);
  g_test_add_func ("/haul/core/filename/sanitize/long-utf8", test_sanitize_long_utf8);
  g_test_add_func ("/haul/core/filename/sanitize/long-extension", test_sanitize_long_extension);
  g_test_add_func ("/haul/core/filename/sanitize/long-trailing", test_sanitize_long_trailing);
  g_test_add_func ("/haul/core/filename/sanitize/many-leading", test_sanitize_many_leading);
  g_test_add_func ("/haul/core/filename/with-index", test_with_index);
  g_test_add_func ("/haul/core/filename/with-index/fits", test_with_index_fits);
  g_test_add_func ("/haul/core/filename/from-uri", test_from_uri);
  g_test_add_func ("/haul/core/filename/from-uri/escapes", test_from_uri_escapes);
  g_test_add_func ("/haul/core/filename/choose", test_choose);
  g_test_add_func ("/haul/core/filename/choose/long", test_choose_long);

  return g_test_run ();
}
