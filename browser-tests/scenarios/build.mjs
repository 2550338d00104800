// Builds scenarios.json, the table the differential test runs: each row is one rule of the Fetch
// standard exercised through a real fetch() (or a short sequence of them, for the preflight
// cache), with the server's scripted answers. Run `node scenarios/build.mjs` after editing.
//
// Row shape: { id, rule (Fetch anchor + what is exercised), fetches: [{ init, target?, hop?,
// query?, wait_ms? }], server: { <hop>: { preflight?: Resp, actual?: Resp } } }
// Resp = { status, headers: [[name, value]...] }; placeholders {A} {B} {C} (origins), {A_HOST} {B_HOST}
// {C_HOST} (host:port), {ORIGIN} {ACRM} {ACRH} (echo of the request's header).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sweeps } from './sweeps.mjs';

const rows = [];
const ACAO = 'Access-Control-Allow-Origin';
const ACAC = 'Access-Control-Allow-Credentials';
const ACAM = 'Access-Control-Allow-Methods';
const ACAH = 'Access-Control-Allow-Headers';
const ACEH = 'Access-Control-Expose-Headers';
const ACMA = 'Access-Control-Max-Age';

const pf = (...headers) => ({ status: 204, headers });
const ok = (...headers) => ({ status: 200, headers });
const echoPreflight = pf([ACAO, '{A}'], [ACAM, '{ACRM}'], [ACAH, '{ACRH}']);
const allowAll = { 0: { preflight: echoPreflight, actual: ok([ACAO, '{A}']) } };

function add(id, rule, init, server = allowAll, fetchExtra = {}) {
  if (rows.some((r) => r.id === id)) throw new Error(`duplicate id ${id}`);
  rows.push({ id, rule, fetches: [{ init, ...fetchExtra }], server });
}
function addSeq(id, rule, fetches, server) {
  if (rows.some((r) => r.id === id)) throw new Error(`duplicate id ${id}`);
  rows.push({ id, rule, fetches, server });
}
const H = (...pairs) => ({ headers: pairs });

