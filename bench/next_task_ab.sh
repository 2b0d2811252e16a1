#!/usr/bin/env bash
# Issue-2 C=32 next-task figure, before and after a change, interleaved on the same machine.
#   bench/next_task_ab.sh BEFORE_COMMIT FILE...   (env: PAIRS=2, DURATION=30, NICE="nice -n -10")
# "after" is HEAD's src; "before" is HEAD's src with FILE... as they were at BEFORE_COMMIT, so
# other developers' commits in between are in both. Each run is the issue's own command:
#   run_labelworks.sh --phases create import annotate --sizes 100000 --concurrency 32
# NICE (default none) raises the bench's CPU priority over other developers' tests on the 2 cores.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"; cd "$REPO"
before=${1:?BEFORE_COMMIT}; shift
T=${BENCH_TMP:-/tmp/lwbench}/ab-$(date +%H%M%S); mkdir -p "$T/A" "$T/B"
for x in A B; do git archive HEAD src | tar -x -C "$T/$x"; done
for f in "$@"; do git show "$before:$f" > "$T/A/$f"; done
for i in $(seq 1 "${PAIRS:-2}"); do
  for x in B A; do
    tag=ntab-$x-$i-$(date +%H%M%S); l0=$(cut -d' ' -f1 /proc/loadavg)
    PYTHONPATH="$T/$x/src" LW_CODE=snapshot TAG=$tag DURATION=${DURATION:-30} ${NICE:-} \
      bench/run_labelworks.sh --phases create import annotate --sizes 100000 --concurrency 32 >/dev/null 2>&1
    .venv/bin/python - "$tag" "$x" "$l0" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import json, os, sys
tag, x, l0, l1 = sys.argv[1:]
r = json.load(open(f"{os.environ.get('BENCH_TMP', '/tmp/lwbench')}/results/{tag}.json"))["annotate"]["text"][0]
cpu = r["server_cpu_util"] * r["seconds"] / max(1, r["submit"]["n"]) * 1e3
n = r["next_task"]
print(f"{'before' if x == 'A' else 'after '} {tag} load {l0}->{l1}: {r['annotations_per_s']} annotations/s, next-task "
      f"p50/p95/p99 {n['p50_ms']}/{n['p95_ms']}/{n['p99_ms']} ms, server CPU {cpu:.2f} ms per annotation", flush=True)
PY
  done
done
