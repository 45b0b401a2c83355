/* haul-add-dialog.c — the Add Downloads dialog
 *
 * A text view for any number of links (or any text with links in it), the
 * folder to save them in and an optional expected checksum. Add checks the
 * checksum, then finds the links with haul_link_import_async() (a worker:
 * a long paste never holds the main loop). When some entries are not
 * valid links, the dialog stays open with the text as typed: an inline
 * error names their lines, the lines are underlined and the cursor goes to
 * the first. Nothing is added until the person either corrects them (Add
 * checks again) or chooses "Add N Valid Links". Then ::submitted hands the
 * valid links over (haul_add_dialog_dup_links()) and the dialog closes.
 *
 * "Advanced" holds what every request of the new downloads carries: a
 * referrer, extra headers (one per line) and a cookies file. They are
 * checked as they are typed; the cookies file is read on GLib's pool (it
 * is disk). While any of them is not valid, or the file is being read,
 * Add is disabled and the reason is shown under them — never a value.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-add-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-add-dialog.h"
#include "haul-folder-chooser.h"
#include "haul-folders.h"
#include "haul-checksum.h"
#include "haul-link-import.h"
#include "haul-request-context.h"
#include "haul-uri-list.h"

/* How many rejected entries the inline error lists, one line each. */
#define ERROR_LINES_MAX 5

struct _HaulAddDialog
{
  AdwWindow             parent_instance;

  /* Template widgets */
  GtkButton            *cancel_button;
  GtkButton            *add_button;
  GtkTextView          *text_view;
  GtkTextBuffer        *buffer;
  GtkLabel             *hint_label;
  AdwActionRow         *folder_row;
  GtkButton            *folder_button;
  AdwEntryRow          *checksum_row;
  GtkLabel             *checksum_hint_label;
  GtkLabel             *error_label;
  GtkWidget            *links_error_box;
  GtkLabel             *links_error_label;
  GtkButton            *add_valid_button;
  AdwExpanderRow       *advanced_row;
  AdwEntryRow          *referrer_row;
  GtkTextView          *headers_view;
  GtkTextBuffer        *headers_buffer;
  AdwActionRow         *cookies_row;
  GtkButton            *cookies_button;
  GtkButton            *cookies_clear_button;
  GtkLabel             *advanced_error_label;
  GtkLabel             *headers_hint_label;

  /* Owned */
  char                 *folder;
  char                 *checksum; /* stripped; NULL when empty */
  HaulFolderChooser    *chooser;
  GtkTextTag           *invalid_tag;
  GCancellable         *check;    /* the links being found; NULL when none */
  GPtrArray            *links;    /* (element-type utf8): the valid links the text holds, once found */
  char                 *advanced_error;  /* why the referrer or a header is not valid */
  char                 *cookies_path;    /* NULL: no cookies file */
  HaulRequestContext   *cookies;         /* its cookies, once read */
  char                 *cookies_error;   /* why it could not be used */
  GCancellable         *cookies_reading; /* while it is read */
  GtkFileChooserNative *cookies_chooser;
};

G_DEFINE_FINAL_TYPE (HaulAddDialog, haul_add_dialog, ADW_TYPE_WINDOW)

enum {
  SUBMITTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
buffer_has_content (GtkTextBuffer *buffer)
{
  GtkTextIter iter;

  gtk_text_buffer_get_start_iter (buffer, &iter);
  for (; !gtk_text_iter_is_end (&iter); gtk_text_iter_forward_char (&iter))
    if (!g_unichar_isspace (gtk_text_iter_get_char (&iter)))
      return TRUE;
  return FALSE;
}

/* Add works when there is text, no check runs, and Advanced is valid
 * and read. */
static void
update_add_enabled (HaulAddDialog *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.add",
                                 buffer_has_content (self->buffer) && self->check == NULL &&
                                 self->advanced_error == NULL && self->cookies_error == NULL &&
                                 self->cookies_reading == NULL);
}

