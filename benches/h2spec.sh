#!/usr/bin/env bash
# Runs h2spec (https://github.com/summerwind/h2spec) against `cors serve` over h2c (prior
# knowledge) and TLS (ALPN h2). Not run in CI. Usage:
#   H2SPEC=/path/to/h2spec [CORS=target/release/cors] benches/h2spec.sh [h2spec args...]
# Needs openssl (a throwaway self-signed certificate) and python3 (a tiny upstream).
set -euo pipefail
: "${H2SPEC:?set H2SPEC to the h2spec binary}"
CORS=${CORS:-target/debug/cors}
dir=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT

openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 \
  -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
python3 -m http.server 18480 --bind 127.0.0.1 --directory "$dir" >/dev/null 2>&1 &
pids+=($!)
cat > "$dir/cors.toml" <<TOML
[[listeners]]
address = "127.0.0.1:18481"

[[listeners]]
address = "127.0.0.1:18482"
tls = { certificate = "$dir/cert.pem", private_key = "$dir/key.pem" }

[admin]
address = "127.0.0.1:18483"

[upstreams.app]
url = "http://127.0.0.1:18480"

[[routes]]
path = "/"
upstream = "app"
[routes.policy]
allowed_origins = ["https://app.example.com"]
TOML
"$CORS" serve -c "$dir/cors.toml" &
pids+=($!)
sleep 1
status=0
echo "== h2c (prior knowledge) =="
"$H2SPEC" -h 127.0.0.1 -p 18481 "$@" || status=1
echo "== TLS (ALPN h2) =="
"$H2SPEC" -h 127.0.0.1 -p 18482 -t -k "$@" || status=1
exit $status
