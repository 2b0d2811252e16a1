"""Import (upload with job progress), the items table, and export."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ..core.errors import PayloadTooLarge, ValidationFailed
from ..core.formats.readers import FORMATS, detect_format
from ..core.formats.writers import EXPORT_FORMATS
from ..services import accounts, annotations, items, jobs, projects
from ..services.imports import IMAGE_SUFFIXES, TEXT_SUFFIXES
from .common import page, page_context, require_actor
from .rendering import render

router = APIRouter(include_in_schema=False)
_CHUNK = 1024 * 1024


async def _save(upload: UploadFile, target: Path, limit: int, used: int) -> int:
    with target.open("wb") as fh:
        while chunk := await upload.read(_CHUNK):
            used += len(chunk)
            if used > limit:
                raise PayloadTooLarge(f"the upload is larger than {limit // 2**20} MiB")
            fh.write(chunk)
    return used


@router.get("/projects/{project_id}/import")
@page
async def import_page(request: Request, project_id: int) -> Response:
    actor = require_actor(request)
    db = request.app.state.db

    def load() -> tuple[projects.ProjectInfo, list[jobs.JobInfo]]:
        return projects.get_project(db, actor, project_id), jobs.list_jobs(db, actor, project_id)

    p, recent = await run_in_threadpool(load)
    return render(request, "import.html", page_context(request, actor, nav="projects", p=p, jobs=recent,
                                                       formats=FORMATS, error=None))


@router.post("/projects/{project_id}/import")
@page
async def upload(request: Request, project_id: int) -> Response:
    """A data file (manifest, CSV, JSON) or several media files; either way a background job."""
    actor = require_actor(request)
    settings, db = request.app.state.settings, request.app.state.db
    limit = settings.max_upload_mb * 2**20
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the upload is larger than {settings.max_upload_mb} MiB")
    form = await request.form(max_files=10_000, max_fields=20)
    files = [f for f in form.getlist("file") if isinstance(f, UploadFile) and f.filename]
    if not files:
        raise ValidationFailed("choose a file to import", field="file")
    p = await run_in_threadpool(projects.get_project, db, actor, project_id)
    fmt = str(form.get("format", "auto"))
    media_suffixes = IMAGE_SUFFIXES if p.type.media == "image" else TEXT_SUFFIXES
    is_media = all(Path(f.filename or "").suffix.lower() in media_suffixes for f in files)
    if is_media and fmt == "auto":
        folder = settings.media_dir / "uploads" / str(project_id) / uuid.uuid4().hex[:12]
        folder.mkdir(parents=True)
        used = 0
        for f in files:
            used = await _save(f, folder / Path(f.filename or "file").name, limit, used)
        job_id = await run_in_threadpool(jobs.create_import_job, db, actor, project_id, str(folder), "folder")
    else:
        if len(files) != 1:
            raise ValidationFailed("import one data file at a time (or several media files)", field="file")
        name = Path(files[0].filename or "upload").name
        target = settings.data_dir / "uploads" / f"{uuid.uuid4().hex}-{name}"
        await _save(files[0], target, limit, 0)
        if fmt == "auto":
            with target.open("rb") as fh:
                fmt = detect_format(name, fh.read(4096))
        elif fmt not in FORMATS:
            target.unlink(missing_ok=True)
            raise ValidationFailed(f"format must be auto or one of {', '.join(FORMATS)}", field="format")
        job_id = await run_in_threadpool(jobs.create_import_job, db, actor, project_id, str(target), fmt,
                                         skip_invalid=form.get("skip_invalid") == "on", delete_after=True)
    request.app.state.queue.enqueue(job_id)
    return RedirectResponse(f"/projects/{project_id}/jobs/{job_id}", status_code=303)


@router.get("/projects/{project_id}/jobs/{job_id}")
@page
async def job_page(request: Request, project_id: int, job_id: int) -> Response:
    actor = require_actor(request)
    db = request.app.state.db

    def load() -> tuple[projects.ProjectInfo, jobs.JobInfo]:
        return projects.get_project(db, actor, project_id), jobs.get_job(db, actor, job_id)

    p, job = await run_in_threadpool(load)
    partial = request.headers.get("hx-request") == "true"
    return render(request, "_job.html" if partial else "job.html",
                  page_context(request, actor, nav="projects", p=p, job=job))


@router.get("/projects/{project_id}/items")
@page
async def items_page(request: Request, project_id: int) -> Response:
    actor = require_actor(request)
    db = request.app.state.db
    q = request.query_params
    page_no = int(q["page"]) if q.get("page", "").isdigit() and int(q["page"]) > 0 else 1
    annotator = int(q["annotator_id"]) if q.get("annotator_id", "").isdigit() else None
    f = items.ItemFilter(status=q.get("status", "all"), q=q.get("q") or None, annotator_id=annotator,
                         sort=q.get("sort", "id"), page=page_no, page_size=30)

    def load() -> tuple[projects.ProjectInfo, items.ItemPage, list[Any]]:
        users = accounts.list_users(db, actor)
        return projects.get_project(db, actor, project_id), items.list_items(db, actor, project_id, f), users

    p, result, users = await run_in_threadpool(load)
    signer = request.app.state.signer

    def thumb(ref: str | None) -> str | None:
        return signer.url(ref, actor.user_id) if ref and p.type.media == "image" else None

    ctx = page_context(request, actor, nav="projects", p=p, result=result, f=f, users=users, thumb=thumb,
                       statuses=items.STATUSES, sorts=items.SORTS)
    partial = request.headers.get("hx-request") == "true" and request.headers.get("hx-target") == "lw-items"
    return render(request, "_items.html" if partial else "items.html", ctx)


@router.get("/projects/{project_id}/items/{item_id}/annotations")
@page
async def item_annotations(request: Request, project_id: int, item_id: int) -> Response:
    actor = require_actor(request)
    rows = await run_in_threadpool(annotations.annotations_for_item, request.app.state.db, actor, project_id, item_id)
    return render(request, "_annotations.html", page_context(request, actor, rows=rows))


@router.get("/projects/{project_id}/export")
@page
async def export_page(request: Request, project_id: int) -> Response:
    actor = require_actor(request)
    db = request.app.state.db

    def load() -> tuple[projects.ProjectInfo, list[jobs.JobInfo]]:
        return projects.get_project(db, actor, project_id), jobs.list_jobs(db, actor, project_id)

    p, recent = await run_in_threadpool(load)
    return render(request, "export.html", page_context(request, actor, nav="projects", p=p, formats=EXPORT_FORMATS,
                                                       jobs=[j for j in recent if j.kind == "export"]))


@router.post("/projects/{project_id}/export")
@page
async def export_job(request: Request, project_id: int) -> Response:
    actor = require_actor(request)
    form = await request.form()
    job_id = await run_in_threadpool(jobs.create_export_job, request.app.state.db, actor, project_id,
                                     str(form.get("format", "manifest")))
    request.app.state.queue.enqueue(job_id)
    return RedirectResponse(f"/projects/{project_id}/jobs/{job_id}", status_code=303)
