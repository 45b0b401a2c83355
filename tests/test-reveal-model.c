/* test-reveal-model.c — HaulRevealModel against a GListStore
 *
 * A mirror array applies every items-changed the model emits, checked
 * against the model itself after each one (what the mirror kept is what
 * the model holds); within the head each step changes at most a step's
 * worth; the end is the source exactly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "haul-reveal-model.h"

typedef struct
{
  GListStore      *store;
  HaulRevealModel *model;
  GPtrArray       *mirror;   /* what a list view would believe (owned refs) */
  guint            last_removed, last_added, n_changes;
} Fixture;

static void
model_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *f)
{
  g_assert_cmpuint (position + removed, <=, f->mirror->len);
  g_assert_cmpuint (f->mirror->len - removed + added, ==, g_list_model_get_n_items (model));
  g_ptr_array_remove_range (f->mirror, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (f->mirror, position + i, g_list_model_get_item (model, position + i));
  /* The rest of the mirror still matches what the model holds. */
  for (guint i = 0; i < f->mirror->len; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);

      g_assert_true (item == g_ptr_array_index (f->mirror, i));
    }
  f->last_removed = removed;
  f->last_added = added;
  f->n_changes++;
}

static GObject *
item_new (guint n)
{
  GObject *item = g_object_new (G_TYPE_OBJECT, NULL);

  g_object_set_data (item, "n", GUINT_TO_POINTER (n));
  return item;
}

static void
fixture_init (Fixture *f,
              guint    n)
{
  f->store = g_list_store_new (G_TYPE_OBJECT);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = item_new (i);

      g_list_store_append (f->store, item);
    }
  f->model = haul_reveal_model_new (G_LIST_MODEL (f->store));
  f->mirror = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (f->mirror, g_list_model_get_item (G_LIST_MODEL (f->model), i));
  g_signal_connect (f->model, "items-changed", G_CALLBACK (model_changed_cb), f);
}

static void
fixture_clear (Fixture *f)
{
  g_clear_object (&f->model);
  g_clear_object (&f->store);
  g_clear_pointer (&f->mirror, g_ptr_array_unref);
}

static void
assert_equals_source (Fixture *f)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (f->store));

  g_assert_false (haul_reveal_model_get_revealing (f->model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->model)), ==, n);
  g_assert_cmpuint (f->mirror->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) a = g_list_model_get_item (G_LIST_MODEL (f->store), i);

      g_assert_true (a == g_ptr_array_index (f->mirror, i));
    }
}

/* Items of @b that are not in @a. */
static guint
count_new (GPtrArray *a,
           GPtrArray *b)
{
  g_autoptr(GHashTable) in_a = g_hash_table_new (NULL, NULL);
  guint n = 0;

  for (guint i = 0; i < a->len; i++)
    g_hash_table_add (in_a, g_ptr_array_index (a, i));
  for (guint i = 0; i < b->len; i++)
    n += !g_hash_table_contains (in_a, g_ptr_array_index (b, i));
  return n;
}

/* What the mirror holds now (no refs). */
static GPtrArray *
snapshot (Fixture *f)
{
  GPtrArray *copy = g_ptr_array_sized_new (f->mirror->len);

  for (guint i = 0; i < f->mirror->len; i++)
    g_ptr_array_add (copy, g_ptr_array_index (f->mirror, i));
  return copy;
}

/* What a list view shows after a step: no item twice. */
static void
assert_no_item_twice (Fixture *f)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < f->mirror->len; i++)
    g_assert_true (g_hash_table_add (seen, g_ptr_array_index (f->mirror, i)));
}

/* Steps until the end; each one within the head shows at most a step's
 * worth of items not shown before and takes away at most as many, and
 * never shows an item twice. Returns the number of steps. */
static guint
run_steps (Fixture *f)
{
  guint steps = 0;
  g_autoptr(GPtrArray) before = snapshot (f);

  while (haul_reveal_model_step (f->model))
    {
      g_assert_cmpuint (count_new (before, f->mirror), <=, HAUL_REVEAL_STEP);
      g_assert_cmpuint (count_new (f->mirror, before), <=, HAUL_REVEAL_STEP);
      assert_no_item_twice (f);
      g_ptr_array_unref (before);
      before = snapshot (f);
      g_assert_cmpuint (++steps, <, 10000);
    }
  assert_no_item_twice (f);
  return steps;
}

