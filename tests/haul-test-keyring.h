/* haul-test-keyring.h — a real keyring for tests: gnome-keyring-daemon in the test's D-Bus session
 *
 * gnome-keyring-daemon (the secrets component only) started in the
 * session bus the test runs under (dbus-run-session), in a throwaway home
 * (haul_test_keyring_make_home()), unlocked with a password on its
 * standard input, so it makes a fresh login keyring there. Haul's keyring
 * code (src/haul-keyring.c) then stores and looks up through libsecret as
 * it would in a desktop session; libsecret's own `secret-tool` checks
 * what it holds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A throwaway home made from @tmpl (as g_dir_make_tmp()), with HOME,
 * XDG_CONFIG_HOME (HOME/.config), XDG_DATA_HOME (HOME/.local/share, made)
 * and XDG_RUNTIME_DIR (HOME/run, made) set to it. Call it in main(),
 * before g_test_init() and before anything reads those; remove it with
 * haul_test_rm_rf() at the end. Returns: (transfer full) the home's path */
char *haul_test_keyring_make_home (const char *tmpl);

/* Starts the daemon and waits until it owns org.freedesktop.secrets on
 * the session bus (or ends the test). It ends with the test however the
 * test ends (PR_SET_PDEATHSIG; its output is silenced: a daemon left
 * holding the test's pipes would keep meson waiting). */
void  haul_test_keyring_start     (void);
/* Stops it, if started. */
void  haul_test_keyring_stop      (void);

/* What `secret-tool lookup` finds for Haul's schema
 * (io.github.haulapp.Haul.Password) with @server and @user: the password,
 * "" for none. Returns: (transfer full) */
char *haul_test_keyring_lookup    (const char *server,
                                   const char *user);
/* Storing is asynchronous (libsecret): looks up until the keyring has
 * @expected for @server and @user, 20 s at most; returns what it found
 * last. Returns: (transfer full) */
char *haul_test_keyring_wait_for  (const char *server,
                                   const char *user,
                                   const char *expected);

G_END_DECLS
