/* fuzz-common.h — shared by the libFuzzer targets in tests/fuzz/
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* The input as a NUL-terminated string (header values arrive as strings:
 * an embedded NUL ends them, as it would in libsoup). */
static inline char *
fuzz_string (const uint8_t *data,
             size_t         size)
{
  return g_strndup ((const char *) data, size);
}

/* An invariant broken by some input: a crash libFuzzer records. */
#define FUZZ_CHECK(cond, ...)                                   \
  G_STMT_START {                                                \
    if (!(cond))                                                \
      {                                                         \
        fprintf (stderr, "invariant failed: %s: ", #cond);      \
        fprintf (stderr, __VA_ARGS__);                          \
        fprintf (stderr, "\n");                                 \
        abort ();                                               \
      }                                                         \
  } G_STMT_END
