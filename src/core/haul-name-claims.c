/* haul-name-claims.c — file names taken by this process's downloads
 *
 * Thread-safe: the queue claims names on the main thread, workers claim
 * and release them while they choose and finish a file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-name-claims"

#include "config.h"

#include "haul-name-claims.h"

/* Names taken by downloads of this process, so two workers never pick the
 * same file in the same folder. The disk is checked too; this covers the
 * window between choosing a name and creating its .part. */
struct _HaulNameClaims
{
  gatomicrefcount  ref_count;
  GMutex           mutex;
  GHashTable      *names;
};

HaulNameClaims *
haul_name_claims_new (void)
{
  HaulNameClaims *claims = g_new0 (HaulNameClaims, 1);

  g_atomic_ref_count_init (&claims->ref_count);
  g_mutex_init (&claims->mutex);
  claims->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return claims;
}

HaulNameClaims *
haul_name_claims_ref (HaulNameClaims *claims)
{
  g_atomic_ref_count_inc (&claims->ref_count);
  return claims;
}

void
haul_name_claims_unref (HaulNameClaims *claims)
{
  if (!g_atomic_ref_count_dec (&claims->ref_count))
    return;
  g_hash_table_unref (claims->names);
  g_mutex_clear (&claims->mutex);
  g_free (claims);
}

gboolean
haul_name_claims_try (HaulNameClaims *claims,
                      const char     *directory,
                      const char     *name)
{
  char *key = g_build_filename (directory, name, NULL);
  gboolean ok;

  g_mutex_lock (&claims->mutex);
  ok = g_hash_table_add (claims->names, key);
  g_mutex_unlock (&claims->mutex);
  return ok;
}

void
haul_name_claims_release (HaulNameClaims *claims,
                          const char     *directory,
                          const char     *name)
{
  g_autofree char *key = g_build_filename (directory, name, NULL);

  g_mutex_lock (&claims->mutex);
  g_hash_table_remove (claims->names, key);
  g_mutex_unlock (&claims->mutex);
}
