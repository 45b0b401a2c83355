/* haul-segment-map.h — one file as a bar: its written, in-flight and missing bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "haul-segments.h"

G_BEGIN_DECLS

#define HAUL_TYPE_SEGMENT_MAP (haul_segment_map_get_type ())

G_DECLARE_FINAL_TYPE (HaulSegmentMap, haul_segment_map, HAUL, SEGMENT_MAP, GtkWidget)

/* One drawn rectangle, in pixels from the bar's left edge (before
 * mirroring for right-to-left text). */
typedef struct
{
  int          x;
  int          width;
  HaulSpanKind kind;
} HaulMapRect;

GtkWidget  *haul_segment_map_new          (void);
void        haul_segment_map_set_spans    (HaulSegmentMap *self,
                                           const HaulSpan *spans,
                                           gsize           n_spans,
                                           gint64          total,
                                           guint           n_connections);
void        haul_segment_map_set_progress (HaulSegmentMap *self,
                                           gint64          received,
                                           gint64          total,
                                           gboolean        receiving);
const char *haul_segment_map_get_summary  (HaulSegmentMap *self);

GArray     *haul_segment_map_layout       (const HaulSpan *spans,
                                           gsize           n_spans,
                                           gint64          total,
                                           int             width);

G_END_DECLS
