#!/usr/bin/env bash
# Load benchmark: `cors serve` against nginx with the equivalent CORS headers, both in front of
# the same trivial upstream (a separate nginx answering `200 ok`), measured with wrk on
# 127.0.0.1, for simple requests (GET with Origin, proxied) and for preflights (answered at the
# proxy). Run on demand (not in CI); it stops by itself.
#
#   benches/gateway-vs-nginx.sh                 # 3 rounds × 10 s per target and scenario
#   ROUNDS=5 DURATION=15s CONNECTIONS=64 benches/gateway-vs-nginx.sh
#   WORKERS=1 benches/gateway-vs-nginx.sh       # one worker each (default: one per core)
#
# Needs nginx and wrk (Debian packages; installed when missing, as root) and a release build
# of `cors` (built here). Prints a Markdown table for BENCHMARKS.md.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-1}
# Worker threads of the gateway and worker processes of nginx (the same for both).
WORKERS=${WORKERS:-$(nproc)}
UP_PORT=${UP_PORT:-18081}
NGINX_PORT=${NGINX_PORT:-18082}
GW_PORT=${GW_PORT:-18083}
ORIGIN="https://app.example"

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/cors-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/up/nginx.pid" ] && kill "$(cat "$work/up/nginx.pid")" 2>/dev/null || true
  [ -f "$work/proxy/nginx.pid" ] && kill "$(cat "$work/proxy/nginx.pid")" 2>/dev/null || true
  sleep 0.3
  rm -rf "$work"
}
trap cleanup EXIT

need() { command -v "$1" >/dev/null 2>&1; }
if ! need nginx || ! need wrk || ! need curl; then
  echo "installing nginx-light, wrk, curl (Debian packages)…" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light wrk curl >/dev/null
fi
NGINX=$(command -v nginx)

echo "building cors (release)…" >&2
(cd "$root" && cargo build --release -q -p cors-cli)
target=${CARGO_TARGET_DIR:-$root/target}
CORS="$target/release/cors"

# --- the trivial upstream: nginx, one worker, `200 ok` -------------------------------------
mkdir -p "$work/up" "$work/proxy"
cat > "$work/up/nginx.conf" <<CONF
worker_processes 1;
pid $work/up/nginx.pid;
error_log $work/up/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$UP_PORT reuseport;
    location / { return 200 "ok"; }
  }
}
CONF
"$NGINX" -p "$work/up" -c "$work/up/nginx.conf"

# --- nginx as the CORS proxy: the same policy, written as nginx directives ------------------
cat > "$work/proxy/nginx.conf" <<CONF
worker_processes $WORKERS;
pid $work/proxy/nginx.pid;
error_log $work/proxy/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  upstream app { server 127.0.0.1:$UP_PORT; keepalive 128; }
  map \$http_origin \$cors_origin { default ""; "$ORIGIN" \$http_origin; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      if (\$request_method = OPTIONS) {
        add_header Access-Control-Allow-Origin \$cors_origin always;
        add_header Access-Control-Allow-Methods "GET, POST, PUT" always;
        add_header Access-Control-Allow-Headers "Content-Type, X-Token" always;
        add_header Access-Control-Max-Age 600 always;
        add_header Vary "Origin, Access-Control-Request-Method, Access-Control-Request-Headers" always;
        return 204;
      }
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Forwarded-Host \$host;
      # The gateway also sends RFC 7239 Forwarded and Via: the upstream gets the same fields
      # from both (for a single hop without incoming Forwarded/Via, as in this benchmark).
      proxy_set_header Forwarded "for=\$remote_addr;proto=\$scheme;host=\\"\$host\\"";
      proxy_set_header Via "1.1 cors";
      proxy_hide_header Access-Control-Allow-Origin;
      add_header Access-Control-Allow-Origin \$cors_origin always;
      add_header Vary Origin always;
    }
  }
}
CONF
"$NGINX" -p "$work/proxy" -c "$work/proxy/nginx.conf"

# --- the gateway: the same policy -----------------------------------------------------------
cat > "$work/gateway.toml" <<CONF
[[listeners]]
address = "127.0.0.1:$GW_PORT"

[upstreams.app]
url = "http://127.0.0.1:$UP_PORT"

