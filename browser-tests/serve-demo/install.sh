#!/bin/sh
# What crates/cors-cli/tests/serve_demo_browser.rs needs: Chromium (Debian package), Node and
# npm, and this folder's npm packages (playwright-core, driving the system Chromium; it never
# downloads a browser). Idempotent. Run as root on Debian.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v chromium >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium nodejs npm
fi
cd "$here" && npm ci --no-audit --no-fund
