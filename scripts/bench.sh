#!/usr/bin/env bash
# The shipped benchmark (README: Benchmark). Builds the release server and site, then, for a
# store of N sample models with full per-item runs (N = 24 and N = 1000 by default):
#   - requests/s and p99 of `/`, a model page, a chart and /api/v1/leaderboard under wrk (64
#     connections, loopback), beside nginx serving the very same bytes in the same run;
#   - the first `/` after start and after an approval (the ranking computed cold);
#   - the server's peak resident memory;
#   - bytes a first and a repeat visit of `/` transfer in headless Chromium, and its largest
#     contentful paint;
# and, once, the ingest of a full harness run (2,676 items, 4 KB answers) as a whole process
# (`mir-leaderboard import` into an existing store) beside Python merely reading the same files.
# Everything runs on this machine, against 127.0.0.1 only; figures are printed and written to
# target/bench/report.md.
#
#   scripts/bench.sh [--models "24 1000"] [--duration 10] [--no-gradio]
#
# The first-visit figures are compared with a Gradio + gradio_leaderboard app of the same table,
# measured the same way in the same run (installed once into target/bench-venv, pinned: a large
# download); --no-gradio skips it.
set -euo pipefail
cd "$(dirname "$0")/.."

models="24 1000"
duration=10
gradio=1
while [ $# -gt 0 ]; do
  case "$1" in
    --models) models="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --no-gradio) gradio=0; shift ;;
    *) echo "usage: $0 [--models \"24 1000\"] [--duration SECONDS] [--no-gradio]" >&2; exit 2 ;;
  esac
done

step() { printf '==> %s\n' "$*" >&2; }
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
for tool in wrk nginx; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    step "installing $tool (Debian)"
    pkg=$tool; [ "$tool" = nginx ] && pkg=nginx-light
    $sudo_cmd apt-get install -y "$pkg" >/dev/null 2>&1 || { $sudo_cmd apt-get update >/dev/null; $sudo_cmd apt-get install -y "$pkg" >/dev/null; }
  fi
done
scripts/setup.sh --test >/dev/null

step "building the release server, the seeder and the site"
cargo build --locked --release --features ssr --bin mir-leaderboard --example bench
scripts/build-site.sh none >/dev/null
bin=target/release/mir-leaderboard
seed=target/release/examples/bench

out=target/bench
rm -rf "$out"; mkdir -p "$out"
report="$out/report.md"
pids=()
cleanup() { for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_up() { for _ in $(seq 1 "${2:-300}"); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "not up: $1" >&2; return 1; }

# Starts the release server on a store; sets $server_pid and $base.
start_server() {
  local db="$1" port
  port=$(free_port)
  DATABASE_URL="$db" LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=target/site RUST_LOG=warn \
    MIR_UPLOADS_PER_HOUR=100000 MIR_UPLOAD_DIR="$out/uploads" "$bin" serve >>"$out/server.log" 2>&1 &
  server_pid=$!; pids+=("$server_pid")
  base="http://127.0.0.1:$port"
  wait_up "$base/healthz"
}

# nginx serving files from a folder; sets $nginx_base. Every path absolute: nginx resolves
# relative ones against its own prefix.
start_nginx() {
  local root="$1" port here
  port=$(free_port)
  here="$(realpath "$out")"
  cat >"$out/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $here/nginx.pid;
error_log $here/nginx-error.log;
user root;
events { worker_connections 1024; }
http {
  access_log off;
  types { text/html html; application/json json; image/svg+xml svg; }
  server { listen 127.0.0.1:$port; root $root; location / { } }
}
CONF
  nginx -e "$(realpath "$out")/nginx-error.log" -c "$(realpath "$out/nginx.conf")" &
  pids+=("$!")
  nginx_base="http://127.0.0.1:$port"
  wait_up "$nginx_base/index.html"
}

# requests/s and p99 (ms) of one URL: "RPS P99".
load() {
  local res rps p99
  res=$(wrk -t2 -c64 -d"${duration}s" --latency "$1")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$res")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$res")
  echo "$rps $p99"
}

# Milliseconds of one request.
once_ms() { curl -s -o /dev/null -w '%{time_total}' "$1" | awk '{printf "%.0f", $1 * 1000}'; }

