/* test-tty.c — `haul --headless` on a real pseudo-terminal
 *
 * Runs the real haul binary under a pty of a given size against the test
 * server, and feeds what it writes through a small terminal emulator (the
 * control sequences haul emits: \r, \n, ESC[nA, ESC[nB, ESC[nG, ESC[K,
 * ESC[J; text wraps at the right margin, and on a resize to fewer columns
 * the screen's lines wrap again, as GNOME Terminal's do). The checks are
 * on the screen a person would see: no redrawn line wider than the
 * terminal, no stale copy of a line, long names shortened in the middle,
 * one state per line, what Ctrl-C kept, help wrapped at spaces.
 *
 * Also the pure functions of src/haul-terminal-text.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "haul-format.h"
#include "haul-terminal-text.h"
#include "haul-test-server.h"

#define LONG_NAME "a-file-with-a-very-long-name-that-fits-no-terminal-at-all-really.iso"

/* ------------------------------------------------------------------ */
/* The terminal emulator */

typedef struct
{
  GArray   *cells;      /* gunichar */
  gboolean  continued;  /* the text of the row above went on here */
} Row;

typedef struct
{
  GPtrArray  *rows;     /* Row */
  guint       width;
  guint       row;
  guint       col;      /* == width: the next character wraps */
  guint       n_wraps;
  GByteArray *pending;  /* an incomplete sequence or character */
} Term;

static void
row_free (Row *r)
{
  g_array_unref (r->cells);
  g_free (r);
}

static Row *
row_new (void)
{
  Row *r = g_new0 (Row, 1);

  r->cells = g_array_new (FALSE, FALSE, sizeof (gunichar));
  return r;
}

static Term *
term_new (guint width)
{
  Term *t = g_new0 (Term, 1);

  t->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  g_ptr_array_add (t->rows, row_new ());
  t->width = width;
  t->pending = g_byte_array_new ();
  return t;
}

static void
term_free (Term *t)
{
  g_ptr_array_unref (t->rows);
  g_byte_array_unref (t->pending);
  g_free (t);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Term, term_free)

static Row *
term_row (Term  *t,
          guint  i)
{
  while (t->rows->len <= i)
    g_ptr_array_add (t->rows, row_new ());
  return g_ptr_array_index (t->rows, i);
}

static void
term_put (Term     *t,
          gunichar  c)
{
  Row *r;
  gunichar space = ' ';
  gboolean wrapped = FALSE;

  if (t->col >= t->width)
    {
      t->n_wraps++;
      t->row++;
      t->col = 0;
      wrapped = TRUE;
    }
  r = term_row (t, t->row);
  /* A row goes on with the line above only when the text wrapped into it;
   * written from its start on purpose, it holds a line of its own. */
  if (t->col == 0)
    r->continued = wrapped;
  while (r->cells->len < t->col)
    g_array_append_val (r->cells, space);
  if (r->cells->len == t->col)
    g_array_append_val (r->cells, c);
  else
    g_array_index (r->cells, gunichar, t->col) = c;
  t->col++;
}

/* Erases from the cursor to the end of its row. */
static void
term_erase_line (Term *t)
{
  Row *r = term_row (t, t->row);

  if (r->cells->len > t->col)
    g_array_set_size (r->cells, t->col);
  if (t->col == 0)
    r->continued = FALSE;
}

/* One CSI sequence: @params then @final. */
static void
term_csi (Term       *t,
          const char *params,
          char        final)
{
  guint n = params[0] == '\0' ? 0 : (guint) g_ascii_strtoull (params, NULL, 10);

  switch (final)
    {
    case 'A':
      t->row -= MIN (MAX (n, 1), t->row);
      t->col = MIN (t->col, t->width - 1);
      break;
    case 'B':
      t->row += MAX (n, 1);
      term_row (t, t->row);
      t->col = MIN (t->col, t->width - 1);
      break;
    case 'G':
      t->col = MIN (MAX (n, 1), t->width) - 1;
      break;
    case 'K':
      g_assert_cmpuint (n, !=, 1);
      if (n == 2)
        {
          g_array_set_size (term_row (t, t->row)->cells, 0);
          term_row (t, t->row)->continued = FALSE;
        }
      else
        term_erase_line (t);
      break;
    case 'J':
      g_assert_cmpuint (n, ==, 0);
      term_erase_line (t);
      g_ptr_array_set_size (t->rows, t->row + 1);
      break;
    default:
      g_error ("haul wrote an unexpected sequence ESC[%s%c", params, final);
    }
}