// ---------------------------------------------------------------------------------------------
// 1. Classification: simple or preflight, and the Access-Control-Request-* values.
// The server allows whatever is asked, so the observation is what the browser sends.
const cls = '#cors-safelisted-method / #cors-unsafe-request-header-names';
add('cls-get', '#cors-safelisted-method: GET is simple', { method: 'GET' });
add('cls-head', '#cors-safelisted-method: HEAD is simple', { method: 'HEAD' });
add('cls-post-text', '#cors-safelisted-method: POST with a string body (text/plain) is simple', { method: 'POST', bodyKind: 'text' });
add('cls-post-params', '#concept-bodyinit-extract: URLSearchParams body gives a safelisted Content-Type', { method: 'POST', bodyKind: 'params' });
add('cls-post-bytes', '#cors-safelisted-method: POST with bytes and no Content-Type', { method: 'POST', bodyKind: 'bytes' });
for (const m of ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'FOO']) {
  add(`cls-method-${m.toLowerCase()}`, `#cors-safelisted-method: ${m} needs a preflight`, { method: m });
}
add('cls-method-lower-put', '#concept-method-normalize: put becomes PUT', { method: 'put' });
add('cls-method-lower-get', '#concept-method-normalize: get becomes GET (simple)', { method: 'get' });
add('cls-method-mixed-delete', '#concept-method-normalize: Delete becomes DELETE', { method: 'Delete' });
add('cls-method-lower-patch', '#concept-method-normalize: patch is not normalized (ACRM patch)', { method: 'patch' });
add('cls-method-lower-post', '#concept-method-normalize: post becomes POST (simple)', { method: 'post', bodyKind: 'text' });
add('cls-custom-header', `${cls}: X-Custom needs a preflight`, H(['X-Custom', '1']));
add('cls-two-headers-sorted', `${cls}: names sorted and lowercased in ACRH`, H(['X-B', '1'], ['X-A', '2']));
add('cls-duplicate-header', `${cls}: a duplicated name appears once`, H(['X-A', '1'], ['x-a', '2']));
add('cls-mixed-case-names', `${cls}: names lowercased`, H(['X-UPPER', '1'], ['x-lower', '2'], ['X-Mixed-Case', '3']));
add('cls-empty-value', `${cls}: an empty value still needs a preflight`, H(['X-Empty', '']));
add('cls-value-trailing-space', '#concept-headers-append: value normalized (trailing space)', H(['Accept', 'text/html  ']));
add('cls-value-leading-tab', '#concept-headers-append: value normalized (leading tab)', H(['Content-Type', '\ttext/plain']));
add('cls-accept-plain', '#cors-safelisted-request-header: Accept text/html is safelisted', H(['Accept', 'text/html,application/xhtml+xml;q=0.9']));
for (const [n, ch] of [['quote', '"'], ['paren', '('], ['brace', '{'], ['at', '@'], ['colon', ':'], ['lt', '<'], ['question', '?'], ['bracket', '[']]) {
  add(`cls-accept-unsafe-${n}`, `#cors-unsafe-request-header-byte: Accept with ${ch}`, H(['Accept', `text/html${ch}`]));
}
add('cls-accept-128', '#cors-safelisted-request-header: 128 bytes is allowed', H(['Accept', 'a'.repeat(128)]));
add('cls-accept-129', '#cors-safelisted-request-header: over 128 bytes', H(['Accept', 'a'.repeat(129)]));
add('cls-accept-two-100', '#cors-unsafe-request-header-names: two Accept entries of 100 bytes each', H(['Accept', 'a'.repeat(100)], ['Accept', 'b'.repeat(100)]));
add('cls-accept-nine-120', '#cors-unsafe-request-header-names: nine Accept entries of 120 bytes (1024 total)', H(...Array.from({ length: 9 }, () => ['Accept', 'c'.repeat(120)])));
add('cls-safelisted-four-128', '#cors-unsafe-request-header-names: four safelisted names, 128 bytes each (under 1024)', H(['Accept', 'a'.repeat(128)], ['Accept-Language', 'b'.repeat(128)], ['Content-Language', 'c'.repeat(128)], ['Content-Type', 'text/plain;' + 'x'.repeat(117)]));
add('cls-accept-language-ok', '#cors-safelisted-request-header: Accept-Language en-US,en;q=0.5', H(['Accept-Language', 'en-US,en;q=0.5']));
add('cls-accept-language-underscore', '#cors-safelisted-request-header: Accept-Language with _', H(['Accept-Language', 'en_US']));
add('cls-accept-language-star', '#cors-safelisted-request-header: Accept-Language *', H(['Accept-Language', '*']));
add('cls-content-language-ok', '#cors-safelisted-request-header: Content-Language de-DE', H(['Content-Language', 'de-DE']));
add('cls-content-language-slash', '#cors-safelisted-request-header: Content-Language with /', H(['Content-Language', 'de/DE']));
add('cls-content-language-129', '#cors-safelisted-request-header: Content-Language over 128 bytes', H(['Content-Language', 'd'.repeat(129)]));
const ct = (id, v, body = 'text') => add(`cls-ct-${id}`, `#cors-safelisted-request-header: Content-Type ${JSON.stringify(v)}`, { method: 'POST', bodyKind: body, headers: [['Content-Type', v]] });
ct('text-plain', 'text/plain');
ct('upper-charset', 'TEXT/PLAIN; charset=utf-8');
ct('multipart', 'multipart/form-data; boundary=x');
ct('urlencoded', 'application/x-www-form-urlencoded');
ct('trailing-semicolon', 'text/plain;');
ct('json', 'application/json');
ct('list', 'text/plain, application/json');
ct('no-subtype', 'text');
ct('quoted-param', 'text/plain; charset="utf-8"');
ct('space-in-type', 'text /plain');
ct('xml', 'text/xml');
ct('csp-report', 'application/csp-report');
add('cls-ct-duplicate-json-first', '#cors-unsafe-request-header-names: Content-Type application/json then text/plain (each entry checked)', { method: 'POST', bodyKind: 'text', headers: [['Content-Type', 'application/json'], ['Content-Type', 'text/plain']] });
ct('list-json-first', 'application/json, text/plain');
add('cls-ct-duplicate-semicolon', '#cors-unsafe-request-header-names: Content-Type text/plain; then application/json (each entry checked)', { method: 'POST', bodyKind: 'text', headers: [['Content-Type', 'text/plain;'], ['Content-Type', 'application/json']] });
add('cls-accept-language-duplicate', '#cors-unsafe-request-header-names: two Accept-Language entries', H(['Accept-Language', 'en'], ['Accept-Language', 'de']));
add('cls-ct-duplicate', '#cors-safelisted-request-header: two Content-Type entries', { method: 'POST', bodyKind: 'text', headers: [['Content-Type', 'text/plain'], ['Content-Type', 'application/json']] });
const range = (id, v) => add(`cls-range-${id}`, `#simple-range-header-value: Range ${JSON.stringify(v)}`, H(['Range', v]));
range('open', 'bytes=0-');
range('closed', 'bytes=100-200');
range('suffix', 'bytes=-500');
range('multi', 'bytes=0-1,2-3');
range('spaces', 'bytes = 0-1');
range('reversed', 'bytes=5-1');
range('unit', 'items=0-1');
add('cls-authorization', '#cors-non-wildcard-request-header-name: Authorization needs a preflight', H(['Authorization', 'Bearer t']));
for (const [n, v] of [['dpr', '2'], ['save-data', 'on'], ['width', '100'], ['viewport-width', '1200'], ['device-memory', '0.5']]) {
  add(`cls-client-hint-${n}`, `#cors-safelisted-request-header: ${n} is not in the standard's safelist`, H([n, v]));
}
// Forbidden headers are dropped silently; forbidden methods throw.
for (const n of ['Cookie', 'Origin', 'Referer', 'Sec-Custom', 'Proxy-Custom', 'DNT', 'Content-Length', 'Keep-Alive', 'Access-Control-Request-Method']) {
  add(`cls-forbidden-${n.toLowerCase()}`, `#forbidden-request-header: ${n} is dropped`, H([n, n === 'Content-Length' ? '5' : 'x']));
}
add('cls-forbidden-plus-custom', '#forbidden-request-header: dropped header next to a custom one', H(['Cookie', 'a=b'], ['X-A', '1']));
add('cls-override-trace', '#forbidden-request-header step 3: X-HTTP-Method-Override: TRACE is dropped', H(['X-HTTP-Method-Override', 'TRACE']));
add('cls-override-put', '#forbidden-request-header step 3: X-HTTP-Method-Override: PUT is sent', H(['X-HTTP-Method-Override', 'PUT']));
add('cls-override-list', '#forbidden-request-header step 3: X-Method-Override: GET, connect is dropped', H(['X-Method-Override', 'GET, connect']));
add('cls-override-http-method', '#forbidden-request-header step 3: X-HTTP-Method: track is dropped', H(['X-HTTP-Method', 'track']));
for (const m of ['TRACE', 'CONNECT', 'track']) add(`cls-refuse-${m.toLowerCase()}`, `#forbidden-method: ${m} throws`, { method: m });
add('cls-refuse-bad-method', '#concept-method: a method that is not a token throws', { method: 'GE T' });
add('cls-refuse-bad-name', '#concept-header-name: a name that is not a token throws', H(['X A', '1']));
add('cls-refuse-bad-value', '#concept-header-value: a value with LF throws', H(['X-A', 'a\nb']));
add('cls-refuse-get-body', '#dom-request: GET with a body throws', { method: 'GET', bodyKind: 'text' });
add('cls-nocors-simple', '#main-fetch: no-cors gives an opaque response', { mode: 'no-cors' });
add('cls-nocors-header-dropped', '#concept-headers-append (request-no-cors): X-A is dropped', { mode: 'no-cors', headers: [['X-A', '1']] });
add('cls-nocors-put', '#dom-request: no-cors with PUT throws', { mode: 'no-cors', method: 'PUT' });
add('cls-nocors-redirect-error', '#main-fetch: no-cors needs redirect mode follow', { mode: 'no-cors', redirect: 'error' });
add('cls-same-origin-mode', '#main-fetch: mode same-origin to another origin', { mode: 'same-origin' });
add('cls-same-origin-target', '#main-fetch: same-origin request, no CORS', { headers: [['X-A', '1']] }, { 0: { actual: ok(['X-Secret', 's']) } }, { target: 'A' });
add('cls-same-origin-mode-ok', '#main-fetch: mode same-origin to the page origin', { mode: 'same-origin' }, { 0: { actual: ok(['X-Secret', 's']) } }, { target: 'A' });

