/* test-netrc.c — the ~/.netrc parser: entries, quoting, and hostile files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "haul-netrc.h"
#include "haul-test-server.h"

static HaulNetrc *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  HaulNetrc *netrc = haul_netrc_parse (text, strlen (text), "~/.netrc", &error);

  g_assert_no_error (error);
  g_assert_nonnull (netrc);
  return netrc;
}

static void
assert_lookup (HaulNetrc  *netrc,
               const char *host,
               const char *login,
               const char *password)
{
  const char *l = NULL, *p = NULL;

  if (login == NULL)
    {
      g_assert_false (haul_netrc_lookup (netrc, host, &l, &p));
      return;
    }
  g_assert_true (haul_netrc_lookup (netrc, host, &l, &p));
  g_assert_cmpstr (l, ==, login);
  g_assert_cmpstr (p, ==, password);
}

static void
test_entries (void)
{
  g_autoptr(HaulNetrc) netrc = parse_ok (
    "# a comment\n"
    "machine example.org login ann password one\n"
    "machine Files.Example.COM\n"
    "\tlogin bob\n"
    "\tpassword \"two words \\\"quoted\\\" \\\\ end\"  # trailing comment\n"
    "\taccount acct\n"
    "machine example.org login second password ignored\n"
    "macdef init\n"
    "cd /pub\n"
    "machine not-a-machine login nope\n"
    "\n"
    "machine nologin.example password x\n"
    "default login anonymous password guest@\n");

  assert_lookup (netrc, "example.org", "ann", "one");   /* the first one wins */
  assert_lookup (netrc, "files.example.com", "bob", "two words \"quoted\" \\ end");
  assert_lookup (netrc, "elsewhere.net", "anonymous", "guest@");
  /* The macro's body is not an entry. */
  assert_lookup (netrc, "not-a-machine", "anonymous", "guest@");
  /* An entry without a login gives nothing (not the default). */
  assert_lookup (netrc, "nologin.example", NULL, NULL);
  g_assert_cmpuint (haul_netrc_get_n_entries (netrc), ==, 5);
}

static void
test_no_default (void)
{
  g_autoptr(HaulNetrc) netrc = parse_ok ("machine a login x password y");
  g_autoptr(HaulNetrc) empty = parse_ok ("  \n# nothing\n");

  assert_lookup (netrc, "b", NULL, NULL);
  assert_lookup (netrc, "a", "x", "y");
  assert_lookup (empty, "a", NULL, NULL);
  /* A login without a password. */
  {
    g_autoptr(HaulNetrc) nopass = parse_ok ("machine a login x");
    const char *l = NULL, *p = "unset";

    g_assert_true (haul_netrc_lookup (nopass, "a", &l, &p));
    g_assert_cmpstr (l, ==, "x");
    g_assert_null (p);
  }
}

typedef struct
{
  const char *text;
  int         code;
  const char *message;   /* expected in the error */
} BadCase;

static const BadCase bad_cases[] = {
  { "login x password y\n", HAUL_NETRC_ERROR_SYNTAX, "line 1: “login” comes before any" },
  { "machine a\nlogin", HAUL_NETRC_ERROR_SYNTAX, "line 2: “login” needs a value" },
  { "machine", HAUL_NETRC_ERROR_SYNTAX, "“machine” needs a name" },
  { "machine a login x password my secret\n", HAUL_NETRC_ERROR_SYNTAX, "line 1: a word that is not machine" },
  { "machine a login x password \"open\n", HAUL_NETRC_ERROR_SYNTAX, "a quoted word does not end" },
  { "machine a login x login y\n", HAUL_NETRC_ERROR_SYNTAX, "“login” is given twice" },
  { "machine a\n\n\npassword p password q", HAUL_NETRC_ERROR_SYNTAX, "line 4: “password” is given twice" },
};

static void
test_bad (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      const BadCase *c = &bad_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(HaulNetrc) netrc = haul_netrc_parse (c->text, strlen (c->text), "~/.netrc", &error);

      g_assert_null (netrc);
      g_assert_error (error, HAUL_NETRC_ERROR, c->code);
      if (strstr (error->message, c->message) == NULL)
        g_error ("case %u: expected “%s” in “%s”", i, c->message, error->message);
      g_assert_true (g_str_has_prefix (error->message, "~/.netrc, line "));
    }
}

/* The words of a broken file never appear in the message. */
static void
test_message_hides_words (void)
{
  const char *text = "machine a login x password hunter2 s3cretTail\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(HaulNetrc) netrc = haul_netrc_parse (text, strlen (text), "~/.netrc", &error);

  g_assert_null (netrc);
  g_assert_null (strstr (error->message, "s3cretTail"));
  g_assert_null (strstr (error->message, "hunter2"));
}

