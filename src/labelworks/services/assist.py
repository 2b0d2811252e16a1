"""Assists for tasks: a project's assist settings, running an assist on a leased task's image, and
batch pre-labeling (an assist's regions stored as the items' ``lw-pre-annotations``).

This layer knows the Assist protocol (core/assist.py) but not the implementations: the caller
(the API, a job) passes the assists it resolved from ``labelworks.assist.registry``, so services
stay below the model code in the layer order.
"""

from __future__ import annotations

import io
import json
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
import numpy.typing as npt
from sqlalchemy import select

from ..authz import authorize
from ..core.actor import Actor
from ..core.assist import Assist, AssistResult, TextInput, check_name, media_of
from ..core.errors import NotFound, PayloadTooLarge, ValidationFailed
from ..core.tasktypes.bounding_box import PRE_ANNOTATIONS_KEY
from ..db.base import utcnow
from ..db.engine import Database
from ..db.models import Item, Project, ProjectAssist
from .assignments import load_active_lease
from .media import open_media
from .projects import load_visible

__all__ = ["AssistSettings", "AssistTask", "get_settings", "update_settings", "task_for_assist", "enabled_for",
           "load_image", "run_on_task", "available_on_task", "prelabel", "pre_annotations_for", "PrelabelReport",
           "create_prelabel_job",
           "MAX_IMAGE_PIXELS", "MAX_IMAGE_BYTES"]

# The ceiling for an image (100 megapixels) and a file size no image that big exceeds.
MAX_IMAGE_PIXELS = 100_000_000
MAX_IMAGE_BYTES = 512 * 1024 * 1024
_MAX_BACKEND_ASSISTS = 50


@dataclass(frozen=True)
class AssistSettings:
    enabled: tuple[str, ...] | None = None  # None: every assist fitting the task type
    backend_url: str | None = None
    backend_assists: tuple[dict[str, Any], ...] = ()
    # per assist, its options: {"spacy-ner": {"label_map": {"ORG": "company"}}} (text assists read theirs)
    assist_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"enabled": list(self.enabled) if self.enabled is not None else None,
                "backend_url": self.backend_url, "backend_assists": list(self.backend_assists),
                "assist_options": {k: dict(v) for k, v in self.assist_options.items()}}


def _settings_of(row: ProjectAssist | None) -> AssistSettings:
    if row is None:
        return AssistSettings()
    enabled = json.loads(row.enabled) if row.enabled is not None else None
    return AssistSettings(tuple(enabled) if enabled is not None else None, row.backend_url,
                          tuple(json.loads(row.backend_assists or "[]")), json.loads(row.options or "{}"))


def _read_settings_row(db: Database, project_id: int) -> ProjectAssist | None:
    with db.read() as s:
        row = s.get(ProjectAssist, project_id)
        if row is not None:
            s.expunge(row)
        return row


def get_settings(db: Database, actor: Actor, project_id: int) -> AssistSettings:
    authorize(actor, "project.update")
    with db.read() as s:
        load_visible(s, actor, project_id)
        return _settings_of(s.get(ProjectAssist, project_id))


