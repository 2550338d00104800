// Drives the `cors ui` page in headless Chromium (playwright-core) or Firefox (geckodriver):
// types scenario-matrix requests into the form, pastes DevTools copies of the same requests (the
// strings Chromium's and Firefox's own DevTools code wrote: "Copy as cURL", "Copy as fetch", from
// crates/cors-cli/tests/devtools_copies/corpus.json, chosen and handed over by the Rust test),
// opens or drops a HAR and chooses one of its requests by keyboard, reads what the page shows per
// browser column, runs the live mode against scripted servers, checks the diagram, the copy
// buttons, the permalink and the keyboard, and saves screenshots. Prints one JSON object; the Rust
// test (crates/cors-cli/tests/ui_browser.rs) compares it with `cors explain --json`.
//
// Usage: node ui/run.mjs JOB.json
//   JOB = { page, browser: "chromium" | "firefox", shots: DIR, offline: [scenario ids],
//           paste: [{ id, url, origin, copies: [{ from, format, text, sent }] }] (the scenario
//           typed with the recording's URL and page origin, then each copy pasted),
//           har: FILE (3+ cross-origin requests; the 2nd is chosen), live: [{ id, state }],
//           extras: bool }
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startScriptedServer } from '../lib/scripted-server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const table = JSON.parse(readFileSync(join(here, '..', 'scenarios', 'scenarios.json'), 'utf8'));
const byId = new Map(table.scenarios.map((s) => [s.id, s]));
mkdirSync(job.shots, { recursive: true });

// --- one small page interface over both drivers ------------------------------------------------

async function chromiumPage() {
  const { launch } = await import('../lib/chromium.mjs');
  const context = await launch({ viewport: { width: 1280, height: 900 } });
  const origin = new URL(job.page).origin;
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const page = await context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e}`));
  return {
    logs,
    goto: (url) => page.goto(url),
    fill: (sel, text) => page.fill(sel, text),
    select: (sel, value) => page.selectOption(sel, value),
    setChecked: (sel, on) => page.setChecked(sel, on),
    click: (sel) => page.click(sel),
    press: (sel, key) => page.press(sel, key),
    keyboard: (key) => page.keyboard.press(key),
    // The clipboard path a user takes: the text on the clipboard, then Ctrl+V in the box.
    async paste(sel, text) {
      await page.evaluate((t) => navigator.clipboard.writeText(t), text);
      await page.fill(sel, '');
      await page.focus(sel);
      await page.keyboard.press('Control+V');
    },
    // A file dragged from the desktop and dropped on the page.
    async dropFile(path) {
      const text = readFileSync(path, 'utf8');
      const name = path.split('/').pop();
      await page.evaluate(([t, n]) => {
        const dt = new DataTransfer();
        dt.items.add(new File([t], n, { type: 'application/json' }));
        const target = document.querySelector('main');
        target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
        target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      }, [text, name]);
    },
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    viewport: (w, h) => page.setViewportSize({ width: w, height: h }),
    colorScheme: (s) => page.emulateMedia({ colorScheme: s }),
    screenshot: (path) => page.screenshot({ path, fullPage: true }),
    shotElement: (sel, path) => page.locator(sel).screenshot({ path }),
    close: () => context.close(),
  };
}

async function firefoxPage() {
  const ff = await import('../lib/firefox.mjs');
  const browser = await ff.launch();
  const s = browser.session;
  const find = async (sel) => {
    const e = await s('POST', '/element', { using: 'css selector', value: sel });
    return Object.values(e)[0];
  };
  await s('POST', '/window/rect', { width: 1280, height: 900 });
  return {
    logs: [],
    goto: (url) => s('POST', '/url', { url }),
    async fill(sel, text) {
      const id = await find(sel);
      await s('POST', `/element/${id}/clear`, {});
      if (text !== '') await s('POST', `/element/${id}/value`, { text });
    },
    async select(sel, value) {
      const id = await find(`${sel} option[value="${value}"]`);
      await s('POST', `/element/${id}/click`, {});
    },
    async setChecked(sel, on) {
      const checked = await ff.evaluate(browser, (q) => document.querySelector(q).checked, sel);
      if (checked !== on) await s('POST', `/element/${await find(sel)}/click`, {});
    },
    async click(sel) {
      await s('POST', `/element/${await find(sel)}/click`, {});
    },
    // Typed into the box (geckodriver has no clipboard to paste from).
    async paste(sel, text) {
      const id = await find(sel);
      await s('POST', `/element/${id}/clear`, {});
      await s('POST', `/element/${id}/value`, { text });
    },
    // The file picker: the file input gets the path, as a user choosing it would.
    async openFile(sel, path) {
      await s('POST', `/element/${await find(sel)}/value`, { text: path });
    },
    // Keys pressed on whatever has the focus: "ArrowDown", "Control+Enter".
    async keyboard(combo) {
      const names = { ArrowDown: '\uE015', ArrowUp: '\uE013', Enter: '\uE007', Control: '\uE009', Tab: '\uE004' };
      const keys = combo.split('+').map((k) => names[k] ?? k);
      const actions = [...keys.map((value) => ({ type: 'keyDown', value })), ...keys.reverse().map((value) => ({ type: 'keyUp', value }))];
      await s('POST', '/actions', { actions: [{ type: 'key', id: 'keyboard', actions }] });
      await s('DELETE', '/actions');
    },
    evaluate: (fn, arg) => ff.evaluate(browser, fn, arg),
    async screenshot(path) {
      const b64 = await s('GET', '/moz/screenshot/full');
      writeFileSync(path, Buffer.from(b64, 'base64'));
    },
    close: () => browser.close(),
  };
}

// --- the page's side ---------------------------------------------------------------------------

async function waitRuns(page, n) {
  const deadline = Date.now() + 20000;
  for (;;) {
    const runs = await page.evaluate(() => Number(document.body.dataset.runs || 0));
    if (runs >= n) return;
    if (Date.now() > deadline) throw new Error(`the page did not finish run ${n}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

