#!/usr/bin/env bash
# 1M-line (and 100k-line) Ground Truth manifest import through the CLI, into a fresh data dir.
#   bench/import_1m.sh            # env: BENCH_TMP (/tmp/lwbench), SIZES ("100000 1000000")
# Leaves the data dir $BENCH_TMP/big-data with one text-classification project per size
# (ids printed) for export_1m.py and the list queries. The server is not running meanwhile.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
TMPD=${BENCH_TMP:-/tmp/lwbench}; SIZES=${SIZES:-"100000 1000000"}
data="$TMPD/big-data"; log="$TMPD/results/import.log"
mkdir -p "$TMPD/results"; rm -rf "$data"
if [ "${LW_CODE:-head}" = head ]; then  # the same committed snapshot the server scripts use
    sha=$(git -C "$REPO" rev-parse --short "${LW_COMMIT:-HEAD}"); snap="$TMPD/snap-$sha"
    [ -d "$snap/src/labelworks" ] || { mkdir -p "$snap"; git -C "$REPO" archive "$sha" src | tar -x -C "$snap"; }
    export PYTHONPATH="$snap/src"
fi
LW="$REPO/.venv/bin/labelworks"
"$LW" user create owner@bench.local --password bench-owner-pass-0123 --role owner --data-dir "$data" >/dev/null
"$LW" token create owner@bench.local --data-dir "$data" > "$data/bench-token"
echo "# code: ${PYTHONPATH:-working tree}" | tee -a "$log"
for n in $SIZES; do
    m="$TMPD/m$n.manifest"
    [ -s "$m" ] || "$REPO/.venv/bin/python" "$REPO/bench/make_manifest.py" "$n" "$m"
    pid=$("$LW" project create "bench-import-$n" --type text-classification --labels A,B,C,D,E --data-dir "$data")
    echo "# $(date -Is) $(uptime)" | tee -a "$log"
    echo "# labelworks import $pid $m --data-dir $data   (project $pid, $(stat -c %s "$m") bytes)" | tee -a "$log"
    /usr/bin/time -f "wall %e s, user %U s, sys %S s, peak RSS %M KiB" \
        "$LW" import "$pid" "$m" --data-dir "$data" 2>&1 | tail -3 | tee -a "$log"
    echo "project_for_$n=$pid" >> "$data/bench-projects"
done
echo "# end $(date -Is) $(uptime)" | tee -a "$log"
