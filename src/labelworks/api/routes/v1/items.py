from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from ....core.errors import PayloadTooLarge, ValidationFailed
from ....core.formats.readers import FORMATS, detect_format
from ....services import imports, items, jobs
from ...deps import CurrentActor, DbDep, QueueDep, SettingsDep
from ...schemas.v1.work import ImportReportPublic, ImportRowsBody, ItemPage, ItemPublic, PriorityBody
from .jobs import job_public

router = APIRouter(tags=["items"])


@router.post("/projects/{project_id}/items", response_model=ImportReportPublic, status_code=201)
def add_items(project_id: int, body: ImportRowsBody, actor: CurrentActor, db: DbDep) -> ImportReportPublic:
    """Import rows sent as JSON (at most 100,000 per request); large files go through /imports."""
    report = imports.import_rows(db, actor, project_id, body.rows, skip_invalid=body.skip_invalid)
    return ImportReportPublic(**report.as_dict())


async def _save_upload(request: Request, settings: SettingsDep, filename: str) -> tuple[Path, str]:
    """Stream the body (raw, or the multipart field 'file') to the uploads folder; (path, file name)."""
    limit = settings.max_upload_mb * 1024 * 1024
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the upload is larger than {settings.max_upload_mb} MiB")
    target = settings.data_dir / "uploads" / f"{uuid.uuid4().hex}-{Path(filename).name or 'upload'}"
    size = 0
    content_type = request.headers.get("content-type", "")
    with target.open("wb") as fh:
        if content_type.startswith("multipart/form-data"):
            form = await request.form(max_files=1, max_fields=10)
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                target.unlink(missing_ok=True)
                raise ValidationFailed("send the file in a form field named 'file'", field="file")
            filename = Path(upload.filename or filename).name or filename
            while chunk := await upload.read(1024 * 1024):
                size += len(chunk)
                if size > limit:
                    break
                fh.write(chunk)
        else:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    break
                fh.write(chunk)
    if size > limit:
        target.unlink(missing_ok=True)
        raise PayloadTooLarge(f"the upload is larger than {settings.max_upload_mb} MiB")
    if size == 0:
        target.unlink(missing_ok=True)
        raise ValidationFailed("the uploaded file is empty", field="file")
    return target, filename


@router.post("/projects/{project_id}/imports", status_code=202)
async def upload_import(project_id: int, request: Request, actor: CurrentActor, db: DbDep, settings: SettingsDep,
                        queue: QueueDep, filename: str = "upload.jsonl", format: str = "auto",
                        skip_invalid: bool = False) -> JSONResponse:
    """Upload a file (raw body or multipart field 'file'); it is imported by a background job."""
    if format != "auto" and format not in FORMATS:
        raise ValidationFailed(f"format must be auto or one of {', '.join(FORMATS)}", field="format")
    path, filename = await _save_upload(request, settings, filename)
    if format == "auto":
        with path.open("rb") as fh:
            format = detect_format(filename, fh.read(4096))
    job_id = jobs.create_import_job(db, actor, project_id, str(path), format, skip_invalid=skip_invalid,
                                    delete_after=True)
    queue.enqueue(job_id)
    return JSONResponse(job_public(jobs.get_job(db, actor, job_id)).model_dump(mode="json"), status_code=202)


@router.get("/projects/{project_id}/items", response_model=ItemPage)
def list_items(project_id: int, actor: CurrentActor, db: DbDep,
               status: str = "all", q: str | None = None, annotator_id: int | None = None, sort: str = "id",
               page: Annotated[int, Query(ge=1)] = 1,
               page_size: Annotated[int, Query(ge=1, le=200)] = 30) -> ItemPage:
    result = items.list_items(db, actor, project_id, items.ItemFilter(
        status=status, q=q, annotator_id=annotator_id, sort=sort, page=page, page_size=page_size))
    return ItemPage(items=[ItemPublic(**r.__dict__) for r in result.rows], page=result.page,
                    page_size=result.page_size, has_more=result.has_more)


@router.post("/projects/{project_id}/items/priority")
def set_priority(project_id: int, body: PriorityBody, actor: CurrentActor, db: DbDep) -> dict[str, int]:
    """Higher priority items are offered first; ties go in import order."""
    return {"updated": items.set_priority(db, actor, project_id, body.item_ids, body.priority)}
