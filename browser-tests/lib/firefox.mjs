// Headless Firefox (Debian's firefox-esr) for the workspace's browser tests, driven by geckodriver
// over W3C WebDriver (plain HTTP on 127.0.0.1), with a fresh profile whose preferences switch off
// every background connection. What Firefox decided about a CORS request is read where Firefox
// writes it: its console ("Cross-Origin Request Blocked: … (Reason: …)"), taken from the
// browser's console service through Marionette's chrome context.
//
//   import { launch, openPage, crossOriginFetch } from './lib/firefox.mjs';
//   const browser = await launch();
//   const page = await openPage(browser, 'http://127.0.0.1:8001/');
//   const r = await crossOriginFetch(page, 'http://127.0.0.1:8002/x', { method: 'PUT' });
//   // r = { ok, status, headers, error, console, firefoxReason }
//   await browser.close();
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchExpression, pageFetch } from './page-fetch.mjs';

const HINT = 'run scripts/install-test-deps (installs firefox-esr and geckodriver)';

/**
 * Preferences of the test profile. Besides what geckodriver already recommends for automation,
 * every service that would connect somewhere on its own is off (the network is closed, and a
 * stray request must not slow or disturb the test): updates, telemetry and health reports, Safe
 * Browsing, the captive-portal and connectivity checks, Remote Settings, add-on updates and
 * blocklists, DNS-over-HTTPS, speculative connections and prefetching, the new-tab page's feeds,
 * the media plugin (GMP) downloads.
 */
export const FIREFOX_PREFS = {
  'app.update.auto': false,
  'app.update.enabled': false,
  'app.update.disabledForTesting': true,
  'app.normandy.enabled': false,
  'app.shield.optoutstudies.enabled': false,
  'browser.aboutwelcome.enabled': false,
  'browser.discovery.enabled': false,
  'browser.newtabpage.enabled': false,
  'browser.newtabpage.activity-stream.feeds.section.topstories': false,
  'browser.newtabpage.activity-stream.feeds.snippets': false,
  'browser.newtabpage.activity-stream.feeds.telemetry': false,
  'browser.newtabpage.activity-stream.telemetry': false,
  'browser.ping-centre.telemetry': false,
  'browser.safebrowsing.blockedURIs.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.downloads.remote.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.provider.google.updateURL': '',
  'browser.safebrowsing.provider.google4.updateURL': '',
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'browser.search.update': false,
  'browser.shell.checkDefaultBrowser': false,
  'browser.startup.homepage_override.mstone': 'ignore',
  'browser.startup.page': 0,
  'browser.tabs.remote.autostart': true,
  'captivedetect.canonicalURL': '',
  'datareporting.healthreport.uploadEnabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'extensions.blocklist.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'extensions.update.enabled': false,
  'geo.provider.network.url': '',
  'media.gmp-manager.updateEnabled': false,
  'media.gmp-gmpopenh264.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.http.speculative-parallel-limit': 0,
  'network.prefetch-next': false,
  'network.trr.mode': 5,
  'services.settings.server': 'http://127.0.0.1:9/',
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.server': '',
  'toolkit.telemetry.unified': false,
  // The console service keeps every message until the test reads and clears it.
  'devtools.console.stdout.content': false,
};

/** Path of Debian's firefox-esr (or $FIREFOX), or throws with the install hint. */
export function firefoxPath() {
  if (process.env.FIREFOX) return process.env.FIREFOX;
  for (const name of ['firefox-esr', 'firefox']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    } catch {
      // try the next name
    }
  }
  throw new Error(`firefox-esr not found: ${HINT}`);
}

/** Path of geckodriver (or $GECKODRIVER): on PATH or in cargo's bin directory. */
export function geckodriverPath() {
  if (process.env.GECKODRIVER) return process.env.GECKODRIVER;
  try {
    return execFileSync('sh', ['-c', 'command -v geckodriver'], { encoding: 'utf8' }).trim();
  } catch {
    const cargoBin = join(process.env.CARGO_HOME ?? join(homedir(), '.cargo'), 'bin', 'geckodriver');
    if (existsSync(cargoBin)) return cargoBin;
    throw new Error(`geckodriver not found: ${HINT}`);
  }
}

/** `firefox-esr --version`, e.g. "Mozilla Firefox 153.8.0esr". */
export function firefoxVersion() {
  return execFileSync(firefoxPath(), ['--version'], { encoding: 'utf8' }).trim();
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function wd(base, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) {
    const v = json.value ?? {};
    throw new Error(`WebDriver ${method} ${path}: ${v.error ?? res.status}: ${v.message ?? ''}`);
  }
  return json.value;
}

/**
 * Starts geckodriver on a free 127.0.0.1 port and a headless Firefox session with a fresh
 * profile. Returns `{ session(method, path, body), close() }`; `close()` ends the session,
 * stops geckodriver and removes the profile.
 */
