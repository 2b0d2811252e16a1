"""The API application's parts, assembled by ``labelworks.app.create_app``."""

from __future__ import annotations

from fastapi import FastAPI

from ..db.engine import Database
from ..jobs.queue import JobQueue
from ..services.media import MediaSigner
from ..settings import Settings
from .errors import install_error_handlers
from .ratelimit import LoginLimiter
from .routes.system import router as system_router
from .routes.v1.router import include_v1
from .deps import CredentialCache, Writer
from .security import CsrfAndHeadersMiddleware, SessionCookie

__all__ = ["install_api"]


def install_api(app: FastAPI, settings: Settings, db: Database, queue: JobQueue) -> None:
    assert settings.secret_key
    app.state.settings = settings
    app.state.db = db
    app.state.queue = queue
    app.state.signer = MediaSigner(settings.secret_key, settings.media_url_ttl_s)
    app.state.cookie = SessionCookie(settings.secret_key, settings.secure_cookies, settings.session_days * 86400)
    app.state.credentials = CredentialCache()
    app.state.writer = Writer(db, serial=db.is_sqlite)
    app.state.login_limiter = LoginLimiter(settings.login_rate_limit, settings.redis_url)
    install_error_handlers(app)
    app.add_middleware(CsrfAndHeadersMiddleware)
    app.include_router(system_router)
    include_v1(app)