static void
clear_error (HaulAddDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->checksum_hint_label), TRUE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->checksum_row), "error");
  gtk_accessible_reset_state (GTK_ACCESSIBLE (self->checksum_row), GTK_ACCESSIBLE_STATE_INVALID);
}

/* The text changed, or is being checked again: what was found is stale. */
static void
clear_links_error (HaulAddDialog *self)
{
  GtkTextIter start, end;

  g_cancellable_cancel (self->check);
  g_clear_object (&self->check);
  g_clear_pointer (&self->links, g_ptr_array_unref);
  gtk_widget_set_visible (self->links_error_box, FALSE);
  gtk_text_buffer_get_bounds (self->buffer, &start, &end);
  gtk_text_buffer_remove_tag (self->buffer, self->invalid_tag, &start, &end);
  gtk_accessible_reset_state (GTK_ACCESSIBLE (self->text_view), GTK_ACCESSIBLE_STATE_INVALID);
}

static char *
describe_rejections (const HaulLinkImport *result)
{
  g_autoptr(GString) text = g_string_new (NULL);
  GPtrArray *rejections = result->text_rejections;
  guint shown = MIN (rejections->len, ERROR_LINES_MAX);

  if (result->n_rejected == 1 && rejections->len == 1)
    {
      const HaulUriListRejection *r = g_ptr_array_index (rejections, 0);

      /* Translators: "Line 2 is not a valid link: “htp://example.com/a.iso” — the link starts with…" */
      return g_strdup_printf (_("Line %u is not a valid link: “%s” — %s"), r->line, r->text, r->reason);
    }

  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u link is not valid:", "%u links are not valid:",
                                             result->n_rejected),
                          result->n_rejected);
  for (guint i = 0; i < shown; i++)
    {
      const HaulUriListRejection *r = g_ptr_array_index (rejections, i);

      g_string_append_c (text, '\n');
      /* Translators: one of the lines of "3 links are not valid:" */
      g_string_append_printf (text, _("Line %u: “%s” — %s"), r->line, r->text, r->reason);
    }
  if (result->n_rejected > shown)
    {
      guint more = result->n_rejected - shown;

      g_string_append_c (text, '\n');
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "…and %u more", "…and %u more", more), more);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Underlines the lines that hold rejected entries and puts the cursor at
 * the start of the first, so the person finds them. */
static void
mark_lines (HaulAddDialog        *self,
            const HaulLinkImport *result)
{
  for (guint i = 0; i < result->text_rejections->len; i++)
    {
      const HaulUriListRejection *r = g_ptr_array_index (result->text_rejections, i);
      GtkTextIter start, end;

      gtk_text_buffer_get_iter_at_line (self->buffer, &start, (int) r->line - 1);
      end = start;
      if (!gtk_text_iter_ends_line (&end))
        gtk_text_iter_forward_to_line_end (&end);
      gtk_text_buffer_apply_tag (self->buffer, self->invalid_tag, &start, &end);
      if (i == 0)
        {
          gtk_text_buffer_place_cursor (self->buffer, &start);
          gtk_text_view_scroll_to_mark (self->text_view, gtk_text_buffer_get_insert (self->buffer),
                                        0.1, FALSE, 0, 0);
        }
    }
}

static void
show_links_error (HaulAddDialog        *self,
                  const HaulLinkImport *result,
                  const char           *message)
{
  g_autofree char *described = message == NULL ? describe_rejections (result) : NULL;
  guint n_valid = self->links != NULL ? self->links->len : 0;

  gtk_label_set_text (self->links_error_label, message != NULL ? message : described);
  gtk_widget_set_visible (GTK_WIDGET (self->add_valid_button), n_valid > 0);
  if (n_valid > 0)
    {
      g_autofree char *label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Add %u _Valid Link",
                                                             "Add %u _Valid Links", n_valid),
                                                n_valid);

      gtk_button_set_label (self->add_valid_button, label);
    }
  gtk_widget_set_visible (self->links_error_box, TRUE);
  mark_lines (self, result);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->text_view),
                               GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                               -1);
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static void
show_checksum_error (HaulAddDialog *self,
                     const char    *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->checksum_hint_label), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->checksum_row), "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->checksum_row),
                               GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                               -1);
  gtk_widget_grab_focus (GTK_WIDGET (self->checksum_row));
}

