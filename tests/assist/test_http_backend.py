"""The HTTP model backend against a real HTTP server on loopback, through the guarded client."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from labelworks.assist.http import HttpAssist, backend_assists
from labelworks.assist.outbound import OutboundRefused, check_url
from labelworks.core.errors import ValidationFailed
from model_backend import Backend

IMAGE = np.zeros((40, 60, 3), np.uint8)
IMAGE[10:30, 20:50] = (255, 0, 0)


@pytest.fixture
def backend() -> Iterator[Backend]:
    b = Backend()
    yield b
    b.stop()


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
