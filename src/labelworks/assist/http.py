"""An assist served by an HTTP model backend (a project's ``backend_url``).

The server POSTs ``{"assist": name, "params": {...}, "image": {"media_type": "image/png",
"width", "height", "base64": ...}}`` and expects the AssistResult JSON every built-in returns
(``{"model"?, "regions": [...]}``; core/assist.py validates it, naming the bad field). The image
travels inline so a backend needs no access to the media store. A backend assist declared with
``"media": "text"`` gets ``"text": "<the item's text>"`` and ``"labels": [...]`` (the project's)
instead of ``image``, and answers span or label regions. Calls go through the guarded
client (assist/outbound.py): public addresses only unless the server allows private ones, no
redirects, a timeout.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from ..core.assist import MEDIA, NEEDS, REGION_KINDS, AssistResult, TextInput, check_name, check_result
from ..core.errors import ValidationFailed
from .outbound import post_json

__all__ = ["HttpAssist", "backend_assists"]


@dataclass(frozen=True)
class HttpAssist:
    name: str
    title: str
    kinds: tuple[str, ...]
    needs: str
    url: str
    allow_private: bool = False
    timeout_s: float = 30.0
    task_types: tuple[str, ...] = ()
    media: str = "image"

    @property
    def model(self) -> str:
        return f"http:{self.name}"

    def run(self, image: npt.NDArray[np.uint8] | TextInput, params: Mapping[str, Any]) -> AssistResult:
        if isinstance(image, TextInput):
            body: dict[str, Any] = {"assist": self.name, "params": dict(params), "text": image.text,
                                    "labels": list(image.labels)}
            answer = post_json(self.url, body, allow_private=self.allow_private, timeout_s=self.timeout_s)
            return check_result(answer, self.name, self.model)
        ok, png = cv2.imencode(".png", np.ascontiguousarray(image[:, :, ::-1]))
        if not ok:
            raise RuntimeError("could not encode the image")
        height, width = image.shape[:2]
        body = {"assist": self.name, "params": dict(params),
                "image": {"media_type": "image/png", "width": width, "height": height,
                          "base64": base64.b64encode(png.tobytes()).decode("ascii")}}
        answer = post_json(self.url, body, allow_private=self.allow_private, timeout_s=self.timeout_s)
        return check_result(answer, self.name, self.model)


def backend_assists(url: str, declared: Any, *, allow_private: bool, timeout_s: float = 30.0) -> list[HttpAssist]:
    """The assists a project's backend serves, from its settings (``[{name, title, kinds, needs}]``)."""
    if not isinstance(declared, list):
        raise ValidationFailed("backend_assists: expected a list", field="backend_assists")
    out = []
    for i, d in enumerate(declared):
        at = f"backend_assists[{i}]"
        if not isinstance(d, dict):
            raise ValidationFailed(f"{at}: expected an object", field=at)
        name = check_name(str(d.get("name", "")), f"{at}.name")
        kinds = d.get("kinds", ["box"])
        if not isinstance(kinds, list) or not kinds or any(k not in REGION_KINDS for k in kinds):
            raise ValidationFailed(f"{at}.kinds: a list of {', '.join(REGION_KINDS)}", field=f"{at}.kinds")
        needs = d.get("needs", "none")
        if needs not in NEEDS:
            raise ValidationFailed(f"{at}.needs: one of {', '.join(NEEDS)}", field=f"{at}.needs")
        title = d.get("title") or name
        if not isinstance(title, str) or len(title) > 80:
            raise ValidationFailed(f"{at}.title: a string of at most 80 characters", field=f"{at}.title")
        media = d.get("media", "image")
        if media not in MEDIA:
            raise ValidationFailed(f"{at}.media: one of {', '.join(MEDIA)}", field=f"{at}.media")
        out.append(HttpAssist(name, title, tuple(kinds), needs, url, allow_private, timeout_s, media=media))
    return out
