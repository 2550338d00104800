// Opens the `cors serve` demo page in headless Chromium, waits until its four requests ran,
// prints what each card shows as one JSON object, and saves a screenshot.
// Usage: node run.mjs PAGE_URL SCREENSHOT_PATH
// Chromium comes from the system (lib/chromium.mjs: `command -v chromium`, or $CHROMIUM): never downloaded.
import { launch } from '../lib/chromium.mjs';

const [url, screenshot] = process.argv.slice(2);
if (!url || !screenshot) {
  console.error('usage: node run.mjs PAGE_URL SCREENSHOT_PATH');
  process.exit(2);
}

const browser = await launch({ viewport: { width: 1200, height: 900 } });
const console_lines = [];
try {
  const page = await browser.newPage();
  page.on('console', (m) => console_lines.push(`${m.type()}: ${m.text()}`));
  await page.goto(url);
  await page.waitForSelector('#summary[data-done="true"]', { timeout: 30000 });
  const cards = await page.$$eval('section.card', (els) => els.map((e) => ({
    id: e.id.replace('scenario-', ''),
    verdict: e.dataset.verdict,
    expected: e.dataset.expected,
    text: e.innerText,
  })));
  const summary = await page.$eval('#summary', (e) => e.textContent);
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify({ summary, cards, console: console_lines }));
} catch (e) {
  console.error(`the demo page did not finish: ${e}\nconsole:\n${console_lines.join('\n')}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
