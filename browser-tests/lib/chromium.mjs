// Reusable launcher for the workspace's browser tests: Debian's headless chromium driven by
// playwright-core over CDP, plus helpers to run a cross-origin fetch() from a page and collect
// what Chromium decided (CDP Network.loadingFailed corsErrorStatus, Audits CORS issues, console).
//
//   import { launch, openPage, crossOriginFetch } from './lib/chromium.mjs';
//   const browser = await launch();
//   const page = await openPage(browser, 'http://127.0.0.1:8001/');
//   const r = await crossOriginFetch(page, 'http://127.0.0.1:8002/x', { method: 'PUT' });
//   // r = { ok, status, headers, error, corsErrorStatus, issues, console }
//   await browser.close();
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { batchExpression, pageFetch } from './page-fetch.mjs';

/** The flags the project brief requires for headless Chromium. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Path of Debian's chromium, or throws with the install hint. */
export function chromiumPath() {
  const fromEnv = process.env.CHROMIUM;
  if (fromEnv) return fromEnv;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('chromium not found: run scripts/install-test-deps');
  }
}

/** `chromium --version`, e.g. "Chromium 156.0.8078.108 ...". */
export function chromiumVersion() {
  return execFileSync(chromiumPath(), ['--version'], { encoding: 'utf8' }).trim();
}

/**
 * Launches headless chromium with a fresh user-data-dir. Returns a playwright BrowserContext
 * (persistent context, because a user-data-dir is required); `close()` also removes the dir.
 */
export async function launch({ extraArgs = [], viewport, recordHar } = {}) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'cors-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    ...(viewport ? { viewport } : {}),
    // `recordHar: { path }`: playwright writes the context's traffic as a HAR 1.2 file on close.
    ...(recordHar ? { recordHar } : {}),
    // Only the brief's flags: playwright's own defaults switch Chromium features off (e.g. its
    // CORS redirect handling, storage partitioning), which would make this not the real Chromium.
    ignoreDefaultArgs: true,
    // (`--remote-debugging-pipe` is how playwright talks to the browser.)
    args: [
      ...CHROMIUM_FLAGS,
      `--user-data-dir=${userDataDir}`,
      '--remote-debugging-pipe',
      ...extraArgs,
      'about:blank',
    ],
  });
  const close = context.close.bind(context);
  context.close = async () => {
    try {
      await close();
    } finally {
      rmSync(userDataDir, { recursive: true, force: true });
    }
  };
  return context;
}

/**
 * Opens `pageUrl` in a new page and attaches a CDP session that records network failures,
 * CORS issues and console messages. Use `page.__cors.take()` (done by crossOriginFetch) to get
 * and reset what was recorded.
 */
export async function openPage(context, pageUrl) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const rec = { requests: new Map(), failures: [], issues: [], console: [], logs: [] };
  cdp.on('Network.requestWillBeSent', (e) => rec.requests.set(e.requestId, e.request.url));
  cdp.on('Network.loadingFailed', (e) =>
    rec.failures.push({
      url: rec.requests.get(e.requestId) ?? null,
      errorText: e.errorText,
      blockedReason: e.blockedReason ?? null,
      corsErrorStatus: e.corsErrorStatus ?? null,
      type: e.type,
    }),
  );
  cdp.on('Audits.issueAdded', (e) => {
    const i = e.issue;
    if (i.code === 'CorsIssue') rec.issues.push(i.details.corsIssueDetails);
  });
  cdp.on('Log.entryAdded', (e) => {
    rec.console.push(e.entry.text);
    rec.logs.push({ text: e.entry.text, url: e.entry.url ?? null });
  });
  cdp.on('Runtime.consoleAPICalled', (e) =>
    rec.console.push(e.args.map((a) => a.value ?? a.description ?? '').join(' ')),
  );
  cdp.on('Runtime.exceptionThrown', (e) =>
    rec.console.push(e.exceptionDetails?.exception?.description ?? e.exceptionDetails?.text ?? ''),
  );
  await cdp.send('Network.enable');
  await cdp.send('Audits.enable');
  await cdp.send('Log.enable');
  await cdp.send('Runtime.enable');
  await page.goto(pageUrl);
  page.__cors = {
    cdp,
    take() {
      const out = { failures: rec.failures, issues: rec.issues, console: rec.console, logs: rec.logs };
      rec.failures = [];
      rec.issues = [];
      rec.console = [];
      rec.logs = [];
      return out;
    },
  };
  return page;
}

/** Runs `fn(arg)` in the page and returns its (awaited) result (playwright's `page.evaluate`). */
export async function evaluate(page, fn, arg) {
  return page.evaluate(fn, arg);
}

/**
 * Runs `fetch(url, init)` in the page (lib/page-fetch.mjs says how `init` is read) and returns
 * what script could see plus what Chromium reported: `{ ok, status, type, redirected, url,
 * headers: [[name, value]...], error, corsErrorStatus, issues, console }`. `settleMs` waits for
 * late CDP events.
 */
export async function crossOriginFetch(page, url, init = {}, { settleMs = 30 } = {}) {
  page.__cors.take();
  const result = await page.evaluate(pageFetch, { url, init });
  await new Promise((r) => setTimeout(r, settleMs));
  const rec = page.__cors.take();
  const failure = rec.failures.find((f) => f.corsErrorStatus) ?? null;
  const issue = rec.issues.find((i) => i.corsErrorStatus) ?? null;
  return {
    ...result,
    corsErrorStatus: failure?.corsErrorStatus ?? issue?.corsErrorStatus ?? null,
    failures: rec.failures,
    issues: rec.issues,
    console: rec.console,
  };
}

/**
 * Runs many fetches in one call into the page, one after the other ([{ url, init }], distinct
 * URLs), and returns one result per fetch, as `crossOriginFetch` does: DevTools' failures,
 * issues and console lines are attributed by URL (each item's URL must be unique in the batch).
 */
export async function crossOriginFetchBatch(page, items, { settleMs = 50 } = {}) {
  page.__cors.take();
  const results = await page.evaluate(batchExpression(items));
  await new Promise((r) => setTimeout(r, settleMs));
  const rec = page.__cors.take();
  return results.map((result, i) => {
    const url = items[i].url;
    const failures = rec.failures.filter((f) => f.url === url);
    const issues = rec.issues.filter((x) => x.request?.url === url);
    const console = rec.logs.filter((l) => l.url === url || l.text.includes(`'${url}'`)).map((l) => l.text);
    const failure = failures.find((f) => f.corsErrorStatus) ?? null;
    const issue = issues.find((x) => x.corsErrorStatus) ?? null;
    return { ...result, corsErrorStatus: failure?.corsErrorStatus ?? issue?.corsErrorStatus ?? null, failures, issues, console };
  });
}
