"""The back-office's errors, each one an RFC 7807 problem type.

BackofficeError            root; never raised itself
├── Unauthorized   401     no, unknown, revoked or inactive bearer token
├── Forbidden      403     the role or the scope does not allow it
├── NotFound       404     unknown id
├── Conflict       409     the state does not allow it now (held conversation, bad transition)
└── Invalid        422     a valid-looking body that the rules refuse
PipelineError              a pipeline template that fails validation (raised at load time)
"""

from __future__ import annotations

from typing import ClassVar

PROBLEM_BASE = "https://acolhe.dev/problems/"


class BackofficeError(Exception):
    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal"
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    @property
    def type_uri(self) -> str:
        return PROBLEM_BASE + self.slug


class Unauthorized(BackofficeError):
    status = 401
    slug = "unauthorized"
    title = "Authentication required"


class Forbidden(BackofficeError):
    status = 403
    slug = "forbidden"
    title = "Not allowed"


class NotFound(BackofficeError):
    status = 404
    slug = "not-found"
    title = "Not found"

    def __init__(self, resource: str, ident: object) -> None:
        super().__init__(f"{resource} {ident} does not exist")


class Conflict(BackofficeError):
    status = 409
    slug = "conflict"
    title = "Conflict with the current state"


class Invalid(BackofficeError):
    status = 422
    slug = "invalid"
    title = "Invalid request"


class PipelineError(ValueError):
    """A pipeline template is invalid; the message names the file and the stage."""
