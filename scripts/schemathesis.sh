#!/usr/bin/env bash
# The API against its own OpenAPI document: schemathesis generates valid and invalid requests for
# every operation in /api/v1/openapi.json (the upload included) and fails on any answer the
# document does not promise: an undocumented status or content type, a body that breaks its
# schema, a valid request refused, an invalid one accepted, a 5xx. The per-operation exceptions
# are in schemathesis.toml, each with its reason.
#
# Runs the debug server (the binary `cargo test` builds) with the sample data on a fresh SQLite
# file and a free port, and always stops it. The run is bounded (examples per operation and a
# time budget) and seeded, so a finding can be reproduced with the same command.
# Environment: MIR_BIN (server binary), ST_SEED, ST_MAX_EXAMPLES, ST_MAX_TIME (seconds).
set -euo pipefail
cd "$(dirname "$0")/.."

version=4.32.5
venv=target/schemathesis/venv
st="$venv/bin/schemathesis"
if ! "$st" --version 2>/dev/null | grep -qF "$version"; then
  echo "installing schemathesis $version into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

bin="${MIR_BIN:-${CARGO_TARGET_DIR:-target}/debug/mir-leaderboard}"
[ -x "$bin" ] || { echo "no server binary at $bin; run cargo build --features ssr first" >&2; exit 1; }

dir="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
# Uploads are rate-limited per client; schemathesis is one client sending hundreds.
DATABASE_URL="sqlite://$dir/st.db?mode=rwc" \
  LEPTOS_SITE_ADDR="127.0.0.1:$port" \
  LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}" \
  MIR_UPLOAD_DIR="$dir/uploads" \
  MIR_UPLOADS_PER_HOUR=1000000 \
  RUST_LOG="${RUST_LOG:-warn}" \
  "$bin" serve --demo >"$dir/server.log" 2>&1 &
server=$!

for _ in $(seq 1 120); do
  if curl -fsS "$base/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then
    echo "the server exited before answering /healthz:" >&2
    cat "$dir/server.log" >&2
    exit 1
  fi
  sleep 0.5
done
curl -fsS "$base/healthz" >/dev/null || { echo "the server did not answer /healthz in 60 s" >&2; exit 1; }

mkdir -p target/schemathesis
run() {
  "$st" run "$base/api/v1/openapi.json" \
    --checks all \
    --seed "${ST_SEED:-20261201}" \
    --workers 1 \
    --request-timeout 20 \
    --report junit --report-dir target/schemathesis "$@"
}
status=0
run --max-examples "${ST_MAX_EXAMPLES:-50}" --max-time "${ST_MAX_TIME:-120}" || status=$?
# schemathesis leaves out the operation that serves the document it loaded, unless it is named.
if [ "$status" -eq 0 ]; then
  run --include-operation-id openapi --max-examples 10 || status=$?
fi
if [ "$status" -ne 0 ]; then
  echo "schemathesis found problems (exit $status); server log:" >&2
  tail -n 50 "$dir/server.log" >&2
fi
exit "$status"
