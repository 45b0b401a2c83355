/* haul-pairings.c — the browsers paired with Haul, and the one-time pairing code
 *
 * A crossing between two threads, behind one mutex:
 *
 * - the main thread (Preferences) asks for the code, makes a new one,
 *   lists the paired browsers and revokes one;
 * - the endpoint's thread (haul-endpoint.c) checks a code and pairs a
 *   browser, checks tokens on every request, and loads the file when the
 *   endpoint starts.
 *
 * @mutex guards everything below it in the struct; no call into other
 * code is made with it held. "changed" is emitted on the main context of
 * the thread that created the object (one pending idle at most), whichever
 * thread changed something.
 *
 * The code: HAUL_PAIRING_CODE_LENGTH characters of an alphabet without
 * 0/O/1/I/L, case-insensitive, valid for five minutes, used once;
 * HAUL_PAIRING_MAX_TRIES wrong codes in a row burn it. There is a code only
 * while Preferences shows one (haul_pairings_dup_code() makes it,
 * _clear_code() drops it).
 *
 * A token is 32 bytes from the kernel's CSPRNG (getrandom()), given to the
 * browser once as 43 base64url characters. Only its SHA-256 is kept, with
 * the browser's name, an id and the date, in a key file (by default
 * $XDG_CONFIG_HOME/haul/browsers.ini) of mode 0600, replaced atomically
 * (g_file_set_contents_full()). Why a file and not GSettings: a key file
 * can be kept private to the person (dconf's database is readable by the
 * whole session and goes into backups and sync tools as settings), and it
 * is written from the endpoint's thread without a GSettings object there.
 * A pairing is written on the endpoint's thread; a revocation on GLib's
 * pool. @save_mutex orders the writes: each writes the newest state, so
 * the last write on disk is the newest.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-pairings"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "haul-pairings.h"

#define TOKEN_BYTES   32
#define ID_BYTES      8
#define MAX_FILE_SIZE (256 * 1024)
#define GROUP_PREFIX  "Browser "

typedef struct
{
  char   *id;
  char   *browser;
  char   *hash;     /* SHA-256 of the token, lower-case hex */
  gint64  paired;
} Entry;

struct _HaulPairings
{
  GObject            parent_instance;

  char              *path;
  GMainContext      *context;     /* where "changed" is emitted */
  HaulPairingsClock  clock;
  gpointer           clock_data;
  gint               changed_pending;  /* atomic */

  GMutex             save_mutex;  /* one write (or the first load) at a time */

  GMutex             mutex;
  GPtrArray         *entries;     /* Entry */
  gboolean           loaded;
  char              *code;        /* NULL: no code shown */
  gint64             code_expires;
  guint              tries;       /* wrong codes since this one was made */
  guint64            generation;  /* of entries */
  guint64            saved_generation;
};

G_DEFINE_FINAL_TYPE (HaulPairings, haul_pairings, G_TYPE_OBJECT)

HAUL_DEFINE_QUARK (haul-pairings-error-quark, haul_pairings_error)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
entry_free (Entry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->id);
  g_free (entry->browser);
  g_free (entry->hash);
  g_free (entry);
}

void
haul_pairing_free (HaulPairing *pairing)
{
  if (pairing == NULL)
    return;
  g_free (pairing->id);
  g_free (pairing->browser);
  g_free (pairing);
}

/* ------------------------------------------------------------------ */
/* Randomness and hashes (any thread) */

static void
random_bytes (guint8 *buf,
              gsize   len)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = getrandom (buf + done, len - done, 0);

      if (n < 0 && errno == EINTR)
        continue;
      /* getrandom() only fails without the syscall (Linux < 3.17). */
      if (n < 0)
        g_error ("No random numbers from the kernel: %s", g_strerror (errno));
      done += (gsize) n;
    }
}

static char *
random_code (void)
{
  const char *alphabet = HAUL_PAIRING_CODE_ALPHABET;
  guint n = strlen (alphabet);
  guint limit = 256 - 256 % n;  /* no bias: bytes past the last full round are drawn again */
  char *code = g_malloc0 (HAUL_PAIRING_CODE_LENGTH + 1);
  guint i = 0;

  while (i < HAUL_PAIRING_CODE_LENGTH)
    {
      guint8 byte;

      random_bytes (&byte, 1);
      if (byte < limit)
        code[i++] = alphabet[byte % n];
    }
  return code;
}

