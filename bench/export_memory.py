"""Dataset exports' memory and time: COCO, YOLO and VOC of a bounding-box project, the PNG masks zip
of a semantic-segmentation project (and the streamed manifest as a yardstick), through
``services.exports.open_export`` as the API route and the export job call it.

    .venv/bin/python bench/export_memory.py [--images 20000] [--boxes 10] [--masks 2000] [--db PATH]

The projects are built once in a SQLite file (``--db``, kept between runs when given). Each format is
measured in a fresh process: the chunks are read and dropped (as the route hands them to the socket)
once plainly, for the seconds and the peak RSS above the RSS just before (sampled every 5 ms, after
a warm-up CSV export of the same project), then once under tracemalloc for the peak of Python
allocations. Chunk count and largest chunk are reported too.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

from labelworks.core.enums import Role
from labelworks.db.engine import Database
from labelworks.db.migrate import upgrade
from labelworks.services import accounts, exports, imports, projects

LABELS = ["car", "person", "bike", "truck", "bus"]
COLOURS = ["#2ca02c", "#1f77b4", "#ff7f0e", "#d62728", "#9467bd"]


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def build(db: Database, images: int, boxes: int, masks: int) -> dict[str, int]:
    import numpy as np
    from PIL import Image

    upgrade(db)
    org = accounts.ensure_org(db, "Bench")
    user = accounts.create_user(db, "bench@example.org", None, Role.MANAGER, org_id=org)
    actor = accounts.actor_by_id(db, user.id)
    box_pid = projects.create_project(db, actor, projects.ProjectInput(
        name="Boxes", task_type="bounding-box", labels=LABELS)).id
    for start in range(0, images, 5000):
        rows = []
        for i in range(start, min(images, start + 5000)):
            bb = [{"label": LABELS[(i + k) % len(LABELS)], "left": 10 + k * 31 + i % 7, "top": 20 + k * 17,
                   "width": 40 + k, "height": 30.5 + k} for k in range(boxes)]
            rows.append({"source-ref": f"s3://bench/images/{i:06d}.jpg", "lw-pre-annotations": {
                "boundingBoxes": bb, "inputImageProperties": {"width": 640, "height": 480}}})
        imports.import_rows(db, actor, box_pid, rows)
    mask_pid = projects.create_project(db, actor, projects.ProjectInput(
        name="Masks", task_type="semantic-segmentation", labels=LABELS)).id
    rng = np.random.default_rng(0)
    table = np.array([(255, 255, 255)] + [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in COLOURS],
                     dtype=np.uint8)
    for start in range(0, masks, 500):
        rows = []
        for i in range(start, min(masks, start + 500)):
            ids = np.zeros((256, 320), dtype=np.int64)
            for _ in range(6):  # a few rectangles of random classes
                y, x = rng.integers(0, 200), rng.integers(0, 260)
                ids[y:y + rng.integers(10, 56), x:x + rng.integers(10, 60)] = rng.integers(1, len(LABELS) + 1)
            buf = io.BytesIO()
            Image.fromarray(table[ids]).save(buf, format="PNG")
            rows.append({"source-ref": f"s3://bench/images/{i:06d}.jpg", "lw-pre-annotations": {
                "labeledImage": {"pngImageData": base64.b64encode(buf.getvalue()).decode()},
                "labelMappings": {lab: {"color": c} for lab, c in zip(LABELS, COLOURS, strict=True)},
                "inputImageProperties": {"width": 320, "height": 256}}})
        imports.import_rows(db, actor, mask_pid, rows)
    return {"user": user.id, "boxes": box_pid, "masks": mask_pid}


class _PeakRss:
    """The process's RSS sampled every 5 ms on a thread: the peak while running."""

    def __init__(self) -> None:
        self.peak = _rss_mib()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _rss_mib())

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return max(self.peak, _rss_mib())


def measure_one(db_path: str, user_id: int, pid: int, fmt: str) -> dict[str, object]:
    db = Database(f"sqlite:///{db_path}")
    actor = accounts.actor_by_id(db, user_id)
    # warm up: imports and the first query's caches are not the export's memory
    for _ in exports.open_export(db, actor, pid, "csv").chunks:
        pass
    rss0 = _rss_mib()
    sampler = _PeakRss()
    started = time.perf_counter()
    stream = exports.open_export(db, actor, pid, fmt)
    first = None
    size = count = largest = 0
    for chunk in stream.chunks:
        if first is None:
            first = time.perf_counter() - started
        size, count, largest = size + len(chunk), count + 1, max(largest, len(chunk))
    seconds = time.perf_counter() - started
    rss_peak = sampler.stop()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for _ in exports.open_export(db, actor, pid, fmt).chunks:
        pass
    traced = (tracemalloc.get_traced_memory()[1] - base) / 2**20
    tracemalloc.stop()
    db.dispose()
    return {"format": fmt, "seconds": round(seconds, 2), "first_chunk_s": round(first or 0, 2),
            "bytes": size, "chunks": count, "largest_chunk": largest,
            "rss_growth_mib": round(rss_peak - rss0, 1), "tracemalloc_peak_mib": round(traced, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--images", type=int, default=20_000)
    ap.add_argument("--boxes", type=int, default=10)
    ap.add_argument("--masks", type=int, default=2_000)
    ap.add_argument("--db", help="SQLite file to build (or reuse when it exists)")
    ap.add_argument("--formats", nargs="+", default=["manifest", "coco", "yolo", "voc", "masks"])
    ap.add_argument("--one", nargs=4, metavar=("DB", "USER", "PROJECT", "FORMAT"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(measure_one(a.one[0], int(a.one[1]), int(a.one[2]), a.one[3])))
        return
    tmp = tempfile.TemporaryDirectory()
    path = Path(a.db) if a.db else Path(tmp.name) / "bench.db"
    meta_path = path.with_suffix(".json")
    if not meta_path.exists():
        started = time.perf_counter()
        meta = build(Database(f"sqlite:///{path}"), a.images, a.boxes, a.masks)
        meta_path.write_text(json.dumps(meta))
        print(f"built {a.images:,} images x {a.boxes} boxes and {a.masks:,} masks in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    meta = json.loads(meta_path.read_text())
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| format | seconds | first chunk (s) | bytes | chunks | largest chunk | RSS growth (MiB) | "
          "tracemalloc peak (MiB) |\n|---|---|---|---|---|---|---|---|")
    for fmt in a.formats:
        pid = meta["masks"] if fmt == "masks" else meta["boxes"]
        out = subprocess.run([sys.executable, __file__, "--one", str(path), str(meta["user"]), str(pid), fmt],
                             check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"| {fmt} | {r['seconds']} | {r['first_chunk_s']} | {r['bytes']:,} | {r['chunks']:,} | "
              f"{r['largest_chunk']:,} | {r['rss_growth_mib']} | {r['tracemalloc_peak_mib']} |", flush=True)
    tmp.cleanup()


if __name__ == "__main__":
    main()
