"""The human model-evaluation report: figures per criterion, the leaderboard, exports (project.stats)."""

from __future__ import annotations

import json

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ....services import evaluation
from ...deps import CurrentActor, DbDep
from ...schemas.v1.evaluation import ReportFormat

router = APIRouter(tags=["evaluation"])


@router.get("/projects/{project_id}/evaluation/report")
def report(project_id: int, actor: CurrentActor, db: DbDep, category: str | None = None,
           format: ReportFormat | None = None) -> Response:
    body = evaluation.evaluation_report(db, actor, project_id, category or None,
                                        with_records=format in ("json", "jsonl"))
    if format is None:
        return JSONResponse(body)
    name = f"evaluation-report-{project_id}" + (f"-{category}" if category else "")
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
    disposition = {"Content-Disposition": f'attachment; filename="{safe}.{format}"'}
    if format == "jsonl":
        lines = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in body["records"])
        return Response(lines, media_type="application/x-ndjson", headers=disposition)
    if format == "html":
        return HTMLResponse(evaluation.report_html(body), headers=disposition)
    return JSONResponse(body, headers=disposition)