// ---------------------------------------------------------------------------------------------
// 2. The preflight response (#cors-preflight-fetch step 7).
const put = (extra = {}) => ({ method: 'PUT', headers: [['X-A', '1']], ...extra });
const putCred = (extra = {}) => put({ credentials: 'include', ...extra });
const pre = (id, rule, preflight, init = put()) =>
  add(`pf-${id}`, `#cors-preflight-fetch: ${rule}`, init, { 0: { preflight, actual: ok([ACAO, '{A}'], [ACAC, 'true']) } });
const good = [[ACAO, '{A}'], [ACAM, 'PUT'], [ACAH, 'X-A']];
pre('ok-204', 'status 204 passes', { status: 204, headers: good });
pre('ok-200', 'status 200 passes', { status: 200, headers: good });
pre('ok-299', 'status 299 passes', { status: 299, headers: good });
for (const s of [300, 400, 401, 403, 404, 500, 503]) pre(`status-${s}`, `status ${s} is not ok`, { status: s, headers: good });
pre('status-500-no-acao', 'status 500 and no ACAO', { status: 500, headers: [[ACAM, 'PUT']] });
pre('redirect-301', 'a redirect is not followed', { status: 301, headers: [...good, ['Location', '{B}/s/pf-redirect-301/1']] });
pre('redirect-307-other-origin', 'a redirect to another origin is not followed', { status: 307, headers: [...good, ['Location', '{C}/s/pf-redirect-307-other-origin/1']] });
pre('redirect-302-no-acao', 'a redirect without ACAO', { status: 302, headers: [['Location', '{B}/x']] });
pre('redirect-307-other-origin-star', 'a redirect to another origin answered with *', { status: 307, headers: [[ACAO, '*'], [ACAM, 'PUT'], [ACAH, 'X-A'], ['Location', '{C}/s/pf-redirect-307-other-origin-star/1']] });
pre('redirect-301-acao-mismatch', 'a redirect whose ACAO names another origin', { status: 301, headers: [[ACAO, '{B}'], [ACAM, 'PUT'], [ACAH, 'X-A'], ['Location', '{B}/s/pf-redirect-301-acao-mismatch/1']] });
pre('redirect-307-cred-no-acac', 'a redirect without ACAC for a credentialed request', { status: 307, headers: [...good, ['Location', '{C}/s/pf-redirect-307-cred-no-acac/1']] }, putCred());
pre('acao-missing', 'no ACAO', { status: 204, headers: [[ACAM, 'PUT'], [ACAH, 'X-A']] });
pre('acao-mismatch', 'ACAO of another origin', { status: 204, headers: [[ACAO, '{C}'], [ACAM, 'PUT'], [ACAH, 'X-A']] });
pre('acao-trailing-slash', 'ACAO with a trailing slash', { status: 204, headers: [[ACAO, '{A}/'], [ACAM, 'PUT'], [ACAH, 'X-A']] });
pre('acao-uppercase', 'ACAO in uppercase', { status: 204, headers: [[ACAO, 'HTTP://127.0.0.1'], [ACAM, 'PUT'], [ACAH, 'X-A']] });
pre('acao-null', 'ACAO null', { status: 204, headers: [[ACAO, 'null'], [ACAM, 'PUT'], [ACAH, 'X-A']] });
pre('acao-star', 'ACAO * without credentials', { status: 204, headers: [[ACAO, '*'], [ACAM, 'PUT'], [ACAH, 'X-A']] });
pre('acao-two-lines', 'two ACAO lines', { status: 204, headers: [[ACAO, '{A}'], [ACAO, '{A}'], [ACAM, 'PUT'], [ACAH, 'X-A']] });
pre('acao-list', 'ACAO as a list', { status: 204, headers: [[ACAO, '{A}, {C}'], [ACAM, 'PUT'], [ACAH, 'X-A']] });
pre('acao-empty', 'ACAO empty', { status: 204, headers: [[ACAO, ''], [ACAM, 'PUT'], [ACAH, 'X-A']] });
pre('acao-trailing-spaces', 'ACAO with trailing spaces (OWS)', { status: 204, headers: [[ACAO, '{A}   '], [ACAM, 'PUT'], [ACAH, 'X-A']] });
pre('acao-invalid', 'ACAO not an origin', { status: 204, headers: [[ACAO, 'foo'], [ACAM, 'PUT'], [ACAH, 'X-A']] });
pre('acao-lowercase-name', 'header names are case-insensitive', { status: 204, headers: [['access-control-allow-origin', '{A}'], ['access-control-allow-methods', 'PUT'], ['ACCESS-CONTROL-ALLOW-HEADERS', 'X-A']] });
pre('cred-ok', 'credentials with exact ACAO and ACAC true', { status: 204, headers: [...good, [ACAC, 'true']] }, putCred());
pre('cred-star', 'credentials and ACAO *', { status: 204, headers: [[ACAO, '*'], [ACAM, 'PUT'], [ACAH, 'X-A'], [ACAC, 'true']] }, putCred());
pre('cred-acac-missing', 'credentials and no ACAC', { status: 204, headers: good }, putCred());
pre('cred-acac-True', 'credentials and ACAC True', { status: 204, headers: [...good, [ACAC, 'True']] }, putCred());
pre('cred-acac-trailing-space', 'credentials and ACAC "true " (OWS)', { status: 204, headers: [...good, [ACAC, 'true ']] }, putCred());
pre('cred-acac-two-lines', 'credentials and two ACAC lines', { status: 204, headers: [...good, [ACAC, 'true'], [ACAC, 'true']] }, putCred());
pre('cred-acac-false', 'credentials and ACAC false', { status: 204, headers: [...good, [ACAC, 'false']] }, putCred());
pre('nocred-acac-ignored', 'ACAC is ignored without credentials', { status: 204, headers: [...good, [ACAC, 'nonsense']] });
const credOf = (init) => (init.credentials === 'include' ? [[ACAC, 'true']] : []);
const m = (id, v, init = put()) => pre(`acam-${id}`, `Allow-Methods ${JSON.stringify(v)}`, { status: 204, headers: [[ACAO, '{A}'], [ACAH, 'X-A'], ...credOf(init), ...(v === null ? [] : [[ACAM, v]])] }, init);
m('missing', null);
m('lowercase', 'put');
m('empty-elements', 'PUT,,');
m('leading-empty', ', PUT ,');
m('other-methods', 'GET, POST');
m('star', '*');
m('star-cred', '*', putCred());
m('space-token', 'PUT DELETE');
m('slash-token', 'PUT/DELETE');
m('quoted', '"PUT"');
m('empty', '');
m('tab-separated', 'GET,\tPUT');
pre('acam-two-lines', 'Allow-Methods on two lines', { status: 204, headers: [[ACAO, '{A}'], [ACAH, 'X-A'], [ACAM, 'GET'], [ACAM, 'PUT']] });
m('patch-upper-for-lower', 'PATCH', put({ method: 'patch' }));
m('patch-lower-for-lower', 'patch', put({ method: 'patch' }));
m('patch-upper-for-upper', 'PATCH', put({ method: 'PATCH' }));
m('post-not-listed', 'PUT', { method: 'POST', bodyKind: 'text', headers: [['X-A', '1']] });
m('delete-for-delete-lower', 'delete', put({ method: 'DELETE' }));
const h = (id, v, init = put()) => pre(`acah-${id}`, `Allow-Headers ${JSON.stringify(v)}`, { status: 204, headers: [[ACAO, '{A}'], [ACAM, 'PUT'], ...credOf(init), ...(v === null ? [] : [[ACAH, v]])] }, init);
h('missing', null);
h('uppercase', 'X-A');
h('lowercase', 'x-a');
h('empty-elements', 'x-a,,');
h('leading-empty', ', x-a');
h('star', '*');
h('star-cred', '*', putCred());
h('space-token', 'x-a x-b');
h('slash-token', 'x-a/b');
h('empty', '');
h('other', 'x-b');
h('star-authorization', '*', put({ headers: [['Authorization', 'Bearer t']] }));
h('listed-authorization', 'authorization', put({ headers: [['Authorization', 'Bearer t']] }));
h('star-and-authorization', '*, Authorization', put({ headers: [['Authorization', 'Bearer t'], ['X-A', '1']] }));
h('two-missing-order', '', put({ headers: [['X-B', '1'], ['X-A', '1']] }));
h('one-of-two', 'x-b', put({ headers: [['X-B', '1'], ['X-A', '1']] }));
h('auth-and-custom-missing', 'x-z', put({ headers: [['X-A', '1'], ['Authorization', 'Bearer t']] }));
pre('acah-two-lines', 'Allow-Headers on two lines', { status: 204, headers: [[ACAO, '{A}'], [ACAM, 'PUT'], [ACAH, 'x-b'], [ACAH, 'x-a']] }, put({ headers: [['X-A', '1'], ['X-B', '2']] }));
h('content-type-json', 'content-type', { method: 'POST', bodyKind: 'text', headers: [['Content-Type', 'application/json']] });
h('content-type-missing', 'x-a', { method: 'POST', bodyKind: 'text', headers: [['Content-Type', 'application/json']] });
h('accept-long-missing', 'x-a', { method: 'GET', headers: [['Accept', 'a'.repeat(129)]] });