/* Interprets what it can of @t->pending; keeps an incomplete end. */
static void
term_run (Term *t)
{
  const guint8 *b = t->pending->data;
  guint len = t->pending->len, i = 0;

  while (i < len)
    {
      if (b[i] == 0x1b)
        {
          guint j = i + 2;

          if (i + 1 >= len)
            break;
          g_assert_cmpint (b[i + 1], ==, '[');
          while (j < len && (g_ascii_isdigit (b[j]) || b[j] == ';'))
            j++;
          if (j >= len)
            break;
          {
            g_autofree char *params = g_strndup ((const char *) b + i + 2, j - i - 2);

            term_csi (t, params, b[j]);
          }
          i = j + 1;
        }
      else if (b[i] == '\r')
        t->col = 0, i++;
      else if (b[i] == '\n')
        term_row (t, ++t->row), t->col = MIN (t->col, t->width - 1), i++;
      else if (b[i] < 0x20)
        i++;
      else
        {
          guint n = b[i] < 0xe0 ? (b[i] < 0x80 ? 1 : 2) : (b[i] < 0xf0 ? 3 : 4);
          gunichar c;

          if (i + n > len)
            break;
          c = g_utf8_get_char_validated ((const char *) b + i, n);
          g_assert_true (c != (gunichar) -1 && c != (gunichar) -2);
          term_put (t, c);
          i += n;
        }
    }
  g_byte_array_remove_range (t->pending, 0, i);
}

static void
term_feed (Term       *t,
           const char *data,
           gsize       len)
{
  g_byte_array_append (t->pending, (const guint8 *) data, len);
  term_run (t);
}

static char *
row_text (Row *r)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < r->cells->len; i++)
    g_string_append_unichar (s, g_array_index (r->cells, gunichar, i));
  while (s->len > 0 && s->str[s->len - 1] == ' ')
    g_string_truncate (s, s->len - 1);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* The text of the screen as lines: the rows a wrapped line took joined
 * again; empty lines at the end left out. */
static GPtrArray *
term_lines (Term *t)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < t->rows->len; i++)
    {
      Row *r = g_ptr_array_index (t->rows, i);
      g_autofree char *text = row_text (r);

      if (r->continued && lines->len > 0)
        {
          char *joined = g_strconcat (g_ptr_array_index (lines, lines->len - 1), text, NULL);

          g_free (g_ptr_array_index (lines, lines->len - 1));
          g_ptr_array_index (lines, lines->len - 1) = joined;
        }
      else
        g_ptr_array_add (lines, g_steal_pointer (&text));
    }
  while (lines->len > 0 && *(char *) g_ptr_array_index (lines, lines->len - 1) == '\0')
    g_ptr_array_set_size (lines, lines->len - 1);
  return lines;
}

/* The terminal gets narrower: each line wraps again at @width, and the
 * cursor stays on the character it was on. */
