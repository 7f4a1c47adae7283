#!/usr/bin/env bash
# The service under load, side by side in one run against the release build on loopback (SQLite
# log in a fresh directory, no rate limit): the /healthz ceiling, logged calculations, search,
# a 1,000-case review batch; then resident memory, the log's bytes per entry and its WAL, and
# `log verify`. With MINUTES > 0, a last run of that many one-minute wrk rounds at 64
# connections shows whether throughput stays flat as the log grows. Figures in
# docs/PERFORMANCE.md.
#   scripts/bench-load.sh [seconds=10] [minutes=0]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
minutes=${2:-0}
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || sudo apt-get install -y -qq wrk; }
cargo build --release --locked --quiet
dir=$(mktemp -d)
port=18090
./target/release/penalty-standards serve --bind 127.0.0.1:$port --data-dir "$dir" --rate-limit 0 2>"$dir/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 50); do curl -sf localhost:$port/healthz >/dev/null && break; sleep 0.1; done
export TOKEN REVIEWER
TOKEN=$(grep -E '^ +inspector ' "$dir/server.log" | awk '{print $2}')
# The batch's matters are STHJ's and the demo reviewer is ZHZF's: a supervisor reviews every unit's.
REVIEWER=$(grep -E '^ +supervisor ' "$dir/server.log" | awk '{print $2}')
url=http://127.0.0.1:$port
run() { # label, connections, wrk arguments…
  local label=$1 conns=$2; shift 2
  wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" | awk -v l="$label" -v c="$conns" '
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Requests\/sec/ {rps=$2} /Non-2xx/ {bad=$NF}
    END {printf "| %s | %d | %s | %s | %s |%s\n", l, c, rps, p50, p99, (bad ? " non-2xx: " bad : "")}'
}
echo "| run | connections | requests/s | p50 | p99 |"
echo "|---|---|---|---|---|"
for c in 16 64; do run "GET /healthz (ceiling)" $c "$url/healthz"; done
for c in 16 64; do run "POST /api/v1/calculate (logged)" $c -s scripts/calc.lua "$url/api/v1/calculate"; done
run "GET /api/v1/matters?q=违章搭建 (search)" 16 "$url/api/v1/matters?q=%E8%BF%9D%E7%AB%A0%E6%90%AD%E5%BB%BA"
echo
echo "server resident memory after the runs: $(ps -o rss= -p $pid) KiB"

# One 1,000-case review batch (scripts/review_batch.py): reviewed, logged and streamed back.
python3 scripts/review_batch.py "$dir/batch.json"
curl -s -o /dev/null -w "review batch of 1,000 cases: %{time_total} s, %{size_download} bytes streamed back\n" \
  -H "Authorization: Bearer $REVIEWER" -H 'Content-Type: application/json' \
  --data-binary @"$dir/batch.json" "$url/api/v1/reviews/batch"

if [ "$minutes" -gt 0 ]; then
  echo
  echo "== $minutes one-minute rounds of logged calculations at 64 connections (the log grows)"
  echo "| minute | requests/s | p99 | entries | database MiB | WAL MiB |"
  echo "|---|---|---|---|---|---|"
  for m in $(seq "$minutes"); do
    line=$(wrk -t2 -c64 -d60s --latency -s scripts/calc.lua "$url/api/v1/calculate" |
      awk '/^ +99%/ {p99=$2} /Requests\/sec/ {rps=$2} END {print rps, p99}')
    db=$(stat -c %s "$dir/supervision.sqlite3")
    wal=$(stat -c %s "$dir/supervision.sqlite3-wal" 2>/dev/null || echo 0)
    entries=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select max(seq) from log_entries').fetchone()[0])" "$dir/supervision.sqlite3")
    set -- $line
    echo "| $m | $1 | $2 | $entries | $((db / 1048576)) | $((wal / 1048576)) |"
  done
fi

kill $pid; wait $pid 2>/dev/null || true
python3 - "$dir/supervision.sqlite3" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("pragma wal_checkpoint(TRUNCATE)")
n = c.execute("select count(*) from log_entries").fetchone()[0]
body = c.execute("select avg(length(cast(body as blob)) + coalesce(length(body_z), 0)) from log_entries where kind = 'calculation'").fetchone()[0]
pages = c.execute("pragma page_count").fetchone()[0] * c.execute("pragma page_size").fetchone()[0]
print(f"log: {n} entries, {pages / n:.0f} bytes per entry on disk (database with its indexes), "
      f"calculation bodies {body:.0f} bytes on average as stored")
PY
./target/release/penalty-standards log verify --data-dir "$dir"