def update_settings(db: Database, actor: Actor, project_id: int, changes: Mapping[str, Any],
                    check: Callable[[AssistSettings], None]) -> AssistSettings:
    """Change ``enabled`` / ``backend_url`` / ``backend_assists``; ``check`` (from the assist layer)
    refuses names that do not exist and backends the server may not call."""
    authorize(actor, "project.update")
    unknown = set(changes) - {"enabled", "backend_url", "backend_assists", "assist_options"}
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationFailed(f"{name} is not an assist setting", field=name)
    with db.read() as s:
        load_visible(s, actor, project_id)
        current = _settings_of(s.get(ProjectAssist, project_id))
    enabled = changes.get("enabled", current.enabled)
    if enabled is not None:
        if not isinstance(enabled, list | tuple):
            raise ValidationFailed("enabled: expected a list of assist names or null", field="enabled")
        enabled = tuple(check_name(str(n), f"enabled[{i}]") for i, n in enumerate(enabled))
    url = changes.get("backend_url", current.backend_url)
    if url is not None and (not isinstance(url, str) or len(url) > 2000):
        raise ValidationFailed("backend_url: expected a URL of at most 2000 characters", field="backend_url")
    declared = changes.get("backend_assists", list(current.backend_assists))
    if not isinstance(declared, list | tuple) or len(declared) > _MAX_BACKEND_ASSISTS:
        raise ValidationFailed(f"backend_assists: a list of at most {_MAX_BACKEND_ASSISTS}", field="backend_assists")
    options = changes.get("assist_options", current.assist_options)
    if options is None:
        options = {}
    if not isinstance(options, Mapping) or len(options) > _MAX_BACKEND_ASSISTS:
        raise ValidationFailed("assist_options: an object {assist name: {option: value}}", field="assist_options")
    for name, value in options.items():
        check_name(str(name), f"assist_options.{name}")
        if not isinstance(value, Mapping):
            raise ValidationFailed(f"assist_options.{name}: expected an object", field=f"assist_options.{name}")
    merged = AssistSettings(enabled, url or None, tuple(declared), dict(options))
    check(merged)  # may resolve the backend's host name: before the write transaction, not inside it
    with db.write() as s:
        load_visible(s, actor, project_id)
        row = s.get(ProjectAssist, project_id)
        if row is None:
            row = ProjectAssist(project_id=project_id)
            s.add(row)
        row.enabled = json.dumps(list(merged.enabled)) if merged.enabled is not None else None
        row.backend_url = merged.backend_url
        row.backend_assists = json.dumps(list(merged.backend_assists))
        row.options = json.dumps(merged.assist_options)
        row.updated_by, row.updated_at = actor.user_id, utcnow()
        return merged


@dataclass(frozen=True)
class AssistTask:
    """What running an assist on a leased task needs: the project's type and settings, the image."""

    project_id: int
    task_type: str
    labels: tuple[str, ...]
    image_ref: str | None
    settings: AssistSettings
    item_id: int = 0
    text: str | None = None  # ``source`` when the task type's media is text


