#!/usr/bin/env bash
# Installs what building (and, with --test, testing) needs. Idempotent: every step checks first,
# so a second run costs seconds. Only package registries are needed (crates.io, npm, Debian).
#
#   scripts/setup.sh          Rust's wasm target, wasm-bindgen-cli (the exact locked version), wasm-opt
#   scripts/setup.sh --test   the above, plus Debian's Chromium and the end-to-end suite's npm packages
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '==> %s\n' "$*"; }

rustup target list --installed | grep -qx wasm32-unknown-unknown || {
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
}

# The CLI must equal the wasm-bindgen crate in Cargo.lock exactly, or it refuses the bundle.
bindgen_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $bindgen_version" ]; then
  step "installing wasm-bindgen-cli $bindgen_version (a few minutes, once)"
  # Its own lock file names a release the registry no longer serves, so no --locked here. Only
  # the `wasm-bindgen` binary is used; without default features its test runner's download
  # client builds without TLS (no ring, no rustls: a minute less on a fresh machine).
  # A debug build: it post-processes one small bundle per build, in a second either way, and
  # compiles in half the time of a release build.
  cargo install wasm-bindgen-cli --version "$bindgen_version" --force --no-default-features --debug
fi

# wasm-opt only shrinks the bundle; Debian's is too old for current rustc output, npm's is not.
if ! wasm-opt --version 2>/dev/null | grep -qE 'version (1[2-9][0-9]|[2-9][0-9]{2})'; then
  if command -v npm >/dev/null 2>&1; then
    step "installing wasm-opt (binaryen 132) from npm"
    npm install -g binaryen@132 >/dev/null
  else
    echo "note: npm not found; the bundle will be built without wasm-opt (larger, same behaviour)"
  fi
fi

if [ "${1:-}" = "--test" ]; then
  if ! command -v chromium >/dev/null 2>&1; then
    step "installing Debian's Chromium for the end-to-end tests"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get install -y chromium >/dev/null 2>&1 || {
      $sudo_cmd apt-get update >/dev/null
      $sudo_cmd apt-get install -y chromium >/dev/null
    }
  fi
  if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    step "installing the end-to-end suite's npm packages"
    # Playwright must not fetch its own browsers: the suite drives Debian's Chromium.
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
fi
