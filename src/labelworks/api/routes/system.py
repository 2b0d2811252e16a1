"""Routes outside /api/v1: health and signed media."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import text

from ... import __version__
from ...services.media import RangeNotSatisfiable, open_media
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
def media(token: str, request: Request, signer: SignerDep, settings: SettingsDep) -> Response:
    """A signed, short-lived link minted when a task was rendered for a user allowed to see it.

    A local file answers one byte range (206) so that video players can seek."""
    ref = signer.verify(token)
    try:
        f = open_media(ref, settings.allowed_media_roots, request.headers.get("range"))
    except RangeNotSatisfiable as exc:
        return Response(status_code=416, headers={"Content-Range": f"bytes */{exc.size}"})
    # The task frame is sandboxed (origin "null"): the editors read an image's pixels (magic wand,
    # flood fill, a pre-label PNG given by URL) only through a CORS load. The signed URL is already
    # the capability, so allowing any origin to read it gives nothing the URL itself does not.
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=300",
               "Content-Security-Policy": "default-src 'none'; sandbox",
               "Access-Control-Allow-Origin": "*", "Cross-Origin-Resource-Policy": "cross-origin"}
    if f.size is not None:
        headers["Content-Length"] = str(f.size)
        headers["Accept-Ranges"] = "bytes"
    if f.download_name:
        headers["Content-Disposition"] = f'attachment; filename="{f.download_name}"'
    if f.byte_range is not None and f.size is not None:
        first, last = f.byte_range
        headers["Content-Length"] = str(last - first + 1)
        headers["Content-Range"] = f"bytes {first}-{last}/{f.size}"
        return StreamingResponse(f.chunks, status_code=206, media_type=f.content_type, headers=headers)
    return StreamingResponse(f.chunks, media_type=f.content_type, headers=headers)
