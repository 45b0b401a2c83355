/* background.js — the extension's background: takes new downloads over
 * (downloads.onCreated → pause → POST /v1/downloads → cancel and erase, or
 * resume when Haul does not take it), the "Download with Haul" link menu,
 * and what the content script says about clicks.
 *
 * Runs as Chromium's service worker (which may be stopped between events:
 * nothing here needs to outlive a few seconds, but for a POST waiting for
 * its answer: see postSeen) and as Firefox's event page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

'use strict';

if (typeof importScripts === 'function' && typeof haulRequest === 'undefined')
  importScripts('common.js');

const MENU_ID = 'haul-download-link';
/* How long a click, a fallback download or a finished POST is remembered
 * for the download it starts. */
const CLICK_MEMORY_MS = 5000;
/* A POST still waiting for its answer is remembered this long (a server
 * may take minutes to build an export), at most POSTS_MAX of them. */
const POST_PENDING_MS = 10 * 60 * 1000;
const POSTS_MAX = 50;
/* Firefox (the only one with runtime.getBrowserInfo). */
const PAUSE_DROPS_CONNECTION = typeof api.runtime.getBrowserInfo === 'function';

/* Recent events, newest last: {url, time, …}. */
const recentClicks = [];  /* from content.js: {url, pageUrl, shift} */
const browserKeeps = [];  /* downloads we started ourselves as a fallback: {url} */
/* POST navigations seen by webRequest, by requestId, oldest first:
 * {url, time, ended} (ended: 0 while in flight). */
const posts = new Map();

function remember (list, entry) {
  const now = Date.now();
  list.push({ ...entry, time: now });
  while (list.length > 0 && (list.length > 50 || now - list[0].time > CLICK_MEMORY_MS))
    list.shift();
}

function recall (list, urls) {
  const now = Date.now();
  for (let i = list.length - 1; i >= 0; i--) {
    if (now - list[i].time <= CLICK_MEMORY_MS && urls.includes(list[i].url))
      return list[i];
  }
  return null;
}

function isHttp (url) {
  return typeof url === 'string' && /^https?:\/\//i.test(url);
}

function baseName (path) {
  if (typeof path !== 'string' || path === '')
    return '';
  return path.split(/[\\/]/).pop();
}

function nameFromUrl (url) {
  try {
    const last = new URL(url).pathname.split('/').pop();
    return decodeURIComponent(last) || url;
  } catch (e) {
    return url;
  }
}

/* Why the browser keeps @item, or null when Haul may take it. */
function exclusionOf (item, settings) {
  const urls = [item.url, item.finalUrl].filter(Boolean);
  if (!settings.enabled)
    return 'switched off';
  if (settings.token === null)
    return 'not paired';
  if (item.incognito)
    return 'private window';
  if (!urls.every(isHttp))
    return 'not http(s)';  /* blob:, data:, file:, ftp:, … */
  if (item.state === 'interrupted')
    return 'interrupted';
  const click = recall(recentClicks, urls);
  if (click !== null && click.shift)
    return 'shift-click';
  if (postFor(urls) !== null)
    return 'POST';
  if (recall(browserKeeps, urls) !== null)
    return 'fallback';
  return null;
}

async function cookiesFor (url, storeId) {
  try {
    const query = { url };
    if (storeId)
      query.storeId = storeId;
    const cookies = await api.cookies.getAll(query);
    return cookies.map(c => {
      const cookie = {
        name: c.name, value: c.value, domain: c.domain, path: c.path,
        secure: c.secure, httpOnly: c.httpOnly, hostOnly: c.hostOnly,
      };
      if (typeof c.expirationDate === 'number')
        cookie.expirationDate = Math.floor(c.expirationDate);
      return cookie;
    });
  } catch (e) {
    return [];
  }
}

/* The body of POST /v1/downloads. */
async function describe ({ url, finalUrl, referrer, pageUrl, filename, size, mime, cookieStoreId }) {
  const body = { url, userAgent: navigator.userAgent };
  if (isHttp(finalUrl) && finalUrl !== url)
    body.finalUrl = finalUrl;
  if (isHttp(referrer))
    body.referrer = referrer;
  if (isHttp(pageUrl))
    body.pageUrl = pageUrl;
  if (filename)
    body.filename = filename;
  if (Number.isInteger(size) && size > 0)
    body.size = size;
  if (mime)
    body.mime = mime;
  body.cookies = await cookiesFor(isHttp(finalUrl) ? finalUrl : url, cookieStoreId);
  return body;
}

/* Hands a download to Haul. Resolves to "added", "offered" or null (Haul
 * did not take it: the caller lets the browser have it). */
async function handOff (details) {
  const { token } = await haulSettings();
  if (token === null)
    return null;
  const body = await describe(details);
  const answer = await haulRequest('POST', '/v1/downloads', body, { token });
  if (answer === null || answer.status !== 202)
    return null;
  return answer.body?.status === 'offered' ? 'offered' : 'added';
}

async function quietly (promise) {
  try {
    return await promise;
  } catch (e) {
    return undefined;
  }
}

