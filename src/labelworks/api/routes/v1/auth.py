from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ....authz import authorize
from ....services import accounts
from ...deps import CookieDep, CurrentActor, DbDep, SettingsDep
from ...schemas.v1.accounts import LoginBody, MePublic, TokenCreate, TokenPublic

router = APIRouter(tags=["auth"])


@router.post("/auth/login", response_model=MePublic)
def login(body: LoginBody, request: Request, response: Response, db: DbDep, settings: SettingsDep,
          cookie: CookieDep) -> MePublic:
    limiter = request.app.state.login_limiter
    address = request.client.host if request.client else "unknown"
    limiter.check(address, body.email)
    try:
        user = accounts.authenticate(db, body.email, body.password)
    except Exception:
        limiter.failed(address, body.email)
        raise
    cookie.set(response, accounts.start_session(db, user.id, settings.session_days))
    return MePublic(id=user.id, email=user.email, role=user.role, org_id=user.org_id)


@router.post("/auth/logout", status_code=204)
def logout(request: Request, response: Response, db: DbDep, cookie: CookieDep) -> Response:
    session_id = cookie.load(request.cookies.get("lw_session"))
    if session_id:
        accounts.end_session(db, session_id)
        request.app.state.credentials.drop("s:" + session_id)
    out = Response(status_code=204)
    cookie.clear(out)
    return out


@router.get("/me", response_model=MePublic)
def me(actor: CurrentActor) -> MePublic:
    return MePublic(id=actor.user_id, email=actor.email, role=actor.role, org_id=actor.org_id)


@router.post("/tokens", response_model=TokenPublic, status_code=201)
def create_token(body: TokenCreate, actor: CurrentActor, db: DbDep) -> TokenPublic:
    authorize(actor, "token.create_own")
    return TokenPublic(token=accounts.create_token(db, actor.user_id, body.name))
