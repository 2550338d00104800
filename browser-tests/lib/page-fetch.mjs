// The page side of a cross-origin fetch, shared by every browser driver: it runs inside the page
// (Playwright's `page.evaluate`, WebDriver's `execute/async`), so it must not close over
// anything. `init.headers` is a list of [name, value] pairs appended in order to a Headers object
// (duplicates kept); `init.bodyKind` ('text' | 'params' | 'bytes') builds a string,
// URLSearchParams or Uint8Array body. Returns what script could see:
// { ok, status, type, redirected, url, headers: [[name, value]...], body, error, thrown? }.
export async function pageFetch({ url, init }) {
  const h = new Headers();
  for (const [n, v] of init.headers ?? []) {
    try {
      h.append(n, v);
    } catch (e) {
      // Headers.append throwing is fetch() throwing: nothing is sent.
      return { ok: false, status: null, type: null, headers: null, error: String(e), thrown: true };
    }
  }
  const opts = { ...init, headers: h };
  delete opts.bodyKind;
  if (init.bodyKind === 'text') opts.body = 'hello';
  else if (init.bodyKind === 'params') opts.body = new URLSearchParams('a=1');
  else if (init.bodyKind === 'bytes') opts.body = new Uint8Array([1, 2, 3]);
  if (opts.body === undefined || opts.body === null) delete opts.body;
  try {
    const r = await fetch(url, opts);
    const headers = [];
    r.headers.forEach((v, n) => headers.push([n, v]));
    let text = null;
    try {
      text = await r.text();
    } catch (e) {
      text = null;
    }
    return { ok: true, status: r.status, type: r.type, redirected: r.redirected, url: r.url, headers, body: text, error: null };
  } catch (e) {
    return { ok: false, status: null, type: null, headers: null, error: String(e) };
  }
}

/**
 * The page-side source of a batch: an expression that runs `pageFetch` for each of `items`
 * ([{ url, init }]) one after the other and evaluates to the list of results. With `mark`, each
 * fetch is wrapped in `console.log(`${mark} begin ${i}`)` / `… end ${i}` (WebKit's console
 * lines have no URL to attribute them by).
 */
export function batchExpression(items, mark = null) {
  return `(async () => {
    const pageFetch = ${pageFetch.toString()};
    const items = ${JSON.stringify(items)};
    const mark = ${JSON.stringify(mark)};
    const out = [];
    for (let i = 0; i < items.length; i++) {
      if (mark) console.log(mark + ' begin ' + i);
      try { out.push(await pageFetch(items[i])); } finally { if (mark) console.log(mark + ' end ' + i); }
    }
    return out;
  })()`;
}
