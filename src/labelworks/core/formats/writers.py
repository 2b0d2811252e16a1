"""Streaming export writers: each turns ExportItems into byte chunks, one item at a time.

Every item appears exactly once; an item without labels is written as its input line unchanged
(as Ground Truth's intermediate manifest does).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import orjson

from ..errors import ValidationFailed
from ..tasktypes.base import ProjectSpec, TaskType
from .records import ExportItem, source_of, worker_responses
from .trl import TRL_FORMATS, TRL_MEDIA_TYPES, trl_writer
from .sft import SFT_FORMATS, SFT_MEDIA_TYPES, sft_writer
from .bedrock_evaluation import BEDROCK_EVALUATION_FORMATS, BEDROCK_EVALUATION_MEDIA_TYPES, bedrock_writer

__all__ = ["write_manifest", "write_jsonl", "write_csv", "writer_for", "write_detection", "EXPORT_FORMATS", "MEDIA_TYPES"]

EXPORT_FORMATS = ("manifest", "jsonl", "csv", "coco", "yolo", "voc", "masks", "gt-segmentation", "conll", "conll/bilou",
                  "jsonl-spans", "spacy-jsonl", "docbin", "parquet")
MEDIA_TYPES = {
    "manifest": ("application/jsonl", "output.manifest"),
    "jsonl": ("application/jsonl", "annotations.jsonl"),
    "csv": ("text/csv; charset=utf-8", "labels.csv"),
    "coco": ("application/json", "coco.json"),
    "yolo": ("application/zip", "yolo.zip"),
    "voc": ("application/zip", "voc.zip"),
    "masks": ("application/zip", "masks.zip"),
    "gt-segmentation": ("application/zip", "gt-segmentation.zip"),
    "conll": ("text/plain; charset=utf-8", "ner.conll"),
    **{f"conll/{s}": ("text/plain; charset=utf-8", f"ner-{s}.conll") for s in ("bio", "iob1", "bilou", "bioes")},
    "jsonl-spans": ("application/jsonl", "spans.jsonl"),
    "spacy-jsonl": ("application/jsonl", "spacy.jsonl"),
    "docbin": ("application/octet-stream", "ner.spacy"),
    "parquet": ("application/vnd.apache.parquet", "dataset.parquet"),
}
# TRL's supervised fine-tuning datasets of the demonstration task types (core/formats/sft.py)
EXPORT_FORMATS = (*EXPORT_FORMATS, *SFT_FORMATS)  # type: ignore[assignment]
MEDIA_TYPES.update(SFT_MEDIA_TYPES)
# preference data of text-ranking projects as TRL's DPO, reward and KTO datasets (core/formats/trl.py)
EXPORT_FORMATS = (*EXPORT_FORMATS, *TRL_FORMATS)  # type: ignore[assignment]
MEDIA_TYPES.update(TRL_MEDIA_TYPES)
# model-evaluation answers as Amazon Bedrock's human-evaluation output records (core/formats/bedrock_evaluation.py)
EXPORT_FORMATS = (*EXPORT_FORMATS, *BEDROCK_EVALUATION_FORMATS)  # type: ignore[assignment]
MEDIA_TYPES.update(BEDROCK_EVALUATION_MEDIA_TYPES)
_CHUNK = 64 * 1024
Writer = Callable[[Iterable[ExportItem], TaskType, ProjectSpec, str], Iterator[bytes]]


def _chunked(lines: Iterable[bytes]) -> Iterator[bytes]:
    buf: list[bytes] = []
    size = 0
    for line in lines:
        buf.append(line)
        size += len(line)
        if size >= _CHUNK:
            yield b"".join(buf)
            buf, size = [], 0
    if buf:
        yield b"".join(buf)


def write_manifest(items: Iterable[ExportItem], task_type: TaskType, spec: ProjectSpec, created: str) -> Iterator[bytes]:
    def lines() -> Iterator[bytes]:
        for item in items:
            if item.answer is None:
                yield item.data_raw + b"\n"
                continue
            out = item.data
            out.update(task_type.output_fields_with_item(item.answer, spec, created, out))
            # segmentation labels are Ground Truth's ``<attr>-ref`` with ``<attr>-ref-metadata``
            meta = out.get(f"{spec.label_attribute}-metadata", out.get(f"{spec.label_attribute}-ref-metadata"))
            if isinstance(meta, dict):  # the quality record rides along in the label's metadata
                meta["consolidation"] = _consolidation(item)
                meta["worker-responses"] = worker_responses(item)["answers"]
                if meta.get("type") == "groundtruth/label-verification":
                    # Ground Truth's verification output lists the workers' comments (absent when none)
                    feedback = [{"comment": a.value["comment"]} for a in item.annotations
                                if isinstance(a.value.get("comment"), str) and a.value["comment"]]
                    if feedback:
                        meta["worker-feedback"] = feedback
                if item.reviews:
                    meta["review"] = item.reviews
            yield orjson.dumps(out) + b"\n"

    return _chunked(lines())


def _consolidation(item: ExportItem) -> dict[str, Any]:
    answer = item.answer
    assert answer is not None
    out: dict[str, Any] = {"method": answer.method, "params": item.answer_params,
                           "confidence": answer.confidence, "votes": answer.votes}
    if answer.confidence_map:
        out["confidence_map"] = answer.confidence_map
    if answer.object_confidence:
        out["object_confidence"] = list(answer.object_confidence)
    return out


def write_jsonl(items: Iterable[ExportItem], task_type: TaskType, spec: ProjectSpec, created: str) -> Iterator[bytes]:
    def lines() -> Iterator[bytes]:
        for item in items:
            answer: dict[str, Any] | None = None
            if item.answer is not None:
                answer = {"value": item.answer.value, **_consolidation(item)}
            row = {
                "item_id": item.id,
                "key": item.key,
                "data": orjson.Fragment(item.data_raw),
                "annotations": [
                    {"id": a.id, "worker": a.worker, "value": a.value, "version": a.version,
                     "source": a.source, "active_ms": a.active_ms, "created_at": a.created_at}
                    for a in item.annotations
                ],
                "consolidated": answer,
                "worker_responses": worker_responses(item),
                "review": item.reviews,
            }
            yield orjson.dumps(row) + b"\n"

    return _chunked(lines())


def write_csv(items: Iterable[ExportItem], task_type: TaskType, spec: ProjectSpec, created: str) -> Iterator[bytes]:
    def lines() -> Iterator[bytes]:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["item_id", "key", "source", "label", "confidence", "votes", "workers"])
        for item in items:
            label, conf, votes = "", "", 0
            if item.answer is not None:
                value = item.answer.value
                label = ";".join(value["labels"]) if "labels" in value else str(value.get("label", ""))  # type: ignore[arg-type]
                conf = f"{item.answer.confidence:.2f}"
                votes = item.answer.votes
            workers = ";".join(sorted({a.worker for a in item.annotations}))
            w.writerow([item.id, item.key, source_of(item.data) or "", label, conf, votes, workers])
            yield buf.getvalue().encode()
            buf.seek(0)
            buf.truncate()

    return _chunked(lines())


def write_detection(fmt: str) -> Writer:
    """A COCO / YOLO / VOC writer: every item as an image with its consensus boxes (or, while
    unlabeled, its pre-annotations). The items are read and checked first, each spooled to disk,
    then the file is written from the spool (``streaming.py`` says why), a few KiB at a time."""
    from .coco import stream_coco
    from .detection import ImageBoxes, dataset_from_items
    from .streaming import DiskList, closing
    from .voc import stream_voc_zip
    from .yolo import stream_yolo_layout, yolo_image

    def write(items: Iterable[ExportItem], task_type: TaskType, spec: ProjectSpec, created: str) -> Iterator[bytes]:
        # checked before the first chunk, so a wrong project fails before any byte is written
        if task_type.value_kind(spec) != "boxes":
            raise ValidationFailed(f"{fmt} export needs a bounding-box project, not {task_type.name}", field="format")
        labels = list(spec.labels.labels)
        seen = set(labels)
        spool = DiskList()
        for item in items:
            image = dataset_from_items([item], ()).images[0]  # one item at a time: checked, in pixels
            if fmt == "yolo" and not (image.width and image.height):
                raise ValidationFailed(f"{image.image}: YOLO needs the image's size, which is unknown", field="image")
            for box in image.boxes:  # labels no longer in the project come after, as they appear
                if box["label"] not in seen:
                    seen.add(box["label"])
                    labels.append(box["label"])
            spool.append([image.image, image.width, image.height, image.boxes])
        images = spool.mapped(lambda row: ImageBoxes(row[0], row[1], row[2], tuple(row[3])))
        if fmt == "coco":
            return closing(stream_coco(images, labels), spool)
        if fmt == "voc":
            return closing(stream_voc_zip(images, labels), spool)
        return closing(stream_yolo_layout(labels, spool.mapped(
            lambda row: yolo_image(ImageBoxes(row[0], row[1], row[2], tuple(row[3])), labels))), spool)

    return write


STREAMED_OBJECT_FORMATS = ("coco/polygons", "yolo/polygons", "coco/keypoints", "yolo/keypoints")


def write_objects(fmt: str) -> Writer:
    """COCO / YOLO of polygons or keypoints (the internal names ``task_formats.resolve_export`` gives them), as
    :func:`write_detection` writes boxes: every item read, checked and spooled, then the file."""
    from .coco_keypoints import keypoint_categories, stream_coco_keypoints
    from .coco_shapes import stream_coco_polygons
    from .objects import ImageObjects, objects_from_items
    from .streaming import DiskList, closing
    from .yolo_pose import stream_yolo_pose_zip
    from .yolo_seg import stream_yolo_seg_zip

    family, _, kind = fmt.partition("/")

    def write(items: Iterable[ExportItem], task_type: TaskType, spec: ProjectSpec, created: str) -> Iterator[bytes]:
        if task_type.value_kind(spec) != kind:  # checked before the first chunk
            raise ValidationFailed(f"{fmt} export needs a project of {kind}, not {task_type.name}", field="format")
        labels = list(spec.labels.labels)
        seen = set(labels)
        spool = DiskList()
        for item in items:
            image = objects_from_items([item], (), kind).images[0]
            if family == "yolo" and not (image.width and image.height):
                raise ValidationFailed(f"{image.image}: YOLO needs the image's size, which is unknown", field="image")
            for obj in image.objects:
                if obj["label"] not in seen:
                    seen.add(obj["label"])
                    labels.append(obj["label"])
            spool.append([image.image, image.width, image.height, image.objects, image.meta])
        images = spool.mapped(lambda row: ImageObjects(row[0], row[1], row[2], tuple(row[3]), row[4]))
        if kind == "polygons":
            return closing((stream_coco_polygons if family == "coco" else stream_yolo_seg_zip)(images, labels), spool)
        cats, slot = keypoint_categories(images, labels)
        return closing((stream_coco_keypoints if family == "coco" else stream_yolo_pose_zip)(images, cats, slot), spool)

    return write


def writer_for(fmt: str) -> Writer:
    writers: dict[str, Writer] = {"manifest": write_manifest, "jsonl": write_jsonl, "csv": write_csv,
                                  "coco": write_detection("coco"), "yolo": write_detection("yolo"),
                                  "voc": write_detection("voc")}
    if fmt in STREAMED_OBJECT_FORMATS:  # as task_formats.resolve_export named them
        return write_objects(fmt)
    if fmt in TRL_FORMATS:
        return trl_writer(fmt)  # type: ignore[no-any-return]
    if fmt in SFT_FORMATS:
        return sft_writer(fmt)  # type: ignore[no-any-return]
    if fmt in BEDROCK_EVALUATION_FORMATS:
        return bedrock_writer(fmt)  # type: ignore[no-any-return]
    from .segmentation_formats import SEGMENTATION_WRITERS, segmentation_writer

    if fmt in SEGMENTATION_WRITERS:
        return segmentation_writer(fmt)
    from .text_spans import TEXT_WRITERS, text_writer

    if fmt in TEXT_WRITERS:
        return text_writer(fmt)  # type: ignore[no-any-return]
    try:
        return writers[fmt]
    except KeyError:
        raise ValidationFailed(
            f"unknown export format {fmt!r}; known: {', '.join(EXPORT_FORMATS)}", field="format"
        ) from None
