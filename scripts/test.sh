#!/usr/bin/env bash
# Every test there is, from a fresh machine: formatting and lints for both builds, unit and
# integration tests on SQLite and on PostgreSQL, the API fuzzed against its OpenAPI document
# (schemathesis), the browser bundle, and the end-to-end suite in Debian's Chromium with
# JavaScript off and on. Stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each build configuration here is compiled once, so incremental caches would only cost disk
# (gigabytes across the server, test and wasm builds) and buy nothing. A developer may override.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

scripts/setup.sh --test

step() { printf '\n==> %s  (%ss elapsed)\n' "$*" "$SECONDS"; }

step "formatting"
cargo fmt --check

step "lints (server build and browser build)"
cargo clippy --locked --features ssr --all-targets -- -D warnings
cargo clippy --locked --lib --target wasm32-unknown-unknown --no-default-features --features hydrate \
  --target-dir target/front -- -D warnings

step "unit and integration tests (SQLite)"
cargo test --locked --features ssr

# The production store. These machines run PostgreSQL on 127.0.0.1:5432; elsewhere point
# TEST_DATABASE_URL at any database whose user may CREATE DATABASE.
pg_url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
if pg_isready -q -d "$pg_url" 2>/dev/null; then
  step "integration tests (PostgreSQL)"
  # Databases left by earlier runs (one per test) are dropped first.
  psql -qAt "$pg_url" -c "SELECT datname FROM pg_database WHERE datname LIKE 'mir_test_%'" |
    while read -r db; do psql -q "$pg_url" -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null; done
  TEST_DATABASE_URL="$pg_url" cargo test --locked --features ssr --test api
elif [ -n "${CI:-}${MIR_REQUIRE_POSTGRES:-}" ]; then
  echo "PostgreSQL is not reachable at $pg_url; it is required here" >&2
  exit 1
else
  echo "note: PostgreSQL not reachable at $pg_url; skipped its run of the integration tests"
fi

step "the API against its OpenAPI document (schemathesis)"
# The server binary is the one `cargo test` just built; see the script for the budget and seed.
scripts/schemathesis.sh

step "browser bundle"
scripts/build-site.sh none

step "end-to-end tests (Chromium, JavaScript off and on)"
# The server binary is the one `cargo test` just built (target/debug/mir-leaderboard).
(cd end2end && CI=1 npx playwright test)
step "all passed"
