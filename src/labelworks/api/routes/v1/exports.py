from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool

from ....services import exports
from ...deps import CurrentActor, DbDep

router = APIRouter(tags=["exports"])


@router.get("/projects/{project_id}/export")
def export(project_id: int, actor: CurrentActor, db: DbDep, format: str = "manifest") -> StreamingResponse:
    """Stream the export now: the first bytes leave at once, memory stays constant."""
    stream = exports.open_export(db, actor, project_id, format)
    return StreamingResponse(iterate_in_threadpool(stream.chunks), media_type=stream.media_type,
                             headers={"Content-Disposition": f'attachment; filename="{stream.filename}"'})
