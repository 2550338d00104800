// What Chromium's DevTools put on the clipboard for a request: "Copy as cURL (bash)", "Copy as
// cURL (cmd)" and "Copy as fetch", written from the request the browser *sends* for a scenario's
// fetch() (its method normalised, script's headers combined and trimmed, forbidden ones dropped,
// the browser's own headers added: Origin, Referer, sec-fetch-*, sec-ch-ua*, User-Agent…).
// The `cors ui` browser test pastes these into the page and compares with `cors explain --curl`.
//
//   import { sentRequest, copyAs } from './devtools-copy.mjs';
//   const text = copyAs('bash', sentRequest({ url, origin, init }));

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const CH_UA = '"Chromium";v="156", "Not)A;Brand";v="24"';

// Fetch: https://fetch.spec.whatwg.org/#forbidden-request-header (what script cannot set).
const FORBIDDEN = new Set([
  'accept-charset', 'accept-encoding', 'access-control-request-headers', 'access-control-request-method',
  'connection', 'content-length', 'cookie', 'cookie2', 'date', 'dnt', 'expect', 'host', 'keep-alive',
  'origin', 'referer', 'set-cookie', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'via',
]);
const forbidden = (n) => FORBIDDEN.has(n.toLowerCase()) || /^(proxy|sec)-/i.test(n);

// https://fetch.spec.whatwg.org/#concept-method-normalize
const NORMALISED = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'];

const BODIES = {
  text: { data: '{"note":"it\'s 100% done"}', type: 'text/plain;charset=UTF-8' },
  params: { data: 'a=1&b=two+words', type: 'application/x-www-form-urlencoded;charset=UTF-8' },
  bytes: { data: 'abc', type: null },
};

/**
 * The request Chromium sends for `fetch(url, init)` from a page at `origin`: `{ url, method,
 * headers: [[name, value]], body, mode, credentials, pageOrigin, http2 }`. Same-origin targets
 * (https) are drawn as HTTP/2 (lowercase names, `priority`), the 127.0.0.1 servers as HTTP/1.1.
 */
export function sentRequest({ url, origin, init }) {
  const target = new URL(url);
  const sameOrigin = target.origin === origin;
  const body = init.bodyKind ? BODIES[init.bodyKind] : null;
  let method = init.method ?? (body ? 'POST' : 'GET');
  if (NORMALISED.includes(method.toUpperCase())) method = method.toUpperCase();
  const mode = init.mode ?? 'cors';
  const credentials = init.credentials ?? 'same-origin';
  // Script's headers, as a Headers object holds them: combined by name (the first spelling
  // kept), values trimmed, forbidden names dropped.
  const script = [];
  for (const [n, v] of init.headers ?? []) {
    if (forbidden(n)) continue;
    const value = v.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
    const had = script.find(([m]) => m.toLowerCase() === n.toLowerCase());
    if (had) had[1] = `${had[1]}, ${value}`;
    else script.push([n, value]);
  }
  const has = (n) => script.some(([m]) => m.toLowerCase() === n);
  const http2 = target.protocol === 'https:';
  const h = [];
  const add = (n, v) => h.push([http2 ? n.toLowerCase() : n, v]);
  if (!has('accept')) add('Accept', '*/*');
  if (!has('accept-language')) add('Accept-Language', 'en-US,en;q=0.9');
  if (!http2) add('Connection', 'keep-alive');
  if (body && body.type && !has('content-type')) add('Content-Type', body.type);
  for (const [n, v] of script) h.push([http2 ? n.toLowerCase() : n, v]);
  // https://fetch.spec.whatwg.org/#origin-header: cors requests, and every request but GET/HEAD.
  const sendsOrigin = (mode === 'cors' && !sameOrigin) || !['GET', 'HEAD'].includes(method);
  if (sendsOrigin) add('Origin', origin);
  if (http2) add('priority', 'u=1, i');
  // strict-origin-when-cross-origin: the whole URL same-origin, the origin cross-origin, nothing
  // from https to http.
  const downgrade = origin.startsWith('https:') && target.protocol === 'http:';
  const referrer = sameOrigin ? `${origin}/app/page` : downgrade ? null : `${origin}/`;
  if (referrer) add('Referer', referrer);
  add('Sec-Fetch-Dest', 'empty');
  add('Sec-Fetch-Mode', mode);
  add('Sec-Fetch-Site', sameOrigin ? 'same-origin' : 'cross-site');
  add('User-Agent', UA);
  h.push(['sec-ch-ua', CH_UA], ['sec-ch-ua-mobile', '?0'], ['sec-ch-ua-platform', '"Linux"']);
  // DevTools lists them sorted by name.
  h.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const cookies = credentials === 'include' ? 'session=7f3a; theme=dark' : null;
  return { url, method, headers: h, body: body ? body.data : null, mode, credentials, cookies, referrer, hasOrigin: sendsOrigin };
}

