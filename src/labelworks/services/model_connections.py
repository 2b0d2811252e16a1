"""Model connections: the chat models a project names (an OpenAI-compatible endpoint or an
in-process plugin model), their API keys sealed at rest, and the record of every generation.

This layer stores and checks; the calls themselves are made by ``labelworks.assist.chat`` (above
services in the layer order), which asks here for the connection and its opened key and hands
back a ``GenerationRecord`` to keep.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from ..authz import authorize
from ..core.actor import Actor
from ..core.chat import ChatMessage, GenerationParams, check_model_name, parse_messages, parse_params
from ..core.enums import JobKind
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.secret_box import SecretBox
from ..db.base import utcnow
from ..db.engine import Database
from ..db.models import Generation, Item, ModelConnection
from .jobs import add_job
from .model_spending import Clock, SpendRules, check_spend, parse_budget, parse_roles, stored_roles
from .projects import load_visible

__all__ = ["KINDS", "GENERATIONS_KEY", "ConnectionInfo", "GenerationRecord", "GenerationInfo", "list_connections",
           "get_connection", "create_connection", "update_connection", "delete_connection", "connection_for_call",
           "record_generation", "list_generations", "create_generate_job", "prompt_item_page", "count_prompt_items",
           "item_messages", "store_item_generation", "KindCheck"]

KINDS = ("openai", "python")
GENERATIONS_KEY = "lw-generations"  # on an item: {connection name: {text, generation_id, finish_reason}}
_PURPOSE = "model-api-keys"
_MAX_CONNECTIONS = 50
# the assist layer's check of a connection's target: (kind, base_url, model) → raises ValidationFailed
KindCheck = Callable[[str, str | None, str], None]


@dataclass(frozen=True)
class ConnectionInfo:
    id: int
    project_id: int
    name: str
    kind: str
    base_url: str | None
    model: str
    api_key_set: bool
    params: GenerationParams
    concurrency: int
    timeout_s: float
    max_retries: int
    created_at: datetime
    updated_at: datetime
    generate_roles: tuple[str, ...] | None = None  # None: every role with project access
    user_daily_tokens: int | None = None  # token budgets (model_spending); None: no budget
    project_monthly_tokens: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The public shape: the key itself never leaves the server, only whether one is set."""
        return {"id": self.id, "project_id": self.project_id, "name": self.name, "kind": self.kind,
                "base_url": self.base_url, "model": self.model,
                "api_key": "set" if self.api_key_set else "not set", "params": self.params.as_dict(),
                "concurrency": self.concurrency, "timeout_s": self.timeout_s, "max_retries": self.max_retries,
                "generate_roles": list(self.generate_roles) if self.generate_roles is not None else None,
                "user_daily_tokens": self.user_daily_tokens, "project_monthly_tokens": self.project_monthly_tokens,
                "created_at": self.created_at, "updated_at": self.updated_at}

    @property
    def spend_rules(self) -> SpendRules:
        return SpendRules(self.id, self.name, self.generate_roles, self.user_daily_tokens, self.project_monthly_tokens)


def _info(row: ModelConnection) -> ConnectionInfo:
    return ConnectionInfo(row.id, row.project_id, row.name, row.kind, row.base_url, row.model,
                          row.api_key_sealed is not None, parse_params(json.loads(row.params or "{}")),
                          row.concurrency, row.timeout_s, row.max_retries, row.created_at, row.updated_at,
                          stored_roles(row.generate_roles), row.user_daily_tokens, row.project_monthly_tokens)


def _load(s: Any, actor: Actor, project_id: int, connection_id: int) -> ModelConnection:
    load_visible(s, actor, project_id)
    row = s.get(ModelConnection, connection_id)
    if row is None or row.project_id != project_id:
        raise NotFound(f"no model connection {connection_id} in project {project_id}")
    return row  # type: ignore[no-any-return]


def list_connections(db: Database, actor: Actor, project_id: int) -> list[ConnectionInfo]:
    """Every role that may generate sees the names (the labeling page lists them); keys never."""
    authorize(actor, "model.generate")
    with db.read() as s:
        load_visible(s, actor, project_id)
        rows = s.scalars(select(ModelConnection).where(ModelConnection.project_id == project_id)
                         .order_by(ModelConnection.id))
        return [_info(r) for r in rows]