static void
buffer_changed_cb (HaulAddDialog *self,
                   GtkTextBuffer *buffer)
{
  gtk_widget_set_visible (GTK_WIDGET (self->hint_label),
                          gtk_text_buffer_get_char_count (buffer) == 0);
  clear_error (self);
  clear_links_error (self);
  update_add_enabled (self);
}

static void
checksum_changed_cb (HaulAddDialog *self,
                     GtkEditable   *editable)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (editable));

  g_strstrip (text);
  g_clear_pointer (&self->checksum, g_free);
  if (text[0] != '\0')
    self->checksum = g_steal_pointer (&text);
  clear_error (self);
}

static void
set_folder (HaulAddDialog *self,
            const char    *folder)
{
  g_autofree char *name = NULL;

  if (folder == NULL || folder[0] == '\0')
    folder = haul_folders_get_default ();

  if (g_strcmp0 (self->folder, folder) == 0)
    return;

  g_free (self->folder);
  self->folder = g_strdup (folder);
  name = haul_folders_dup_display_name (self->folder);
  adw_action_row_set_subtitle (self->folder_row, name);
}

static void
folder_chosen_cb (const char *path,
                  gpointer    user_data)
{
  set_folder (user_data, path);
}

static void
folder_button_clicked_cb (HaulAddDialog *self,
                          GtkButton     *button)
{
  haul_folder_chooser_present (self->chooser, self->folder);
}

/* ------------------------------------------------------------------ */
/* Advanced: referrer, extra headers, cookies file */

/* The referrer and headers as typed, and if @with_cookies the cookies
 * read (copied: a big file's are left out while typing); NULL with @error
 * set (a sentence naming the field, never a value). */
static HaulRequestContext *
build_context (HaulAddDialog  *self,
               gboolean        with_cookies,
               GError        **error)
{
  g_autoptr(HaulRequestContext) ctx = haul_request_context_new ();
  g_autofree char *referrer = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->referrer_row))));
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GtkTextIter start, end;

  if (!haul_request_context_set_referrer (ctx, referrer, error))
    return NULL;

  gtk_text_buffer_get_bounds (self->headers_buffer, &start, &end);
  text = gtk_text_buffer_get_text (self->headers_buffer, &start, &end, FALSE);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (g_strstrip (lines[i])[0] == '\0')
        continue;
      if (!haul_request_context_add_header_line (ctx, lines[i], &local_error))
        {
          /* Translators: "Extra headers, line 2: The header “Host” is set by Haul: …" */
          g_set_error (error, local_error->domain, local_error->code, _("Extra headers, line %u: %s"),
                       i + 1, local_error->message);
          return NULL;
        }
    }

  for (GSList *l = with_cookies && self->cookies != NULL ? haul_request_context_get_cookies (self->cookies) : NULL;
       l != NULL; l = l->next)
    haul_request_context_add_cookie (ctx, l->data);
  return g_steal_pointer (&ctx);
}

/* Shows what is wrong in Advanced (or nothing) where it is wrong: under
 * the headers for the referrer and the headers, in the cookies row for
 * the file; and the summary on the expander. */
