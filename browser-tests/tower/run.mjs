// Drives headless Chromium for crates/cors/tests/tower_browser.rs: opens the page (one origin),
// runs each scenario's fetch() against the API servers (other origins), and prints, as one JSON
// line, what script could read and what the DevTools Protocol reported for the blocked ones
// (`Network.loadingFailed` with `corsErrorStatus`).
//
// Usage: node run.mjs '<config JSON>'   config = { page, scenarios: [{ id, url, init, cookie? }] }
// Chromium: $CHROMIUM, else `chromium` on PATH (scripts/install-test-deps installs it).
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function findChromium() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

const config = JSON.parse(process.argv[2] ?? '{}');
const executablePath = findChromium();
if (!executablePath) {
  console.error('chromium not found: run scripts/install-test-deps (apt-get install -y chromium)');
  process.exit(2);
}

const profile = mkdtempSync(join(tmpdir(), 'cors-tower-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const requests = new Map();
  const failures = [];
  cdp.on('Network.requestWillBeSent', (e) => {
    requests.set(e.requestId, { url: e.request.url, method: e.request.method });
  });
  cdp.on('Network.loadingFailed', (e) => {
    const r = requests.get(e.requestId) ?? {};
    failures.push({
      url: r.url ?? null,
      method: r.method ?? null,
      errorText: e.errorText,
      corsError: e.corsErrorStatus?.corsError ?? null,
      failedParameter: e.corsErrorStatus?.failedParameter ?? null,
    });
  });
  await page.goto(config.page);

  const results = [];
  for (const s of config.scenarios) {
    const fetched = await page.evaluate(async ({ url, init, cookie }) => {
      if (cookie) document.cookie = cookie;
      try {
        const r = await fetch(url, init);
        return { ok: true, status: r.status, body: await r.text() };
      } catch (e) {
        return { ok: false, error: String(e) };
      }
    }, s);
    // A blocked fetch rejects in the page; wait for DevTools' report of the same request.
    const mine = () => failures.filter((f) => f.url === s.url);
    for (let i = 0; !fetched.ok && i < 100 && !mine().some((f) => f.corsError); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    results.push({ id: s.id, fetch: fetched, failures: mine() });
  }
  console.log(JSON.stringify(results));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
