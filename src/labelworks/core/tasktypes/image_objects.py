"""What the image task types with a list of objects share: unwrapping the element's output and
writing Ground Truth's object-list output manifest (boxes, polygons, lines, keypoints)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..consolidation.majority import Consolidated
from ..errors import ValidationFailed
from .base import ProjectSpec

__all__ = ["unwrap_answer", "objects_output"]


def unwrap_answer(value: Any, keys: Sequence[str], hint: str, *,
                  present: Sequence[str] = ()) -> tuple[dict[str, Any], str]:
    """A bare answer, or the form's ``{"<element name>": answer}``.

    A value is the bare answer when one of ``keys`` holds a list, or one of ``present`` is there at
    all (the element's own key, whose contents the caller checks). Returns the answer and the
    field path that errors inside it are named under.
    """
    if not isinstance(value, dict):
        raise ValidationFailed("value must be an object", field="value")
    if any(isinstance(value.get(k), list) for k in keys) or any(k in value for k in present):
        return value, "value"
    if len(value) == 1:
        (name, inner), = value.items()
        if isinstance(inner, dict) and any(k in inner for k in (*present, *keys)):
            return inner, f"value.{name}"
    raise ValidationFailed(f"value needs {hint}", field=f"value.{(*present, *keys)[0]}")


def objects_output(answer: Consolidated, spec: ProjectSpec, created: str, key: str, gt_type: str,
                   fields: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """``{attr: {annotations, image_size}, attr-metadata: {objects, class-map, type, …}}``.

    ``fields`` gives one object's geometry (``left``/``top``/… or ``points`` or ``x``/``y``); its
    ``class_id`` is the label's position in the project (-1 for a label no longer in it).
    """
    attr = spec.label_attribute
    value: Any = answer.value
    objects = list(value.get(key, [])) if isinstance(value, dict) else []
    annotations = []
    class_map: dict[str, str] = {}
    for obj in objects:
        label = str(obj["label"])
        class_id = spec.labels.labels.index(label) if label in spec.labels.labels else -1
        class_map[str(class_id)] = label
        annotations.append({"class_id": class_id, **fields(obj)})
    body: dict[str, Any] = {"annotations": annotations}
    props = value.get("inputImageProperties") if isinstance(value, dict) else None
    if isinstance(props, dict):
        # Ground Truth always writes depth 3 (it reports RGB whatever the file holds)
        body["image_size"] = [{"width": props["width"], "height": props["height"], "depth": 3}]
    conf = list(answer.object_confidence)
    meta = {
        "objects": [{"confidence": round(conf[i], 2) if i < len(conf) else round(answer.confidence, 2)}
                    for i in range(len(annotations))],
        "class-map": dict(sorted(class_map.items(), key=lambda kv: int(kv[0]))),
        "type": gt_type,
        "human-annotated": "yes",
        "creation-date": created,
        "job-name": f"labeling-job/{spec.job_name}",
    }
    return {attr: body, f"{attr}-metadata": meta}
