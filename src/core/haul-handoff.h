/* haul-handoff.h — one download handed over by a paired browser, validated
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "haul-request-context.h"
#include "haul-types.h"

G_BEGIN_DECLS

/* The limits of browser/PROTOCOL.md ("Every request", rule 5). */
#define HAUL_HANDOFF_MAX_BODY    (16 * 1024)
#define HAUL_HANDOFF_MAX_URL     (8 * 1024)
#define HAUL_HANDOFF_MAX_STRING  1024
#define HAUL_HANDOFF_MAX_COOKIES 200
#define HAUL_HANDOFF_MAX_DEPTH   8   /* nesting of arrays and objects: the shape needs 3 */

#define HAUL_HANDOFF_ERROR (haul_handoff_error_quark ())

typedef enum
{
  HAUL_HANDOFF_ERROR_INVALID,   /* the body is not what the protocol says: 400 */
  HAUL_HANDOFF_ERROR_TOO_LARGE, /* over HAUL_HANDOFF_MAX_BODY: 413 */
} HaulHandoffError;

#define HAUL_TYPE_HANDOFF (haul_handoff_get_type ())

/**
 * HaulHandoff:
 *
 * What a browser handed over, every member checked against the protocol's
 * limits. A plain struct: built on the endpoint's thread, then owned by
 * whoever receives it on the main thread; never shared.
 *
 * @cookies holds secrets: never log it or put it in an error message.
 */
typedef struct
{
  char      *url;         /* http(s), never NULL */
  char      *final_url;   /* http(s) or NULL */
  char      *referrer;    /* http(s) or NULL */
  char      *page_url;    /* http(s) or NULL */
  char      *filename;    /* a base name or NULL */
  gint64     size;        /* bytes, -1 unknown */
  char      *mime;        /* or NULL */
  char      *user_agent;  /* or NULL */
  GPtrArray *cookies;     /* (element-type SoupCookie): never NULL */
  char      *browser;     /* the name the token was paired under, set by the endpoint */
  char      *id;          /* the id the endpoint answered with, set by the endpoint */
  gboolean   offered;     /* set by a handler of HaulEndpoint::handoff (main thread): Haul
                           * offers to continue an older download of the same file, and
                           * the browser is told "offered" instead of "added" */
} HaulHandoff;

GType        haul_handoff_get_type    (void) G_GNUC_CONST;
GQuark       haul_handoff_error_quark (void);

HaulHandoff *haul_handoff_parse       (const char        *json,
                                       gsize              len,
                                       GError           **error);
HaulHandoff *haul_handoff_copy        (const HaulHandoff *self);
void         haul_handoff_free        (HaulHandoff       *self);
const char  *haul_handoff_get_display_name (const HaulHandoff *self);
HaulRequestContext *haul_handoff_dup_request_context (const HaulHandoff *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulHandoff, haul_handoff_free)

G_END_DECLS
