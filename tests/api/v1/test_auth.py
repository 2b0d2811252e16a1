"""/auth, /me, /tokens: login with a cookie session, CSRF, rate limit, tokens, the 401 envelope."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from labelworks.core.enums import Role

from factories import PASSWORD, Factory

ORIGIN = {"Origin": "http://testserver"}


def _login(client: TestClient, email: str, password: str = PASSWORD) -> object:
    return client.post("/api/v1/auth/login", json={"email": email, "password": password}, headers=ORIGIN)


def test_login_sets_a_session_cookie_and_logout_ends_it(client: TestClient, factory: Factory) -> None:
    user = factory.user(Role.MANAGER, password=PASSWORD)
    r = client.post("/api/v1/auth/login", json={"email": user.email.upper(), "password": PASSWORD})
    assert r.status_code == 200, r.text
    assert r.json() == {"id": user.id, "email": user.email, "role": "manager", "org_id": user.org_id}
    cookie = r.headers["set-cookie"]
    assert "lw_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.get("/api/v1/me").json()["id"] == user.id
    assert client.post("/api/v1/auth/logout", headers=ORIGIN).status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_wrong_password_is_401_in_the_envelope(client: TestClient, factory: Factory) -> None:
    user = factory.user(Role.ANNOTATOR, password=PASSWORD)
    r = client.post("/api/v1/auth/login", json={"email": user.email, "password": "wrong-password"})
    assert r.status_code == 401
    assert r.json() == {"error": {"code": "not_authenticated", "message": "wrong e-mail or password",
                                  "field": None, "details": []}}
    assert "set-cookie" not in r.headers


def test_no_credentials_is_401_in_the_envelope(client: TestClient) -> None:
    for method, path in (("GET", "/api/v1/me"), ("GET", "/api/v1/projects"), ("POST", "/api/v1/projects/1/next")):
        r = client.request(method, path, json={})
        assert r.status_code == 401, path
        body = r.json()
        assert set(body) == {"error"} and body["error"]["code"] == "not_authenticated"
    r = client.get("/api/v1/me", headers={"Authorization": "Bearer lw_not-a-token"})
    assert r.status_code == 401 and r.json()["error"]["message"] == "the API token is not valid"


def test_login_rate_limit(make_client: Callable[..., TestClient], factory: Factory) -> None:
    client = make_client(login_rate_limit="3/minute")
    user = factory.user(Role.ANNOTATOR, password=PASSWORD)
    for _ in range(3):
        assert _login(client, user.email, "wrong-password").status_code == 401  # type: ignore[attr-defined]
    r = _login(client, user.email)  # even the right password waits now
    assert r.status_code == 429  # type: ignore[attr-defined]
    assert r.json()["error"]["code"] == "rate_limited"  # type: ignore[attr-defined]
    assert r.headers["retry-after"] == "60"  # type: ignore[attr-defined]


def test_successful_logins_do_not_count(make_client: Callable[..., TestClient], factory: Factory) -> None:
    client = make_client(login_rate_limit="2/minute")
    user = factory.user(Role.ANNOTATOR, password=PASSWORD)
    for _ in range(4):
        assert _login(client, user.email).status_code == 200  # type: ignore[attr-defined]


def test_csrf_cookie_posts_need_our_origin(client: TestClient, factory: Factory) -> None:
    user = factory.user(Role.MANAGER, password=PASSWORD)
    assert _login(client, user.email).status_code == 200  # type: ignore[attr-defined]
    r = client.post("/api/v1/tokens", json={"name": "x"})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "csrf_failed"
    for bad in ({"Origin": "http://evil.example"}, {"Origin": "https://testserver"}, {"Referer": "http://evil.example/x"},
                {"Sec-Fetch-Site": "cross-site", "Origin": "http://testserver"}):
        assert client.post("/api/v1/tokens", json={}, headers=bad).status_code == 403, bad
    assert client.post("/api/v1/tokens", json={}, headers=ORIGIN).status_code == 201
    assert client.post("/api/v1/tokens", json={}, headers={"Referer": "http://testserver/projects"}).status_code == 201
    assert client.post("/api/v1/tokens", json={}, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 201
    assert client.get("/api/v1/me").status_code == 200  # safe methods pass


def test_token_requests_pass_csrf_even_with_a_cookie(client: TestClient, factory: Factory) -> None:
    user = factory.user(Role.MANAGER, password=PASSWORD)
    assert _login(client, user.email).status_code == 200  # type: ignore[attr-defined]
    r = client.post("/api/v1/tokens", json={"name": "cli"}, headers=user.headers)
    assert r.status_code == 201


def test_tokens_minted_by_the_api_work(client: TestClient, factory: Factory) -> None:
    user = factory.user(Role.ANNOTATOR)
    r = client.post("/api/v1/tokens", json={"name": "laptop"}, headers=user.headers)
    assert r.status_code == 201
    token = r.json()["token"]
    assert token.startswith("lw_")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["id"] == user.id


def test_security_headers_on_every_response(client: TestClient) -> None:
    for path in ("/api/health", "/api/v1/me", "/api/v1/nope"):
        r = client.get(path)
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["x-frame-options"] == "SAMEORIGIN", path
