/* haul-demo.h — a local HTTP server with files to download, for `haul --demo`
 *
 * HaulDemo serves a dozen generated files on 127.0.0.1 so that anyone can
 * watch Haul work without a network: realistic names, sizes from a few
 * hundred KiB to about 150 MiB, and per-connection speeds from about
 * 300 KiB/s to 12 MiB/s (some fluctuating gently), so the whole set takes
 * one to three minutes with four downloads at a time. One link has expired
 * (404) and one file is named only by its Content-Disposition header.
 *
 * The server runs in its own thread with its own GMainContext; nothing of
 * it ever runs on the caller's main context. Bodies are generated on the
 * fly, deterministically, a chunk at a time. Every file has Content-Length,
 * a strong ETag, Last-Modified and Accept-Ranges, and Range (with If-Range)
 * is answered with 206, so pausing and resuming work as on a real server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HAUL_TYPE_DEMO (haul_demo_get_type ())

G_DECLARE_FINAL_TYPE (HaulDemo, haul_demo, HAUL, DEMO, GObject)

HaulDemo  *haul_demo_new          (void);
gboolean   haul_demo_start        (HaulDemo   *self,
                                   GError    **error);
GPtrArray *haul_demo_dup_uris     (HaulDemo   *self);
void       haul_demo_stop         (HaulDemo   *self);
guint16    haul_demo_get_port     (HaulDemo   *self);

/* Deletes the demo's download folder and what is in it (symbolic links
 * are deleted, never followed). */
gboolean   haul_demo_delete_folder (const char *folder,
                                    GError    **error);

/* The bytes of the demo file called @name (the name it is saved under),
 * from @offset: the server sends exactly these. For tests. */
void       haul_demo_fill_content (const char *name,
                                   guint64     offset,
                                   guint8     *buffer,
                                   gsize       length);

G_END_DECLS
