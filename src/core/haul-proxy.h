/* haul-proxy.h — the proxies downloads go through: addresses, resolvers, messages
 *
 * One GProxyResolver per setting: "system" is GIO's default (GNOME's
 * settings, PAC, the portal in a Flatpak), "none" connects directly
 * whatever the environment says, "manual" is a GSimpleProxyResolver (http
 * links → the HTTP proxy, https links → the HTTPS proxy through CONNECT,
 * the rest → SOCKS5, hosts to bypass). Who carries the password: a SOCKS5
 * proxy's is in its proxy URI (GProxyAddress user/password, GIO's SOCKS5
 * client); an HTTP proxy's (forwarding and CONNECT) is given by libsoup's
 * 407 (haul-auth.c) from haul_queue_set_proxy_credentials(). Messages
 * never hold a password.
 *
 * Thread: any (pure, except haul_proxy_set_error(), which asks the
 * resolver: a worker).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "haul-job.h"

G_BEGIN_DECLS

#define HAUL_PROXY_ERROR (haul_proxy_error_quark ())

typedef enum
{
  HAUL_PROXY_ERROR_INVALID,
} HaulProxyError;

typedef enum
{
  HAUL_PROXY_MODE_SYSTEM,
  HAUL_PROXY_MODE_NONE,
  HAUL_PROXY_MODE_MANUAL,
} HaulProxyMode;

/* What --proxy URL says. */
typedef struct
{
  char    *scheme;    /* "http", "https" or "socks5" (socks5h: the same in GIO) */
  char    *host;      /* IPv6 without brackets */
  guint16  port;
  char    *user;      /* nullable */
  char    *password;  /* nullable; wipe with haul_proxy_url_free() */
} HaulProxyUrl;

GQuark          haul_proxy_error_quark         (void);

gboolean        haul_proxy_mode_from_string    (const char          *text,
                                                HaulProxyMode       *mode);
gboolean        haul_proxy_check_address       (const char          *field,
                                                const char          *text,
                                                char               **host,
                                                guint16             *port,
                                                GError             **error);
gboolean        haul_proxy_check_ignore_hosts  (const char          *field,
                                                const char * const  *hosts,
                                                GError             **error);
char          **haul_proxy_split_hosts         (const char          *text);

HaulProxyUrl   *haul_proxy_url_parse           (const char          *option,
                                                const char          *text,
                                                GError             **error);
void            haul_proxy_url_free            (HaulProxyUrl        *url);

GProxyResolver *haul_proxy_resolver_new_none   (void);
GProxyResolver *haul_proxy_resolver_new_manual (const char          *http,
                                                const char          *https,
                                                const char          *socks,
                                                const char * const  *ignore_hosts,
                                                const char          *user,
                                                const char          *password,
                                                GError             **error);
GProxyResolver *haul_proxy_resolver_new_for_url (const HaulProxyUrl *url);
GProxyResolver *haul_proxy_resolver_new_refusing (const char        *reason);

gboolean        haul_proxy_set_error           (GError             **error,
                                                const GError        *cause,
                                                GProxyResolver      *resolver,
                                                GUri                *uri,
                                                HaulJob             *results);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulProxyUrl, haul_proxy_url_free)

G_END_DECLS
