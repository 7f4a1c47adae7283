#!/usr/bin/env bash
# Issue 15's load check: 200 concurrent anonymous downloads of the whole-set workbook from one
# address (no rate limit, the worst case) — first a burst of 200 one-shot curl downloads, then
# wrk keeping 200 connections downloading for 8 s — with a second wrk measuring /healthz at 4
# connections all the while. Prints the server's resident memory before, at its peak and
# after, and /healthz's latency under each load. The download clients run at the lowest
# priority (nice 19), so that on 2 shared cores they do not starve the measuring wrk. Figures in
# docs/PERFORMANCE.md.
#   [RATE_LIMIT=50] scripts/bench-export.sh [downloads=200]   (default: no rate limit)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200}
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || sudo apt-get install -y -qq wrk; }
cargo build --release --locked --quiet
dir=$(mktemp -d)
port=18091
./target/release/penalty-standards serve --bind 127.0.0.1:$port --data-dir "$dir" --rate-limit "${RATE_LIMIT:-0}" 2>"$dir/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 50); do curl -sf localhost:$port/healthz >/dev/null && break; sleep 0.1; done
url=http://127.0.0.1:$port
rss() { awk '/VmRSS/ {print $2}' /proc/$pid/status; }
peak() { awk '/VmHWM/ {print $2}' /proc/$pid/status; }
echo "RSS before: $(rss) KiB"
wrk -t1 -c4 -d2s --latency "$url/healthz" > "$dir/wrk.txt" &
wrkpid=$!
sleep 0.2
start=$(date +%s.%N)
seq "$n" | nice -n 19 xargs -P "$n" -I{} curl -s -o /dev/null -w "%{http_code}\n" "$url/standards/export.xlsx" > "$dir/codes.txt"
end=$(date +%s.%N)
wait $wrkpid
echo "$n downloads in $(python3 -c "print(round($end - $start, 2))") s: $(sort "$dir/codes.txt" | uniq -c | tr '\n' ' ')"
echo "RSS peak (VmHWM): $(peak) KiB, after: $(rss) KiB"
echo "/healthz during the burst (wrk, 4 connections):"
grep -E "^ +(50|99)%|Requests/sec" "$dir/wrk.txt"
echo
wrk -t1 -c4 -d8s --latency "$url/healthz" > "$dir/wrk.txt" &
wrkpid=$!
nice -n 19 wrk -t1 -c"$n" -d8s --latency "$url/standards/export.xlsx" > "$dir/exports.txt"
wait $wrkpid
echo "$n connections downloading for 8 s:"
grep -E "Requests/sec|Transfer/sec|Non-2xx" "$dir/exports.txt"
echo "RSS peak (VmHWM): $(peak) KiB, after: $(rss) KiB"
echo "/healthz meanwhile (wrk, 4 connections):"
grep -E "^ +(50|99)%|Requests/sec" "$dir/wrk.txt"
