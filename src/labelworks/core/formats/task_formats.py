"""Which formats fit which projects, and what ``--format coco`` means for each.

A dataset format names a family (``coco``, ``yolo``); the project's value kind picks the reader or
writer: COCO is boxes for a bounding-box project, polygons (segmentation) for a polygon project and
keypoints for a keypoint project. The services resolve the name the user gave into an internal one
(``coco/polygons``) before reading or writing, so a format that does not fit the project fails at
once with the task type and the formats it supports. Extend the tables to add a format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, Any

from ..errors import ValidationFailed
from .records import BadLine, ParsedLine

__all__ = ["resolve_import", "resolve_export", "import_formats_for", "export_formats_for", "read_objects",
           "OBJECT_READERS", "DATASET_IMPORTS", "DATASET_EXPORTS"]

# formats any project takes, whatever its task type
GENERAL_IMPORTS = ("manifest", "csv", "tsv", "json", "folder")
GENERAL_EXPORTS = ("manifest", "jsonl", "csv")

# value kind -> {format the user names: the internal reader}
IMPORTS_BY_KIND: dict[str, dict[str, str]] = {
    "boxes": {"coco": "coco", "yolo": "yolo", "voc": "voc", "gt-detection": "gt-detection",
              "gt-objects": "gt-detection"},
    "polygons": {"coco": "coco/polygons", "yolo": "yolo/polygons", "gt-objects": "gt-objects/polygons"},
    "polylines": {"gt-objects": "gt-objects/polylines"},
    "lines": {"gt-objects": "gt-objects/lines"},
    "keypoints": {"coco": "coco/keypoints", "yolo": "yolo/keypoints", "gt-objects": "gt-objects/keypoints"},
    # PNG label maps (core/formats/segmentation_formats.py)
    "semantic-segmentation": {"masks": "masks", "gt-segmentation": "gt-segmentation/semantic"},
    "instance-segmentation": {"coco": "coco/masks", "gt-segmentation": "gt-segmentation/instance"},
}
EXPORTS_BY_KIND: dict[str, dict[str, str]] = {
    "boxes": {"coco": "coco", "yolo": "yolo", "voc": "voc"},
    "polygons": {"coco": "coco/polygons", "yolo": "yolo/polygons"},
    "keypoints": {"coco": "coco/keypoints", "yolo": "yolo/keypoints"},
    "semantic-segmentation": {"masks": "masks", "gt-segmentation": "gt-segmentation"},
    "instance-segmentation": {"coco": "coco/masks", "gt-segmentation": "gt-segmentation"},
}
# task types whose value kind is shared with others (label-verification answers a "label")
IMPORTS_BY_TYPE: dict[str, dict[str, str]] = {
    "label-verification": {"gt-verification": "gt-verification"},
    # text formats (core/formats/text_spans.py); offsets in code points, see docs/formats.md
    "named-entity-recognition": {"gt-ner": "gt-ner", "conll": "conll", "jsonl-spans": "jsonl-spans",
                                 "spacy-jsonl": "spacy-jsonl", "docbin": "docbin", "parquet": "parquet"},
}
EXPORTS_BY_TYPE: dict[str, dict[str, str]] = {
    "named-entity-recognition": {"conll": "conll",
                                 **{f"conll/{s}": f"conll/{s}" for s in ("bio", "iob1", "bilou", "bioes")},
                                 "jsonl-spans": "jsonl-spans", "spacy-jsonl": "spacy-jsonl", "docbin": "docbin",
                                 "parquet": "parquet"},
    "text-classification": {"parquet": "parquet/classification"},
}
# demonstrations: TRL's SFT datasets (core/formats/sft.py); plain "parquet" means the messages shape
_SFT_EXPORTS = {f: f for f in ("sft-messages", "sft-prompt-completion", "sft-messages-parquet",
                               "sft-prompt-completion-parquet")} | {"parquet": "sft-messages-parquet"}
EXPORTS_BY_TYPE.update({"question-answer-generation": {**_SFT_EXPORTS, "sft-prompt-completion-text":
                                                       "sft-prompt-completion-text"},
                        "chat-demonstration": _SFT_EXPORTS, "image-captioning": _SFT_EXPORTS,
                        "video-captioning": _SFT_EXPORTS})

# preference data: TRL's DPO, reward and KTO datasets (core/formats/trl.py); plain "parquet" means DPO pairs
EXPORTS_BY_TYPE["text-ranking"] = {f: f for f in ("dpo", "reward", "kto", "dpo-parquet", "reward-parquet",
                                                  "kto-parquet", "dpo-text", "reward-text", "kto-text")} | {
    "parquet": "dpo-parquet"}

# human model evaluation: Amazon Bedrock's human-evaluation output records (core/formats/bedrock_evaluation.py)
EXPORTS_BY_TYPE["model-evaluation"] = {"bedrock-evaluation": "bedrock-evaluation"}

DATASET_IMPORTS = tuple(dict.fromkeys(f for t in (*IMPORTS_BY_KIND.values(), *IMPORTS_BY_TYPE.values()) for f in t))
DATASET_EXPORTS = tuple(dict.fromkeys(f for t in (*EXPORTS_BY_KIND.values(), *EXPORTS_BY_TYPE.values()) for f in t))


def import_formats_for(task_type: str, kind: str) -> dict[str, str]:
    return {**IMPORTS_BY_KIND.get(kind, {}), **IMPORTS_BY_TYPE.get(task_type, {})}


def export_formats_for(task_type: str, kind: str) -> dict[str, str]:
    return {**EXPORTS_BY_KIND.get(kind, {}), **EXPORTS_BY_TYPE.get(task_type, {})}


def _resolve(fmt: str, task_type: str, table: dict[str, str], general: tuple[str, ...], known: tuple[str, ...],
             verb: str) -> str:
    if fmt in general or fmt == "auto":
        return fmt
    if fmt in table:
        return table[fmt]
    if fmt in known:
        fits = [*(g for g in general if g != "folder"), *table]
        raise ValidationFailed(f"--format {fmt} does not fit a {task_type} project; a {task_type} project "
                               f"{verb} {', '.join(fits)}", field="format")
    return fmt  # unknown: the reader or writer names the known ones


def resolve_import(fmt: str, task_type: str, kind: str) -> str:
    """The internal reader for ``fmt`` in a project of this task type and value kind."""
    return _resolve(fmt, task_type, import_formats_for(task_type, kind), GENERAL_IMPORTS, DATASET_IMPORTS,
                    "imports")


def resolve_export(fmt: str, task_type: str, kind: str) -> str:
    """The internal writer for ``fmt`` in a project of this task type and value kind."""
    return _resolve(fmt, task_type, export_formats_for(task_type, kind), GENERAL_EXPORTS, DATASET_EXPORTS,
                    "exports")


def _coco_polygons(data: bytes) -> Any:
    from .coco_shapes import read_coco_polygons
    return read_coco_polygons(data)


def _coco_keypoints(data: bytes) -> Any:
    from .coco_keypoints import read_coco_keypoints
    return read_coco_keypoints(data)


def _yolo_polygons(data: bytes) -> Any:
    from .yolo_seg import read_yolo_seg_zip
    return read_yolo_seg_zip(data)


def _yolo_keypoints(data: bytes) -> Any:
    from .yolo_pose import read_yolo_pose_zip
    return read_yolo_pose_zip(data)


OBJECT_READERS: dict[str, Callable[[bytes], Any]] = {
    "coco/polygons": _coco_polygons, "coco/keypoints": _coco_keypoints, "yolo/polygons": _yolo_polygons,
    "yolo/keypoints": _yolo_keypoints}
# Ground Truth manifests: read line by line, each keeping its keys
LINE_READERS = ("gt-objects/polygons", "gt-objects/polylines", "gt-objects/lines", "gt-objects/keypoints",
                "gt-verification")


def read_objects(stream: IO[bytes], fmt: str) -> Iterator[ParsedLine | BadLine]:
    """A COCO / YOLO dataset as items with pre-annotations (one bad line naming the field when it is
    malformed), or a Ground Truth output manifest line by line (each bad line with its number)."""
    from .gt_objects import rows_reader
    from .objects import object_item_rows
    from .readers import read_rows

    data = stream.read()
    if fmt in LINE_READERS:
        family, _, kind = fmt.partition("/")
        return (BadLine(n, row) if isinstance(row, str) else next(read_rows([row], n))
                for n, row in rows_reader(family, kind)(data))
    try:
        return read_rows(object_item_rows(OBJECT_READERS[fmt](data)))
    except ValidationFailed as exc:
        return iter([BadLine(1, exc.message)])