static char *
random_hex (gsize len)
{
  g_autofree guint8 *bytes = g_malloc (len);
  GString *hex = g_string_sized_new (len * 2);

  random_bytes (bytes, len);
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", bytes[i]);
  return g_string_free (hex, FALSE);
}

static char *
new_token (void)
{
  guint8 bytes[TOKEN_BYTES];
  g_autofree char *base64 = NULL;
  GString *token;

  random_bytes (bytes, sizeof bytes);
  base64 = g_base64_encode (bytes, sizeof bytes);
  memset (bytes, 0, sizeof bytes);
  token = g_string_new (NULL);
  for (const char *p = base64; *p != '\0' && *p != '='; p++)
    g_string_append_c (token, *p == '+' ? '-' : *p == '/' ? '_' : *p);
  memset (base64, 0, strlen (base64));
  return g_string_free (token, FALSE);
}

static char *
hash_token (const char *token)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}

/* Compares without stopping at the first difference. */
static gboolean
equal_in_constant_time (const char *a,
                        const char *b)
{
  gsize len = strlen (a);
  guint8 diff = len != strlen (b);

  for (gsize i = 0; i < len; i++)
    diff |= (guint8) (a[i] ^ b[MIN (i, strlen (b))]);
  return diff == 0;
}

/* ------------------------------------------------------------------ */
/* "changed", on the creating thread's context */

static gboolean
emit_changed_cb (gpointer data)
{
  HaulPairings *self = data;

  g_atomic_int_set (&self->changed_pending, 0);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

static void
schedule_changed (HaulPairings *self)
{
  GSource *source;

  if (!g_atomic_int_compare_and_exchange (&self->changed_pending, 0, 1))
    return;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, emit_changed_cb, g_object_ref (self), g_object_unref);
  g_source_set_static_name (source, "[haul] pairings changed");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

/* ------------------------------------------------------------------ */
/* The file (never on the main thread) */

static gboolean
is_hex (const char *s,
        gsize       len)
{
  if (s == NULL || strlen (s) != len)
    return FALSE;
  for (const char *p = s; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

static Entry *
read_entry (GKeyFile   *file,
            const char *group)
{
  const char *id = group + strlen (GROUP_PREFIX);
  g_autofree char *browser = g_key_file_get_string (file, group, "Name", NULL);
  g_autofree char *hash = g_key_file_get_string (file, group, "Token-SHA256", NULL);
  g_autofree char *date = g_key_file_get_string (file, group, "Paired", NULL);
  g_autoptr(GDateTime) when = date != NULL ? g_date_time_new_from_iso8601 (date, NULL) : NULL;
  Entry *entry;

  if (!g_str_has_prefix (group, GROUP_PREFIX) || !is_hex (id, ID_BYTES * 2) || !is_hex (hash, 64) ||
      browser == NULL || *browser == '\0' || strlen (browser) > HAUL_PAIRING_MAX_NAME || when == NULL)
    return NULL;
  entry = g_new0 (Entry, 1);
  entry->id = g_strdup (id);
  entry->browser = g_steal_pointer (&browser);
  entry->hash = g_steal_pointer (&hash);
  entry->paired = g_date_time_to_unix (when);
  return entry;
}

static GPtrArray *
read_file (const char *path)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) groups = NULL;
  gsize len = 0;
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return entries;
  if (!S_ISREG (st.st_mode) || st.st_size > MAX_FILE_SIZE ||
      !g_file_get_contents (path, &text, &len, &error) ||
      !g_key_file_load_from_data (file, text, len, G_KEY_FILE_NONE, &error))
    {
      g_warning ("The list of paired browsers (%s) cannot be read; no browser is paired", path);
      return entries;
    }
  groups = g_key_file_get_groups (file, NULL);
  for (guint i = 0; groups[i] != NULL && entries->len < HAUL_PAIRING_MAX_BROWSERS; i++)
    {
      Entry *entry = read_entry (file, groups[i]);

      if (entry == NULL)
        g_warning ("A paired browser in %s is damaged: ignored", path);
      else
        g_ptr_array_add (entries, entry);
    }
  return entries;
}

/* Under self->mutex. */
static char *
to_text (HaulPairings *self,
         gsize        *len)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();

  g_key_file_set_comment (file, NULL, NULL,
                          " Browsers paired with Haul: SHA-256 hashes of their tokens, never the tokens", NULL);
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);
      g_autofree char *group = g_strconcat (GROUP_PREFIX, entry->id, NULL);
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (entry->paired);
      g_autofree char *date = g_date_time_format_iso8601 (when);

      g_key_file_set_string (file, group, "Name", entry->browser);
      g_key_file_set_string (file, group, "Token-SHA256", entry->hash);
      g_key_file_set_string (file, group, "Paired", date);
    }
  return g_key_file_to_data (file, len, NULL);
}

