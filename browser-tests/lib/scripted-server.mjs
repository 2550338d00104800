// A scripted HTTP/1.1 server for browser tests: it answers each request exactly as a scenario
// script says, writing the response bytes itself so header lines (case, duplicates, spacing,
// empty values) reach the browser untouched, and logs every request it receives.
//
// Routes: `GET /` serves the test page (and sets the cookie `sid=1`); `/s/<scenario>/<hop>`
// answers from `script(scenarioId)[hop]` with `.preflight` (for OPTIONS carrying
// Access-Control-Request-Method) or `.actual`. Placeholders in header values: {A} {B} {C}
// (the origins), {ORIGIN} {ACRM} {ACRH} (echo of the request's header; the line is left out when
// the request has none). Every response gets `Content-Length` and `Connection: close` appended.
import http from 'node:http';
import net from 'node:net';

export const STATUS_TEXT = http.STATUS_CODES;

/** Builds the response head for a request; shared with the Rust side by specification. */
export function buildResponse(spec, reqHeaders, origins, isHead) {
  const status = spec?.status ?? 200;
  const headers = [];
  for (const [name, rawValue] of spec?.headers ?? []) {
    let skip = false;
    const value = rawValue.replace(/\{(A|B|C|A_HOST|B_HOST|C_HOST|ORIGIN|ACRM|ACRH)\}/g, (_, k) => {
      if (k in origins) return origins[k];
      if (k.endsWith('_HOST')) return origins[k[0]].replace(/^http:\/\//, '');
      const h = { ORIGIN: 'origin', ACRM: 'access-control-request-method', ACRH: 'access-control-request-headers' }[k];
      const v = reqHeaders[h];
      if (v === undefined) {
        skip = true;
        return '';
      }
      return v;
    });
    if (!skip) headers.push([name, value]);
  }
  const nullBody = [101, 103, 204, 205, 304].includes(status) || isHead || spec?.empty;
  const body = nullBody ? '' : (spec?.body ?? 'ok');
  headers.push(['Content-Length', String(Buffer.byteLength(body))]);
  headers.push(['Connection', 'close']);
  return { status, headers, body };
}

/**
 * The scenario matrix's three servers, each started with `opts`: A and B on 127.0.0.1, C on
 * localhost (another host: another site). Fills `origins` (the object `opts.origins()` returns)
 * with their origins and returns the servers by name.
 */
export async function startMatrixServers(opts, origins) {
  const servers = {};
  for (const name of ['A', 'B', 'C']) servers[name] = await startScriptedServer(name, opts);
  origins.A = `http://127.0.0.1:${servers.A.port}`;
  origins.B = `http://127.0.0.1:${servers.B.port}`;
  origins.C = `http://localhost:${servers.C.port}`;
  return servers;
}

/**
 * Starts one server on 127.0.0.1 (port 0 = any). `opts.script(id)` returns the hop table of a
 * scenario; `opts.origins()` the {A,B,C} origin strings; `opts.tag()` the current fetch tag;
 * `opts.log` an array requests are appended to; `name` labels this server (A/B/C).
 * HTTP/1.1 is parsed by hand (one request per connection, `Content-Length` bodies) so that any
 * method token — `patch`, `FOO` — reaches the script, which Node's HTTP parser would refuse.
 */
export async function startScriptedServer(name, opts) {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    let done = false;
    socket.on('data', (chunk) => {
      if (done) return;
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
      const [method, target] = lines[0].split(' ');
      const rawHeaders = [];
      const headers = {};
      for (const line of lines.slice(1)) {
        const i = line.indexOf(':');
        if (i <= 0) continue;
        const k = line.slice(0, i);
        const v = line.slice(i + 1).trim();
        rawHeaders.push(k, v);
        const lk = k.toLowerCase();
        headers[lk] = headers[lk] === undefined ? v : `${headers[lk]}, ${v}`;
      }
      const length = Number(headers['content-length'] ?? 0);
      if (buf.length < end + 4 + length) return;
      done = true;
      respond(socket, { method, url: target, rawHeaders, headers });
    });
  });
  function respond(socket, req) {
    const entry = { server: name, tag: opts.tag(), method: req.method, path: req.url, rawHeaders: req.rawHeaders };
    let out;
    if (req.url === '/' || req.url.startsWith('/?') || !req.url.startsWith('/s/')) {
      const isPage = req.url === '/' || req.url.startsWith('/?');
      out = isPage
        ? {
            status: 200,
            headers: [
              ['Content-Type', 'text/html'],
              ['Set-Cookie', 'sid=1; Path=/'],
            ],
            body: '<!doctype html><title>cors scenarios</title><p>page</p>',
          }
        : { status: 404, headers: [], body: '' };
      out.headers.push(['Content-Length', String(Buffer.byteLength(out.body))], ['Connection', 'close']);
    } else {
      const m = /^\/s\/([^/?#]+)\/(\d+)/.exec(req.url);
      const table = m ? opts.script(m[1]) : null;
      const hop = table ? table[m[2]] : null;
      const isPreflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
      const spec = hop ? (isPreflight ? hop.preflight : hop.actual) : null;
      out = buildResponse(spec ?? { status: 404 }, req.headers, opts.origins(), req.method === 'HEAD');
      entry.kind = isPreflight ? 'preflight' : 'actual';
      entry.hop = m ? Number(m[2]) : null;
      entry.response = { status: out.status, headers: out.headers };
      opts.log.push(entry);
    }
    const head =
      `HTTP/1.1 ${out.status} ${STATUS_TEXT[out.status] ?? 'Status'}\r\n` +
      out.headers.map(([n, v]) => `${n}: ${v}\r\n`).join('') +
      '\r\n';
    socket.end(Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(out.body)]));
  }
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: server.address().port, close: () => new Promise((r) => server.close(r)) };
}
