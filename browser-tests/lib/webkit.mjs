// The WebKit side of the browser tests: Debian's WebKitGTK (a WebKit2 WebView under xvfb-run,
// driven by lib/webkit.py over pipes), with the same three functions as lib/chromium.mjs and
// lib/firefox.mjs.
//
//   import { launch, openPage, crossOriginFetch } from './lib/webkit.mjs';
//   const browser = await launch();
//   const page = await openPage(browser, 'http://127.0.0.1:8001/');
//   const r = await crossOriginFetch(page, 'http://127.0.0.1:8002/x', { method: 'PUT' });
//   // r = { ok, status, headers, error, thrown, console: [text...], blocked: [text...] }
//   await browser.close();
//
// WebKit writes every console message of the page as a line "CONSOLE <SOURCE> <LEVEL> <text>"
// (to stderr, see lib/webkit.py);
// each fetch is wrapped in two console.log marks, so the lines between them are its own.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { batchExpression, pageFetch } from './page-fetch.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const HINT = 'run scripts/install-test-deps (scripts/test-deps/webkit installs WebKitGTK, python3-gi and xvfb)';
const MARK = 'cors-harness-mark';
let webkitVersionText = null;

/** "WebKitGTK 2.50.6", as the driver reported at launch. */
export function webkitVersion() {
  return webkitVersionText;
}

/** Starts the WebView (under xvfb-run, fresh profile directory, removed on `close()`). */
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'cors-webkit-'));
  const python = process.env.WEBKIT_PYTHON ?? '/usr/bin/python3';
  // `-a` looks for a free display from a random start (`-n`), so that runs started at once by
  // parallel tests do not race for the same one.
  const display = String(100 + Math.floor(Math.random() * 800));
  const child = spawn('xvfb-run', ['-a', '-n', display, python, join(here, 'webkit.py'), profile], {
    stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_AT_BRIDGE: '1', GTK_A11Y: 'none', WEBKIT_DISABLE_COMPOSITING_MODE: '1' },
  });
  // WebKit's console lines ("CONSOLE …") arrive on stderr; anything else there is kept for errors.
  let stderr = '';
  createInterface({ input: child.stderr }).on('line', (line) => {
    if (!line.startsWith('CONSOLE ')) {
      stderr = (stderr + line + '\n').slice(-4000);
      return;
    }
    lines.push(line);
    for (const w of lineWaiters.splice(0)) w();
  });
  child.on('error', () => {});
  const waiting = new Map();
  const lineWaiters = [];
  const lines = [];
  createInterface({ input: child.stdio[3] }).on('line', (line) => {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    const w = waiting.get(msg.id);
    if (w) {
      waiting.delete(msg.id);
      w(msg);
    }
  });
    const exited = new Promise((resolve) => child.on('exit', resolve));
  let nextId = 1;
  const call = (op, args = {}, ms = 30_000) => {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`webkit.py: no answer to ${op} in ${ms} ms: ${stderr.trim()}; ${HINT}`)), ms);
      waiting.set(id, (msg) => {
        clearTimeout(timer);
        if (msg.ok) resolve(msg);
        else reject(new Error(`webkit.py ${op}: ${msg.error}`));
      });
      child.stdin.write(JSON.stringify({ id, op, ...args }) + '\n');
    });
  };
  let startTimer = null;
  const ready = await Promise.race([
    new Promise((resolve) => waiting.set(0, resolve)),
    exited.then((code) => ({ ok: false, error: `exited with ${code}: ${stderr.trim()}` })),
    new Promise((resolve) => {
      startTimer = setTimeout(() => resolve({ ok: false, error: `did not start in 30 s: ${stderr.trim()}` }), 30_000);
    }),
  ]);
  clearTimeout(startTimer);
  if (!ready.ok) {
    child.kill();
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`WebKitGTK did not start: ${ready.error}; ${HINT}`);
  }
  webkitVersionText = ready.version;
  /** Waits until a stdout line satisfies `pred` (or `ms` pass); returns whether one did. */
  const waitLine = async (pred, ms) => {
    const deadline = Date.now() + ms;
    for (;;) {
      if (lines.some(pred)) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise((resolve) => {
        const t = setTimeout(resolve, left);
        lineWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  };
  return {
    call,
    lines,
    waitLine,
    version: ready.version,
    async close() {
      try {
        await call('quit', {}, 5000);
      } catch {
        // already gone
      }
      child.stdin.end();
      const t = setTimeout(() => child.kill(), 5000);
      await exited;
      clearTimeout(t);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Loads `pageUrl` in the view. */
export async function openPage(browser, pageUrl) {
  await browser.call('open', { url: pageUrl });
  browser.lines.length = 0;
  return browser;
}

/** Runs `fn(arg)` in the page and returns its (awaited) result; `fn` must not close over anything. */
export async function evaluate(page, fn, arg) {
  const msg = await page.call('eval', { body: `return (${fn.toString()})(${JSON.stringify(arg)});` });
  return msg.value;
}

/** A console line's text without WebKit's "CONSOLE <SOURCE> <LEVEL> " prefix. */
export function consoleText(line) {
  const m = /^CONSOLE (?:[A-Z-]+ )?(?:LOG|ERROR|WARN|WARNING|INFO|DEBUG) (.*)$/.exec(line);
  return m ? m[1] : line;
}

let fetchSeq = 0;

/**
 * Runs `fetch(url, init)` in the page (lib/page-fetch.mjs says how `init` is read) between two
 * console marks, and returns what script saw plus the console lines logged in between:
 * `{ ok, status, type, redirected, url, headers, error, thrown, console: [text...],
 * console_raw: [line...] }`.
 */
export async function crossOriginFetch(page, url, init = {}) {
  const n = ++fetchSeq;
  const begin = `${MARK} begin ${n}`;
  const end = `${MARK} end ${n}`;
  const result = await evaluate(
    page,
    `async ({ url, init, begin, end }) => {
      console.log(begin);
      try { return await (${pageFetch.toString()})({ url, init }); } finally { console.log(end); }
    }`,
    { url, init, begin, end },
  );
  const endLine = `CONSOLE LOG ${end}`;
  const seen = await page.waitLine((l) => l.endsWith(end), 5000);
  if (!seen) throw new Error(`webkit: the console mark of fetch ${n} never arrived on stdout`);
  const all = page.lines.splice(0);
  const from = all.findIndex((l) => l.endsWith(begin));
  const to = all.findIndex((l) => l === endLine || l.endsWith(end));
  const raw = all.slice(from + 1, to);
  return { ...result, console: raw.map(consoleText), console_raw: raw };
}

let batchSeq = 0;

/**
 * Runs many fetches in one call into the page, one after the other ([{ url, init }]), and
 * returns one result per fetch as `crossOriginFetch` does: each fetch between its own console
 * marks.
 */
export async function crossOriginFetchBatch(page, items) {
  const mark = `${MARK} batch ${++batchSeq}`;
  const msg = await page.call('eval', { body: `return await ${batchExpression(items, mark)};` }, 120_000);
  const last = `${mark} end ${items.length - 1}`;
  if (!(await page.waitLine((l) => l.endsWith(last), 5000))) throw new Error('webkit: the console marks of a batch never arrived');
  const all = page.lines.splice(0);
  return msg.value.map((result, i) => {
    const from = all.findIndex((l) => l.endsWith(`${mark} begin ${i}`));
    const to = all.findIndex((l) => l.endsWith(`${mark} end ${i}`));
    const raw = all.slice(from + 1, to);
    return { ...result, console: raw.map(consoleText), console_raw: raw };
  });
}
