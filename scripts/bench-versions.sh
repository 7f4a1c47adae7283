#!/usr/bin/env bash
# Standards versions under load (issue 13): logged calculations with one version, then a second
# version published from the command line (how long until the running server follows), then the
# same calculations, each of which now weighs both versions (第三十七条). Figures in
# docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || sudo apt-get install -y -qq wrk; }
cargo build --release --locked --quiet
dir=$(mktemp -d); port=18097
./target/release/penalty-standards serve --bind 127.0.0.1:$port --data-dir "$dir" --rate-limit 0 2>"$dir/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 50); do curl -sf localhost:$port/healthz >/dev/null && break; sleep 0.1; done
export TOKEN=$(grep -E '^ +inspector ' "$dir/server.log" | awk '{print $2}')
echo "== one version"; wrk -t2 -c64 -d10s --latency -s scripts/calc.lua http://127.0.0.1:$port/api/v1/calculate | grep -E "Requests/sec|99%"
mkdir -p "$dir/std" && cp -r standards/units standards/search_terms.toml "$dir/std/" && sed 's/version = "2026.1"/version = "2026.2"/' standards/set.toml > "$dir/std/set.toml"
sed -i '0,/fine = 20$/s//fine = 25/' "$dir/std/units/ZHZF.toml"
today=$(TZ=Asia/Shanghai date +%F)
t0=$(date +%s.%N)
./target/release/penalty-standards publish "$dir/std" --effective "$today" --note bench --data-dir "$dir"
t1=$(date +%s.%N)
until [ "$(curl -s localhost:$port/api/v1/standards/versions | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 2 ]; do sleep 0.05; done
t2=$(date +%s.%N)
python3 -c "print(f'publish command {float($t1)-float($t0):.2f} s; followed by the server {float($t2)-float($t1):.2f} s after it returned')"
curl -s localhost:$port/api/v1/calculate -H "Authorization: Bearer $TOKEN" -d "$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" scripts/calc.lua)" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["standards_version"], r.get("version_choice"))'
echo "== two versions (every calculation weighs both)"; wrk -t2 -c64 -d10s --latency -s scripts/calc.lua http://127.0.0.1:$port/api/v1/calculate | grep -E "Requests/sec|99%"