static void
test_hostile_text (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *huge = g_malloc (HAUL_NETRC_MAX_SIZE + 2);
  g_autoptr(GString) long_word = g_string_new ("machine ");
  g_autoptr(GString) many = g_string_new (NULL);
  const char binary[] = "machine a login x\0password y";
  const char latin1[] = "machine a login caf\xe9 password y";

  memset (huge, ' ', HAUL_NETRC_MAX_SIZE + 1);
  g_assert_null (haul_netrc_parse (huge, HAUL_NETRC_MAX_SIZE + 1, "n", &error));
  g_assert_error (error, HAUL_NETRC_ERROR, HAUL_NETRC_ERROR_TOO_BIG);
  g_clear_error (&error);

  g_assert_null (haul_netrc_parse (binary, sizeof binary - 1, "n", &error));
  g_assert_error (error, HAUL_NETRC_ERROR, HAUL_NETRC_ERROR_BINARY);
  g_clear_error (&error);

  g_assert_null (haul_netrc_parse (latin1, strlen (latin1), "n", &error));
  g_assert_error (error, HAUL_NETRC_ERROR, HAUL_NETRC_ERROR_BINARY);
  g_clear_error (&error);

  for (guint i = 0; i < 5000; i++)
    g_string_append_c (long_word, 'a');
  g_assert_null (haul_netrc_parse (long_word->str, long_word->len, "n", &error));
  g_assert_error (error, HAUL_NETRC_ERROR, HAUL_NETRC_ERROR_SYNTAX);
  g_assert_nonnull (strstr (error->message, "too long"));
  g_clear_error (&error);

  for (guint i = 0; i < 10001; i++)
    g_string_append (many, "default\n");
  g_assert_null (haul_netrc_parse (many->str, many->len, "n", &error));
  g_assert_nonnull (strstr (error->message, "too many"));
  g_clear_error (&error);
}

/* Random bytes and mutated files: an answer every time, never a crash. */
static void
test_fuzz (void)
{
  static const char *words[] = { "machine", "default", "login", "password", "account", "macdef",
                                 "\"", "\\", "#", "\n", "\n\n", " ", "x", "\"a b\"" };
  GRand *rand = g_rand_new_with_seed (1717);

  for (guint round = 0; round < 3000; round++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(HaulNetrc) netrc = NULL;
      guint n = g_rand_int_range (rand, 0, 40);

      for (guint i = 0; i < n; i++)
        {
          if (g_rand_boolean (rand))
            g_string_append (text, words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
          else
            g_string_append_c (text, (char) g_rand_int_range (rand, 1, 256));
          if (g_rand_boolean (rand))
            g_string_append_c (text, ' ');
        }
      netrc = haul_netrc_parse (text->str, text->len, "n", &error);
      g_assert_true ((netrc == NULL) != (error == NULL));
      if (netrc != NULL)
        {
          const char *l, *p;

          haul_netrc_lookup (netrc, "x", &l, &p);
        }
    }
  g_rand_free (rand);
}

/* Files: missing, readable by others, not a regular file, a symlink. */
static void
test_load (void)
{
  g_autofree char *dir = haul_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, ".netrc", NULL);
  g_autofree char *link = g_build_filename (dir, "link", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HaulNetrc) netrc = NULL;

  g_assert_null (haul_netrc_load (path, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents_full (path, "machine h login u password p\n", -1,
                                           G_FILE_SET_CONTENTS_NONE, 0644, NULL));
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  g_assert_null (haul_netrc_load (path, &error));
  g_assert_error (error, HAUL_NETRC_ERROR, HAUL_NETRC_ERROR_UNSAFE);
  g_assert_nonnull (strstr (error->message, "chmod 600"));
  g_clear_error (&error);

  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
  netrc = haul_netrc_load (path, &error);
  g_assert_no_error (error);
  assert_lookup (netrc, "h", "u", "p");
  g_clear_pointer (&netrc, haul_netrc_free);

  g_assert_cmpint (symlink (path, link), ==, 0);
  netrc = haul_netrc_load (link, &error);
  g_assert_no_error (error);
  g_clear_pointer (&netrc, haul_netrc_free);

  g_assert_null (haul_netrc_load (dir, &error));
  g_assert_error (error, HAUL_NETRC_ERROR, HAUL_NETRC_ERROR_UNSAFE);
  g_clear_error (&error);

  /* A FIFO must not block the reader. */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_null (haul_netrc_load (fifo, &error));
  g_assert_error (error, HAUL_NETRC_ERROR, HAUL_NETRC_ERROR_UNSAFE);
  g_clear_error (&error);

  haul_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haul/core/netrc/entries", test_entries);
  g_test_add_func ("/haul/core/netrc/no-default", test_no_default);
  g_test_add_func ("/haul/core/netrc/bad", test_bad);
  g_test_add_func ("/haul/core/netrc/message-hides-words", test_message_hides_words);
  g_test_add_func ("/haul/core/netrc/hostile-text", test_hostile_text);
  g_test_add_func ("/haul/core/netrc/fuzz", test_fuzz);
  g_test_add_func ("/haul/core/netrc/load", test_load);
  return g_test_run ();
}
