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
import socket
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..core.errors import ValidationFailed

__all__ = ["OutboundRefused", "check_url", "post_json"]


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