// ---------------------------------------------------------------------------------------------
// 3. The actual response: the CORS check and what script can read (#cors-check, #main-fetch).
const act = (id, rule, actual, init = { method: 'GET' }) => add(`act-${id}`, rule, init, { 0: { preflight: echoPreflight, actual } });
act('acao-missing', '#cors-check step 2: no ACAO', ok());
act('acao-star', '#cors-check step 3: * without credentials', ok([ACAO, '*']));
act('acao-exact', '#cors-check step 4: exact origin', ok([ACAO, '{A}']));
act('acao-mismatch', '#cors-check step 4: another origin', ok([ACAO, '{B}']));
act('acao-trailing-slash', '#cors-check step 4: trailing slash', ok([ACAO, '{A}/']));
act('acao-null', '#cors-check step 4: null', ok([ACAO, 'null']));
act('acao-invalid', '#cors-check step 4: not an origin', ok([ACAO, 'not an origin']));
act('acao-invalid-token', '#cors-check step 4: a token that is not a URL', ok([ACAO, 'foo']));
act('acao-two-lines', '#cors-check step 1 (get joins lines)', ok([ACAO, '{A}'], [ACAO, '{A}']));
act('acao-star-two-lines', '#cors-check step 1: * twice', ok([ACAO, '*'], [ACAO, '*']));
act('acao-list', '#cors-check step 4: a list', ok([ACAO, '{A},{B}']));
act('acao-empty', '#cors-check step 4: empty value', ok([ACAO, '']));
act('acao-ows', '#cors-check: surrounding whitespace is not part of the value', ok([ACAO, '  {A}  ']));
act('acao-tab', '#cors-check: a tab after the value', ok([ACAO, '{A}\t']));
act('acao-no-port', '#cors-check step 4: byte comparison (origin without its port)', ok([ACAO, 'http://127.0.0.1']));
act('acao-uppercase-scheme', '#cors-check step 4: byte comparison (uppercase scheme)', ok([ACAO, 'HTTP://{B_HOST}']));
act('acao-lowercase-name', '#cors-check: header name case', ok(['access-control-allow-origin', '{A}']));
act('acao-500', '#http-responses: any status passes with the right headers', { status: 500, headers: [[ACAO, '{A}']] });
act('acao-404-missing', '#cors-check: a 404 without ACAO', { status: 404, headers: [] });
const cred = { method: 'GET', credentials: 'include' };
act('cred-star', '#cors-check step 4: * with credentials', ok([ACAO, '*'], [ACAC, 'true']), cred);
act('cred-ok', '#cors-check step 7: exact origin and true', ok([ACAO, '{A}'], [ACAC, 'true']), cred);
act('cred-missing', '#cors-check step 8: no ACAC', ok([ACAO, '{A}']), cred);
act('cred-True', '#cors-check step 7: True is not true', ok([ACAO, '{A}'], [ACAC, 'True']), cred);
act('cred-empty', '#cors-check step 7: empty ACAC', ok([ACAO, '{A}'], [ACAC, '']), cred);
act('cred-two-lines', '#cors-check step 7: two ACAC lines', ok([ACAO, '{A}'], [ACAC, 'true'], [ACAC, 'true']), cred);
act('cred-same-origin-mode', '#http-network-or-cache-fetch: same-origin credentials mode sends no cookie cross-origin', ok([ACAO, '{A}']), { method: 'GET', credentials: 'same-origin' });
act('cred-omit', '#http-network-or-cache-fetch: omit sends no cookie', ok([ACAO, '*']), { method: 'GET', credentials: 'omit' });
act('cred-acac-ignored', '#cors-check step 5: ACAC ignored without credentials', ok([ACAO, '{A}'], [ACAC, 'no']));
act('preflighted-actual-missing', '#http-fetch: the actual response of a preflighted request is checked too', ok(), put());
act('preflighted-actual-ok', '#http-fetch: preflight then actual', ok([ACAO, '{A}']), put());
const expose = (id, rule, headers, init = { method: 'GET' }) =>
  act(`expose-${id}`, `#main-fetch / #cors-safelisted-response-header-name: ${rule}`, ok([ACAO, '{A}'], [ACAC, 'true'], ['X-Total', '3'], ['X-Other', 'o'], ['Set-Cookie', 'x=y'], ...headers), init);