static void
term_resize (Term  *t,
             guint  width)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  guint cursor_line = 0, cursor_offset = 0, offset = 0;

  /* The rows joined into the lines they were cut from. */
  for (guint i = 0; i < t->rows->len; i++)
    {
      Row *r = g_ptr_array_index (t->rows, i);

      if (!r->continued || lines->len == 0)
        {
          g_ptr_array_add (lines, g_array_new (FALSE, FALSE, sizeof (gunichar)));
          offset = 0;
        }
      if (i == t->row)
        {
          cursor_line = lines->len - 1;
          cursor_offset = offset + t->col;
        }
      g_array_append_vals (g_ptr_array_index (lines, lines->len - 1), r->cells->data, r->cells->len);
      offset += t->width;
    }

  /* Cut again at @width. */
  g_ptr_array_set_size (t->rows, 0);
  for (guint i = 0; i < lines->len; i++)
    {
      GArray *cells = g_ptr_array_index (lines, i);
      guint first = t->rows->len;

      for (guint at = 0; at == 0 || at < cells->len; at += width)
        {
          Row *piece = row_new ();

          piece->continued = at > 0;
          if (at < cells->len)
            g_array_append_vals (piece->cells, &g_array_index (cells, gunichar, at),
                                 MIN (width, cells->len - at));
          g_ptr_array_add (t->rows, piece);
        }
      if (i == cursor_line)
        {
          t->row = first + cursor_offset / width;
          t->col = cursor_offset % width;
        }
    }
  t->width = width;
  term_row (t, t->row);
}

/* ------------------------------------------------------------------ */
/* haul under a pty */

typedef struct
{
  pid_t  pid;
  int    master;
  Term  *term;
  int    status;
  gboolean exited;
} Tty;

static void
tty_start (Tty        *tty,
           guint       columns,
           const char *const *args)
{
  struct winsize size = { .ws_row = 50, .ws_col = columns };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;

  g_strv_builder_add (builder, haul_test_haul_binary ());
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);

  tty->term = term_new (columns);
  tty->pid = forkpty (&tty->master, NULL, NULL, &size);
  g_assert_cmpint (tty->pid, >=, 0);
  if (tty->pid == 0)
    {
      execv (argv[0], argv);
      _exit (127);
    }
  g_assert_cmpint (fcntl (tty->master, F_SETFL, O_NONBLOCK), ==, 0);
}

/* Reads what haul wrote for up to @timeout_ms; FALSE once it closed the pty. */
static gboolean
tty_read (Tty *tty,
          int  timeout_ms)
{
  struct pollfd p = { .fd = tty->master, .events = POLLIN };
  char buf[4096];
  gssize n;

  if (poll (&p, 1, timeout_ms) < 0 && errno != EINTR)
    g_error ("poll: %s", g_strerror (errno));
  while ((n = read (tty->master, buf, sizeof buf)) > 0)
    term_feed (tty->term, buf, n);
  /* Linux answers EIO once the other side is closed. */
  return !(n == 0 || (n < 0 && errno == EIO));
}