static void
show_advanced_state (HaulAddDialog *self)
{
  const char *message = self->advanced_error;
  g_autoptr(HaulRequestContext) ctx = build_context (self, FALSE, NULL);
  g_autofree char *rest = ctx != NULL ? haul_request_context_describe (ctx) : NULL;
  guint n_cookies = self->cookies != NULL ? g_slist_length (haul_request_context_get_cookies (self->cookies)) : 0;
  g_autofree char *summary = NULL;

  /* As haul_request_context_describe() would say it with the cookies. */
  if (n_cookies > 0)
    {
      g_autofree char *counted = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u cookie", "%u cookies",
                                                               n_cookies), n_cookies);

      /* Translators: the separator between the parts of "3 cookies, referrer example.org" */
      summary = rest != NULL ? g_strjoin (_(", "), counted, rest, NULL) : g_steal_pointer (&counted);
    }
  else
    summary = g_steal_pointer (&rest);

  gtk_label_set_text (self->advanced_error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->advanced_error_label), message != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->headers_hint_label), message == NULL);
  if (self->cookies_error != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->cookies_row), "error");
      adw_action_row_set_subtitle (self->cookies_row, self->cookies_error);
    }
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->cookies_row), "error");
  /* It still says why Add waits, in red while collapsed (open, the
   * rows say it: red on the whole expander would colour them all). */
  if (message != NULL || self->cookies_error != NULL)
    adw_expander_row_set_subtitle (self->advanced_row, _("Needs a correction before adding"));
  else
    adw_expander_row_set_subtitle (self->advanced_row,
                                   summary != NULL ? summary : _("Referrer, extra headers and cookies"));
  if ((message != NULL || self->cookies_error != NULL) && !adw_expander_row_get_expanded (self->advanced_row))
    gtk_widget_add_css_class (GTK_WIDGET (self->advanced_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->advanced_row), "error");
  update_add_enabled (self);
}

/* Checks the referrer and the headers as they are typed. */
static void
check_advanced (HaulAddDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HaulRequestContext) ctx = build_context (self, FALSE, &error);
  g_autoptr(HaulRequestContext) scratch = haul_request_context_new ();
  g_autofree char *referrer = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->referrer_row))));
  gboolean referrer_bad = !haul_request_context_set_referrer (scratch, referrer, NULL);

  g_clear_pointer (&self->advanced_error, g_free);
  if (ctx == NULL)
    self->advanced_error = g_strdup (error->message);
  if (referrer_bad)
    gtk_widget_add_css_class (GTK_WIDGET (self->referrer_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->referrer_row), "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->referrer_row), GTK_ACCESSIBLE_STATE_INVALID,
                               referrer_bad ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE, -1);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->headers_view), GTK_ACCESSIBLE_STATE_INVALID,
                               ctx == NULL && !referrer_bad ? GTK_ACCESSIBLE_INVALID_TRUE
                                                            : GTK_ACCESSIBLE_INVALID_FALSE, -1);
  show_advanced_state (self);
}

static void
advanced_expanded_cb (HaulAddDialog *self,
                      GParamSpec    *pspec,
                      GObject       *row)
{
  show_advanced_state (self);
}

static void
referrer_changed_cb (HaulAddDialog *self,
                     GtkEditable   *editable)
{
  check_advanced (self);
}

static void
headers_changed_cb (HaulAddDialog *self,
                    GtkTextBuffer *buffer)
{
  check_advanced (self);
}

static void
cookies_read_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(HaulAddDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HaulRequestContext) ctx = haul_request_context_load_cookies_file_finish (result, &error);
  g_autofree char *name = NULL;
  g_autofree char *subtitle = NULL;
  guint n;

  /* Another file was chosen, or the dialog closed: either cancelled it. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cookies_reading);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cookies_button), TRUE);

  name = g_filename_display_basename (self->cookies_path);
  if (ctx == NULL)
    self->cookies_error = g_strdup (error->message);
  else
    {
      n = g_slist_length (haul_request_context_get_cookies (ctx));
      /* Translators: "cookies.txt — 12 cookies" */
      subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s — %u cookie", "%s — %u cookies", n), name, n);
      adw_action_row_set_subtitle (self->cookies_row, subtitle);
      self->cookies = g_steal_pointer (&ctx);
    }
  show_advanced_state (self);
}

