"""/media/{token}: signed, short-lived, inside the media roots only, never sniffed as HTML."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from PIL import Image

from labelworks.settings import Settings

from factories import Factory, OrgUsers

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _png(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (4, 3), (200, 10, 10)).save(path)
    return path


def _signed(client: TestClient, ref: str, user_id: int = 1) -> str:
    return client.app.state.signer.url(ref, user_id)  # type: ignore[attr-defined,no-any-return]


def test_signed_url_serves_the_file(client: TestClient, settings: Settings) -> None:
    path = _png(settings.media_dir / "cats" / "a.png")
    r = client.get(_signed(client, str(path)))
    assert r.status_code == 200
    assert r.content.startswith(PNG_MAGIC) and r.headers["content-length"] == str(path.stat().st_size)
    assert r.headers["content-type"] == "image/png"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in r.headers["content-security-policy"]
    assert "content-disposition" not in r.headers
    assert r.headers["access-control-allow-origin"] == "*"  # the sandboxed frame reads pixels by CORS
    assert client.get(_signed(client, path.as_uri())).status_code == 200  # file:// references too


def test_other_types_are_downloads_never_html(client: TestClient, settings: Settings) -> None:
    page = settings.media_dir / "evil.html"
    page.write_text("<script>alert(document.cookie)</script>")
    r = client.get(_signed(client, str(page)))
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-disposition"] == 'attachment; filename="evil.html"'
    assert r.headers["x-content-type-options"] == "nosniff"
    svg = settings.media_dir / "logo.svg"  # SVG can carry script: not in the displayable list
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    assert client.get(_signed(client, str(svg))).headers["content-type"] == "application/octet-stream"


def test_tampered_token_is_not_found(client: TestClient, settings: Settings) -> None:
    url = _signed(client, str(_png(settings.media_dir / "a.png")))
    token = url.rsplit("/", 1)[1]
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    for bad in (flipped, token + "x", "not-a-token"):
        r = client.get(f"/media/{bad}")
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", bad
    forged = URLSafeTimedSerializer("another-secret-key-of-enough-length", salt="labelworks.media").dumps({"r": "/etc/passwd", "u": 1})
    assert client.get(f"/media/{forged}").status_code == 404


class _PastSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 3600


def test_expired_token_is_refused(client: TestClient, settings: Settings) -> None:
    path = _png(settings.media_dir / "a.png")
    assert settings.secret_key
    old = URLSafeTimedSerializer(settings.secret_key, salt="labelworks.media", signer=_PastSigner)
    r = client.get(f"/media/{old.dumps({'r': str(path), 'u': 1})}")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "permission_denied" and "expired" in r.json()["error"]["message"]


def test_paths_outside_the_media_roots_are_not_found(client: TestClient, settings: Settings, tmp_path: Path) -> None:
    outside = _png(tmp_path / "elsewhere" / "secret.png")
    link = settings.media_dir / "link.png"
    link.symlink_to(outside)
    for ref in (str(outside), outside.as_uri(), str(settings.media_dir / ".." / "secret_key"), str(link),
                "/etc/hostname", str(settings.media_dir / "missing.png"), str(settings.media_dir)):
        r = client.get(_signed(client, ref))
        assert r.status_code == 404, ref
        assert r.json()["error"]["message"] == "no such media"


def test_extra_media_roots(make_client: Any, tmp_path: Path) -> None:
    extra = tmp_path / "datasets"
    path = _png(extra / "x" / "b.png")
    client = make_client(media_roots=[extra])
    assert client.get(_signed(client, str(path))).status_code == 200


def test_the_task_frame_signs_its_image(client: TestClient, factory: Factory, org: OrgUsers, settings: Settings) -> None:
    path = _png(settings.media_dir / "shapes" / "red.png")
    p = factory.project(org.manager, task_type="image-classification", labels=["red", "blue"])
    factory.items(org.manager, p.id, rows=[{"source-ref": str(path)}])
    task = client.post(f"/api/v1/projects/{p.id}/next", json={}, headers=org.annotator.headers).json()
    r = client.get(task["frame_url"], headers=org.annotator.headers)
    assert r.status_code == 200, r.text
    assert "connect-src 'none'" in r.headers["content-security-policy"]
    assert str(path) not in r.text  # the server path never reaches the browser
    (url,) = re.findall(r'src="(http://testserver/media/[^"]+)"', r.text)
    image = client.get(url)
    assert image.status_code == 200 and image.content.startswith(PNG_MAGIC)
    other = factory.user("annotator", org_id=org.org_id)
    assert client.get(task["frame_url"], headers=other.headers).status_code == 404


def test_byte_ranges_let_a_video_player_seek(client: TestClient, settings: Settings) -> None:
    clip = settings.media_dir / "clips" / "a.webm"
    clip.parent.mkdir(parents=True, exist_ok=True)
    data = bytes(range(256)) * 40  # 10240 bytes
    clip.write_bytes(data)
    url = _signed(client, str(clip))
    whole = client.get(url)
    assert whole.status_code == 200 and whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["content-type"] == "video/webm"
    part = client.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == data[100:200]
    assert part.headers["content-range"] == "bytes 100-199/10240" and part.headers["content-length"] == "100"
    assert client.get(url, headers={"Range": "bytes=10000-"}).content == data[10000:]
    tail = client.get(url, headers={"Range": "bytes=-40"})
    assert tail.status_code == 206 and tail.content == data[-40:]
    assert client.get(url, headers={"Range": "bytes=9000-99999"}).headers["content-range"] == "bytes 9000-10239/10240"
    refused = client.get(url, headers={"Range": "bytes=20000-"})
    assert refused.status_code == 416 and refused.headers["content-range"] == "bytes */10240"
    # several ranges or another unit: the whole file, as RFC 9110 allows
    assert client.get(url, headers={"Range": "bytes=0-1,5-6"}).status_code == 200
    assert client.get(url, headers={"Range": "items=0-1"}).content == data
