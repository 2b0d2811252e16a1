"""Label verification (Ground Truth's verification job): the ``label-verification`` task type.

Each item carries an earlier label, typically a line of a finished (chained) project's output
manifest: ``<attr>`` and ``<attr>-metadata`` beside ``source-ref``. The worker sees the image and a
description of that label, picks a verdict among the project's labels (e.g. ``Correct`` /
``Incorrect``) and may comment. The default template posts::

    {"verdict": {"label": "Incorrect"}, "comment": "the box misses the bird's tail"}

The canonical value is ``{"label": verdict}`` plus ``"comment"`` when the worker wrote one, so
every categorical consolidator (value kind ``label``) applies; majority vote by default.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..consolidation.majority import Consolidated, majority_single
from ..errors import ValidationFailed
from .base import ProjectSpec, TaskType

__all__ = ["LabelVerificationTaskType", "LABEL_VERIFICATION", "MAX_COMMENT"]

MAX_COMMENT = 5_000

# The earlier label is found by its metadata (any ``*-metadata`` whose ``type`` is a Ground Truth
# type), so one template serves any attribute name. The LAST such label that is not itself a
# verification is drawn over the image by <lw-label-verification-view> (a chained line lists older
# labels first); every earlier label is also listed as text. Every value goes through autoescape.
_TEMPLATE = """<lw-form>
  {%- assign drawn = "" %}
  {%- for entry in task.input %}{% assign meta = entry[1] %}
    {%- if meta.type contains "groundtruth/" and meta.type != "groundtruth/label-verification" %}
      {%- assign drawn = entry[0] | remove_last: "-metadata" %}{% endif %}
  {%- endfor %}
  {%- assign drawn_meta = drawn | append: "-metadata" %}
  <lw-classifier name="verdict" categories="{{ labels | to_json }}" header="{{ header }}">
    <classification-target>
      <lw-label-verification-view attribute="{{ drawn }}"
        src="{{ task.input.source-ref | default: task.input.source | grant_read_access }}"
        {%- if drawn != "" %} label-metadata="{{ task.input[drawn_meta] | to_json }}"
        {%- if task.input[drawn_meta].type contains "segmentation" %}
        mask-src="{{ task.input[drawn] | grant_read_access }}"{% comment %}the PNG once, not twice{% endcomment %}
        {%- else %}
        label-data="{{ task.input[drawn] | to_json }}"{% endif %}{% endif %}>
      </lw-label-verification-view>
    </classification-target>
  </lw-classifier>
  <details class="lw-earlier-labels" aria-label="Labels to verify"><summary>Labels as text</summary>
  {%- for entry in task.input %}{% assign meta = entry[1] %}{% if meta.type contains "groundtruth/" %}
    {%- assign attr = entry[0] | remove_last: "-metadata" %}{% assign earlier = task.input[attr] %}
    <div class="lw-earlier-label" data-attribute="{{ attr }}" data-type="{{ meta.type }}">
      <strong>{{ attr }}</strong>
      {%- if meta.class-name %}: <span class="lw-earlier-class">{{ meta.class-name }}</span>{% endif %}
      {%- if earlier.annotations %}
      <ul>
        {%- for a in earlier.annotations %}{% assign cid = a.class_id | append: "" %}
        <li>{{ meta.class-map[cid] | default: a.class_id }}
          {%- if a.width %} at left {{ a.left }}, top {{ a.top }}, {{ a.width }} &times; {{ a.height }}{% endif %}
          {%- if a.label-category-attributes %}
          <span class="lw-earlier-attributes">(
          {%- for kv in a.label-category-attributes %}{{ kv[0] }}: {{ kv[1] }}{% unless forloop.last %}; {% endunless %}
          {%- endfor %})</span>{% endif %}</li>
        {%- endfor %}
      </ul>
      {%- endif %}
      {%- if earlier.frame-attributes %}
      <div class="lw-earlier-frame">Image attributes:
        {%- for kv in earlier.frame-attributes %} {{ kv[0] }}: {{ kv[1] }}{% unless forloop.last %};{% endunless %}
        {%- endfor %}</div>
      {%- endif %}
    </div>
  {%- endif %}{% endfor %}
  </details>
  <label>Comment (optional)
    <textarea name="comment" maxlength="5000" rows="2"></textarea>
  </label>
</lw-form>
"""


class LabelVerificationTaskType(TaskType):
    name = "label-verification"
    title = "Label verification"
    media = "image"
    default_consolidator = "majority-vote"

    def value_kind(self, spec: ProjectSpec) -> str:
        return "label"

    def default_template(self, spec: ProjectSpec) -> str:
        return _TEMPLATE

    def normalize(self, value: Any, spec: ProjectSpec) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ValidationFailed("value must be an object", field="value")
        verdict, field, body = _verdict(value)
        if not isinstance(verdict, str) or not verdict:
            raise ValidationFailed("choose a verdict", field=field)
        if verdict not in spec.labels.labels:
            raise ValidationFailed(f"{verdict!r} is not one of the project's labels", field=field)
        out: dict[str, Any] = {"label": verdict}
        # the form's textarea posts beside the element; a bare answer carries it inline
        raw, cfield = (value["comment"], "value.comment") if "comment" in value else (
            body.get("comment"), f"{field.rsplit('.', 1)[0]}.comment")
        if raw is not None:
            if not isinstance(raw, str):
                raise ValidationFailed("must be text", field=cfield)
            comment = raw.strip()
            if len(comment) > MAX_COMMENT:
                raise ValidationFailed(f"at most {MAX_COMMENT} characters, got {len(comment)}", field=cfield)
            if comment:
                out["comment"] = comment
        return out

    def consolidate(self, values: Sequence[dict[str, Any]], spec: ProjectSpec) -> Consolidated | None:
        return majority_single([v["label"] for v in values if "label" in v], spec.labels.labels)

    def output_fields(self, answer: Consolidated, spec: ProjectSpec, created: str) -> dict[str, Any]:
        attr = spec.label_attribute
        name = str(answer.value["label"])
        class_id = spec.labels.labels.index(name) if name in spec.labels.labels else -1
        meta: dict[str, Any] = {
            "class-name": name,
            "confidence": round(answer.confidence, 2),
            "type": "groundtruth/label-verification",
            "human-annotated": "yes",
            "creation-date": created,
            "job-name": f"labeling-job/{spec.job_name}",
        }
        return {attr: class_id, f"{attr}-metadata": meta}


def _verdict(value: dict[str, Any]) -> tuple[Any, str, dict[str, Any]]:
    """(verdict, its field, the object holding it): bare ``{"label": …}`` or ``{"<element>": {"label": …}}``."""
    if "label" in value:
        return value["label"], "value.label", value
    inner = [(k, v) for k, v in value.items() if k != "comment" and isinstance(v, dict) and "label" in v]
    if len(inner) == 1:
        (name, body), = inner
        return body["label"], f"value.{name}.label", body
    if len(inner) > 1:
        raise ValidationFailed("one verdict per answer, got " + ", ".join(k for k, _ in inner), field="value")
    raise ValidationFailed("value needs 'label' (the verdict)", field="value.label")


LABEL_VERIFICATION = LabelVerificationTaskType()
