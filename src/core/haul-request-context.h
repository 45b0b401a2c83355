/* haul-request-context.h — what a download sends besides its link:
 * cookies, referrer, user agent and extra headers
 *
 * A HaulRequestContext is built on one thread (the window, the command
 * line, the endpoint), then attached to a download, which freezes it: from
 * then on it never changes and any thread may read it (a job holds a
 * reference and its worker and extra connections apply it to every
 * request). Building is not thread-safe; reading a frozen one is.
 *
 * Cookie and header values are secrets: nothing here logs them or puts
 * them in an error message, and haul_request_context_describe() names only
 * counts and the referrer's host.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Limits: a value (header value, referrer, user agent), a header name, the
 * number of extra headers and of cookies, a cookies.txt file, and the
 * stored text (also the store column's limit). */
#define HAUL_REQUEST_CONTEXT_MAX_VALUE     8192
#define HAUL_REQUEST_CONTEXT_MAX_NAME      256
#define HAUL_REQUEST_CONTEXT_MAX_HEADERS   64
#define HAUL_REQUEST_CONTEXT_MAX_COOKIES   100000
#define HAUL_REQUEST_CONTEXT_MAX_FILE      (4 * 1024 * 1024)
#define HAUL_REQUEST_CONTEXT_MAX_TEXT      (8 * 1024 * 1024)

#define HAUL_REQUEST_CONTEXT_ERROR (haul_request_context_error_quark ())

/**
 * HaulRequestContextError:
 * @HAUL_REQUEST_CONTEXT_ERROR_INVALID: a header, referrer or user agent is not valid
 * @HAUL_REQUEST_CONTEXT_ERROR_RESERVED: a header Haul sets itself
 * @HAUL_REQUEST_CONTEXT_ERROR_TOO_MANY: over one of the limits
 * @HAUL_REQUEST_CONTEXT_ERROR_COOKIES_FILE: a cookies file that cannot be used
 * @HAUL_REQUEST_CONTEXT_ERROR_DAMAGED: stored text that is not a context
 */
typedef enum
{
  HAUL_REQUEST_CONTEXT_ERROR_INVALID,
  HAUL_REQUEST_CONTEXT_ERROR_RESERVED,
  HAUL_REQUEST_CONTEXT_ERROR_TOO_MANY,
  HAUL_REQUEST_CONTEXT_ERROR_COOKIES_FILE,
  HAUL_REQUEST_CONTEXT_ERROR_DAMAGED,
} HaulRequestContextError;

GQuark haul_request_context_error_quark (void);

typedef struct _HaulRequestContext HaulRequestContext;

#define HAUL_TYPE_REQUEST_CONTEXT (haul_request_context_get_type ())

GType               haul_request_context_get_type        (void) G_GNUC_CONST;

HaulRequestContext *haul_request_context_new             (void);
HaulRequestContext *haul_request_context_ref             (HaulRequestContext  *self);
void                haul_request_context_unref           (HaulRequestContext  *self);
HaulRequestContext *haul_request_context_copy_for_site   (HaulRequestContext  *self,
                                                          const char          *uri);

void                haul_request_context_freeze          (HaulRequestContext  *self);
gboolean            haul_request_context_is_frozen       (HaulRequestContext  *self);

gboolean            haul_request_context_set_referrer    (HaulRequestContext  *self,
                                                          const char          *referrer,
                                                          GError             **error);
const char         *haul_request_context_get_referrer    (HaulRequestContext  *self);
gboolean            haul_request_context_set_user_agent  (HaulRequestContext  *self,
                                                          const char          *user_agent,
                                                          GError             **error);
const char         *haul_request_context_get_user_agent  (HaulRequestContext  *self);

gboolean            haul_request_context_add_header      (HaulRequestContext  *self,
                                                          const char          *name,
                                                          const char          *value,
                                                          GError             **error);
gboolean            haul_request_context_add_header_line (HaulRequestContext  *self,
                                                          const char          *line,
                                                          GError             **error);
const char * const *haul_request_context_get_headers     (HaulRequestContext  *self);

void                haul_request_context_add_cookie      (HaulRequestContext  *self,
                                                          SoupCookie          *cookie);
GSList             *haul_request_context_get_cookies     (HaulRequestContext  *self);
gboolean            haul_request_context_load_cookies_file (HaulRequestContext *self,
                                                          const char          *path,
                                                          GError             **error);
void                haul_request_context_load_cookies_file_async (const char          *path,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
HaulRequestContext *haul_request_context_load_cookies_file_finish (GAsyncResult  *result,
                                                                 GError       **error);
char               *haul_request_context_dup_cookie_header (HaulRequestContext *self,
                                                          GUri                *uri);

void                haul_request_context_apply           (HaulRequestContext  *self,
                                                          SoupMessage         *msg);

char               *haul_request_context_to_string       (HaulRequestContext  *self);
HaulRequestContext *haul_request_context_new_from_string (const char          *text,
                                                          GError             **error);
gboolean            haul_request_context_is_empty        (HaulRequestContext  *self);
char               *haul_request_context_describe        (HaulRequestContext  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulRequestContext, haul_request_context_unref)

G_END_DECLS
