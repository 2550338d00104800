// Evaluates `new URL(input).origin` in a headless browser (`--browser chromium`, the default, or
// `--browser firefox`) for every string of a JSON array (`--in FILE`), in one launch, and writes
// `{ browser, version, results: [{ input, origin, threw }] }` as JSON (stdout, or `--out FILE`):
// `origin` is the serialization script reads (null when the constructor threw), `threw` the
// name of the exception (`TypeError`) or null. Driven by crates/cors/tests/origin_browsers.rs.
import { readFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const browserName = opt('--browser', 'chromium');
if (!['chromium', 'firefox'].includes(browserName)) throw new Error(`--browser ${browserName}: chromium or firefox`);
const inFile = opt('--in', null);
if (!inFile) throw new Error('--in FILE (a JSON array of strings) is required');
const outFile = opt('--out', null);
const inputs = JSON.parse(readFileSync(inFile, 'utf8'));
if (!Array.isArray(inputs) || !inputs.every((s) => typeof s === 'string')) throw new Error(`${inFile}: a JSON array of strings`);

const driver = await import(`./lib/${browserName}.mjs`);
const browser = await driver.launch();
let results;
let version;
try {
  // A blank page is enough: the URL parser does not depend on the document's origin.
  let page;
  if (browserName === 'chromium') {
    page = await browser.newPage();
    version = driver.chromiumVersion();
  } else {
    page = browser;
    version = driver.firefoxVersion();
  }
  results = await driver.evaluate(
    page,
    (all) =>
      all.map((input) => {
        try {
          return { input, origin: new URL(input).origin, threw: null };
        } catch (e) {
          return { input, origin: null, threw: e && e.name ? e.name : String(e) };
        }
      }),
    inputs,
  );
} finally {
  await browser.close();
}
const out = JSON.stringify({ browser: browserName, version, results }, null, 1);
if (outFile) writeFileSync(outFile, out);
else process.stdout.write(out + '\n');