async function downloadCreated (item) {
  const settings = await haulSettings();
  if (exclusionOf(item, settings) !== null)
    return;

  /* Chromium pauses by no longer reading, and resumes on the same
   * connection. Firefox's pause drops the connection and often cannot
   * resume (no bytes yet, no validator, no ranges: "USER_CANCELED"), which
   * would break the fail-open promise, so there the download runs on for
   * the few seconds Haul takes to answer. */
  if (!PAUSE_DROPS_CONNECTION)
    await quietly(api.downloads.pause(item.id));
  const urls = [item.url, item.finalUrl].filter(Boolean);
  const click = recall(recentClicks, urls);
  const name = baseName(item.filename) || nameFromUrl(item.finalUrl || item.url);
  const result = await handOff({
    url: item.url,
    finalUrl: item.finalUrl,
    referrer: item.referrer,
    pageUrl: click?.pageUrl ?? item.referrer,
    filename: baseName(item.filename),
    size: item.totalBytes > 0 ? item.totalBytes : item.fileSize,
    mime: item.mime,
    cookieStoreId: item.cookieStoreId,
  });

  if (result === null) {
    if (!PAUSE_DROPS_CONNECTION)
      await quietly(api.downloads.resume(item.id));
    await haulRecordHandoff(name, 'kept');
    return;
  }
  /* Haul has it: the browser's copy goes, finished or not. */
  const [now] = (await quietly(api.downloads.search({ id: item.id }))) ?? [];
  if (now?.state === 'complete')
    await quietly(api.downloads.removeFile(item.id));
  else
    await quietly(api.downloads.cancel(item.id));
  await quietly(api.downloads.erase({ id: item.id }));
  await haulRecordHandoff(name, result);
}

async function menuClicked (info, tab) {
  if (info.menuItemId !== MENU_ID || !isHttp(info.linkUrl))
    return;
  const pageUrl = info.frameUrl ?? info.pageUrl;
  const result = await handOff({
    url: info.linkUrl,
    referrer: pageUrl,
    pageUrl: info.pageUrl,
    cookieStoreId: tab?.cookieStoreId,
  });
  const name = nameFromUrl(info.linkUrl);
  if (result !== null) {
    await haulRecordHandoff(name, result);
    return;
  }
  /* Fail open: the browser downloads it, and onCreated leaves that one alone. */
  remember(browserKeeps, { url: info.linkUrl });
  await quietly(api.downloads.download({ url: info.linkUrl }));
  await haulRecordHandoff(name, 'kept');
}

async function setUpMenu () {
  const { enabled } = await haulSettings();
  await quietly(api.contextMenus.removeAll());
  api.contextMenus.create({
    id: MENU_ID,
    title: api.i18n.getMessage('menuDownloadWithHaul'),
    contexts: ['link'],
    targetUrlPatterns: ['http://*/*', 'https://*/*'],
    visible: enabled,
  });
}

function messageReceived (message, sender) {
  if (sender.id !== api.runtime.id || typeof message !== 'object' || message === null)
    return;
  if (message.type === 'link-click' && typeof message.url === 'string') {
    remember(recentClicks, {
      url: message.url,
      pageUrl: sender.url ?? sender.tab?.url,
      shift: message.shift === true,
    });
  }
}

/* A POST navigation counts from when it is sent until CLICK_MEMORY_MS
 * after it ends, however long its server takes to answer: Firefox
 * creates the download before it reports the answer's headers. Seen again
 * when the headers arrive (Chromium reports them before the download, and
 * may have stopped the service worker while the server thought). A 303
 * to a GET stays the same request: that download is kept too. */
function postSeen (details) {
  if (details.method !== 'POST')
    return;
  const now = Date.now();
  posts.delete(details.requestId);
  posts.set(details.requestId, { url: details.url, time: now, ended: 0 });
  for (const [id, post] of posts) {
    const stale = post.ended === 0 ? now - post.time > POST_PENDING_MS : now - post.ended > CLICK_MEMORY_MS;
    if (stale || posts.size > POSTS_MAX)
      posts.delete(id);
  }
}

function postEnded (details) {
  const post = posts.get(details.requestId);
  if (post !== undefined && post.ended === 0)
    post.ended = Date.now();
}

function postFor (urls) {
  const now = Date.now();
  for (const post of posts.values()) {
    const current = post.ended === 0 ? now - post.time <= POST_PENDING_MS : now - post.ended <= CLICK_MEMORY_MS;
    if (current && urls.includes(post.url))
      return post;
  }
  return null;
}

function storageChanged (changes, area) {
  if (area === 'local' && 'enabled' in changes)
    quietly(api.contextMenus.update(MENU_ID, { visible: changes.enabled.newValue !== false }));
}

api.downloads.onCreated.addListener(downloadCreated);
api.contextMenus.onClicked.addListener(menuClicked);
api.runtime.onMessage.addListener(messageReceived);
api.runtime.onInstalled.addListener(setUpMenu);
api.runtime.onStartup.addListener(setUpMenu);
api.storage.onChanged.addListener(storageChanged);
const NAVIGATIONS = { urls: ['http://*/*', 'https://*/*'], types: ['main_frame', 'sub_frame'] };
api.webRequest.onBeforeRequest.addListener(postSeen, NAVIGATIONS);
api.webRequest.onHeadersReceived.addListener(postSeen, NAVIGATIONS);
api.webRequest.onCompleted.addListener(postEnded, NAVIGATIONS);
api.webRequest.onErrorOccurred.addListener(postEnded, NAVIGATIONS);