let runs = 0;

/** Types a scenario's first fetch into the form, as a developer would. */
async function typeRequest(page, { url, origin, init }, mode) {
  await page.click(`input[name="run-mode"][value="${mode}"]`);
  await page.fill('#url', url);
  await page.fill('#origin', origin);
  await page.fill('#method', init.method ?? '');
  await page.fill('#headers', (init.headers ?? []).map(([n, v]) => `${n}: ${v}`).join('\n'));
  await page.select('#body', init.bodyKind ?? '');
  await page.fill('#data', '');
  await page.select('#credentials', init.credentials ?? 'same-origin');
  await page.select('#mode', init.mode ?? 'cors');
  await page.select('#redirect', init.redirect ?? 'follow');
  for (const b of ['chromium', 'firefox', 'safari']) await page.setChecked(`input[name="browser"][value="${b}"]`, true);
  await page.click('#run');
  await waitRuns(page, ++runs);
}

/** What each browser column shows, by browser. */
async function readColumns(page) {
  const columns = await page.evaluate(() => [...document.querySelectorAll('#columns .col')].map((c) => ({
    browser: c.dataset.browser,
    route: c.dataset.route ?? null,
    verdict: c.dataset.verdict,
    label: c.querySelector('.verdict')?.textContent.trim(),
    console: c.querySelector('pre.console')?.textContent ?? null,
    reasons: [...c.querySelectorAll('ul.reasons li')].map((li) => li.textContent),
  })));
  return Object.fromEntries(columns.map((c) => [c.browser, c]));
}

/** What the form holds now, and the paste box's kind. */
function readFilled(page) {
  return page.evaluate(() => {
    const v = (id) => document.getElementById(id).value;
    return {
      url: v('url'), origin: v('origin'), method: v('method'), headers: v('headers'), body: v('body'), data: v('data'),
      credentials: v('credentials'), mode: v('mode'), redirect: v('redirect'), kind: v('paste-kind'),
      status: document.getElementById('status').textContent,
    };
  });
}