{
  echo "# Benchmark, $(date -u +%Y-%m-%d) on $(nproc) cores"
  echo
} >"$report"

for n in $models; do
  step "seeding $n models"
  db="sqlite://$(realpath "$out")/bench-$n.db?mode=rwc"
  "$seed" --models "$n" --database "$db" >&2
  start_server "$db"
  cold=$(once_ms "$base/")
  slug=$(curl -s "$base/api/v1/leaderboard" | python3 -c 'import json,sys; print(json.load(sys.stdin)["entries"][0]["slug"])')
  routes=("/" "/models/$slug" "/charts/models/$slug/relations.svg" "/api/v1/leaderboard")
  files=("index.html" "model.html" "chart.svg" "api.json")
  mkdir -p "$out/static-$n"
  for i in "${!routes[@]}"; do
    curl -s "$base${routes[$i]}" -o "$out/static-$n/${files[$i]}"
  done
  start_nginx "$(realpath "$out/static-$n")"
  {
    echo "## $n models"
    echo
    echo "| | this site req/s | p99 ms | nginx req/s (same bytes) | p99 ms | site / nginx | bytes |"
    echo "|---|---|---|---|---|---|---|"
  } >>"$report"
  for i in "${!routes[@]}"; do
    read -r rps p99 < <(load "$base${routes[$i]}")
    read -r nrps np99 < <(load "$nginx_base/${files[$i]}")
    ratio=$(python3 -c "print(f'{$rps/$nrps:.2f}')")
    size=$(stat -c %s "$out/static-$n/${files[$i]}")
    echo "| \`${routes[$i]}\` | $rps | $p99 | $nrps | $np99 | $ratio | $size |" >>"$report"
  done
  p50=$(for _ in $(seq 1 21); do once_ms "$base/"; echo; done | sort -n | sed -n 11p)
  # An approval: the next `/` ranks the new population cold.
  "$bin" sample-tree "$out/extra-$n.zip" --variant 9 >/dev/null
  id=$(curl -s -F model="Sample Bench Extra" -F file=@"$out/extra-$n.zip" "$base/api/v1/submissions" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  DATABASE_URL="$db" RUST_LOG=warn "$bin" approve "$id" >/dev/null
  after=$(once_ms "$base/")
  rss=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$server_pid/status")
  {
    echo
    echo "- \`/\` p50 of 21 sequential requests: ${p50} ms; first \`/\` after start: ${cold} ms; first \`/\` after an approval: ${after} ms"
    echo "- server peak resident memory: ${rss} MiB"
  } >>"$report"
  if [ "$n" = "$(echo "$models" | awk '{print $1}')" ]; then
    step "first and repeat visit in Chromium"
    node scripts/bench-visit.mjs "$base/" >"$out/visit.json"
    python3 - "$out/visit.json" >>"$report" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
f = v['first']
print(f"- first visit of `/`: {f['bytes']/1000:.1f} kB in {f['requests']} requests, largest contentful paint {f['lcp']:.0f} ms (median of {len(f['lcps'])} cold visits: {', '.join(f'{x:.0f}' for x in f['lcps'])}); repeat visit: {v['repeat']['bytes']/1000:.1f} kB")
print("  - first visit by resource: " + ", ".join(f"`{p['path']}` {p['bytes']/1000:.1f} kB" for p in sorted(v['first']['parts'], key=lambda p: -p['bytes'])))
PY
    # The browser's own floor: the smallest page that paints, from nginx, measured the same way.
    printf '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>floor</title></head><body><h1>One heading</h1><p>and one paragraph</p></body></html>' >"$out/static-$n/floor.html"
    node scripts/bench-visit.mjs "$nginx_base/floor.html" >"$out/floor-visit.json"
    python3 - "$out/floor-visit.json" >>"$report" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))['first']
