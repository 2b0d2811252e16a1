#!/usr/bin/env python3
"""Labelworks' aggregators beside crowd-kit on the shared synthetic workload, in one run.

    .venv/bin/python bench/crowdkit_speed.py --cases 100000x5 1000000x3 --json bench/results/crowdkit_speed.json

Two measurements per Labelworks method:

1. **harness**: ``/work/shared/bench/peer_crowdkit.py`` unchanged (imported by path, not copied),
   with our aggregators added to its ``AGGREGATORS``. Each case runs in a fresh process that
   imports crowd-kit (the harness does so for every case, ~209 MiB) and builds a pandas DataFrame
   with ``make_dataset``; ``peak_rss_mb`` is that process's high-water mark, so it includes both.
2. **lean**: the same ``make_dataset`` (same seed, same data) in a fresh process that never imports
   crowd-kit; the DataFrame is turned into three integer arrays and dropped, then the kernel's
   high-water mark is reset (``/proc/self/clear_refs`` = 5) and ``agg_peak_rss_mb`` is the peak
   *during the aggregation*: interpreter, numpy/pandas/scipy and our modules (imported before the
   clock, as the harness imports crowd-kit before its own), the input arrays and our working set.

Timing ``agg_s`` covers the aggregator call, including the conversion of the DataFrame to coded
arrays and building the result Series the harness scores.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HARNESS = Path(__file__).resolve().parents[2] / "shared" / "bench" / "peer_crowdkit.py"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HARNESS.parent))  # children (spawn) unpickle peer_crowdkit._run_case by name

import peer_crowdkit  # noqa: E402

assert Path(peer_crowdkit.__file__).resolve() == HARNESS.resolve()


def _encode(df: Any) -> Any:
    from labelworks.core.consolidation.truth.encode import encode

    return encode(df["task"].to_numpy(), df["worker"].to_numpy(), df["label"].to_numpy(), duplicates="all")


def _series(enc: Any, labels: Any, dtype: Any) -> Any:
    import numpy as np
    import pandas as pd

    values = np.asarray(enc.class_names)[labels].astype(dtype)
    return pd.Series(values, index=pd.Index(enc.task_names, name="task"))


def agg_labelworks_ds(df: Any, n_iter: int) -> tuple[Any, dict[str, Any]]:
    """Dawid-Skene as the platform runs it (<= 20 epochs, smoothing 1); the harness's n_iter=100
    is crowd-kit's cap and does not apply to Ground Truth's rule."""
    from labelworks.core.consolidation.truth.ds import dawid_skene

    enc = _encode(df)
    result = dawid_skene(enc)
    return _series(enc, result.labels, df["label"].dtype), {"iters_run": result.iterations}


def agg_labelworks_mv(df: Any, n_iter: int) -> tuple[Any, dict[str, Any]]:
    from labelworks.core.consolidation.truth.mv import majority_vote

    enc = _encode(df)
    return _series(enc, majority_vote(enc).labels, df["label"].dtype), {}


def agg_labelworks_ods(df: Any, n_iter: int) -> tuple[Any, dict[str, Any]]:
    from labelworks.core.consolidation.truth.onecoin import one_coin_dawid_skene

    enc = _encode(df)
    result = one_coin_dawid_skene(enc)
    return _series(enc, result.labels, df["label"].dtype), {"iters_run": result.iterations}


OURS = {
    "labelworks.DawidSkene": agg_labelworks_ds,
    "labelworks.MajorityVote": agg_labelworks_mv,
    "labelworks.OneCoinDS": agg_labelworks_ods,
}
peer_crowdkit.AGGREGATORS.update(OURS)


def _vm_hwm_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def _lean_case(n_items: int, overlap: int, n_classes: int, seed: int, method: str, q: Any) -> None:
    try:
        import numpy as np
        import pandas as pd

        # our modules (and the scipy parts they use) load before the clock and the memory mark,
        # as the harness loads crowd-kit before its own
        import labelworks.core.consolidation.truth  # noqa: F401

        df, truth, _ = peer_crowdkit.make_dataset(n_items, overlap, n_classes, seed)
        # keep the input as plain arrays, as a caller of the array API would hold it
        frame = pd.DataFrame({c: np.ascontiguousarray(df[c].to_numpy()) for c in ("task", "worker", "label")})
        truth_values = truth.to_numpy().copy()
        truth_index = truth.index
        del df, truth
        gc.collect()
        rss_before = peer_crowdkit.rss_mb()
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")  # reset the high-water mark: the peak below belongs to the aggregation
        base = _vm_hwm_mb()
        t0 = time.perf_counter()
        pred, info = OURS[method](frame, 100)
        agg_s = time.perf_counter() - t0
        peak = _vm_hwm_mb()
        accuracy = float((pred.reindex(truth_index).to_numpy() == truth_values).mean())
        q.put({"mode": "lean", "method": method, "items": n_items, "overlap": overlap, "agg_s": round(agg_s, 2),
               "accuracy": round(accuracy, 4), "rss_before_agg_mb": round(base, 1),
               "agg_peak_rss_mb": round(peak, 1), "ru_maxrss_after_gen_mb": round(rss_before, 1), **info})
    except Exception as exc:  # report, do not hang the parent
        q.put({"mode": "lean", "method": method, "error": repr(exc)})


def run_lean(n_items: int, overlap: int, n_classes: int, seed: int, method: str, timeout_s: int) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_lean_case, args=(n_items, overlap, n_classes, seed, method, q))
    p.start()
    try:
        res: dict[str, Any] = q.get(timeout=timeout_s)
    except Exception:
        res = {"mode": "lean", "method": method, "error": f"timeout after {timeout_s}s"}
        p.kill()
    p.join(10)
    return res


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", nargs="+", default=["100000x5", "1000000x3"])
    ap.add_argument("--classes", type=int, default=5)
    ap.add_argument("--iters", type=int, default=100, help="crowd-kit's n_iter (the harness default)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--methods", nargs="+", default=list(peer_crowdkit.AGGREGATORS))
    ap.add_argument("--no-lean", action="store_true")
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)

    import crowdkit
    import numpy as np
    import pandas as pd

    meta = {"python": sys.version.split()[0], "crowdkit": getattr(crowdkit, "__version__", "?"),
            "pandas": pd.__version__, "numpy": np.__version__, "cpu_count": os.cpu_count(),
            "loadavg_start": os.getloadavg()}
    print(json.dumps(meta), flush=True)
    results = []
    for case in a.cases:
        n, k = (int(x) for x in case.lower().split("x"))
        for method in a.methods:
            r = peer_crowdkit.run_case(n, k, a.classes, a.seed, method, a.iters, a.timeout)
            r["mode"] = "harness"
            r["loadavg"] = round(os.getloadavg()[0], 2)
            print(json.dumps(r), flush=True)
            results.append(r)
            if method in OURS and not a.no_lean:
                lean = run_lean(n, k, a.classes, a.seed, method, a.timeout)
                lean["loadavg"] = round(os.getloadavg()[0], 2)
                print(json.dumps(lean), flush=True)
                results.append(lean)
    meta["loadavg_end"] = os.getloadavg()
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps({"meta": meta, "results": results}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
