// The demo page of `cors serve`: runs the MDN article's requests with fetch() and shows, for
// each, what the browser sent, what the gateway answered (it records every exchange and this
// page's server shows them at /api/exchanges) and what the browser let the page read.
'use strict';

const SCENARIOS = [
  {
    id: 'simple',
    title: '1. Simple request',
    expect: 'passed',
    what: 'GET /resources/public-data/ — no preflight: GET with safelisted headers only.',
    code: "fetch(gateway + '/resources/public-data/')",
    request: (gw) => [gw + '/resources/public-data/', {}],
  },
  {
    id: 'preflight',
    title: '2. Preflighted request',
    expect: 'passed',
    what: 'POST /doc with X-PINGOTHER and an XML body — the browser asks first with OPTIONS.',
    code: "fetch(gateway + '/doc', { method: 'POST',\n  headers: { 'X-PINGOTHER': 'pingpong', 'Content-Type': 'text/xml; charset=UTF-8' },\n  body: '<person><name>Arun</name></person>' })",
    request: (gw) => [gw + '/doc', {
      method: 'POST',
      headers: { 'X-PINGOTHER': 'pingpong', 'Content-Type': 'text/xml; charset=UTF-8' },
      body: '<person><name>Arun</name></person>',
    }],
  },
  {
    id: 'credentials',
    title: '3. Request with credentials',
    expect: 'passed',
    what: 'GET /resources/credentialed-content/ with cookies — the answer must name the origin and allow credentials.',
    code: "fetch(gateway + '/resources/credentialed-content/', { credentials: 'include' })",
    request: (gw) => [gw + '/resources/credentialed-content/', { credentials: 'include' }],
  },
  {
    id: 'disallowed',
    title: '4. The same preflighted request, from a disallowed origin',
    expect: 'blocked',
    frame: true,
    what: 'A page on another origin (hidden iframe) tries request 2. The gateway answers the preflight without CORS headers; the browser never sends the POST.',
    code: "// on a page at the disallowed origin:\nfetch(gateway + '/doc', { method: 'POST', headers: { 'X-PINGOTHER': 'pingpong', … }, body: … })",
    request: (gw) => SCENARIOS[1].request(gw),
  },
];

const CORS_NAMES = /^(origin|access-control-|vary$|set-cookie$|cookie$)/;

// Runs a scenario's fetch; what the browser lets script see.
async function attempt(scenario, gw, run) {
  const [url, init] = scenario.request(gw);
  try {
    const r = await fetch(url + '?run=' + run, init);
    const body = await r.text();
    return { ok: true, status: r.status, headers: [...r.headers], body };
  } catch (e) {
    return { ok: false, error: String(e) };
  }
}

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, props);
  for (const c of children) e.append(c);
  return e;
}

function headerBlock(lines) {
  const pre = el('pre');
  for (const [k, v] of lines) {
    const line = el('span', { textContent: `${k}: ${v}\n` });
    if (CORS_NAMES.test(k.toLowerCase())) line.className = 'hl';
    pre.append(line);
  }
  return pre;
}

function exchangeBlock(x) {
  const box = el('div');
  box.append(el('pre', { textContent: `${x.method} ${x.path} → ${x.status}` }));
  box.append(el('div', { className: 'decision' }, 'gateway: ', el('code', { textContent: x.explain })));
  return box;
}

async function exchanges(run) {
  const r = await fetch('/api/exchanges?run=' + encodeURIComponent(run));
  return r.json();
}