static gboolean
screen_has (GPtrArray  *lines,
            const char *needle)
{
  for (guint i = 0; i < lines->len; i++)
    if (strstr (g_ptr_array_index (lines, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

/* The screen row by row, as a person sees it ("↪": the line above
 * wrapped into this row). */
static void
dump_screen (Tty *tty)
{
  for (guint i = 0; i < tty->term->rows->len; i++)
    {
      Row *r = g_ptr_array_index (tty->term->rows, i);
      g_autofree char *text = row_text (r);

      g_test_message ("row %2u %s│%s", i, r->continued ? "↪" : " ", text);
    }
}

/* Reads until the screen has a line with @needle. */
static void
tty_wait_for (Tty        *tty,
              const char *needle)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr(GPtrArray) lines = term_lines (tty->term);

      if (screen_has (lines, needle))
        return;
      if (g_get_monotonic_time () > deadline || !tty_read (tty, 100))
        {
          dump_screen (tty);
          g_error ("the screen never showed “%s”", needle);
        }
    }
}

/* Stops haul and reads everything it wrote: the screen is then as a
 * person would see it, whatever haul was doing. */
static void
tty_pause (Tty *tty)
{
  int status;

  g_assert_cmpint (kill (tty->pid, SIGSTOP), ==, 0);
  g_assert_cmpint (waitpid (tty->pid, &status, WUNTRACED), ==, tty->pid);
  g_assert_true (WIFSTOPPED (status));
  tty_read (tty, 50);
}

static void
tty_continue (Tty *tty)
{
  g_assert_cmpint (kill (tty->pid, SIGCONT), ==, 0);
}

/* Resizes the terminal while haul is stopped: the emulator re-wraps its
 * screen, then haul gets SIGWINCH from the kernel. */
static void
tty_resize (Tty   *tty,
            guint  columns)
{
  struct winsize size = { .ws_row = 50, .ws_col = columns };

  tty_pause (tty);
  term_resize (tty->term, columns);
  g_assert_cmpint (ioctl (tty->master, TIOCSWINSZ, &size), ==, 0);
  tty_continue (tty);
}

/* Reads until haul exits; returns its exit status. */
static int
tty_finish (Tty *tty)
{
  int status;

  while (tty_read (tty, 1000))
    ;
  g_assert_cmpint (waitpid (tty->pid, &status, 0), ==, tty->pid);
  close (tty->master);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
tty_clear (Tty *tty)
{
  g_clear_pointer (&tty->term, term_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Tty, tty_clear)

/* Lines haul prints once and never redraws. */
static gboolean
is_log_line (const char *line)
{
  return g_str_has_prefix (line, "Saved ") || g_str_has_prefix (line, "haul: ") ||
         g_str_has_prefix (line, "Downloaded ") || *line == '\0';
}

/* The screen while haul runs: each line of its block fits in one row and
 * leaves the last column free, and the total and each of @once appear on
 * one line of it (no stale copy of an earlier redraw). */
static void
assert_block (Tty        *tty,
              const char *const *once)
{
  g_autoptr(GPtrArray) lines = term_lines (tty->term);
  guint n_total = 0;

  dump_screen (tty);
  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = g_ptr_array_index (lines, i);

      if (is_log_line (line))
        continue;
      if (haul_text_columns (line) >= tty->term->width)
        g_error ("“%s” takes %u columns of %u", line, haul_text_columns (line), tty->term->width);
      if (strstr (line, "active") != NULL)
        n_total++;
    }
  g_assert_cmpuint (n_total, ==, 1);
  for (guint k = 0; once[k] != NULL; k++)
    {
      guint n = 0;

      for (guint i = 0; i < lines->len; i++)
        n += !is_log_line (g_ptr_array_index (lines, i)) &&
             strstr (g_ptr_array_index (lines, i), once[k]) != NULL;
      if (n != 1)
        g_error ("“%s” is on %u lines of the screen", once[k], n);
    }
}

/* The line of the screen that starts with @prefix. */
static char *
line_starting (Tty        *tty,
               const char *prefix)
{
  g_autoptr(GPtrArray) lines = term_lines (tty->term);

  for (guint i = 0; i < lines->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (lines, i), prefix))
      return g_strdup (g_ptr_array_index (lines, i));
  dump_screen (tty);
  g_error ("no line starts with “%s”", prefix);
}

/* The words of @text, in order, as one string. */
static char *
words_of (const char *text)
{
  g_autoptr(GRegex) nbsp = g_regex_new ("\u00a0", 0, 0, NULL);
  g_autofree char *spaced = g_regex_replace_literal (nbsp, text, -1, 0, " ", 0, NULL);
  g_auto(GStrv) words = g_regex_split_simple ("\\s+", spaced, 0, 0);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) kept = NULL;

  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      g_strv_builder_add (builder, words[i]);
  kept = g_strv_builder_end (builder);
  return g_strjoinv (" ", kept);
}

/* The screen once haul exited, as words: what @pattern (a regular
 * expression over the words joined by single spaces) matches, and
 * nothing else: no line left of the progress block. */
static void
assert_final_screen (Tty        *tty,
                     const char *pattern)
{
  g_autoptr(GPtrArray) lines = term_lines (tty->term);
  g_autoptr(GString) screen = g_string_new (NULL);
  g_autofree char *words = NULL;

  dump_screen (tty);
  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf (screen, "%s\n", (char *) g_ptr_array_index (lines, i));
  words = words_of (screen->str);
  if (!g_regex_match_simple (pattern, words, 0, 0))
    g_error ("the final screen reads “%s”, not /%s/", words, pattern);
}

/* ------------------------------------------------------------------ */
/* Tests */

typedef struct
{
  HaulTestServer *server;
  char           *dir;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = haul_test_server_new ();
  f->dir = haul_test_make_tmp_dir ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  haul_test_rm_rf (f->dir);
  g_free (f->dir);
  haul_test_server_free (f->server);
}

/* Three files of 1.5 MiB at 384 KiB/s each: about four seconds. */
static void
add_slow_files (Fixture *f,
                char    *uris[3])
{
  const char *paths[] = { "/" LONG_NAME, "/b.bin", "/c.bin" };

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GBytes) content = haul_test_content (1536 * 1024, i + 1);

      haul_test_server_add_file (f->server, paths[i], content,
                                 &(HaulTestFileOptions) { .rate = 384 * 1024 });
      uris[i] = haul_test_server_uri (f->server, paths[i]);
    }
}

