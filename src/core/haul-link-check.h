/* haul-link-check.h — is a new link's answer the same file as the old one
 *
 * Pure functions, any thread: the comparison of what the old link said
 * about a file (its size, validators and type, as the download kept them)
 * with what a new link's answer says, and the sentence that names what
 * differs. The probe that asks the new link is haul_transfer_probe()
 * (haul-transfer.c); the queue's API is in haul-queue.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HAUL_LINK_ERROR (haul_link_error_quark ())

/**
 * HaulLinkError:
 * @HAUL_LINK_ERROR_DIFFERENT: the new link's answer is not provably the same file
 * @HAUL_LINK_ERROR_NOT_STOPPED: the download is not paused or failed
 * @HAUL_LINK_ERROR_IN_LIST: another download already has the new link
 * @HAUL_LINK_ERROR_INVALID: the new link is not an http(s) link
 */
typedef enum
{
  HAUL_LINK_ERROR_DIFFERENT,
  HAUL_LINK_ERROR_NOT_STOPPED,
  HAUL_LINK_ERROR_IN_LIST,
  HAUL_LINK_ERROR_INVALID,
} HaulLinkError;

GQuark haul_link_error_quark (void);

typedef enum
{
  HAUL_LINK_SAME = 0,
  HAUL_LINK_WEB_PAGE,          /* an HTML page where the file was not one */
  HAUL_LINK_LENGTH,            /* a different size */
  HAUL_LINK_LENGTH_UNKNOWN,    /* the old size is known, the new answer does not say */
  HAUL_LINK_ETAG,              /* a different ETag */
  HAUL_LINK_ETAG_MISSING,      /* the old had a (strong) ETag, the new none or a weak one */
  HAUL_LINK_LAST_MODIFIED,     /* a different Last-Modified */
  HAUL_LINK_LAST_MODIFIED_MISSING,
  HAUL_LINK_TYPE,              /* another type, neither of them generic */
  HAUL_LINK_UNPROVABLE,        /* the old link gave neither a size nor a validator */
} HaulLinkVerdict;

/* What one link said about its file. Strings are borrowed. */
typedef struct
{
  gint64      total;          /* -1: unknown */
  const char *etag;           /* nullable */
  const char *last_modified;  /* nullable */
  const char *content_type;   /* nullable: media type without parameters */
} HaulLinkFacts;

HaulLinkVerdict haul_link_check_compare     (const HaulLinkFacts *old_facts,
                                             gint64               written,
                                             const HaulLinkFacts *new_facts);
char           *haul_link_check_describe    (HaulLinkVerdict      verdict,
                                             const HaulLinkFacts *old_facts,
                                             const HaulLinkFacts *new_facts);
gboolean        haul_link_check_same        (const HaulLinkFacts *old_facts,
                                             gint64               written,
                                             const HaulLinkFacts *new_facts,
                                             GError             **error);
char           *haul_link_check_single_link (const char          *text);

G_END_DECLS
