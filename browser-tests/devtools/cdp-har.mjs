// A HAR 1.2 log built from the DevTools protocol's Network domain, the events Chromium's own
// DevTools front end builds its Network panel (and its "Export HAR…") from. playwright-core's
// `recordHar` leaves out CORS preflights and the response heads of CORS-blocked requests; the
// front end keeps both, and so does this recorder:
//
//   - every request is one entry, preflights included (`_resourceType: "preflight"`, an
//     `_initiator` of type `preflight`), each hop of a redirect its own entry (status 3xx,
//     `redirectURL` from `Location`);
//   - request headers are the ones `Network.requestWillBeSentExtraInfo` reports (what went on the
//     wire: `Cookie`, `Origin`, `Sec-Fetch-*`), else the renderer's provisional ones;
//   - response headers and status come from `Network.responseReceivedExtraInfo` when the browser
//     received a response (also for a request CORS then blocked: the front end takes the
//     ExtraInfo's `statusCode` and headers), else from `Network.responseReceived`;
//   - a failed request has `response._error` (the `errorText` of `Network.loadingFailed`,
//     e.g. `net::ERR_FAILED`) and status 0 when no response head reached the browser. The CORS
//     error (`corsErrorStatus`) the front end shows in its Status column is not written — its
//     HAR writer has no field for it — but `corsErrors()` returns it per URL for a side file;
//   - `response.content` never has a body.
//
// Field names follow the front end's HAR writer (front_end/models/har/Log.ts in
// ChromeDevTools/devtools-frontend: `_initiator` (with `requestId` for a preflight),
// `_priority`, `_resourceType`, `_connectionId`, `connection` (the remote port),
// `_transferSize`, `_error`, `_fetchedViaServiceWorker`, `pageref: "page_N"`,
// `creator.name: "WebInspector"`).
//
//   import { recordCdpHar } from './cdp-har.mjs';
//   const rec = await recordCdpHar(cdp);   // a CDP session of the page (Network.enable is sent)
//   ... navigate, fetch ...
//   const har = rec.har();                 // { log: { version: '1.2', creator, pages, entries } }

