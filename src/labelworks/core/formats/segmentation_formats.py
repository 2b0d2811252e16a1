"""The mask formats' readers and writers, by the internal names ``task_formats`` resolves to:
``masks`` (PNG masks zip), ``gt-segmentation`` (Ground Truth output manifest, zip or plain) and
``coco/masks`` (COCO RLE / polygons for an instance-segmentation project)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, Any

from ..errors import ValidationFailed
from .records import BadLine, ParsedLine

__all__ = ["SEGMENTATION_READERS", "SEGMENTATION_WRITERS", "read_segmentation", "segmentation_writer"]

# gt-segmentation/<kind>: the project's kind, so that a line of the other kind is refused
SEGMENTATION_READERS = ("masks", "gt-segmentation", "gt-segmentation/semantic", "gt-segmentation/instance",
                        "coco/masks")
SEGMENTATION_WRITERS = ("masks", "gt-segmentation", "coco/masks")


def read_segmentation(stream: IO[bytes], fmt: str) -> Iterator[ParsedLine | BadLine]:
    """A dataset as items with pre-annotations: a malformed zip or COCO file is one bad line naming
    the field; a manifest's bad lines are reported one by one with their numbers."""
    from .readers import read_rows

    data = stream.read()
    if fmt.startswith("gt-segmentation"):
        from .gt_segmentation import gt_segmentation_rows

        kind = fmt.partition("/")[2] or None
        return (BadLine(n, row) if isinstance(row, str) else next(read_rows([row], n))
                for n, row in gt_segmentation_rows(data, kind))
    try:
        if fmt == "masks":
            from .masks import masks_item_rows, read_masks_zip

            rows = masks_item_rows(read_masks_zip(data))
        else:
            from .coco_masks import coco_masks_item_rows, read_coco_masks

            rows = coco_masks_item_rows(read_coco_masks(data))
    except ValidationFailed as exc:
        return iter([BadLine(1, exc.message)])
    return read_rows(rows)


def segmentation_writer(fmt: str) -> Callable[..., Any]:
    if fmt == "masks":
        from .masks import write_masks

        return write_masks
    if fmt == "gt-segmentation":
        from .gt_segmentation import write_gt_segmentation

        return write_gt_segmentation
    from .coco_masks import write_coco_instances

    return write_coco_instances
