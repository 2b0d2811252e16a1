"""Routes outside /api/v1: health and signed media."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import text

from ... import __version__
from ...services.media import open_media
from ..deps import DbDep, SettingsDep, SignerDep

router = APIRouter()


@router.get("/api/health", tags=["system"])
def health(db: DbDep) -> dict[str, str]:
    with db.read() as s:
        s.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__, "database": "sqlite" if db.is_sqlite else "postgresql"}


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    return Response(status_code=204)


@router.get("/media/{token}", tags=["system"])
def media(token: str, signer: SignerDep, settings: SettingsDep) -> StreamingResponse:
    """A signed, short-lived link minted when a task was rendered for a user allowed to see it."""
    ref = signer.verify(token)
    f = open_media(ref, settings.allowed_media_roots)
    # The task frame is sandboxed (origin "null"): the editors read an image's pixels (magic wand,
    # flood fill, a pre-label PNG given by URL) only through a CORS load. The signed URL is already
    # the capability, so allowing any origin to read it gives nothing the URL itself does not.
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=300",
               "Content-Security-Policy": "default-src 'none'; sandbox",
               "Access-Control-Allow-Origin": "*", "Cross-Origin-Resource-Policy": "cross-origin"}
    if f.size is not None:
        headers["Content-Length"] = str(f.size)
    if f.download_name:
        headers["Content-Disposition"] = f'attachment; filename="{f.download_name}"'
    return StreamingResponse(f.chunks, media_type=f.content_type, headers=headers)