/* Reads @path on GLib's pool (NULL: no cookies file). */
static void
set_cookies_file (HaulAddDialog *self,
                  const char    *path)
{
  g_cancellable_cancel (self->cookies_reading);
  g_clear_object (&self->cookies_reading);
  g_clear_pointer (&self->cookies, haul_request_context_unref);
  g_clear_pointer (&self->cookies_error, g_free);
  g_free (self->cookies_path);
  self->cookies_path = g_strdup (path);
  gtk_widget_set_visible (GTK_WIDGET (self->cookies_clear_button), path != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cookies_button), TRUE);

  if (path == NULL)
    {
      adw_action_row_set_subtitle (self->cookies_row, _("None"));
      show_advanced_state (self);
      return;
    }

  self->cookies_reading = g_cancellable_new ();
  adw_action_row_set_subtitle (self->cookies_row, _("Reading…"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->cookies_button), FALSE);
  haul_request_context_load_cookies_file_async (path, self->cookies_reading, cookies_read_cb, g_object_ref (self));
  show_advanced_state (self);
}

static void
cookies_chosen_cb (GtkNativeDialog *chooser,
                   int              response,
                   HaulAddDialog   *self)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file != NULL)
    path = g_file_get_path (file);
  if (path != NULL)
    set_cookies_file (self, path);
}

static void
cookies_button_clicked_cb (HaulAddDialog *self,
                           GtkButton     *button)
{
  if (self->cookies_chooser == NULL)
    {
      self->cookies_chooser = gtk_file_chooser_native_new (_("Choose a Cookies File"), GTK_WINDOW (self),
                                                           GTK_FILE_CHOOSER_ACTION_OPEN,
                                                           _("_Open"), _("_Cancel"));
      gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->cookies_chooser), TRUE);
      g_signal_connect (self->cookies_chooser, "response", G_CALLBACK (cookies_chosen_cb), self);
    }
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->cookies_chooser));
}

static void
cookies_clear_clicked_cb (HaulAddDialog *self,
                          GtkButton     *button)
{
  set_cookies_file (self, NULL);
}

/* Hands the valid links over and closes. */
static void
submit (HaulAddDialog *self)
{
  g_autoptr(HaulAddDialog) hold = g_object_ref (self); /* a handler may destroy the dialog */

  if (self->checksum != NULL && self->links->len > 1)
    {
      show_checksum_error (self, _("A checksum can only be given for a single link. "
                                   "Remove the checksum or add the links one at a time."));
      return;
    }
  g_signal_emit (self, signals[SUBMITTED], 0);
  gtk_window_close (GTK_WINDOW (self));
}

static void
check_done_cb (GObject      *source,
               GAsyncResult *res,
               gpointer      user_data)
{
  g_autoptr(HaulAddDialog) self = user_data;
  g_autoptr(HaulLinkImport) result = haul_link_import_finish (res, NULL);

  /* Cancelled: the text changed, or the dialog closed. */
  if (result == NULL || self->check == NULL || g_cancellable_is_cancelled (self->check))
    return;
  g_clear_object (&self->check);
  update_add_enabled (self);

  self->links = g_steal_pointer (&result->uris);
  result->uris = g_ptr_array_new ();
  if (result->n_rejected > 0)
    show_links_error (self, result, NULL);
  else if (self->links->len == 0)
    show_links_error (self, result, _("There are no links in the text. Links start with “https://”, "
                                      "“http://” or “www.”."));
  else
    submit (self);
}

static void
add_action_cb (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  HaulAddDialog *self = HAUL_ADD_DIALOG (widget);
  g_autofree char *text = NULL;

  if (!buffer_has_content (self->buffer))
    return;

  if (self->checksum != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *hex = NULL;
      GChecksumType type;

      if (!haul_checksum_parse (self->checksum, &type, &hex, &error))
        {
          show_checksum_error (self, error->message);
          return;
        }
      g_free (self->checksum);
      self->checksum = g_strdup_printf ("%s:%s", haul_checksum_type_name (type), hex);
    }

  /* Found on a worker; Add waits meanwhile. */
  clear_links_error (self);
  text = haul_add_dialog_dup_text (self);
  self->check = g_cancellable_new ();
  gtk_widget_action_set_enabled (widget, "dialog.add", FALSE);
  haul_link_import_async (text, NULL, self->check, check_done_cb, g_object_ref (self));
}