async function waitFor(page, fn, arg, what) {
  const deadline = Date.now() + 20000;
  for (;;) {
    if (await page.evaluate(fn, arg)) return;
    if (Date.now() > deadline) throw new Error(`the page did not ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const pastes = (page) => page.evaluate(() => Number(document.body.dataset.pastes || 0) + Number(document.body.dataset.pasteErrors || 0));

async function openPasteBox(page) {
  if (!(await page.evaluate(() => document.getElementById('paste').open))) await page.click('#paste summary');
}

/**
 * Pastes one DevTools copy (`copy.text`, written by Chromium's or Firefox's own DevTools code:
 * tests/devtools_copies/corpus.json) into the paste box, presses "Fill the form", then "Explain".
 * The form is first set to other values, so what it shows after comes from the paste; the page
 * origin is left empty, and filled in by hand (with the corpus's page origin) only if the copy
 * does not say it, as a developer would.
 */
async function pasteCopy(page, copy, pageOrigin) {
  const kind = copy.format.endsWith('-fetch') ? 'fetch' : 'curl';
  await page.click('input[name="run-mode"][value="offline"]');
  await openPasteBox(page);
  // Set in one go (not typed: a paste per copy, 109 in the Firefox run, each round trip counts).
  await page.evaluate((k) => {
    const stale = {
      url: 'https://stale.example/', origin: '', method: 'DELETE', headers: 'X-Stale: 1', data: 'stale', body: 'stream',
      credentials: 'include', mode: 'no-cors', redirect: 'manual', 'paste-kind': k === 'fetch' ? 'curl' : 'fetch', // the page must recognise it
    };
    for (const [id, v] of Object.entries(stale)) {
      const e = document.getElementById(id);
      e.value = v;
      e.dispatchEvent(new Event(e.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true }));
    }
  }, kind);
  await page.paste('#paste-text', copy.text);
  const before = await pastes(page);
  await page.click('#paste-read');
  await waitFor(page, (n) => Number(document.body.dataset.pastes || 0) + Number(document.body.dataset.pasteErrors || 0) > n, before, 'read the paste');
  const filled = await readFilled(page);
  const saysOrigin = filled.origin !== '';
  if (!saysOrigin) await page.fill('#origin', pageOrigin);
  await page.click('#run');
  await waitRuns(page, ++runs);
  return { format: copy.format, from: copy.from, text: copy.text, sent: copy.sent, says_origin: saysOrigin, filled, shown: await readColumns(page) };
}

/**
 * A HAR with several cross-origin requests, dropped on the page (Chromium) or opened with the
 * file input (Firefox): the list the page shows, then the 2nd chosen with the arrow key and run
 * with Ctrl+Enter, from the keyboard alone.
 */
async function chooseFromHar(page, path) {
  await page.click('input[name="run-mode"][value="offline"]');
  await openPasteBox(page);
  await page.fill('#url', '');
  await page.fill('#origin', '');
  const before = await pastes(page);
  if (page.dropFile) await page.dropFile(path);
  else await page.openFile('#paste-file', path);
  await waitFor(page, (n) => Number(document.body.dataset.pastes || 0) + Number(document.body.dataset.pasteErrors || 0) > n, before, 'read the HAR');
  const listed = () => page.evaluate(() => ({
    title: document.getElementById('har-choices-title').textContent,
    hidden: document.getElementById('har-choices').hidden,
    choices: [...document.querySelectorAll('#har-list label')].map((l) => ({
      text: l.textContent.replace(/\s+/g, ' ').trim(),
      checked: l.querySelector('input').checked,
      entry: Number(l.querySelector('input').dataset.entry),
      blocked: l.dataset.blocked,
      // The label names the radio button (what a screen reader says).
      labelled: l.querySelector('input').labels[0] === l,
    })),
    focused: document.activeElement?.name === 'har-choice' ? Number(document.activeElement.value) : null,
  }));
  const first = { ...(await listed()), filled: await readFilled(page) };
  await page.keyboard('ArrowDown');
  await waitFor(page, () => document.querySelector('input[name="har-choice"]:checked')?.value === '1', undefined, 'choose the 2nd request');
  const chosen = { ...(await listed()), filled: await readFilled(page) };
  await page.keyboard('Control+Enter');
  await waitRuns(page, ++runs);
  const out = { path, first, chosen, shown: await readColumns(page) };
  if (page.viewport) {
    // The list at 360 px, dark: nothing wider than the screen.
    await page.viewport(360, 800);
    await page.colorScheme('dark');
    out.narrow_scroll_width = await page.evaluate(() => document.documentElement.scrollWidth);
    await page.screenshot(join(job.shots, `${job.browser}-har-choices-narrow-dark.png`));
    await page.colorScheme('light');
    await page.viewport(1280, 900);
  }
  await page.shotElement?.('#paste', join(job.shots, `${job.browser}-har-choices.png`));
  return out;
}

/** What the page shows: per column, and per browser the diagram and the fix (choosing each). */
async function readShown(page) {
  const columns = Object.values(await readColumns(page));
  const out = {};
  for (const col of columns) {
    await page.click(`input[name="diagram-browser"][value="${col.browser}"]`);
    const drawn = await page.evaluate(() => ({
      for: document.getElementById('diagram').dataset.browser,
      steps: [...document.querySelectorAll('#diagram li.msg')].map((li) => ({
        kind: li.dataset.kind,
        state: li.dataset.state,
        marked: [...li.querySelectorAll('[data-header]')].map((m) => m.dataset.header),
        title: li.querySelector('.title')?.textContent ?? li.textContent,
      })),
      fix: [...document.querySelectorAll('#fix table.need')].map((t) => ({
        caption: t.caption.textContent,
        rows: [...t.querySelectorAll('tbody tr')].filter((r) => r.cells.length === 2).map((r) => [r.cells[0].textContent, r.cells[1].textContent]),
      })),
      snippets: [...document.querySelectorAll('#fix figure.snippet')].map((f) => f.dataset.snippet),
    }));
    out[col.browser] = { ...col, diagram: drawn };
  }
  return out;
}

// --- the scripted servers for the live mode ----------------------------------------------------

const ORIGIN_A = 'https://app.example';
const origins = { A: ORIGIN_A };
const log = [];
const servers = {};
const opts = { script: (id) => byId.get(id)?.server ?? null, origins: () => origins, tag: () => null, log };
for (const name of ['B', 'C']) servers[name] = await startScriptedServer(name, opts);
origins.B = `http://127.0.0.1:${servers.B.port}`;
origins.C = `http://localhost:${servers.C.port}`;

function requestOf(id) {
  const s = byId.get(id);
  if (!s) throw new Error(`no scenario ${id}`);
  const f = s.fetches[0];
  // Offline, the origin A of the matrix is the page's origin; a fetch to A is same-origin.
  const base = f.target === 'A' ? ORIGIN_A : origins[f.target ?? 'B'];
  return { url: `${base}/s/${id}/0${f.query ?? ''}`, origin: ORIGIN_A, init: f.init ?? {} };
}

const result = { browser: job.browser, origins, offline: [], live: [], extras: {} };
const page = job.browser === 'firefox' ? await firefoxPage() : await chromiumPage();
try {
  await page.goto(job.page);
  for (const id of job.offline) {
    const req = requestOf(id);
    await typeRequest(page, req, 'offline');
    result.offline.push({ id, request: req, shown: await readShown(page) });
  }
  result.paste = [];
  for (const { id, url, origin, copies } of job.paste ?? []) {
    // The scenario's fetch typed, with the URL and page origin of the recording the copies were
    // made from; then each copy of it pasted.
    const req = { ...requestOf(id), url, origin };
    await typeRequest(page, req, 'offline');
    const typed = await readColumns(page);
    for (const copy of copies) result.paste.push({ id, request: req, typed, ...(await pasteCopy(page, copy, origin)) });
  }
  if (job.har) result.har = await chooseFromHar(page, job.har);
  for (const { id, state } of job.live) {
    const req = requestOf(id);
    await typeRequest(page, req, 'live');
    const shown = await readShown(page);
    // The screenshot shows the first browser whose verdict differs, as the page chooses.
    const first = Object.values(shown).find((c) => c.verdict !== 'allowed') ?? Object.values(shown)[0];
    await page.click(`input[name="diagram-browser"][value="${first.browser}"]`);
    const shot = join(job.shots, `${job.browser}-${state}.png`);
    await page.screenshot(shot);
    result.live.push({ id, state, request: req, shown, screenshot: shot, requests: log.splice(0).map((e) => `${e.method} ${e.path} -> ${e.response.status}`) });
  }
  if (job.extras) {
    // Copy buttons: the clipboard gets the snippet.
    const req = requestOf('pf-acao-missing');
    await typeRequest(page, req, 'offline');
    await page.click('input[name="diagram-browser"][value="chromium"]');
    const copies = {};
    for (const key of ['policy_toml', 'gateway_toml', 'rust']) {
      await page.evaluate(() => navigator.clipboard.writeText('(nothing yet)'));
      await page.click(`#fix figure[data-snippet="${key}"] button.copy`);
      await new Promise((r) => setTimeout(r, 100));
      copies[key] = {
        clipboard: await page.evaluate(() => navigator.clipboard.readText()),
        shown: await page.evaluate((k) => document.querySelector(`#fix figure[data-snippet="${k}"] pre`).textContent, key),
        button: await page.evaluate((k) => document.querySelector(`#fix figure[data-snippet="${k}"] button`).textContent, key),
      };
    }
    result.extras.copy = { id: 'pf-acao-missing', request: req, copies };

    // The permalink: a fresh load of the URL, fragment included, shows the same request.
    const link = await page.evaluate(() => location.href);
    await page.goto('about:blank');
    runs = 0;
    await page.goto(link);
    await waitRuns(page, ++runs);
    result.extras.permalink = {
      link,
      url: await page.evaluate(() => document.getElementById('url').value),
      headers: await page.evaluate(() => document.getElementById('headers').value),
      routes: await page.evaluate(() => [...document.querySelectorAll('#columns .col')].map((c) => c.dataset.route)),
    };
    // A permalink in live mode fills the form but sends nothing until asked.
    const before = log.length;
    await page.click('input[name="run-mode"][value="live"]');
    await page.evaluate(() => { location.hash = ''; });
    const liveLink = link.replace(/#.*/, '') + '#r=' + Buffer.from(JSON.stringify({ v: 1, mode: 'live', browsers: ['chromium'], form: { url: `${origins.B}/s/act-acao-exact/0`, origin: ORIGIN_A } })).toString('base64url');
    await page.goto('about:blank');
    await page.goto(liveLink);
    await new Promise((r) => setTimeout(r, 500));
    result.extras.live_permalink = {
      sent: log.length - before,
      status: await page.evaluate(() => document.getElementById('status').textContent),
      live_checked: await page.evaluate(() => document.querySelector('input[name="run-mode"][value="live"]').checked),
    };
    runs = 0;

    // Keyboard only: Ctrl+Enter in the headers box runs; Tab reaches a copy button.
    if (page.press) {
      await page.click('input[name="run-mode"][value="offline"]');
      await page.fill('#url', `${origins.B}/s/cls-ct-json/0`);
      await page.fill('#origin', ORIGIN_A);
      await page.fill('#method', 'POST');
      await page.select('#body', 'text');
      await page.fill('#headers', 'Content-Type: application/json');
      for (const b of ['chromium', 'firefox', 'safari']) await page.setChecked(`input[name="browser"][value="${b}"]`, true);
      await page.press('#headers', 'Control+Enter');
      await waitRuns(page, ++runs);
      const routes = await page.evaluate(() => [...document.querySelectorAll('#columns .col')].map((c) => c.dataset.route));
      let reached = null;
      for (let i = 0; i < 80 && !reached; i++) {
        await page.keyboard('Tab');
        reached = await page.evaluate(() => document.activeElement?.dataset?.copy ?? null);
      }
      result.extras.keyboard = { routes, reached_copy_button: reached };

      // Narrow (360 px) and dark: nothing wider than the screen.
      await page.viewport(360, 800);
      await page.colorScheme('dark');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
      await page.screenshot(join(job.shots, `${job.browser}-narrow-dark.png`));
      if (page.shotElement) {
        for (const part of ['form', 'columns', 'diagram', 'fix']) await page.shotElement(`#${part}`, join(job.shots, `${job.browser}-narrow-dark-${part}.png`));
      }
      result.extras.narrow = { scroll_width: overflow, background: await page.evaluate(() => getComputedStyle(document.body).backgroundColor) };
      await page.colorScheme('light');
      await page.viewport(1280, 900);
    }
  }
} catch (e) {
  result.error = `${e.stack ?? e}\nconsole:\n${page.logs.join('\n')}`;
  process.exitCode = 1;
} finally {
  result.console = page.logs;
  await page.close();
  for (const s of Object.values(servers)) await s.close();
}
process.stdout.write(JSON.stringify(result, null, 1));
