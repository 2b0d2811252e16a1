"""Login rate limit (``limits``): memory storage embedded, Redis when configured."""

from __future__ import annotations

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from ..core.errors import RateLimited

__all__ = ["LoginLimiter"]


class LoginLimiter:
    def __init__(self, rule: str, redis_url: str | None) -> None:
        self._item = parse(rule)
        self._limiter = MovingWindowRateLimiter(storage_from_string(redis_url or "memory://"))

    def check(self, address: str, email: str) -> None:
        """Raise RateLimited once an address or an e-mail has used up its failed attempts."""
        for key in (f"ip:{address}", f"email:{email.strip().lower()}"):
            if not self._limiter.test(self._item, "login", key):
                raise RateLimited("too many failed logins; wait a minute and try again")

    def failed(self, address: str, email: str) -> None:
        for key in (f"ip:{address}", f"email:{email.strip().lower()}"):
            self._limiter.hit(self._item, "login", key)
