#!/usr/bin/env bash
# Builds the site the way cargo-leptos would, with plain cargo (toolchain notes 7.5), so a fresh
# machine does not pay cargo-leptos's 25-minute install:
#   1. the browser bundle: the lib with `hydrate` for wasm32, post-processed by wasm-bindgen
#      (and wasm-opt when present) into target/site/pkg/;
#   2. the stylesheet and public assets into target/site/, the bundle's files renamed by content
#      hash (listed in target/site/hash.txt) and precompressed (.br, .gz);
#   3. the server binary with `ssr` (release, debug, or none).
# LEPTOS_OUTPUT_NAME comes from .cargo/config.toml, so the server asks for exactly these files.
#
# The server build and the bundle build share nothing (other targets, other target dirs), so
# they run side by side: each has long single-threaded stretches (proc macros, the final crate,
# linking) that the other fills. With --setup, the tools (scripts/setup.sh: wasm-bindgen-cli on a
# fresh machine) are installed alongside too; only the bundle's post-processing waits for them.
#
# Usage: scripts/build-site.sh [release|debug|none] [--setup]   (default: release)
set -euo pipefail
cd "$(dirname "$0")/.."

server="${1:-release}"
with_setup="${2:-}"
name="mir-leaderboard"
site="target/site"
logs="target/build-logs"
mkdir -p "$logs"

case "$server" in
  release) server_args=(--release) ;;
  debug) server_args=() ;;
  none) server_args=() ;;
  *) echo "usage: $0 [release|debug|none] [--setup]" >&2; exit 2 ;;
esac

# A background job's log is shown only when it fails, so the two builds do not interleave.
finish() {
  local pid="$1" what="$2" log="$3"
  if ! wait "$pid"; then
    echo "==> $what failed:" >&2
    cat "$log" >&2
    exit 1
  fi
  echo "==> $what done"
}

jobs_started=()
cleanup() { for p in "${jobs_started[@]:-}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

if [ "$with_setup" = "--setup" ]; then
  # The wasm target is needed at once; the rest (minutes on a fresh machine) runs alongside.
  rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
  echo "==> tools (scripts/setup.sh), alongside; log: $logs/setup.log"
  scripts/setup.sh >"$logs/setup.log" 2>&1 &
  setup_pid=$!; jobs_started+=("$setup_pid")
fi

if [ "$server" != none ]; then
  echo "==> server ($server), alongside; log: $logs/server.log"
  cargo build --locked --bin "$name" --features ssr "${server_args[@]}" >"$logs/server.log" 2>&1 &
  server_pid=$!; jobs_started+=("$server_pid")
fi

echo "==> browser bundle (wasm, hydrate)"
# The crate is an rlib (Cargo.toml); only this build needs the cdylib wasm-bindgen takes.
cargo rustc --locked --lib --crate-type cdylib --target wasm32-unknown-unknown --no-default-features \
  --features hydrate --profile wasm-release --target-dir target/front
[ -n "${setup_pid:-}" ] && finish "$setup_pid" "tools" "$logs/setup.log"
rm -rf "$site/pkg" "$site/hash.txt"
mkdir -p "$site/pkg"
wasm-bindgen --target web --no-typescript --out-name "$name" --out-dir "$site/pkg" \
  target/front/wasm32-unknown-unknown/wasm-release/mir_leaderboard.wasm
mv "$site/pkg/${name}_bg.wasm" "$site/pkg/$name.wasm"
if command -v wasm-opt >/dev/null 2>&1; then
  # Size only; a missing wasm-opt costs bytes, not correctness.
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-reference-types \
    "$site/pkg/$name.wasm" -o "$site/pkg/$name.wasm"
fi

echo "==> stylesheet and assets"
cp style/main.css "$site/pkg/$name.css"
cp -r public/. "$site/"
# Content-hashed names (served as immutable) and brotli/gzip copies; hash.txt tells the server.
node scripts/finish-assets.mjs "$site" "$name"

[ -n "${server_pid:-}" ] && finish "$server_pid" "server ($server)" "$logs/server.log"
trap - EXIT
echo "==> site ready in $site/"