expose('none', 'no Expose-Headers', []);
expose('one', 'X-Total exposed', [[ACEH, 'X-Total']]);
expose('lowercase', 'x-total exposed', [[ACEH, 'x-total']]);
expose('star', '* exposes everything but Set-Cookie', [[ACEH, '*']]);
expose('star-cred', '* with credentials is a literal name', [[ACEH, '*']], cred);
expose('star-and-name-cred', '* and a name with credentials', [[ACEH, '*, X-Total']], cred);
expose('empty-elements', 'list with empty elements', [[ACEH, ', X-Total,,']]);
expose('invalid-token', 'an invalid token spoils the list', [[ACEH, 'X-Total, bad/name']]);
expose('two-lines', 'two Expose-Headers lines', [[ACEH, 'X-Total'], [ACEH, 'X-Other']]);
expose('set-cookie', 'Set-Cookie is never exposed', [[ACEH, 'Set-Cookie, X-Total']]);
expose('trailing-space', 'value with trailing spaces', [[ACEH, 'X-Total   ']]);
expose('empty', 'empty value', [[ACEH, '']]);
act('expose-safelisted', '#cors-safelisted-response-header-name: the seven names are readable', ok([ACAO, '{A}'], ['Cache-Control', 'no-cache'], ['Content-Language', 'en'], ['Content-Type', 'text/plain'], ['Expires', '0'], ['Last-Modified', 'Wed, 21 Oct 2015 07:28:00 GMT'], ['Pragma', 'no-cache'], ['X-Hidden', 'h']));