static void
save (HaulPairings *self)
{
  g_autofree char *text = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;
  guint64 generation;
  gsize len;

  g_mutex_lock (&self->save_mutex);
  g_mutex_lock (&self->mutex);
  generation = self->generation;
  if (generation != self->saved_generation)
    text = to_text (self, &len);
  g_mutex_unlock (&self->mutex);

  if (text != NULL)
    {
      dir = g_path_get_dirname (self->path);
      if (g_mkdir_with_parents (dir, 0700) != 0 ||
          !g_file_set_contents_full (self->path, text, len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
        g_warning ("The list of paired browsers cannot be saved in %s", self->path);
      g_mutex_lock (&self->mutex);
      self->saved_generation = MAX (self->saved_generation, generation);
      g_mutex_unlock (&self->mutex);
    }
  g_mutex_unlock (&self->save_mutex);
}

static void
save_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  save (source);
  g_task_return_boolean (task, TRUE);
}

/* From the main thread: on GLib's pool. */
static void
save_later (HaulPairings *self)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, NULL, NULL);

  g_task_set_name (task, "[haul] save pairings");
  g_task_run_in_thread (task, save_thread);
}

/**
 * haul_pairings_load:
 *
 * Reads the file, once (later calls do nothing). Blocks on the disk: call
 * it off the main thread (the endpoint's thread does, when it starts).
 * "changed" follows when it found browsers.
 */
void
haul_pairings_load (HaulPairings *self)
{
  g_autoptr(GPtrArray) entries = NULL;
  gboolean loaded;

  g_return_if_fail (HAUL_IS_PAIRINGS (self));

  g_mutex_lock (&self->save_mutex);
  g_mutex_lock (&self->mutex);
  loaded = self->loaded;
  g_mutex_unlock (&self->mutex);
  if (!loaded)
    entries = read_file (self->path);

  g_mutex_lock (&self->mutex);
  if (entries != NULL && !self->loaded)
    {
      /* Anything paired before the load (nothing, in Haul) stays too. */
      for (guint i = 0; i < entries->len; i++)
        g_ptr_array_add (self->entries, g_steal_pointer (&entries->pdata[i]));
      self->loaded = TRUE;
    }
  g_mutex_unlock (&self->mutex);
  g_mutex_unlock (&self->save_mutex);
  if (entries != NULL && entries->len > 0)
    schedule_changed (self);
}

/* ------------------------------------------------------------------ */
/* The code */

static gint64
now (HaulPairings *self)
{
  return self->clock (self->clock_data);
}

/* Under self->mutex. */
static void
drop_code (HaulPairings *self)
{
  g_clear_pointer (&self->code, g_free);
  self->tries = 0;
}

/**
 * haul_pairings_dup_code:
 * @expires: (out) (optional): when it expires, on the clock's scale (µs)
 *
 * The code Preferences shows: the current one, or a new one when there is
 * none or it expired.
 */
char *
haul_pairings_dup_code (HaulPairings *self,
                        gint64       *expires)
{
  char *code;

  g_return_val_if_fail (HAUL_IS_PAIRINGS (self), NULL);

  g_mutex_lock (&self->mutex);
  if (self->code == NULL || now (self) >= self->code_expires)
    {
      drop_code (self);
      self->code = random_code ();
      self->code_expires = now (self) + HAUL_PAIRING_CODE_LIFETIME;
    }
  code = g_strdup (self->code);
  if (expires != NULL)
    *expires = self->code_expires;
  g_mutex_unlock (&self->mutex);
  return code;
}

/* The "New Code" button. */
void
haul_pairings_new_code (HaulPairings *self)
{
  g_return_if_fail (HAUL_IS_PAIRINGS (self));

  g_mutex_lock (&self->mutex);
  drop_code (self);
  g_mutex_unlock (&self->mutex);
  schedule_changed (self);
}

