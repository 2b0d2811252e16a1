#!/usr/bin/env python3
"""Streaming export through HTTP: seconds, first-byte latency, bytes and server RSS growth.

Against a running Labelworks server on loopback (bench/lw_server.sh start …):

    python bench/export_1m.py --base-url http://127.0.0.1:8312 --token TOKEN --server-pid PID \
        --project 2 --project 3 --formats manifest jsonl csv --out /tmp/lwbench/results/export.json

RSS growth is the server's peak during the export minus its RSS just before it (sampled every
50 ms, process tree, as the harness does).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from labelworks_adapter import harness  # noqa: E402


def export_once(base_url: str, token: str, pid: int, fmt: str, sampler, timeout_s: float) -> dict:
    sampler.reset_peak()
    before = sampler.current_mb()
    first = None
    n = 0
    t0 = time.perf_counter()
    with httpx.Client(base_url=base_url, timeout=timeout_s) as c:
        with c.stream("GET", f"/api/v1/projects/{pid}/export", params={"format": fmt},
                      headers={"Authorization": f"Bearer {token}"}) as r:
            r.raise_for_status()
            for chunk in r.iter_raw(1 << 16):
                if first is None:
                    first = time.perf_counter() - t0
                n += len(chunk)
                if time.perf_counter() - t0 > timeout_s:
                    raise TimeoutError(f"export ran past {timeout_s} s")
    seconds = time.perf_counter() - t0
    time.sleep(0.2)  # one more sample after the last byte
    peak = sampler.peak_mb()
    return {"project_id": pid, "format": fmt, "seconds": round(seconds, 2),
            "first_byte_ms": round(first * 1e3, 1) if first is not None else None, "bytes": n,
            "mb_per_s": round(n / 1e6 / seconds, 1),
            "server_rss_before_mb": round(before, 1) if before else None, "server_rss_peak_mb": peak,
            "server_rss_growth_mb": round(peak - before, 1) if before and peak else None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base-url", default="http://127.0.0.1:8312")
    ap.add_argument("--token", required=True)
    ap.add_argument("--server-pid", type=int)
    ap.add_argument("--project", type=int, action="append", required=True)
    ap.add_argument("--formats", nargs="+", default=["manifest", "jsonl", "csv"])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--out")
    a = ap.parse_args()
    harness.assert_loopback(a.base_url)
    sampler = harness.RssSampler(a.server_pid, interval=0.05)
    results = []
    for pid in a.project:
        for fmt in a.formats:
            for _ in range(a.repeat):
                r = export_once(a.base_url, a.token, pid, fmt, sampler, a.timeout)
                print("export", json.dumps(r), flush=True)
                results.append(r)
    sampler.stop()
    if a.out:
        Path(a.out).write_text(json.dumps({"args": {k: v for k, v in vars(a).items() if k != "token"},
                                           "export": results}, indent=1))


if __name__ == "__main__":
    main()