// ---------------------------------------------------------------------------------------------
// 4. Redirects (#http-redirect-fetch, #concept-request-tainted-origin).
const redir = (status, to, ...extra) => ({ status, headers: [['Location', to], ...extra] });
const R = (id, rule, server, init = { method: 'GET' }, fetchExtra = {}) => add(`rd-${id}`, `#http-redirect-fetch: ${rule}`, init, server, fetchExtra);
R('same-origin-hop', 'B to B', { 0: { actual: redir(302, '{B}/s/rd-same-origin-hop/1', [ACAO, '{A}']) }, 1: { actual: ok([ACAO, '{A}']) } });
R('to-c-exact', 'B to C: origin becomes null, exact ACAO fails', { 0: { actual: redir(302, '{C}/s/rd-to-c-exact/1', [ACAO, '{A}']) }, 1: { actual: ok([ACAO, '{A}']) } });
R('to-c-star', 'B to C: * passes', { 0: { actual: redir(302, '{C}/s/rd-to-c-star/1', [ACAO, '{A}']) }, 1: { actual: ok([ACAO, '*']) } });
R('to-c-null', 'B to C: null passes', { 0: { actual: redir(302, '{C}/s/rd-to-c-null/1', [ACAO, '{A}']) }, 1: { actual: ok([ACAO, 'null']) } });
R('to-c-null-cred', 'B to C with credentials: null and true', { 0: { actual: redir(302, '{C}/s/rd-to-c-null-cred/1', [ACAO, '{A}'], [ACAC, 'true']) }, 1: { actual: ok([ACAO, 'null'], [ACAC, 'true']) } }, cred);
R('redirect-no-acao', 'the redirect response itself needs ACAO', { 0: { actual: redir(302, '{B}/s/rd-redirect-no-acao/1') }, 1: { actual: ok([ACAO, '{A}']) } });
R('redirect-star', 'redirect response with *', { 0: { actual: redir(307, '{B}/s/rd-redirect-star/1', [ACAO, '*']) }, 1: { actual: ok([ACAO, '*']) } });
R('back-to-a', 'B to A (the page origin): tainted, needs null', { 0: { actual: redir(302, '{A}/s/rd-back-to-a/1', [ACAO, '{A}']) }, 1: { actual: ok([ACAO, '{A}']) } });
R('back-to-a-null', 'B to A answered with null', { 0: { actual: redir(302, '{A}/s/rd-back-to-a-null/1', [ACAO, '{A}']) }, 1: { actual: ok([ACAO, 'null']) } });
R('from-a-to-b', 'A to B: not tainted', { 0: { actual: redir(302, '{B}/s/rd-from-a-to-b/1') }, 1: { actual: ok([ACAO, '{A}']) } }, { method: 'GET' }, { target: 'A' });
R('from-a-to-b-missing', 'A to B without ACAO at B', { 0: { actual: redir(302, '{B}/s/rd-from-a-to-b-missing/1') }, 1: { actual: ok() } }, { method: 'GET' }, { target: 'A' });
R('relative', 'relative Location', { 0: { actual: redir(302, '/s/rd-relative/1', [ACAO, '{A}']) }, 1: { actual: ok([ACAO, '{A}'], ['X-Hidden', '1']) } });
R('preflighted-same-origin', 'preflighted PUT redirected (307) within B: preflight again for the new URL', { 0: { preflight: echoPreflight, actual: redir(307, '{B}/s/rd-preflighted-same-origin/1', [ACAO, '{A}']) }, 1: { preflight: echoPreflight, actual: ok([ACAO, '{A}']) } }, put());
R('preflighted-to-c', 'preflighted PUT redirected to C: preflight with Origin null', { 0: { preflight: echoPreflight, actual: redir(307, '{C}/s/rd-preflighted-to-c/1', [ACAO, '{A}']) }, 1: { preflight: pf([ACAO, '{ORIGIN}'], [ACAM, '{ACRM}'], [ACAH, '{ACRH}']), actual: ok([ACAO, '{ORIGIN}']) } }, put());
R('preflighted-to-c-fails', 'preflighted PUT redirected to C whose preflight allows only the page origin', { 0: { preflight: echoPreflight, actual: redir(307, '{C}/s/rd-preflighted-to-c-fails/1', [ACAO, '{A}']) }, 1: { preflight: pf([ACAO, '{A}'], [ACAM, 'PUT'], [ACAH, 'X-A']), actual: ok([ACAO, '{A}']) } }, put());
R('post-303', '303 turns POST into GET and drops Content-Type', { 0: { preflight: echoPreflight, actual: redir(303, '{B}/s/rd-post-303/1', [ACAO, '{A}']) }, 1: { preflight: echoPreflight, actual: ok([ACAO, '{A}']) } }, { method: 'POST', bodyKind: 'text', headers: [['Content-Type', 'application/json']] });
R('post-301', '301 turns POST into GET', { 0: { actual: redir(301, '{B}/s/rd-post-301/1', [ACAO, '{A}']) }, 1: { actual: ok([ACAO, '{A}']) } }, { method: 'POST', bodyKind: 'text' });
R('post-307', '307 keeps POST', { 0: { actual: redir(307, '{B}/s/rd-post-307/1', [ACAO, '{A}']) }, 1: { actual: ok([ACAO, '{A}']) } }, { method: 'POST', bodyKind: 'text' });
R('auth-dropped', 'Authorization dropped on a cross-origin hop', { 0: { preflight: echoPreflight, actual: redir(307, '{C}/s/rd-auth-dropped/1', [ACAO, '{A}']) }, 1: { preflight: pf([ACAO, '*'], [ACAM, '{ACRM}'], [ACAH, '{ACRH}']), actual: ok([ACAO, '*']) } }, { method: 'GET', headers: [['Authorization', 'Bearer t'], ['X-A', '1']] });
R('mode-error', 'redirect mode error', { 0: { actual: redir(302, '{B}/s/rd-mode-error/1', [ACAO, '{A}']) }, 1: { actual: ok([ACAO, '{A}']) } }, { method: 'GET', redirect: 'error' });
R('mode-manual', 'redirect mode manual', { 0: { actual: redir(302, '{B}/s/rd-mode-manual/1', [ACAO, '{A}']) }, 1: { actual: ok([ACAO, '{A}']) } }, { method: 'GET', redirect: 'manual' });
R('userinfo', 'Location with userinfo', { 0: { actual: redir(302, 'http://user:pw@{C_HOST}/s/rd-userinfo/1', [ACAO, '{A}']) }, 1: { actual: ok([ACAO, '*']) } });
R('not-http', 'Location with a non-HTTP scheme', { 0: { actual: redir(302, 'data:text/plain,hi', [ACAO, '{A}']) } });
R('invalid-location', 'a Location that does not parse', { 0: { actual: redir(302, 'http://[::1', [ACAO, '{A}']) } });
R('no-location', 'a 302 without Location is a response', { 0: { actual: { status: 302, headers: [[ACAO, '{A}']] } } });
R('nocors-to-c', 'no-cors redirected to C', { 0: { actual: redir(302, '{C}/s/rd-nocors-to-c/1') }, 1: { actual: ok() } }, { mode: 'no-cors' });
const chain = (id, n) => {
  const server = {};
  for (let i = 0; i < n; i++) server[i] = { actual: redir(302, `{B}/s/${id}/${i + 1}`, [ACAO, '{A}']) };
  server[n] = { actual: ok([ACAO, '{A}']) };
  return server;
};
R('chain-20', '20 redirects are followed', chain('rd-chain-20', 20));
R('chain-21', 'the 21st redirect fails', chain('rd-chain-21', 21));

