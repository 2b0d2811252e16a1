"""A small HTTP server for the browser tests of the built frontend (no Labelworks backend needed).

- ``/static/…``: ``src/labelworks/web/static`` (so ``dist/elements.js``, ``dist/labeling.js``, ``app.css``).
- ``/host/{name}``: a stand-in host page that frames ``/frame/{name}`` the way the labeling page does
  (sandboxed, nonce in the URL) and records every message the frame posts in ``window.__messages``.
- ``/frame/{name}``: the real ``frame.html`` template around ``FRAMES[name]``, served with the
  backend's strict frame CSP, so a CSP problem in the elements shows up here.
- ``/label/1`` and ``/api/v1/…``: the real ``label.html`` and an in-memory fake of the labeling API
  (``FakeApi``), to drive ``labeling.js`` through prefetch, drafts, retries and errors.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

ROOT = Path(__file__).resolve().parents[3]
STATIC = ROOT / "src/labelworks/web/static"
TEMPLATES = ROOT / "src/labelworks/web/templates"

ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))

#: Task bodies by name (what the server's Liquid rendering would produce).
FRAMES: dict[str, str] = {}


def frame_csp(origin: str, nonce: str) -> str:
    """The backend's task-frame CSP (labelworks.web.labeling.frame_csp), kept in step by hand."""
    return (f"default-src 'none'; script-src {origin}/static/ 'nonce-{nonce}'; "
            f"style-src {origin}/static/ 'unsafe-inline'; img-src {origin} data: blob: https:; "
            f"media-src {origin} https:; font-src {origin}/static/; connect-src 'none'; form-action 'none'; "
            "base-uri 'none'; frame-ancestors 'self'")


