/* haul-keyring.c — passwords in the keyring, and signing downloads in with them
 *
 * One libsecret schema, "io.github.haulapp.Haul.Password", with the
 * attributes "server" (scheme://host:port of the download's link) and
 * "user". libsecret talks to the Secret Service on the session bus, or,
 * inside a Flatpak sandbox, to the Secret portal by itself. Only the async
 * API is used, on the main thread.
 *
 * haul_keyring_watch_queue(): when a download pauses because its server
 * asked for a password it was not given (not one that was refused), the
 * keyring is asked for the server (and the download's user name, if it
 * has one: restored downloads keep theirs in the store). A password found
 * signs the download in and resumes it, once per pause: a refused one is
 * never tried again by itself, so nothing loops.
 *
 * The manual proxies' password is an item of the same schema with
 * server = "proxy" (HAUL_KEYRING_PROXY_SERVER) and the proxy-user setting
 * as its user (haul-proxy-group.c stores it, haul-proxy-settings.c reads it).
 *
 * Thread: main.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-keyring"

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "haul-auth.h"
#include "haul-download.h"
#include "haul-keyring.h"

static const SecretSchema *
password_schema (void)
{
  static const SecretSchema schema = {
    "io.github.haulapp.Haul.Password", SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };

  return &schema;
}

/**
 * haul_keyring_server_for_uri:
 *
 * "scheme://host:port" of @uri (the port always given), or %NULL when
 * @uri is not a link with a host.
 */
char *
haul_keyring_server_for_uri (const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  const char *scheme, *host;
  int port;

  if (parsed == NULL || (host = g_uri_get_host (parsed)) == NULL)
    return NULL;
  scheme = g_uri_get_scheme (parsed);
  port = g_uri_get_port (parsed);
  if (port < 0)
    port = g_ascii_strcasecmp (scheme, "https") == 0 ? 443 : 80;
  return g_strdup_printf (strchr (host, ':') ? "%s://[%s]:%d" : "%s://%s:%d",
                          scheme, host, port);
}

static void
stored_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (secret_password_store_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Stores (or replaces) the password of @user at @server. */
void
haul_keyring_store_async (const char          *server,
                          const char          *user,
                          const char          *password,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  /* Translators: the keyring's name for a saved password: "alice at https://example.org:443" */
  g_autofree char *label = g_strdup_printf (_("Haul: %s at %s"), user, server);

  g_task_set_source_tag (task, haul_keyring_store_async);
  secret_password_store (password_schema (), SECRET_COLLECTION_DEFAULT, label, password,
                         cancellable, stored_cb, task,
                         "server", server, "user", user, NULL);
}

gboolean
haul_keyring_store_finish (GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
cleared_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error: there was nothing to forget. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Forgets the password of @user at @server, if the keyring has one. */
void
haul_keyring_clear_async (const char          *server,
                          const char          *user,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, haul_keyring_clear_async);
  secret_password_clear (password_schema (), cancellable, cleared_cb, task,
                         "server", server, "user", user, NULL);
}

gboolean
haul_keyring_clear_finish (GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  char *server;
  char *user;
  char *password;
} Lookup;

static void
lookup_free (gpointer data)
{
  Lookup *l = data;

  g_free (l->server);
  g_free (l->user);
  haul_auth_wipe (&l->password);
  g_free (l);
}

static void
looked_up_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Lookup *l = g_task_get_task_data (task);
  GError *error = NULL;
  char *password = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  l->password = g_strdup (password);
  secret_password_free (password);
  g_task_return_boolean (task, TRUE);
}

static void
look_up_password (GTask *task)
{
  Lookup *l = g_task_get_task_data (task);

  secret_password_lookup (password_schema (), g_task_get_cancellable (task), looked_up_cb, task,
                          "server", l->server, "user", l->user, NULL);
}

/* Any user of the server: the first item's "user" (no secret loaded). */
static void
searched_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  Lookup *l = g_task_get_task_data (task);
  GError *error = NULL;
  GList *items = secret_password_search_finish (result, &error);

  if (error != NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (items != NULL)
    {
      g_autoptr(GHashTable) attributes = secret_retrievable_get_attributes (items->data);

      l->user = g_strdup (g_hash_table_lookup (attributes, "user"));
    }
  g_list_free_full (items, g_object_unref);
  if (l->user == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  look_up_password (task);
}

/**
 * haul_keyring_lookup_async:
 * @user: (nullable): the user name, or %NULL for any user of @server
 *
 * Looks for a saved password for @server (and @user). The result gives
 * the user name and password, both %NULL when none is saved.
 */
void
haul_keyring_lookup_async (const char          *server,
                           const char          *user,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Lookup *l = g_new0 (Lookup, 1);

  g_task_set_source_tag (task, haul_keyring_lookup_async);
  l->server = g_strdup (server);
  l->user = g_strdup (user);
  g_task_set_task_data (task, l, lookup_free);
  if (user != NULL)
    {
      look_up_password (task);
      return;
    }
  secret_password_search (password_schema (), SECRET_SEARCH_NONE, cancellable, searched_cb, task,
                          "server", server, NULL);
}

gboolean
haul_keyring_lookup_finish (GAsyncResult  *result,
                            char         **user,
                            char         **password,
                            GError       **error)
{
  GTask *task = G_TASK (result);
  Lookup *l;

  if (!g_task_propagate_boolean (task, error))
    return FALSE;
  l = g_task_get_task_data (task);
  *user = l->password != NULL ? g_strdup (l->user) : NULL;
  *password = l->password != NULL ? g_strdup (l->password) : NULL;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Signing paused downloads in with what the keyring has */

static void
download_looked_up_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(HaulDownload) d = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *user = NULL;
  g_autofree char *password = NULL;
  HaulQueue *queue = g_object_get_data (G_OBJECT (d), "haul-keyring-queue");

  if (!haul_keyring_lookup_finish (result, &user, &password, &error))
    {
      /* No keyring (no Secret Service, or it said no): the person signs in. */
      g_debug ("no password from the keyring: %s", error->message);
      return;
    }
  /* Only if it still waits for one: the person may have signed in since. */
  if (password != NULL && queue != NULL &&
      haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_PAUSED &&
      haul_download_get_auth_needed (d) == HAUL_DOWNLOAD_AUTH_SERVER &&
      !haul_download_has_password (d, FALSE))
    haul_queue_set_credentials (queue, d, user, password, FALSE);
  haul_auth_wipe (&password);
}

static void
needs_password_cb (HaulQueue    *queue,
                   HaulDownload *d,
                   gpointer      user_data)
{
  g_autofree char *server = NULL;

  /* Only a question the download had no answer to: a refused password is
   * never tried again by itself. */
  if (haul_download_get_auth_needed (d) != HAUL_DOWNLOAD_AUTH_SERVER ||
      haul_download_has_password (d, FALSE) ||
      (server = haul_keyring_server_for_uri (haul_download_get_uri (d))) == NULL)
    return;
  g_object_set_data (G_OBJECT (d), "haul-keyring-queue", queue);
  haul_keyring_lookup_async (server, haul_download_get_auth_user (d), NULL,
                             download_looked_up_cb, g_object_ref (d));
}

/**
 * haul_keyring_watch_queue:
 *
 * From now on, a download of @queue that pauses because its server asks
 * for a password it had none for is signed in with the one the keyring
 * has for that server (and its user name), if any, and resumed.
 */
void
haul_keyring_watch_queue (HaulQueue *queue)
{
  g_signal_connect (queue, "download-needs-password", G_CALLBACK (needs_password_cb), NULL);
}