// ---------------------------------------------------------------------------------------------
// 5. The preflight cache (#concept-cache): several fetches of the same scenario, counting preflights.
const twice = (init, wait = 0) => [{ init }, { init, wait_ms: wait }];
const cache = (id, rule, fetches, server) => addSeq(`cache-${id}`, `#concept-cache: ${rule}`, fetches, server);
const withAge = (age) => ({ 0: { preflight: pf([ACAO, '{A}'], [ACAM, '{ACRM}'], [ACAH, '{ACRH}'], ...(age === null ? [] : [[ACMA, age]])), actual: ok([ACAO, '{A}']) } });
cache('max-age-60', 'max-age 60: the second fetch uses the cache', twice(put()), withAge('60'));
cache('max-age-absent', 'no max-age: 5 seconds by default', twice(put()), withAge(null));
cache('max-age-0', 'max-age 0: nothing cached', twice(put()), withAge('0'));
cache('max-age-negative', 'max-age -1', twice(put()), withAge('-1'));
cache('max-age-garbage', 'max-age abc', twice(put()), withAge('abc'));
cache('max-age-float', 'max-age 1.5', twice(put()), withAge('1.5'));
cache('max-age-expired', 'max-age 1, second fetch after 1.6 s', twice(put(), 1600), withAge('1'));
cache('max-age-default-expired', 'no max-age, second fetch after 5.5 s', twice(put(), 5500), withAge(null));
cache('max-age-two-lines', 'two max-age lines', twice(put()), { 0: { preflight: pf([ACAO, '{A}'], [ACAM, 'PUT'], [ACAH, 'x-a'], [ACMA, '60'], [ACMA, '60']), actual: ok([ACAO, '{A}']) } });
cache('max-age-huge', 'max-age above every cap still caches', twice(put()), withAge('99999999'));
cache('header-entries', 'entries per header name: X-A, X-A, X-B, X-A', [
  { init: put() }, { init: put() }, { init: put({ headers: [['X-B', '1']] }) }, { init: put() },
], withAge('60'));
cache('method-entries', 'entries per method: PUT, DELETE, PUT', [
  { init: { method: 'PUT' } }, { init: { method: 'DELETE' } }, { init: { method: 'PUT' } },
], withAge('60'));
cache('method-star', 'Allow-Methods * serves other methods', [{ init: { method: 'PUT' } }, { init: { method: 'DELETE' } }],
  { 0: { preflight: pf([ACAO, '{A}'], [ACAM, '*'], [ACMA, '60']), actual: ok([ACAO, '{A}']) } });
