#!/usr/bin/env bash
# Start or stop a Labelworks server for the benchmarks (SQLite, loopback only).
#   bench/lw_server.sh start DATA_DIR PORT   # prints the PID; owner + token are made on first use
#   bench/lw_server.sh stop DATA_DIR
# The token is written to DATA_DIR/bench-token, the PID to DATA_DIR/bench-server.pid,
# the log to DATA_DIR/bench-server.log.
# The code measured is the last commit (HEAD), extracted to $BENCH_TMP/snap-<sha> and put first on
# PYTHONPATH, so edits in progress in the working tree do not break or change a run;
# LW_CODE=worktree measures the working tree instead.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
LW="$REPO/.venv/bin/labelworks"
if [ "${LW_CODE:-head}" = head ]; then
    sha=$(git -C "$REPO" rev-parse --short "${LW_COMMIT:-HEAD}")
    snap="${BENCH_TMP:-/tmp/lwbench}/snap-$sha"
    [ -d "$snap/src/labelworks" ] || { mkdir -p "$snap"; git -C "$REPO" archive "$sha" src | tar -x -C "$snap"; }
    export PYTHONPATH="$snap/src"
fi
cmd=${1:?start|stop}; data=${2:?DATA_DIR}

case "$cmd" in
start)
    port=${3:?PORT}
    mkdir -p "$data"
    if [ ! -s "$data/bench-token" ]; then
        "$LW" user create owner@bench.local --password bench-owner-pass-0123 --role owner --data-dir "$data" >/dev/null
        "$LW" token create owner@bench.local --data-dir "$data" > "$data/bench-token"
    fi
    echo "code: ${PYTHONPATH:-$REPO/src (working tree)}" > "$data/bench-code"
    "$LW" serve --data-dir "$data" --host 127.0.0.1 --port "$port" > "$data/bench-server.log" 2>&1 &
    pid=$!
    echo "$pid" > "$data/bench-server.pid"
    for _ in $(seq 1 120); do  # bounded: 60 s
        if curl -fs "http://127.0.0.1:$port/api/health" >/dev/null 2>&1; then echo "$pid"; exit 0; fi
        kill -0 "$pid" 2>/dev/null || { cat "$data/bench-server.log" >&2; exit 1; }
        sleep 0.5
    done
    echo "server did not answer in 60 s" >&2; kill "$pid"; exit 1
    ;;
stop)
    pid=$(cat "$data/bench-server.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    ;;
*) echo "usage: $0 start DATA_DIR PORT | stop DATA_DIR" >&2; exit 2 ;;
esac