/* Replaces the store's content by every @every-th of @n new items (a
 * filter's result), in one items-changed. */
static void
replace_all (Fixture *f,
             guint    n,
             guint    every)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i += every)
    g_ptr_array_add (items, item_new (i));
  g_list_store_splice (f->store, 0, g_list_model_get_n_items (G_LIST_MODEL (f->store)),
                       items->pdata, items->len);
}

static void
test_small_passes_through (void)
{
  Fixture f = { 0 };
  g_autoptr(GObject) item = item_new (1000);

  fixture_init (&f, 1000);
  g_list_store_insert (f.store, 3, item);
  g_assert_cmpuint (f.n_changes, ==, 1);
  g_list_store_remove (f.store, 0);
  g_assert_cmpuint (f.n_changes, ==, 2);
  assert_equals_source (&f);
  /* Past the head, a big change too. */
  g_list_store_splice (f.store, 500, 400, NULL, 0);
  g_assert_cmpuint (f.n_changes, ==, 3);
  g_assert_false (haul_reveal_model_step (f.model));
  assert_equals_source (&f);
  fixture_clear (&f);
}

static void
test_big_in_steps (gconstpointer data)
{
  guint every = GPOINTER_TO_UINT (data);
  Fixture f = { 0 };
  guint steps;

  fixture_init (&f, 10000);
  replace_all (&f, 10000, every);
  /* At once, only the cut to the head. */
  g_assert_cmpuint (f.n_changes, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f.model)), ==, HAUL_REVEAL_HEAD);
  g_assert_true (haul_reveal_model_get_revealing (f.model));
  steps = run_steps (&f);
  g_assert_cmpuint (steps, >=, 2);
  assert_equals_source (&f);

  /* And back to everything, ended at once after two steps. */
  replace_all (&f, 10000, 1);
  haul_reveal_model_step (f.model);
  haul_reveal_model_step (f.model);
  haul_reveal_model_finish (f.model);
  assert_equals_source (&f);
  fixture_clear (&f);
}

/* A filter's result made of the items shown (every @every-th from
 * @from, of the store's first @n): revealed without ever showing an item
 * twice, however far down the old rows it was. */
static void
test_subset_never_twice (gconstpointer data)
{
  const guint *spec = data;   /* n, from, every, count */
  Fixture f = { 0 };
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  fixture_init (&f, spec[0]);
  for (guint i = spec[1]; i < spec[0] && items->len < spec[3]; i += spec[2])
    g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (f.store), i));
  g_list_store_splice (f.store, 0, spec[0], items->pdata, items->len);
  g_assert_true (haul_reveal_model_get_revealing (f.model));
  g_assert_cmpuint (run_steps (&f), >=, 2);
  assert_equals_source (&f);

  /* And back to more: the same ones first, then new ones. */
  g_ptr_array_set_size (items, items->len + spec[0]);
  for (guint i = items->len - spec[0]; i < items->len; i++)
    items->pdata[i] = item_new (i);
  g_list_store_splice (f.store, 0, g_list_model_get_n_items (G_LIST_MODEL (f.store)),
                       items->pdata, items->len);
  run_steps (&f);
  assert_equals_source (&f);
  fixture_clear (&f);
}

/* From a long list to a few: the extra rows go a step at a time. */
static void
test_shrink (void)
{
  Fixture f = { 0 };

  fixture_init (&f, 5000);
  replace_all (&f, 30, 1);
  run_steps (&f);
  assert_equals_source (&f);
  replace_all (&f, 0, 1);
  run_steps (&f);
  assert_equals_source (&f);
  fixture_clear (&f);
}

/* Identical items are kept (their rows too): no change for them. */
static void
test_same_items_kept (void)
{
  Fixture f = { 0 };
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = HAUL_REVEAL_HEAD - 1;

  fixture_init (&f, n);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (f.store), i));
  g_list_store_splice (f.store, 0, n, items->pdata, n);
  g_assert_true (haul_reveal_model_get_revealing (f.model));
  g_assert_false (haul_reveal_model_step (f.model));
  g_assert_cmpuint (f.n_changes, ==, 0);
  assert_equals_source (&f);
  fixture_clear (&f);
}

