// Generated sweeps of the scenario matrix, added to scenarios.json by build.mjs: the corners of
// the safelist and header rules, produced by loops instead of written row by row. Review the
// generated rows in scenarios.json's diff; never edit them there.
//
// - every byte 0x00–0xFF at the start, middle and end of each CORS-safelisted request-header's
//   value (#cors-safelisted-request-header): Accept, Accept-Language, Content-Language,
//   Content-Type with each of its three essences, Range — one row per (header, byte), one fetch
//   per position (bytes fetch() refuses, NUL CR LF, are rows too: the TypeError is predicted);
// - values of 128 and 129 bytes, and the 1024-byte total (#cors-unsafe-request-header-names);
// - the forbidden request-header names and prefixes (#forbidden-request-header) and a list of
//   header names registered or used on the web, each in lower and upper case: which a browser
//   drops, safelists or preflights is what the run shows;
// - every form of Range (#simple-range-header-value), Authorization under
//   `Access-Control-Allow-Headers: *` with and without credentials, non-ASCII values (Latin-1
//   code points are sent as bytes; others make fetch() throw, Web IDL ByteString).
//
// Every sweep row is `batch: true`: its fetches have distinct URLs (a `?at=` query), no waits and
// no shared preflight-cache entries, so the harness runs many of them per call into the page.

const ACAO = 'Access-Control-Allow-Origin';
const ACAC = 'Access-Control-Allow-Credentials';
const ACAM = 'Access-Control-Allow-Methods';
const ACAH = 'Access-Control-Allow-Headers';
const pf = (...headers) => ({ status: 204, headers });
const ok = (...headers) => ({ status: 200, headers });
const allowAll = { 0: { preflight: pf([ACAO, '{A}'], [ACAM, '{ACRM}'], [ACAH, '{ACRH}']), actual: ok([ACAO, '{A}']) } };

const hex = (b) => b.toString(16).padStart(2, '0');