/* "Add 4 Valid Links": the links found, without the entries that are not. */
static void
add_valid_action_cb (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  HaulAddDialog *self = HAUL_ADD_DIALOG (widget);

  if (self->links != NULL && self->links->len > 0)
    submit (self);
}

static void
haul_add_dialog_dispose (GObject *object)
{
  HaulAddDialog *self = HAUL_ADD_DIALOG (object);

  g_clear_pointer (&self->chooser, haul_folder_chooser_free);
  g_cancellable_cancel (self->check);
  g_clear_object (&self->check);
  g_cancellable_cancel (self->cookies_reading);
  g_clear_object (&self->cookies_reading);
  if (self->cookies_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->cookies_chooser));
  g_clear_object (&self->cookies_chooser);

  gtk_widget_dispose_template (GTK_WIDGET (self), HAUL_TYPE_ADD_DIALOG);

  G_OBJECT_CLASS (haul_add_dialog_parent_class)->dispose (object);
}

static void
haul_add_dialog_finalize (GObject *object)
{
  HaulAddDialog *self = HAUL_ADD_DIALOG (object);

  g_clear_pointer (&self->folder, g_free);
  g_clear_pointer (&self->checksum, g_free);
  g_clear_pointer (&self->links, g_ptr_array_unref);
  g_clear_pointer (&self->advanced_error, g_free);
  g_clear_pointer (&self->cookies_path, g_free);
  g_clear_pointer (&self->cookies, haul_request_context_unref);
  g_clear_pointer (&self->cookies_error, g_free);

  G_OBJECT_CLASS (haul_add_dialog_parent_class)->finalize (object);
}

static void
haul_add_dialog_class_init (HaulAddDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = haul_add_dialog_dispose;
  object_class->finalize = haul_add_dialog_finalize;

  /**
   * HaulAddDialog::submitted:
   *
   * Emitted when the text's links were found and the person wants them
   * added: all of them were valid, or they chose to add only the valid
   * ones. Read the links (haul_add_dialog_dup_links()), folder and
   * checksum in the handler: the dialog closes itself right after.
   */
  signals[SUBMITTED] =
    g_signal_new ("submitted",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "dialog.add", NULL, add_action_cb);
  gtk_widget_class_install_action (widget_class, "dialog.add-valid", NULL, add_valid_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/haulapp/Haul/haul-add-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, add_button);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, text_view);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, buffer);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, hint_label);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, folder_row);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, folder_button);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, checksum_row);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, checksum_hint_label);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, links_error_box);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, links_error_label);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, add_valid_button);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, advanced_row);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, referrer_row);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, headers_view);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, headers_buffer);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, cookies_row);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, cookies_button);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, cookies_clear_button);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, advanced_error_label);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, headers_hint_label);
  gtk_widget_class_bind_template_callback (widget_class, buffer_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, referrer_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, advanced_expanded_cb);
  gtk_widget_class_bind_template_callback (widget_class, headers_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, cookies_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cookies_clear_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, checksum_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, folder_button_clicked_cb);
}

static void
haul_add_dialog_init (HaulAddDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->invalid_tag = gtk_text_buffer_create_tag (self->buffer, "invalid",
                                                  "underline", PANGO_UNDERLINE_ERROR,
                                                  NULL);
  self->chooser = haul_folder_chooser_new (GTK_WINDOW (self), folder_chosen_cb, self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.add", FALSE);
  set_folder (self, NULL);
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->text_view));
}

/**
 * haul_add_dialog_new:
 * @parent: (nullable): the window the dialog belongs to
 * @folder: (nullable): the folder to offer; %NULL or "" for the Downloads folder
 * @initial_text: (nullable): links to start with
 *
 * Returns: (transfer none): a new dialog; present it with gtk_window_present().
 *   It is destroyed when closed.
 */
HaulAddDialog *
haul_add_dialog_new (GtkWindow  *parent,
                     const char *folder,
                     const char *initial_text)
{
  HaulAddDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  self = g_object_new (HAUL_TYPE_ADD_DIALOG,
                       "transient-for", parent,
                       NULL);
  set_folder (self, folder);
  if (initial_text != NULL)
    haul_add_dialog_set_text (self, initial_text);

  return self;
}

