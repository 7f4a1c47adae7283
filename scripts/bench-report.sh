#!/usr/bin/env bash
# The look-back report and a spot-check draw over a year of the log (issue 17), release build,
# SQLite: logged calculations (each with a case number) are made with wrk until the log holds
# ENTRIES of them, plus a 1,000-case review batch; their days are then spread over one year
# (a test database, so its chain is not kept) and the server restarted. Prints the time of
# the year's report (five runs) and of a 100-case draw. Figures in docs/PERFORMANCE.md.
#   scripts/bench-report.sh [entries=100000]
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${1:-100000}
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || sudo apt-get install -y -qq wrk; }
cargo build --release --locked --quiet
dir=$(mktemp -d)
port=18091
url=http://127.0.0.1:$port
start() {
  ./target/release/penalty-standards serve --bind 127.0.0.1:$port --data-dir "$dir" --rate-limit 0 >/dev/null 2>>"$dir/server.log" &
  pid=$!
  for _ in $(seq 100); do curl -sf $url/healthz >/dev/null && break; sleep 0.1; done
}
start
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
export TOKEN
TOKEN=$(grep -E '^ +inspector ' "$dir/server.log" | awk '{print $2}')
SUPERVISOR=$(grep -E '^ +supervisor ' "$dir/server.log" | awk '{print $2}')
count() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from log_entries').fetchone()[0])" "$dir/supervision.sqlite3"; }
while [ "$(count)" -lt "$entries" ]; do
  wrk -t2 -c32 -d3s -s scripts/calc_cases.lua "$url/api/v1/calculate" >/dev/null
done
python3 scripts/review_batch.py "$dir/batch.json"
curl -s -o /dev/null -H "Authorization: Bearer $SUPERVISOR" -H 'Content-Type: application/json' \
  --data-binary @"$dir/batch.json" "$url/api/v1/reviews/batch"
kill $pid; wait $pid 2>/dev/null || true
python3 - "$dir/supervision.sqlite3" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
n = c.execute("select max(seq) from log_entries").fetchone()[0]
c.execute("update log_entries set day = date('2025-12-06', '+' || (seq * 364 / ?) || ' days')", (n,))
c.execute("update review_acts set day = (select day from log_entries e where e.seq = review_acts.seq)")
c.commit()
print(f"log: {n} entries spread over 2025-12-06 … 2026-12-05")
PY
start
auth=(-H "Authorization: Bearer $SUPERVISOR")
for i in 1 2 3 4 5; do
  curl -s -o "$dir/report.json" -w "report of the year, run $i: %{time_total} s\n" "${auth[@]}" \
    "$url/api/v1/supervision/report?from=2025-12-06&to=2026-12-05"
done
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print('units', len(r['units']), 'calculations this year', sum(u['calculations']['current'] for u in r['units']))" "$dir/report.json"
curl -s -o "$dir/draw.json" -w "a 100-case draw over the year: %{time_total} s, status %{http_code}\n" "${auth[@]}" -H 'Content-Type: application/json' \
  --data '{"from":"2025-12-06","to":"2026-12-05","size":100}' "$url/api/v1/supervision/samples"
echo "server resident memory: $(ps -o rss= -p $pid) KiB"
