"""Truth inference for categorical answers: majority vote, Dawid-Skene, one-coin DS, GLAD, MACE,
Wawa and zero-based skill.

Plain-array functions over :class:`Encoded` answers (what the benches and ``labelworks
aggregate`` call) and :class:`~labelworks.core.consolidation.base.Consolidator` subclasses in
``consolidators`` (what the platform calls through the plugin registry)::

    enc = encode(tasks, workers, labels, class_order=("cat", "dog"))
    result = dawid_skene(enc, encode_gold(enc, {"item-7": "dog"}))
    enc.class_names[result.labels[0]], result.confidence[0], result.worker_accuracy
"""

from .common import TruthResult
from .ds import dawid_skene
from .encode import Encoded, encode, encode_gold
from .glad import glad
from .mace import mace
from .mv import majority_vote
from .onecoin import one_coin_dawid_skene
from .wawa import wawa, zero_based_skill

__all__ = [
    "Encoded",
    "TruthResult",
    "dawid_skene",
    "encode",
    "encode_gold",
    "glad",
    "mace",
    "majority_vote",
    "one_coin_dawid_skene",
    "wawa",
    "zero_based_skill",
]
