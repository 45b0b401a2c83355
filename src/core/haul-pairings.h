/* haul-pairings.h — the browsers paired with Haul, and the one-time pairing code
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "haul-types.h"

G_BEGIN_DECLS

#define HAUL_PAIRING_CODE_LENGTH   6
#define HAUL_PAIRING_CODE_ALPHABET "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#define HAUL_PAIRING_CODE_LIFETIME (5 * G_TIME_SPAN_MINUTE)
#define HAUL_PAIRING_MAX_TRIES     5
#define HAUL_PAIRING_MAX_BROWSERS  64
#define HAUL_PAIRING_MAX_NAME      64   /* bytes of a browser's name */

#define HAUL_PAIRINGS_ERROR (haul_pairings_error_quark ())

typedef enum
{
  HAUL_PAIRINGS_ERROR_NO_CODE,     /* Preferences shows no code (or it expired) */
  HAUL_PAIRINGS_ERROR_WRONG_CODE,
  HAUL_PAIRINGS_ERROR_FULL,        /* HAUL_PAIRING_MAX_BROWSERS paired already */
  HAUL_PAIRINGS_ERROR_INVALID,     /* a name that is not a name */
} HaulPairingsError;

/* One paired browser, as listed in Preferences (a copy: the token's hash
 * stays inside HaulPairings). */
typedef struct
{
  char   *id;
  char   *browser;
  gint64  paired;   /* seconds since 1970, UTC */
} HaulPairing;

typedef gint64 (*HaulPairingsClock) (gpointer user_data);  /* monotonic µs */

#define HAUL_TYPE_PAIRINGS (haul_pairings_get_type ())

G_DECLARE_FINAL_TYPE (HaulPairings, haul_pairings, HAUL, PAIRINGS, GObject)

GQuark        haul_pairings_error_quark (void);

HaulPairings *haul_pairings_new         (const char         *path);
const char   *haul_pairings_get_path    (HaulPairings       *self);
void          haul_pairings_set_clock   (HaulPairings       *self,
                                         HaulPairingsClock   clock,
                                         gpointer            user_data);
void          haul_pairings_load        (HaulPairings       *self);

/* The code (main thread: Preferences) */
char         *haul_pairings_dup_code    (HaulPairings       *self,
                                         gint64             *expires);
void          haul_pairings_new_code    (HaulPairings       *self);
void          haul_pairings_clear_code  (HaulPairings       *self);

/* Pairing and checking (the endpoint's thread) */
char         *haul_pairings_pair        (HaulPairings       *self,
                                         const char         *code,
                                         const char         *browser,
                                         char              **id,
                                         GError            **error);
char         *haul_pairings_check_token (HaulPairings       *self,
                                         const char         *token);

/* The list (main thread: Preferences) */
GPtrArray    *haul_pairings_list        (HaulPairings       *self);
gboolean      haul_pairings_revoke      (HaulPairings       *self,
                                         const char         *id);

void          haul_pairing_free         (HaulPairing        *pairing);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulPairing, haul_pairing_free)

G_END_DECLS