def _image_ref(data: Mapping[str, Any]) -> str | None:
    for key in ("source-ref", "source"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def task_for_assist(db: Database, actor: Actor, assignment_id: int) -> AssistTask:
    """The caller's own active lease (NotFound for anyone else's, Conflict once it has ended)."""
    authorize(actor, "task.label")
    with db.read() as s:
        a = load_active_lease(s, actor, assignment_id)
        p = s.get(Project, a.project_id)
        item = s.get(Item, a.item_id)
        if p is None or item is None:
            raise NotFound(f"no assignment {assignment_id}")
        labels = _project_labels(p)
        data = json.loads(item.data)
        return AssistTask(p.id, p.task_type, labels, _image_ref(data), _settings_of(s.get(ProjectAssist, p.id)),
                          item.id, _item_text(data))


def _item_text(data: Mapping[str, Any]) -> str | None:
    for key in ("source", "text"):  # as the NER template reads it
        value = data.get(key)
        if isinstance(value, str):
            return value
    return None


def text_input(db: Database, project_id: int, item_id: int, text: str, task_type: str, labels: tuple[str, ...],
               settings: AssistSettings, assist: str) -> TextInput:
    """What a text assist gets: the text, the project's labels, its options for this assist, and a
    nearest-labeled-neighbour lookup over the project's embedding index (loaded only if used)."""
    from ..core.labels import parse_label_config
    from .embeddings import nearest_labeled

    with db.read() as s:
        p = s.get(Project, project_id)
        config = parse_label_config(json.loads(p.label_config)) if p is not None else None
    return TextInput(text=text, labels=labels, task_type=task_type,
                     options=dict(settings.assist_options.get(assist, {})), project_id=project_id, item_id=item_id,
                     nearest_labeled=nearest_labeled(db, project_id, exclude_item=item_id),
                     document_labels=tuple(config.document_labels) if config is not None else ())


def _project_labels(p: Project) -> tuple[str, ...]:
    from ..core.labels import parse_label_config

    return tuple(parse_label_config(json.loads(p.label_config)).labels)


def enabled_for(task_type: str, settings: AssistSettings, assists: Mapping[str, Assist]) -> list[Assist]:
    """The project's assists: those it names, else those fitting its task type (and its backend's)."""
    if settings.enabled is not None:
        return [assists[n] for n in settings.enabled if n in assists]
    backend = {str(d.get("name")) for d in settings.backend_assists}
    return [a for a in assists.values() if task_type in a.task_types or a.name in backend]


def load_image(ref: str, roots: list[Path], max_pixels: int = MAX_IMAGE_PIXELS,
               max_bytes: int = MAX_IMAGE_BYTES) -> npt.NDArray[np.uint8]:
    """The item's image as RGB (EXIF orientation applied, as the browser shows it)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if urlparse(ref).scheme in ("http", "https", "data"):
        raise ValidationFailed("assists read images from the media store; this item's image is a web URL",
                               field="source-ref")
    media = open_media(ref, roots)
    if media.size is not None and media.size > max_bytes:
        raise PayloadTooLarge(f"the image is larger than {max_bytes // 2**20} MiB", field="source-ref")
    buf, size = io.BytesIO(), 0
    for chunk in media.chunks:
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLarge(f"the image is larger than {max_bytes // 2**20} MiB", field="source-ref")
        buf.write(chunk)
    buf.seek(0)
    try:
        with warnings.catch_warnings():
            # our own pixel cap below replaces Pillow's decompression-bomb warning
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(buf) as im:
                if im.width * im.height > max_pixels:
                    raise PayloadTooLarge(f"the image has {im.width}×{im.height} pixels, more than "
                                          f"{max_pixels // 1_000_000} megapixels", field="source-ref")
                rgb = ImageOps.exif_transpose(im).convert("RGB")
                return np.array(rgb, dtype=np.uint8)  # writable (np.asarray of a PIL image is read-only)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationFailed(f"the item's image cannot be read ({type(exc).__name__})",
                               field="source-ref") from None


class _DecodedImages:
    """The last few decoded images, so a worker's clicks on one image (GrabCut, then the wand, then
    GrabCut again) do not each re-read and re-decode a 12-megapixel file. Bounded by bytes; a local
    file is re-read when its modification time or size changed. Arrays handed out are read-only:
    an assist that needs to write copies first."""

    def __init__(self, max_bytes: int) -> None:
        self._max = max_bytes
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[str, tuple[Path, ...]], tuple[object, npt.NDArray[np.uint8]]] = OrderedDict()

    @staticmethod
    def _stamp(ref: str) -> object:
        parsed = urlparse(ref)
        if parsed.scheme not in ("", "file"):
            return None  # object stores: keys are not rewritten in place in practice
        try:
            st = Path(parsed.path if parsed.scheme == "file" else ref).stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def get(self, ref: str, roots: list[Path]) -> npt.NDArray[np.uint8]:
        key, stamp = (ref, tuple(roots)), self._stamp(ref)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and hit[0] == stamp:
                self._items.move_to_end(key)
                return hit[1]
        image = load_image(ref, roots)  # outside the lock: decoding takes a while
        image.flags.writeable = False
        with self._lock:
            self._items[key] = (stamp, image)
            self._items.move_to_end(key)
            while len(self._items) > 1 and sum(a.nbytes for _, a in self._items.values()) > self._max:
                self._items.popitem(last=False)
        return image


_decoded = _DecodedImages(max_bytes=256 * 1024 * 1024)


def _timed(assist: Assist, image: npt.NDArray[np.uint8], params: Mapping[str, Any]) -> AssistResult:
    started = time.perf_counter()
    result = assist.run(image, params)
    return AssistResult(result.assist, result.model, result.regions, time.perf_counter() - started)


def available_on_task(db: Database, actor: Actor, assignment_id: int,
                      resolve: Callable[[AssistSettings], Mapping[str, Assist]]) -> list[Assist]:
    task = task_for_assist(db, actor, assignment_id)
    return enabled_for(task.task_type, task.settings, resolve(task.settings))


def run_on_task(db: Database, actor: Actor, assignment_id: int, name: str, params: Mapping[str, Any],
                resolve: Callable[[AssistSettings], Mapping[str, Assist]], roots: list[Path]) -> AssistResult:
    """Run one enabled assist on the leased item's image; ``seconds`` is the assist's own time."""
    task = task_for_assist(db, actor, assignment_id)
    assist = next((a for a in enabled_for(task.task_type, task.settings, resolve(task.settings))
                   if a.name == name), None)
    if assist is None:
        raise NotFound(f"no assist {name!r} in this project")
    if media_of(assist) == "text":
        if task.text is None:
            raise ValidationFailed("this item has no text (source)", field="source")
        subject = text_input(db, task.project_id, task.item_id, task.text, task.task_type, task.labels,
                             task.settings, assist.name)
        return _timed(assist, subject, params)  # type: ignore[arg-type]  # a text assist's run takes TextInput
    if task.image_ref is None:
        raise ValidationFailed("this item has no image (source-ref)", field="source-ref")
    return _timed(assist, _decoded.get(task.image_ref, roots), params)


# ---- pre-labeling -----------------------------------------------------------------------------

def _bounds(points: list[dict[str, Any]]) -> tuple[float, float, float, float]:
    xs, ys = [float(p["x"]) for p in points], [float(p["y"]) for p in points]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def _label_for(region: Mapping[str, Any], labels: tuple[str, ...], fallback: str | None) -> str:
    label = region.get("label")
    if isinstance(label, str) and label in labels:
        return label
    return fallback if fallback is not None else labels[0]


def pre_annotations_for(task_type: str, regions: list[dict[str, Any]], labels: tuple[str, ...], model: str,
                        label: str | None = None) -> tuple[str, list[dict[str, Any]]]:
    """The element's ``initial-value`` key and objects for these regions, each marked ``source: "model"``.

    Boxes become polygons on a polygon project and polygons (text lines) boxes on a box project;
    keypoints keep the points whose name is one of the project's labels. Masks and superpixels
    have no place in these shapes and are left out.
    """
    mark = {"source": "model", "model": model}
    out: list[dict[str, Any]] = []
    if task_type == "bounding-box":
        for r in regions:
            if r["kind"] == "box":
                geometry = {k: r[k] for k in ("left", "top", "width", "height")}
            elif r["kind"] == "polygon":
                left, top, width, height = _bounds(r["points"])
                geometry = {"left": left, "top": top, "width": width, "height": height}
            else:
                continue
            if geometry["width"] > 0 and geometry["height"] > 0:
                out.append({"label": _label_for(r, labels, label), **geometry, **mark})
        return "boundingBoxes", out
    if task_type == "polygon":
        for r in regions:
            if r["kind"] == "polygon":
                vertices = [{"x": p["x"], "y": p["y"]} for p in r["points"]]
            elif r["kind"] == "box":
                x0, y0, x1, y1 = r["left"], r["top"], r["left"] + r["width"], r["top"] + r["height"]
                vertices = [{"x": x0, "y": y0}, {"x": x1, "y": y0}, {"x": x1, "y": y1}, {"x": x0, "y": y1}]
            else:
                continue
            out.append({"label": _label_for(r, labels, label), "vertices": vertices, **mark})
        return "polygons", out
    if task_type == "keypoint":
        for r in regions:
            if r["kind"] == "keypoints":
                out.extend({"label": p["label"], "x": p["x"], "y": p["y"], **mark}
                           for p in r["points"] if p["label"] in labels)
        return "keypoints", out
    if task_type == "named-entity-recognition":
        for r in regions:
            if r["kind"] == "span" and r.get("label") in labels:
                entity = {"label": r["label"], "startOffset": r["startOffset"], "endOffset": r["endOffset"], **mark}
                if "score" in r:
                    entity["score"] = r["score"]
                out.append(entity)
        return "entities", out
    raise ValidationFailed(f"pre-labeling does not support {task_type} projects yet", field="task_type")


def create_prelabel_job(db: Database, actor: Actor, project_id: int, assist: str, params: Mapping[str, Any],
                        label: str | None = None) -> int:
    """Write a ``prelabel`` job row (the caller enqueues it after this returns)."""
    from ..core.enums import JobKind
    from .jobs import add_job

    authorize(actor, "item.import")
    check_name(assist, "assist")
    with db.write() as s:
        load_visible(s, actor, project_id)
        return add_job(s, actor, project_id, JobKind.PRELABEL,
                       {"assist": assist, "params": dict(params), "label": label})


@dataclass
class PrelabelReport:
    items: int = 0
    labeled: int = 0
    objects: int = 0
    skipped_done: int = 0
    failed: list[dict[str, Any]] | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"items": self.items, "labeled": self.labeled, "objects": self.objects,
                "skipped_done": self.skipped_done, "failed": self.failed or [], "seconds": round(self.seconds, 2)}


def prelabel(db: Database, actor: Actor, project_id: int, assist: Assist, params: Mapping[str, Any],
             roots: list[Path], *, label: str | None = None,
             progress: Callable[[int, int], None] | None = None) -> PrelabelReport:
    """Run ``assist`` on every item nobody has submitted yet and store its regions as the item's
    pre-annotations. Objects an earlier run of the same model stored are replaced (a second run
    gives the same items, not twice the objects); everything else there is kept."""
    authorize(actor, "item.import")
    with db.read() as s:
        p = load_visible(s, actor, project_id)
        task_type, labels = p.task_type, _project_labels(p)
        ids = list(s.scalars(select(Item.id).where(Item.project_id == project_id, Item.done == 0).order_by(Item.id)))
    if label is not None and label not in labels:
        raise ValidationFailed(f"label {label!r} is not one of the project's labels", field="label")
    pre_annotations_for(task_type, [], labels, assist.model)  # an unsupported task type fails before any work
    settings = _settings_of(_read_settings_row(db, project_id))
    is_text = media_of(assist) == "text"
    report = PrelabelReport(items=len(ids), failed=[])
    started = time.perf_counter()
    for n, item_id in enumerate(ids, start=1):
        with db.read() as s:
            item = s.get(Item, item_id)
            data = json.loads(item.data) if item is not None else {}
        ref = _image_ref(data)
        image: npt.NDArray[np.uint8] | None = None
        try:
            if is_text:
                text = _item_text(data)
                if text is None:
                    raise ValidationFailed("the item has no text (source)", field="source")
                result = assist.run(text_input(db, project_id, item_id, text, task_type, labels,  # type: ignore[arg-type]
                                               settings, assist.name), params)
            else:
                if ref is None:
                    raise ValidationFailed("the item has no image (source-ref)", field="source-ref")
                image = load_image(ref, roots)
                result = assist.run(image, params)
        except (ValidationFailed, PayloadTooLarge, NotFound) as exc:
            assert report.failed is not None
            report.failed.append({"item_id": item_id, "error": exc.message})
            continue
        key, objects = pre_annotations_for(task_type, result.regions, labels, result.model, label)
        with db.write() as s:
            item = s.get(Item, item_id)
            if item is None or item.done:  # deleted, or labeled while the model ran: leave it alone
                report.skipped_done += 1
                continue
            current = json.loads(item.data)
            pre = current.get(PRE_ANNOTATIONS_KEY)
            pre = dict(pre) if isinstance(pre, dict) else {}
            kept = [o for o in pre.get(key, []) if not (isinstance(o, dict) and o.get("model") == result.model)]
            pre[key] = kept + objects
            if key == "entities":  # the contract's order: (startOffset, endOffset, label)
                pre[key].sort(key=lambda e: (e.get("startOffset", 0), e.get("endOffset", 0), e.get("label", "")))
            if image is not None:
                height, width = image.shape[:2]
                pre["inputImageProperties"] = {"width": width, "height": height}
            current[PRE_ANNOTATIONS_KEY] = pre
            item.data = json.dumps(current)
        report.labeled += 1
        report.objects += len(objects)
        if progress is not None:
            progress(n, len(ids))
    report.seconds = time.perf_counter() - started
    return report