print(f"- the browser's floor, a page of one heading and one paragraph from nginx: largest contentful paint {f['lcp']:.0f} ms (cold visits: {', '.join(f'{x:.0f}' for x in f['lcps'])})")
PY
    if [ "$gradio" = 1 ]; then
      step "the Gradio reference"
      if ! target/bench-venv/bin/python -c 'import gradio_leaderboard' >/dev/null 2>&1; then
        # Pinned: gradio_leaderboard needs gradio < 6, and an open range sends pip's resolver
        # backtracking through every release for many minutes.
        python3 -m venv target/bench-venv
        target/bench-venv/bin/pip install -q gradio==5.50.0 gradio_leaderboard==0.0.14 pandas
      fi
      curl -s "$base/api/v1/leaderboard.csv" -o "$out/board.csv"
      gport=$(free_port)
      GRADIO_ANALYTICS_ENABLED=False target/bench-venv/bin/python - "$out/board.csv" "$gport" >>"$out/gradio.log" 2>&1 <<'PY' &
import sys, pandas as pd, gradio as gr
from gradio_leaderboard import Leaderboard
df = pd.read_csv(sys.argv[1])
with gr.Blocks() as demo:
    # Search by model and a column picker, as on this site's board (gradio_leaderboard 0.0.14
    # also refuses to start without a search column).
    Leaderboard(value=df, search_columns=["model"], select_columns=list(df.columns))
demo.launch(server_name="127.0.0.1", server_port=int(sys.argv[2]))
PY
      pids+=("$!")
      # Its first start compiles Gradio's Python files: up to two minutes.
      wait_up "http://127.0.0.1:$gport/" 1200
      node scripts/bench-visit.mjs "http://127.0.0.1:$gport/" >"$out/gradio-visit.json"
      python3 - "$out/gradio-visit.json" "$out/visit.json" >>"$report" <<'PY'
import json, sys
v = json.load(open(sys.argv[1])); ours = json.load(open(sys.argv[2]))
f, o = v['first'], ours['first']
print(f"- Gradio + gradio_leaderboard, same table, measured the same way: first visit {f['bytes']/1000:.1f} kB in {f['requests']} requests, largest contentful paint {f['lcp']:.0f} ms (cold visits: {', '.join(f'{x:.0f}' for x in f['lcps'])})")
print(f"- ratios (this site / Gradio): bytes of a first visit {o['bytes']/f['bytes']:.2f}, largest contentful paint {o['lcp']/f['lcp']:.2f}")
PY
    fi
  fi
  echo >>"$report"
  kill "$server_pid" 2>/dev/null || true
  nginx -e "$(realpath "$out")/nginx-error.log" -c "$(realpath "$out/nginx.conf")" -s stop 2>/dev/null || true
done

step "ingest of a full run (4 KB answers)"
run="$out/run"
"$bin" sample-tree "$run" --variant 3 --answer-bytes 4096 >/dev/null
size=$(du -sm "$run" | awk '{print $1}')
store="sqlite://$(realpath "$out")/ingest.db?mode=rwc"
DATABASE_URL="$store" RUST_LOG=warn "$bin" import "$run" --model "Sample Ingest 0" >/dev/null
# Wall seconds (a millisecond clock: /usr/bin/time has 10 ms steps) and peak resident KiB.
measure() {
  python3 -c 'import resource, subprocess, sys, time
t = time.perf_counter(); subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
print(f"{time.perf_counter() - t:.4f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")' "$@"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
imp=(); py=()
for i in $(seq 1 15); do
  imp+=("$(DATABASE_URL="$store" RUST_LOG=warn measure "$bin" import "$run" --model "Sample Ingest $i")")
  py+=("$(measure python3 -c 'import glob, json, sys; [json.load(open(f)) for f in glob.glob(sys.argv[1] + "/*/*.json")]' "$run")")
done
imp_s=$(printf '%s\n' "${imp[@]}" | awk '{print $1}' | median)
imp_kb=$(printf '%s\n' "${imp[@]}" | awk '{print $2}' | median)
py_s=$(printf '%s\n' "${py[@]}" | awk '{print $1}' | median)
largest=$(find "$run" -name '*.json' -printf '%s\n' | sort -n | tail -1)
{
  echo "## Ingest of a full harness run (2,676 items, ${size} MB of JSON)"
  echo
  echo "- \`mir-leaderboard import\` into an existing store, median of 15: ${imp_s} s, peak memory $((imp_kb / 1024)) MiB (largest file $((largest / 1024)) KiB)"
  echo "- Python merely reading the same files (json.load), median of 15: ${py_s} s"
  echo "- ratio (Python / import): $(python3 -c "print(f'{$py_s/max($imp_s,0.001):.2f}')")"
} >>"$report"
cat "$report"