/* Preferences no longer shows a code: there is none. */
void
haul_pairings_clear_code (HaulPairings *self)
{
  g_return_if_fail (HAUL_IS_PAIRINGS (self));

  g_mutex_lock (&self->mutex);
  drop_code (self);
  g_mutex_unlock (&self->mutex);
}

/* Under self->mutex. */
static gboolean
take_code (HaulPairings *self,
           const char   *code,
           GError      **error)
{
  g_autofree char *upper = g_ascii_strup (code, -1);

  if (self->code == NULL || now (self) >= self->code_expires)
    {
      drop_code (self);
      g_set_error_literal (error, HAUL_PAIRINGS_ERROR, HAUL_PAIRINGS_ERROR_NO_CODE,
                           _("There is no pairing code: open Preferences → Browser in Haul"));
      return FALSE;
    }
  if (!equal_in_constant_time (upper, self->code))
    {
      if (++self->tries >= HAUL_PAIRING_MAX_TRIES)
        drop_code (self);
      g_set_error_literal (error, HAUL_PAIRINGS_ERROR, HAUL_PAIRINGS_ERROR_WRONG_CODE,
                           _("The pairing code is wrong"));
      return FALSE;
    }
  drop_code (self);
  return TRUE;
}

static gboolean
check_name (const char *browser,
            GError    **error)
{
  if (browser == NULL || *browser == '\0' || strlen (browser) > HAUL_PAIRING_MAX_NAME ||
      !g_utf8_validate (browser, -1, NULL))
    {
      g_set_error (error, HAUL_PAIRINGS_ERROR, HAUL_PAIRINGS_ERROR_INVALID,
                   _("A browser’s name must be a text of 1 to %d bytes"), HAUL_PAIRING_MAX_NAME);
      return FALSE;
    }
  for (const char *p = browser; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      {
        g_set_error_literal (error, HAUL_PAIRINGS_ERROR, HAUL_PAIRINGS_ERROR_INVALID,
                             _("A browser’s name cannot hold control characters"));
        return FALSE;
      }
  return TRUE;
}

/**
 * haul_pairings_pair:
 * @code: the code the person typed into the browser
 * @browser: the browser's name
 * @id: (out) (optional): the pairing's id
 *
 * Checks the code and pairs the browser. Writes the file: call it off the
 * main thread (the endpoint's thread does).
 *
 * Returns: (transfer full): the browser's new token, or %NULL with @error
 *   set (%HAUL_PAIRINGS_ERROR_WRONG_CODE counts towards burning the code)
 */
char *
haul_pairings_pair (HaulPairings *self,
                    const char   *code,
                    const char   *browser,
                    char        **id,
                    GError      **error)
{
  g_autofree char *token = NULL;
  gboolean ok, burnt, full;
  Entry *entry;

  g_return_val_if_fail (HAUL_IS_PAIRINGS (self), NULL);
  g_return_val_if_fail (code != NULL, NULL);

  if (!check_name (browser, error))
    return NULL;

  g_mutex_lock (&self->mutex);
  full = self->entries->len >= HAUL_PAIRING_MAX_BROWSERS;
  ok = !full && take_code (self, code, error);
  burnt = !ok && self->code == NULL;
  if (ok)
    {
      token = new_token ();
      entry = g_new0 (Entry, 1);
      entry->id = random_hex (ID_BYTES);
      entry->browser = g_strdup (browser);
      entry->hash = hash_token (token);
      entry->paired = g_get_real_time () / G_USEC_PER_SEC;
      g_ptr_array_add (self->entries, entry);
      self->generation++;
      if (id != NULL)
        *id = g_strdup (entry->id);
    }
  g_mutex_unlock (&self->mutex);

  if (full)
    g_set_error (error, HAUL_PAIRINGS_ERROR, HAUL_PAIRINGS_ERROR_FULL,
                 _("%d browsers are paired already: revoke one in Preferences first"),
                 HAUL_PAIRING_MAX_BROWSERS);
  if (ok)
    save (self);
  if (ok || burnt)
    schedule_changed (self);
  return g_steal_pointer (&token);
}

/**
 * haul_pairings_check_token:
 *
 * Returns: (transfer full) (nullable): the name @token's browser was paired
 *   under, or %NULL when no unrevoked pairing has it
 */
char *
haul_pairings_check_token (HaulPairings *self,
                           const char   *token)
{
  g_autofree char *hash = NULL;
  char *browser = NULL;

  g_return_val_if_fail (HAUL_IS_PAIRINGS (self), NULL);

  if (token == NULL || *token == '\0' || strlen (token) > 128)
    return NULL;
  hash = hash_token (token);
  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (equal_in_constant_time (hash, entry->hash) && browser == NULL)
        browser = g_strdup (entry->browser);
    }
  g_mutex_unlock (&self->mutex);
  return browser;
}