// "Copy as cURL (bash)": single quotes, or ANSI-C $'…' when the text holds a quote, `!` or a
// control character.
function bash(s) {
  if (!/[\0-\x1f\x7f-\x9f!']/.test(s)) return `'${s}'`;
  const inner = s
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/[\0-\x1f\x7f-\x9f!]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `$'${inner}'`;
}

// "Copy as cURL (cmd)": ^"…^", with every character cmd.exe might read escaped by a caret,
// backslashes and quotes escaped for the C runtime's argument parser, `%` kept from expanding.
function cmd(s) {
  const inner = s
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/[^a-zA-Z0-9\s_\-:=+~'/.,?;()*`]/g, '^$&')
    .replace(/%(?=[a-zA-Z0-9_])/g, '%^')
    .replace(/\r?\n/g, '^\n\n');
  return `^"${inner}^"`;
}

function curl(r, style) {
  const q = style === 'cmd' ? cmd : bash;
  const parts = [style === 'cmd' ? q(r.url) : q(r.url).replace(/[[{}\]]/g, '\\$&')];
  const inferred = r.body !== null ? 'POST' : 'GET';
  if (r.method !== inferred) parts.push(`-X ${q(r.method)}`);
  for (const [n, v] of r.headers) parts.push(`-H ${q(v.trim() ? `${n}: ${v}` : `${n};`)}`);
  if (r.cookies) parts.push(`-b ${q(r.cookies)}`);
  if (r.body !== null) parts.push(`--data-raw ${q(r.body)}`);
  return `curl ${parts.join(style === 'cmd' ? ' ^\n  ' : ' \\\n  ')}`;
}

// "Copy as fetch": the headers script could set (no forbidden ones but DevTools keeps the
// sec-fetch-* and sec-ch-ua* lines), the referrer, and the modes.
function fetchCopy(r) {
  const headers = {};
  const names = r.headers.map(([n, v]) => [n.toLowerCase(), v]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [k, v] of names) {
    if ((/^sec-/.test(k) || !forbidden(k)) && !['user-agent', 'priority'].includes(k)) headers[k] = v;
  }
  const lines = [`  "headers": ${JSON.stringify(headers, null, 2).replace(/\n/g, '\n  ')},`];
  if (r.referrer) lines.push(`  "referrer": ${JSON.stringify(r.referrer)},`);
  lines.push('  "referrerPolicy": "strict-origin-when-cross-origin",');
  lines.push(`  "body": ${r.body === null ? 'null' : JSON.stringify(r.body)},`);
  lines.push(`  "method": ${JSON.stringify(r.method)},`);
  lines.push(`  "mode": ${JSON.stringify(r.mode)},`);
  lines.push(`  "credentials": ${JSON.stringify(r.cookies ? 'include' : 'omit')}`);
  return `fetch(${JSON.stringify(r.url)}, {\n${lines.join('\n')}\n});`;
}

/** The text DevTools copies for the sent request `r`: style `bash`, `cmd` or `fetch`. */
export function copyAs(style, r) {
  return style === 'fetch' ? fetchCopy(r) : curl(r, style);
}

/** Whether the copy says which page made the request (an Origin header, or a referrer). */
export function copySaysOrigin(style, r) {
  return Boolean(r.referrer) || (style !== 'fetch' && r.hasOrigin);
}
