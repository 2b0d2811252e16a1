"""Mounts static files, the labeling page and the manager pages on the application."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ..settings import Settings
from . import labeling, pages
from .rendering import STATIC_DIR

__all__ = ["install_web"]


class _StaticFiles(StaticFiles):
    """Static assets, readable by the opaque-origin task frame (classic scripts need no CORS; fonts do)."""

    async def get_response(self, path, scope):  # type: ignore[no-untyped-def]
        response = await super().get_response(path, scope)
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Cache-Control"] = "public, max-age=300"
        return response


def install_web(app: FastAPI, settings: Settings) -> None:
    STATIC_DIR.mkdir(parents=True, exist_ok=True)
    app.mount("/static", _StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.include_router(labeling.router)
    app.include_router(pages.router)
