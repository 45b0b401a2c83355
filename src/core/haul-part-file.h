/* haul-part-file.h — a download's NAME.part and its final NAME
 *
 * A HaulPartFile is one download's file in one folder: the name it takes
 * (claimed, so no other download of this process picks it), the partial
 * file NAME.part the bytes go to, the resume attribute that lets a later
 * run recognise that .part, and the final rename to NAME once the bytes
 * are complete and verified. Every rule about those files lives in
 * haul-part-file.c.
 *
 * Ownership and threads. A HaulPartFile has one owner, the thread that
 * created it (today: one download attempt on a worker thread). Only the
 * owner chooses or adopts the name, opens, tags, closes, abandons,
 * finishes, deletes and frees it, one call at a time. Between
 * haul_part_file_open() and haul_part_file_close() or
 * haul_part_file_abandon(), haul_part_file_write_at(),
 * haul_part_file_sync(), haul_part_file_set_ranges() and
 * haul_part_file_hash_prefix() may also be called from other threads at
 * the same time, each writer on its own range of the file: a write is a
 * positional write on the shared descriptor and touches nothing else but
 * atomics. The owner sets the resume information before any writer starts
 * and waits for every writer to return before it closes the file.
 *
 * Without a HaulPartFile: haul_part_file_forget() is the main thread's
 * way to delete a NAME.part: the deletion runs on GLib's shared pool and
 * the name is released back on the main thread.
 *
 * Errors are in HAUL_TRANSFER_ERROR.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "haul-name-claims.h"

G_BEGIN_DECLS

typedef struct _HaulPartFile HaulPartFile;

/* Called as bytes are read back from the disk (a liveness signal). */
typedef void (*HaulPartFileActivity) (gpointer user_data);

HaulPartFile *haul_part_file_new             (const char            *directory,
                                              const char            *uri,
                                              HaulNameClaims        *claims,
                                              GError               **error);
void          haul_part_file_free            (HaulPartFile          *self);

/* The name */
void          haul_part_file_adopt_name      (HaulPartFile          *self,
                                              const char            *name);
gboolean      haul_part_file_choose_name     (HaulPartFile          *self,
                                              const char            *base,
                                              gint64                *found_size,
                                              char                 **etag,
                                              char                 **last_modified,
                                              char                 **content_type,
                                              GError               **error);
const char   *haul_part_file_get_name        (HaulPartFile          *self);
gint64        haul_part_file_get_size        (HaulPartFile          *self);
gboolean      haul_part_file_final_is_ours   (HaulPartFile          *self,
                                              gint64                 known_total,
                                              gint64                *size);
void          haul_part_file_release_name    (HaulPartFile          *self);

/* Writing */
void          haul_part_file_set_resume_info (HaulPartFile          *self,
                                              const char            *etag,
                                              const char            *last_modified,
                                              const char            *content_type);
gboolean      haul_part_file_open            (HaulPartFile          *self,
                                              gint64                 keep,
                                              GError               **error);
void          haul_part_file_tag             (HaulPartFile          *self);
gboolean      haul_part_file_write_at        (HaulPartFile          *self,
                                              gint64                 offset,
                                              const char            *buf,
                                              gsize                  len,
                                              GError               **error);
gboolean      haul_part_file_hash_prefix     (HaulPartFile          *self,
                                              gint64                 length,
                                              GChecksum             *checksum,
                                              HaulPartFileActivity   activity,
                                              gpointer               user_data,
                                              GError               **error);
void          haul_part_file_set_ranges      (HaulPartFile          *self,
                                              const char            *text);
char         *haul_part_file_read_ranges     (HaulPartFile          *self);
gboolean      haul_part_file_can_be_sparse   (HaulPartFile          *self);
gboolean      haul_part_file_sync            (HaulPartFile          *self,
                                              GError               **error);
gboolean      haul_part_file_close           (HaulPartFile          *self,
                                              GError               **error);

/* Ending */
void          haul_part_file_abandon         (HaulPartFile          *self,
                                              gboolean               delete_part);
void          haul_part_file_delete          (HaulPartFile          *self);
gboolean      haul_part_file_finish          (HaulPartFile          *self,
                                              GError               **error);

void          haul_part_file_forget          (const char            *directory,
                                              const char            *name,
                                              HaulNameClaims        *claims);
void          haul_part_file_forget_now      (const char            *directory,
                                              const char            *name,
                                              HaulNameClaims        *claims);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulPartFile, haul_part_file_free)

G_END_DECLS
