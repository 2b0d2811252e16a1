"""The guarded outbound HTTP client for model backends.

A project manager names the backend URL, so the server must not become a way to reach what only
it can reach: every address the host name resolves to must be a public one (no loopback, private,
link-local, reserved or multicast range) unless the server's ``LABELWORKS_OUTBOUND_ALLOW_PRIVATE``
setting allows them (a backend on the same machine or LAN). Redirects are not followed (a 3xx is
an error), so a public URL cannot bounce the request inward. Known limit: the name is resolved
here and again by the HTTP client, so a DNS answer that changes in between (rebinding) is not
caught; deployments that need that guarantee allow private addresses off and put the backend
behind a fixed IP.
"""

from __future__ import annotations

import ipaddress
import random
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..core.errors import ValidationFailed

__all__ = ["OutboundRefused", "check_url", "post_json", "RetryPolicy", "retry_delay", "OpenStream", "post_stream"]


class OutboundRefused(ValidationFailed):
    """The URL is not one the server may call."""


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str, allow_private: bool, field: str = "url") -> None:
    """Refuse anything but http(s) to a public address (or any address when ``allow_private``)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutboundRefused(f"{field}: expected an http:// or https:// URL", field=field)
    if parts.username or parts.password:
        raise OutboundRefused(f"{field}: credentials in the URL are not accepted", field=field)
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise OutboundRefused(f"{field}: the host {parts.hostname!r} does not resolve", field=field) from None
    if allow_private:
        return
    for info in infos:
        address = str(info[4][0])
        if not _is_public(address):
            raise OutboundRefused(f"{field}: {parts.hostname} resolves to {address}, a private or local address "
                                  "(set LABELWORKS_OUTBOUND_ALLOW_PRIVATE=true to allow it)", field=field)


def post_json(url: str, body: dict[str, Any], *, allow_private: bool, timeout_s: float,
              max_bytes: int = 64 * 1024 * 1024) -> Any:
    """POST ``body`` as JSON and return the decoded JSON answer; errors say what went wrong."""
    check_url(url, allow_private)
    timeout = httpx.Timeout(timeout_s, connect=min(5.0, timeout_s))
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            with client.stream("POST", url, json=body, headers={"Accept": "application/json"}) as res:
                if res.is_redirect:
                    raise OutboundRefused("the model backend answered with a redirect, which is not followed",
                                          field="backend_url")
                chunks, size = [], 0
                for chunk in res.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise ValidationFailed(f"the model backend's answer is over {max_bytes // 2**20} MiB",
                                               field="result")
                    chunks.append(chunk)
                status = res.status_code
    except httpx.TimeoutException:
        raise ValidationFailed(f"the model backend did not answer within {timeout_s:g} s",
                               field="backend_url") from None
    except httpx.HTTPError as exc:
        raise ValidationFailed(f"the model backend could not be reached ({type(exc).__name__})",
                               field="backend_url") from None
    data = b"".join(chunks)
    if status >= 400:
        raise ValidationFailed(f"the model backend answered HTTP {status}: {data[:200].decode('utf-8', 'replace')}",
                               field="backend_url")
    try:
        return httpx.Response(200, content=data).json()
    except ValueError:
        raise ValidationFailed("the model backend's answer is not JSON", field="result") from None


# ------------------------------------------------------------------ streaming, with retries

_RETRIED_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Retries of a request that failed before any of its answer was read: on a connection error,
    HTTP 429 or a 5xx. Delays grow exponentially from ``base_s`` with full jitter (so many clients
    throttled at once do not come back in step), capped at ``cap_s``; a ``Retry-After`` the server
    sends wins, up to ``cap_s``."""

    max_retries: int = 3
    base_s: float = 0.5
    cap_s: float = 20.0


def retry_delay(attempt: int, retry_after: str | None, policy: RetryPolicy,
                rng: Callable[[], float] = random.random) -> float:
    """Seconds to wait before retry number ``attempt`` (1-based)."""
    if retry_after:
        try:
            seconds = float(retry_after)
        except ValueError:
            try:
                seconds = parsedate_to_datetime(retry_after).timestamp() - time.time()
            except (TypeError, ValueError):
                seconds = -1.0
        if seconds >= 0:
            return min(seconds, policy.cap_s)
    return float(rng() * min(policy.cap_s, policy.base_s * 2 ** (attempt - 1)))


@dataclass
class OpenStream:
    """An answer whose headers arrived with a 2xx: read it with ``lines()`` (each read waits at most
    the timeout, so a server that stops sending mid-answer fails rather than hangs)."""

    response: httpx.Response
    attempts: int
    timeout_s: float

    def lines(self) -> Iterator[str]:
        try:
            yield from self.response.iter_lines()
        except httpx.TimeoutException:
            raise ValidationFailed(f"the model stopped sending for {self.timeout_s:g} s in the middle of its answer",
                                   field="model") from None
        except httpx.HTTPError as exc:
            raise ValidationFailed(f"the model's answer broke off ({type(exc).__name__})", field="model") from None


@contextmanager
def post_stream(url: str, body: dict[str, Any], *, allow_private: bool, timeout_s: float,
                headers: dict[str, str] | None = None, retry: RetryPolicy = RetryPolicy(),
                sleep: Callable[[float], None] = time.sleep) -> Iterator[OpenStream]:
    """POST ``body`` as JSON and yield the open answer once a 2xx arrives, retrying what is worth
    retrying (see RetryPolicy). Errors name the status and the start of the server's answer; the
    key in ``headers`` never appears in them."""
    check_url(url, allow_private, field="base_url")
    timeout = httpx.Timeout(timeout_s, connect=min(5.0, timeout_s))
    attempt = 0
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        while True:
            attempt += 1
            last: str
            retry_after: str | None = None
            try:
                request = client.build_request("POST", url, json=body, headers=headers or {})
                res = client.send(request, stream=True)
            except httpx.TimeoutException as exc:
                if isinstance(exc, httpx.ConnectTimeout) and attempt <= retry.max_retries:
                    sleep(retry_delay(attempt, None, retry))
                    continue
                raise ValidationFailed(f"the model did not answer within {timeout_s:g} s", field="model") from None
            except httpx.HTTPError as exc:
                last = f"could not be reached ({type(exc).__name__})"
                if attempt <= retry.max_retries:
                    sleep(retry_delay(attempt, None, retry))
                    continue
                raise ValidationFailed(f"the model {last}, after {attempt} attempts", field="model",
                                       details=[{"attempts": attempt}]) from None
            try:
                if res.is_redirect:
                    raise OutboundRefused("the model endpoint answered with a redirect, which is not followed",
                                          field="base_url")
                if res.status_code >= 400:
                    excerpt = _excerpt(res)
                    last = f"answered HTTP {res.status_code}: {excerpt}"
                    if res.status_code in _RETRIED_STATUS and attempt <= retry.max_retries:
                        retry_after = res.headers.get("retry-after")
                    else:
                        after = f", after {attempt} attempts" if attempt > 1 else ""
                        raise ValidationFailed(f"the model {last}{after}", field="model",
                                               details=[{"attempts": attempt}])
                else:
                    yield OpenStream(res, attempt, timeout_s)
                    return
            finally:
                res.close()
            sleep(retry_delay(attempt, retry_after, retry))


def _excerpt(res: httpx.Response, limit: int = 300) -> str:
    try:
        data = b""
        for chunk in res.iter_bytes():
            data += chunk
            if len(data) >= limit:
                break
    except httpx.HTTPError:
        return "(no readable body)"
    return data[:limit].decode("utf-8", "replace").strip() or "(empty body)"
