#!/usr/bin/env bash
# `cors check --har` and `cors explain --har` on a large HAR file: peak memory (max RSS) and wall
# time. The file is generated: 20 000 entries (by default) shaped like Chromium's DevTools export
# (a document per page, cross-origin fetches with and without preflights, some blocked with
# status 0 and `_error`, the headers Chromium records, response bodies in `content.text`),
# about 100 MB. Prints a Markdown table for BENCHMARKS.md.
#
#   benches/har-large.sh                    # 20 000 entries, 3 runs each
#   ENTRIES=40000 RUNS=5 benches/har-large.sh
#
# Needs python3 and GNU time (/usr/bin/time, Debian package `time`); a release build of `cors`.
set -euo pipefail
ENTRIES=${ENTRIES:-20000}
RUNS=${RUNS:-3}
BODY=${BODY:-10000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/cors-har.XXXXXX)
trap 'rm -rf "$work"' EXIT
if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi
if [ -z "${CORS:-}" ]; then
  (cd "$root" && cargo build --release -q -p cors-cli)
  CORS="${CARGO_TARGET_DIR:-$root/target}/release/cors"
fi

python3 - "$work/big.har" "$ENTRIES" "$BODY" <<'PY'
import json, random, sys
path, n, body = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(7)
ua = [
    {"name": "sec-ch-ua", "value": "\"Chromium\";v=\"156\", \"Not)A;Brand\";v=\"24\""},
    {"name": "sec-ch-ua-mobile", "value": "?0"},
    {"name": "sec-ch-ua-platform", "value": "\"Linux\""},
    {"name": "User-Agent", "value": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"},
    {"name": "Accept-Encoding", "value": "gzip, deflate, br, zstd"},
    {"name": "Accept-Language", "value": "en-US,en;q=0.9"},
]
def entry(page, method, url, req_h, status, resp_h, kind, text="", error=None):
    e = {
        "pageref": page, "startedDateTime": "2026-12-07T08:00:00.000Z", "time": 1.5,
        "request": {"method": method, "url": url, "httpVersion": "HTTP/1.1", "headers": req_h + ua,
                    "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
        "response": {"status": status, "statusText": "", "httpVersion": "HTTP/1.1", "headers": resp_h,
                     "cookies": [], "content": {"size": len(text), "mimeType": "application/json", "text": text},
                     "redirectURL": "", "headersSize": -1, "bodySize": len(text), "_transferSize": len(text)},
        "cache": {}, "timings": {"blocked": 0.1, "dns": -1, "ssl": -1, "connect": -1, "send": 0.1, "wait": 1, "receive": 0.3},
        "_resourceType": kind, "_priority": "High", "_initiator": {"type": "script"},
    }
    if error:
        e["response"]["_error"] = error
    return e
out = open(path, "w")
out.write('{"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"}, "pages": [')
pages = max(1, n // 200)
out.write(",".join(json.dumps({"startedDateTime": "2026-12-07T08:00:00.000Z", "id": f"page_{p}", "title": "http://app.localhost/", "pageTimings": {}}) for p in range(pages)))
out.write('], "entries": [\n')
i = 0
first = True
def put(e):
    global first, i
    out.write(("" if first else ",\n") + json.dumps(e))
    first = False
    i += 1
origin = "http://app.localhost:8000"
while i < n:
    page = f"page_{(i // 200) % pages}"
    if i % 200 == 0:
        put(entry(page, "GET", origin + "/", [{"name": "sec-fetch-mode", "value": "navigate"}, {"name": "sec-fetch-dest", "value": "document"}], 200, [{"name": "content-type", "value": "text/html"}], "document", "<!doctype html>" + "x" * body))
        continue
    k = rnd.randrange(4)
    url = f"http://api.localhost:9000/items/{i}?q={rnd.randrange(10**6)}"
    base = [{"name": "Origin", "value": origin}, {"name": "Referer", "value": origin + "/"},
            {"name": "sec-fetch-mode", "value": "cors"}, {"name": "sec-fetch-site", "value": "same-site"},
            {"name": "sec-fetch-dest", "value": "empty"}, {"name": "Accept", "value": "*/*"}]
    acao = [{"name": "Access-Control-Allow-Origin", "value": origin}, {"name": "Vary", "value": "Origin"},
            {"name": "Content-Type", "value": "application/json"}, {"name": "Date", "value": "Mon, 07 Dec 2026 08:00:00 GMT"}]
    text = json.dumps({"id": i, "pad": "y" * body})
    if k == 0:  # simple GET, allowed
        put(entry(page, "GET", url, base, 200, acao, "fetch", text))
    elif k == 1:  # simple GET, no ACAO: blocked
        put(entry(page, "GET", url, base, 0, [], "fetch", "", "net::ERR_FAILED"))
    else:  # preflighted PUT (k == 2 allowed, k == 3 preflight refused)
        pre = [{"name": "Origin", "value": origin}, {"name": "Access-Control-Request-Method", "value": "PUT"},
               {"name": "Access-Control-Request-Headers", "value": "content-type"}, {"name": "sec-fetch-mode", "value": "cors"}]
        ok = k == 2
        pre_h = acao[:2] + ([{"name": "Access-Control-Allow-Methods", "value": "PUT"},
                             {"name": "Access-Control-Allow-Headers", "value": "content-type"}] if ok else [])
        put(entry(page, "OPTIONS", url, pre, 204, pre_h, "preflight"))
        req = base + [{"name": "Content-Type", "value": "application/json"}]
        e = entry(page, "PUT", url, req, 200 if ok else 0, acao if ok else [], "fetch", text if ok else "", None if ok else "net::ERR_FAILED")
        e["request"]["postData"] = {"mimeType": "application/json", "text": json.dumps({"v": "z" * 200})}
        put(e)
out.write("\n]}}\n")
out.close()
PY
size=$(stat -c %s "$work/big.har")
entries=$(grep -c '"startedDateTime"' "$work/big.har" || true)
echo "HAR: $((size / 1000000)) MB, $((entries - 1)) entries (+ pages)" >&2

measure() { # label, args...
  local label=$1; shift
  for r in $(seq 1 "$RUNS"); do
    /usr/bin/time -f '%e %M %U %S' -o "$work/time" "$CORS" "$@" >"$work/out" 2>"$work/err" || true
    read -r wall rss user sys < <(tail -n 1 "$work/time")
    local reports out_mb
    reports=$(grep -c '"preflight_entry"\|── entry' "$work/out" || true)
    out_mb=$(( $(stat -c %s "$work/out") / 1000000 ))
    printf '| %s | %s | %s | %.1f | %s | %s | %s | %s |\n' "$label" "$r" "$wall" "$(echo "$rss / 1024" | bc -l)" "$user" "$sys" "$reports" "$out_mb"
  done
}
echo
echo "| command | run | wall (s) | max RSS (MB) | user (s) | sys (s) | requests reported | output (MB) |"
echo "|---|---|---|---|---|---|---|---|"
measure "check --har --json" check --har "$work/big.har" --json
measure "check --har (text)" check --har "$work/big.har"
measure "check --har --only-failures --json" check --har "$work/big.har" --only-failures --json
measure "explain --har --json" explain --har "$work/big.har" --json
