// Writes the corpus of DevTools "Copy as cURL" / "Copy as fetch" strings that
// crates/cors-cli/tests/devtools_copies.rs reads (crates/cors-cli/tests/devtools_copies/corpus.json):
//
//   node devtools/copy-corpus.mjs --out ../crates/cors-cli/tests/devtools_copies/corpus.json [--only REGEX]
//
// For the first fetch of every scenario of scenarios/scenarios.json (not the `batch` rows) that
// reached the server, headless Chromium and headless Firefox each run the fetch from page A, and
// the request is turned into every copy format its browser's DevTools offer by the DevTools' OWN
// generator code, taken at run time from the installed browser (nothing of it is kept in this
// repository):
//   - Chromium: the network panel module in /usr/lib/chromium/resources.pak (a brotli or gzip
//     resource holding `generateCurlCommand` and `generateFetchCall`): the two methods, the URL
//     scheme check they call and the forbidden-header table of FetchHeaderCommenting are cut out
//     of the bundle and run in node:vm, fed what CDP reported for the request
//     (Network.requestWillBeSent + requestWillBeSentExtraInfo, the headers DevTools shows).
//     Formats: chromium-curl-bash (`generateCurlCommand(r, 'unix')`), chromium-curl-cmd ('win'),
//     chromium-fetch (`generateFetchCall(r, 0)`, "Copy as fetch").
//   - Firefox: devtools/client/shared/curl.js and netmonitor's RequestListContextMenu.js from
//     /usr/lib/firefox-esr/browser/omni.ja, run as CommonJS modules in node:vm, fed the request as
//     it reached the server (the netmonitor shows the channel's request headers, which over
//     HTTP/1.1 are the wire's). Formats: firefox-curl-posix (`Curl.generateCommand(d, 'Linux')`),
//     firefox-curl-windows ('WINNT'), firefox-fetch (`generateFetchString`, "Copy as Fetch").
// Each entry also holds `sent` (the request line and headers the scripted server received, the
// body the page's script gave) and `asked` (the scenario's fetch() init: method, headers, body
// kind, mode, credentials).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import zlib from 'node:zlib';
import { startMatrixServers } from '../lib/scripted-server.mjs';
import { pageFetch } from '../lib/page-fetch.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const outPath = opt('--out', null);
if (!outPath) throw new Error('--out FILE is required');
const only = opt('--only', null) ? new RegExp(opt('--only')) : null;
const sha = (s) => createHash('sha256').update(s).digest('hex').slice(0, 16);

// ---- the generators, from the installed browsers ----

/** The end (exclusive) of the shortest `text.slice(start, end)` that compiles inside `wrap`. */
function endOfDefinition(text, start, wrap, from = start) {
  for (let i = text.indexOf('}', from); i >= 0; i = text.indexOf('}', i + 1)) {
    try {
      new vm.Script(wrap(text.slice(start, i + 1)));
      return i + 1;
    } catch {
      // not there yet
    }
  }
  throw new Error(`no end found for the definition at ${start}`);
}

function pakResources(path) {
  const b = readFileSync(path);
  if (b.readUInt32LE(0) !== 5) throw new Error(`${path}: not a version 5 .pak`);
  const count = b.readUInt16LE(8);
  const at = (i) => [b.readUInt16LE(12 + i * 6), b.readUInt32LE(12 + i * 6 + 2)];
  const out = [];
  for (let i = 0; i < count; i++) {
    const [id, start] = at(i);
    let d = b.subarray(start, at(i + 1)[1]);
    try {
      if (d[0] === 0x1e && d[1] === 0x9b) d = zlib.brotliDecompressSync(d.subarray(8));
      else if (d[0] === 0x1f && d[1] === 0x8b) d = zlib.gunzipSync(d);
    } catch {
      continue;
    }
    out.push([id, d]);
  }
  return out;
}

