#!/usr/bin/env python3
"""Labelworks adapter for the shared peer harness (``../shared/bench/peer_labelstudio.py``).

The harness is loaded by path, not copied, so Labelworks and Label Studio always run the same
phases and statistics; this module only adds ``LabelworksAdapter`` to its ``ADAPTERS`` and runs
its ``main``. Options the harness does not know (``--workers-per-item``, ``--harness``) are taken
off the command line first and written into the ``--out`` JSON under ``adapter_options``.

    .venv/bin/python bench/labelworks_adapter.py --platform labelworks \
        --base-url http://127.0.0.1:8311 --token "$TOKEN" --server-pid "$PID" --out /tmp/lw.json

Mapping of the harness's calls (all under /api/v1, ``Authorization: Bearer``):
  version          GET  /api/health
  create_project   POST /projects; text_cls -> text-classification A..E; image_bbox -> image-classification
                   Car/Person/Bike (Labelworks has no bounding-box type yet: the image phase labels a
                   whole image, a lighter task than Label Studio's 1-3 boxes)
  import_tasks     POST /projects/{pid}/items {"rows": […]} -> report "created"
  provision        POST /users (role annotator), then each annotator logs in (POST /auth/login, cookie)
                   and makes its own token (POST /tokens, same-origin Origin header)
  next_task        POST /projects/{pid}/next {"exclude": []}; 204 -> None
  submit           POST /assignments/{aid}/submit {"value": {"label"}, "client_submission_id", "active_ms"}
  export           GET  /projects/{pid}/export?format=manifest|jsonl|csv, streamed
  list_tasks       GET  /projects/{pid}/items?page=&page_size=30&q=&status=&sort=
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
import uuid
from pathlib import Path
from types import ModuleType

import httpx

REPO = Path(__file__).resolve().parents[1]
DEFAULT_HARNESS = REPO.parent / "shared" / "bench" / "peer_labelstudio.py"
ANNOTATOR_PASSWORD = "bench-annotator-pass-0123"


def load_harness(path: Path) -> ModuleType:
    """Import the shared harness from its file (it is not a package)."""
    spec = importlib.util.spec_from_file_location("peer_labelstudio", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load the harness from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["peer_labelstudio"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


harness = load_harness(Path(os.environ.get("BENCH_HARNESS", DEFAULT_HARNESS)))
Adapter, Task = harness.Adapter, harness.Task
TEXT_CLASSES, BOX_LABELS = harness.TEXT_CLASSES, harness.BOX_LABELS

TASK_TYPES = {"text_cls": ("text-classification", TEXT_CLASSES),
              "image_bbox": ("image-classification", BOX_LABELS)}  # no bounding-box type yet


class LabelworksAdapter(Adapter):
    name = "labelworks"
    EP = {  # every endpoint in one place
        "health": "/api/health",
        "projects": "/api/v1/projects",
        "items": "/api/v1/projects/{pid}/items",
        "users": "/api/v1/users",
        "login": "/api/v1/auth/login",
        "tokens": "/api/v1/tokens",
        "next": "/api/v1/projects/{pid}/next",
        "submit": "/api/v1/assignments/{aid}/submit",
        "export": "/api/v1/projects/{pid}/export",
    }
    workers_per_item = 1  # set from --workers-per-item

    def headers(self, auth=None):
        return {"Authorization": f"Bearer {auth or self.token}"}

    async def _req(self, c, method, path, auth=None, **kw):
        return await c.request(method, path, headers=self.headers(auth), **kw)

    async def version(self, c):
        r = await self._req(c, "GET", self.EP["health"])
        r.raise_for_status()
        j = r.json()
        return {"release": j.get("version"), "database": j.get("database")}

    async def create_project(self, c, title, kind):
        task_type, labels = TASK_TYPES[kind]
        r = await self._req(c, "POST", self.EP["projects"], json={
            "name": title, "task_type": task_type, "labels": labels, "workers_per_item": self.workers_per_item})
        r.raise_for_status()
        return r.json()["id"]

    async def import_tasks(self, c, pid, rows):
        r = await self._req(c, "POST", self.EP["items"].format(pid=pid), json={"rows": rows})
        r.raise_for_status()
        return int(r.json()["created"])

    async def provision_annotators(self, c, n):
        """Create n annotators (or reuse them from an earlier run) and mint a token for each."""
        emails = [f"annot{i:03d}@bench.local" for i in range(n)]
        r = await self._req(c, "GET", self.EP["users"])
        r.raise_for_status()
        existing = {u["email"] for u in r.json()}
        tokens = []
        for e in emails:
            if e not in existing:
                r = await self._req(c, "POST", self.EP["users"],
                                    json={"email": e, "password": ANNOTATOR_PASSWORD, "role": "annotator"})
                r.raise_for_status()
            # a fresh client per annotator: its own cookie jar, no admin credential
            async with httpx.AsyncClient(base_url=self.base_url, timeout=30) as uc:
                r = await uc.post(self.EP["login"], json={"email": e, "password": ANNOTATOR_PASSWORD})
                r.raise_for_status()
                r = await uc.post(self.EP["tokens"], json={"name": "bench"}, headers={"Origin": self.base_url})
                r.raise_for_status()
                tokens.append(r.json()["token"])
        return tokens

    async def next_task(self, c, pid, auth):
        r = await self._req(c, "POST", self.EP["next"].format(pid=pid), auth=auth, json={"exclude": []})
        if r.status_code == 204:
            return None
        r.raise_for_status()
        j = r.json()
        return Task(id=j["assignment_id"], data={"item_id": j["item_id"], **j["data"]})

    async def submit(self, c, pid, task, kind, auth, rng):
        labels = TASK_TYPES[kind][1]
        body = {"value": {"label": rng.choice(labels)}, "client_submission_id": str(uuid.uuid4()),
                "active_ms": rng.randint(1000, 10000)}
        r = await self._req(c, "POST", self.EP["submit"].format(aid=task.id), auth=auth, json=body)
        r.raise_for_status()

    def export_formats(self, kind):
        return ["manifest", "jsonl", "csv"]

    async def export(self, c, pid, fmt, timeout_s=600):
        n = 0
        async with c.stream("GET", self.EP["export"].format(pid=pid), headers=self.headers(),
                            params={"format": fmt}, timeout=httpx.Timeout(timeout_s)) as r:
            r.raise_for_status()
            async for chunk in r.aiter_bytes():
                n += len(chunk)
        return n

    def list_queries(self, pid):
        return [
            ("page1_unfiltered", {}),
            ("page1000_unfiltered", {"page": 1000}),
            ("filter_text_contains", {"q": "quality review"}),
            ("filter_annotated", {"status": "annotated"}),
            ("sort_id_desc", {"sort": "-id"}),
            ("sort_last_annotated_desc", {"sort": "-last_annotated_at"}),
        ]

    async def list_tasks(self, c, pid, spec):
        params = {"page": spec.get("page", 1), "page_size": 30, **{k: v for k, v in spec.items() if k != "page"}}
        r = await self._req(c, "GET", self.EP["items"].format(pid=pid), params=params)
        r.raise_for_status()
        return len(r.json()["items"])


harness.ADAPTERS["labelworks"] = LabelworksAdapter


def main(argv: list[str] | None = None) -> None:
    own = argparse.ArgumentParser(add_help=False)
    own.add_argument("--workers-per-item", type=int, default=1, help="annotators per item in created projects")
    opts, rest = own.parse_known_args(argv)
    if not any(a == "--platform" or a.startswith("--platform=") for a in rest):
        rest = ["--platform", "labelworks", *rest]
    if "-h" in rest or "--help" in rest:
        print(f"{__doc__}\nOwn options: --workers-per-item N (default 1).  Harness options follow.\n")
    LabelworksAdapter.workers_per_item = opts.workers_per_item
    started = time.time()
    harness.main(rest)
    out = next((rest[i + 1] for i, a in enumerate(rest[:-1]) if a == "--out"), None)
    if out and Path(out).exists():
        res = json.loads(Path(out).read_text())
        res["adapter_options"] = {"workers_per_item": opts.workers_per_item, "harness": str(harness.__file__),
                                  "started_unix": round(started)}
        Path(out).write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
