/* haul-add-dialog.c — the Add Downloads dialog
 *
 * A text view for any number of links, the folder to save them in and an
 * optional expected checksum. The dialog only checks what it can check
 * without parsing the list: that there is some text, that the checksum is
 * well formed, and that a checksum comes with a single link (counting
 * stops at the second one, so a long paste costs nothing). Parsing the
 * links is the caller's business, in a worker.
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

  /* Owned */
  char                 *folder;
  char                 *checksum; /* stripped; NULL when empty */
  HaulFolderChooser    *chooser;
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

static gboolean
is_separator (gunichar c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Counts links the way the list parser splits them (whitespace-separated
 * words; a word starting with '#' comments out the rest of its line),
 * stopping at @cap. */
static guint
count_links (GtkTextBuffer *buffer,
             guint          cap)
{
  GtkTextIter iter;
  gboolean in_word = FALSE;
  guint n = 0;

  gtk_text_buffer_get_start_iter (buffer, &iter);
  while (n < cap && !gtk_text_iter_is_end (&iter))
    {
      gunichar c = gtk_text_iter_get_char (&iter);

      if (c == '\n')
        in_word = FALSE;
      else if (is_separator (c))
        in_word = FALSE;
      else if (!in_word && c == '#')
        {
          /* To the start of the next line, or the end. */
          if (!gtk_text_iter_forward_line (&iter))
            break;
          continue;
        }
      else if (!in_word)
        {
          in_word = TRUE;
          n++;
        }

      gtk_text_iter_forward_char (&iter);
    }

  return n;
}

static void
clear_error (HaulAddDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->checksum_hint_label), TRUE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->checksum_row), "error");
  gtk_accessible_reset_state (GTK_ACCESSIBLE (self->checksum_row), GTK_ACCESSIBLE_STATE_INVALID);
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
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.add", buffer_has_content (buffer));
  clear_error (self);
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
  if (folder == NULL || folder[0] == '\0')
    folder = haul_folders_get_default ();

  if (g_strcmp0 (self->folder, folder) == 0)
    return;

  g_free (self->folder);
  self->folder = g_strdup (folder);
  adw_action_row_set_subtitle (self->folder_row, self->folder);
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

static void
add_action_cb (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  HaulAddDialog *self = HAUL_ADD_DIALOG (widget);
  g_autoptr(HaulAddDialog) hold = NULL;

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
      if (count_links (self->buffer, 2) > 1)
        {
          show_checksum_error (self, _("A checksum can only be given for a single link. "
                                       "Remove the checksum or add the links one at a time."));
          return;
        }

      g_free (self->checksum);
      self->checksum = g_strdup_printf ("%s:%s", haul_checksum_type_name (type), hex);
    }

  /* A handler may destroy the dialog itself. */
  hold = g_object_ref (self);
  g_signal_emit (self, signals[SUBMITTED], 0);
  gtk_window_close (GTK_WINDOW (self));
}

static void
haul_add_dialog_dispose (GObject *object)
{
  HaulAddDialog *self = HAUL_ADD_DIALOG (object);

  g_clear_pointer (&self->chooser, haul_folder_chooser_free);

  gtk_widget_dispose_template (GTK_WIDGET (self), HAUL_TYPE_ADD_DIALOG);

  G_OBJECT_CLASS (haul_add_dialog_parent_class)->dispose (object);
}

static void
haul_add_dialog_finalize (GObject *object)
{
  HaulAddDialog *self = HAUL_ADD_DIALOG (object);

  g_clear_pointer (&self->folder, g_free);
  g_clear_pointer (&self->checksum, g_free);

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
   * Emitted when Add is activated and the input is acceptable. Read the
   * text, folder and checksum in the handler: the dialog closes itself
   * right after.
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
  gtk_widget_class_bind_template_callback (widget_class, buffer_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, checksum_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, folder_button_clicked_cb);
}

static void
haul_add_dialog_init (HaulAddDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
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
