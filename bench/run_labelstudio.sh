#!/usr/bin/env bash
# The shared peer workload against a fresh Label Studio 1.23.2 (its venv at $BENCH_TMP/ls,
# SQLite, telemetry off, loopback), exactly as /work/shared/bench/README.md starts it.
#   bench/run_labelstudio.sh [extra harness options…]
# Env: BENCH_TMP (default /tmp/lwbench), LS_PORT (8089), DURATION (20), TAG (ls-<time>).
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
HARNESS=${BENCH_HARNESS:-$REPO/../shared/bench/peer_labelstudio.py}
TMPD=${BENCH_TMP:-/tmp/lwbench}; PORT=${LS_PORT:-8089}; DURATION=${DURATION:-20}
TAG=${TAG:-ls-$(date +%H%M%S)}
data="$TMPD/$TAG-data"; out="$TMPD/results/$TAG.json"; log="$TMPD/results/$TAG.log"
TOKEN=benchtoken0123456789abcdef
rm -rf "$data"; mkdir -p "$TMPD/results"
# load average every 10 s while this script runs (other developers share the machine)
( while kill -0 $$ 2>/dev/null; do echo "$(date +%T) $(cat /proc/loadavg)"; sleep 10; done ) > "$TMPD/results/$TAG.load" &
SENTRY_DSN= FRONTEND_SENTRY_DSN= LATEST_VERSION_CHECK=false COLLECT_ANALYTICS=false \
LABEL_STUDIO_USERNAME=admin@example.com LABEL_STUDIO_PASSWORD=benchpass123 \
LABEL_STUDIO_USER_TOKEN=$TOKEN \
"$TMPD/ls/bin/label-studio" start --no-browser --internal-host 127.0.0.1 --port "$PORT" \
    --data-dir "$data" --enable-legacy-api-token > "$TMPD/results/$TAG.server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; sleep 2; kill -9 $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do  # bounded: 4 min (first start migrates the database)
    curl -fs "http://127.0.0.1:$PORT/api/version" >/dev/null 2>&1 && break
    kill -0 $pid || { tail -30 "$TMPD/results/$TAG.server.log"; exit 1; }
    sleep 1
done
args=(--base-url "http://127.0.0.1:$PORT" --token "$TOKEN" --server-pid "$pid"
      --ls-db "$data/label_studio.sqlite3" --sizes 1000 10000 100000 --duration "$DURATION" --out "$out" "$@")
{ echo "# $(date -Is) $(uptime)"; echo "# peer_labelstudio.py ${args[*]}"; } | tee "$log"
"$REPO/.venv/bin/python" "$HARNESS" "${args[@]}" 2>&1 | grep --line-buffered -v '^ \|^[{}]' | tee -a "$log"
echo "# end $(date -Is) $(uptime)" | tee -a "$log"
echo "# data: $data (database $data/label_studio.sqlite3)" | tee -a "$log"
