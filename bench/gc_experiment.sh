#!/usr/bin/env bash
# Diagnosis of the next-task p99 at C=32: server-side timings and GC pauses (bench/timed_serve.py),
# without and with gc.freeze() after start-up. 100k items, 3 workers per item, 30 s at C=32.
#   bench/gc_experiment.sh            # env: BENCH_TMP, LW_COMMIT, DURATION (30)
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
TMPD=${BENCH_TMP:-/tmp/lwbench}; DURATION=${DURATION:-30}; PORT=8314
sha=$(git -C "$REPO" rev-parse --short "${LW_COMMIT:-HEAD}"); snap="$TMPD/snap-$sha"
[ -d "$snap/src/labelworks" ] || { mkdir -p "$snap"; git -C "$REPO" archive "$sha" src | tar -x -C "$snap"; }
export PYTHONPATH="$snap/src"
PY="$REPO/.venv/bin/python"; LW="$REPO/.venv/bin/labelworks"
mkdir -p "$TMPD/results"
for mode in plain freeze; do
    data="$TMPD/gc-$mode-data"; rm -rf "$data"; mkdir -p "$data"
    "$LW" user create owner@bench.local --password bench-owner-pass-0123 --role owner --data-dir "$data" >/dev/null
    "$LW" token create owner@bench.local --data-dir "$data" > "$data/bench-token"
    flag=(); [ "$mode" = freeze ] && flag=(--gc-freeze)
    "$PY" "$REPO/bench/timed_serve.py" "$data" "$PORT" "${flag[@]}" > "$data/server.log" 2>&1 &
    spid=$!
    for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break; sleep 0.5; done
    a=("$PY" "$REPO/bench/labelworks_adapter.py" --base-url "http://127.0.0.1:$PORT" --token "$(cat "$data/bench-token")"
       --server-pid "$spid")
    timeout 300 "${a[@]}" --workers-per-item 3 --phases import annotate --sizes 100000 --concurrency 32 --duration 3 >/dev/null 2>&1
    curl -fs "http://127.0.0.1:$PORT/__bench/stats?reset=1" >/dev/null
    echo "# $mode: $(uptime)"
    timeout 300 "${a[@]}" --phases annotate --annot-project 1 --concurrency 32 --duration "$DURATION" \
        --out "$TMPD/results/gc-$mode-client.json" 2>&1 | grep --line-buffered '^annotate' | cut -c1-330
    curl -fs "http://127.0.0.1:$PORT/__bench/stats" > "$TMPD/results/gc-$mode-server.json"
    "$PY" -c "
import json,sys; s=json.load(open(sys.argv[1]))
print('server', {k: v for k, v in s['routes'].items() if 'next' in k or 'submit' in k})
print('gen2', s['gc_pauses']['gen2'], 'loop lag', s['event_loop_lag'], 'tracked', s['gc_tracked_objects'], 'frozen', s['gc_frozen_objects'])
" "$TMPD/results/gc-$mode-server.json"
    kill "$spid"; wait "$spid" 2>/dev/null || true
done
