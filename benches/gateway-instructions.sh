#!/usr/bin/env bash
# Deterministic per-request cost of the gateway: user-space instructions of the `cors serve`
# process under callgrind, counted over exactly N requests (after a warm-up), one worker, for a
# preflight (answered at the gateway) and a simple request (proxied to a trivial nginx
# upstream), over HTTP/1.1 and the simple request also over h2c (h2load, one stream per
# connection at a time), with the share the HTTP/2 frame inspector (`h2in`) takes of it.
# Independent of the machine's load, so two commits compare to the instruction.
#
#   benches/gateway-instructions.sh                  # builds this tree (release) and measures it
#   CORS=/path/to/cors benches/gateway-instructions.sh   # measures that binary instead
#   REQUESTS=5000 CONNECTIONS=10 benches/gateway-instructions.sh
#
# Needs valgrind, nginx and h2load (Debian packages; installed when missing, as root). Not in CI.
set -euo pipefail
REQUESTS=${REQUESTS:-5000}
CONNECTIONS=${CONNECTIONS:-10}
UP_PORT=${UP_PORT:-18181}
GW_PORT=${GW_PORT:-18183}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/cors-instr.XXXXXX)
gw=""
cleanup() {
  [ -n "$gw" ] && kill "$gw" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  sleep 0.3; rm -rf "$work"
}
trap cleanup EXIT
need() { command -v "$1" >/dev/null 2>&1; }
if ! need nginx || ! need valgrind || ! need h2load; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light valgrind nghttp2-client >/dev/null
fi
if [ -z "${CORS:-}" ]; then
  (cd "$root" && cargo build --release -q -p cors-cli)
  CORS="${CARGO_TARGET_DIR:-$root/target}/release/cors"
fi

cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 1024; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$UP_PORT; location / { return 200 "ok"; } } }
CONF
nginx -p "$work" -c "$work/nginx.conf"

cat > "$work/gateway.toml" <<CONF
[[listeners]]
address = "127.0.0.1:$GW_PORT"
[upstreams.app]
url = "http://127.0.0.1:$UP_PORT"
[[routes]]
path = "/"
upstream = "app"
[routes.policy]
allowed_origins = ["https://app.example"]
allowed_methods = ["GET", "POST", "PUT"]
allowed_headers = ["Content-Type", "X-Token"]
max_age = 600
CONF

# N requests over C keep-alive connections, C in flight at a time (like wrk -cC).
cat > "$work/client.py" <<'PY'
import socket, sys
port, n, c, kind = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
req = {"preflight": b"OPTIONS / HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://app.example\r\n"
                    b"Access-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: x-token\r\n\r\n",
       "simple": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://app.example\r\n\r\n"}[kind]
conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(c)]
bufs = [b""] * c
def answer(i):
    while True:
        head_end = bufs[i].find(b"\r\n\r\n")
        if head_end >= 0:
            head = bufs[i][:head_end].decode("latin-1").lower()
            length = 0
            for line in head.split("\r\n")[1:]:
                if line.startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            end = head_end + 4 + length
            if len(bufs[i]) >= end:
                status = head.split(" ", 2)[1]
                bufs[i] = bufs[i][end:]
                return status
        chunk = conns[i].recv(65536)
        if not chunk:
            sys.exit("connection closed")
        bufs[i] += chunk
done = 0
while done < n:
    k = min(c, n - done)
    for i in range(k):
        conns[i].sendall(req)
    for i in range(k):
        s = answer(i)
        if s not in ("200", "204"):
            sys.exit(f"status {s}")
    done += k
PY

valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/cg.%p" \
  "$CORS" serve --config "$work/gateway.toml" --log-level warn --no-watch --threads 1 > "$work/gw.out" 2>&1 &
gw=$!
for _ in $(seq 300); do grep -q "ready" "$work/gw.out" 2>/dev/null && break; sleep 0.1; done
grep -q "ready" "$work/gw.out" || { cat "$work/gw.out"; exit 1; }

load() { # kind n: n requests of that kind (h2: a simple GET over h2c, prior knowledge)
  if [ "$1" = h2 ]; then
    h2load -n "$2" -c "$CONNECTIONS" -H 'origin: https://app.example' "http://127.0.0.1:$GW_PORT/" \
      | grep -q "$2 succeeded" || { echo "h2load: not every request succeeded" >&2; exit 1; }
  else
    python3 "$work/client.py" "$GW_PORT" "$2" "$CONNECTIONS" "$1"
  fi
}
measure() { # kind → instructions per request
  load "$1" 500        # warm-up
  callgrind_control -z "$gw" >/dev/null; callgrind_control -i on "$gw" >/dev/null
  load "$1" "$REQUESTS"
  callgrind_control -i off "$gw" >/dev/null
  rm -f "$work"/cg.*.*; callgrind_control -d "$1" "$gw" >/dev/null
  sleep 0.5
  local total
  total=$(cat "$work"/cg.*.* 2>/dev/null | awk '/^summary:|^totals:/ { s += $2 } END { print s }')
  awk -v t="$total" -v n="$REQUESTS" 'BEGIN { printf "%.2fk", t / n / 1000 }'
}
pre=$(measure preflight)
sim=$(measure simple)
h2=$(measure h2)
# The inspector's own work: Inspector::scan, inclusive (the HPACK decoding it calls included).
insp=$(callgrind_annotate --inclusive=yes "$work"/cg.*.* 2>/dev/null \
  | awk '/h2in::frames::Inspector::scan \[/ && !n++ { gsub(",", "", $1); print $1 }')
h2in=$(awk -v t="${insp:-0}" -v n="$REQUESTS" 'BEGIN { printf "%.2fk", t / n / 1000 }')
echo "| ${LABEL:-$CORS} | $pre | $sim | $h2 (h2in $h2in) |"
