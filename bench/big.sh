#!/usr/bin/env bash
# The 1M figures in one go: CLI import (100k and 1M), item list on 1M before and after annotation,
# bulk SQL annotation, streamed HTTP export of 100k and 1M (3 formats each).
#   bench/big.sh RUN      # env: BENCH_TMP (/tmp/lwbench), LW_COMMIT; results in $BENCH_TMP/results/*-RUN.*
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
run=${1:?run name}; TMPD=${BENCH_TMP:-/tmp/lwbench}; B="$TMPD/results"; D="$TMPD/big-data"; PORT=8312
PY="$REPO/.venv/bin/python"
rm -f "$B/import.log"
"$REPO/bench/import_1m.sh"
mv "$B/import.log" "$B/import-$run.log"
p100k=$(sed -n 's/project_for_100000=//p' "$D/bench-projects"); p1m=$(sed -n 's/project_for_1000000=//p' "$D/bench-projects")
lists() {
    "$PY" "$REPO/bench/labelworks_adapter.py" --base-url "http://127.0.0.1:$PORT" --token "$(cat "$D/bench-token")" \
        --server-pid "$1" --phases list --annot-project "$p1m" --list-reps 50 --out "$B/$2" 2>&1 | grep '^list' | cut -c1-160
}
pid=$("$REPO/bench/lw_server.sh" start "$D" "$PORT")
echo "# list on 1M, nothing annotated: $(uptime)"; lists "$pid" "list1m-0-$run.json"
"$REPO/bench/lw_server.sh" stop "$D"
for p in "$p100k" "$p1m"; do "$PY" "$REPO/bench/annotate_sql.py" "$D/labelworks.db" "$p"; done
pid=$("$REPO/bench/lw_server.sh" start "$D" "$PORT")
echo "# export: $(uptime)"
"$PY" "$REPO/bench/export_1m.py" --base-url "http://127.0.0.1:$PORT" --token "$(cat "$D/bench-token")" \
    --server-pid "$pid" --project "$p100k" --project "$p1m" --out "$B/export-$run.json" | cut -c1-260
echo "# list on 1M, all annotated: $(uptime)"; lists "$pid" "list1m-100-$run.json"
"$REPO/bench/lw_server.sh" stop "$D"
echo "# end: $(uptime)"
