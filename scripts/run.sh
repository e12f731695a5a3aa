#!/usr/bin/env bash
# Installs what is needed, builds the site, and serves it at http://127.0.0.1:3000 on the
# embedded SQLite store (data/mir-leaderboard.db, created on first start). An empty store is
# filled with clearly labelled SAMPLE data so there is something to look at; real results
# replace nothing and are never mixed in silently (see README: importing results).
set -euo pipefail
cd "$(dirname "$0")/.."
# The tools, the browser bundle and the server build side by side (see build-site.sh). The
# server is the debug build that `scripts/test.sh` builds too (its dependencies optimised, see
# Cargo.toml), so a newcomer's first page and first test run share one build; pages are served
# from the response cache either way. A release build for production: scripts/build-site.sh release.
scripts/build-site.sh debug --setup
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
export LEPTOS_SITE_ROOT=target/site
echo "==> serving on http://$LEPTOS_SITE_ADDR (Ctrl-C to stop)"
exec target/debug/mir-leaderboard serve --demo
