#!/usr/bin/env bash
# Installs what is needed, builds the site, and serves it at http://127.0.0.1:3000 on the
# embedded SQLite store (data/mir-leaderboard.db, created on first start). An empty store is
# filled with clearly labelled SAMPLE data so there is something to look at; real results
# replace nothing and are never mixed in silently (see README: importing results).
set -euo pipefail
cd "$(dirname "$0")/.."
# The tools, the browser bundle and the release server build side by side (see build-site.sh).
scripts/build-site.sh release --setup
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
export LEPTOS_SITE_ROOT=target/site
echo "==> serving on http://$LEPTOS_SITE_ADDR (Ctrl-C to stop)"
exec target/release/mir-leaderboard serve --demo
