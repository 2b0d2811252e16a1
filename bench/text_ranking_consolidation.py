"""Time text-ranking consolidation (ranking-bradley-terry on ordinalRankingDimensions) and the DPO
export's row building: N items, 3 workers, k responses, 2 dimensions (one with ties), noisy ranks.

    .venv/bin/python bench/text_ranking_consolidation.py [N] [k]
"""

from __future__ import annotations

import random
import sys
import time

import orjson

from labelworks.core.consolidation.base import Answer
from labelworks.core.consolidation.majority import Consolidated
from labelworks.core.consolidation.structured.consolidators import RankingBradleyTerry
from labelworks.core.formats.records import ExportItem
from labelworks.core.formats.trl import trl_rows
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec


def main(n: int, k: int) -> None:
    rng = random.Random(0)
    spec = ProjectSpec(parse_label_config({"labels": [{"label": "helpfulness"}, {"label": "harmlessness", "allowTie": True}]}))
    ids = [f"r{i + 1}" for i in range(k)]
    answers = []
    for item in range(n):
        truth = rng.sample(range(k), k)
        for worker in range(3):
            noisy = [t + rng.gauss(0, 0.8) for t in truth]
            ranks = [1 + sum(1 for o in noisy if o < x) for x in noisy]
            tied = [min(r, k - 1) for r in ranks]
            answers.append(Answer(item=str(item), worker=f"w{worker}", value={
                "responseIds": ids, "ordinalRankingDimensions": [
                    {"name": "helpfulness", "responseRankings": ranks},
                    {"name": "harmlessness", "responseRankings": [1 + sum(1 for o in tied if o < x) for x in tied]}]}))
    for bootstrap in (0, 50):
        started = time.perf_counter()
        fit = RankingBradleyTerry().fit(answers, spec, {"bootstrap": bootstrap})
        took = time.perf_counter() - started
        print(f"consolidate {n} items x 3 workers, k={k}, 2 dimensions, bootstrap={bootstrap}: "
              f"{took:.2f} s ({1000 * took / n:.2f} ms/item)")
    data = orjson.dumps({"prompt": "p", "responses": [f"text {i}" for i in range(k)]})
    items = [ExportItem(id=i, key=str(i), data_raw=data, answer=Consolidated(value=dict(fit.results[str(i)].value),
                                                                             confidence=1.0)) for i in range(n)]
    started = time.perf_counter()
    rows = sum(1 for _ in trl_rows("dpo", items, spec))
    took = time.perf_counter() - started
    print(f"dpo rows: {rows} from {n} items in {took:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000, int(sys.argv[2]) if len(sys.argv) > 2 else 4)
