"""The error tree and its one JSON envelope."""

from __future__ import annotations

import pytest

from labelworks.core import errors
from labelworks.core.errors import (Conflict, ImportRejected, LabelworksError, NotAuthenticated, NotFound,
                                    PayloadTooLarge, PermissionDenied, RateLimited, ValidationFailed)

EXPECTED = {
    NotAuthenticated: (401, "not_authenticated"),
    PermissionDenied: (403, "permission_denied"),
    NotFound: (404, "not_found"),
    Conflict: (409, "conflict"),
    ValidationFailed: (422, "validation_error"),
    ImportRejected: (422, "import_rejected"),
    PayloadTooLarge: (413, "payload_too_large"),
    RateLimited: (429, "rate_limited"),
}


@pytest.mark.parametrize(("cls", "status_code"), EXPECTED.items(), ids=lambda v: getattr(v, "__name__", ""))
def test_status_and_code(cls: type[LabelworksError], status_code: tuple[int, str]) -> None:
    assert (cls.http_status, cls.code) == status_code
    assert issubclass(cls, LabelworksError)


def test_every_error_is_pinned_and_drawn_in_the_docstring() -> None:
    public = {getattr(errors, name) for name in errors.__all__} - {LabelworksError}
    assert public == set(EXPECTED)
    for cls in public:
        assert cls.__name__ in (errors.__doc__ or ""), f"{cls.__name__} is missing from the error tree docstring"


def test_envelope_shape() -> None:
    exc = ImportRejected("line 2: bad", field="file", details=[{"line": 2, "reason": "bad"}])
    assert exc.to_dict() == {"code": "import_rejected", "message": "line 2: bad", "field": "file",
                             "details": [{"line": 2, "reason": "bad"}]}
    assert NotFound("no project 3").to_dict() == {"code": "not_found", "message": "no project 3", "field": None,
                                                  "details": []}
