/* run.mjs — the browser half of tests/test-browser.c: drives a real browser
 * (Debian's chromium, or firefox-esr over WebDriver BiDi) with Haul's
 * unpacked extension through puppeteer-core.
 *
 * It talks to the harness in lines: it prints one JSON object per line on
 * stdout ({"event": …}), and after the events that end a step it waits for
 * a line on stdin ("go": the harness checked Haul's side of that step, and
 * did what the next step needs, such as stopping the endpoint). Any
 * failure prints {"event": "error", "message": …} and exits with 1.
 *
 * Steps:
 *   paired     the popup took the one-time code (Pair) and says "Paired"
 *   handed-off a click on the page's link: the extension handed the file to
 *              Haul; the browser's own download was cancelled and erased,
 *              and nothing landed in the browser's download folder
 *   menu       (Chromium) "Download with Haul" on a link, through the menu's
 *              handler in the service worker: Haul gets it
 *   shift      a Shift-click on the same link: the browser keeps it
 *   blob       a blob: link: the browser keeps it
 *   post       a form's POST (#post-submit) whose answer, after 6 s, is a
 *              file: the browser keeps it, byte-identical
 *   fallback   (the harness stopped the endpoint) a click: the browser
 *              downloads the file itself
 *   silent     the extension pointed at --silent-port, where something
 *              accepts connections and never answers: after 3 s the browser
 *              downloads the file itself
 *
 * usage: node run.mjs --browser chromium|firefox --executable PATH
 *          --modules DIR (node_modules with puppeteer-core) --extension DIR
 *          --profile DIR --downloads DIR --port N --code CODE --page URL
 *          --file-name NAME --size N --sha256 HEX
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const STEP_TIMEOUT_MS = 20000;
const GECKO_ID = 'haul@haulapp.github.io';

const opts = {};
for (let i = 2; i < process.argv.length; i += 2)
  opts[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
for (const key of ['browser', 'executable', 'modules', 'extension', 'profile', 'downloads',
                   'port', 'silent-port', 'code', 'page', 'file-name', 'size', 'sha256']) {
  if (opts[key] === undefined) {
    console.log(JSON.stringify({ event: 'error', message: `run.mjs: --${key} is missing` }));
    process.exit(2);
  }
}
const firefox = opts.browser === 'firefox';

function say (event, more = {}) {
  console.log(JSON.stringify({ event, ...more }));
}

const stdinLines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
async function waitForGo (step) {
  const { value, done } = await stdinLines.next();
  if (done || value.trim() !== 'go')
    throw new Error(`the harness did not say "go" after ${step} (said ${done ? 'nothing' : value})`);
}

function sleep (ms) {
  return new Promise(resolve => setTimeout(resolve, ms));
}

async function until (what, check, timeout = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last)
      return last;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
}

function folderEntries () {
  return readdirSync(opts.downloads).sort();
}

function sha256Of (path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/* Chromium: a profile whose downloads go to opts.downloads without asking. */
function chromiumProfile () {
  mkdirSync(join(opts.profile, 'Default'), { recursive: true });
  writeFileSync(join(opts.profile, 'Default', 'Preferences'), JSON.stringify({
    download: { default_directory: opts.downloads, prompt_for_download: false, directory_upgrade: true },
    savefile: { default_directory: opts.downloads },
  }));
}

async function launch (puppeteer) {
  if (!firefox) {
    chromiumProfile();
    const browser = await puppeteer.launch({
      executablePath: opts.executable,
      headless: true,
      pipe: true,
      enableExtensions: [opts.extension],
      userDataDir: opts.profile,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--password-store=basic'],
    });
    const worker = await browser.waitForTarget(
      t => t.type() === 'service_worker' && t.url().endsWith('/background.js'), { timeout: STEP_TIMEOUT_MS });
    const id = new URL(worker.url()).host;
    return { browser, base: `chrome-extension://${id}`, worker: await worker.worker() };
  }
  const uuid = randomUUID();
  const browser = await puppeteer.launch({
    browser: 'firefox',
    dumpio: process.env.HAUL_TEST_DUMPIO === '1',
    executablePath: opts.executable,
    headless: true,
    userDataDir: opts.profile,
    /* WebDriver BiDi refuses to navigate to moz-extension:// pages (the
     * popup) unless Firefox runs with this flag. */
    args: ['-remote-allow-system-access'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }),
      'browser.download.dir': opts.downloads,
      'browser.download.folderList': 2,
      'browser.download.useDownloadDir': true,
      'browser.download.always_ask_before_handling_new_types': false,
      'browser.download.start_downloads_in_tmp_dir': false,
      'browser.download.alwaysOpenPanel': false,
      'extensions.webextensions.restrictedDomains': '',
    },
  });
  const installed = await browser.installExtension(opts.extension);
  if (installed !== GECKO_ID)
    throw new Error(`Firefox installed the extension as ${installed}, not ${GECKO_ID}`);
  return { browser, base: `moz-extension://${uuid}`, worker: null };
}

/* Opens one of the extension's pages in a new tab. Firefox's BiDi never
 * reports the end of a navigation to a moz-extension:// page (the tab's URL
 * stays about:blank for puppeteer), so there the page's own location says
 * when it is loaded. */
