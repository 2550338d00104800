// The HAR Firefox's own DevTools write: the Network Monitor's HAR exporter (the one behind its
// "Save All As HAR" menu item, reached as the toolbox's `getHARFromNetMonitor()`, which the
// WebExtensions `devtools.network.getHAR()` API also uses). Headless Firefox (lib/firefox.mjs)
// opens a real toolbox on the tab through Marionette's chrome context, with the Network Monitor
// selected before the page loads, so it sees every request — the document, each CORS
// preflight, each blocked request — as the panel does.
//
// The exporter's own preference `devtools.netmonitor.har.includeResponseBodies` is set to
// false, so the HAR has no response bodies (what `cors check --har` reads is the heads).
import { writeFileSync } from 'node:fs';
import { evaluate, launch } from '../lib/firefox.mjs';
import { pageFetch } from '../lib/page-fetch.mjs';

const DEVTOOLS = `const { require } = ChromeUtils.importESModule("resource://devtools/shared/loader/Loader.sys.mjs");
  const { gDevTools } = require("devtools/client/framework/devtools");
  const win = Services.wm.getMostRecentWindow("navigator:browser");
  const tab = win.gBrowser.selectedTab;`;

async function chrome(browser, body) {
  await browser.session('POST', '/moz/context', { context: 'chrome' });
  try {
    const r = await browser.session('POST', '/execute/async', {
      script: `const done = arguments[arguments.length - 1];
        (async () => { ${DEVTOOLS} ${body} })().then(done, (e) => done({ error: String(e) + "\\n" + e.stack }));`,
      args: [],
    });
    if (r && typeof r === 'object' && r.error) throw new Error(`firefox chrome script: ${r.error}`);
    return r;
  } finally {
    await browser.session('POST', '/moz/context', { context: 'content' });
  }
}

/**
 * Opens the toolbox (Network Monitor) in headless Firefox, loads `pageUrl`, calls
 * `runAll(evaluate)` to run the fetches, and writes the Network Monitor's HAR to `harPath`.
 */
export async function recordFirefoxHar({ pageUrl, harPath, runAll }) {
  const browser = await launch();
  try {
    await chrome(
      browser,
      `Services.prefs.setBoolPref("devtools.netmonitor.har.includeResponseBodies", false);
       Services.prefs.setBoolPref("devtools.netmonitor.persistlog", true);
       await gDevTools.showToolboxForTab(tab, { toolId: "netmonitor" });
       return true;`,
    );
    await browser.session('POST', '/url', { url: pageUrl });
    await runAll((arg) => evaluate(browser, pageFetch, arg));
    // The panel receives network events asynchronously: wait until the count stops growing.
    let last = -1;
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 300));
      const n = await chrome(
        browser,
        `const toolbox = gDevTools.getToolboxForTab(tab);
         const store = toolbox.getPanel("netmonitor").panelWin.store;
         return store.getState().requests.requests.length;`,
      );
      if (n === last) break;
      last = n;
    }
    const text = await chrome(
      browser,
      `const toolbox = gDevTools.getToolboxForTab(tab);
       return JSON.stringify(await toolbox.getHARFromNetMonitor());`,
    );
    const log = JSON.parse(text);
    // getHARFromNetMonitor() returns the log object; the file the panel saves is { log }.
    const har = log.log ? log : { log };
    for (const e of har.log.entries) if (e.response?.content) delete e.response.content.text;
    writeFileSync(harPath, JSON.stringify(har, null, 1));
    return { browserVersion: browser.browserVersion, entries: har.log.entries.length };
  } finally {
    await browser.close();
  }
}
