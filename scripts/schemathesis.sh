#!/usr/bin/env bash
# The API contract (issue 16): Schemathesis with every check (`--checks all`) against the server's
# own /openapi.json, once without a token and once with each role's token, at least 200 examples
# per operation. Exits non-zero on any failure (or a Schemathesis error). Run by .ci/run.
#
# Its own set-up: Schemathesis (pinned) in a virtualenv under target/ (kept between runs); the
# debug binary, built first, started on a temporary data directory, on a free loopback port,
# with the rate limit off (`--rate-limit 0`); the demo tokens `serve` prints on such a start
# (inspector, reviewer, supervisor, publisher) and an admin's from `token create`.
# scripts/schemathesis.toml holds the settings (the operations whose 422 answers a schema-valid
# request may get, and why).
#
#   scripts/schemathesis.sh                    # every credential set, 200 examples each
#   EXAMPLES=500 scripts/schemathesis.sh       # more examples per operation
#   LANES="none inspector" scripts/schemathesis.sh     # some credential sets only
#
# The credential sets run in two lanes at once (two cores), each lane on a server of its own
# with its own data directory: `|` separates the lanes in LANES. Schemathesis itself runs with
# one worker (its threads share Hypothesis's lambda-source cache, which failed under two).
#
# Nothing is excluded from the fuzz, the operations that change the server's state included:
# - publishing (POST /api/v1/standards/versions) refuses fuzzed files (the standards must pass
#   every check start-up runs) and a past effective date: nothing is published;
# - withdrawing refuses the only version in force (422) and unknown versions (404);
# - revoking tokens: fuzzed ids are unknown (404); the stateful phase does revoke tokens it
#   finds in GET /api/v1/tokens, so the admin runs last in its lane (whose other roles are done
#   by then; the other lane has its own server and tokens), and the server refuses to revoke
#   the token making the request (409), so the admin's run keeps its token to the end.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
EXAMPLES=${EXAMPLES:-200}
LANES=${LANES:-"none inspector reviewer | supervisor publisher admin"}
venv=target/schemathesis-venv

# Installed again when scripts/schemathesis-requirements.txt (every dependency pinned) changes.
requirements=scripts/schemathesis-requirements.txt
if ! cmp -s "$requirements" "$venv/requirements.txt" || ! "$venv/bin/st" --version 2>/dev/null \
    | grep -q "$SCHEMATHESIS_VERSION"; then
  echo "== installing schemathesis $SCHEMATHESIS_VERSION (pip, into $venv)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/requirements.txt"
fi

# The debug binary, built now (never a stale one); PENALTY_BIN=target/release/penalty-standards
# to fuzz a release build instead.
bin=${PENALTY_BIN:-}
if [ -z "$bin" ]; then
  cargo build --locked --quiet
  bin=target/debug/penalty-standards
fi

mkdir -p target/tmp
work=$(mktemp -d target/tmp/schemathesis.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Starts a server on $1 (a directory of its own); prints its base URL once it answers.
start_server() {
  local dir=$1 port
  mkdir -p "$dir"
  # A free loopback port (the kernel's choice).
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$bin" serve --bind "127.0.0.1:$port" --data-dir "$dir/data" --rate-limit 0 \
    >"$dir/server.out" 2>"$dir/server.err" &
  echo $! >"$dir/pid"
  for _ in $(seq 1 300); do
    if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
      echo "http://127.0.0.1:$port"
      return
    fi
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then cat "$dir/server.err" >&2; return 1; fi
    sleep 0.1
  done
  echo "error: the server did not answer" >&2
  return 1
}

# One lane: its server, then each of its credential sets in turn. Writes $dir/lane.out and
# $dir/failed (the sets that failed, one a line).
lane() {
  local dir=$1 base role
  shift
  : >"$dir/failed"
  base=$(<"$dir/base")
  # The demo tokens `serve` printed (inspector, reviewer, supervisor, publisher), and an admin's.
  declare -A token
  while read -r role value; do
    token[$role]=$value
  done < <(grep -E '^  (inspector|reviewer|supervisor|publisher) +pst_' "$dir/server.err")
  token[admin]=$("$bin" token create --name schemathesis-admin --unit ZHZF --role admin \
    --data-dir "$dir/data" | tail -n 1)
  for role in "$@"; do
    local args=() start
    if [ "$role" != none ]; then
      if [ -z "${token[$role]:-}" ]; then echo "error: no $role token"; echo "$role" >>"$dir/failed"; continue; fi
      args=(-H "Authorization: Bearer ${token[$role]}")
    fi
    echo "== schemathesis as $role ($EXAMPLES examples per operation)"
    start=$(date +%s)
    if "$venv/bin/st" --config-file scripts/schemathesis.toml run "$base/openapi.json" \
        --checks all --max-examples "$EXAMPLES" --seed 16 --workers 1 --no-color \
        --generation-database none --request-timeout 30 "${args[@]}" ${ST_ARGS:-} \
        >"$dir/st-$role.log" 2>&1; then
      grep -E '^ *(✅|❌|🚫|⚠️)|generated|=====' "$dir/st-$role.log" | grep -v '^=* *(FAILURES|WARNINGS|SUMMARY)' | tail -n 14
    else
      echo "$role" >>"$dir/failed"
      cp "$dir/st-$role.log" "target/tmp/schemathesis-$role.log"
      grep -E '^_{3,} |^- ST|^    (Received|Documented|curl)|^\[[0-9]{3}\]|Error|generated|=====' \
        "$dir/st-$role.log" | cut -c1-400 | head -n 80
    fi
    echo "   ($role: $(( $(date +%s) - start )) s)"
  done
}

began=$(date +%s)
n=0
IFS='|' read -ra lanes <<<"$LANES"
for roles in "${lanes[@]}"; do
  n=$((n + 1))
  dir="$work/lane$n"
  start_server "$dir" >"$work/base$n"
  mv "$work/base$n" "$dir/base"
  pids+=("$(cat "$dir/pid")")
  # shellcheck disable=SC2086 # the roles are words
  lane "$dir" $roles >"$dir/lane.out" 2>&1 &
  echo $! >"$dir/lane.pid"
done
for i in $(seq 1 "$n"); do
  wait "$(cat "$work/lane$i/lane.pid")" || true
  cat "$work/lane$i/lane.out"
done

failed=$(cat "$work"/lane*/failed)
if [ -n "$failed" ]; then
  echo "schemathesis: failures as: $(echo $failed) (logs in target/tmp/schemathesis-ROLE.log)" >&2
  exit 1
fi
echo "schemathesis: no failure (lanes: ${LANES//|/;}; $EXAMPLES examples per operation; $(( $(date +%s) - began )) s)"
