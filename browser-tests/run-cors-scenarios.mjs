// Runs every scenario of scenarios/scenarios.json in headless Chromium: three scripted servers on
// 127.0.0.1 (origins A = page, B, C), the page on A fetches each scenario cross-origin, and the
// results — what script saw, what DevTools reported, what each server received and answered —
// are written as JSON (stdout, or --out FILE). Driven by crates/cors/tests/agent_chromium.rs.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumVersion, crossOriginFetch, launch, openPage } from './lib/chromium.mjs';
import { startScriptedServer } from './lib/scripted-server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const outFile = outIdx >= 0 ? args[outIdx + 1] : null;
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? new RegExp(args[onlyIdx + 1]) : null;

const table = JSON.parse(readFileSync(join(here, 'scenarios', 'scenarios.json'), 'utf8'));
const scenarios = table.scenarios.filter((s) => !only || only.test(s.id));
const byId = new Map(scenarios.map((s) => [s.id, s]));

const log = [];
let tag = null;
const origins = {};
const opts = { script: (id) => byId.get(id)?.server ?? null, origins: () => origins, tag: () => tag, log };
const servers = {};
for (const name of ['A', 'B', 'C']) servers[name] = await startScriptedServer(name, opts);
origins.A = `http://127.0.0.1:${servers.A.port}`;
origins.B = `http://127.0.0.1:${servers.B.port}`;
origins.C = `http://localhost:${servers.C.port}`;

const started = Date.now();
const browser = await launch();
const results = [];
try {
  const page = await openPage(browser, `${origins.A}/`);
  for (const s of scenarios) {
    const fetches = [];
    for (let i = 0; i < s.fetches.length; i++) {
      const f = s.fetches[i];
      if (f.wait_ms) await new Promise((r) => setTimeout(r, f.wait_ms));
      tag = `${s.id}#${i}`;
      const url = `${origins[f.target ?? 'B']}/s/${s.id}/${f.hop ?? 0}${f.query ?? ''}`;
      const init = { ...f.init };
      const r = await crossOriginFetch(page, url, init);
      // Late requests (none expected) still carry this tag until the next fetch starts.
      fetches.push({ url, result: r, requests: log.filter((e) => e.tag === tag) });
    }
    results.push({ id: s.id, fetches });
  }
} finally {
  await browser.close();
  for (const s of Object.values(servers)) await s.close();
}
const out = {
  chromium: chromiumVersion(),
  origins,
  elapsed_ms: Date.now() - started,
  results,
};
const json = JSON.stringify(out, null, 1);
if (outFile) writeFileSync(outFile, json);
else process.stdout.write(json);