export async function launch() {
  const binary = firefoxPath();
  const driver = geckodriverPath();
  const port = await freePort();
  const profileRoot = mkdtempSync(join(tmpdir(), 'cors-firefox-'));
    // --allow-system-access: chrome-context scripts (reading the console service) need it.
  const child = spawn(driver, ['--host', '127.0.0.1', '--port', String(port), '--log', 'warn', '--allow-system-access', '--profile-root', profileRoot], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOZ_HEADLESS: '1' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const st = await wd(base, 'GET', '/status');
      if (st.ready) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill();
      throw new Error(`geckodriver did not start: ${stderr.trim()}; ${HINT}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const created = await wd(base, 'POST', '/session', {
    capabilities: {
      alwaysMatch: {
        browserName: 'firefox',
        'moz:firefoxOptions': {
          binary,
          args: ['-headless'],
          prefs: FIREFOX_PREFS,
        },
      },
    },
  });
  const id = created.sessionId;
  const session = (method, path, body) => wd(base, method, `/session/${id}${path}`, body);
  return {
    session,
    browserVersion: created.capabilities?.browserVersion ?? null,
    async close() {
      try {
        await session('DELETE', '');
      } catch {
        // the browser may already be gone
      }
      child.kill();
      rmSync(profileRoot, { recursive: true, force: true });
    },
  };
}

/** Navigates the session's window to `pageUrl` and clears the console. */
export async function openPage(browser, pageUrl) {
  await browser.session('POST', '/url', { url: pageUrl });
  await takeConsole(browser);
  return browser;
}

/**
 * Reads and clears every message of Firefox's console service (the Browser Console's source):
 * `[{ text, category, warning }]`. Content processes forward their messages to it.
 */
export async function takeConsole(browser) {
  await browser.session('POST', '/moz/context', { context: 'chrome' });
  try {
    return await browser.session('POST', '/execute/sync', {
      script: `const all = Services.console.getMessageArray() ?? [];
        Services.console.reset();
        return all.map((m) => {
          const e = m instanceof Ci.nsIScriptError ? m : null;
          return { text: e ? e.errorMessage : m.message, category: e ? e.category : null,
                   warning: e ? e.logLevel === Ci.nsIConsoleMessage.warn : false };
        });`,
      args: [],
    });
  } finally {
    await browser.session('POST', '/moz/context', { context: 'content' });
  }
}

/** How every line Firefox logs for a blocked CORS request starts. */
export const BLOCKED_PREFIX = 'Cross-Origin Request Blocked:';

/**
 * Runs `fn(arg)` in the page and returns its (awaited) result, as playwright's `page.evaluate`
 * does: `fn` must not close over anything; `arg` and the result must be JSON.
 */
export async function evaluate(page, fn, arg) {
  return page.session('POST', '/execute/async', {
    script: `const done = arguments[arguments.length - 1];
      Promise.resolve((${fn.toString()})(arguments[0])).then(done, (e) => done({ ok: false, error: String(e) }));`,
    args: [arg],
  });
}

/**
 * Waits (up to `ms`) for a "Cross-Origin Request Blocked" line and returns every console line
 * read meanwhile. Messages travel from the content process to the parent's console service
 * asynchronously.
 */
export async function waitForBlocked(page, ms) {
  const console = [];
  const deadline = Date.now() + ms;
  for (;;) {
    for (const m of await takeConsole(page)) console.push(m.text);
    if (console.some((t) => t.startsWith(BLOCKED_PREFIX)) || Date.now() > deadline) return console;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Runs `fetch(url, init)` in the page (lib/page-fetch.mjs says how `init` is read) and returns
 * what script could see plus Firefox's console lines about it: `{ ok, status, type, redirected,
 * url, headers, error, thrown, console: [text...], blocked: [text...] }` where `blocked` holds the
 * "Cross-Origin Request Blocked: …" lines. Messages travel from the content process to the
 * parent's console service asynchronously: a failed fetch waits (up to `settleMs`) for its line.
 */
export async function crossOriginFetch(page, url, init = {}, { settleMs = 1000 } = {}) {
  await takeConsole(page);
  const result = await evaluate(page, pageFetch, { url, init });
  const console = await waitForBlocked(page, result.ok ? 50 : settleMs);
  return { ...result, console, blocked: console.filter((t) => t.startsWith(BLOCKED_PREFIX)) };
}

/**
 * Runs many fetches in one call into the page, one after the other ([{ url, init }], distinct
 * URLs), and returns one result per fetch as `crossOriginFetch` does; the console lines are
 * attributed by the URL they name. Waits (up to `settleMs`) until every failed fetch has its
 * "Cross-Origin Request Blocked" line.
 */
export async function crossOriginFetchBatch(page, items, { settleMs = 1000 } = {}) {
  await takeConsole(page);
  const results = await page.session('POST', '/execute/async', {
    script: `const done = arguments[arguments.length - 1];
      ${batchExpression(items)}.then(done, (e) => done({ error: String(e) }));`,
    args: [],
  });
  if (!Array.isArray(results)) throw new Error(`firefox batch failed: ${JSON.stringify(results)}`);
  const names = (url, t) => t.includes(`at ${url}. `) || t.includes(`‘${url}’`) || t.includes(`at ${url}.`);
  const lines = [];
  const deadline = Date.now() + settleMs;
  const failed = results.map((r, i) => (!r.ok && !r.thrown ? items[i].url : null)).filter(Boolean);
  for (;;) {
    for (const m of await takeConsole(page)) lines.push(m.text);
    const blocked = lines.filter((t) => t.startsWith(BLOCKED_PREFIX));
    if (failed.every((u) => blocked.some((t) => names(u, t))) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  // A short wait more for the lines that follow a failure's first one.
  if (failed.length) for (const m of await takeConsole(page)) lines.push(m.text);
  return results.map((result, i) => {
    const console = lines.filter((t) => names(items[i].url, t));
    return { ...result, console, blocked: console.filter((t) => t.startsWith(BLOCKED_PREFIX)) };
  });
}
