#!/usr/bin/env bash
# Load benchmark: logged calculate vs the /healthz ceiling, with wrk, against the release build
# on loopback (SQLite log in a fresh directory). Figures go to docs/PERFORMANCE.md.
#   scripts/bench-load.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-32}
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || sudo apt-get install -y -qq wrk; }
cargo build --release --locked --quiet
dir=$(mktemp -d)
port=18090
./target/release/penalty-standards serve --bind 127.0.0.1:$port --data-dir "$dir" --rate-limit 0 2>"$dir/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do curl -sf localhost:$port/healthz >/dev/null && break; sleep 0.1; done
export TOKEN
TOKEN=$(grep -E '^ +inspector ' "$dir/server.log" | awk '{print $2}')
cat > "$dir/calc.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"matter_id":"ZHZF-001","party":"organisation","facts":{"construction_cost":"1234567.89","illegal_area":"85"},"circumstances":["confessed"],"act_date":"2026-06-01","discovered_date":"2026-07-01"}'
LUA
echo "== GET /healthz (the machine's ceiling)"
wrk -t2 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$port/healthz"
echo "== POST /api/v1/calculate (logged, SQLite, group commit)"
wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$dir/calc.lua" "http://127.0.0.1:$port/api/v1/calculate"
./target/release/penalty-standards log verify --data-dir "$dir"
