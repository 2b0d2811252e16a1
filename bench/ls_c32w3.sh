#!/usr/bin/env bash
# Label Studio side of the 32-annotator, 3-per-item run: import 100k tasks, set the project's
# maximum_annotations to 3 (PATCH), C=32 for DURATION s, then the same SQL invariant check.
#   bench/ls_c32w3.sh      # env: BENCH_TMP (/tmp/lwbench), LS_PORT (8089), DURATION (60)
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
HARNESS=${BENCH_HARNESS:-$REPO/../shared/bench/peer_labelstudio.py}
TMPD=${BENCH_TMP:-/tmp/lwbench}; PORT=${LS_PORT:-8089}; DURATION=${DURATION:-60}; TAG=ls-c32w3
data="$TMPD/$TAG-data"; TOKEN=benchtoken0123456789abcdef; URL="http://127.0.0.1:$PORT"
rm -rf "$data"; mkdir -p "$TMPD/results"
SENTRY_DSN= FRONTEND_SENTRY_DSN= LATEST_VERSION_CHECK=false COLLECT_ANALYTICS=false \
LABEL_STUDIO_USERNAME=admin@example.com LABEL_STUDIO_PASSWORD=benchpass123 \
LABEL_STUDIO_USER_TOKEN=$TOKEN \
"$TMPD/ls/bin/label-studio" start --no-browser --internal-host 127.0.0.1 --port "$PORT" \
    --data-dir "$data" --enable-legacy-api-token > "$TMPD/results/$TAG.server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; sleep 2; kill -9 $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do curl -fs "$URL/api/version" >/dev/null 2>&1 && break; sleep 1; done
h=("$REPO/.venv/bin/python" "$HARNESS" --base-url "$URL" --token "$TOKEN" --server-pid "$pid"
   --ls-db "$data/label_studio.sqlite3")
"${h[@]}" --phases import --sizes 100000 --out "$TMPD/results/$TAG-import.json" 2>&1 | grep '^import' | cut -c1-200
curl -fs -X PATCH -H "Authorization: Token $TOKEN" -H 'Content-Type: application/json' \
    -d '{"maximum_annotations": 3}' "$URL/api/projects/1/" > /dev/null
echo "# $(date -Is) $(uptime)" | tee "$TMPD/results/$TAG.log"
"${h[@]}" --phases annotate --annot-project 1 --concurrency 32 --duration "$DURATION" \
    --out "$TMPD/results/$TAG.json" 2>&1 | grep --line-buffered '^annotate' | cut -c1-600 | tee -a "$TMPD/results/$TAG.log"
"$REPO/.venv/bin/python" "$REPO/bench/check_invariants.py" label-studio "$data/label_studio.sqlite3" 1 | tee -a "$TMPD/results/$TAG.log"