/* Progress at @data columns (80 then resized to 40, or 40 throughout):
 * lines fit, the long name is shortened in the middle, and when haul is
 * done only what it printed for good is left on the screen. */
static void
test_progress (Fixture       *f,
               gconstpointer  data)
{
  guint columns = GPOINTER_TO_UINT (data);
  char *uris[3];
  g_auto(Tty) tty = { 0 };
  g_autofree char *saved_long = g_strdup_printf ("Saved %s/%s", f->dir, LONG_NAME);
  g_autofree char *saved_b = g_strdup_printf ("Saved %s/b.bin", f->dir);
  g_autofree char *saved_c = g_strdup_printf ("Saved %s/c.bin", f->dir);
  const char *once[] = { "a-file", "b.bin", "c.bin", NULL };
  g_autofree char *line = NULL;

  add_slow_files (f, uris);
  tty_start (&tty, columns, (const char *[]) { "--headless", "-x", "1", "-d", f->dir,
                                               uris[0], uris[1], uris[2], NULL });

  /* All three running, with a percentage. */
  tty_wait_for (&tty, "c.bin");
  tty_wait_for (&tty, "%");
  tty_pause (&tty);
  assert_block (&tty, once);
  /* The long name keeps its start and its extension. */
  line = line_starting (&tty, "a-file");
  g_assert_nonnull (strstr (line, "…"));
  g_assert_nonnull (strstr (line, "ly.iso "));
  g_assert_null (strstr (line, LONG_NAME));
  tty_continue (&tty);

  if (columns > 40)
    {
      g_clear_pointer (&line, g_free);
      tty_resize (&tty, 40);
      /* The short total line shows once haul drew at 40 columns. */
      tty_wait_for (&tty, " done");
      tty_pause (&tty);
      assert_block (&tty, once);
      line = line_starting (&tty, "a-file");
      g_assert_cmpuint (haul_text_columns (line), <, 40);
      g_assert_nonnull (strstr (line, "…"));
      tty_continue (&tty);
    }

  g_assert_cmpint (tty_finish (&tty), ==, 0);
  /* The files finish in any order: check the set, then the whole screen. */
  {
    g_autoptr(GPtrArray) lines = term_lines (tty.term);
    const char *expected[] = { saved_long, saved_b, saved_c };

    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      g_assert_true (screen_has (lines, expected[i]));
  }
  assert_final_screen (&tty, "^(Saved \\S+ \\([^)]+\\) ){3}"
                             "Downloaded 3 files \\([^)]+\\) in [0-9.]+ s \\([^)]+\\)\\.$");
  for (guint i = 0; i < 3; i++)
    g_free (uris[i]);
}

/* Seconds in "5 seconds left" or "2 minutes left" at the end of @line;
 * -1 without either. */
