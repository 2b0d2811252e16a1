"""Every error Labelworks raises on purpose, in one tree.

    LabelworksError                 base; carries code, message, field, details
    ├── NotAuthenticated     401    no or bad credentials
    ├── PermissionDenied     403    authenticated, but not allowed
    ├── NotFound             404    no such object, or not visible to the caller
    ├── Conflict             409    state forbids it (lease expired, duplicate name)
    ├── ValidationFailed     422    bad input; ``field`` names the offending field
    │   └── ImportRejected   422    a file with bad lines; ``details`` lists line + reason
    ├── PayloadTooLarge      413    an upload over the configured limit
    └── RateLimited          429    too many attempts (login)

``api/errors.py`` maps these to HTTP in one place, as one JSON envelope:
``{"error": {"code", "message", "field", "details"}}``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "LabelworksError",
    "NotAuthenticated",
    "PermissionDenied",
    "NotFound",
    "Conflict",
    "ValidationFailed",
    "ImportRejected",
    "PayloadTooLarge",
    "RateLimited",
]


class LabelworksError(Exception):
    code = "error"
    http_status = 500

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details or []

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "field": self.field,
            "details": self.details,
        }


class NotAuthenticated(LabelworksError):
    code = "not_authenticated"
    http_status = 401


class PermissionDenied(LabelworksError):
    code = "permission_denied"
    http_status = 403


class NotFound(LabelworksError):
    code = "not_found"
    http_status = 404


class Conflict(LabelworksError):
    code = "conflict"
    http_status = 409


class ValidationFailed(LabelworksError):
    code = "validation_error"
    http_status = 422


class ImportRejected(ValidationFailed):
    code = "import_rejected"


class PayloadTooLarge(LabelworksError):
    code = "payload_too_large"
    http_status = 413


class RateLimited(LabelworksError):
    code = "rate_limited"
    http_status = 429
