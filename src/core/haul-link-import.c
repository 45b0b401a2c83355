/* haul-link-import.c — turn dropped, pasted or opened input into links, off the main thread
 *
 * A drop, a paste, the add dialog and `haul FILE…` all end here: some text
 * and some files, parsed by a worker with the one link-list parser (which
 * finds links in any text: lists, chat messages, mails, markdown, HTML). A
 * dropped http(s) link (a browser's text/uri-list arrives as a GFile) is a
 * link; any other file is read as a list of links. Files that cannot be
 * read, are folders or are not text are reported one sentence each, and the
 * rest of the input still counts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-link-import"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "haul-link-import.h"
#include "haul-uri-list.h"

typedef struct
{
  char      *text;
  GPtrArray *files;
} ImportInput;

static void
import_input_free (gpointer data)
{
  ImportInput *input = data;

  g_free (input->text);
  g_clear_pointer (&input->files, g_ptr_array_unref);
  g_free (input);
}

void
haul_link_import_free (HaulLinkImport *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->uris, g_ptr_array_unref);
  g_clear_pointer (&self->problems, g_ptr_array_unref);
  g_clear_pointer (&self->rejections, g_ptr_array_unref);
  g_clear_pointer (&self->text_rejections, g_ptr_array_unref);
  g_free (self);
}

static void
add_problem (HaulLinkImport *self,
             char           *sentence)
{
  if (self->problems->len < HAUL_LINK_IMPORT_MAX_PROBLEMS)
    g_ptr_array_add (self->problems, sentence);
  else
    g_free (sentence);
}

/* Moves what @list accepted into @self, once each. */
static void
merge (HaulLinkImport *self,
       GHashTable     *seen,
       HaulUriList    *list,
       const char     *source_name)
{
  g_autoptr(GPtrArray) uris = haul_uri_list_steal_uris (list);
  const GPtrArray *rejections = haul_uri_list_get_rejections (list);

  self->n_rejected += haul_uri_list_get_n_rejected (list);
  self->n_duplicates += haul_uri_list_get_n_duplicates (list);

  for (guint i = 0; i < rejections->len && self->rejections->len < HAUL_LINK_IMPORT_MAX_PROBLEMS; i++)
    {
      const HaulUriListRejection *r = g_ptr_array_index (rejections, i);

      if (source_name == NULL)
        g_ptr_array_add (self->text_rejections, haul_uri_list_rejection_copy (r));
      if (source_name != NULL)
        /* Translators: "links.txt, line 3: “htp:/x”: not a link" */
        g_ptr_array_add (self->rejections, g_strdup_printf (_("%s, line %u: “%s”: %s"),
                                                            source_name, r->line, r->text, r->reason));
      else
        g_ptr_array_add (self->rejections, g_strdup_printf (_("“%s”: %s"), r->text, r->reason));
    }

  for (guint i = 0; i < uris->len; i++)
    {
      char *uri = g_ptr_array_index (uris, i);

      if (g_hash_table_contains (seen, uri))
        {
          self->n_duplicates++;
          continue;
        }
      if (self->uris->len >= HAUL_URI_LIST_MAX_URIS)
        {
          self->full = TRUE;
          break;
        }
      g_ptr_array_index (uris, i) = NULL;
      g_hash_table_add (seen, uri);
      g_ptr_array_add (self->uris, uri);
    }
  if (haul_uri_list_is_full (list))
    self->full = TRUE;
}

/* Said once, after everything was read. */
static void
note_if_full (HaulLinkImport *self)
{
  if (self->full)
    add_problem (self, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                     "Only the first %u link was added: Haul takes at most that many at a time",
                                                     "Only the first %u links were added: Haul takes at most that many at a time",
                                                     HAUL_URI_LIST_MAX_URIS),
                                        HAUL_URI_LIST_MAX_URIS));
}

/* g_file_get_uri_scheme(), not g_file_has_uri_scheme(): the latter says
 * FALSE for some http URIs GIO keeps as dummy files (no gvfs, Flatpak). */
static gboolean
is_web_link (GFile *file)
{
  g_autofree char *scheme = g_file_get_uri_scheme (file);

  return haul_uri_scheme_is_web (scheme);
}

