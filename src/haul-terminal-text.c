/* haul-terminal-text.c — text fitted to a terminal's columns
 *
 * How many columns a terminal has, how many a text takes (a wide
 * character two, a combining mark none), and the ways `haul --headless`
 * makes a text fit: shortened in the middle (names keep their start and
 * their extension) or at the end, and wrapped at spaces (never inside a
 * word). Pure functions but for haul_terminal_columns(), _rows() and
 * _print_help(); main thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sys/ioctl.h>
#include <string.h>
#include <unistd.h>

#include "haul-terminal-text.h"

#define ELLIPSIS "…"

/**
 * haul_terminal_columns:
 * @fd: a file descriptor
 *
 * Asked again each time (one ioctl): a terminal may be resized at any time.
 *
 * Returns: the columns of the terminal @fd writes to, or 0 when it is not
 *   a terminal
 */
guint
haul_terminal_columns (int fd)
{
  struct winsize size = { 0 };

  if (!isatty (fd))
    return 0;
  if (ioctl (fd, TIOCGWINSZ, &size) != 0 || size.ws_col == 0)
    return HAUL_TERMINAL_DEFAULT_COLUMNS;
  return size.ws_col;
}

/**
 * haul_terminal_rows:
 * @fd: a file descriptor
 *
 * Returns: the rows of the terminal @fd writes to, or 0 when it is not a
 *   terminal
 */
guint
haul_terminal_rows (int fd)
{
  struct winsize size = { 0 };

  if (!isatty (fd))
    return 0;
  if (ioctl (fd, TIOCGWINSZ, &size) != 0 || size.ws_row == 0)
    return HAUL_TERMINAL_DEFAULT_ROWS;
  return size.ws_row;
}

static guint
unichar_columns (gunichar c)
{
  if (g_unichar_iszerowidth (c))
    return 0;
  return g_unichar_iswide (c) ? 2 : 1;
}

/**
 * haul_text_columns:
 *
 * Returns: how many terminal columns @text (UTF-8, one line) takes
 */
