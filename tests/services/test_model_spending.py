"""Spending control on model connections, through the real connector and the stored generations:
the roles that may generate, a user's daily and the project's monthly token budget crossed mid-way
(the next call refused, naming the connection, the budget and when it resets), the reset on the next
day or month (a movable clock, no sleeping), usage per connection, and batch generation that walks
its items in pages, stops at a used-up budget and resumes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import text

from labelworks.assist.batch_generate import run_generate
from labelworks.assist.chat import prepare
from labelworks.core.chat import ChatChunk, ChatMessage, GenerationParams
from labelworks.core.errors import PermissionDenied, RateLimited, ValidationFailed
from labelworks.db.engine import Database
from labelworks.services import model_connections as conns
from labelworks.services import model_spending as spending

from factories import Factory, OrgUsers, UserHandle

pytestmark = pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                                    indirect=True)
SECRET = "a-long-random-secret-key-for-tests"
HELLO = [{"role": "user", "content": "hello"}]


class Costly:
    """Answers "ok" and reports 40 prompt + 60 completion tokens: 100 a call. ``fail`` raises first."""

    name, title = "costly", "100 tokens a call"

    def __init__(self) -> None:
        self.calls = 0
        self.fail = False

    def generate(self, messages: Sequence[ChatMessage], params: GenerationParams) -> Iterator[ChatChunk]:
        self.calls += 1
        if self.fail:
            raise RuntimeError("the GPU is on fire")
        yield ChatChunk("ok")
        yield ChatChunk("", "stop", prompt_tokens=40, completion_tokens=60)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _check(kind: str, base_url: str | None, model: str) -> None:
    """In-process models given to ``prepare`` directly: nothing to check when saving."""


@pytest.fixture
def model() -> Costly:
    return Costly()


def _project(factory: Factory, org: OrgUsers) -> int:
    team = factory.team(org.manager, [org.annotator])
    return factory.project(org.manager, team_ids=[team.id]).id


def _connect(db: Database, org: OrgUsers, pid: int, **fields: Any) -> int:
    return conns.create_connection(db, org.manager.actor, pid, {"name": "model-a", "kind": "python",
                                                                "model": "costly", **fields}, SECRET, _check).id


def _call(db: Database, who: UserHandle, pid: int, cid: int, model: Costly, clock: Clock) -> dict[str, Any]:
    event = prepare(db, who.actor, pid, cid, HELLO, None, secret_key=SECRET, allow_private=False,
                    models={"costly": model}, clock=clock).collect()
    return {"type": event.type, **event.data}


def test_fields_are_validated_naming_the_field(db: Database, factory: Factory, org: OrgUsers) -> None:
    pid = _project(factory, org)
    bad: list[tuple[str, object]] = [("generate_roles", []), ("generate_roles", ["boss"]),
                                     ("generate_roles", "manager"), ("user_daily_tokens", 0),
                                     ("user_daily_tokens", -5), ("user_daily_tokens", "9"), ("user_daily_tokens", True),
                                     ("project_monthly_tokens", 10**13), ("project_monthly_tokens", 1.5)]
    for field, value in bad:
        with pytest.raises(ValidationFailed) as err:
            _connect(db, org, pid, **{field: value})
        assert err.value.field == field and err.value.message.startswith(f"{field}: "), (field, value)
    cid = _connect(db, org, pid, generate_roles=["reviewer", "manager"], user_daily_tokens=500)
    info = conns.get_connection(db, org.manager.actor, pid, cid)
    assert info.generate_roles == ("manager", "reviewer")  # kept in the roles' own order
    assert info.as_dict()["generate_roles"] == ["manager", "reviewer"]
    assert (info.user_daily_tokens, info.project_monthly_tokens) == (500, None)
    # an update leaves what it does not name, and null takes a rule away
    changed = conns.update_connection(db, org.manager.actor, pid, cid, {"project_monthly_tokens": 9000}, SECRET,
                                      _check)
    assert (changed.generate_roles, changed.user_daily_tokens, changed.project_monthly_tokens) == \
        (("manager", "reviewer"), 500, 9000)
    cleared = conns.update_connection(db, org.manager.actor, pid, cid, {"generate_roles": None,
                                                                        "user_daily_tokens": None}, SECRET, _check)
    assert (cleared.generate_roles, cleared.user_daily_tokens, cleared.project_monthly_tokens) == (None, None, 9000)


def test_only_the_roles_named_may_generate(db: Database, factory: Factory, org: OrgUsers, model: Costly) -> None:
    pid = _project(factory, org)
    clock = Clock(datetime(2026, 3, 10, 12, 0))
    cid = _connect(db, org, pid, generate_roles=["manager", "reviewer"])
    with pytest.raises(PermissionDenied) as err:
        _call(db, org.annotator, pid, cid, model, clock)
    assert err.value.message == "model-a: only manager, reviewer may generate with this model (you are annotator)"
    assert model.calls == 0 and conns.list_generations(db, org.manager.actor, pid) == []  # nothing sent, nothing kept
    assert _call(db, org.reviewer, pid, cid, model, clock)["type"] == "done"
    conns.update_connection(db, org.manager.actor, pid, cid, {"generate_roles": None}, SECRET, _check)
    assert _call(db, org.annotator, pid, cid, model, clock)["type"] == "done"  # everyone with access again


def test_a_users_daily_budget_crossed_refuses_the_next_call_until_the_next_day(
        db: Database, factory: Factory, org: OrgUsers, model: Costly) -> None:
    pid = _project(factory, org)
    clock = Clock(datetime(2026, 3, 10, 21, 30))
    cid = _connect(db, org, pid, user_daily_tokens=250)
    for _ in range(3):  # 0, 100, 200 spent before each: under 250, so each goes; the third crosses it
        assert _call(db, org.annotator, pid, cid, model, clock)["type"] == "done"
    with pytest.raises(RateLimited) as err:
        _call(db, org.annotator, pid, cid, model, clock)
    assert err.value.http_status == 429 and err.value.field == "user_daily_tokens"
    assert err.value.message == ("model-a: your daily budget of 250 tokens is used up (300 spent); it resets at "
                                 "2026-03-11 00:00 UTC (in 2 h 30 min)")
    assert err.value.details[0]["resets_at"] == "2026-03-11T00:00:00Z"
    assert err.value.details[0]["retry_after_s"] == 9000
    assert model.calls == 3
    # the budget is each user's own: the manager still has all of theirs
    assert _call(db, org.manager, pid, cid, model, clock)["type"] == "done"
    clock.now = datetime(2026, 3, 10, 23, 59, 59)
    with pytest.raises(RateLimited):
        _call(db, org.annotator, pid, cid, model, clock)
    clock.now = datetime(2026, 3, 11, 0, 0, 1)  # a new UTC day
    assert _call(db, org.annotator, pid, cid, model, clock)["type"] == "done"
    usage = spending.usage_report(db, org.annotator.actor, pid, now=clock.now)[0]
    assert usage["you"] == {"tokens_today": 100, "remaining_today": 150}


def test_the_projects_monthly_budget_counts_everyone_and_resets_with_the_month(
        db: Database, factory: Factory, org: OrgUsers, model: Costly) -> None:
    pid = _project(factory, org)
    clock = Clock(datetime(2026, 12, 30, 8, 0))
    cid = _connect(db, org, pid, project_monthly_tokens=300, user_daily_tokens=10_000)
    for who in (org.manager, org.annotator, org.reviewer):
        assert _call(db, who, pid, cid, model, clock)["type"] == "done"
    for who in (org.owner, org.annotator):
        with pytest.raises(RateLimited) as err:
            _call(db, who, pid, cid, model, clock)
        assert err.value.field == "project_monthly_tokens"
        assert err.value.message == ("model-a: the project's monthly budget of 300 tokens is used up (300 spent); "
                                     "it resets at 2027-01-01 00:00 UTC (in 1 d 16 h)")
    clock.now = datetime(2026, 12, 31, 9, 0)  # a new day is not a new month
    with pytest.raises(RateLimited):
        _call(db, org.manager, pid, cid, model, clock)
    clock.now = datetime(2027, 1, 1, 0, 0)
    assert _call(db, org.manager, pid, cid, model, clock)["type"] == "done"
    # raising the budget lets calls go on at once
    clock.now = datetime(2027, 1, 1, 0, 5)
    conns.update_connection(db, org.manager.actor, pid, cid, {"project_monthly_tokens": 100}, SECRET, _check)
    with pytest.raises(RateLimited):
        _call(db, org.manager, pid, cid, model, clock)
    conns.update_connection(db, org.manager.actor, pid, cid, {"project_monthly_tokens": None}, SECRET, _check)
    assert _call(db, org.manager, pid, cid, model, clock)["type"] == "done"


def test_a_call_that_failed_before_any_reply_is_not_counted(db: Database, factory: Factory, org: OrgUsers,
                                                            model: Costly) -> None:
    pid = _project(factory, org)
    clock = Clock(datetime(2026, 5, 5, 10, 0))
    cid = _connect(db, org, pid, user_daily_tokens=150)
    model.fail = True
    for _ in range(3):
        failed = _call(db, org.annotator, pid, cid, model, clock)
        assert failed["type"] == "error" and failed["completion_tokens"] == 0
    model.fail = False
    assert _call(db, org.annotator, pid, cid, model, clock)["type"] == "done"  # 0 counted so far
    assert _call(db, org.annotator, pid, cid, model, clock)["type"] == "done"  # 100 counted
    with pytest.raises(RateLimited):
        _call(db, org.annotator, pid, cid, model, clock)


def test_usage_per_connection_with_the_top_users_for_managers(db: Database, factory: Factory, org: OrgUsers,
                                                              model: Costly) -> None:
    pid = _project(factory, org)
    clock = Clock(datetime(2026, 6, 20, 15, 0))
    cid = _connect(db, org, pid, user_daily_tokens=1000, project_monthly_tokens=100_000)
    other = conns.create_connection(db, org.manager.actor, pid, {"name": "model-b", "kind": "python",
                                                                 "model": "costly"}, SECRET, _check).id
    clock.now = datetime(2026, 6, 2, 9, 0)  # earlier this month
    for _ in range(3):
        _call(db, org.reviewer, pid, cid, model, clock)
    clock.now = datetime(2026, 6, 20, 15, 0)  # today
    _call(db, org.annotator, pid, cid, model, clock)
    _call(db, org.annotator, pid, cid, model, clock)
    _call(db, org.manager, pid, other, model, clock)
    clock.now = datetime(2026, 5, 31, 23, 0)  # last month: not counted
    _call(db, org.annotator, pid, cid, model, clock)

    now = datetime(2026, 6, 20, 16, 0)
    a, b = spending.usage_report(db, org.manager.actor, pid, now=now)
    assert (a["name"], a["today"]["tokens"], a["month"]["tokens"]) == ("model-a", 200, 500)
    assert a["today"]["resets_at"] == datetime(2026, 6, 21) and a["month"]["resets_at"] == datetime(2026, 7, 1)
    assert (a["user_daily_tokens"], a["project_monthly_tokens"]) == (1000, 100_000)
    assert [(u["email"], u["tokens_month"], u["tokens_today"]) for u in a["top_users"]] == \
        [(org.reviewer.email, 300, 0), (org.annotator.email, 200, 200)]
    assert (b["name"], b["today"]["tokens"], b["top_users"][0]["email"]) == ("model-b", 100, org.manager.email)
    assert a["you"] == {"tokens_today": 0, "remaining_today": 1000}
    mine = spending.usage_report(db, org.annotator.actor, pid, [cid], now=now)
    assert len(mine) == 1 and "top_users" not in mine[0]  # workers see the totals and themselves only
    assert mine[0]["you"] == {"tokens_today": 200, "remaining_today": 800}


def test_batch_generation_pages_through_thousands_of_items_stops_at_the_budget_and_resumes(
        db: Database, factory: Factory, org: OrgUsers, model: Costly, monkeypatch: pytest.MonkeyPatch) -> None:
    pid = _project(factory, org)
    n = 2000
    factory.items(org.manager, pid, rows=[{"prompt": f"question {i}"} for i in range(n)])
    cid = _connect(db, org, pid, user_daily_tokens=120_000, concurrency=4)  # room for 1200 calls a day
    pages: list[tuple[int, int]] = []
    real_page = conns.prompt_item_page

    def watched(db: Database, project_id: int, after_id: int, limit: int) -> list[tuple[int, dict[str, Any]]]:
        page = real_page(db, project_id, after_id, limit)
        pages.append((after_id, len(page)))
        return page

    monkeypatch.setattr(conns, "prompt_item_page", watched)
    progress: list[tuple[int, int]] = []
    clock = Clock(datetime(2026, 4, 1, 10, 0))
    first = run_generate(db, org.manager.actor, pid, {"connections": [cid]}, secret_key=SECRET, allow_private=False,
                         progress=lambda done, total: progress.append((done, total)), page_size=50, clock=clock,
                         models={"costly": model})
    counts = first["models"]["model-a"]
    # the calls already past the check when the 1200th was stored may still finish: at most concurrency - 1
    assert 1200 <= counts["generated"] <= 1203 and counts["failed"] == [] and counts["skipped"] == 0
    assert counts["stopped"].startswith("model-a: your daily budget of 120,000 tokens is used up")
    assert "resets at 2026-04-02 00:00 UTC" in counts["stopped"]
    assert counts["left"] == n - counts["generated"]
    # walked in pages of 50, each after the last id of the one before, and not beyond the stop
    assert all(size <= 50 for _, size in pages) and [a for a, _ in pages] == sorted({a for a, _ in pages})
    assert 24 <= len(pages) <= 26
    assert progress[-1][1] == n and all(x[0] <= y[0] for x, y in zip(progress, progress[1:], strict=False))

    pages.clear()
    clock.now = datetime(2026, 4, 2, 0, 30)  # the next day: the rest is answered, the first run's replies kept
    second = run_generate(db, org.manager.actor, pid, {"connections": [cid]}, secret_key=SECRET, allow_private=False,
                          progress=lambda done, total: progress.append((done, total)), page_size=50, clock=clock,
                         models={"costly": model})
    again = second["models"]["model-a"]
    assert again == {"generated": n - counts["generated"], "skipped": counts["generated"], "failed": []}
    assert len(pages) == n // 50 + 1  # the last, empty page ends the walk
    assert progress[-1] == (n, n)
    with db.read() as s:
        answered = s.execute(text("SELECT count(*) FROM items WHERE project_id = :p AND data LIKE '%lw-generations%'"),
                             {"p": pid}).scalar()
    assert answered == n and model.calls == n


def test_batch_generation_stops_for_a_role_the_connection_does_not_allow(
        db: Database, factory: Factory, org: OrgUsers, model: Costly) -> None:
    pid = _project(factory, org)
    factory.items(org.manager, pid, n=5)
    cid = _connect(db, org, pid, generate_roles=["annotator"])
    report = run_generate(db, org.manager.actor, pid, {"connections": [cid]}, secret_key=SECRET,
                          allow_private=False, models={"costly": model})
    counts = report["models"]["model-a"]
    assert counts["generated"] == 0 and counts["left"] == 5 and model.calls == 0
    assert counts["stopped"] == "model-a: only annotator may generate with this model (you are manager)"


def test_the_windows_are_utc_days_and_calendar_months(backend: str) -> None:
    assert spending.day_window(datetime(2026, 2, 28, 23, 59)) == (datetime(2026, 2, 28), datetime(2026, 3, 1))
    assert spending.month_window(datetime(2026, 12, 31, 23, 0)) == (datetime(2026, 12, 1), datetime(2027, 1, 1))
    assert spending.month_window(datetime(2028, 2, 29, 1)) == (datetime(2028, 2, 1), datetime(2028, 3, 1))
    assert spending.month_window(datetime(2026, 1, 31)) == (datetime(2026, 1, 1), datetime(2026, 2, 1))
