/* haul-link-import.h — turn dropped, pasted or opened input into links, off the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HAUL_LINK_IMPORT_MAX_PROBLEMS 20

typedef struct
{
  GPtrArray *uris;         /* (element-type utf8): normalized, each once */
  guint      n_rejected;   /* entries that were not valid links */
  guint      n_duplicates; /* repeats within the input itself */
  GPtrArray *rejections;   /* (element-type utf8): the first few, "“text”: reason" */
  GPtrArray *text_rejections; /* (element-type HaulUriListRejection): the text's first few, with
                               * their line numbers (the Add dialog names the lines) */
  GPtrArray *problems;     /* (element-type utf8): one sentence per input that could not be read */
  gboolean   full;         /* HAUL_URI_LIST_MAX_URIS links reached: the rest was not read */
} HaulLinkImport;

void            haul_link_import_async  (const char          *text,
                                         GPtrArray           *files,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
HaulLinkImport *haul_link_import_finish (GAsyncResult        *result,
                                         GError             **error);
HaulLinkImport *haul_link_import_run    (const char          *text,
                                         GPtrArray           *files,
                                         GCancellable        *cancellable);
void            haul_link_import_free   (HaulLinkImport      *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulLinkImport, haul_link_import_free)

G_END_DECLS
