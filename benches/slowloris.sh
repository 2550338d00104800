#!/usr/bin/env bash
# Load test: ordinary clients' throughput through `cors serve` with and without an attack of
# 1000 slow-loris connections (request heads trickled a byte at a time, reconnecting when cut
# off) and 100 clients that request a large answer and never read it. Both on 127.0.0.1, in
# alternating rounds; stops by itself. Prints a Markdown table for BENCHMARKS.md.
#
#   benches/slowloris.sh                    # 3 rounds × 10 s, with and without the attack
#   ROUNDS=5 DURATION=10s LORIS=1000 NONREADERS=100 benches/slowloris.sh
#
# Needs nginx (the upstream), wrk and python3 (the attackers); a release build of `cors`.
set -euo pipefail
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-20}
LORIS=${LORIS:-1000}
NONREADERS=${NONREADERS:-100}
WORKERS=${WORKERS:-$(nproc)}
UP_PORT=${UP_PORT:-18281}
GW_PORT=${GW_PORT:-18283}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/cors-loris.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  sleep 0.3; rm -rf "$work"
}
trap cleanup EXIT
need() { command -v "$1" >/dev/null 2>&1; }
if ! need nginx || ! need wrk; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light wrk >/dev/null
fi
if [ -z "${CORS:-}" ]; then
  (cd "$root" && cargo build --release -q -p cors-cli)
  CORS="${CARGO_TARGET_DIR:-$root/target}/release/cors"
fi
ulimit -n 65536 || true

head -c 33554432 /dev/zero > "$work/big"
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$UP_PORT;
    location = /big { alias $work/big; }
    location / { return 200 "ok"; } } }
CONF
nginx -p "$work" -c "$work/nginx.conf"

cat > "$work/gateway.toml" <<CONF
[[listeners]]
address = "127.0.0.1:$GW_PORT"
[upstreams.app]
url = "http://127.0.0.1:$UP_PORT"
[limits]
header_read_timeout = "10s"
send_timeout = "10s"
[[routes]]
path = "/"
upstream = "app"
[routes.policy]
allowed_origins = ["https://app.example"]
CONF
"$CORS" serve --config "$work/gateway.toml" --log-level warn --no-watch --threads "$WORKERS" > "$work/gw.out" 2>&1 &
GW=$!; pids+=($GW)
for _ in $(seq 100); do grep -q "ready" "$work/gw.out" 2>/dev/null && break; sleep 0.1; done

# The attackers: LORIS connections each sending one byte of an endless head every second, and
# NONREADERS connections each asking for /big and never reading; any that is closed is opened
# again. Counts what the gateway did to them.
cat > "$work/attack.py" <<'PY'
import asyncio, sys, time
port, loris, nonreaders, seconds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
stats = {"loris_cut": 0, "nonreaders_cut": 0, "open_loris": 0, "open_nonreaders": 0}
end = time.monotonic() + seconds
async def one_loris():
    while time.monotonic() < end:
        try:
            r, w = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1); continue
        stats["open_loris"] += 1
        w.write(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        try:
            while time.monotonic() < end:
                await w.drain()
                await asyncio.sleep(1)
                if r.at_eof():
                    raise ConnectionError
                w.write(b"s")
                try:
                    data = await asyncio.wait_for(r.read(1024), 0.001)
                    if not data or data.startswith(b"HTTP/1.1 408"):
                        raise ConnectionError
                except asyncio.TimeoutError:
                    pass
        except (ConnectionError, OSError):
            stats["loris_cut"] += 1
        finally:
            stats["open_loris"] -= 1
            w.close()
async def one_nonreader():
    while time.monotonic() < end:
        try:
            r, w = await asyncio.open_connection("127.0.0.1", port, limit=1024)
        except OSError:
            await asyncio.sleep(0.1); continue
        stats["open_nonreaders"] += 1
        # A tiny receive buffer, never read: the gateway's writes stall at once.
        w.get_extra_info("socket").setsockopt(__import__("socket").SOL_SOCKET, __import__("socket").SO_RCVBUF, 4096)
        w.write(b"GET /big HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example\r\n\r\n")
        try:
            while time.monotonic() < end:
                await asyncio.sleep(1)
                if w.transport.is_closing() or r.at_eof():
                    raise ConnectionError
        except (ConnectionError, OSError):
            stats["nonreaders_cut"] += 1
        finally:
            stats["open_nonreaders"] -= 1
            w.close()
async def main():
    tasks = [asyncio.create_task(one_loris()) for _ in range(loris)]
    tasks += [asyncio.create_task(one_nonreader()) for _ in range(nonreaders)]
    peak = [0, 0]
    while time.monotonic() < end:
        await asyncio.sleep(0.5)
        peak = [max(peak[0], stats["open_loris"]), max(peak[1], stats["open_nonreaders"])]
    await asyncio.gather(*tasks, return_exceptions=True)
    print(f"{peak[0]} {peak[1]}")
asyncio.run(main())
PY

secs=$(echo "$DURATION" | sed 's/s$//')
cat > "$work/simple.lua" <<'LUA'
wrk.headers["Origin"] = "https://app.example"
LUA
run() { # attack? round → appends "attack rps errors p99 peak_loris peak_nonreaders"
  local out apid=""
  if [ "$1" = yes ]; then
    python3 "$work/attack.py" "$GW_PORT" "$LORIS" "$NONREADERS" $((secs + 6)) > "$work/attack.out" &
    apid=$!
    sleep 5   # the attack is in place before the clients start
  fi
  out=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/simple.lua" "http://127.0.0.1:$GW_PORT/")
  local peak="- -"
  if [ -n "$apid" ]; then wait "$apid"; peak=$(cat "$work/attack.out"); fi
  local rps p99 errors
  rps=$(echo "$out" | awk '/^Requests\/sec:/ { print $2 }')
  p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
  errors=$(echo "$out" | awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(",", ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }')
  echo "$1 $rps $errors $p99 $peak" >> "$work/results"
  echo "  round $2 attack=$1: $rps req/s, $errors errors, p99 $p99, attackers open (peak) $peak" >&2
}
: > "$work/results"
wrk -t1 -c"$CONNECTIONS" -d2s -s "$work/simple.lua" "http://127.0.0.1:$GW_PORT/" > /dev/null
for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) -eq 1 ]; then run no "$r"; run yes "$r"; else run yes "$r"; run no "$r"; fi
done
echo
echo "| round | without attack (req/s) | with attack (req/s) | ratio | errors with attack | p99 with attack | slow-loris / non-readers open at peak |"
echo "|---|---|---|---|---|---|---|"
awk '{ a[NR] = $0 } END { for (i = 1; i + 1 <= NR; i += 2) {
  split(a[i], p, " "); split(a[i + 1], q, " ");
  if (p[1] == "yes") { for (k in p) w[k] = p[k]; for (k in q) n[k] = q[k] } else { for (k in q) w[k] = q[k]; for (k in p) n[k] = p[k] }
  printf "| %d | %.0f | %.0f | %.2f | %s | %s | %s / %s |\n", (i + 1) / 2, n[2], w[2], w[2] / n[2], w[3], w[4], w[5], w[6] } }' "$work/results"
grep -c "connection limit" "$work/gw.out" | sed 's/^/gateway warnings about limits: /' >&2 || true
