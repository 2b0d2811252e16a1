"""Import: a data file or a batch of media files, streamed to disk, imported by a background job
whose progress the job page polls."""

from __future__ import annotations

import uuid
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..authz import authorize
from ..core.actor import Actor
from ..core.errors import LabelworksError, NotFound, ValidationFailed
from ..core.formats.readers import FORMATS, detect_format
from ..core.formats.task_formats import DATASET_IMPORTS, import_formats_for
from ..services import jobs, projects
from ..services.imports import media_suffixes
from . import pages_uploads
from .pages_common import is_htmx, page, page_context, require_actor, see_other
from .rendering import render

router = APIRouter(include_in_schema=False)


async def _import_page(request: Request, actor: Actor, project_id: int, error: LabelworksError | None = None,
                       form: str = "") -> Response:
    db = request.app.state.db

    def load() -> tuple[projects.ProjectInfo, list[jobs.JobInfo]]:
        return projects.get_project(db, actor, project_id), jobs.list_jobs(db, actor, project_id, limit=10)

    p, recent = await run_in_threadpool(load)
    media = p.type.media
    fits = import_formats_for(p.type.name, p.type.value_kind(p.spec))  # coco is boxes, polygons or keypoints
    offered = [f for f in FORMATS if f in fits or f not in DATASET_IMPORTS]
    ctx = page_context(request, actor, nav="projects", p=p, jobs=recent, formats=offered, error=error,
                       error_form=form, max_upload_mb=request.app.state.settings.max_upload_mb,
                       media_accept=",".join(sorted(media_suffixes(media))))
    return render(request, "import.html", ctx, status_code=error.http_status if error else 200)


async def _allowed_project(request: Request, actor: Actor, project_id: int) -> projects.ProjectInfo:
    """Checked before a byte is read: an annotator's upload never reaches the disk."""
    authorize(actor, "item.import")
    return await run_in_threadpool(projects.get_project, request.app.state.db, actor, project_id)


@router.get("/projects/{project_id}/import")
@page
async def import_page(request: Request, project_id: int) -> Response:
    actor = require_actor(request)
    return await _import_page(request, actor, project_id)


@router.post("/projects/{project_id}/import")
@page
async def upload_data_file(request: Request, project_id: int) -> Response:
    """One manifest / CSV / JSON file, saved under data_dir/uploads and imported by a job."""
    actor = require_actor(request)
    await _allowed_project(request, actor, project_id)
    settings, db = request.app.state.settings, request.app.state.db
    folder: Path = settings.data_dir / "uploads"
    try:
        upload = await pages_uploads.receive(request, lambda name: folder / f"{uuid.uuid4().hex}-{name}",
                                             settings.max_upload_mb * 2**20, max_files=1)
        if not upload.files:
            raise ValidationFailed("choose a file to import", field="file")
        saved = upload.files[0]
        fmt = upload.fields.get("format", "auto")
        try:
            if fmt == "auto":
                with saved.path.open("rb") as fh:
                    fmt = detect_format(saved.filename, fh.read(4096))
            elif fmt not in FORMATS:
                raise ValidationFailed(f"the format is auto or one of {', '.join(FORMATS)}", field="format")
            job_id = await run_in_threadpool(
                lambda: jobs.create_import_job(db, actor, project_id, str(saved.path), fmt,
                                               skip_invalid=upload.fields.get("skip_invalid") == "on",
                                               delete_after=True))
        except BaseException:
            saved.path.unlink(missing_ok=True)
            raise
    except LabelworksError as exc:
        if exc.http_status not in (413, 422):
            raise
        return await _import_page(request, actor, project_id, exc, "data")
    request.app.state.queue.enqueue(job_id)
    return see_other(f"/projects/{project_id}/jobs/{job_id}")


@router.post("/projects/{project_id}/import/media")
@page
async def upload_media(request: Request, project_id: int) -> Response:
    """Images (or text files) saved under media_dir/uploads/<project>/<batch> and imported as a folder."""
    actor = require_actor(request)
    p = await _allowed_project(request, actor, project_id)
    settings, db = request.app.state.settings, request.app.state.db
    wanted = media_suffixes(p.type.media)
    batch: Path = settings.media_dir / "uploads" / str(project_id) / uuid.uuid4().hex[:12]

    def place(name: str) -> Path | None:
        return batch / name if Path(name).suffix.lower() in wanted else None

    try:
        upload = await pages_uploads.receive(request, place, settings.max_upload_mb * 2**20)
        if not upload.files:
            kinds = ", ".join(sorted(wanted))
            refused = f" ({', '.join(upload.refused[:5])} {'is' if len(upload.refused) == 1 else 'are'} not)" \
                if upload.refused else ""
            raise ValidationFailed(f"choose {p.type.media} files: {kinds}{refused}", field="media")
    except LabelworksError as exc:
        if exc.http_status not in (413, 422):
            raise
        return await _import_page(request, actor, project_id, exc, "media")
    job_id = await run_in_threadpool(jobs.create_import_job, db, actor, project_id, str(batch), "folder")
    request.app.state.queue.enqueue(job_id)
    return see_other(f"/projects/{project_id}/jobs/{job_id}")


@router.get("/projects/{project_id}/jobs/{job_id}")
@page
async def job_page(request: Request, project_id: int, job_id: int) -> Response:
    """A job's progress; while it runs, the card polls this URL (the partial) every second."""
    actor = require_actor(request)
    db = request.app.state.db

    def load() -> tuple[projects.ProjectInfo, jobs.JobInfo]:
        p, job = projects.get_project(db, actor, project_id), jobs.get_job(db, actor, job_id)
        if job.project_id != p.id:
            raise NotFound(f"no job {job_id} in this project")
        return p, job

    p, job = await run_in_threadpool(load)
    name = "_job.html" if is_htmx(request, "lw-job") else "job.html"
    return render(request, name, page_context(request, actor, nav="projects", p=p, job=job))
