#!/usr/bin/env python3
"""Side-by-side Markdown table from two harness result files (Labelworks, Label Studio).

    python bench/summarize.py /tmp/lwbench/results/lw-peer1.json /tmp/lwbench/results/ls-peer1.json

"ratio" is how many times better Labelworks is (throughput: LW / LS; time and latency: LS / LW).
Export formats are paired as: jsonl ~ JSON (full records), manifest ~ JSON_MIN, csv ~ CSV;
list queries by position (the fifth sorts by -id in Labelworks, by -text in Label Studio).
"""

from __future__ import annotations

import json
import sys


def _fmt(v, unit=""):
    if v is None:
        return "–"
    if isinstance(v, float):
        v = f"{v:,.1f}" if v < 1000 else f"{v:,.0f}"
    elif isinstance(v, int):
        v = f"{v:,}"
    return f"{v}{unit}"


def _ratio(lw, ls, higher_better):
    if not lw or not ls:
        return "–"
    r = lw / ls if higher_better else ls / lw
    return f"{r:,.1f}×" if r < 100 else f"{r:,.0f}×"


def rows(lw: dict, ls: dict):
    out = []

    def add(name, a, b, unit, higher_better):
        out.append((name, _fmt(a, unit), _fmt(b, unit), _ratio(a, b, higher_better)))

    for a, b in zip(lw.get("import", []), ls.get("import", [])):
        add(f"import {a['n_target']:,} (batches of {a['batch']:,}), tasks/s", a["tasks_per_s"], b["tasks_per_s"], "", True)
    for a, b in zip(lw.get("annotate", {}).get("text", []), ls.get("annotate", {}).get("text", [])):
        c = a["concurrency"]
        add(f"C={c}: annotations/s", a["annotations_per_s"], b["annotations_per_s"], "", True)
        add(f"C={c}: next-task p50 / p99, ms", a["next_task"].get("p50_ms"), b["next_task"].get("p50_ms"), "", False)
        out[-1] = (out[-1][0], f"{_fmt(a['next_task'].get('p50_ms'))} / {_fmt(a['next_task'].get('p99_ms'))}",
                   f"{_fmt(b['next_task'].get('p50_ms'))} / {_fmt(b['next_task'].get('p99_ms'))}", out[-1][3])
        out.append((f"C={c}: submit p50 / p99, ms",
                    f"{_fmt(a['submit'].get('p50_ms'))} / {_fmt(a['submit'].get('p99_ms'))}",
                    f"{_fmt(b['submit'].get('p50_ms'))} / {_fmt(b['submit'].get('p99_ms'))}",
                    _ratio(a["submit"].get("p50_ms"), b["submit"].get("p50_ms"), False)))
        out.append((f"C={c}: errors; server peak RSS", f"{a['errors']}; {_fmt(a['server_peak_rss_mb'], ' MiB')}",
                     f"{b['errors']}; {_fmt(b['server_peak_rss_mb'], ' MiB')}", ""))
    img_a = (lw.get("annotate", {}).get("image") or [None])[0]
    img_b = (ls.get("annotate", {}).get("image") or [None])[0]
    if img_a and img_b:
        add(f"image project C={img_a['concurrency']}: annotations/s (LW: whole-image class; LS: 1-3 boxes)",
            img_a["annotations_per_s"], img_b["annotations_per_s"], "", True)
    pairs = {"jsonl": "JSON", "manifest": "JSON_MIN", "csv": "CSV"}
    ls_exp = {e["format"]: e for e in ls.get("export", {}).get("text_big", [])}
    for a in lw.get("export", {}).get("text_big", []):
        b = ls_exp.get(pairs.get(a["format"], ""), {})
        name = f"export 100k: {a['format']} vs {pairs.get(a['format'])}"
        add(f"{name}, s", a["seconds"], b.get("seconds"), "", False)
        out.append((f"{name}: MB; server peak RSS",
                    f"{_fmt((a['bytes'] or 0) / 1e6)} MB; {_fmt(a['server_peak_rss_mb'], ' MiB')}",
                    f"{_fmt((b.get('bytes') or 0) / 1e6)} MB; {_fmt(b.get('server_peak_rss_mb'), ' MiB')}"
                    + (f" ({b['error'][:60]})" if b.get("error") else ""), ""))
    for a, b in zip(lw.get("list", []), ls.get("list", [])):
        name = a["query"] if a["query"] == b["query"] else f"{a['query']} / {b['query']}"
        out.append((f"list 100k {name}: p50 / p95, ms", f"{_fmt(a.get('p50_ms'))} / {_fmt(a.get('p95_ms'))}",
                    f"{_fmt(b.get('p50_ms'))} / {_fmt(b.get('p95_ms'))}" + (f" ({b['error'][:60]})" if b.get("error") else ""),
                    _ratio(a.get("p50_ms"), b.get("p50_ms"), False)))
    for k in ("start", "after_import", "after_annotate", "after_export", "end"):
        a, b = lw.get("idle_rss_mb", {}).get(k), ls.get("idle_rss_mb", {}).get(k)
        if a or b:
            add(f"server RSS idle ({k}), MiB", a, b, "", False)
    return out


def main() -> None:
    lw, ls = (json.load(open(p)) for p in sys.argv[1:3])
    print(f"| figure | Labelworks {lw.get('server_version', {}).get('release', '')} "
          f"| Label Studio {ls.get('server_version', {}).get('release', '')} | ratio |")
    print("|---|---|---|---|")
    for r in rows(lw, ls):
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
