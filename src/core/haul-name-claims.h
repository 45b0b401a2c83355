/* haul-name-claims.h — file names taken by this process's downloads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _HaulNameClaims HaulNameClaims;

HaulNameClaims *haul_name_claims_new     (void);
HaulNameClaims *haul_name_claims_ref     (HaulNameClaims *claims);
void            haul_name_claims_unref   (HaulNameClaims *claims);
gboolean        haul_name_claims_try     (HaulNameClaims *claims,
                                          const char     *directory,
                                          const char     *name);
void            haul_name_claims_release (HaulNameClaims *claims,
                                          const char     *directory,
                                          const char     *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulNameClaims, haul_name_claims_unref)

G_END_DECLS