HOST_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>test host</title>
<style>body{margin:0;background:#f6f7f9;font-family:system-ui}
#stage{width:%(width)dpx;margin:16px}
iframe{display:block;width:100%%;border:1px solid #dde1e6;border-radius:8px;background:#fff;height:300px}</style>
</head><body><div id="stage"></div>
<script>
window.__messages = [];
const nonce = crypto.randomUUID();
window.__nonce = nonce;
const f = document.createElement("iframe");
f.setAttribute("sandbox", "allow-scripts allow-forms");
f.src = "/frame/%(name)s?nonce=" + nonce;
window.addEventListener("message", (e) => {
  if (e.source !== f.contentWindow) return;
  window.__messages.push(e.data);
  if (e.data && (e.data.type === "lw:ready" || e.data.type === "lw:resize")) f.style.height = e.data.height + "px";
});
window.__send = (msg) => f.contentWindow.postMessage(Object.assign({}, msg, {nonce}), "*");
window.__sendRaw = (msg) => f.contentWindow.postMessage(msg, "*");
document.getElementById("stage").append(f);
</script></body></html>"""


@dataclass
class Item:
    id: int
    source: str
    kind: str = "text"  # "text" or "image"


@dataclass
class Lease:
    assignment_id: int
    item: Item
    expires_at: datetime
    draft: dict[str, Any] | None = None
    state: str = "leased"  # leased, submitted, skipped, released


@dataclass
class FakeApi:
    """The labeling API of docs/labeling-contract.md over a list of items, for one annotator."""

    items: list[Item] = field(default_factory=list)
    labels: list[str] = field(default_factory=lambda: ["cat", "dog", "bird"])
    multi_label: bool = False
    lease_seconds: float = 1800
    leases: list[Lease] = field(default_factory=list)
    calls: list[tuple[str, str, Any]] = field(default_factory=list)
    submissions: list[dict[str, Any]] = field(default_factory=list)
    #: Statuses to answer the next submit attempts with before accepting (e.g. [503, 503]).
    submit_failures: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def task(self, lease: Lease) -> dict[str, Any]:
        return {"assignment_id": lease.assignment_id, "item_id": lease.item.id, "project_id": 1,
                "expires_at": lease.expires_at.isoformat().replace("+00:00", "Z"),
                "frame_url": f"/label/frame/{lease.assignment_id}", "draft": lease.draft,
                "data": {"source": lease.item.source}, "labels": self.labels, "multi_label": self.multi_label}

    def next(self, exclude: list[int]) -> dict[str, Any] | None:
        now = datetime.now(timezone.utc)
        for lease in self.leases:
            if lease.state == "leased" and lease.expires_at > now and lease.assignment_id not in exclude:
                return self.task(lease)
        done = {lease.item.id for lease in self.leases if lease.state in ("submitted", "skipped")}
        held = {lease.item.id for lease in self.leases if lease.state == "leased" and lease.expires_at > now}
        for item in self.items:
            if item.id not in done and item.id not in held:
                lease = Lease(100 + len(self.leases), item, now + timedelta(seconds=self.lease_seconds))
                self.leases.append(lease)
                return self.task(lease)
        return None

    def lease(self, aid: int) -> Lease | None:
        return next((x for x in self.leases if x.assignment_id == aid), None)

    def frame_body(self, aid: int) -> str:
        lease = self.lease(aid)
        assert lease is not None
        cats = json.dumps(self.labels)
        if lease.item.kind == "image":
            tag = "crowd-image-classifier-multi-select" if self.multi_label else "crowd-image-classifier"
            return (f'<crowd-form><{tag} name="category" src="{lease.item.source}" categories=\'{cats}\' '
                    f'header="What is in the image?"></{tag}></crowd-form>')
        tag = "crowd-classifier-multi-select" if self.multi_label else "crowd-classifier"
        return (f'<crowd-form><{tag} name="category" categories=\'{cats}\' header="What is this about?">'
                f'<classification-target>{lease.item.source}</classification-target></{tag}></crowd-form>')


class Handler(SimpleHTTPRequestHandler):
    server: "HarnessServer"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    # ---- helpers

    def _send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if body or status != 204:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _json(self, status: int, obj: Any) -> None:
        self._send(status, json.dumps(obj).encode(), "application/json")

    def _origin(self) -> str:
        return f"http://{self.headers['Host']}"

    def _body(self) -> Any:
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n)) if n else None

    def _frame(self, body: str) -> None:
        nonce = uuid.uuid4().hex
        html = ENV.get_template("frame.html").render(body=Markup(body), static_url=f"{self._origin()}/static",
                                                     csp_nonce=nonce)
        self._send(200, html.encode(), headers={"Content-Security-Policy": frame_csp(self._origin(), nonce),
                                                "Cache-Control": "no-store"})

    # ---- routes

    def do_GET(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        path = url.path
        api = self.server.api
        if path.startswith("/static/") or path.startswith("/media/"):
            return super().do_GET()
        if m := re.fullmatch(r"/host/([\w-]+)", path):
            width = int(parse_qs(url.query).get("width", ["900"])[0])
            return self._send(200, (HOST_PAGE % {"name": m[1], "width": width}).encode())
        if m := re.fullmatch(r"/frame/([\w-]+)", path):
            if m[1] not in FRAMES:
                return self._send(404, b"no such frame")
            return self._frame(FRAMES[m[1]])
        if path == "/label/1":
            project = {"id": 1, "name": "Pets (test)", "task_type": "image-classification",
                       "labels": api.labels, "multi_label": api.multi_label,
                       "short_instructions_html": Markup("<p>Choose the <strong>animal</strong> you see.</p>"),
                       "full_instructions_html": Markup("<p>Full rules: pick the main animal.</p>"),
                       "examples": []}
            nonce = uuid.uuid4().hex
            html = ENV.get_template("label.html").render(project=project, user={"email": "ann@example.org"},
                                                         static_url="/static", csp_nonce=nonce)
            csp = (f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
                   "img-src 'self' data: https:; frame-src 'self'; connect-src 'self'; object-src 'none'; "
                   "base-uri 'none'")
            return self._send(200, html.encode(), headers={"Content-Security-Policy": csp})
        if m := re.fullmatch(r"/label/frame/(\d+)", path):
            with api.lock:
                body = api.frame_body(int(m[1]))
            return self._frame(body)
        if path == "/":
            return self._send(200, b"<!doctype html><title>home</title><h1>Projects</h1>")
        return self._send(404, b"not found")

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        if path.startswith("/media/"):
            return str(self.server.media_dir / path.removeprefix("/media/"))
        return str(STATIC / path.removeprefix("/static/"))

    def _api(self, method: str) -> None:
        path = urlsplit(self.path).path
        api = self.server.api
        body = self._body()
        with api.lock:
            api.calls.append((method, path, body))
            if method == "POST" and re.fullmatch(r"/api/v1/projects/1/next", path):
                task = api.next(list((body or {}).get("exclude", [])))
                return self._json(200, task) if task else self._send(204)
            m = re.fullmatch(r"/api/v1/assignments/(\d+)/(draft|submit|skip|release)", path)
            lease = api.lease(int(m[1])) if m else None
            if not m or lease is None:
                return self._json(404, {"error": {"code": "not_found", "message": "No such assignment."}})
            action = m[2]
            if lease.state != "leased" and not (action == "submit" and lease.state == "submitted"):
                return self._json(409, {"error": {"code": "lease_gone", "message": "The lease has ended."}})
            if action == "draft" and method == "PUT":
                lease.draft = body["value"]
                return self._send(204)
            if action == "submit" and method == "POST":
                if api.submit_failures:
                    status = api.submit_failures.pop(0)
                    if status == 422:
                        return self._json(422, {"error": {"code": "validation_error", "field": "value.category",
                                                          "message": "'horse' is not one of the labels."}})
                    return self._json(status, {"error": {"code": "unavailable", "message": "Try again."}})
                prior = next((s for s in api.submissions
                              if s["client_submission_id"] == body["client_submission_id"]), None)
                if prior:
                    return self._json(200, prior)
                record = {**body, "assignment_id": lease.assignment_id, "item_id": lease.item.id}
                api.submissions.append(record)
                lease.state = "submitted"
                return self._json(201, record)
            if action in ("skip", "release") and method == "POST":
                lease.state = "skipped" if action == "skip" else "released"
                return self._send(204)
            return self._send(405, b"")

    def do_POST(self) -> None:  # noqa: N802
        self._api("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._api("PUT")


class HarnessServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, media_dir: Path) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.media_dir = media_dir
        self.api = FakeApi()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"
