/* content.js — tells the background which link was clicked, from which page,
 * and whether Shift was held (Shift: the browser keeps that download).
 * Runs in every http(s) page and frame; it reads nothing but the click's
 * link and modifier, and changes nothing on the page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

'use strict';

(() => {
  const api = globalThis.browser ?? globalThis.chrome;

  function clicked (event) {
    const link = event.target instanceof Element ? event.target.closest('a[href], area[href]') : null;
    if (link === null)
      return;
    try {
      api.runtime.sendMessage({ type: 'link-click', url: link.href, shift: event.shiftKey })
        .catch(() => {});
    } catch (e) {
      /* The extension was reloaded: this page's script is orphaned. */
    }
  }

  window.addEventListener('click', clicked, { capture: true });
  window.addEventListener('auxclick', clicked, { capture: true });
})();