/* ------------------------------------------------------------------ */
/* The list */

/**
 * haul_pairings_list:
 *
 * Returns: (transfer container) (element-type HaulPairing): copies, oldest
 *   first
 */
GPtrArray *
haul_pairings_list (HaulPairings *self)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) haul_pairing_free);

  g_return_val_if_fail (HAUL_IS_PAIRINGS (self), list);

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);
      HaulPairing *pairing = g_new0 (HaulPairing, 1);

      pairing->id = g_strdup (entry->id);
      pairing->browser = g_strdup (entry->browser);
      pairing->paired = entry->paired;
      g_ptr_array_add (list, pairing);
    }
  g_mutex_unlock (&self->mutex);
  return list;
}

/**
 * haul_pairings_revoke:
 *
 * Forgets a browser at once (its token fails from now on); the file is
 * written on GLib's pool.
 *
 * Returns: %FALSE when no pairing has @id
 */
gboolean
haul_pairings_revoke (HaulPairings *self,
                      const char   *id)
{
  gboolean found = FALSE;

  g_return_val_if_fail (HAUL_IS_PAIRINGS (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->entries->len && !found; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (strcmp (entry->id, id) == 0)
        {
          g_ptr_array_remove_index (self->entries, i);
          self->generation++;
          found = TRUE;
        }
    }
  g_mutex_unlock (&self->mutex);

  if (found)
    {
      save_later (self);
      schedule_changed (self);
    }
  return found;
}

/* ------------------------------------------------------------------ */

static gint64
monotonic_clock (gpointer user_data)
{
  return g_get_monotonic_time ();
}

/* Tests: a clock for the code's expiry (monotonic µs). */
void
haul_pairings_set_clock (HaulPairings      *self,
                         HaulPairingsClock  clock,
                         gpointer           user_data)
{
  g_return_if_fail (HAUL_IS_PAIRINGS (self));

  g_mutex_lock (&self->mutex);
  self->clock = clock != NULL ? clock : monotonic_clock;
  self->clock_data = user_data;
  g_mutex_unlock (&self->mutex);
}

const char *
haul_pairings_get_path (HaulPairings *self)
{
  g_return_val_if_fail (HAUL_IS_PAIRINGS (self), NULL);

  return self->path;
}

static void
haul_pairings_finalize (GObject *object)
{
  HaulPairings *self = HAUL_PAIRINGS (object);

  g_free (self->path);
  g_main_context_unref (self->context);
  g_ptr_array_unref (self->entries);
  g_free (self->code);
  g_mutex_clear (&self->mutex);
  g_mutex_clear (&self->save_mutex);

  G_OBJECT_CLASS (haul_pairings_parent_class)->finalize (object);
}

static void
haul_pairings_class_init (HaulPairingsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = haul_pairings_finalize;

  /**
   * HaulPairings::changed:
   *
   * A browser was paired, loaded or revoked, or the code was used or burnt
   * (ask for it again). On the creating thread's main context.
   */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
haul_pairings_init (HaulPairings *self)
{
  g_mutex_init (&self->mutex);
  g_mutex_init (&self->save_mutex);
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  self->clock = monotonic_clock;
  self->context = g_main_context_ref_thread_default ();
}

/**
 * haul_pairings_new:
 * @path: (nullable): the file; %NULL for $XDG_CONFIG_HOME/haul/browsers.ini
 *
 * Nothing is read yet: see haul_pairings_load().
 */
HaulPairings *
haul_pairings_new (const char *path)
{
  HaulPairings *self = g_object_new (HAUL_TYPE_PAIRINGS, NULL);

  self->path = path != NULL ? g_strdup (path)
                            : g_build_filename (g_get_user_config_dir (), "haul", "browsers.ini", NULL);
  return self;
}
