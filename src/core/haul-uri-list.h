/* haul-uri-list.h — one parser for every list of links Haul is given
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HAUL_URI_LIST_MAX_LINE       (64 * 1024)
#define HAUL_URI_LIST_MAX_REJECTIONS 1000
/* At most this many links per list: a huge file (a gigabyte of links) is
 * read only this far, and memory stays bounded. */
#define HAUL_URI_LIST_MAX_URIS       1000000

typedef struct
{
  guint  line;
  char  *text;   /* the offending entry, shortened for display */
  char  *reason; /* a translated sentence */
} HaulUriListRejection;

typedef struct _HaulUriList HaulUriList;

HaulUriListRejection *haul_uri_list_rejection_copy (const HaulUriListRejection *r);
void                  haul_uri_list_rejection_free (HaulUriListRejection       *r);

gboolean     haul_uri_scheme_is_web              (const char    *scheme);
char        *haul_uri_normalize                  (const char    *text,
                                                  GError       **error);

HaulUriList *haul_uri_list_new                   (void);
void         haul_uri_list_free                  (HaulUriList   *self);
gboolean     haul_uri_list_feed                  (HaulUriList   *self,
                                                  const char    *data,
                                                  gsize          len,
                                                  GError       **error);
void         haul_uri_list_finish                (HaulUriList   *self);
gboolean     haul_uri_list_parse_stream          (HaulUriList   *self,
                                                  GInputStream  *stream,
                                                  GCancellable  *cancellable,
                                                  GError       **error);
GPtrArray   *haul_uri_list_steal_uris            (HaulUriList   *self);
const GPtrArray *haul_uri_list_get_uris          (HaulUriList   *self);
const GPtrArray *haul_uri_list_get_rejections    (HaulUriList   *self);
guint        haul_uri_list_get_n_rejected        (HaulUriList   *self);
guint        haul_uri_list_get_n_duplicates      (HaulUriList   *self);
guint        haul_uri_list_get_n_lines           (HaulUriList   *self);
gboolean     haul_uri_list_is_full               (HaulUriList   *self);
void         haul_uri_list_set_max_uris          (HaulUriList   *self,
                                                  guint          max_uris);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulUriList, haul_uri_list_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulUriListRejection, haul_uri_list_rejection_free)

G_END_DECLS