async function openExtensionPage (browser, url) {
  const page = await browser.newPage();
  if (!firefox) {
    await page.goto(url);
    return page;
  }
  page.goto(url, { timeout: STEP_TIMEOUT_MS }).catch(() => {});
  await until(`${url} to load`, () =>
    page.evaluate(() => document.readyState === 'complete' && location.href).then(
      href => href === url, () => false));
  return page;
}

/* The extension's privileged context: Chromium's service worker, or in
 * Firefox (whose background page BiDi cannot reach) an extension tab. */
async function extensionContext (browser, base, worker) {
  if (worker !== null)
    return worker;
  return openExtensionPage(browser, `${base}/popup.html`);
}

/* Records the browser's download events in the extension's context. */
async function watchDownloads (ext) {
  await ext.evaluate(() => {
    const api = globalThis.browser ?? globalThis.chrome;
    globalThis.haulTestLog = [];
    api.downloads.onCreated.addListener(item =>
      globalThis.haulTestLog.push({ type: 'created', id: item.id, url: item.url }));
    api.downloads.onErased.addListener(id => globalThis.haulTestLog.push({ type: 'erased', id }));
    api.downloads.onChanged.addListener(delta => {
      if (delta.state)
        globalThis.haulTestLog.push({ type: 'state', id: delta.id, state: delta.state.current });
    });
  });
}

async function downloadLog (ext) {
  return ext.evaluate(() => globalThis.haulTestLog);
}

async function searchDownloads (ext, query) {
  return ext.evaluate(q => (globalThis.browser ?? globalThis.chrome).downloads.search(q), query);
}

async function pair (browser, base, ext) {
  await ext.evaluate(port => (globalThis.browser ?? globalThis.chrome).storage.local.set({ port }),
                     Number(opts.port));
  const popup = await openExtensionPage(browser, `${base}/popup.html`);
  await popup.waitForSelector('#pair-form:not([hidden])', { timeout: STEP_TIMEOUT_MS });
  await popup.type('#code', opts.code.toLowerCase());
  await popup.click('#pair');
  await popup.waitForSelector('#status[data-state="paired"]', { timeout: STEP_TIMEOUT_MS });
  const status = await popup.$eval('#status', node => node.textContent);
  say('paired', { status });
  return popup;
}

/* Clicks @selector on the test page and returns the browser's download
 * item that click started (from the extension's log of onCreated). */
async function clickAndFindDownload (page, ext, selector, { shift = false } = {}) {
  const before = (await downloadLog(ext)).length;
  if (shift)
    await page.keyboard.down('Shift');
  await page.click(selector);
  if (shift)
    await page.keyboard.up('Shift');
  return until(`the browser to start a download after clicking ${selector}`, async () =>
    (await downloadLog(ext)).slice(before).find(e => e.type === 'created'));
}

async function stepHandedOff (page, ext, popup) {
  const created = await clickAndFindDownload(page, ext, '#file');
  await until('the extension to erase the browser\'s download', async () =>
    (await downloadLog(ext)).some(e => e.type === 'erased' && e.id === created.id));
  const left = await searchDownloads(ext, { id: created.id });
  if (left.length !== 0)
    throw new Error(`downloads.search still finds the handed-off download: ${JSON.stringify(left)}`);
  await sleep(500);
  const files = folderEntries();
  if (files.length !== 0)
    throw new Error(`the browser's download folder is not empty after the handoff: ${files.join(', ')}`);
  const history = await popup.evaluate(() =>
    [...document.querySelectorAll('#history li')].map(li => `${li.dataset.result} ${li.textContent}`));
  if (!(history[0] ?? '').startsWith('added '))
    throw new Error(`the popup's list does not show the handoff first: ${JSON.stringify(history)}`);
  say('handed-off', { url: created.url, history });
}

/* The link menu's entry. No browser lets a test open a context menu, so
 * this calls the entry's handler (background.js's menuClicked) in the
 * service worker as the menu would. Firefox's background page cannot be
 * reached over WebDriver BiDi: Chromium only. */
async function stepMenu (popup, worker) {
  const linkUrl = new URL('/menu.bin', opts.page).href;
  await worker.evaluate((linkUrl, pageUrl) =>
    menuClicked({ menuItemId: 'haul-download-link', linkUrl, pageUrl }, undefined), linkUrl, opts.page);
  const history = await popup.evaluate(() =>
    [...document.querySelectorAll('#history li')].map(li => `${li.dataset.result} ${li.textContent}`));
  if (history.length !== 2 || !history[0].startsWith('added menu.bin'))
    throw new Error(`the popup's list does not show the menu's handoff first: ${JSON.stringify(history)}`);
  say('menu', { url: linkUrl });
}

