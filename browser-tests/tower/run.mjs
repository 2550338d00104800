// Drives a headless browser for crates/cors/tests/tower_browser.rs: opens the page (one origin),
// runs each scenario's fetch() against the API servers (other origins), and prints, as one JSON
// line, what script could read and what the browser said about the blocked ones — Chromium:
// DevTools' `Network.loadingFailed` `corsErrorStatus`; Firefox: its console's
// "Cross-Origin Request Blocked: … (Reason: …)" lines.
//
// Usage: node run.mjs [--browser chromium|firefox] '<config JSON>'
//   config = { page, scenarios: [{ id, url, init, cookie? }] }
// The browsers come from scripts/install-test-deps (lib/chromium.mjs, lib/firefox.mjs find them).
const args = process.argv.slice(2);
const browserIdx = args.indexOf('--browser');
const browserName = browserIdx >= 0 ? args[browserIdx + 1] : 'chromium';
if (!['chromium', 'firefox'].includes(browserName)) throw new Error(`--browser ${browserName}: chromium or firefox`);
const config = JSON.parse(args.filter((_, i) => i !== browserIdx && i !== browserIdx + 1)[0] ?? '{}');
const driver = await import(`../lib/${browserName}.mjs`);

// Runs in the page: sets the cookie, fetches, reads the body.
async function fetchInPage({ url, init, cookie }) {
  if (cookie) document.cookie = cookie;
  try {
    const r = await fetch(url, init);
    return { ok: true, status: r.status, body: await r.text() };
  } catch (e) {
    return { ok: false, error: String(e) };
  }
}

const browser = await driver.launch();
try {
  const page = await driver.openPage(browser, config.page);
  const results = [];
  for (const s of config.scenarios) {
    if (browserName === 'chromium') page.__cors.take();
    else await driver.takeConsole(page);
    const fetched = await driver.evaluate(page, fetchInPage, s);
    let failures = [];
    let lines = [];
    if (browserName === 'chromium') {
      // A blocked fetch rejects in the page; wait for DevTools' report of the same request.
      for (let i = 0; i < 100; i++) {
        failures.push(...page.__cors.take().failures.filter((f) => f.url === s.url));
        if (fetched.ok || failures.some((f) => f.corsErrorStatus)) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      failures = failures.map((f) => ({
        url: f.url,
        errorText: f.errorText,
        corsError: f.corsErrorStatus?.corsError ?? null,
        failedParameter: f.corsErrorStatus?.failedParameter ?? null,
      }));
    } else {
      lines = (await driver.waitForBlocked(page, fetched.ok ? 50 : 2000)).filter((t) =>
        t.startsWith(driver.BLOCKED_PREFIX),
      );
    }
    results.push({ id: s.id, fetch: fetched, failures, console: lines });
  }
  console.log(JSON.stringify(results));
} finally {
  await browser.close();
}
