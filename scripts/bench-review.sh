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
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do curl -sf localhost:$port/healthz >/dev/null && break; sleep 0.1; done
token=$(grep -E '^ +reviewer ' "$dir/server.log" | awk '{print $2}')
# 1,000 cases: one act under two provisions (第二十九条) with a deviating proposal, every tenth
# case with an unknown matter (an error entry).
python3 - "$dir/batch.json" <<'PY'
import json, sys
case = {"party": "organisation", "act_date": "2026-06-01", "decision_date": "2026-11-20",
        "circumstances": ["confessed"],
        "acts": [{"matter_id": "STHJ-001", "facts": {"refusal_form": "refused"},
                  "also_violates": [{"matter_id": "STHJ-028", "facts": {"method": "refuse_entry"}}]}],
        "proposed": {"fine": "150000", "measures": ["责令改正"]}}
cases = []
for i in range(1000):
    c = json.loads(json.dumps(case)); c["case_ref"] = f"龙环罚〔2026〕{i}号"
    if i % 10 == 9: c["acts"][0]["matter_id"] = "NOPE-1"
    cases.append(c)
json.dump({"cases": cases}, open(sys.argv[1], "w"), ensure_ascii=False)
PY
echo "request body: $(wc -c < "$dir/batch.json") bytes"
for i in $(seq "$runs"); do
  curl -s -o "$dir/out.json" -w "run $i: %{time_total} s, %{size_download} bytes, first byte after %{time_starttransfer} s\n" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    --data-binary @"$dir/batch.json" "http://127.0.0.1:$port/api/v1/reviews/batch"
done
python3 -c "import json,sys; print('summary:', json.load(open(sys.argv[1]))['summary'])" "$dir/out.json"
echo "server resident memory: $(ps -o rss= -p $pid) KiB"
./target/release/penalty-standards log verify --data-dir "$dir"
