/* haul-terminal-text.h — text fitted to a terminal's columns
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The width assumed when the output is not a terminal. */
#define HAUL_TERMINAL_DEFAULT_COLUMNS 80

#define HAUL_TERMINAL_DEFAULT_ROWS    24

guint  haul_terminal_columns     (int         fd);
guint  haul_terminal_rows        (int         fd);
guint  haul_text_columns         (const char *text);
char  *haul_text_shorten_middle  (const char *text,
                                  guint       columns);
char  *haul_text_shorten_end     (const char *text,
                                  guint       columns);
char  *haul_text_wrap            (const char *text,
                                  guint       columns,
                                  guint       indent);
char  *haul_text_wrap_help       (const char *help,
                                  guint       columns);
void   haul_terminal_print_help  (const char *help);

G_END_DECLS
