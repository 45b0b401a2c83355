/* popup.js — the toolbar popup: the on/off switch, whether this browser is
 * paired with Haul (GET /v1/hello), pairing with the one-time code from
 * Haul's Preferences (POST /v1/pair), unpairing, and the last handoffs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

'use strict';

const $ = id => document.getElementById(id);
const msg = (name, ...subs) => api.i18n.getMessage(name, subs);

/* The alphabet of Haul's codes: no 0/O/1/I/L (browser/PROTOCOL.md). */
const CODE_RE = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/;

function translate () {
  document.documentElement.lang = api.i18n.getUILanguage();
  for (const node of document.querySelectorAll('[data-i18n]'))
    node.textContent = msg(node.dataset.i18n);
}

function showStatus (state, text) {
  const status = $('status');
  status.dataset.state = state;
  status.textContent = text;
}

function showPairError (text) {
  const error = $('pair-error');
  error.textContent = text ?? '';
  error.hidden = text === null;
}

/* Asks Haul whether the token still works and shows what it said. */
async function refreshStatus () {
  const { token } = await haulSettings();
  const answer = await haulRequest('GET', '/v1/hello', undefined, { token });
  let state;
  if (answer === null) {
    state = 'not-running';
    showStatus(state, msg('statusNotRunning'));
  } else if (token !== null && answer.status === 200) {
    state = 'paired';
    const name = typeof answer.body?.browser === 'string' ? answer.body.browser : haulBrowserName();
    showStatus(state, msg('statusPaired', name));
  } else {
    state = 'not-paired';
    showStatus(state, msg('statusNotPaired'));
  }
  $('pair-form').hidden = state !== 'not-paired';
  $('paired-actions').hidden = token === null;
  document.body.dataset.state = state;
}

async function pairSubmitted (event) {
  event.preventDefault();
  const code = $('code').value.trim().toUpperCase();
  if (!CODE_RE.test(code)) {
    showPairError(msg('codeInvalid'));
    return;
  }
  $('pair').disabled = true;
  showPairError(null);
  try {
    const answer = await haulRequest('POST', '/v1/pair', { code, browser: haulBrowserName() });
    if (answer === null) {
      showPairError(msg('statusNotRunning'));
    } else if (answer.status === 200 && typeof answer.body?.token === 'string') {
      await api.storage.local.set({ token: answer.body.token });
      $('code').value = '';
    } else if (answer.status === 429) {
      showPairError(msg('pairTooMany'));
    } else {
      showPairError(msg('pairRefused'));
    }
  } finally {
    $('pair').disabled = false;
  }
  await refreshStatus();
}

async function unpairClicked () {
  await api.storage.local.remove('token');
  showPairError(null);
  await refreshStatus();
}

function showSwitch (enabled) {
  $('enabled').checked = enabled;
  $('switch-state').textContent = msg(enabled ? 'switchOn' : 'switchOff');
}

async function switchToggled () {
  const enabled = $('enabled').checked;
  await api.storage.local.set({ enabled });
  showSwitch(enabled);
}

function formatTime (time) {
  const date = new Date(time);
  const today = new Date().toDateString() === date.toDateString();
  const format = today ? { hour: '2-digit', minute: '2-digit' }
                       : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' };
  return new Intl.DateTimeFormat(api.i18n.getUILanguage(), format).format(date);
}

const RESULT_MESSAGES = { added: 'resultAdded', offered: 'resultOffered', kept: 'resultKept' };

function showHistory (history) {
  const list = $('history');
  list.replaceChildren();
  for (const entry of Array.isArray(history) ? history : []) {
    const item = document.createElement('li');
    item.dataset.result = entry.result;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = entry.name;
    name.title = entry.name;
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = `${formatTime(entry.time)} · ${msg(RESULT_MESSAGES[entry.result] ?? 'resultKept')}`;
    item.append(name, meta);
    list.append(item);
  }
  $('history-empty').hidden = list.childElementCount > 0;
}

function storageChanged (changes, area) {
  if (area !== 'local')
    return;
  if ('history' in changes)
    showHistory(changes.history.newValue);
  if ('enabled' in changes)
    showSwitch(changes.enabled.newValue !== false);
  if ('port' in changes)
    refreshStatus();
}

async function init () {
  translate();
  const { enabled } = await haulSettings();
  const { history } = await api.storage.local.get('history');
  showSwitch(enabled);
  showHistory(history);
  $('enabled').addEventListener('change', switchToggled);
  $('pair-form').addEventListener('submit', pairSubmitted);
  $('unpair').addEventListener('click', unpairClicked);
  api.storage.onChanged.addListener(storageChanged);
  await refreshStatus();
}

init();