[[routes]]
path = "/"
upstream = "app"
[routes.policy]
allowed_origins = ["$ORIGIN"]
allowed_methods = ["GET", "POST", "PUT"]
allowed_headers = ["Content-Type", "X-Token"]
max_age = 600
CONF
# No access log, as nginx above (access_log off).
"$CORS" serve --config "$work/gateway.toml" --log-level warn --no-watch --threads "$WORKERS" > "$work/gateway.out" 2>&1 &
GW_PID=$!
pids+=($GW_PID)
for _ in $(seq 50); do grep -q "ready" "$work/gateway.out" 2>/dev/null && break; sleep 0.1; done

# --- both answer the same --------------------------------------------------------------------
for port in $NGINX_PORT $GW_PORT; do
  simple=$(curl -s -D - -o /dev/null -H "Origin: $ORIGIN" "http://127.0.0.1:$port/")
  pre=$(curl -s -D - -o /dev/null -X OPTIONS -H "Origin: $ORIGIN" -H "Access-Control-Request-Method: PUT" -H "Access-Control-Request-Headers: x-token" "http://127.0.0.1:$port/")
  echo "$simple" | grep -qi "^access-control-allow-origin: $ORIGIN" || { echo "port $port: simple request without CORS headers:"; echo "$simple"; exit 1; }
  echo "$pre" | grep -qi "^HTTP/1.1 204" || { echo "port $port: preflight not 204:"; echo "$pre"; exit 1; }
  echo "$pre" | grep -qi "^access-control-allow-methods: GET, POST, PUT" || { echo "port $port: preflight without Allow-Methods:"; echo "$pre"; exit 1; }
done

cat > "$work/preflight.lua" <<'LUA'
wrk.method = "OPTIONS"
wrk.headers["Origin"] = "https://app.example"
wrk.headers["Access-Control-Request-Method"] = "PUT"
wrk.headers["Access-Control-Request-Headers"] = "x-token"
LUA
cat > "$work/simple.lua" <<'LUA'
wrk.method = "GET"
wrk.headers["Origin"] = "https://app.example"
LUA

# ms from wrk's "12.34us" / "1.20ms" / "1.01s"
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/, "", v); print v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); print v } else { sub(/s$/, "", v); print v * 1000 } }'; }

