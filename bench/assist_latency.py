"""Issue 4: latency of every built-in assist, in-process on the CPU (what one API call costs beyond
HTTP and image decoding).

For each assist: the first call (which loads its model: its LazyModel's load time is reported
apart) and then p50 / p95 over N calls, on images that ship in wheels at their own size and
upscaled to 4000×3000 (a 12-megapixel photo):

    astronaut  skimage.data.astronaut()          512×512   faces, person, pose, grabcut, magic wand, slic
    coins      skimage.data.coins() as RGB       384×303   grabcut (a coin), magic wand
    china      sklearn's sample image china.jpg  640×427   faces (none), slic
    text       two lines drawn with Pillow       640×200   text (RapidOCR)

Run:  .venv/bin/python bench/assist_latency.py [--runs 20] [--big-runs 5] [--json bench/results/assist_latency.json]

Prints a Markdown table (for bench/RESULTS.md) and writes the raw timings as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from labelworks.assist.builtin.mediapipe_models import FACES, PERSON, POSE  # noqa: E402
from labelworks.assist.builtin.ocr import OCR  # noqa: E402
from labelworks.assist.registry import registered_assists  # noqa: E402

BIG = (4000, 3000)
LOADERS = {"faces": FACES, "person": PERSON, "pose": POSE, "text": OCR}


def images() -> dict[str, np.ndarray]:
    from PIL import Image, ImageDraw, ImageFont
    from skimage import data
    from sklearn.datasets import load_sample_image

    text = Image.new("RGB", (640, 200), "white")
    draw = ImageDraw.Draw(text)
    font = ImageFont.load_default(size=48)
    draw.text((30, 30), "Labelworks 2026", fill="black", font=font)
    draw.text((30, 110), "ASSIST TEXT", fill=(20, 20, 120), font=font)
    return {"astronaut": data.astronaut(), "coins": np.stack([data.coins()] * 3, axis=-1),
            "china": load_sample_image("china.jpg"), "text": np.asarray(text)}


def scaled(params: dict[str, Any], sx: float, sy: float) -> dict[str, Any]:
    """Pixel parameters moved to the upscaled image."""
    out = dict(params)
    if "box" in out:
        b = out["box"]
        out["box"] = {"left": b["left"] * sx, "top": b["top"] * sy, "width": b["width"] * sx, "height": b["height"] * sy}
    if "x" in out:
        out["x"], out["y"] = out["x"] * sx, out["y"] * sy
    return out


# (assist, image, params) in the order they run: the OpenCV tools first (nothing to load)
CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("grabcut", "coins", {"box": {"left": 301, "top": 12, "width": 68, "height": 64}}),
    ("grabcut", "astronaut", {"box": {"left": 140, "top": 20, "width": 200, "height": 200}}),
    ("magic-wand", "coins", {"x": 10, "y": 150, "tolerance": 24}),
    ("magic-wand", "astronaut", {"x": 30, "y": 30, "tolerance": 24}),
    ("slic", "astronaut", {"segments": 400}),
    ("slic", "china", {"segments": 400}),
    ("faces", "astronaut", {}),
    ("faces", "china", {}),
    ("person", "astronaut", {}),
    ("pose", "astronaut", {}),
    ("text", "text", {}),
]


def timed(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--big-runs", type=int, default=5)
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "assist_latency.json")
    args = ap.parse_args()
    warnings.filterwarnings("ignore", message=r"SymbolDatabase\.GetPrototype")
    assists = registered_assists()
    imgs = images()
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for name, image_name, params in CASES:
        assist = assists[name]
        image = imgs[image_name]
        h, w = image.shape[:2]
        first = None
        if name not in seen:  # the first call of this assist in the process: loads its model
            first = timed(lambda: assist.run(image, params))
            seen.add(name)
        times = [timed(lambda: assist.run(image, params)) for _ in range(args.runs)]
        big = cv2.resize(image, BIG, interpolation=cv2.INTER_LINEAR)
        big_params = scaled(params, BIG[0] / w, BIG[1] / h)
        regions = assist.run(big, big_params).regions  # warm at this size, and what it finds there
        big_times = [timed(lambda: assist.run(big, big_params)) for _ in range(args.big_runs)]
        loader = LOADERS.get(name)
        row = {"assist": name, "image": image_name, "size": f"{w}×{h}", "first_s": first,
               "load_s": loader.load_seconds if loader is not None and first is not None else None,
               "p50_s": statistics.median(times), "p95_s": pct(times, 0.95), "runs": args.runs,
               "big_p50_s": statistics.median(big_times), "big_p95_s": pct(big_times, 0.95),
               "big_runs": args.big_runs, "big_regions": len(regions)}
        rows.append(row)
        print(f"{name:10s} {image_name:9s} p50 {row['p50_s'] * 1000:8.1f} ms  4000×3000 p50 {row['big_p50_s'] * 1000:8.1f} ms",
              file=sys.stderr)

    def ms(v: float | None) -> str:
        return "" if v is None else f"{v * 1000:,.0f}" if v >= 0.1 else f"{v * 1000:.1f}"

    print("| assist | image | first call (ms) | of which model load (ms) | p50 (ms) | p95 (ms) | 4000×3000 p50 (ms) | 4000×3000 p95 (ms) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['assist']} | {r['image']} {r['size']} | {ms(r['first_s'])} | {ms(r['load_s'])} | {ms(r['p50_s'])} | "
              f"{ms(r['p95_s'])} | {ms(r['big_p50_s'])} | {ms(r['big_p95_s'])} |")
    decode = decode_times(imgs["astronaut"], args.big_runs)
    print()
    print("| reading the item's image (services/assist.py load_image) | p50 (ms) |")
    print("|---|---|")
    for what, seconds in decode.items():
        print(f"| {what} | {ms(seconds)} |")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "cpus": os.cpu_count(), "machine": platform.machine(),
            "loadavg_after": os.getloadavg(), "opencv": cv2.__version__}
    args.json.write_text(json.dumps({"meta": meta, "rows": rows, "decode_p50_s": decode}, indent=1))


def decode_times(image: np.ndarray, runs: int) -> dict[str, float]:
    """What the first assist call on an image pays before the assist runs (later calls hit the cache)."""
    import tempfile

    from PIL import Image

    from labelworks.services.assist import load_image

    big = cv2.resize(image, BIG, interpolation=cv2.INTER_LINEAR)
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("jpg", "png"):
            path = Path(tmp) / f"big.{fmt}"
            Image.fromarray(big).save(path, quality=90) if fmt == "jpg" else Image.fromarray(big).save(path)
            times = [timed(lambda: load_image(str(path), [Path(tmp)])) for _ in range(runs)]
            out[f"4000×3000 {fmt.upper()} ({path.stat().st_size / 2**20:.1f} MiB): read and decode"] = statistics.median(times)
    return out


if __name__ == "__main__":
    main()
