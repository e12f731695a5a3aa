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
# Usage: scripts/build-site.sh [release|debug|none]   (default: release)
set -euo pipefail
cd "$(dirname "$0")/.."

server="${1:-release}"
name="mir-leaderboard"
site="target/site"

echo "==> browser bundle (wasm, hydrate)"
cargo build --locked --lib --target wasm32-unknown-unknown --no-default-features --features hydrate \
  --profile wasm-release --target-dir target/front
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

case "$server" in
  release) echo "==> server (release)"; cargo build --locked --bin "$name" --features ssr --release ;;
  debug) echo "==> server (debug)"; cargo build --locked --bin "$name" --features ssr ;;
  none) ;;
  *) echo "usage: $0 [release|debug|none]" >&2; exit 2 ;;
esac
echo "==> site ready in $site/"
