"""Item keys are stable: the same object gives the same key whatever its key order."""

from __future__ import annotations

import io
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from labelworks.core.formats.readers import read_manifest, read_rows
from labelworks.core.formats.records import ParsedLine, item_key

_scalars = st.none() | st.booleans() | st.integers(-2**53, 2**53) | st.text(max_size=20)
_json = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                     max_leaves=12)
_objects = st.dictionaries(st.text(max_size=10), _json, max_size=6)


def _reorder(value: Any, rnd: st.DataObject) -> Any:
    if isinstance(value, dict):
        keys = rnd.draw(st.permutations(list(value)))
        return {k: _reorder(value[k], rnd) for k in keys}
    if isinstance(value, list):
        return [_reorder(v, rnd) for v in value]
    return value


@given(_objects, st.data())
def test_key_order_does_not_change_the_key(obj: dict[str, Any], data: st.DataObject) -> None:
    shuffled = _reorder(obj, data)
    assert item_key(shuffled) == item_key(obj)


@given(_objects.map(lambda d: {"source": "x", **d}), st.data())
def test_readers_give_the_same_key_as_item_key(obj: dict[str, Any], data: st.DataObject) -> None:
    obj["source"] = "x"
    shuffled = _reorder(obj, data)
    (line,) = list(read_manifest(io.BytesIO(json.dumps(shuffled).encode() + b"\n")))
    (row,) = list(read_rows([obj]))
    assert isinstance(line, ParsedLine) and isinstance(row, ParsedLine)
    assert line.key == row.key == item_key(obj)


def test_different_values_give_different_keys() -> None:
    assert item_key({"source": "a"}) != item_key({"source": "b"})
    assert item_key({"source": "a", "n": 1}) != item_key({"source": "a", "n": "1"})
    assert len(item_key({"source": "a"})) == 32
