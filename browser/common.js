/* common.js — what the background script and the popup share: the browser's
 * API object, the settings in storage, and talking to Haul's loopback
 * endpoint (browser/PROTOCOL.md is the protocol; this is the extension's side).
 *
 * Loaded as a classic script: by importScripts() in Chromium's service
 * worker, as the first of background.scripts in Firefox, and by popup.html.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

'use strict';

/* Firefox has `browser` (promises); Chromium's `chrome` returns promises too
 * in Manifest V3. */
const api = globalThis.browser ?? globalThis.chrome;

const HAUL_PORTS = [42850, 42851];
/* No answer within this long: the browser keeps the download (fails open). */
const HAUL_TIMEOUT_MS = 3000;
const HISTORY_LENGTH = 5;

/* storage.local keys:
 *   enabled  false when the popup's switch is off (missing: on)
 *   token    the token Haul gave at pairing
 *   port     a port to use instead of 42850/42851 (tests set it)
 *   lastPort the one of 42850/42851 that answered last
 *   history  the last handoffs, newest first: {name, time, result} */
async function haulSettings () {
  const s = await api.storage.local.get(['enabled', 'token', 'port', 'lastPort']);
  return {
    enabled: s.enabled !== false,
    token: typeof s.token === 'string' && s.token !== '' ? s.token : null,
    port: Number.isInteger(s.port) && s.port > 0 && s.port < 65536 ? s.port : null,
    lastPort: HAUL_PORTS.includes(s.lastPort) ? s.lastPort : null,
  };
}

function haulPortsToTry (settings) {
  if (settings.port !== null)
    return [settings.port];
  if (settings.lastPort !== null)
    return [settings.lastPort, ...HAUL_PORTS.filter(p => p !== settings.lastPort)];
  return HAUL_PORTS;
}

/* The name Haul lists this browser under after pairing. */
function haulBrowserName () {
  if (/\bFirefox\//.test(navigator.userAgent))
    return 'Firefox';
  const brands = (navigator.userAgentData?.brands ?? [])
    .map(b => b.brand)
    .filter(b => !/not.a.brand/i.test(b) && b !== 'Chromium');
  return brands[0] ?? 'Chromium';
}

/* One request to Haul. Tries the port from storage, or 42850 then 42851,
 * all within one HAUL_TIMEOUT_MS. Resolves to {status, body} (body: the
 * parsed JSON, or null), or to null when nothing answered: Haul is not
 * running, browser integration is off, or it took too long. Never throws.
 * The token is sent only to the loopback addresses, never logged. */
async function haulRequest (method, path, body, { token = null } = {}) {
  const settings = await haulSettings();
  const deadline = Date.now() + HAUL_TIMEOUT_MS;
  for (const port of haulPortsToTry(settings)) {
    const left = deadline - Date.now();
    if (left <= 0)
      break;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), left);
    const headers = { 'X-Haul-Client': '1' };
    if (token !== null)
      headers.Authorization = `Bearer ${token}`;
    if (body !== undefined)
      headers['Content-Type'] = 'application/json';
    try {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
        credentials: 'omit',
        cache: 'no-store',
        redirect: 'error',
      });
      let parsed = null;
      try {
        parsed = await response.json();
      } catch (e) {
        parsed = null;
      }
      if (settings.port === null && settings.lastPort !== port)
        await api.storage.local.set({ lastPort: port });
      return { status: response.status, body: parsed };
    } catch (e) {
      if (controller.signal.aborted)
        return null;
      /* Connection refused: try the fallback port. */
    } finally {
      clearTimeout(timer);
    }
  }
  return null;
}

/* Adds one handoff to the popup's list. @result: "added", "offered" or "kept". */
async function haulRecordHandoff (name, result) {
  const { history } = await api.storage.local.get('history');
  const list = Array.isArray(history) ? history : [];
  list.unshift({ name, time: Date.now(), result });
  await api.storage.local.set({ history: list.slice(0, HISTORY_LENGTH) });
}
