#!/usr/bin/env bash
# Wait (at most MAX_S seconds, default 900) until the 1-minute load average is below LIMIT (0.5):
# other developers' test runs share this machine. Prints the load it ends on; exit 1 on timeout.
#   bench/wait_quiet.sh [LIMIT] [MAX_S]
limit=${1:-0.5}; max=${2:-900}; start=$(date +%s)
while :; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    if awk -v l="$load" -v m="$limit" 'BEGIN{exit !(l < m)}'; then echo "quiet: load $load"; exit 0; fi
    if [ $(( $(date +%s) - start )) -ge "$max" ]; then echo "not quiet after ${max}s: load $load"; exit 1; fi
    sleep 5
done
