/* haul-netrc.c — the ~/.netrc parser (see haul-netrc.h)
 *
 * Words are separated by white space; a word may be "quoted", with \
 * escaping the next character; # starts a comment up to the end of the
 * line. Keywords: machine NAME, default, login NAME, password WORD,
 * account WORD, macdef NAME (its body runs to the next empty line and is
 * skipped). The first machine that names the host wins, then default.
 *
 * Thread: any.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-netrc"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "haul-auth.h"
#include "haul-netrc.h"
#include "haul-types.h"

#define MAX_WORD    4096
#define MAX_ENTRIES 10000

typedef struct
{
  char *machine;   /* NULL: the default entry */
  char *login;
  char *password;
} Entry;

struct _HaulNetrc
{
  GArray *entries; /* Entry */
};

typedef struct
{
  const char *p;
  const char *end;
  guint       line;
  const char *name;
} Lexer;

HAUL_DEFINE_QUARK (haul-netrc-error-quark, haul_netrc_error)

static void
entry_clear (gpointer data)
{
  Entry *e = data;

  g_free (e->machine);
  g_free (e->login);
  haul_auth_wipe (&e->password);
}

void
haul_netrc_free (HaulNetrc *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->entries);
  g_free (self);
}

char *
haul_netrc_default_path (void)
{
  return g_build_filename (g_get_home_dir (), ".netrc", NULL);
}

static gboolean
syntax_error (Lexer       *lx,
              GError     **error,
              const char  *what)
{
  /* Translators: "~/.netrc, line 3: “login” needs a value" */
  g_set_error (error, HAUL_NETRC_ERROR, HAUL_NETRC_ERROR_SYNTAX, _("%s, line %u: %s"),
               lx->name, lx->line, what);
  return FALSE;
}

/* Skips white space and comments. */
static void
skip_space (Lexer *lx)
{
  while (lx->p < lx->end)
    {
      if (*lx->p == '\n')
        lx->line++;
      if (*lx->p == '#')
        {
          while (lx->p < lx->end && *lx->p != '\n')
            lx->p++;
          continue;
        }
      if (!g_ascii_isspace (*lx->p))
        return;
      lx->p++;
    }
}

/* The next word into @out (NULL at the end of the text); FALSE on an
 * error. */
static gboolean
next_word (Lexer    *lx,
           char    **out,
           GError  **error)
{
  g_autoptr(GString) word = NULL;
  gboolean quoted;

  *out = NULL;
  skip_space (lx);
  if (lx->p >= lx->end)
    return TRUE;

  word = g_string_new (NULL);
  quoted = *lx->p == '"';
  if (quoted)
    lx->p++;
  for (;;)
    {
      char c;

      if (lx->p >= lx->end || *lx->p == '\n')
        {
          if (quoted)
            return syntax_error (lx, error, _("a quoted word does not end"));
          break;
        }
      c = *lx->p++;
      if (quoted && c == '"')
        break;
      if (!quoted && g_ascii_isspace (c))
        {
          lx->p--;
          break;
        }
      if (c == '\\' && lx->p < lx->end && *lx->p != '\n')
        c = *lx->p++;
      if (word->len >= MAX_WORD)
        return syntax_error (lx, error, _("a word is too long"));
      g_string_append_c (word, c);
    }
  *out = g_string_free (g_steal_pointer (&word), FALSE);
  return TRUE;
}

/* A macro's body: up to the next empty line. */
static void
skip_macdef (Lexer *lx)
{
  while (lx->p < lx->end && *lx->p != '\n')
    lx->p++;
  while (lx->p < lx->end)
    {
      if (*lx->p == '\n')
        {
          lx->line++;
          if (lx->p + 1 < lx->end && lx->p[1] == '\n')
            {
              lx->p += 2;
              lx->line++;
              return;
            }
        }
      lx->p++;
    }
}

/* The value after a keyword: required, and said only once per entry. */
static gboolean
take_value (Lexer       *lx,
            Entry       *current,
            char       **field,
            const char  *keyword,
            GError     **error)
{
  g_autofree char *value = NULL;
  g_autofree char *what = NULL;

  if (!next_word (lx, &value, error))
    return FALSE;
  if (value == NULL)
    {
      /* Translators: %s is a keyword of the file: login, password… */
      what = g_strdup_printf (_("“%s” needs a value"), keyword);
      return syntax_error (lx, error, what);
    }
  if (current == NULL)
    {
      what = g_strdup_printf (_("“%s” comes before any “machine” or “default”"), keyword);
      haul_auth_wipe (&value);
      return syntax_error (lx, error, what);
    }
  if (field != NULL && *field != NULL)
    {
      what = g_strdup_printf (_("“%s” is given twice for one machine"), keyword);
      haul_auth_wipe (&value);
      return syntax_error (lx, error, what);
    }
  if (field != NULL)
    *field = g_steal_pointer (&value);
  else
    haul_auth_wipe (&value);
  return TRUE;
}

static gboolean
check_text (const char  *text,
            gsize        length,
            const char  *name,
            GError     **error)
{
  if (length > HAUL_NETRC_MAX_SIZE)
    {
      g_set_error (error, HAUL_NETRC_ERROR, HAUL_NETRC_ERROR_TOO_BIG,
                   _("%s is too big to be a .netrc file (over 1 MiB)"), name);
      return FALSE;
    }
  if (memchr (text, '\0', length) != NULL || !g_utf8_validate (text, length, NULL))
    {
      g_set_error (error, HAUL_NETRC_ERROR, HAUL_NETRC_ERROR_BINARY,
                   _("%s is not a text file in UTF-8"), name);
      return FALSE;
    }
  return TRUE;
}

