// cors ui: the page. It reads the form, asks the binary's API once per browser (/api/explain
// offline, /api/check live; the objects `cors explain --json` and `cors check --json` print) and
// draws the answer: a column per browser, the exchange as a sequence diagram, and the fix.
// No CORS rule lives here: every verdict, message and header comes from the engine's JSON.
'use strict';

const TOKEN = document.querySelector('meta[name="cors-ui-token"]').content;
const BROWSERS = { chromium: 'Chromium', firefox: 'Firefox', safari: 'Safari' };
const $ = (id) => document.getElementById(id);

// --- small DOM helpers (text only: nothing from the API is parsed as HTML) -------------------

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const code = (t) => el('code', {}, t);

// --- the API ---------------------------------------------------------------------------------

async function api(path, body) {
  const init = { headers: { 'X-Cors-Ui-Token': TOKEN }, credentials: 'same-origin' };
  if (body !== undefined) {
    init.method = 'POST';
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  const json = await r.json();
  if (!r.ok) throw new Error(json.error ? json.error.message : `HTTP ${r.status}`);
  return json;
}

// --- the form ----------------------------------------------------------------------------------

const FIELDS = ['url', 'origin', 'method', 'headers', 'body', 'data', 'credentials', 'mode', 'redirect'];

function runMode() {
  return document.querySelector('input[name="run-mode"]:checked').value;
}

function selectedBrowsers() {
  return [...document.querySelectorAll('input[name="browser"]:checked')].map((c) => c.value);
}

function readForm() {
  const v = (id) => $(id).value;
  return {
    url: v('url').trim(),
    origin: v('origin').trim(),
    method: v('method').trim(),
    headers: v('headers').split(/\r?\n/).filter((l) => l.trim() !== ''),
    data: v('data'),
    body: v('body'),
    credentials: v('credentials'),
    mode: v('mode'),
    redirect: v('redirect'),
    private_network: $('private-network').checked,
  };
}

function fillForm(f) {
  for (const k of FIELDS) {
    if (f[k] === undefined) continue;
    $(k).value = k === 'headers' ? [].concat(f[k]).join('\n') : f[k];
  }
  $('private-network').checked = !!f.private_network;
}

function setRunMode(m) {
  const r = document.querySelector(`input[name="run-mode"][value="${m === 'live' ? 'live' : 'offline'}"]`);
  r.checked = true;
  onModeChange();
}

function onModeChange() {
  const live = runMode() === 'live';
  $('live-warning').hidden = !live;
  $('run').textContent = live ? 'Check (sends requests)' : 'Explain';
  $('run').classList.toggle('live', live);
  document.body.classList.toggle('is-live', live);
}

// --- the permalink: the request in the URL fragment -------------------------------------------

function encodeState(state) {
  const bytes = new TextEncoder().encode(JSON.stringify(state));
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function decodeState(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const s = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const bytes = Uint8Array.from(s, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function currentState() {
  return { v: 1, mode: runMode(), browsers: selectedBrowsers(), form: readForm() };
}

function updatePermalink() {
  const hash = '#r=' + encodeState(currentState());
  $('permalink').href = hash;
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

function stateFromHash() {
  const m = /^#r=([A-Za-z0-9_-]+)$/.exec(location.hash);
  if (!m) return null;
  try {
    const s = decodeState(m[1]);
    return s && s.v === 1 && s.form ? s : null;
  } catch {
    return null;
  }
}

// --- verdicts ----------------------------------------------------------------------------------

/** The verdict of an explain object: [label, tone, one sentence]. */
function offlineVerdict(e) {
  switch (e.route) {
    case 'refused':
      return ['fetch() throws', 'bad', 'Nothing is sent: the request is refused before it leaves.'];
    case 'blocked':
      return ['Blocked before sending', 'bad', e.blocked ? e.blocked.message : ''];
    case 'same-origin':
      return ['Same-origin', 'good', 'No CORS at all: the page and the URL share an origin.'];
    case 'no-cors':
      return ['Opaque (no-cors)', 'warn', 'Sent without CORS: script gets status 0, no headers, no body.'];
    case 'simple':
      return ['Simple request', 'good', 'No preflight: sent as is; passes when the response carries the headers under “The fix”.'];
    case 'preflight':
      return ['Preflighted', 'warn', 'An OPTIONS preflight goes first; the request passes when both answers carry the headers under “The fix”.'];
    default:
      return [e.route, 'warn', ''];
  }
}

function liveVerdict(r) {
  switch (r.verdict) {
    case 'allowed':
      return ['Allowed', 'good', r.summary];
    case 'blocked':
      return [r.steps.some((s) => s.kind === 'preflight' && s.outcome === 'failed') ? 'Blocked at the preflight' : 'Blocked', 'bad', r.summary];
    case 'refused':
      return ['fetch() throws', 'bad', r.summary];
    default:
      return ['Network error', 'bad', r.summary];
  }
}

function consoleLines(result, browser, live) {
  if (live) {
    const c = result.console || {};
    if (browser === 'firefox') return c.firefox_lines && c.firefox_lines.length ? c.firefox_lines : [];
    if (browser === 'chromium') return c.chromium ? [c.chromium] : [];
    if (browser === 'safari') return c.webkit_lines && c.webkit_lines.length ? c.webkit_lines : [];
    return [];
  }
  if (result.refusal) return [`Uncaught (in promise) ${result.refusal.message}`];
  return [];
}

function renderColumns(results, live) {
  const box = $('columns');
  box.replaceChildren();
  for (const { browser, result, error } of results) {
    const col = el('article', { class: 'col', 'data-browser': browser, 'aria-labelledby': `col-${browser}` });
    col.append(el('h3', { id: `col-${browser}` }, BROWSERS[browser] || browser));
    if (error) {
      col.dataset.verdict = 'error';
      col.append(el('p', { class: 'verdict bad' }, 'Error'), el('p', {}, error));
      box.append(col);
      continue;
    }
    const [label, tone, sentence] = live ? liveVerdict(result) : offlineVerdict(result);
    col.dataset.route = result.route;
    col.dataset.verdict = live ? result.verdict : result.route;
    col.classList.add(tone);
    col.append(el('p', { class: `verdict ${tone}`, 'data-testid': 'verdict' }, el('span', { class: 'dot', 'aria-hidden': 'true' }), label));
    if (sentence) col.append(el('p', { class: 'sentence' }, sentence));

    col.append(el('h4', {}, 'Console'));
    const lines = consoleLines(result, browser, live);
    if (lines.length) {
      col.append(el('pre', { class: 'console', 'data-testid': 'console' }, lines.join('\n')));
    } else {
      col.append(el('p', { class: 'muted', 'data-testid': 'console' }, live ? 'Nothing: the request passes.' : result.route === 'blocked' ? 'A CORS error (see above).' : 'Nothing, when the server sends the headers under “The fix” (live mode shows what your server sends).'));
    }

    col.append(el('h4', {}, 'Preflight'));
    const reasons = result.preflight_reasons || [];
    if (reasons.length) {
      col.append(el('p', {}, 'Needed, because:'));
      col.append(el('ul', { class: 'reasons', 'data-testid': 'reasons' }, reasons.map((r) => el('li', {}, r))));
    } else {
      const why = { simple: 'Not needed: the method and every header are CORS-safelisted.', 'same-origin': 'Not needed: same-origin.', 'no-cors': 'Never sent in mode no-cors.', refused: 'None: nothing is sent.', blocked: 'None: nothing is sent.' };
      col.append(el('p', { class: 'muted', 'data-testid': 'reasons' }, why[result.route] || 'Not needed.'));
    }
    if (live && result.preflight_cached) col.append(el('p', { class: 'muted' }, 'The preflight cache answered.'));
    box.append(col);
  }
}

// --- the sequence diagram ----------------------------------------------------------------------

/** Which response header a failed rule is about. */
const RULE_HEADER = {
  'allow-origin': 'access-control-allow-origin',
  'allow-credentials': 'access-control-allow-credentials',
  'allow-methods': 'access-control-allow-methods',
  'allow-headers': 'access-control-allow-headers',
  'private-network': 'access-control-allow-private-network',
  redirect: 'location',
  'no-redirect': 'location',
};

function pathOf(url) {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

function hostOf(url) {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function headerList(headers, markName, missing, markClass = 'bad-header') {
  const ul = el('ul', { class: 'hdrs' });
  let marked = false;
  for (const [n, v] of headers) {
    const line = `${n}: ${v}`;
    if (markName && n.toLowerCase() === markName) {
      marked = true;
      ul.append(el('li', {}, el('mark', { class: markClass, 'data-header': markName }, line)));
    } else {
      ul.append(el('li', {}, code(line)));
    }
  }
  if (markName && !marked && missing) {
    ul.append(el('li', {}, el('mark', { class: 'bad-header missing', 'data-header': markName }, `${markName}: (missing)`)));
  }
  return ul;
}

/** One arrow of the diagram. dir: 'right' (browser → server) or 'left'. */
function message({ dir, kind, n, title, headers, mark, missing, note, checks, state, extra }) {
  const li = el('li', {
    class: `msg ${dir} ${state || ''}`,
    'data-kind': kind,
    'data-step': n,
    'data-state': state || 'ok',
  });
  li.append(el('div', { class: 'arrow', 'aria-hidden': 'true' }));
  const card = el('div', { class: 'card' });
  card.append(el('p', { class: 'title' }, el('span', { class: 'step-n' }, String(n)), ' ', title));
  const markClass = state === 'fail' ? 'bad-header' : 'hop-header';
  if (headers && headers.length) card.append(headerList(headers, mark, missing, markClass));
  else if (mark && missing) card.append(headerList([], mark, missing));
  if (checks && checks.length) {
    card.append(el('ul', { class: 'checks' }, checks.map((c) => el('li', { class: c.ok ? 'ok' : 'no' }, el('span', { 'aria-hidden': 'true' }, c.ok ? '✓ ' : '✗ '), el('span', { class: 'visually-hidden' }, c.ok ? 'passed: ' : 'failed: '), `${c.rule}: ${c.detail}`))));
  }
  if (state === 'fail') card.append(el('p', { class: 'fail-note' }, '✗ The browser stops here', note ? `: ${note}` : '.'));
  else if (note) card.append(el('p', { class: 'note' }, note));
  if (extra) card.append(extra);
  li.append(card);
  return li;
}

function lanes(origin, host) {
  return el('div', { class: 'lanes', 'aria-hidden': 'true' },
    el('div', { class: 'lane' }, el('b', {}, 'Browser'), el('span', {}, `page at ${origin}`)),
    el('div', { class: 'lane' }, el('b', {}, 'Server'), el('span', {}, host)));
}

function liveDiagram(r) {
  const ol = el('ol', { class: 'msgs' });
  let n = 0;
  if (r.verdict === 'refused' || (r.steps.length === 0 && r.verdict !== 'allowed')) {
    ol.append(message({ dir: 'right', kind: 'refused', n: ++n, title: r.verdict === 'refused' ? 'fetch() throws: nothing is sent' : 'Blocked before anything is sent', state: 'fail', note: r.summary }));
    return ol;
  }
  for (const s of r.steps) {
    const label = s.kind === 'preflight' ? 'Preflight' : s.hop > 0 ? `Request (after ${s.hop} redirect${s.hop > 1 ? 's' : ''})` : 'Request';
    ol.append(message({ dir: 'right', kind: `${s.kind}-request`, n: ++n, title: [el('b', {}, label), ' ', code(`${s.request.method} ${s.request.url}`)], headers: s.request.headers, note: s.request.credentials ? 'With cookies and HTTP authentication.' : null }));
    if (!s.response) {
      ol.append(message({ dir: 'left', kind: `${s.kind}-response`, n: ++n, title: 'No answer', state: 'fail', note: r.summary }));
      continue;
    }
    const failed = s.checks.find((c) => !c.ok);
    const mark = failed ? RULE_HEADER[failed.rule] : s.outcome === 'redirected' ? 'location' : null;
    const state = s.outcome === 'failed' ? 'fail' : s.outcome === 'redirected' ? 'redirect' : 'ok';
    const status = el('span', { class: failed && failed.rule === 'ok-status' ? 'bad-status' : '' }, `${s.response.status}`);
    if (failed && failed.rule === 'ok-status') status.dataset.header = ':status';
    ol.append(message({
      dir: 'left', kind: `${s.kind}-response`, n: ++n,
      title: [el('b', {}, 'Answer'), ' ', status, ` (${s.elapsed_ms} ms)`],
      headers: s.response.headers, mark: state === 'fail' ? mark : state === 'redirect' ? 'location' : null,
      missing: state === 'fail', checks: s.checks, state,
      note: state === 'fail' ? (failed ? failed.detail : r.summary) : state === 'redirect' ? 'Redirected: the browser follows the Location.' : null,
    }));
  }
  const last = r.steps[r.steps.length - 1];
  if (r.verdict === 'blocked' && last && last.kind === 'preflight') {
    ol.append(message({ dir: 'right', kind: 'skipped', n: ++n, title: 'The request itself: never sent', state: 'skipped' }));
  }
  if (r.verdict === 'allowed') {
    ol.append(el('li', { class: 'msg end ok', 'data-kind': 'end', 'data-state': 'ok' }, el('p', { class: 'end-note' }, `✓ ${r.summary}`)));
  }
  return ol;
}

function offlineDiagram(e) {
  const ol = el('ol', { class: 'msgs' });
  let n = 0;
  if (e.refusal) {
    ol.append(message({ dir: 'right', kind: 'refused', n: ++n, title: 'fetch() throws: nothing is sent', state: 'fail', note: `${e.refusal.message} (${e.refusal.anchor})` }));
    return ol;
  }
  if (e.blocked) {
    ol.append(message({ dir: 'right', kind: 'blocked', n: ++n, title: 'Blocked before anything is sent', state: 'fail', note: e.blocked.message }));
    return ol;
  }
  const req = e.required;
  if (e.preflight_request) {
    const p = e.preflight_request;
    ol.append(message({ dir: 'right', kind: 'preflight-request', n: ++n, title: [el('b', {}, 'Preflight'), ' ', code(`${p.method} ${p.url}`)], headers: p.headers }));
    const pf = req && req.preflight;
    ol.append(message({ dir: 'left', kind: 'preflight-response', n: ++n, state: 'needed', title: [el('b', {}, 'The answer must be'), ' ', pf && pf.status ? `${pf.status} (any 2xx)` : '2xx'], headers: pf ? pf.headers : [], note: 'At least these headers (the minimal set).' }));
  }
  if (e.actual_request) {
    const a = e.actual_request;
    ol.append(message({ dir: 'right', kind: 'actual-request', n: ++n, title: [el('b', {}, 'Request'), ' ', code(`${a.method} ${a.url}`)], headers: a.headers, note: a.credentials ? 'With cookies and HTTP authentication.' : null }));
    const notes = { 'same-origin': 'Same-origin: the browser checks nothing.', 'no-cors': 'No CORS check: script gets an opaque response.' };
    ol.append(message({ dir: 'left', kind: 'actual-response', n: ++n, state: req ? 'needed' : 'ok', title: el('b', {}, req ? 'Every answer must carry' : 'The answer'), headers: req ? req.actual.headers : [], note: req ? 'Redirects included: each hop is checked the same way.' : notes[e.route] }));
  }
  return ol;
}

let lastRun = null;
let runs = 0;

function renderDiagram(browser) {
  const { results, live } = lastRun;
  const item = results.find((x) => x.browser === browser);
  const box = $('diagram');
  box.replaceChildren();
  box.dataset.browser = browser;
  if (!item || item.error) {
    box.append(el('p', {}, item ? item.error : ''));
    return;
  }
  const r = item.result;
  const host = hostOf(r.url);
  const seq = el('div', { class: 'seq', role: 'group', 'aria-label': `The exchange as ${BROWSERS[browser]} makes it` });
  seq.append(lanes(r.origin, host));
  seq.append(live ? liveDiagram(r) : offlineDiagram(r));
  box.append(seq);
  renderFix(item, live);
}

function renderDiagramChooser(results) {
  const fs = $('diagram-for');
  fs.replaceChildren(el('legend', {}, 'Drawn for'));
  const ok = results.filter((x) => !x.error);
  // Show first the browser that fails, if one does.
  const failing = ok.find((x) => (lastRun.live ? x.result.verdict !== 'allowed' : x.result.route === 'refused' || x.result.route === 'blocked'));
  const chosen = (failing || ok[0] || results[0]).browser;
  for (const { browser } of results) {
    const input = el('input', { type: 'radio', name: 'diagram-browser', value: browser });
    input.checked = browser === chosen;
    input.addEventListener('change', () => renderDiagram(browser));
    fs.append(el('label', {}, input, ' ', BROWSERS[browser] || browser));
  }
  renderDiagram(chosen);
}

// --- the fix -------------------------------------------------------------------------------------

const SNIPPETS = [
  ['policy_toml', 'This project’s policy (TOML; cors lint checks it)'],
  ['gateway_toml', 'A cors serve route'],
  ['rust', 'The tower layer (Rust)'],
  ['nginx', 'nginx'],
  ['apache', 'Apache httpd'],
];

let snippetSeq = 0;

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const ta = el('textarea', { class: 'visually-hidden' });
  ta.value = text;
  document.body.append(ta);
  ta.select();
  const ok = document.execCommand('copy');
  ta.remove();
  if (!ok) throw new Error('the browser refused to copy');
}

function snippet(key, title, text) {
  const id = `snippet-${key}-${++snippetSeq}`;
  const btn = el('button', { type: 'button', class: 'copy', 'data-copy': key, 'aria-describedby': `${id}-title` }, 'Copy');
  btn.addEventListener('click', async () => {
    try {
      await copyText(text);
      btn.textContent = 'Copied';
      $('copy-status').textContent = `${title}: copied to the clipboard.`;
    } catch (err) {
      btn.textContent = 'Copy failed';
      $('copy-status').textContent = `Copy failed: ${err.message}. Select the text instead.`;
    }
    setTimeout(() => { btn.textContent = 'Copy'; }, 2000);
  });
  return el('figure', { class: 'snippet', 'data-snippet': key },
    el('figcaption', {}, el('span', { id: `${id}-title` }, title), btn),
    el('pre', { id, tabindex: '0', 'aria-labelledby': `${id}-title` }, el('code', {}, text)));
}

function headersTable(caption, status, headers) {
  const t = el('table', { class: 'need' }, el('caption', {}, caption));
  const body = el('tbody');
  if (status) body.append(el('tr', {}, el('th', { scope: 'row' }, 'Status'), el('td', {}, code(String(status)))));
  for (const [n, v] of headers) body.append(el('tr', {}, el('th', { scope: 'row' }, code(n)), el('td', {}, code(v))));
  if (!status && headers.length === 0) body.append(el('tr', {}, el('td', { colspan: 2 }, 'No CORS header needed.')));
  t.append(body);
  return t;
}

function renderFix(item, live) {
  const box = $('fix');
  box.replaceChildren();
  const r = item.result;
  const fix = live ? r.fix : r.required;
  const name = BROWSERS[item.browser] || item.browser;
  if (!fix) {
    let why;
    if (live) why = r.verdict === 'allowed' ? `Nothing to fix: ${name} lets script read the response.` : r.verdict === 'network-error' ? 'No answer from the server, so no fix to compute: see the diagram.' : 'No header helps: the request is refused before it is sent (see the verdict).';
    else why = r.route === 'same-origin' ? 'Nothing: same-origin requests need no CORS headers.' : r.route === 'no-cors' ? 'No header makes a no-cors response readable: use mode cors, and send the headers a cors request needs.' : 'No header helps: the request never reaches the server (see the verdict).';
    box.append(el('p', { 'data-testid': 'no-fix' }, why));
  } else {
    box.append(el('p', {}, `For ${name}, the responses at `, code(fix.url), ' must carry:'));
    const tables = el('div', { class: 'tables' });
    if (fix.preflight) tables.append(headersTable('The preflight’s answer (OPTIONS)', fix.preflight.status, fix.preflight.headers));
    tables.append(headersTable('Every answer to the request (each redirect too)', null, fix.actual.headers));
    box.append(tables);
    if (!live && fix.verified) box.append(el('p', { class: 'muted' }, '✓ Checked: with exactly these headers the engine lets the request through.'));
    if (fix.notes && fix.notes.length) box.append(el('ul', { class: 'notes' }, fix.notes.map((n) => el('li', {}, n))));
    if (fix.snippets) {
      const grid = el('div', { class: 'snippets' });
      const known = new Set(SNIPPETS.map(([k]) => k));
      for (const [k, title] of SNIPPETS) if (fix.snippets[k]) grid.append(snippet(k, title, fix.snippets[k]));
      // Targets added later (cors export) appear without a change here.
      for (const [k, v] of Object.entries(fix.snippets)) if (!known.has(k) && typeof v === 'string') grid.append(snippet(k, k, v));
      box.append(grid);
    }
  }
  const ms = !live && r.make_simple;
  if (ms) {
    const sec = el('div', { class: 'make-simple' }, el('h3', {}, 'Or avoid the preflight'));
    sec.append(el('ul', {}, ms.changes.map((c) => el('li', {}, c))));
    sec.append(el('p', {}, ms.request ? `→ ${ms.request.method}${ms.request.headers.length ? ' with ' + ms.request.headers.map(([n, v]) => `${n}: ${v}`).join(', ') : ''}: a simple request (checked).` : '→ It cannot be made simple: the server must answer the preflight.'));
    box.append(sec);
  }
}

// --- running -----------------------------------------------------------------------------------

async function run({ fromPermalink = false } = {}) {
  const live = runMode() === 'live';
  const form = readForm();
  const browsers = selectedBrowsers();
  const status = $('status');
  if (!form.url || !form.origin) {
    status.textContent = 'Fill in the URL and the page origin.';
    (form.url ? $('origin') : $('url')).focus();
    return;
  }
  if (browsers.length === 0) {
    status.textContent = 'Choose at least one browser.';
    return;
  }
  if (fromPermalink && live) {
    status.textContent = 'This link is for live mode: press “Check” to send the requests.';
    return;
  }
  updatePermalink();
  status.textContent = live ? 'Sending the requests…' : 'Explaining…';
  document.body.setAttribute('aria-busy', 'true');
  const results = await Promise.all(browsers.map(async (browser) => {
    try {
      return { browser, result: await api(live ? '/api/check' : '/api/explain', { ...form, browser }) };
    } catch (err) {
      return { browser, error: err.message };
    }
  }));
  document.body.removeAttribute('aria-busy');
  lastRun = { results, live };
  $('results').hidden = false;
  $('results-mode').textContent = live ? 'LIVE: from your server’s answers' : 'offline: nothing was sent';
  $('results-mode').className = `badge ${live ? 'live' : 'offline'}`;
  renderColumns(results, live);
  renderDiagramChooser(results);
  const errors = results.filter((x) => x.error);
  status.textContent = errors.length ? `Error: ${errors[0].error}` : `Done: ${results.map((x) => `${BROWSERS[x.browser]} ${live ? x.result.verdict : x.result.route}`).join(', ')}.`;
  document.body.dataset.runs = String(++runs);
}

// --- pasting what DevTools gave -----------------------------------------------------------------

/** The kind of a pasted text, from how it starts: "Copy as cURL", "Copy as fetch", a HAR. */
function guessKind(text) {
  const t = text.trimStart();
  if (/^curl(\.exe)?\s/i.test(t)) return 'curl';
  if (/^(await\s+)?fetch\s*\(/.test(t)) return 'fetch';
  if (t.startsWith('{')) return 'har';
  return null;
}

function onPasteInput() {
  const k = guessKind($('paste-text').value);
  if (k && [...$('paste-kind').options].some((o) => o.value === k)) $('paste-kind').value = k;
}

/** A HAR's text without what the reader skips anyway (response bodies, initiator stacks), so a
 * recording with large bodies stays under the API's size limit. Not JSON: sent as it is. */
function slimHar(text) {
  try {
    const h = JSON.parse(text);
    for (const e of (h && h.log && Array.isArray(h.log.entries)) ? h.log.entries : []) {
      if (e && e.response && typeof e.response === 'object') delete e.response.content;
      if (e) delete e._initiator;
    }
    return JSON.stringify(h);
  } catch {
    return text;
  }
}

let pasted = { forms: [], choices: [] };

function choiceLabel(c, i) {
  const h = c.har;
  const status = h.browser_status ? `status ${h.browser_status}` : 'no status';
  const verdict = h.browser_blocked ? `blocked${h.browser_error ? ` (${h.browser_error})` : ''}` : 'not blocked';
  return [
    el('span', { class: 'n' }, `${i + 1}.`), ' ',
    el('b', { class: 'm' }, c.method), ' ', code(c.url), ' ',
    el('span', { class: 'rec' }, `${status} · `, el('span', { class: h.browser_blocked ? 'blocked' : 'passed' }, verdict)),
  ];
}

function chooseHar(i) {
  fillForm(pasted.forms[i]);
  const c = pasted.choices[i];
  $('status').textContent = `The form holds request ${i + 1} of ${pasted.forms.length} of the HAR: ${c.method} ${c.url}. Press Explain (or Ctrl+Enter).`;
}

function renderChoices() {
  const box = $('har-choices');
  const list = $('har-list');
  list.replaceChildren();
  const n = pasted.choices.length;
  box.hidden = n < 2;
  if (n < 2) return;
  $('har-choices-title').textContent = `The HAR holds ${n} cross-origin requests`;
  pasted.choices.forEach((c, i) => {
    const input = el('input', { type: 'radio', name: 'har-choice', value: String(i), 'data-entry': String(c.har.entry) });
    input.checked = i === 0;
    input.addEventListener('change', () => { if (input.checked) chooseHar(i); });
    list.append(el('label', { class: 'har-choice', 'data-blocked': String(c.har.browser_blocked) }, input, el('span', {}, choiceLabel(c, i))));
  });
}

async function readPaste() {
  const status = $('status');
  const kind = $('paste-kind').value;
  const raw = $('paste-text').value;
  try {
    const answer = await api('/api/paste', { kind, text: kind === 'har' ? slimHar(raw) : raw, origin: $('origin').value });
    pasted = { forms: answer.forms || [], choices: answer.choices || [] };
    renderChoices();
    if (!pasted.forms[0]) return;
    if (pasted.choices.length > 1) {
      chooseHar(0);
      status.textContent = `The HAR holds ${pasted.forms.length} cross-origin requests: the form holds the first; choose another in the list (arrow keys).`;
      document.querySelector('input[name="har-choice"]:checked').focus();
    } else {
      fillForm(pasted.forms[0]);
      status.textContent = `Filled the form from the pasted ${kind}. Press Explain (or Ctrl+Enter).`;
    }
    document.body.dataset.pastes = String(Number(document.body.dataset.pastes || 0) + 1);
  } catch (err) {
    pasted = { forms: [], choices: [] };
    renderChoices();
    status.textContent = `Cannot read it: ${err.message}`;
    document.body.dataset.pasteErrors = String(Number(document.body.dataset.pasteErrors || 0) + 1);
  }
}

/** A HAR file opened or dropped: its text goes into the box, and the form is filled. */
async function readHarFile(file) {
  $('paste').open = true;
  $('paste-text').value = await file.text();
  $('paste-kind').value = guessKind($('paste-text').value) || 'har';
  await readPaste();
}

function loadFromHash() {
  const s = stateFromHash();
  if (!s) return false;
  fillForm(s.form);
  for (const c of document.querySelectorAll('input[name="browser"]')) c.checked = !s.browsers || s.browsers.includes(c.value);
  setRunMode(s.mode);
  run({ fromPermalink: true });
  return true;
}

async function start() {
  for (const r of document.querySelectorAll('input[name="run-mode"]')) r.addEventListener('change', onModeChange);
  $('form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    run();
  });
  // Ctrl/Cmd+Enter runs from any field, the text areas included.
  $('form').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      run();
    }
  });
  $('permalink').addEventListener('click', (ev) => {
    ev.preventDefault();
    updatePermalink();
    copyText(location.href).then(() => { $('copy-status').textContent = 'Permalink copied.'; }, () => {});
  });
  $('paste-read').addEventListener('click', readPaste);
  $('paste-text').addEventListener('input', onPasteInput);
  $('paste-file').addEventListener('change', () => {
    const f = $('paste-file').files[0];
    if (f) readHarFile(f);
  });
  // A file dropped anywhere on the page is read as a HAR (and the browser does not open it).
  document.addEventListener('dragover', (ev) => {
    if (ev.dataTransfer && [...ev.dataTransfer.types].includes('Files')) ev.preventDefault();
  });
  document.addEventListener('drop', (ev) => {
    const f = ev.dataTransfer && ev.dataTransfer.files[0];
    if (!f) return;
    ev.preventDefault();
    readHarFile(f);
  });
  window.addEventListener('hashchange', loadFromHash);
  onModeChange();
  try {
    const info = await api('/api/info');
    $('version').textContent = `cors ${info.version}`;
    if (info.paste.length) {
      $('paste-off').hidden = true;
      $('paste-on').hidden = false;
      $('paste-kind').replaceChildren(...info.paste.map((k) => el('option', { value: k }, k)));
    }
  } catch (err) {
    $('status').textContent = `The API does not answer: ${err.message}`;
  }
  if (!loadFromHash()) $('url').focus();
  document.body.dataset.ready = 'true';
}

start();
