#!/usr/bin/env bash
# A 1,000-case review batch over HTTP against the release build on loopback (SQLite log in a
# fresh directory): every case reviewed, logged and streamed back. Figures in docs/PERFORMANCE.md.
#   scripts/bench-review.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release --locked --quiet
dir=$(mktemp -d)
port=18091
./target/release/penalty-standards serve --bind 127.0.0.1:$port --data-dir "$dir" --rate-limit 0 2>"$dir/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 50); do curl -sf localhost:$port/healthz >/dev/null && break; sleep 0.1; done
# The batch's matters are STHJ's and the demo reviewer is ZHZF's: a supervisor reviews every unit's.
token=$(grep -E '^ +supervisor ' "$dir/server.log" | awk '{print $2}')
python3 scripts/review_batch.py "$dir/batch.json"
echo "request body: $(wc -c < "$dir/batch.json") bytes"
for i in $(seq "$runs"); do
  curl -s -o "$dir/out.json" -w "run $i: %{time_total} s, %{size_download} bytes, first byte after %{time_starttransfer} s\n" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    --data-binary @"$dir/batch.json" "http://127.0.0.1:$port/api/v1/reviews/batch"
done
python3 -c "import json,sys; print('summary:', json.load(open(sys.argv[1]))['summary'])" "$dir/out.json"
echo "server resident memory: $(ps -o rss= -p $pid) KiB"
./target/release/penalty-standards log verify --data-dir "$dir"
