#!/usr/bin/env bash
# The shared peer workload against a fresh Labelworks server (SQLite, loopback).
#   bench/run_labelworks.sh [extra harness options…]
# Env: BENCH_TMP (default /tmp/lwbench), LW_PORT (8311), DURATION (20 s per concurrency level),
#      TAG (name of this run; default lw-<time>).
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
TMPD=${BENCH_TMP:-/tmp/lwbench}; PORT=${LW_PORT:-8311}; DURATION=${DURATION:-20}
TAG=${TAG:-lw-$(date +%H%M%S)}
data="$TMPD/$TAG-data"; out="$TMPD/results/$TAG.json"; log="$TMPD/results/$TAG.log"
rm -rf "$data"; mkdir -p "$TMPD/results"
# load average every 10 s while this script runs (other developers share the machine)
( while kill -0 $$ 2>/dev/null; do echo "$(date +%T) $(cat /proc/loadavg)"; sleep 10; done ) > "$TMPD/results/$TAG.load" &
pid=$("$REPO/bench/lw_server.sh" start "$data" "$PORT")
trap '"$REPO/bench/lw_server.sh" stop "$data"' EXIT
args=(--base-url "http://127.0.0.1:$PORT" --token "$(cat "$data/bench-token")" --server-pid "$pid"
      --sizes 1000 10000 100000 --duration "$DURATION" --out "$out" "$@")
{ echo "# $(date -Is) $(uptime)"; echo "# bench/labelworks_adapter.py ${args[*]/lw_*/<token>}"; } | tee "$log"
"$REPO/.venv/bin/python" "$REPO/bench/labelworks_adapter.py" "${args[@]}" 2>&1 | grep --line-buffered -v '^ \|^[{}]' | tee -a "$log"
echo "# end $(date -Is) $(uptime)" | tee -a "$log"
echo "# data: $data (database $data/labelworks.db); $(cat "$data/bench-code")" | tee -a "$log"