/** Starts recording the Network domain events of `cdp` (a playwright CDPSession). */
export async function recordCdpHar(cdp, { creatorVersion = 'n/a' } = {}) {
  // requestId -> the hops of that request, in order; each hop is one future HAR entry.
  const byId = new Map();
  const order = [];
  // ExtraInfo events may come before or after the event they complete: queued per requestId.
  const reqExtra = new Map();
  const respExtra = new Map();
  const pages = [];
  let wallOffset = null; // wallTime - timestamp (seconds), from the first requestWillBeSent

  const hops = (id) => {
    if (!byId.has(id)) byId.set(id, []);
    return byId.get(id);
  };
  const last = (id) => {
    const h = byId.get(id);
    return h ? h[h.length - 1] : null;
  };
  const toPairs = (headers) => Object.entries(headers ?? {}).flatMap(([name, v]) => String(v).split('\n').map((value) => ({ name, value })));
  const takeQueued = (map, id) => {
    const q = map.get(id);
    return q && q.length ? q.shift() : null;
  };
  function applyRequestExtra(hop, x) {
    hop.requestHeaders = toPairs(x.headers);
    hop.extraRequest = true;
  }
  function applyResponseExtra(hop, x) {
    hop.responseHeaders = toPairs(x.headers);
    if (x.statusCode) hop.status = x.statusCode;
    if (x.headersText) {
      hop.headersText = x.headersText;
      const first = x.headersText.split('\r')[0].split(' ');
      hop.statusText = first.slice(2).join(' ');
      hop.httpVersion = first[0];
    }
    hop.extraResponse = true;
  }

  function newHop(e) {
    if (wallOffset === null && e.wallTime) wallOffset = e.wallTime - e.timestamp;
    const r = e.request;
    const hop = {
      requestId: e.requestId,
      type: e.type ?? 'Other',
      initiator: e.initiator ?? null,
      priority: r.initialPriority ?? null,
      method: r.method,
      url: r.url.split('#')[0],
      requestHeaders: toPairs(r.headers),
      postData: r.postData ?? (r.postDataEntries ? r.postDataEntries.map((p) => (p.bytes ? Buffer.from(p.bytes, 'base64').toString('latin1') : '')).join('') : null),
      hasPostData: !!r.hasPostData,
      issueTime: e.timestamp,
      wallTime: e.wallTime ?? (wallOffset === null ? null : e.timestamp + wallOffset),
      status: 0,
      statusText: '',
      httpVersion: '',
      responseHeaders: [],
      mimeType: 'x-unknown',
      remoteIPAddress: '',
      connectionId: null,
      endTime: null,
      error: null,
      corsErrorStatus: null,
      blockedReason: null,
      encodedDataLength: 0,
      frameId: e.frameId ?? null,
      loaderId: e.loaderId ?? null,
    };
    const x = takeQueued(reqExtra, e.requestId);
    if (x) applyRequestExtra(hop, x);
    const y = takeQueued(respExtra, e.requestId);
    if (y) applyResponseExtra(hop, y);
    hops(e.requestId).push(hop);
    order.push(hop);
    return hop;
  }

  function fillResponse(hop, response) {
    // ExtraInfo (the raw head as received) wins over the renderer's view, as in the front end.
    if (!hop.extraResponse) {
      hop.status = response.status;
      hop.statusText = response.statusText ?? '';
      hop.responseHeaders = toPairs(response.headers);
    }
    hop.httpVersion = hop.httpVersion || (response.protocol ? response.protocol.toUpperCase().replace(/^HTTP\/1\.1$/, 'HTTP/1.1') : '');
    hop.mimeType = response.mimeType || hop.mimeType;
    hop.remoteIPAddress = response.remoteIPAddress ?? '';
    hop.remotePort = response.remotePort ?? null;
    hop.connectionId = response.connectionId ?? null;
    hop.encodedDataLength = response.encodedDataLength ?? 0;
  }

  cdp.on('Network.requestWillBeSent', (e) => {
    const prev = last(e.requestId);
    if (e.redirectResponse && prev) {
      // The previous hop ended with a redirect: its response is `redirectResponse`.
      fillResponse(prev, e.redirectResponse);
      prev.endTime = e.timestamp;
    }
    const hop = newHop(e);
    if (e.type === 'Document' && e.frameId && (!e.initiator || e.initiator.type !== 'preflight') && !e.redirectResponse) {
      pages.push({ id: `page_${pages.length + 1}`, loaderId: e.loaderId, url: hop.url, wallTime: hop.wallTime, startTime: e.timestamp });
    }
  });
  // The n-th ExtraInfo event of a requestId belongs to its n-th hop (the front end pairs them
  // the same way); one that comes before its hop waits for it.
  const seen = { req: new Map(), resp: new Map() };
  const extra = (kind, queue, apply) => (x) => {
    const n = seen[kind].get(x.requestId) ?? 0;
    seen[kind].set(x.requestId, n + 1);
    const h = (byId.get(x.requestId) ?? [])[n];
    if (h) apply(h, x);
    else {
      if (!queue.has(x.requestId)) queue.set(x.requestId, []);
      queue.get(x.requestId).push(x);
    }
  };
  cdp.on('Network.requestWillBeSentExtraInfo', extra('req', reqExtra, applyRequestExtra));
  cdp.on('Network.responseReceivedExtraInfo', extra('resp', respExtra, applyResponseExtra));
  cdp.on('Network.responseReceived', (e) => {
    const hop = last(e.requestId);
    if (!hop) return;
    // The front end takes the resource type of the latest event (a preflight is announced as
    // `Other` and answered as `Preflight`).
    if (e.type) hop.type = e.type;
    fillResponse(hop, e.response);
  });
  cdp.on('Network.loadingFinished', (e) => {
    const hop = last(e.requestId);
    if (hop) {
      hop.endTime = e.timestamp;
      hop.encodedDataLength = e.encodedDataLength ?? hop.encodedDataLength;
    }
  });
  cdp.on('Network.loadingFailed', (e) => {
    const hop = last(e.requestId);
    if (!hop) return;
    hop.endTime = e.timestamp;
    if (e.type) hop.type = e.type;
    hop.error = e.errorText || 'net::ERR_FAILED';
    hop.corsErrorStatus = e.corsErrorStatus ?? null;
    hop.blockedReason = e.blockedReason ?? null;
  });
  await cdp.send('Network.enable');

  const resourceType = (t) => (t ? t.charAt(0).toLowerCase() + t.slice(1) : 'other').replace(/^xHR$/, 'xhr').replace(/^cSPViolationReport$/, 'csp-violation-report');
  const iso = (hop, t) => {
    const wall = hop.wallTime !== null ? hop.wallTime + (t - hop.issueTime) : t;
    return new Date(wall * 1000).toISOString();
  };
  const pageFor = (hop) => {
    // The page whose document load the request belongs to: the latest page started before it.
    let p = null;
    for (const page of pages) if (page.startTime <= hop.issueTime) p = page;
    return p;
  };

  return {
    /** [{ url, method, resourceType, corsErrorStatus }] of every request CORS failed. */
    corsErrors() {
      return order
        .filter((h) => h.corsErrorStatus)
        .map((h) => ({ url: h.url, method: h.method, resourceType: resourceType(h.type), corsErrorStatus: h.corsErrorStatus }));
    },
    har() {
      const entries = order.map((hop) => {
        const location = hop.responseHeaders.find((h) => h.name.toLowerCase() === 'location');
        const time = hop.endTime !== null ? Math.max(0, (hop.endTime - hop.issueTime) * 1000) : 0;
        const query = (() => {
          try {
            return [...new URL(hop.url).searchParams].map(([name, value]) => ({ name, value }));
          } catch {
            return [];
          }
        })();
        const initiator = hop.initiator ? { type: hop.initiator.type, ...(hop.initiator.url !== undefined ? { url: hop.initiator.url } : {}), ...(hop.initiator.requestId ? { requestId: hop.initiator.requestId } : {}) } : null;
        const entry = {
          _initiator: initiator,
          _priority: hop.priority,
          _resourceType: resourceType(hop.type),
          ...(hop.connectionId && hop.connectionId !== '0' ? { _connectionId: String(hop.connectionId) } : {}),
          cache: {},
          ...(hop.remotePort ? { connection: String(hop.remotePort) } : {}),
          ...(pageFor(hop) ? { pageref: pageFor(hop).id } : {}),
          request: {
            method: hop.method,
            url: hop.url,
            httpVersion: hop.httpVersion || 'HTTP/1.1',
            headers: hop.requestHeaders,
            queryString: query,
            cookies: [],
            headersSize: -1,
            bodySize: hop.postData ? Buffer.byteLength(hop.postData) : 0,
            ...(hop.postData !== null
              ? { postData: { mimeType: hop.requestHeaders.find((h) => h.name.toLowerCase() === 'content-type')?.value ?? '', text: hop.postData } }
              : {}),
          },
          response: {
            status: hop.status,
            statusText: hop.statusText,
            httpVersion: hop.httpVersion,
            headers: hop.responseHeaders,
            cookies: [],
            content: { size: 0, mimeType: hop.mimeType },
            redirectURL: location ? location.value : '',
            headersSize: hop.headersText ? hop.headersText.length : -1,
            bodySize: -1,
            _transferSize: hop.encodedDataLength,
            _error: hop.error,
            _fetchedViaServiceWorker: false,
          },
          serverIPAddress: hop.remoteIPAddress.replace(/^\[|\]$/g, ''),
          startedDateTime: iso(hop, hop.issueTime),
          time,
          timings: { blocked: -1, dns: -1, ssl: -1, connect: -1, send: 0, wait: time, receive: 0, _blocked_queueing: -1 },
        };
        return entry;
      });
      return {
        log: {
          version: '1.2',
          creator: { name: 'WebInspector', version: creatorVersion },
          pages: pages.map((p) => ({
            startedDateTime: new Date((p.wallTime ?? 0) * 1000).toISOString(),
            id: p.id,
            title: p.url,
            pageTimings: { onContentLoad: -1, onLoad: -1 },
          })),
          entries,
        },
      };
    },
  };
}
