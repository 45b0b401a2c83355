/* haul-reveal-model.c — a list that follows another, a big change a few rows per step
 *
 * Between the filter and the list view's selection. GtkListView (4.8)
 * keeps a row widget for each of about two hundred items around its
 * anchor, and builds and destroys them in the iteration of the model's
 * items-changed: a filter that replaces what is shown would build and
 * destroy two hundred rows at once (80 ms and more). This model keeps its
 * own copy of the source's first HAUL_REVEAL_HEAD items and follows
 * its source:
 *
 * - a small change (or one past the first HAUL_REVEAL_HEAD positions)
 *   passes through at once, as the same items-changed (the model then
 *   reads the source itself: nothing is copied past the head);
 * - a big replacement near the top, or any change while held
 *   (haul_reveal_model_hold(): a filter still running), starts a
 *   revealing: the list is cut to the old head (what lies past it has
 *   no rows), then each haul_reveal_model_step() (the window calls one
 *   per frame) inserts at most HAUL_REVEAL_STEP of the source's items
 *   at the top, before the old ones, or removes as many old ones from
 *   the end; once the head is the source's, the rest joins in one
 *   change. Items equal to the source's are skipped.
 *
 * While revealing, the items before `synced` are the source's; a source
 * change inside that prefix passes through, one that reaches past it
 * moves `synced` back to where it starts. The end of a revealing
 * (property "revealing" FALSE) is the source's content exactly.
 *
 * GTK-free on purpose: it is a GListModel of any items, tested with a
 * GListStore.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-reveal-model"

#include "config.h"

#include "haul-reveal-model.h"

/* A change of more items than this near the top is revealed in steps. */
#define BIG_CHANGE (2 * HAUL_REVEAL_STEP)

struct _HaulRevealModel
{
  GObject     parent_instance;

  GListModel *source;
  gulong      changed_handler;
  GPtrArray  *items;      /* owned refs: while revealing, all that is exposed;
                           * else the source's first HAUL_REVEAL_HEAD */
  guint       synced;     /* while revealing: items[0, synced) are the source's */
  guint       held;       /* haul_reveal_model_hold() depth */
  gboolean    revealing;
};

