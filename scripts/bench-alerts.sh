#!/usr/bin/env bash
# What evaluating alerts costs logged calculations (issue 17: at most 5 % of their throughput):
# the release server on loopback (SQLite log in a fresh directory per run, no rate limit), with
# alerts evaluated (the default) and with `--no-alerts`, alternating, ROUNDS rounds of SECONDS
# each at 64 connections; for two workloads: scripts/calc.lua (the same calculation over and
# over: every rule runs, none fires) and scripts/calc-alerts.lua (every second calculation is
# fact shopping: an alert stored and broadcast). After each run: how many alerts were raised,
# whether the evaluator had caught up with the log a second after the load stopped, and the
# evaluator thread's share of the server's CPU time (the cost itself, which a shared machine's
# noise does not blur as it blurs requests/s).
#   scripts/bench-alerts.sh [seconds=10] [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
rounds=${2:-3}
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || sudo apt-get install -y -qq wrk; }
cargo build --release --locked --quiet
port=18091
url=http://127.0.0.1:$port
one_run() { # script, extra serve arguments…
  local script=$1; shift
  local dir; dir=$(mktemp -d)
  ./target/release/penalty-standards serve --bind 127.0.0.1:$port --data-dir "$dir" --rate-limit 0 "$@" >"$dir/out.log" 2>"$dir/server.log" &
  local pid=$!
  for _ in $(seq 50); do curl -sf $url/healthz >/dev/null && break; sleep 0.1; done
  TOKEN=$(grep -E '^ +inspector ' "$dir/server.log" | awk '{print $2}') \
    wrk -t2 -c64 -d"${secs}s" --latency -s "$script" "$url/api/v1/calculate" |
    awk '/^ +99%/ {p99=$2} /Requests\/sec/ {rps=$2} END {printf "%s | %s", rps, p99}'
  sleep 1
  python3 - "$dir/supervision.sqlite3" "$pid" <<'PY'
import glob, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
n = c.execute("select max(seq) from log_entries").fetchone()[0]
a = c.execute("select count(*) from alerts").fetchone()[0]
p = c.execute("select seq from alert_progress").fetchone()[0]
# CPU time (user + system ticks) of the evaluator thread against the whole server's: what
# evaluating cost, whatever else the shared machine was doing.
def ticks(stat):
    f = open(stat).read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])
total = ticks(f"/proc/{sys.argv[2]}/stat")
ev = sum(ticks(t + "/stat") for t in glob.glob(f"/proc/{sys.argv[2]}/task/*")
         if open(t + "/comm").read().strip().startswith("alert-eval"))
print(f" | {n} | {a} | {p} | {100 * ev / max(total, 1):.1f} %")
PY
  kill $pid; wait $pid 2>/dev/null || true
  rm -rf "$dir"
}
echo "| workload | alerts | requests/s | p99 | entries | alerts raised | evaluated through (1 s after) | evaluator's share of the server's CPU |"
echo "|---|---|---|---|---|---|---|---|"
for r in $(seq "$rounds"); do
  for script in scripts/calc.lua scripts/calc-alerts.lua; do
    echo "| $(basename $script) | on | $(one_run $script)"
    echo "| $(basename $script) | off | $(one_run $script --no-alerts)"
  done
done