/** Returns the sweep rows. */
export function sweeps() {
  const rows = [];
  const add = (id, rule, fetches, server = allowAll) => rows.push({ id, rule, batch: true, fetches, server });
  const one = (id, rule, init, server) => add(id, rule, [{ init, query: '?at=0' }], server);

  // 1. Bytes in safelisted values.
  const safelisted = [
    { key: 'accept', name: 'Accept', base: 'text/html' },
    { key: 'accept-language', name: 'Accept-Language', base: 'en-US' },
    { key: 'content-language', name: 'Content-Language', base: 'de-DE' },
    { key: 'ct-text', name: 'Content-Type', base: 'text/plain', body: true },
    { key: 'ct-form', name: 'Content-Type', base: 'application/x-www-form-urlencoded', body: true },
    { key: 'ct-multipart', name: 'Content-Type', base: 'multipart/form-data', body: true },
    { key: 'range', name: 'Range', base: 'bytes=0-1' },
  ];
  for (const h of safelisted) {
    const mid = Math.floor(h.base.length / 2);
    for (let b = 0; b < 256; b++) {
      const c = String.fromCharCode(b);
      const values = { start: c + h.base, middle: h.base.slice(0, mid) + c + h.base.slice(mid), end: h.base + c };
      const fetches = Object.entries(values).map(([at, v]) => ({
        init: h.body ? { method: 'POST', bodyKind: 'text', headers: [[h.name, v]] } : { headers: [[h.name, v]] },
        query: `?at=${at}`,
      }));
      add(`sw-byte-${h.key}-${hex(b)}`, `#cors-safelisted-request-header: byte 0x${hex(b)} at the start, middle and end of ${h.name} ${JSON.stringify(h.base)}`, fetches);
    }
  }

  // 2. Lengths: 128 bytes is the limit of one value; 1024 of all safelisted values together.
  const lengths = [
    ['accept', 'Accept', (n) => 'a'.repeat(n)],
    ['accept-language', 'Accept-Language', (n) => 'a'.repeat(n)],
    ['content-language', 'Content-Language', (n) => 'a'.repeat(n)],
    ['ct-text', 'Content-Type', (n) => 'text/plain;a=' + 'b'.repeat(n - 13)],
    ['range', 'Range', (n) => 'bytes=' + '0'.repeat(n - 8) + '-1'],
  ];
  for (const [key, name, make] of lengths) {
    const body = name === 'Content-Type' ? { method: 'POST', bodyKind: 'text' } : {};
    add(`sw-len-${key}`, `#cors-safelisted-request-header: ${name} of 128 and of 129 bytes`, [128, 129].map((n) => ({
      init: { ...body, headers: [[name, make(n)]] },
      query: `?at=${n}`,
    })));
  }
  const total = (n) => {
    // Eight Accept entries: 7 of 128 bytes and one making the total n (each entry is checked
    // on its own by the standard; browsers that combine entries see one long value).
    const headers = [];
    for (let i = 0; i < 7; i++) headers.push(['Accept', 'a'.repeat(128)]);
    headers.push(['Accept', 'a'.repeat(n - 7 * 128)]);
    return headers;
  };
  add('sw-len-total', '#cors-unsafe-request-header-names: safelisted values of 1024 and of 1025 bytes in total', [1024, 1025].map((n) => ({
    init: { headers: total(n) },
    query: `?at=${n}`,
  })));
  add('sw-len-total-mixed', '#cors-unsafe-request-header-names: four safelisted headers of 128 bytes (512 in total)', [{
    init: { method: 'POST', bodyKind: 'text', headers: [['Accept', 'a'.repeat(128)], ['Accept-Language', 'b'.repeat(128)], ['Content-Language', 'c'.repeat(128)], ['Content-Type', 'text/plain;a=' + 'd'.repeat(115)]] },
    query: '?at=512',
  }]);

  // 3. Names: the forbidden list and prefixes, then names browsers may treat specially.
  const forbidden = ['Accept-Charset', 'Accept-Encoding', 'Access-Control-Request-Headers', 'Access-Control-Request-Method',
    'Connection', 'Content-Length', 'Cookie', 'Cookie2', 'Date', 'DNT', 'Expect', 'Host', 'Keep-Alive', 'Origin', 'Referer',
    'Set-Cookie', 'TE', 'Trailer', 'Transfer-Encoding', 'Upgrade', 'Via', 'Proxy-', 'Proxy-Authorization', 'Proxy-Foo',
    'Sec-', 'Sec-Foo', 'Sec-CH-UA', 'Sec-Fetch-Mode'];
  const candidates = ['User-Agent', 'DPR', 'Width', 'Viewport-Width', 'Viewport-Height', 'Device-Memory', 'RTT', 'Downlink',
    'ECT', 'Save-Data', 'Content-DPR', 'Priority', 'Purpose', 'Attribution-Reporting-Eligible', 'X-Requested-With',
    'Cache-Control', 'Pragma', 'If-Modified-Since', 'If-None-Match', 'If-Range', 'Last-Event-ID', 'Early-Data',
    'Service-Worker', 'Upgrade-Insecure-Requests', 'Authorization', 'Forwarded', 'X-Forwarded-For', 'Max-Forwards',
    'Content-Encoding', 'Content-Location', 'Accept-Datetime', 'A-IM', 'Want-Digest', 'Prefer', 'Cache-Digest',
    'X-DNS-Prefetch-Control', 'X-Purpose', 'X-Moz', 'Ping-From', 'Ping-To', 'Timing-Allow-Origin', 'Access-Control-Allow-Origin'];
  const valueFor = (n) => (/^(Content-Length|DPR|Width|Viewport-Width|Viewport-Height|Device-Memory|RTT|Downlink|Content-DPR|Max-Forwards)$/i.test(n) ? '1' : n === 'Save-Data' ? 'on' : n === 'ECT' ? '4g' : 'x');
  const names = [
    ...forbidden.map((n) => [n, '#forbidden-request-header']),
    ...candidates.map((n) => [n, '#cors-safelisted-request-header']),
  ];
  for (const [n, anchor] of names) {
    const id = n.toLowerCase().replace(/-$/, '-prefix');
    add(`sw-name-${id}`, `${anchor}: ${n} in lower and in upper case`, [n.toLowerCase(), n.toUpperCase()].map((name, i) => ({
      init: { headers: [[name, valueFor(n)]] },
      query: `?at=${i ? 'upper' : 'lower'}`,
    })));
  }
  // Names that are not tokens: fetch() throws.
  for (const [key, n] of [['space', 'X A'], ['colon', 'X:A'], ['empty', ''], ['latin1', 'X-\u00e9'], ['slash', 'X/A'], ['at', '@']]) {
    one(`sw-name-invalid-${key}`, `#concept-header-name: ${JSON.stringify(n)} is not a token (TypeError)`, { headers: [[n, '1']] });
  }

  // 4. Range forms.
  const ranges = {
    closed: 'bytes=0-1', open: 'bytes=0-', suffix: 'bytes=-5', several: 'bytes=0-1,3-4', 'several-open': 'bytes=0-,5-',
    'ws-after-eq': 'bytes= 0-1', 'ws-before-dash': 'bytes=0 -1', 'ws-after-dash': 'bytes=0- 1', 'ws-leading': ' bytes=0-1',
    'ws-trailing': 'bytes=0-1 ', 'unit-title': 'Bytes=0-1', 'unit-upper': 'BYTES=0-1', 'unit-other': 'items=0-1',
    reversed: 'bytes=2-1', equal: 'bytes=1-1', 'leading-zeros': 'bytes=00-01', plus: 'bytes=+0-1', empty: 'bytes=',
    'dash-only': 'bytes=-', 'double-dash': 'bytes=0--1', huge: 'bytes=99999999999999999999-', 'no-eq': 'bytes 0-1',
    comma: 'bytes=0-1,', tab: 'bytes=\t0-1',
  };
  for (const [k, v] of Object.entries(ranges)) one(`sw-range-${k}`, `#simple-range-header-value: Range ${JSON.stringify(v)}`, { headers: [['Range', v]] });

  // 5. Authorization under Access-Control-Allow-Headers: *.
  const starServer = (acah, cred) => ({
    0: {
      preflight: pf([ACAO, '{A}'], [ACAM, '{ACRM}'], [ACAH, acah], ...(cred ? [[ACAC, 'true']] : [])),
      actual: ok([ACAO, '{A}'], ...(cred ? [[ACAC, 'true']] : [])),
    },
  });
  for (const cred of ['omit', 'same-origin', 'include']) {
    for (const [k, acah] of [['star', '*'], ['star-and-name', '*, authorization'], ['name', 'Authorization'], ['star-other', '*, x-a']]) {
      for (const [hk, headers] of [['auth', [['Authorization', 'Bearer t']]], ['auth-custom', [['Authorization', 'Bearer t'], ['X-A', '1']]]]) {
        one(`sw-auth-${k}-${hk}-${cred}`, `#cors-preflight-fetch step 7.6: Authorization${hk === 'auth' ? '' : ' and X-A'} under Allow-Headers ${JSON.stringify(acah)}, credentials ${cred}`,
          { method: 'GET', credentials: cred, headers }, starServer(acah, cred === 'include'));
      }
    }
  }

  // 6. Non-ASCII values: Latin-1 code points are bytes; anything above U+00FF makes fetch() throw.
  const nonAscii = { 'e-acute': '\u00e9', 'y-diaeresis': '\u00ff', nbsp: '\u00a0', euro: '\u20ac', 'u0100': '\u0100', cjk: '\u65e5\u672c', emoji: '\u{1f600}' };
  for (const [k, c] of Object.entries(nonAscii)) {
    add(`sw-nonascii-${k}`, `#cors-safelisted-request-header / Web IDL ByteString: ${JSON.stringify(c)} in Accept, Accept-Language, Content-Language, X-A`,
      ['Accept', 'Accept-Language', 'Content-Language', 'X-A'].map((name) => ({ init: { headers: [[name, `a${c}b`]] }, query: `?at=${name.toLowerCase()}` })));
  }
  return rows;
}