enum
{
  PROP_0,
  PROP_REVEALING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
get_item_type (GListModel *model)
{
  return g_list_model_get_item_type (HAUL_REVEAL_MODEL (model)->source);
}

static guint
get_n_items (GListModel *model)
{
  HaulRevealModel *self = HAUL_REVEAL_MODEL (model);

  if (self->revealing)
    return self->items->len;
  return g_list_model_get_n_items (self->source);
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  HaulRevealModel *self = HAUL_REVEAL_MODEL (model);

  if (position < self->items->len)
    return g_object_ref (g_ptr_array_index (self->items, position));
  if (self->revealing)
    return NULL;
  return g_list_model_get_item (self->source, position);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (HaulRevealModel, haul_reveal_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

/* items[position, position + removed) become the source's
 * [position, position + added). */
static void
splice_items (HaulRevealModel *self,
              guint            position,
              guint            removed,
              guint            added)
{
  GPtrArray *items = self->items;
  guint old_len = items->len;

  g_ptr_array_remove_range (items, position, removed);
  if (added > 0)
    {
      guint tail = old_len - removed - position;

      g_ptr_array_set_size (items, old_len - removed + added);
      memmove (items->pdata + position + added, items->pdata + position, tail * sizeof (gpointer));
      for (guint i = 0; i < added; i++)
        items->pdata[position + i] = g_list_model_get_item (self->source, position + i);
    }
}

/* While revealing: the exposed items change, and the list says so. */
static void
splice (HaulRevealModel *self,
        guint            position,
        guint            removed,
        guint            added)
{
  if (removed == 0 && added == 0)
    return;
  splice_items (self, position, removed, added);
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

/* Not revealing: the copy of the source's head follows it. */
static void
refresh_head (HaulRevealModel *self,
              guint            from)
{
  guint n = MIN (g_list_model_get_n_items (self->source), HAUL_REVEAL_HEAD);

  if (from >= HAUL_REVEAL_HEAD)
    return;
  from = MIN (from, self->items->len);
  g_ptr_array_set_size (self->items, from);
  for (guint i = from; i < n; i++)
    g_ptr_array_add (self->items, g_list_model_get_item (self->source, i));
}

static void
set_revealing (HaulRevealModel *self,
               gboolean         revealing)
{
  if (self->revealing == revealing)
    return;
  self->revealing = revealing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVEALING]);
}

/* From here on the exposed items are revealed in steps. When it starts,
 * the list was the source as it was (@old_n items): it is cut to the
 * head, the only part a list view has rows for. */
static void
reveal_from (HaulRevealModel *self,
             guint            position,
             guint            old_n)
{
  if (self->revealing)
    {
      self->synced = MIN (self->synced, position);
      return;
    }
  self->synced = MIN (position, self->items->len);
  set_revealing (self, TRUE);
  if (old_n > self->items->len)
    g_list_model_items_changed (G_LIST_MODEL (self), self->items->len, old_n - self->items->len, 0);
}

static void
source_changed_cb (HaulRevealModel *self,
                   guint            position,
                   guint            removed,
                   guint            added,
                   GListModel      *source)
{
  /* Only a replacement: adding and removing many, the window already
   * does a few rows per frame near the top. */
  gboolean big = position < HAUL_REVEAL_HEAD && removed > 0 && added > 0 &&
                 removed + added > BIG_CHANGE;

  if (self->held > 0 || big || (self->revealing && position + removed > self->synced))
    {
      reveal_from (self, position, g_list_model_get_n_items (source) - added + removed);
      return;
    }
  if (self->revealing)
    {
      splice (self, position, removed, added);
      self->synced = self->synced + added - removed;
      return;
    }
  refresh_head (self, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

/* Whether the exposed item at @position is the source's. */
static gboolean
same_at (HaulRevealModel *self,
         guint            position)
{
  g_autoptr(GObject) item = g_list_model_get_item (self->source, position);

  return item == g_ptr_array_index (self->items, position);
}

/* The rest at once, from @c (the items before are the source's); from
 * now on the source is read again. */
static void
end_revealing (HaulRevealModel *self,
               guint            c,
               guint            n_items,
               guint            n_source)
{
  g_ptr_array_set_size (self->items, MIN (c, HAUL_REVEAL_HEAD));
  set_revealing (self, FALSE);
  refresh_head (self, c);
  if (n_items > c || n_source > c)
    g_list_model_items_changed (G_LIST_MODEL (self), c, n_items - MIN (c, n_items),
                                n_source - MIN (c, n_source));
}

/**
 * haul_reveal_model_finish:
 *
 * Ends a revealing at once (what needs every item now: selecting all).
 */
void
haul_reveal_model_finish (HaulRevealModel *self)
{
  guint n_items, n_source, c;

  g_return_if_fail (HAUL_IS_REVEAL_MODEL (self));

  if (!self->revealing || self->held > 0)
    return;
  n_source = g_list_model_get_n_items (self->source);
  n_items = self->items->len;
  c = self->synced;
  while (c < MIN (n_items, n_source) && same_at (self, c))
    c++;
  end_revealing (self, c, n_items, n_source);
}

/* Whether @item is one of items[from, from + n). */
static gboolean
among (GPtrArray *items,
       guint      from,
       guint      n,
       gpointer   item)
{
  for (guint i = from; i < from + n; i++)
    if (g_ptr_array_index (items, i) == item)
      return TRUE;
  return FALSE;
}

/* The source's [c, c + n) exposed at @c, before the old items (those
 * after @c): inserted, not replacing them, so that the list view's rows
 * at the end of its range (the items pushed out of it) are rebound to
 * the new items, none built or destroyed. An old item that is also one
 * of the new moves up (a person never sees a download twice): one
 * change from @c to the last such item, so that the list view moves
 * the rows of the items in it rather than destroying and building
 * them. At the very top the old first item stays first and goes in a
 * change of its own after the new items are in: a list view keeps its
 * place on the item at its top (its anchor); inserting before it would
 * push it down with the old items, and replacing it together with the
 * insertion cost 25-35 ms of GTK 4.8's layout in the next frame. */
static void
reveal_items (HaulRevealModel *self,
              guint            c,
              guint            n,
              guint            n_items)
{
  GPtrArray *items = self->items;
  GPtrArray *next = g_ptr_array_new_full (items->len + n, g_object_unref);
  guint keep = c == 0 && n_items > 0 ? 1 : 0;
  guint at = c + keep;
  guint end = at;
  guint old_len = items->len;

  for (guint p = 0; p < at; p++)
    g_ptr_array_add (next, g_object_ref (g_ptr_array_index (items, p)));
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (next, g_list_model_get_item (self->source, c + i));
  for (guint p = at; p < items->len; p++)
    if (among (next, at, n, g_ptr_array_index (items, p)))
      end = p + 1;
  for (guint p = at; p < items->len; p++)
    {
      gpointer item = g_ptr_array_index (items, p);

      if (p >= end || !among (next, at, n, item))
        g_ptr_array_add (next, g_object_ref (item));
    }
  g_ptr_array_unref (items);
  self->items = items = next;
  g_list_model_items_changed (G_LIST_MODEL (self), at, end - at, end - at + items->len - old_len);
  if (keep)
    {
      g_ptr_array_remove_index (items, 0);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, 1, 0);
    }
}

/**
 * haul_reveal_model_step:
 *
 * One step of a revealing: at most %HAUL_REVEAL_STEP items of the first
 * %HAUL_REVEAL_HEAD replaced, added or removed, or, past those, the rest
 * at once.
 *
 * Returns: whether more steps are needed (held, or not there yet)
 */
gboolean
haul_reveal_model_step (HaulRevealModel *self)
{
  guint n_items, n_source, c;

  g_return_val_if_fail (HAUL_IS_REVEAL_MODEL (self), FALSE);

  if (!self->revealing)
    return FALSE;
  if (self->held > 0)
    return TRUE;

  n_source = g_list_model_get_n_items (self->source);
  n_items = self->items->len;
  c = self->synced;
  while (c < MIN (n_items, n_source) && c < HAUL_REVEAL_HEAD && same_at (self, c))
    c++;
  self->synced = c;

  if (c >= HAUL_REVEAL_HEAD || (c >= n_items && c >= n_source))
    {
      end_revealing (self, c, n_items, n_source);
      return FALSE;
    }

  if (c < n_source)
    {
      guint n = MIN (n_source - c, MIN (HAUL_REVEAL_STEP, HAUL_REVEAL_HEAD - c));

      reveal_items (self, c, n, n_items);
      self->synced = c + n;
    }
  else
    {
      /* More old items than the source has new: from the end. */
      guint n = MIN (HAUL_REVEAL_STEP, n_items - c);

      splice (self, n_items - n, n, 0);
    }
  return TRUE;
}

/**
 * haul_reveal_model_hold:
 *
 * Keeps what is exposed while the source goes through states nobody
 * should see (an incremental filter empties it first); changes meanwhile
 * are revealed in steps after haul_reveal_model_release().
 */
void
haul_reveal_model_hold (HaulRevealModel *self)
{
  g_return_if_fail (HAUL_IS_REVEAL_MODEL (self));
  self->held++;
}

void
haul_reveal_model_release (HaulRevealModel *self)
{
  g_return_if_fail (HAUL_IS_REVEAL_MODEL (self));
  g_return_if_fail (self->held > 0);
  self->held--;
}

/**
 * haul_reveal_model_get_revealing:
 *
 * Returns: whether the exposed items are not yet the source's
 */
gboolean
haul_reveal_model_get_revealing (HaulRevealModel *self)
{
  g_return_val_if_fail (HAUL_IS_REVEAL_MODEL (self), FALSE);
  return self->revealing;
}

GListModel *
haul_reveal_model_get_source (HaulRevealModel *self)
{
  g_return_val_if_fail (HAUL_IS_REVEAL_MODEL (self), NULL);
  return self->source;
}

static void
haul_reveal_model_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  HaulRevealModel *self = HAUL_REVEAL_MODEL (object);

  switch (prop_id)
    {
    case PROP_REVEALING:
      g_value_set_boolean (value, self->revealing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haul_reveal_model_dispose (GObject *object)
{
  HaulRevealModel *self = HAUL_REVEAL_MODEL (object);

  if (self->source != NULL)
    g_clear_signal_handler (&self->changed_handler, self->source);
  g_clear_object (&self->source);
  G_OBJECT_CLASS (haul_reveal_model_parent_class)->dispose (object);
}

static void
haul_reveal_model_finalize (GObject *object)
{
  HaulRevealModel *self = HAUL_REVEAL_MODEL (object);

  g_ptr_array_unref (self->items);
  G_OBJECT_CLASS (haul_reveal_model_parent_class)->finalize (object);
}

static void
haul_reveal_model_class_init (HaulRevealModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = haul_reveal_model_get_property;
  object_class->dispose = haul_reveal_model_dispose;
  object_class->finalize = haul_reveal_model_finalize;

  properties[PROP_REVEALING] =
    g_param_spec_boolean ("revealing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
haul_reveal_model_init (HaulRevealModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * haul_reveal_model_new:
 * @source: the model to follow (a reference is taken)
 *
 * Returns: (transfer full): a model exposing what @source holds now
 */
HaulRevealModel *
haul_reveal_model_new (GListModel *source)
{
  HaulRevealModel *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (source), NULL);

  self = g_object_new (HAUL_TYPE_REVEAL_MODEL, NULL);
  self->source = g_object_ref (source);
  refresh_head (self, 0);
  self->changed_handler = g_signal_connect_swapped (source, "items-changed",
                                                    G_CALLBACK (source_changed_cb), self);
  return self;
}