/**
 * haul_add_dialog_get_folder:
 *
 * Returns: the folder to save the downloads in
 */
const char *
haul_add_dialog_get_folder (HaulAddDialog *self)
{
  g_return_val_if_fail (HAUL_IS_ADD_DIALOG (self), NULL);

  return self->folder;
}

/**
 * haul_add_dialog_set_folder:
 * @folder: (nullable): an absolute path; %NULL or "" for the Downloads folder
 *
 * What choosing a folder does (tests call it: the chooser is the portal's).
 */
void
haul_add_dialog_set_folder (HaulAddDialog *self,
                            const char    *folder)
{
  g_return_if_fail (HAUL_IS_ADD_DIALOG (self));

  set_folder (self, folder);
}

/**
 * haul_add_dialog_dup_text:
 *
 * Returns: (transfer full): the text as typed or pasted
 */
char *
haul_add_dialog_dup_text (HaulAddDialog *self)
{
  GtkTextIter start, end;

  g_return_val_if_fail (HAUL_IS_ADD_DIALOG (self), NULL);

  gtk_text_buffer_get_bounds (self->buffer, &start, &end);
  return gtk_text_buffer_get_text (self->buffer, &start, &end, FALSE);
}

/**
 * haul_add_dialog_dup_links:
 *
 * Returns: (transfer full) (nullable): the valid links found in the text,
 *   normalized, one per line; %NULL before ::submitted
 */
char *
haul_add_dialog_dup_links (HaulAddDialog *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (HAUL_IS_ADD_DIALOG (self), NULL);

  if (self->links == NULL)
    return NULL;
  for (guint i = 0; i < self->links->len; i++)
    g_string_append_printf (text, "%s\n", (char *) g_ptr_array_index (self->links, i));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/**
 * haul_add_dialog_get_checksum:
 *
 * Returns: (nullable): the expected checksum without surrounding
 *   whitespace ("sha256:…", normalized once the dialog was submitted), or
 *   %NULL when none was given
 */
const char *
haul_add_dialog_get_checksum (HaulAddDialog *self)
{
  g_return_val_if_fail (HAUL_IS_ADD_DIALOG (self), NULL);

  return self->checksum;
}

/**
 * haul_add_dialog_set_text:
 * @text: (nullable): the new text
 *
 * Replaces the text, leaving the cursor at its end.
 */
void
haul_add_dialog_set_text (HaulAddDialog *self,
                          const char    *text)
{
  GtkTextIter end;

  g_return_if_fail (HAUL_IS_ADD_DIALOG (self));

  gtk_text_buffer_set_text (self->buffer, text != NULL ? text : "", -1);
  gtk_text_buffer_get_end_iter (self->buffer, &end);
  gtk_text_buffer_place_cursor (self->buffer, &end);
}

/**
 * haul_add_dialog_set_cookies_file:
 * @path: (nullable): a cookies.txt file; %NULL for none
 *
 * What choosing a cookies file does (tests call it: the chooser is the
 * portal's): the file is read on GLib's pool, Add waits meanwhile.
 */
void
haul_add_dialog_set_cookies_file (HaulAddDialog *self,
                                  const char    *path)
{
  g_return_if_fail (HAUL_IS_ADD_DIALOG (self));

  set_cookies_file (self, path);
}

/**
 * haul_add_dialog_dup_request_context:
 *
 * Returns: (transfer full) (nullable): the referrer, extra headers and
 *   cookies the new downloads carry; %NULL when there are none (or they
 *   are not valid: Add is disabled then)
 */
HaulRequestContext *
haul_add_dialog_dup_request_context (HaulAddDialog *self)
{
  g_autoptr(HaulRequestContext) ctx = NULL;

  g_return_val_if_fail (HAUL_IS_ADD_DIALOG (self), NULL);

  ctx = build_context (self, TRUE, NULL);
  if (haul_request_context_is_empty (ctx))
    return NULL;
  return g_steal_pointer (&ctx);
}