/* Starts a new entry for "machine NAME" or "default". */
static Entry *
start_entry (HaulNetrc  *self,
             Lexer      *lx,
             gboolean    is_default,
             GError    **error)
{
  Entry e = { 0 };

  if (self->entries->len >= MAX_ENTRIES)
    {
      syntax_error (lx, error, _("too many machines"));
      return NULL;
    }
  if (!is_default)
    {
      if (!next_word (lx, &e.machine, error))
        return NULL;
      if (e.machine == NULL)
        {
          syntax_error (lx, error, _("“machine” needs a name"));
          return NULL;
        }
    }
  g_array_append_val (self->entries, e);
  return &g_array_index (self->entries, Entry, self->entries->len - 1);
}

/**
 * haul_netrc_parse:
 * @name: how messages name the file ("~/.netrc")
 *
 * Returns: (transfer full): the entries, or %NULL with @error set
 */
HaulNetrc *
haul_netrc_parse (const char  *text,
                  gsize        length,
                  const char  *name,
                  GError     **error)
{
  g_autoptr(HaulNetrc) self = g_new0 (HaulNetrc, 1);
  Lexer lx = { text, text + length, 1, name };
  Entry *current = NULL;

  self->entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (self->entries, entry_clear);
  if (!check_text (text, length, name, error))
    return NULL;

  for (;;)
    {
      g_autofree char *word = NULL;
      gboolean ok;

      if (!next_word (&lx, &word, error))
        return NULL;
      if (word == NULL)
        break;
      if (strcmp (word, "machine") == 0 || strcmp (word, "default") == 0)
        ok = (current = start_entry (self, &lx, word[0] == 'd', error)) != NULL;
      else if (strcmp (word, "login") == 0)
        ok = take_value (&lx, current, current ? &current->login : NULL, "login", error);
      else if (strcmp (word, "password") == 0)
        ok = take_value (&lx, current, current ? &current->password : NULL, "password", error);
      else if (strcmp (word, "account") == 0)
        ok = take_value (&lx, current, NULL, "account", error);
      else if (strcmp (word, "macdef") == 0)
        {
          g_autofree char *macro = NULL;

          ok = next_word (&lx, &macro, error);
          skip_macdef (&lx);
        }
      else
        {
          /* Never quoted: it may be half of a password with a space. */
          haul_auth_wipe (&word);
          ok = syntax_error (&lx, error, _("a word that is not machine, default, login, password, "
                                           "account or macdef (a password with spaces needs quotes)"));
        }
      if (!ok)
        return NULL;
    }
  return g_steal_pointer (&self);
}

/**
 * haul_netrc_load:
 * @path: the file, usually haul_netrc_default_path()
 *
 * Reads and parses @path. A file that others may read or write, or that
 * is not a regular file of this user, is refused (%HAUL_NETRC_ERROR_UNSAFE).
 * A missing file is %G_IO_ERROR_NOT_FOUND.
 */
HaulNetrc *
haul_netrc_load (const char  *path,
                 GError     **error)
{
  g_autofree char *text = NULL;
  gsize length = 0;
  struct stat st;
  int fd;
  gssize n;

  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "%s: %s", path, g_strerror (errsv));
      return NULL;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_uid != getuid () ||
      (st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    {
      close (fd);
      g_set_error (error, HAUL_NETRC_ERROR, HAUL_NETRC_ERROR_UNSAFE,
                   _("%s is not used: it must be your own file that only you can read (chmod 600)"), path);
      return NULL;
    }
  text = g_malloc (HAUL_NETRC_MAX_SIZE + 1);
  while (length <= HAUL_NETRC_MAX_SIZE &&
         (n = read (fd, text + length, HAUL_NETRC_MAX_SIZE + 1 - length)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int errsv = errno;

          close (fd);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "%s: %s", path, g_strerror (errsv));
          return NULL;
        }
      length += n;
    }
  close (fd);
  {
    HaulNetrc *netrc = haul_netrc_parse (text, length, path, error);

    explicit_bzero (text, length);
    return netrc;
  }
}

/**
 * haul_netrc_lookup:
 * @login: (out) (transfer none): the user name for @host
 * @password: (out) (transfer none) (nullable): its password (may be %NULL)
 *
 * The first "machine" entry naming @host (ASCII case ignored), else the
 * "default" one. %FALSE when none applies or it has no login.
 */
gboolean
haul_netrc_lookup (HaulNetrc   *self,
                   const char  *host,
                   const char **login,
                   const char **password)
{
  const Entry *found = NULL;

  for (guint i = 0; i < self->entries->len && found == NULL; i++)
    {
      const Entry *e = &g_array_index (self->entries, Entry, i);

      if (e->machine != NULL && host != NULL && g_ascii_strcasecmp (e->machine, host) == 0)
        found = e;
    }
  for (guint i = 0; i < self->entries->len && found == NULL; i++)
    {
      const Entry *e = &g_array_index (self->entries, Entry, i);

      if (e->machine == NULL)
        found = e;
    }
  if (found == NULL || found->login == NULL)
    return FALSE;
  *login = found->login;
  *password = found->password;
  return TRUE;
}

guint
haul_netrc_get_n_entries (HaulNetrc *self)
{
  return self->entries->len;
}
