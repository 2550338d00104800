// Records a HAR file of the scenario matrix (scenarios/scenarios.json, the rows not marked
// `batch`) as a real browser's DevTools write it, for `cors check --har` (crates/cors-cli/tests/
// devtools_har_browsers.rs reads the committed recordings in crates/cors-cli/tests/devtools_har/):
//
//   node devtools/record-hars.mjs --browser chromium --out DIR [--gzip] [--only REGEX]
//   node devtools/record-hars.mjs --browser firefox  --out DIR [--gzip] [--only REGEX]
//
// Regenerate the fixtures (about 10 s for Chromium, 20 s for Firefox):
//
//   cd browser-tests
//   node devtools/record-hars.mjs --browser chromium --gzip --out ../crates/cors-cli/tests/devtools_har
//   node devtools/record-hars.mjs --browser firefox  --gzip --out ../crates/cors-cli/tests/devtools_har
//
// Writes DIR/<browser>.har (DIR/<browser>.har.gz with --gzip) and DIR/<browser>.fetches.json:
// for every fetch, in order, the scenario id, the URL, the fetch() options the HAR cannot show
// (mode, credentials, redirect) and what the page's script saw (`ok`: the promise resolved;
// `error`: the TypeError) — the browser's own verdict, independent of the HAR. For Chromium it
// also lists the CORS error DevTools reported for each blocked request (`corsErrors`).
//
// Chromium (default): the HAR is built from the DevTools protocol's Network events on a CDP
// session of the page (devtools/cdp-har.mjs), in the shape DevTools' "Export HAR" writes:
// preflights as their own entries, blocked requests with `_error` and the response head the
// browser received. `--recorder playwright`: playwright-core's `recordHar` instead (it leaves
// preflights and blocked responses' heads out).
// Firefox: the HAR Firefox's own Network Monitor exports (devtools/firefox-har.mjs), from a
// toolbox opened in headless Firefox.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMatrixServers } from '../lib/scripted-server.mjs';
import { pageFetch } from '../lib/page-fetch.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const browserName = opt('--browser', 'chromium');
const outDir = opt('--out', null);
if (!outDir) throw new Error('--out DIR is required');
const recorder = opt('--recorder', null);
const gzip = args.includes('--gzip');
const only = opt('--only', null) ? new RegExp(opt('--only')) : null;
mkdirSync(outDir, { recursive: true });

const table = JSON.parse(readFileSync(join(here, '..', 'scenarios', 'scenarios.json'), 'utf8'));
const scenarios = table.scenarios.filter((s) => !s.batch && (!only || only.test(s.id)));
const byId = new Map(scenarios.map((s) => [s.id, s]));
const origins = {};
const log = [];
const opts = { script: (id) => byId.get(id)?.server ?? null, origins: () => origins, tag: () => null, log };
const servers = await startMatrixServers(opts, origins);

const harPath = join(outDir, `${browserName}.har`);
const fetches = [];
const extra = {};
async function runAll(evaluate) {
  for (const s of scenarios) {
    for (let i = 0; i < s.fetches.length; i++) {
      const f = s.fetches[i];
      if (f.wait_ms) await new Promise((r) => setTimeout(r, f.wait_ms));
      const url = `${origins[f.target ?? 'B']}/s/${s.id}/${f.hop ?? 0}${f.query ?? ''}`;
      const r = await evaluate({ url, init: { ...f.init } });
      fetches.push({
        id: s.id,
        i,
        url,
        method: f.init?.method ?? 'GET',
        mode: f.init?.mode ?? 'cors',
        credentials: f.init?.credentials ?? 'same-origin',
        redirect: f.init?.redirect ?? 'follow',
        ok: r.ok,
        thrown: r.thrown ?? false,
        error: r.error ?? null,
      });
    }
  }
}

if (browserName === 'chromium' && recorder === 'playwright') {
  const { launch } = await import('../lib/chromium.mjs');
  const context = await launch({ recordHar: { path: harPath, content: 'omit' } });
  try {
    const page = await context.newPage();
    await page.goto(`${origins.A}/`);
    await runAll((arg) => page.evaluate(pageFetch, arg));
  } finally {
    await context.close();
  }
} else if (browserName === 'chromium') {
  const { launch, chromiumVersion } = await import('../lib/chromium.mjs');
  const { recordCdpHar } = await import('./cdp-har.mjs');
  const context = await launch();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const version = /Chromium ([0-9.]+)/.exec(chromiumVersion())?.[1] ?? 'n/a';
    const rec = await recordCdpHar(cdp, { creatorVersion: version });
    await page.goto(`${origins.A}/`);
    await runAll((arg) => page.evaluate(pageFetch, arg));
    // Late events (loadingFailed after the promise rejected, ExtraInfo) settle.
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(harPath, JSON.stringify(rec.har(), null, 1));
    extra.corsErrors = rec.corsErrors();
  } finally {
    await context.close();
  }
} else if (browserName === 'firefox') {
  const { recordFirefoxHar } = await import('./firefox-har.mjs');
  await recordFirefoxHar({ pageUrl: `${origins.A}/`, harPath, runAll });
} else {
  throw new Error(`--browser ${browserName}: chromium or firefox`);
}
for (const s of Object.values(servers)) await s.close();
if (gzip) {
  // The committed fixtures: gzip (no name, no time in its header) keeps them small and stable.
  writeFileSync(`${harPath}.gz`, gzipSync(readFileSync(harPath), { level: 9 }));
  rmSync(harPath);
}
writeFileSync(join(outDir, `${browserName}.fetches.json`), JSON.stringify({ browser: browserName, origins, fetches, ...extra }, null, 1));