static gint64
eta_of (const char *line)
{
  g_autoptr(GRegex) regex = g_regex_new ("(\\d+) (second|minute)s? left$", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *n = NULL, *unit = NULL;

  if (!g_regex_match (regex, line, 0, &match))
    return -1;
  n = g_match_info_fetch (match, 1);
  unit = g_match_info_fetch (match, 2);
  return g_ascii_strtoll (n, NULL, 10) * (g_str_equal (unit, "minute") ? 60 : 1);
}

/* A fast file beside a slow one: the total's time left is never less than
 * the slow file's (the remaining bytes over the total speed would be: the
 * fast file's speed does not pass to the slow one). */
static void
test_total_eta (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) slow = haul_test_content (800 * 1024, 1);
  g_autoptr(GBytes) fast = haul_test_content (4 * 1024 * 1024, 2);
  g_autofree char *u_slow = NULL, *u_fast = NULL;
  g_auto(Tty) tty = { 0 };
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  haul_test_server_add_file (f->server, "/slow.bin", slow, &(HaulTestFileOptions) { .rate = 100 * 1024 });
  haul_test_server_add_file (f->server, "/fast.bin", fast, &(HaulTestFileOptions) { .rate = 2048 * 1024 });
  u_slow = haul_test_server_uri (f->server, "/slow.bin");
  u_fast = haul_test_server_uri (f->server, "/fast.bin");
  tty_start (&tty, 80, (const char *[]) { "--headless", "-x", "1", "-d", f->dir, u_slow, u_fast, NULL });

  for (;;)
    {
      g_autofree char *slow_line = NULL, *fast_line = NULL, *total_line = NULL;
      g_autoptr(GPtrArray) lines = NULL;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_assert_true (tty_read (&tty, 100));
      lines = term_lines (tty.term);
      if (!screen_has (lines, "fast.bin ") || !screen_has (lines, "slow.bin ") || !screen_has (lines, "Total"))
        continue;
      tty_pause (&tty);
      slow_line = line_starting (&tty, "slow.bin");
      fast_line = line_starting (&tty, "fast.bin");
      total_line = line_starting (&tty, "Total");
      if (eta_of (slow_line) >= 0 && eta_of (fast_line) >= 0 && eta_of (total_line) >= 0)
        {
          dump_screen (&tty);
          g_assert_cmpint (eta_of (total_line), >=, eta_of (slow_line));
          g_assert_cmpint (eta_of (total_line), >=, eta_of (fast_line));
          tty_continue (&tty);
          break;
        }
      tty_continue (&tty);
    }
  g_assert_cmpint (tty_finish (&tty), ==, 0);
}

/* A port nothing listens on. */
static guint16
closed_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, NULL);

  g_assert_cmpuint (port, >, 0);
  g_socket_listener_close (listener);
  return port;
}

/* A refused connection waits to retry: its line says that, with the
 * reason, and nothing else (no "Connecting" beside "retry … in"). */
static void
test_retry_line (Fixture       *f,
                 gconstpointer  data)
{
  guint columns = GPOINTER_TO_UINT (data);
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/refused.iso", closed_port ());
  g_auto(Tty) tty = { 0 };
  g_autofree char *line = NULL;
  g_autofree char *escaped = NULL, *final = NULL;
  const char *once[] = { "refused.iso", NULL };

  tty_start (&tty, columns, (const char *[]) { "--headless", "--retries", "2", "-d", f->dir, uri, NULL });
  tty_wait_for (&tty, columns > 40 ? "Waiting to retry (1 of 2) in" : "Retry 1 of 2 in");
  /* The link's own name, not the link, before the server named the file. */
  tty_pause (&tty);
  assert_block (&tty, once);
  line = line_starting (&tty, "refused.iso");
  g_assert_null (strstr (line, "Connecting"));
  if (columns > 40)
    g_assert_nonnull (strstr (line, "— The server"));
  tty_continue (&tty);

  g_assert_cmpint (tty_finish (&tty), ==, 1);
  escaped = g_regex_escape_string (uri, -1);
  final = g_strdup_printf ("^haul: failed: %s: The server “127\\.0\\.0\\.1” refused the connection "
                           "Downloaded 0 files \\(0 bytes\\) in [0-9.]+ s \\([^)]+\\); 1 failed\\.$",
                           escaped);
  assert_final_screen (&tty, final);
}