guint
haul_text_columns (const char *text)
{
  guint n = 0;

  for (const char *p = text; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    n += unichar_columns (g_utf8_get_char (p));
  return n;
}

/* The byte length of the longest start of @text that takes at most @columns. */
static gsize
head_bytes (const char *text,
            guint       columns)
{
  const char *p = text;
  guint used = 0;

  while (*p != '\0')
    {
      guint w = unichar_columns (g_utf8_get_char (p));

      if (used + w > columns)
        break;
      used += w;
      p = g_utf8_next_char (p);
    }
  return p - text;
}

/* Where the longest end of @text that takes at most @columns starts. */
static const char *
tail_start (const char *text,
            guint       columns)
{
  const char *p = text + strlen (text);
  guint used = 0;

  while (p > text)
    {
      const char *prev = g_utf8_find_prev_char (text, p);
      guint w = unichar_columns (g_utf8_get_char (prev));

      if (used + w > columns)
        break;
      used += w;
      p = prev;
    }
  return p;
}

/**
 * haul_text_shorten_middle:
 *
 * Returns: @text if it takes at most @columns, else its start and its end
 *   around "…" in at most @columns ("a-very-l…name.iso")
 */
char *
haul_text_shorten_middle (const char *text,
                          guint       columns)
{
  guint head, tail;

  if (haul_text_columns (text) <= columns)
    return g_strdup (text);
  if (columns == 0)
    return g_strdup ("");
  /* The end holds the extension: it gets the odd column. */
  head = (columns - 1) / 2;
  tail = columns - 1 - head;
  {
    g_autofree char *start = g_strndup (text, head_bytes (text, head));

    return g_strconcat (start, ELLIPSIS, tail_start (text, tail), NULL);
  }
}

/**
 * haul_text_shorten_end:
 *
 * Returns: @text if it takes at most @columns, else its start and "…" in
 *   at most @columns
 */
char *
haul_text_shorten_end (const char *text,
                       guint       columns)
{
  g_autofree char *start = NULL;

  if (haul_text_columns (text) <= columns)
    return g_strdup (text);
  if (columns == 0)
    return g_strdup ("");
  start = g_strndup (text, head_bytes (text, columns - 1));
  return g_strconcat (start, ELLIPSIS, NULL);
}

/**
 * haul_text_wrap:
 * @text: one paragraph
 * @columns: the width of a line
 * @indent: spaces before each line
 *
 * Wraps @text at spaces: no line is wider than @columns unless a single
 * word is, which then has a line of its own. Spaces inside a line are
 * kept as they are (a path may hold two in a row); those at a break go.
 *
 * Returns: the lines, each after @indent spaces, joined by "\n" (none at
 *   the end)
 */
char *
haul_text_wrap (const char *text,
                guint       columns,
                guint       indent)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);
  g_autoptr(GString) out = g_string_new (NULL);
  guint used = 0, gap = 0;
  gboolean any = FALSE;

  for (guint i = 0; words[i] != NULL; i++)
    {
      guint w = haul_text_columns (words[i]);

      if (i > 0)
        gap++;   /* the space before words[i] */
      if (*words[i] == '\0')
        continue;
      if (any && used > 0 && used + gap + w > columns)
        {
          g_string_append_c (out, '\n');
          used = 0;
        }
      if (used == 0)
        {
          for (guint j = 0; j < indent; j++)
            g_string_append_c (out, ' ');
          used = indent;
        }
      else
        {
          for (guint j = 0; j < gap; j++)
            g_string_append_c (out, ' ');
          used += gap;
        }
      g_string_append (out, words[i]);
      used += w;
      gap = 0;
      any = TRUE;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static guint
leading_spaces (const char *line)
{
  guint n = 0;

  while (line[n] == ' ')
    n++;
  return n;
}

/* An option line of GOption's help: "  -d, --directory=DIR    Save files…".
 * Its description wraps under itself, or, when the option column takes
 * more than half of the width, under the option, indented. */
static void
wrap_option (GString    *out,
             const char *line,
             const char *gap,
             guint       columns)
{
  g_autofree char *option = g_strndup (line, gap - line);
  const char *desc = gap + leading_spaces (gap);
  guint desc_col = haul_text_columns (option) + (desc - gap);
  g_autofree char *wrapped = NULL;

  if (desc_col <= columns / 2)
    {
      wrapped = haul_text_wrap (desc, columns, desc_col);
      g_string_append_len (out, line, desc - line);
      g_string_append (out, wrapped + desc_col);
    }
  else
    {
      wrapped = haul_text_wrap (desc, columns, leading_spaces (line) + 4);
      g_string_append (out, option);
      g_string_append_c (out, '\n');
      g_string_append (out, wrapped);
    }
}

/**
 * haul_text_wrap_help:
 * @help: what g_option_context_get_help() returns
 * @columns: the width of a line
 *
 * GOption writes each option and paragraph on one line, however long, so
 * a terminal breaks it inside words. This wraps each line wider than
 * @columns at spaces: an option's description under itself (as
 * data/haul.1's check reads it: continuation lines start with at least
 * four spaces), a paragraph at its own indentation.
 *
 * Returns: @help with its long lines wrapped
 */
char *
haul_text_wrap_help (const char *help,
                     guint       columns)
{
  g_auto(GStrv) lines = g_strsplit (help, "\n", -1);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      guint lead = leading_spaces (line);
      const char *gap = strstr (line + lead, "  ");

      if (i > 0)
        g_string_append_c (out, '\n');
      if (haul_text_columns (line) <= columns)
        g_string_append (out, line);
      else if (line[lead] == '-' && gap != NULL)
        wrap_option (out, line, gap, columns);
      else
        {
          g_autofree char *wrapped = haul_text_wrap (line + lead, columns, lead);

          g_string_append (out, wrapped);
        }
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * haul_terminal_print_help:
 * @help: what g_option_context_get_help() returns
 *
 * Prints @help on standard output, wrapped to the terminal's width (80
 * columns when it is not a terminal), never in the last column.
 */
void
haul_terminal_print_help (const char *help)
{
  guint columns = haul_terminal_columns (STDOUT_FILENO);
  g_autofree char *wrapped = NULL;

  if (columns == 0)
    columns = HAUL_TERMINAL_DEFAULT_COLUMNS;
  wrapped = haul_text_wrap_help (help, MAX (columns, 2) - 1);
  g_print ("%s", wrapped);
}