results="$work/results.tsv"
: > "$results"
# The processes that do a target's work: the gateway's one process (all its threads), nginx's
# worker processes (not the idle master).
server_pids() { if [ "$1" = gateway ]; then echo "$GW_PID"; else pgrep -P "$(cat "$work/proxy/nginx.pid")"; fi; }
# CPU time (user + system, clock ticks) and context switches (voluntary + involuntary, all
# threads) of those processes so far.
cpu_ticks() { local t=0 p; for p in $(server_pids "$1"); do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo "$t"; }
ctx_switches() { local t=0 p; for p in $(server_pids "$1"); do t=$((t + $(cat /proc/"$p"/task/*/status | awk '/ctxt_switches/ { s += $2 } END { print s }'))); done; echo "$t"; }
HZ=$(getconf CLK_TCK)
run() { # target port scenario round
  local out cpu0 cs0 cpu1 cs1
  cpu0=$(cpu_ticks "$1"); cs0=$(ctx_switches "$1")
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/$3.lua" "http://127.0.0.1:$2/")
  cpu1=$(cpu_ticks "$1"); cs1=$(ctx_switches "$1")
  local rps p99 errors n us cs
  rps=$(echo "$out" | awk '/^Requests\/sec:/ { print $2 }')
  p99=$(to_ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')")
  n=$(echo "$out" | awk '/requests in/ { print $1 }')
  # CPU microseconds the proxy spent per request, and its context switches per 1000 requests.
  us=$(awk -v c=$((cpu1 - cpu0)) -v hz="$HZ" -v n="$n" 'BEGIN { printf "%.2f", c * 1e6 / hz / n }')
  cs=$(awk -v c=$((cs1 - cs0)) -v n="$n" 'BEGIN { printf "%.1f", c * 1000 / n }')
  errors=$(echo "$out" | awk '/Non-2xx or 3xx responses:|Socket errors:/ { print }')
  if [ -n "$errors" ]; then echo "$1 $3: $errors" >&2; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$3" "$4" "$rps" "$p99" "$us" "$cs" >> "$results"
  printf '  round %s  %-8s %-9s %10.0f req/s  p99 %6.3f ms  cpu %5.2f us/req  %6.1f cs/1k req\n' "$4" "$1" "$3" "$rps" "$p99" "$us" "$cs" >&2
}

echo "warming up…" >&2
wrk -t1 -c"$CONNECTIONS" -d2s -s "$work/simple.lua" "http://127.0.0.1:$NGINX_PORT/" >/dev/null
wrk -t1 -c"$CONNECTIONS" -d2s -s "$work/simple.lua" "http://127.0.0.1:$GW_PORT/" >/dev/null
for r in $(seq "$ROUNDS"); do
  for scenario in simple preflight; do
    # Alternate the order each round so that drift on a shared machine hits both alike.
    if [ $((r % 2)) -eq 1 ]; then
      run nginx "$NGINX_PORT" "$scenario" "$r"; run gateway "$GW_PORT" "$scenario" "$r"
    else
      run gateway "$GW_PORT" "$scenario" "$r"; run nginx "$NGINX_PORT" "$scenario" "$r"
    fi
  done
done

# --- summary: median, min–max over the rounds; ratios of the medians -----------------------
stat() { # target scenario column(4=rps,5=p99,6=cpu µs,7=cs/1k) → "median min max"
  awk -F'\t' -v t="$1" -v s="$2" -v c="$3" '$1 == t && $2 == s { print $c }' "$results" | sort -g |
    awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%s %s %s\n", m, v[1], v[NR] }'
}
echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, $ROUNDS rounds, $WORKERS worker(s) each, $(nproc) cores; median (min–max)"
echo
echo "| scenario | target | requests/s | p99 latency (ms) | proxy CPU µs/request | context switches/1k requests |"
echo "|---|---|---|---|---|---|"
for scenario in simple preflight; do
  for t in gateway nginx; do
    read -r rm rlo rhi < <(stat "$t" "$scenario" 4)
    read -r pm plo phi < <(stat "$t" "$scenario" 5)
    read -r cm clo chi < <(stat "$t" "$scenario" 6)
    read -r sm slo shi < <(stat "$t" "$scenario" 7)
    printf '| %s | %s | %.0f (%.0f–%.0f) | %.3f (%.3f–%.3f) | %.2f (%.2f–%.2f) | %.0f (%.0f–%.0f) |\n' "$scenario" "$t" "$rm" "$rlo" "$rhi" "$pm" "$plo" "$phi" "$cm" "$clo" "$chi" "$sm" "$slo" "$shi"
  done
done
echo
echo "gateway ÷ nginx (medians):"
for scenario in simple preflight; do
  awk -v s="$scenario" -v a="$(stat gateway "$scenario" 4 | cut -d' ' -f1)" -v b="$(stat nginx "$scenario" 4 | cut -d' ' -f1)" \
    -v c="$(stat gateway "$scenario" 5 | cut -d' ' -f1)" -v d="$(stat nginx "$scenario" 5 | cut -d' ' -f1)" \
    -v e="$(stat gateway "$scenario" 6 | cut -d' ' -f1)" -v f="$(stat nginx "$scenario" 6 | cut -d' ' -f1)" \
    'BEGIN { printf "  %-9s throughput %.2f×  p99 %.2f×  CPU per request %.2f×\n", s, a / b, c / d, e / f }'
done
echo
echo "| scenario | throughput gateway/nginx | p99 gateway/nginx | verdict |"
echo "|---|---|---|---|"
status=0
for scenario in simple preflight; do
  read -r grm _ _ < <(stat gateway "$scenario" 4)
  read -r nrm _ _ < <(stat nginx "$scenario" 4)
  read -r gpm _ _ < <(stat gateway "$scenario" 5)
  read -r npm _ _ < <(stat nginx "$scenario" 5)
  tr=$(awk -v a="$grm" -v b="$nrm" 'BEGIN { printf "%.2f", a / b }')
  pr=$(awk -v a="$gpm" -v b="$npm" 'BEGIN { printf "%.2f", a / b }')
  ok=$(awk -v t="$tr" -v p="$pr" 'BEGIN { print (t >= 1 && p <= 1) ? "meets the goal" : "misses the goal" }')
  [ "$ok" = "meets the goal" ] || status=1
  printf '| %s | %s | %s | %s |\n' "$scenario" "$tr" "$pr" "$ok"
done
exit $status