static gboolean
parts_have_bytes (gpointer data)
{
  Fixture *f = data;
  GStatBuf st;

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *part = g_strdup_printf ("%s/%s.part", f->dir, i == 0 ? "b.bin" : "c.bin");

      if (g_stat (part, &st) != 0 || st.st_size < 128 * 1024)
        return FALSE;
    }
  return TRUE;
}

static gint64
part_size (Fixture    *f,
           const char *name)
{
  g_autofree char *part = g_strdup_printf ("%s/%s.part", f->dir, name);
  GStatBuf st;

  g_assert_cmpint (g_stat (part, &st), ==, 0);
  return st.st_size;
}

/* Ctrl-C: the summary says how much was kept, in how many .part files,
 * and how to go on. */
static void
test_interrupt_summary (Fixture       *f,
                        gconstpointer  data)
{
  char *uris[3];
  g_auto(Tty) tty = { 0 };
  g_autofree char *size = NULL, *words = NULL, *size_words = NULL, *final = NULL;

  add_slow_files (f, uris);
  tty_start (&tty, 80, (const char *[]) { "--headless", "-x", "1", "-j", "2", "-d", f->dir,
                                          uris[1], uris[2], NULL });
  tty_wait_for (&tty, "active");
  /* Reading what haul writes meanwhile, so that it never waits for us. */
  for (gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC; !parts_have_bytes (f);)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_assert_true (tty_read (&tty, 100));
    }
  g_assert_cmpint (kill (tty.pid, SIGINT), ==, 0);
  g_assert_cmpint (tty_finish (&tty), ==, 130);

  size = haul_format_size (part_size (f, "b.bin") + part_size (f, "c.bin"));
  words = words_of (size);
  size_words = g_regex_escape_string (words, -1);
  final = g_strdup_printf ("^haul: stopping; partial files are kept and the same command resumes them "
                           "Downloaded 0 files \\(0 bytes\\) in [0-9.]+ s \\([^)]+\\)\\. "
                           "2 downloads stopped: %s kept in 2 \\.part files; run the same command "
                           "again to resume\\.$", size_words);
  assert_final_screen (&tty, final);
  for (guint i = 0; i < 3; i++)
    g_free (uris[i]);
}

/* --help at @data columns: no row wraps, and the words are those of the
 * help written to a pipe (a word split by a line break would be two). */
static void
test_help (Fixture       *f,
           gconstpointer  data)
{
  guint columns = GPOINTER_TO_UINT (data);

  for (guint k = 0; k < 2; k++)
    {
      const char *headless[] = { "--headless", "--help", NULL };
      const char *window[] = { "--help", NULL };
      const char *const *args = k == 0 ? headless : window;
      g_auto(Tty) tty = { 0 };
      g_autoptr(GPtrArray) lines = NULL;
      g_autoptr(GString) screen = g_string_new (NULL);
      g_autofree char *piped = NULL, *piped_words = NULL, *screen_words = NULL;

      g_assert_cmpint (haul_test_run_haul (NULL, &piped, NULL, args[0], args[1], NULL), ==, 0);
      tty_start (&tty, columns, args);
      g_assert_cmpint (tty_finish (&tty), ==, 0);
      dump_screen (&tty);
      g_assert_cmpuint (tty.term->n_wraps, ==, 0);

      lines = term_lines (tty.term);
      for (guint i = 0; i < lines->len; i++)
        {
          const char *line = g_ptr_array_index (lines, i);

          g_assert_cmpuint (haul_text_columns (line), <, columns);
          g_string_append_printf (screen, "%s\n", line);
        }
      piped_words = words_of (piped);
      screen_words = words_of (screen->str);
      g_assert_cmpstr (screen_words, ==, piped_words);
      if (k == 0)
        {
          /* The words the issue saw split, whole. */
          g_assert_nonnull (strstr (screen_words, " directory; "));
          g_assert_nonnull (strstr (screen_words, " (sha256, "));
        }
    }

  /* Through a pipe, 80 columns. */
  {
    g_autofree char *piped = NULL;
    g_auto(GStrv) lines = NULL;

    g_assert_cmpint (haul_test_run_haul (NULL, &piped, NULL, "--headless", "--help", NULL), ==, 0);
    lines = g_strsplit (piped, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++)
      g_assert_cmpuint (haul_text_columns (lines[i]), <, 80);
  }
}

