"""The worker's labeling page and the sandboxed frame each task renders in."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..api.deps import DbDep, OptionalActor, SignerDep
from ..core.errors import LabelworksError
from ..authz import allowed
from ..services import frames, projects
from ..services import model_connections as conns
from .rendering import markdown, templates

router = APIRouter(include_in_schema=False)


def _origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def frame_csp(origin: str, nonce: str) -> str:
    """The task frame may load our static files and images, and connect nowhere."""
    return (f"default-src 'none'; script-src {origin}/static/ 'nonce-{nonce}'; "
            f"style-src {origin}/static/ 'unsafe-inline'; img-src {origin} data: blob: https:; "
            f"media-src {origin} https:; font-src {origin}/static/; connect-src 'none'; form-action 'none'; "
            "base-uri 'none'; frame-ancestors 'self'")


@router.get("/label/{project_id}", response_class=HTMLResponse)
def label_page(project_id: int, request: Request, actor: OptionalActor, db: DbDep) -> Response:
    if actor is None:
        return RedirectResponse(f"/login?next=/label/{project_id}", status_code=303)
    p = projects.get_project(db, actor, project_id)
    nonce = secrets.token_urlsafe(16)
    # a multi-label project's exclusion category is set apart in the classifier, with the key 0
    exclusion = p.labels.exclusion if p.multi_label else None
    view = {"id": p.id, "name": p.name, "task_type": p.task_type,
            "labels": [name for name in p.labels.labels if name != exclusion] if p.type.digit_keys else [],
            "exclusion": exclusion, "digit_keys": p.type.digit_keys,
            # an adjustment keeps these labels' earlier objects (editsAllowed: none): not offered to draw
            "fixed_labels": list(p.labels.fixed_labels) if p.task_type == "label-adjustment" else [],
            "multi_label": p.multi_label, "short_instructions_html": markdown(p.short_instructions),
            # Draft with model's keys, when the element will show the button (the project has a model)
            "model_keys": p.type.model_keys if p.type.model_keys and allowed(actor, "model.generate")
            and conns.list_connections(db, actor, p.id) else (),
            "full_instructions_html": markdown(p.full_instructions), "examples": p.examples}
    response = templates.TemplateResponse(request, "label.html", {
        "project": view, "user": {"email": actor.email, "role": actor.role.value},
        "static_url": "/static", "csp_nonce": nonce})
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: https:; frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'")
    return response


@router.get("/label/frame/{assignment_id}", response_class=HTMLResponse)
def task_frame(assignment_id: int, request: Request, actor: OptionalActor, db: DbDep, signer: SignerDep) -> Response:
    nonce = secrets.token_urlsafe(16)
    origin = _origin(request)
    headers = {"Content-Security-Policy": frame_csp(origin, nonce), "Cache-Control": "no-store"}
    if actor is None:
        return HTMLResponse("<p>Your session has ended; log in again.</p>", status_code=401, headers=headers)
    try:
        body = frames.task_html(db, actor, assignment_id, lambda ref: origin + signer.url(ref, actor.user_id))
    except LabelworksError as exc:
        return HTMLResponse(f"<p>{exc.message}</p>".replace("<script", "&lt;script"), status_code=exc.http_status,
                            headers=headers)
    from markupsafe import Markup

    response = templates.TemplateResponse(request, "frame.html", {
        "body": Markup(body), "static_url": f"{origin}/static", "csp_nonce": nonce})
    response.headers.update(headers)
    return response
