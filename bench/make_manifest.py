#!/usr/bin/env python3
"""Write an N-line Ground Truth input manifest ({"source": text} per line) with the harness's texts.

    python bench/make_manifest.py 1000000 /tmp/lwbench/m1m.manifest [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from labelworks_adapter import harness  # noqa: E402  (the shared harness, loaded by path)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    with a.out.open("w") as fh:
        for i in range(a.n):
            fh.write(json.dumps({"source": harness.make_text(i, rng)}) + "\n")
    print(f"{a.n} lines, {a.out.stat().st_size} bytes in {a.out}")


if __name__ == "__main__":
    main()