function render(scenario, result, xs) {
  const verdict = result.ok ? 'passed' : 'blocked';
  const card = el('section', { className: 'card ' + (verdict === scenario.expect ? 'as-expected' : 'unexpected') });
  card.id = 'scenario-' + scenario.id;
  card.dataset.verdict = verdict;
  card.dataset.expected = scenario.expect;
  const v = result.ok
    ? `✔ passed — the page read the response (${result.status})`
    : '✘ blocked by the browser (CORS error)';
  card.append(el('header', {}, el('h2', { textContent: scenario.title }), el('span', { className: 'verdict', textContent: v })));
  card.append(el('p', { className: 'why', textContent: scenario.what }));
  card.append(el('pre', { textContent: scenario.code }));
  const pre = xs.find((x) => x.method === 'OPTIONS');
  const actual = xs.find((x) => x.method !== 'OPTIONS');
  const grid = el('div', { className: 'grid' });
  grid.append(el('h3', { textContent: 'Preflight: request' }), el('h3', { textContent: 'Preflight: response' }));
  if (pre) {
    grid.append(headerBlock(pre.request_headers.filter(([k]) => CORS_NAMES.test(k) || k === 'host')),
      el('div', {}, exchangeBlock(pre), headerBlock(pre.response_headers)));
  } else {
    const none = scenario.id === 'preflight'
      ? 'none this time: the browser reused its cached answer (Access-Control-Max-Age)'
      : 'none: a simple request is sent directly';
    grid.append(el('p', { textContent: none }), el('p', { textContent: '—' }));
  }
  grid.append(el('h3', { textContent: 'Request' }), el('h3', { textContent: 'Response (on the wire)' }));
  if (actual) {
    grid.append(headerBlock(actual.request_headers.filter(([k]) => CORS_NAMES.test(k) || k === 'host' || k.startsWith('x-') || k === 'content-type')),
      el('div', {}, exchangeBlock(actual), headerBlock(actual.response_headers)));
  } else {
    grid.append(el('p', { textContent: 'never sent: the preflight failed' }), el('p', { textContent: '—' }));
  }
  grid.append(el('h3', { textContent: 'What the page could read' }), el('h3', { textContent: 'Verdict' }));
  if (result.ok) {
    grid.append(el('div', {}, headerBlock(result.headers), el('pre', { textContent: result.body })));
  } else {
    grid.append(el('pre', { textContent: result.error + '\n(the browser hides the details from script: see its console)' }));
  }
  const because = result.ok
    ? 'The response carried Access-Control-Allow-Origin matching this page' + (scenario.id === 'credentials' ? ', and Access-Control-Allow-Credentials: true.' : '.')
    : 'The gateway answered without Access-Control-Allow-Origin' + (pre ? ` (${pre.reason})` : '') + ', so the browser refused.';
  grid.append(el('p', { textContent: (verdict === scenario.expect ? 'As the article says. ' : 'Not what the article says! ') + because }));
  card.append(grid);
  return card;
}

// The disallowed scenario runs in an iframe on the other origin, which reports back by postMessage.
function frameAttempt(frame, otherOrigin, scenario, run) {
  return new Promise((resolve) => {
    const onMessage = (ev) => {
      if (ev.origin !== otherOrigin || !ev.data || ev.data.run !== run) return;
      window.removeEventListener('message', onMessage);
      resolve(ev.data.result);
    };
    window.addEventListener('message', onMessage);
    frame.contentWindow.postMessage({ run, scenario: scenario.id }, otherOrigin);
  });
}

async function page() {
  const cfg = await (await fetch('/api/config')).json();
  const host = location.hostname;
  const gw = `http://${host}:${cfg.gateway_port}`;
  const other = `http://${host}:${cfg.other_port}`;
  document.getElementById('page-origin').textContent = location.origin;
  document.getElementById('gateway-origin').textContent = gw;
  document.getElementById('other-origin').textContent = other;
  const m = document.getElementById('metrics-link');
  m.href = m.textContent = `http://${host}:${cfg.admin_port}/metrics`;
  document.getElementById('config').textContent = cfg.gateway_toml;
  const frame = document.getElementById('other-frame');
  const ready = new Promise((resolve) => {
    window.addEventListener('message', (ev) => { if (ev.origin === other && ev.data === 'ready') resolve(); });
  });
  frame.src = `${other}/frame.html?page=${encodeURIComponent(location.origin)}&gateway=${encodeURIComponent(gw)}`;
  await ready;

  let round = 0;
  async function runAll() {
    round += 1;
    const summary = document.getElementById('summary');
    summary.className = '';
    summary.textContent = 'Running…';
    delete summary.dataset.done;
    const cards = document.getElementById('cards');
    cards.replaceChildren();
    let good = 0;
    for (const s of SCENARIOS) {
      const run = `${s.id}-${Date.now().toString(36)}-${round}`;
      const result = s.frame ? await frameAttempt(frame, other, s, run) : await attempt(s, gw, run);
      const xs = await exchanges(run);
      const card = render(s, result, xs);
      if (card.dataset.verdict === s.expect) good += 1;
      cards.append(card);
    }
    summary.textContent = `${good} of ${SCENARIOS.length} requests behaved as the article says: ` +
      `3 passed, and the one from a disallowed origin was blocked.`;
    if (good !== SCENARIOS.length) summary.textContent = `${good} of ${SCENARIOS.length} requests behaved as the article says.`;
    summary.className = good === SCENARIOS.length ? 'ok' : 'bad';
    summary.dataset.done = 'true';
  }
  document.getElementById('again').onclick = runAll;
  await runAll();
}

async function framePage() {
  const params = new URLSearchParams(location.search);
  const pageOrigin = params.get('page');
  const gw = params.get('gateway');
  document.getElementById('home').href = document.getElementById('home').textContent = pageOrigin;
  if (window.parent === window || !pageOrigin) return;
  window.addEventListener('message', async (ev) => {
    if (ev.origin !== pageOrigin) return;
    const s = SCENARIOS.find((x) => x.id === ev.data.scenario);
    const result = await attempt(s, gw, ev.data.run);
    window.parent.postMessage({ run: ev.data.run, result }, pageOrigin);
  });
  window.parent.postMessage('ready', pageOrigin);
}

if (location.pathname === '/frame.html') framePage(); else page();
