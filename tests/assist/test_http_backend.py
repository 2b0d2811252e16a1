"""The HTTP model backend against a real HTTP server on loopback, through the guarded client."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import cv2
import numpy as np
import pytest

from labelworks.assist.http import HttpAssist, backend_assists
from labelworks.assist.outbound import OutboundRefused, check_url
from labelworks.core.errors import ValidationFailed

IMAGE = np.zeros((40, 60, 3), np.uint8)
IMAGE[10:30, 20:50] = (255, 0, 0)


class Backend:
    """A model backend: finds the red rectangle, or misbehaves as ``mode`` says."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[dict[str, Any]] = []
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                backend.requests.append(body)
                if backend.mode == "redirect":
                    self.send_response(307)
                    self.send_header("Location", "http://169.254.169.254/")
                    self.end_headers()
                    return
                if backend.mode == "slow":
                    time.sleep(1.5)
                png = base64.b64decode(body["image"]["base64"])
                rgb = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)[:, :, ::-1]
                ys, xs = np.nonzero(rgb[:, :, 0] > 128)
                answer: Any = {"model": "red-finder-1", "regions": [
                    {"kind": "box", "left": int(xs.min()), "top": int(ys.min()), "width": int(xs.max() - xs.min() + 1),
                     "height": int(ys.max() - ys.min() + 1), "label": "red", "score": 0.9}]}
                if backend.mode == "bad":
                    answer["regions"][0]["width"] = "wide"
                data = json.dumps(answer).encode()
                self.send_response(500 if backend.mode == "error" else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/predict"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def backend() -> Iterator[Backend]:
    b = Backend()
    yield b
    b.server.shutdown()
    b.server.server_close()


def assist_for(backend: Backend, allow_private: bool = True, timeout_s: float = 5.0) -> HttpAssist:
    (a,) = backend_assists(backend.url, [{"name": "red-finder", "title": "Find red", "kinds": ["box"]}],
                           allow_private=allow_private, timeout_s=timeout_s)
    return a


def test_the_backend_gets_the_image_and_its_regions_come_back_marked_model(backend: Backend) -> None:
    result = assist_for(backend).run(IMAGE, {"threshold": 0.5})
    assert result.model == "red-finder-1"
    assert result.regions == [{"kind": "box", "source": "model", "left": 20.0, "top": 10.0, "width": 30.0,
                               "height": 20.0, "score": 0.9, "label": "red"}]
    (sent,) = backend.requests
    assert sent["assist"] == "red-finder" and sent["params"] == {"threshold": 0.5}
    assert (sent["image"]["width"], sent["image"]["height"], sent["image"]["media_type"]) == (60, 40, "image/png")


def test_loopback_is_refused_unless_the_server_allows_private_addresses(backend: Backend) -> None:
    with pytest.raises(OutboundRefused) as err:
        assist_for(backend, allow_private=False).run(IMAGE, {})
    assert "127.0.0.1" in err.value.message and err.value.field == "url"
    assert backend.requests == []
    for url in ("http://10.1.2.3/x", "http://[::1]/x", "http://169.254.169.254/latest", "http://192.168.0.1/"):
        with pytest.raises(OutboundRefused):
            check_url(url, allow_private=False)
    with pytest.raises(OutboundRefused):
        check_url("file:///etc/passwd", allow_private=True)
    with pytest.raises(OutboundRefused):
        check_url("http://user:pw@127.0.0.1/", allow_private=True)


def test_a_redirect_is_not_followed(backend: Backend) -> None:
    backend.mode = "redirect"
    with pytest.raises(OutboundRefused, match="redirect"):
        assist_for(backend).run(IMAGE, {})


def test_bad_answers_name_the_field(backend: Backend) -> None:
    backend.mode = "bad"
    with pytest.raises(ValidationFailed) as err:
        assist_for(backend).run(IMAGE, {})
    assert err.value.field == "result.regions[0].width"
    backend.mode = "error"
    with pytest.raises(ValidationFailed, match="HTTP 500"):
        assist_for(backend).run(IMAGE, {})


def test_a_slow_backend_times_out(backend: Backend) -> None:
    backend.mode = "slow"
    with pytest.raises(ValidationFailed, match="did not answer within 0.5 s"):
        assist_for(backend, timeout_s=0.5).run(IMAGE, {})


def test_declared_assists_are_checked() -> None:
    with pytest.raises(ValidationFailed) as err:
        backend_assists("http://example.org/", [{"name": "Bad Name"}], allow_private=False)
    assert err.value.field == "backend_assists[0].name"
    with pytest.raises(ValidationFailed) as err:
        backend_assists("http://example.org/", [{"name": "ok", "kinds": ["blob"]}], allow_private=False)
    assert err.value.field == "backend_assists[0].kinds"