def get_connection(db: Database, actor: Actor, project_id: int, connection_id: int) -> ConnectionInfo:
    authorize(actor, "model.generate")
    with db.read() as s:
        return _info(_load(s, actor, project_id, connection_id))


def _int(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(f"{name}: a whole number from {low} to {high}", field=name)
    return value


def _clean(fields: Mapping[str, Any], check: KindCheck) -> dict[str, Any]:
    """Validated column values from a full set of fields (create, or current merged with changes)."""
    kind = fields.get("kind")
    if kind not in KINDS:
        raise ValidationFailed(f"kind: one of {', '.join(KINDS)}", field="kind")
    name = check_model_name(fields.get("name"), "name")  # type: ignore[arg-type]
    model = fields.get("model")
    if not isinstance(model, str) or not model.strip() or len(model) > 200:
        raise ValidationFailed("model: the model's name at the endpoint (1-200 characters)", field="model")
    base_url = fields.get("base_url") or None
    if kind == "openai":
        if not isinstance(base_url, str) or len(base_url) > 2000:
            raise ValidationFailed("base_url: the endpoint's base URL, e.g. https://api.example.com/v1",
                                   field="base_url")
        base_url = base_url.rstrip("/")
    elif base_url is not None:
        raise ValidationFailed("base_url: only an openai connection has one", field="base_url")
    timeout = fields.get("timeout_s", 60.0)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0.1 <= timeout <= 600:
        raise ValidationFailed("timeout_s: seconds, from 0.1 to 600", field="timeout_s")
    params = parse_params(fields.get("params"), "params")
    check(kind, base_url, model)
    return {"kind": kind, "name": name, "model": model.strip(), "base_url": base_url,
            "timeout_s": float(timeout), "params": json.dumps(params.as_dict()),
            "concurrency": _int(fields.get("concurrency", 4), "concurrency", 1, 64),
            "max_retries": _int(fields.get("max_retries", 3), "max_retries", 0, 10),
            "generate_roles": parse_roles(fields.get("generate_roles")),
            "user_daily_tokens": parse_budget(fields.get("user_daily_tokens"), "user_daily_tokens"),
            "project_monthly_tokens": parse_budget(fields.get("project_monthly_tokens"), "project_monthly_tokens")}


def _api_key(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 4000 or any(c in value for c in "\r\n"):
        raise ValidationFailed("api_key: a single-line string of at most 4000 characters", field="api_key")
    return value


_FIELDS = {"name", "kind", "base_url", "model", "api_key", "params", "concurrency", "timeout_s", "max_retries",
           "generate_roles", "user_daily_tokens", "project_monthly_tokens"}


def _unknown(fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - _FIELDS
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationFailed(f"{name} is not a model connection field", field=name)


def create_connection(db: Database, actor: Actor, project_id: int, fields: Mapping[str, Any], secret_key: str,
                      check: KindCheck) -> ConnectionInfo:
    authorize(actor, "model.manage")
    _unknown(fields)
    with db.read() as s:
        load_visible(s, actor, project_id)
    values = _clean(fields, check)  # may resolve a host name: outside the write transaction
    key = _api_key(fields.get("api_key"))
    with db.write() as s:
        load_visible(s, actor, project_id)
        taken = s.scalars(select(ModelConnection.name).where(ModelConnection.project_id == project_id)).all()
        if values["name"] in taken:
            raise Conflict(f"name: the project already has a model named {values['name']!r}", field="name")
        if len(taken) >= _MAX_CONNECTIONS:
            raise Conflict(f"a project names at most {_MAX_CONNECTIONS} models")
        row = ModelConnection(project_id=project_id, created_by=actor.user_id, **values,
                              api_key_sealed=SecretBox(secret_key, _PURPOSE).seal(key) if key else None)
        s.add(row)
        s.flush()
        return _info(row)


def update_connection(db: Database, actor: Actor, project_id: int, connection_id: int, changes: Mapping[str, Any],
                      secret_key: str, check: KindCheck) -> ConnectionInfo:
    """Fields left out keep their value; ``api_key`` absent keeps the key, ``null`` or ``""`` removes it."""
    authorize(actor, "model.manage")
    _unknown(changes)
    with db.read() as s:
        current = _info(_load(s, actor, project_id, connection_id))
    merged = {"name": current.name, "kind": current.kind, "base_url": current.base_url, "model": current.model,
              "params": current.params.as_dict(), "concurrency": current.concurrency,
              "timeout_s": current.timeout_s, "max_retries": current.max_retries,
              "generate_roles": list(current.generate_roles) if current.generate_roles is not None else None,
              "user_daily_tokens": current.user_daily_tokens, "project_monthly_tokens": current.project_monthly_tokens,
              **changes}
    values = _clean(merged, check)
    with db.write() as s:
        row = _load(s, actor, project_id, connection_id)
        if values["name"] != row.name and s.scalar(select(ModelConnection.id).where(
                ModelConnection.project_id == project_id, ModelConnection.name == values["name"])) is not None:
            raise Conflict(f"name: the project already has a model named {values['name']!r}", field="name")
        for k, v in values.items():
            setattr(row, k, v)
        if "api_key" in changes:
            key = _api_key(changes["api_key"])
            row.api_key_sealed = SecretBox(secret_key, _PURPOSE).seal(key) if key else None
        if values["kind"] == "python":
            row.api_key_sealed = None
        row.updated_at = utcnow()
        s.flush()
        return _info(row)


def delete_connection(db: Database, actor: Actor, project_id: int, connection_id: int) -> None:
    """Generations made with it stay (they keep the model's name)."""
    authorize(actor, "model.manage")
    with db.write() as s:
        s.delete(_load(s, actor, project_id, connection_id))


def connection_for_call(db: Database, actor: Actor, project_id: int, connection_id: int,
                        secret_key: str, now: Clock = utcnow) -> tuple[ConnectionInfo, str | None]:
    """The connection and its opened API key, for the caller that is about to use it — the one way
    to a call, so the connection's spending rules are checked here: a role it does not allow is
    refused (PermissionDenied), a used-up token budget too (RateLimited, saying when it resets)."""
    authorize(actor, "model.generate")
    with db.read() as s:
        row = _load(s, actor, project_id, connection_id)
        sealed = row.api_key_sealed
        info = _info(row)
        check_spend(s, actor, info.spend_rules, now())
    return info, SecretBox(secret_key, _PURPOSE).open(sealed) if sealed else None


# ---------------------------------------------------------------------------- generations


@dataclass(frozen=True)
class GenerationRecord:
    """What a call produced, handed back by the caller to be stored."""

    project_id: int
    connection_id: int | None
    model_name: str
    user_id: int | None
    item_id: int | None
    source: str
    messages: Sequence[ChatMessage]
    params: GenerationParams
    response_text: str
    finish_reason: str | None
    latency_ms: int | None
    first_token_ms: int | None
    prompt_tokens: int | None
    completion_tokens: int | None
    tokens_counted: bool
    attempts: int
    error: str | None
    created_at: datetime | None = None  # None: now (a caller with its own clock passes its time)


@dataclass(frozen=True)
class GenerationInfo:
    id: int
    project_id: int
    connection_id: int | None
    model_name: str
    item_id: int | None
    user_id: int | None
    source: str
    messages: list[dict[str, str]]
    params: dict[str, Any]
    response_text: str
    finish_reason: str | None
    latency_ms: int | None
    first_token_ms: int | None
    prompt_tokens: int | None
    completion_tokens: int | None
    tokens_counted: bool
    attempts: int
    error: str | None
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def record_generation(db: Database, rec: GenerationRecord) -> int:
    with db.write() as s:
        row = Generation(project_id=rec.project_id, connection_id=rec.connection_id, model_name=rec.model_name,
                         item_id=rec.item_id, user_id=rec.user_id, source=rec.source,
                         messages=json.dumps([m.as_dict() for m in rec.messages]),
                         params=json.dumps(rec.params.as_dict()), response_text=rec.response_text,
                         finish_reason=rec.finish_reason, latency_ms=rec.latency_ms,
                         first_token_ms=rec.first_token_ms, prompt_tokens=rec.prompt_tokens,
                         completion_tokens=rec.completion_tokens, tokens_counted=int(rec.tokens_counted),
                         attempts=rec.attempts, error=rec.error, created_at=rec.created_at or utcnow())
        s.add(row)
        s.flush()
        return row.id


def _generation_info(g: Generation) -> GenerationInfo:
    return GenerationInfo(g.id, g.project_id, g.connection_id, g.model_name, g.item_id, g.user_id, g.source,
                          json.loads(g.messages), json.loads(g.params or "{}"), g.response_text, g.finish_reason,
                          g.latency_ms, g.first_token_ms, g.prompt_tokens, g.completion_tokens,
                          bool(g.tokens_counted), g.attempts, g.error, g.created_at)


def list_generations(db: Database, actor: Actor, project_id: int, *, connection_id: int | None = None,
                     item_id: int | None = None, before_id: int | None = None,
                     limit: int = 50) -> list[GenerationInfo]:
    """Newest first; page with ``before_id`` (the last id of the previous page)."""
    authorize(actor, "generation.view")
    limit = max(1, min(limit, 500))
    with db.read() as s:
        load_visible(s, actor, project_id)
        q = select(Generation).where(Generation.project_id == project_id)
        if connection_id is not None:
            q = q.where(Generation.connection_id == connection_id)
        if item_id is not None:
            q = q.where(Generation.item_id == item_id)
        if before_id is not None:
            q = q.where(Generation.id < before_id)
        return [_generation_info(g) for g in s.scalars(q.order_by(Generation.id.desc()).limit(limit))]


# ---------------------------------------------------------------------------- batch generation


def item_messages(data: Mapping[str, Any]) -> tuple[ChatMessage, ...]:
    """An item's prompt: ``messages`` (chat form), else ``prompt``, else a text ``source``."""
    if "messages" in data:
        return parse_messages(data["messages"], "messages")
    for key in ("prompt", "source"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return (ChatMessage("user", value),)
    raise ValidationFailed("the item has no prompt: expected messages, prompt or a text source", field="prompt")


def create_generate_job(db: Database, actor: Actor, project_id: int, connection_ids: Sequence[int],
                        overwrite: bool = False) -> int:
    """Write a ``generate`` job row (the caller enqueues it after this returns)."""
    authorize(actor, "model.manage")
    if not connection_ids or len(set(connection_ids)) != len(connection_ids):
        raise ValidationFailed("connections: a non-empty list of distinct model connection ids", field="connections")
    with db.write() as s:
        for cid in connection_ids:
            _load(s, actor, project_id, cid)
        items = s.scalar(select(func.count()).select_from(Item).where(Item.project_id == project_id)) or 0
        total = int(items) * len(connection_ids)
        return add_job(s, actor, project_id, JobKind.GENERATE,
                       {"connections": list(connection_ids), "overwrite": bool(overwrite)}, total=total)


def count_prompt_items(db: Database, project_id: int) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Item).where(Item.project_id == project_id)) or 0)


def prompt_item_page(db: Database, project_id: int, after_id: int, limit: int) -> list[tuple[int, dict[str, Any]]]:
    """The next ``limit`` items after ``after_id`` (keyset by id): the batch job walks a project of
    any size with only one page in memory, and items added while it runs are reached too."""
    with db.read() as s:
        return [(i.id, json.loads(i.data)) for i in
                s.scalars(select(Item).where(Item.project_id == project_id, Item.id > after_id)
                          .order_by(Item.id).limit(limit))]


def store_item_generation(db: Database, item_id: int, model_name: str, text: str, generation_id: int,
                          finish_reason: str | None) -> None:
    """Keep the reply on the item, under ``lw-generations.<model name>`` (other models' replies stay)."""
    with db.write() as s:
        item = s.get(Item, item_id)
        if item is None:
            return
        data = json.loads(item.data)
        found = data.get(GENERATIONS_KEY)
        found = dict(found) if isinstance(found, dict) else {}
        found[model_name] = {"text": text, "generation_id": generation_id, "finish_reason": finish_reason}
        data[GENERATIONS_KEY] = found
        item.data = json.dumps(data)