/* ------------------------------------------------------------------ */
/* src/haul-terminal-text.c */

static void
test_text_shorten (void)
{
  struct { const char *text; guint columns; const char *middle; const char *end; } cases[] = {
    { "short.iso", 20, "short.iso", "short.iso" },
    { "abcdefghij.iso", 9, "abcd….iso", NULL },
    { "0123456789", 5, "01…89", "0123…" },
    { "0123456789", 1, "…", "…" },
    { "0123456789", 0, "", "" },
    /* Wide characters take two columns; a cut never halves one. */
    { "日本語のファイル名.txt", 10, "日本….txt", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *middle = haul_text_shorten_middle (cases[i].text, cases[i].columns);
      g_autofree char *end = haul_text_shorten_end (cases[i].text, cases[i].columns);

      g_assert_cmpuint (haul_text_columns (middle), <=, cases[i].columns);
      g_assert_cmpuint (haul_text_columns (end), <=, cases[i].columns);
      g_assert_cmpstr (middle, ==, cases[i].middle);
      if (cases[i].end != NULL)
        g_assert_cmpstr (end, ==, cases[i].end);
    }
  g_assert_cmpuint (haul_text_columns ("日本"), ==, 4);
  g_assert_cmpuint (haul_text_columns ("e\xcc\x81"), ==, 1);   /* e + combining acute */
}

static void
test_text_wrap (void)
{
  g_autofree char *a = haul_text_wrap ("one two three four five", 10, 2);
  g_autofree char *b = haul_text_wrap ("a unbreakablewordlongerthanthewidth b", 10, 0);
  g_autofree char *c = haul_text_wrap ("Saved /a  b/c.iso (1 MB)", 18, 0);
  g_autofree char *help = haul_text_wrap_help ("  -d, --directory=DIR    Save files in DIR (default: the current directory)\n"
                                               "Exit status: 0 when every download completed, 1 when any failed\n",
                                               50);
  g_autofree char *narrow = haul_text_wrap_help ("  --max-connections=N    Open at most N\n", 20);

  g_assert_cmpstr (a, ==, "  one two\n  three\n  four\n  five");
  g_assert_cmpstr (b, ==, "a\nunbreakablewordlongerthanthewidth\nb");
  /* Two spaces in a row inside a line stay two; at a break they go. */
  g_assert_cmpstr (c, ==, "Saved /a  b/c.iso\n(1 MB)");
  g_assert_cmpstr (help, ==,
                   "  -d, --directory=DIR    Save files in DIR\n"
                   "                         (default: the current\n"
                   "                         directory)\n"
                   "Exit status: 0 when every download completed, 1\n"
                   "when any failed\n");
  g_assert_cmpstr (narrow, ==, "  --max-connections=N\n      Open at most N\n");
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haul/terminal-text/shorten", test_text_shorten);
  g_test_add_func ("/haul/terminal-text/wrap", test_text_wrap);

#define ADD(path, func, columns) \
  g_test_add ("/haul/tty/" path, Fixture, GUINT_TO_POINTER (columns), fixture_setup, func, fixture_teardown)

  ADD ("progress-80-then-40", test_progress, 80);
  ADD ("progress-40", test_progress, 40);
  ADD ("total-eta", test_total_eta, 80);
  ADD ("retry-line-80", test_retry_line, 80);
  ADD ("retry-line-40", test_retry_line, 40);
  ADD ("interrupt-summary", test_interrupt_summary, 80);
  ADD ("help-80", test_help, 80);
  ADD ("help-40", test_help, 40);

#undef ADD

  return g_test_run ();
}
