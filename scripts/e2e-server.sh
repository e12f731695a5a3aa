#!/usr/bin/env bash
# Starts the server the Playwright tests run against: a fresh SQLite file filled with the sample
# data, and a known maintainer token. Playwright's webServer runs this and waits for /healthz.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$(mktemp -d)"
export DATABASE_URL="sqlite://$dir/e2e.db?mode=rwc"
export MIR_ADMIN_TOKEN="${MIR_ADMIN_TOKEN:-e2e-maintainer-token-0123456789}"
export LEPTOS_SITE_ADDR="127.0.0.1:${E2E_PORT:-3100}"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
export RUST_LOG="${RUST_LOG:-warn}"
exec "${MIR_BIN:-target/debug/mir-leaderboard}" serve --demo
