// Runs every scenario of scenarios/scenarios.json in a headless browser (`--browser chromium`, the
// default, `--browser firefox` or `--browser webkit`): three scripted servers on 127.0.0.1 (origins A = page, B, C),
// the page on A fetches each scenario cross-origin, and the results — what script saw, what the
// browser reported (Chromium: DevTools' corsErrorStatus; Firefox and WebKit: their console), what each server
// received and answered — are written as JSON (stdout, or --out FILE). Driven by
// crates/cors/tests/agent_chromium.rs, agent_firefox.rs and agent_webkit.rs.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMatrixServers } from './lib/scripted-server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const outFile = outIdx >= 0 ? args[outIdx + 1] : null;
const browserIdx = args.indexOf('--browser');
const browserName = browserIdx >= 0 ? args[browserIdx + 1] : 'chromium';
if (!['chromium', 'firefox', 'webkit'].includes(browserName)) throw new Error(`--browser ${browserName}: chromium, firefox or webkit`);
const driver = await import(`./lib/${browserName}.mjs`);
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? new RegExp(args[onlyIdx + 1]) : null;

const tableIdx = args.indexOf('--scenarios');
const tableFile = tableIdx >= 0 ? args[tableIdx + 1] : join(here, 'scenarios', 'scenarios.json');
const table = JSON.parse(readFileSync(tableFile, 'utf8'));
// `--sweeps`: the generated rows of scenarios/sweeps.json too (scenarios/sweeps.mjs).
if (args.includes('--sweeps')) table.scenarios.push(...JSON.parse(readFileSync(join(here, 'scenarios', 'sweeps.json'), 'utf8')).scenarios);
const scenarios = table.scenarios.filter((s) => !only || only.test(s.id));
const byId = new Map(scenarios.map((s) => [s.id, s]));
// Firefox ESR 153 does not cache the result of the first preflight of a session that carries
// Access-Control-Max-Age (the second identical fetch is preflighted again; later ones are not:
// seen whichever scenario comes first). Two preflighted fetches before the matrix keep each
// scenario's cache behaviour independent of the order. Not part of the results.
const WARM_UP = {
  id: 'warm-up',
  fetches: [{ init: { method: 'PUT', headers: [['X-Warm', '1']] } }, { init: { method: 'PUT', headers: [['X-Warm', '1']] } }],
  server: {
    0: {
      preflight: { status: 204, headers: [['Access-Control-Allow-Origin', '{A}'], ['Access-Control-Allow-Methods', 'PUT'], ['Access-Control-Allow-Headers', 'X-Warm'], ['Access-Control-Max-Age', '60']] },
      actual: { status: 200, headers: [['Access-Control-Allow-Origin', '{A}']] },
    },
  },
};
if (browserName === 'firefox') byId.set(WARM_UP.id, WARM_UP);

const log = [];
/** Fetches per call into the page for `batch` rows. */
const BATCH = 100;
let tag = null;
const origins = {};
const opts = { script: (id) => byId.get(id)?.server ?? null, origins: () => origins, tag: () => tag, log };
const servers = await startMatrixServers(opts, origins);

const started = Date.now();
const browser = await driver.launch();
const results = [];
try {
  const page = await driver.openPage(browser, `${origins.A}/`);
  if (byId.has(WARM_UP.id)) {
    for (const f of WARM_UP.fetches) {
      tag = 'warm-up';
      await driver.crossOriginFetch(page, `${origins.B}/s/${WARM_UP.id}/0`, f.init);
    }
  }
  // Rows marked `batch` (the generated sweeps: distinct URLs, no waits) run many fetches per
  // call into the page; their requests are told apart by URL instead of by tag.
  const batched = scenarios.filter((s) => s.batch);
  for (const s of scenarios.filter((x) => !x.batch)) {
    const fetches = [];
    for (let i = 0; i < s.fetches.length; i++) {
      const f = s.fetches[i];
      if (f.wait_ms) await new Promise((r) => setTimeout(r, f.wait_ms));
      tag = `${s.id}#${i}`;
      const url = `${origins[f.target ?? 'B']}/s/${s.id}/${f.hop ?? 0}${f.query ?? ''}`;
      const init = { ...f.init };
      const r = await driver.crossOriginFetch(page, url, init);
      // Late requests (none expected) still carry this tag until the next fetch starts.
      fetches.push({ url, result: r, requests: log.filter((e) => e.tag === tag) });
    }
    results.push({ id: s.id, fetches });
  }
  const items = [];
  for (const s of batched) {
    s.fetches.forEach((f, i) => {
      const url = `${origins[f.target ?? 'B']}/s/${s.id}/${f.hop ?? 0}${f.query ?? ''}`;
      items.push({ s, i, url, path: url.slice(url.indexOf('/', 'http://'.length)), init: { ...f.init } });
    });
  }
  const done = new Map();
  for (let k = 0; k < items.length; k += BATCH) {
    const chunk = items.slice(k, k + BATCH);
    tag = 'batch';
    const rs = await driver.crossOriginFetchBatch(page, chunk.map(({ url, init }) => ({ url, init })));
    const logged = log.filter((e) => e.tag === 'batch');
    log.length = 0;
    chunk.forEach((it, j) => {
      if (!done.has(it.s.id)) done.set(it.s.id, []);
      done.get(it.s.id)[it.i] = { url: it.url, result: rs[j], requests: logged.filter((e) => e.path === it.path) };
    });
  }
  for (const s of batched) results.push({ id: s.id, fetches: done.get(s.id) });
} finally {
  await browser.close();
  for (const s of Object.values(servers)) await s.close();
}
const out = {
  browser: browserName,
  [browserName]: { chromium: () => driver.chromiumVersion(), firefox: () => driver.firefoxVersion(), webkit: () => driver.webkitVersion() }[browserName](),
  origins,
  elapsed_ms: Date.now() - started,
  results,
};
const json = JSON.stringify(out, null, 1);
if (outFile) writeFileSync(outFile, json);
else process.stdout.write(json);