static void
import_file (HaulLinkImport *self,
             GHashTable     *seen,
             GFile          *file,
             GCancellable   *cancellable)
{
  g_autoptr(HaulUriList) list = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  guint before;

  info = g_file_query_info (file,
                            G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","
                            G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NONE, cancellable, &error);
  if (info != NULL)
    name = g_strdup (g_file_info_get_display_name (info));
  else
    name = g_file_get_parse_name (file);

  if (info == NULL)
    {
      add_problem (self, g_strdup_printf (_("Could not read “%s”: %s"), name, error->message));
      return;
    }
  if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    {
      add_problem (self, g_strdup_printf (_("“%s” is a folder, not a list of links"), name));
      return;
    }

  stream = g_file_read (file, cancellable, &error);
  list = haul_uri_list_new ();
  if (stream == NULL ||
      !haul_uri_list_parse_stream (list, G_INPUT_STREAM (stream), cancellable, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
        add_problem (self, g_strdup_printf (_("“%s” is not a list of links: it is not a text file"), name));
      else
        add_problem (self, g_strdup_printf (_("Could not read “%s”: %s"), name, error->message));
      return;
    }

  before = self->uris->len;
  if (haul_uri_list_get_uris (list)->len == 0 && haul_uri_list_get_n_duplicates (list) == 0 &&
      haul_uri_list_get_n_rejected (list) == 0)
    {
      add_problem (self, g_strdup_printf (_("“%s” contains no links"), name));
      return;
    }
  merge (self, seen, list, name);
  g_debug ("%s: %u links", name, self->uris->len - before);
}

/**
 * haul_link_import_run:
 * @text: (nullable): a list of links, or any text with links in it
 * @files: (nullable) (element-type GFile): dropped or opened files
 *
 * Blocking: call it from a worker thread (or use haul_link_import_async()).
 *
 * Returns: (transfer full): what was found; never %NULL
 */
HaulLinkImport *
haul_link_import_run (const char   *text,
                      GPtrArray    *files,
                      GCancellable *cancellable)
{
  HaulLinkImport *self = g_new0 (HaulLinkImport, 1);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(HaulUriList) links = haul_uri_list_new ();

  self->uris = g_ptr_array_new_with_free_func (g_free);
  self->problems = g_ptr_array_new_with_free_func (g_free);
  self->rejections = g_ptr_array_new_with_free_func (g_free);
  self->text_rejections = g_ptr_array_new_with_free_func ((GDestroyNotify) haul_uri_list_rejection_free);

  if (text != NULL && !haul_uri_list_feed (links, text, strlen (text), NULL))
    add_problem (self, g_strdup (_("The text is not a list of links: it contains binary data")));

  /* Typed, pasted and dragged links first, in their order, then the lists'. */
  for (guint i = 0; files != NULL && i < files->len; i++)
    {
      GFile *file = g_ptr_array_index (files, i);

      if (is_web_link (file))
        {
          g_autofree char *uri = g_file_get_uri (file);

          haul_uri_list_feed (links, "\n", 1, NULL);
          haul_uri_list_feed (links, uri, strlen (uri), NULL);
        }
    }
  haul_uri_list_finish (links);
  merge (self, seen, links, NULL);

  for (guint i = 0; files != NULL && i < files->len; i++)
    {
      GFile *file = g_ptr_array_index (files, i);

      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (self->full)
        break;
      if (!is_web_link (file))
        import_file (self, seen, file, cancellable);
    }
  note_if_full (self);

  return self;
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ImportInput *input = task_data;
  HaulLinkImport *result = haul_link_import_run (input->text, input->files, cancellable);

  if (g_task_return_error_if_cancelled (task))
    haul_link_import_free (result);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) haul_link_import_free);
}

/**
 * haul_link_import_async:
 * @text: (nullable): text with links
 * @files: (nullable) (element-type GFile): files (http(s) ones are links,
 *   the others lists of links)
 *
 * Parses @text and reads @files in a worker thread.
 */
void
haul_link_import_async (const char          *text,
                        GPtrArray           *files,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  ImportInput *input = g_new0 (ImportInput, 1);

  input->text = g_strdup (text);
  if (files != NULL)
    {
      input->files = g_ptr_array_new_full (files->len, g_object_unref);
      for (guint i = 0; i < files->len; i++)
        g_ptr_array_add (input->files, g_object_ref (g_ptr_array_index (files, i)));
    }
  g_task_set_source_tag (task, haul_link_import_async);
  g_task_set_name (task, "[haul] link import");
  g_task_set_task_data (task, input, import_input_free);
  g_task_run_in_thread (task, import_thread);
}

/**
 * haul_link_import_finish:
 *
 * Returns: (transfer full): the links found, or %NULL if cancelled
 */
HaulLinkImport *
haul_link_import_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