/* Source changes while revealing: before, inside and past what is synced. */
static void
test_changes_while_revealing (void)
{
  Fixture f = { 0 };
  GRand *rand = g_rand_new_with_seed (16);

  fixture_init (&f, 2000);
  for (guint round = 0; round < 200; round++)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (f.store));
      guint what = g_rand_int_range (rand, 0, 5);

      if (what == 0)
        replace_all (&f, g_rand_int_range (rand, 0, 3000), g_rand_int_range (rand, 1, 4));
      else if (what == 1 && n > 0)
        g_list_store_remove (f.store, g_rand_int_range (rand, 0, n));
      else if (what == 2)
        {
          g_autoptr(GObject) item = item_new (round);

          g_list_store_insert (f.store, g_rand_int_range (rand, 0, n + 1), item);
        }
      else if (what == 3 && n > 40)
        g_list_store_splice (f.store, g_rand_int_range (rand, 0, n - 40), 40, NULL, 0);
      else
        haul_reveal_model_step (f.model);
    }
  run_steps (&f);
  assert_equals_source (&f);
  g_rand_free (rand);
  fixture_clear (&f);
}

/* Held: nothing moves however the source changes; after, in steps. */
static void
test_hold (void)
{
  Fixture f = { 0 };
  g_autoptr(GObject) item = item_new (7);

  g_autoptr(GPtrArray) head = g_ptr_array_new_with_free_func (g_object_unref);

  fixture_init (&f, 1000);
  for (guint i = 0; i < HAUL_REVEAL_HEAD; i++)
    g_ptr_array_add (head, g_list_model_get_item (G_LIST_MODEL (f.store), i));
  haul_reveal_model_hold (f.model);
  g_list_store_remove_all (f.store);
  g_list_store_append (f.store, item);
  replace_all (&f, 1000, 5);
  g_assert_true (haul_reveal_model_step (f.model));
  /* Only what lies past the head went (no list view has rows there). */
  g_assert_cmpuint (f.n_changes, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f.model)), ==, HAUL_REVEAL_HEAD);
  for (guint i = 0; i < HAUL_REVEAL_HEAD; i++)
    g_assert_true (g_ptr_array_index (f.mirror, i) == g_ptr_array_index (head, i));
  haul_reveal_model_release (f.model);
  run_steps (&f);
  assert_equals_source (&f);

  /* A hold with no change reveals nothing. */
  haul_reveal_model_hold (f.model);
  haul_reveal_model_release (f.model);
  g_assert_false (haul_reveal_model_get_revealing (f.model));
  fixture_clear (&f);
}

/* Adding in slices to an empty list (as the window adds links): the
 * first ones near the top in steps, the end exactly the source. */
static void
test_added_in_slices (void)
{
  Fixture f = { 0 };
  guint n = 0;

  fixture_init (&f, 0);
  for (guint slice = 0; n < 10000; slice++)
    {
      guint size = n < 64 ? 32 : n < 192 ? 64 : 2048;
      g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < size; i++)
        g_ptr_array_add (items, item_new (n + i));
      g_list_store_splice (f.store, n, 0, items->pdata, size);
      n += size;
      haul_reveal_model_step (f.model);
    }
  run_steps (&f);
  assert_equals_source (&f);
  fixture_clear (&f);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/haul/reveal-model/small-passes-through", test_small_passes_through);
  g_test_add_data_func ("/haul/reveal-model/big-in-steps/half", GUINT_TO_POINTER (2), test_big_in_steps);
  g_test_add_data_func ("/haul/reveal-model/big-in-steps/few", GUINT_TO_POINTER (97), test_big_in_steps);
  g_test_add_data_func ("/haul/reveal-model/subset-never-twice/filter",
                        (const guint[]) { 10000, 1, 2, 5000 }, test_subset_never_twice);
  g_test_add_data_func ("/haul/reveal-model/subset-never-twice/search",
                        (const guint[]) { 10000, 100, 1, 100 }, test_subset_never_twice);
  g_test_add_data_func ("/haul/reveal-model/subset-never-twice/far",
                        (const guint[]) { 1000, 200, 3, 300 }, test_subset_never_twice);
  g_test_add_func ("/haul/reveal-model/shrink", test_shrink);
  g_test_add_func ("/haul/reveal-model/same-items-kept", test_same_items_kept);
  g_test_add_func ("/haul/reveal-model/changes-while-revealing", test_changes_while_revealing);
  g_test_add_func ("/haul/reveal-model/hold", test_hold);
  g_test_add_func ("/haul/reveal-model/added-in-slices", test_added_in_slices);
  return g_test_run ();
}
