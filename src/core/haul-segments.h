/* haul-segments.h — the segment table of one segmented download
 *
 * The one structure a download's connections share: which bytes of the
 * file are written, and which connection (a "segment") is fetching which
 * range. Used by the segmented transfer (haul-segmented.c) and read by
 * the window's segment map.
 *
 * Ranges in this API are half-open, [start, end): a segment's HTTP request
 * is "Range: bytes=START-(END-1)". The text form (haul_segments_format(),
 * the store and the .part's resume attribute) uses HTTP's inclusive
 * "FIRST-LAST" pairs.
 *
 * Threads. A HaulSegments is reference counted and may be used from any
 * thread. Every call takes the table's one GMutex, copies in or out what
 * it needs, and returns: no I/O, no callbacks, no allocation the caller
 * must free while the lock is held. A caller never holds the lock across
 * its own work. haul_segments_set_split(),
 * haul_segments_set_tail_duplicates() and haul_segments_set_max_ahead()
 * are set up calls: make them before the table is shared.
 *
 * A connection's protocol (its "writer"):
 *
 *   1. haul_segments_claim() → a segment id and [start, end). The very
 *      first claim (the probe) gets the first missing range of the file
 *      (all of it, from 0, for a new download). Later claims take the
 *      largest range nobody has reserved, else split the busiest segment
 *      (its owner's end shrinks), else, at the tail, fetch a segment's rest
 *      a second time. No claim: nothing to do for this connection now.
 *   2. Before each write, limit the chunk to what the last call allowed
 *      (claim: end - start; then advance()'s return value) and to the safe
 *      zone (haul_segments_set_split()). pwrite() the chunk at the
 *      writer's position, then haul_segments_advance(). A split never cuts
 *      closer than the safe zone ahead of a writer, so a chunk no larger
 *      than the safe zone never lands in someone else's range. Bytes
 *      reported past a segment's (shrunk) end are never counted as written.
 *      advance() says how many of the chunk's bytes were new to the
 *      written set: add that, not the chunk, to a count of received bytes.
 *   3. advance() returns 0: stop (the range is done, was shrunk to here,
 *      or its twin fetched it first), then haul_segments_release().
 *      A connection that fails or is cancelled releases too: its unwritten
 *      rest becomes free for the next claim; when it wrote nothing at all,
 *      its range goes back to the segment it was split from, if that one
 *      still reads up to it (its writer may simply go on).
 *
 * Fetched twice. When nothing is unreserved and no segment can be split
 * (its rest is below two minimum pieces or inside the safe zone), a claim
 * may start a twin of the segment with the most remaining bytes: a second
 * connection fetching the same rest from the owner's position. Both
 * report their bytes; the written set is their union, so nothing is
 * counted twice: advance() counts for each only what the other had not
 * written yet. When one of the two reaches its end, the other's end
 * shrinks to its position: its next advance() returns 0 and counts
 * nothing, and it releases. Its last chunk may land on bytes the winner
 * wrote: the same bytes of the same entity (every response matches the
 * probe's identity), so the file does not change.
 *
 * Checkpoints. Take the text (haul_segments_to_string()) first, then
 * fdatasync() the file, then store the text: every byte it names was
 * pwrite()n before it was counted, so after the fdatasync it is on disk.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Defaults: the smallest piece a split makes, and how far ahead of its
 * writer a split may cut (at least the largest chunk a writer writes
 * between two advances). */
#define HAUL_SEGMENTS_MIN_SPLIT  (G_GINT64_CONSTANT (1024) * 1024)
#define HAUL_SEGMENTS_SAFE_ZONE  (G_GINT64_CONSTANT (256) * 1024)

/* The longest text haul_segments_parse() accepts. */
#define HAUL_SEGMENTS_TEXT_MAX   16384

typedef struct _HaulSegments HaulSegments;

typedef struct
{
  gint64 start;
  gint64 end;   /* exclusive */
} HaulRange;

typedef struct
{
  guint    id;        /* for advance() and release(); never 0 */
  gint64   start;     /* the first byte to fetch */
  gint64   end;       /* exclusive: at the time of the claim */
  gboolean twin;      /* a second fetch of another segment's rest */
} HaulSegmentClaim;

typedef enum
{
  HAUL_SPAN_MISSING = 0,
  HAUL_SPAN_IN_FLIGHT,
  HAUL_SPAN_WRITTEN,
} HaulSpanKind;

typedef struct
{
  gint64       start;
  gint64       end;   /* exclusive */
  HaulSpanKind kind;
} HaulSpan;

/* One active segment (one connection) as haul_segments_copy_active()
 * sees it: a connection's speed is how fast its @position moves. */
typedef struct
{
  guint    id;
  gint64   start;
  gint64   position;  /* the next byte it writes */
  gint64   end;       /* exclusive, now */
  gboolean twin;
} HaulSegmentState;

HaulSegments *haul_segments_new                 (gint64            total,
                                                 const HaulRange  *written,
                                                 gsize             n_written);
HaulSegments *haul_segments_ref                 (HaulSegments     *self);
void          haul_segments_unref               (HaulSegments     *self);
void          haul_segments_set_split           (HaulSegments     *self,
                                                 gint64            min_split,
                                                 gint64            safe_zone);
void          haul_segments_set_tail_duplicates (HaulSegments     *self,
                                                 gboolean          allowed);
void          haul_segments_set_max_ahead       (HaulSegments     *self,
                                                 gint64            max_ahead);

gboolean      haul_segments_claim               (HaulSegments     *self,
                                                 HaulSegmentClaim *claim);
gint64        haul_segments_advance             (HaulSegments     *self,
                                                 guint             id,
                                                 gint64            n_bytes,
                                                 gint64           *counted);
gint64        haul_segments_get_allowed         (HaulSegments     *self,
                                                 guint             id);
void          haul_segments_release             (HaulSegments     *self,
                                                 guint             id);

gint64        haul_segments_get_total           (HaulSegments     *self);
gint64        haul_segments_get_written         (HaulSegments     *self);
guint         haul_segments_get_n_active        (HaulSegments     *self);
gboolean      haul_segments_is_complete         (HaulSegments     *self);
HaulRange    *haul_segments_copy_written        (HaulSegments     *self,
                                                 gsize            *n_ranges);
HaulSpan     *haul_segments_snapshot            (HaulSegments     *self,
                                                 gsize            *n_spans);
HaulSegmentState *haul_segments_copy_active     (HaulSegments     *self,
                                                 gsize            *n_active);
char         *haul_segments_to_string           (HaulSegments     *self,
                                                 gsize             max_length);

/* The text form of written ranges (pure, any thread). */
char         *haul_segments_format              (const HaulRange  *ranges,
                                                 gsize             n_ranges,
                                                 gsize             max_length);
gboolean      haul_segments_parse               (const char       *text,
                                                 gint64            total,
                                                 GArray          **ranges);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulSegments, haul_segments_unref)

G_END_DECLS