function chromiumGenerators() {
  const found = pakResources('/usr/lib/chromium/resources.pak').find(([, d]) => {
    const s = d.toString('latin1');
    return s.includes('static async generateCurlCommand(') && s.includes('async generateFetchCall(');
  });
  if (!found) throw new Error('resources.pak: no network panel module with generateCurlCommand');
  const [resourceId, data] = found;
  const s = data.toString('utf8');
  const cls = (body) => `(class Z{static #e;static #i(){}${body}})`;
  const piece = (marker, wrap) => {
    const start = s.indexOf(marker);
    if (start < 0) throw new Error(`network panel module: no \`${marker}\``);
    return s.slice(start, endOfDefinition(s, start, wrap));
  };
  const curl = piece('static async generateCurlCommand(', cls);
  let fi = s.indexOf('async generateFetchCall(');
  while (s.slice(fi - 7, fi) === 'static ') fi = s.indexOf('async generateFetchCall(', fi + 1);
  const fetchCall = s.slice(fi, endOfDefinition(s, fi, cls));
  // The URL scheme check (`static #x(url)`) and the scheme set (`static #y=new Set([...])`).
  const check = /static\s*#(\w+)\(e\)\{try\{let t=new URL\(e\);return \w+\.#(\w+)\.has\(t\.protocol\)/.exec(s);
  if (!check) throw new Error('network panel module: no URL scheme check');
  const checkSrc = s.slice(check.index, endOfDefinition(s, check.index, (b) => `(class Z{static #${check[2]};${b}})`));
  const setM = new RegExp(`static\\s*#${check[2]}=(new Set\\(\\[[^\\]]*\\]\\))`).exec(s);
  const self = /return (\w+)\.#/.exec(checkSrc)[1];
  // The forbidden-header test generateFetchCall calls, with FetchHeaderCommenting's table.
  const forbidName = /"user-agent"\|\|(\w+)\(/.exec(fetchCall)[1];
  const modAt = s.indexOf('"panels/network/FetchHeaderCommenting.ts"');
  const segStart = s.lastIndexOf('var ', modAt);
  const fnAt = s.indexOf(`function ${forbidName}(`, modAt);
  const seg = s.slice(segStart, endOfDefinition(s, segStart, (b) => b, fnAt));
  const i18nName = /(\w+)\.i18n\.registerUIStrings\("panels\/network\/FetchHeaderCommenting\.ts"/.exec(seg)[1];
  // Names the methods use from elsewhere in the bundle: the i18n helper for the unsupported-URL
  // message and the security-state enum (only `Insecure`).
  const i18nCall = /return (\w+)\((\w+)\.unsupportedUrlScheme/.exec(curl);
  const secEnum = /securityState\(\)===(\w+)\.SecurityState\.Insecure/.exec(curl)[1];
  const source = `
    const ${i18nName} = { i18n: { registerUIStrings: () => null, getLazilyComputedLocalizedString: (_f, s) => () => s } };
    const ${i18nCall[1]} = (s) => String(s);
    const ${i18nCall[2]} = new Proxy({}, { get: (_t, k) => k });
    const ${secEnum} = { SecurityState: { Insecure: 'insecure' } };
    ${seg}
    const ${self} = class { static #${check[2]} = ${setM[1]}; ${checkSrc} ${fetchCall} ${curl} };
    ({ curl: (r, p) => ${self}.generateCurlCommand(r, p), fetch: (r) => new ${self}().generateFetchCall(r, 0) })`;
  const g = vm.runInNewContext(source, { URL, Headers, JSON, Set, Object, Promise, Proxy, String });
  return {
    ...g,
    provenance: {
      from: `/usr/lib/chromium/resources.pak resource ${resourceId} (network panel module)`,
      version: execFileSync('chromium', ['--version'], { encoding: 'utf8' }).trim(),
      sha256_16: { generateCurlCommand: sha(curl), generateFetchCall: sha(fetchCall), forbidden_headers: sha(seg) },
    },
  };
}

function omniFile(name) {
  // omni.ja is a zip: find the entry in its central directory.
  const b = readFileSync('/usr/lib/firefox-esr/browser/omni.ja');
  let eocd = b.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const cdCount = b.readUInt16LE(eocd + 10);
  let p = b.readUInt32LE(eocd + 16);
  for (let n = 0; n < cdCount; n++) {
    const method = b.readUInt16LE(p + 10);
    const csize = b.readUInt32LE(p + 20);
    const nameLen = b.readUInt16LE(p + 28);
    const extra = b.readUInt16LE(p + 30);
    const comment = b.readUInt16LE(p + 32);
    const local = b.readUInt32LE(p + 42);
    const entry = b.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    if (entry === name) {
      const dataAt = local + 30 + b.readUInt16LE(local + 26) + b.readUInt16LE(local + 28);
      const raw = b.subarray(dataAt, dataAt + csize);
      return (method === 8 ? zlib.inflateRawSync(raw) : raw).toString('utf8');
    }
    p += 46 + nameLen + extra + comment;
  }
  throw new Error(`omni.ja: no ${name}`);
}

function firefoxGenerators() {
  const base = 'chrome/devtools/modules/devtools/client/';
  const curlSrc = omniFile(`${base}shared/curl.js`);
  const menuSrc = omniFile(`${base}netmonitor/src/widgets/RequestListContextMenu.js`);
  const Services = { appinfo: { OS: 'Linux' } };
  const load = (src) => {
    const module = { exports: {} };
    const loader = { lazyRequireGetter() {} };
    vm.runInNewContext(`(function (exports, module, require, loader) {${src}\n})`, { Services })(
      module.exports,
      module,
      () => ({}),
      loader,
    );
    return module.exports;
  };
  const { Curl } = load(curlSrc);
  const Menu = load(menuSrc);
  const menu = new Menu({ connector: {} });
  return {
    curl: (d, platform) => Curl.generateCommand(d, platform),
    fetch: (id, url, method, headers, postData) => menu.generateFetchString(id, url, method, headers, postData),
    provenance: {
      from: `/usr/lib/firefox-esr/browser/omni.ja (${base}shared/curl.js, ${base}netmonitor/src/widgets/RequestListContextMenu.js)`,
      version: execFileSync('firefox-esr', ['--version'], { encoding: 'utf8' }).trim(),
      sha256_16: { 'curl.js': sha(curlSrc), 'RequestListContextMenu.js': sha(menuSrc) },
    },
  };
}

// ---- the scenario matrix against the scripted servers ----

const table = JSON.parse(readFileSync(join(here, '..', 'scenarios', 'scenarios.json'), 'utf8'));
const scenarios = table.scenarios.filter((s) => !s.batch && (!only || only.test(s.id)));
const byId = new Map(scenarios.map((s) => [s.id, s]));
// Besides the matrix, requests whose URL, header values and bodies hold what each copy format has
// to quote or escape (`'`, `!`, `"`, `\`, `^`, `%VAR%`, `$`, `&|<>`, line breaks, bytes 0x80–0xFF
// in header values, non-ASCII bodies), against a server that allows everything.
const open = {
  0: {
    preflight: { status: 204, headers: [['Access-Control-Allow-Origin', '{ORIGIN}'], ['Access-Control-Allow-Methods', '{ACRM}'], ['Access-Control-Allow-Headers', '{ACRH}'], ['Access-Control-Allow-Credentials', 'true']] },
    actual: { status: 200, headers: [['Access-Control-Allow-Origin', '{ORIGIN}'], ['Access-Control-Allow-Credentials', 'true']] },
  },
};
const quoting = [
  ['q-apostrophe', { headers: [['X-Q', "it's"]] }],
  ['q-bang', { headers: [['X-Q', 'hey!now']] }],
  ['q-double-quote', { headers: [['X-Q', 'say "hi"']] }],
  ['q-backslash', { headers: [['X-Q', 'a\\b\\']] }],
  ['q-caret-percent', { headers: [['X-Q', '100% ^ %PATH% %1']] }],
  ['q-dollar-backtick', { headers: [['X-Q', '$HOME `id` $(x)']] }],
  ['q-shell-ops', { headers: [['X-Q', 'a&b|c<d>e;f']] }],
  ['q-latin1', { headers: [['X-Q', 'caf\u00e9 \u00ff']] }],
  ['q-tab', { headers: [['X-Q', 'a\tb']] }],
  ['q-json-body', { method: 'POST', headers: [['Content-Type', 'application/json']], body: '{"a":"it\'s","b":[1,2],"c":"x\\ny"}' }],
  ['q-multiline-body', { method: 'PUT', headers: [['Content-Type', 'text/plain']], body: "line 1\nline 2\r\n'3' \"4\" !5 %6% ^7 $8" }],
  ['q-utf8-body', { method: 'POST', headers: [['Content-Type', 'text/plain;charset=utf-8']], body: 'h\u00e9llo \u{1F600} \u4e2d' }],
  ['q-form-body', { method: 'POST', bodyKind: 'params' }],
  ['q-bytes-body', { method: 'POST', bodyKind: 'bytes' }],
  ['q-credentials', { credentials: 'include', headers: [['X-Q', '1']] }],
  ['q-credentials-auth', { credentials: 'include', headers: [['Authorization', 'Bearer abc.def']] }],
  ['q-auth-only', { headers: [['Authorization', 'Basic dTpw']] }],
  ['q-no-cors', { mode: 'no-cors', method: 'POST', bodyKind: 'text' }],
  ['q-delete', { method: 'DELETE', headers: [['X-Q', '1']] }],
  ['q-head', { method: 'HEAD' }],
  ['q-query', { query: "?a=[1]&b={2}&c=%41&d='x'&e=!" }],
];
if (!only || only.test('q-')) {
  for (const [id, init] of quoting) {
    const { query, ...rest } = init;
    const s = { id, fetches: [{ init: rest, ...(query ? { query } : {}) }], server: open };
    scenarios.push(s);
    byId.set(id, s);
  }
}
const origins = {};
const log = [];
const opts = { script: (id) => byId.get(id)?.server ?? null, origins: () => origins, tag: () => null, log };
const servers = await startMatrixServers(opts, origins);

const BODY = { text: 'hello', params: 'a=1', bytes: '\u0001\u0002\u0003' };
// One request per distinct first fetch (target and init): the rows that differ only in what the
// server answers would copy to the same strings.
const requests = () => {
  const seen = new Set();
  return scenarios
    .filter((s) => s.fetches.length && !s.fetches[0].wait_ms)
    .filter((s) => {
      const key = JSON.stringify([s.fetches[0].target ?? 'B', s.fetches[0].query ?? '', s.fetches[0].init]);
      return !seen.has(key) && seen.add(key);
    })
    .map((s) => {
      const f = s.fetches[0];
      // As the browser serializes it (WHATWG URL: `'` in a query becomes %27).
      const url = new URL(`${origins[f.target ?? 'B']}/s/${s.id}/${f.hop ?? 0}${f.query ?? ''}`).href;
      return { id: s.id, url, init: { ...f.init } };
    });
};

/** The request the server received for `url` (not a preflight), as `sent`. */
function wire(server, url, init) {
  const path = url.slice(url.indexOf('/', 'http://'.length));
  const e = log.find((l) => l.server === server && l.kind === 'actual' && l.path === path);
  if (!e) return null;
  const headers = [];
  for (let i = 0; i < e.rawHeaders.length; i += 2) headers.push([e.rawHeaders[i], e.rawHeaders[i + 1]]);
  const length = headers.find(([n]) => n.toLowerCase() === 'content-length');
  const given = init.body ?? (init.bodyKind ? BODY[init.bodyKind] : null);
  const body = given !== null && length && Number(length[1]) > 0 ? given : null;
  return { method: e.method, url, headers, body, response_headers: e.response.headers };
}

const asked = (init) => ({
  method: init.method ?? 'GET',
  headers: init.headers ?? [],
  body_kind: init.bodyKind ?? (typeof init.body === 'string' ? 'text' : null),
  mode: init.mode ?? 'cors',
  credentials: init.credentials ?? 'same-origin',
});
const serverOf = (url) => Object.keys(origins).find((k) => url.startsWith(origins[k] + '/'));

/** One copy; a generator that throws (as it would in DevTools) is recorded with its error. */
async function copy(format, generate) {
  try {
    return { format, text: await generate() };
  } catch (e) {
    return { format, error: String(e) };
  }
}

async function runChromium(gen) {
  const { launch } = await import('../lib/chromium.mjs');
  const context = await launch();
  const out = [];
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const seen = new Map();
    const get = (id) => seen.get(id) ?? seen.set(id, {}).get(id);
    cdp.on('Network.requestWillBeSent', (e) => {
      if (!e.redirectResponse) Object.assign(get(e.requestId), { request: e.request, type: e.type });
    });
    cdp.on('Network.requestWillBeSentExtraInfo', (e) => {
      const r = get(e.requestId);
      if (!r.extra) r.extra = e;
    });
    cdp.on('Network.responseReceived', (e) => {
      get(e.requestId).securityState = e.response.securityState;
    });
    await cdp.send('Network.enable');
    await page.goto(`${origins.A}/`);
    for (const q of requests()) {
      await page.evaluate(pageFetch, { url: q.url, init: q.init });
      await new Promise((r) => setTimeout(r, 20));
      const sent = wire(serverOf(q.url), q.url, q.init);
      if (!sent) continue;
      const [id, r] = [...seen].find(([, v]) => v.request?.url === q.url && v.type === 'Fetch') ?? [];
      if (!r) continue;
      let postData = r.request.postData ?? null;
      if (r.request.hasPostData && postData === null) {
        try {
          postData = (await cdp.send('Network.getRequestPostData', { requestId: id })).postData;
        } catch {
          postData = null;
        }
      }
      const hs = r.extra?.headers ?? r.request.headers;
      const headerList = Object.entries(hs).flatMap(([name, v]) => String(v).split('\n').map((value) => ({ name, value })));
      const cookies = (r.extra?.associatedCookies ?? []).filter((c) => !c.blockedReasons?.length);
      const req = {
        url: () => r.request.url + (r.request.urlFragment ?? ''),
        requestHeaders: () => headerList,
        requestFormData: async () => postData,
        requestMethod: r.request.method,
        includedRequestCookies: () => cookies,
        securityState: () => r.securityState ?? 'insecure',
      };
      out.push({
        id: q.id,
        browser: 'chromium',
        sent,
        asked: asked(q.init),
        copies: [
          await copy('chromium-curl-bash', () => gen.curl(req, 'unix')),
          await copy('chromium-curl-cmd', () => gen.curl(req, 'win')),
          await copy('chromium-fetch', () => gen.fetch(req)),
        ],
      });
    }
  } finally {
    await context.close();
  }
  return out;
}

async function runFirefox(gen) {
  const { launch, openPage, evaluate } = await import('../lib/firefox.mjs');
  const browser = await launch();
  const out = [];
  try {
    const page = await openPage(browser, `${origins.A}/`);
    for (const q of requests()) {
      await evaluate(page, pageFetch, { url: q.url, init: q.init });
      const sent = wire(serverOf(q.url), q.url, q.init);
      if (!sent) continue;
      const headers = sent.headers.map(([name, value]) => ({ name, value }));
      const data = {
        url: q.url,
        method: sent.method,
        headers,
        responseHeaders: sent.response_headers.map(([name, value]) => ({ name, value })),
        httpVersion: 'HTTP/1.1',
        postDataText: sent.body ?? '',
      };
      const postData = { postData: sent.body === null ? {} : { text: sent.body } };
      out.push({
        id: q.id,
        browser: 'firefox',
        sent,
        asked: asked(q.init),
        copies: [
          await copy('firefox-curl-posix', () => gen.curl(data, 'Linux')),
          await copy('firefox-curl-windows', () => gen.curl(data, 'WINNT')),
          await copy('firefox-fetch', () => gen.fetch(q.id, q.url, sent.method, { headers }, postData)),
        ],
      });
    }
  } finally {
    await browser.close();
  }
  return out;
}

const chromium = chromiumGenerators();
const firefox = firefoxGenerators();
const entries = [];
log.length = 0;
entries.push(...(await runChromium(chromium)));
log.length = 0;
entries.push(...(await runFirefox(firefox)));
for (const s of Object.values(servers)) await s.close();
for (const e of entries) delete e.sent.response_headers;
mkdirSync(dirname(outPath), { recursive: true });
// One entry a line: a regenerated corpus diffs by request.
const head = {
  about: 'Written by browser-tests/devtools/copy-corpus.mjs; do not edit. Each copy was generated by the DevTools code of the installed browser.',
  generators: { chromium: chromium.provenance, firefox: firefox.provenance },
  origins,
};
const headText = JSON.stringify(head, null, 1).replace(/\n}$/, ',\n "entries": [\n');
writeFileSync(outPath, headText + entries.map((e) => '  ' + JSON.stringify(e)).join(',\n') + '\n ]\n}\n');
console.log(`${entries.length} requests (${entries.filter((e) => e.browser === 'chromium').length} chromium), ${entries.reduce((n, e) => n + e.copies.length, 0)} copies -> ${outPath}`);