/* The click's download finishes in the browser; returns its file's name. */
async function expectBrowserKeeps (page, ext, selector, what, { shift = false } = {}) {
  const created = await clickAndFindDownload(page, ext, selector, { shift });
  try {
    await until(`the browser to finish the download (${what})`, async () =>
      (await downloadLog(ext)).some(e => e.type === 'state' && e.id === created.id && e.state === 'complete'));
  } catch (error) {
    const [item] = await searchDownloads(ext, { id: created.id });
    if ((await downloadLog(ext)).some(e => e.type === 'erased' && e.id === created.id))
      throw new Error(`${error.message}: the extension erased the browser's download (${what}): it handed it to Haul`);
    throw new Error(`${error.message}; the browser's download is ${JSON.stringify(item)}`);
  }
  const [item] = await searchDownloads(ext, { id: created.id });
  if (item === undefined)
    throw new Error(`the browser's download (${what}) was erased`);
  return item;
}

async function expectHistoryLength (popup, length, what) {
  await sleep(300);
  const history = await popup.evaluate(() =>
    [...document.querySelectorAll('#history li')].map(li => li.dataset.result));
  if (history.length !== length)
    throw new Error(`${what}: the popup's list has ${JSON.stringify(history)}: the extension asked Haul`);
}

function checkKeptFile (item, what, size, sha256) {
  const name = item.filename.split('/').pop();
  const path = join(opts.downloads, name);
  if (!folderEntries().includes(name))
    throw new Error(`${what}: ${name} is not in the browser's download folder (${folderEntries().join(', ')})`);
  if (item.fileSize !== size && item.bytesReceived !== size)
    throw new Error(`${what}: the browser got ${item.bytesReceived} bytes, not ${size}`);
  if (sha256 !== null && sha256Of(path) !== sha256)
    throw new Error(`${what}: ${name} differs from the served file`);
  return name;
}

async function main () {
  const require = createRequire(join(opts.modules, 'package.json'));
  const puppeteer = require('puppeteer-core');
  const size = Number(opts.size);

  const { browser, base, worker } = await launch(puppeteer);
  try {
    const ext = await extensionContext(browser, base, worker);
    await watchDownloads(ext);
    const popup = await pair(browser, base, ext);
    await waitForGo('paired');

    const page = await browser.newPage();
    await page.goto(opts.page);
    await stepHandedOff(page, ext, popup);
    await waitForGo('handed-off');

    let handoffs = 1;
    if (!firefox) {
      await stepMenu(popup, worker);
      await waitForGo('menu');
      handoffs++;
    }

    /* Excluded downloads never reach Haul, so they add nothing to the
     * popup's list (one Haul refused would show as "kept"). */
    const shifted = await expectBrowserKeeps(page, ext, '#file', 'Shift-click', { shift: true });
    await expectHistoryLength(popup, handoffs, 'Shift-click');
    say('shift', { file: checkKeptFile(shifted, 'Shift-click', size, opts.sha256) });
    await waitForGo('shift');

    const blob = await expectBrowserKeeps(page, ext, '#blob', 'blob: link');
    if (!blob.url.startsWith('blob:'))
      throw new Error(`the blob link's download has the URL ${blob.url}`);
    await expectHistoryLength(popup, handoffs, 'blob: link');
    say('blob', { file: checkKeptFile(blob, 'blob: link', 1000, null) });
    await waitForGo('blob');

    const posted = await expectBrowserKeeps(page, ext, '#post-submit', 'form POST');
    await expectHistoryLength(popup, handoffs, 'form POST');
    say('post', { file: checkKeptFile(posted, 'form POST', size, opts.sha256) });
    await waitForGo('post');

    const fallback = await expectBrowserKeeps(page, ext, '#file', 'endpoint stopped');
    const history = await popup.evaluate(() =>
      [...document.querySelectorAll('#history li')].map(li => li.dataset.result));
    if (history[0] !== 'kept')
      throw new Error(`the popup's list does not show the kept download first: ${JSON.stringify(history)}`);
    await popup.evaluate(() => refreshStatus());
    const state = await popup.$eval('#status', node => [node.dataset.state, node.textContent]);
    if (state[0] !== 'not-running')
      throw new Error(`with the endpoint stopped the popup says ${JSON.stringify(state)}`);
    say('fallback', { file: checkKeptFile(fallback, 'endpoint stopped', size, opts.sha256), status: state[1] });
    await waitForGo('fallback');

    await ext.evaluate(port => (globalThis.browser ?? globalThis.chrome).storage.local.set({ port }),
                       Number(opts['silent-port']));
    const before = Date.now();
    const silent = await expectBrowserKeeps(page, ext, '#file', 'Haul silent');
    const waited = Date.now() - before;
    await until('the popup\'s list to show the second kept download', () => popup.evaluate(() =>
      [...document.querySelectorAll('#history li')].slice(0, 2).every(li => li.dataset.result === 'kept')));
    /* Chromium's download waits, paused, for Haul's answer; Firefox's runs on. */
    if (!firefox && waited < 3000)
      throw new Error(`the browser finished after ${waited} ms: the extension did not wait for Haul`);
    say('silent', { file: checkKeptFile(silent, 'Haul silent', size, opts.sha256), waited });
  } finally {
    await browser.close();
  }
}

main().then(() => {
  say('done');
  process.exit(0);
}, error => {
  say('error', { message: String(error?.stack ?? error) });
  process.exit(1);
});