cache('header-star', 'Allow-Headers * serves other names', [{ init: put() }, { init: put({ headers: [['X-Z', '1']] }) }],
  { 0: { preflight: pf([ACAO, '{A}'], [ACAM, 'PUT'], [ACAH, '*'], [ACMA, '60']), actual: ok([ACAO, '{A}']) } });
cache('header-star-authorization', 'a * entry never serves Authorization', [{ init: put() }, { init: put({ headers: [['Authorization', 'x']] }) }],
  { 0: { preflight: pf([ACAO, '{A}'], [ACAM, 'PUT'], [ACAH, '{ACRH}'], [ACAH, '*'], [ACMA, '60']), actual: ok([ACAO, '{A}']) } });
const credServer = { 0: { preflight: pf([ACAO, '{A}'], [ACAC, 'true'], [ACAM, '{ACRM}'], [ACAH, '{ACRH}'], [ACMA, '60']), actual: ok([ACAO, '{A}'], [ACAC, 'true']) } };
cache('cred-then-omit', 'a credentialed entry serves a request without credentials', [{ init: putCred() }, { init: put({ credentials: 'omit' }) }], credServer);
cache('omit-then-cred', 'an entry without credentials does not serve a credentialed request', [{ init: put({ credentials: 'omit' }) }, { init: putCred() }], credServer);
cache('cleared-on-failure', 'a failed actual response clears the entries', [{ init: put() }, { init: put() }],
  { 0: { preflight: pf([ACAO, '{A}'], [ACAM, 'PUT'], [ACAH, 'x-a'], [ACMA, '60']), actual: ok() } });
cache('other-url', 'the URL is part of the key', [{ init: put(), query: '?a=1' }, { init: put(), query: '?a=2' }], withAge('60'));
cache('safelisted-method-header', 'POST with X-A twice', twice({ method: 'POST', bodyKind: 'text', headers: [['X-A', '1']] }), withAge('60'));
cache('failed-preflight-then-ok', 'a failed preflight, then the same request', [{ init: put() }, { init: put() }],
  { 0: { preflight: pf([ACAO, '{A}'], [ACAM, 'GET'], [ACMA, '60']), actual: ok([ACAO, '{A}']) } });

const out = {
  about: 'Scenarios of the differential test between cors::agent and headless Chromium. Generated by build.mjs.',
  scenarios: rows,
};
const here = dirname(fileURLToPath(import.meta.url));
writeFileSync(join(here, 'scenarios.json'), JSON.stringify(out, null, 1) + '\n');
console.log(`${rows.length} scenarios`);
// The generated sweeps (sweeps.mjs) go to their own table, sweeps.json: run with
// `run-cors-scenarios.mjs --sweeps` (the cargo differential tests read both tables).
const swept = sweeps();
for (const r of swept) if (rows.some((x) => x.id === r.id)) throw new Error(`duplicate id ${r.id}`);
// One row per line: a reviewable diff, a tenth of the indented size.
writeFileSync(
  join(here, 'sweeps.json'),
  `{"about": ${JSON.stringify('Generated by sweeps.mjs (through build.mjs); review, do not edit.')},\n "scenarios": [\n${swept.map((r) => '  ' + JSON.stringify(r)).join(',\n')}\n ]}\n`,
);
console.log(`${swept.length} sweep scenarios, ${swept.reduce((n, r) => n + r.fetches.length, 0)} fetches`);
