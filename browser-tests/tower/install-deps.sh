#!/bin/sh
# What crates/cors/tests/tower_browser.rs needs, installed idempotently (Debian, as root):
# chromium from apt, playwright-core from npm (pinned by package-lock.json; no browser download).
# The lead folds this into scripts/install-test-deps.
set -eu
cd "$(dirname "$0")"
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update
  apt-get install -y chromium
fi
if ! command -v node >/dev/null 2>&1; then
  apt-get update
  apt-get install -y nodejs npm
fi
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
