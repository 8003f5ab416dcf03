"""RFC 7807 ``application/problem+json`` answers for every error of the back-office API.

``install_problem_handlers(app)`` turns ``BackofficeError``, FastAPI's validation errors and
Starlette's HTTP errors (404 for unknown paths, 405) into problem documents for paths under the
API prefix; other paths keep FastAPI's default answers. It also states that shape in the app's
OpenAPI document, the ``Problem`` schema under ``application/problem+json`` and nothing else.

A body that cannot be read (bytes that are not UTF-8 JSON) is a 422 like any other invalid
body, not FastAPI's bare 400: the README promises 422 for every invalid body or parameter,
FastAPI already answers 422 (``json_invalid``) for broken JSON, and a client should not need
two branches for one mistake.

A 405 on any path lists in ``Allow`` every method the path serves, whichever route the router
tried first (Starlette names only that route's methods, and each API method is its own route).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from backoffice.errors import PROBLEM_BASE, BackofficeError

PROBLEM_MEDIA_TYPE = "application/problem+json"


class InvalidField(BaseModel):
    """One reason a request was refused (FastAPI's validation error, trimmed)."""

    loc: list[str | int] = Field(description='where: ["body", "email"], ["query", "until"], ...')
    msg: str
    type: str


class Problem(BaseModel):
    """An RFC 7807 problem document."""

    type: str = Field(default="about:blank", description="URI naming the kind of problem")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = Field(default=None, description="the request path")
    errors: list[InvalidField] | None = Field(
        default=None, description="for 422 from the request's shape: each invalid part"
    )


_PROBLEM_REF = "#/components/schemas/Problem"


def _doc(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    # No ``model``: FastAPI would document it as application/json too, which is never sent.
    # The ``Problem`` schema is added to the components by ``install_problem_handlers``.
    doc: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": _PROBLEM_REF}}},
    }
    if headers:
        doc["headers"] = headers
    return doc


# Added to every back-office operation (router-level ``responses``).
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _doc(
        "Missing, unknown or revoked bearer token",
        headers={
            "WWW-Authenticate": {
                "description": "the scheme to authenticate with: Bearer",
                "schema": {"type": "string"},
                "required": True,
            }
        },
    ),
    403: _doc("The staff member's role or scope does not allow this"),
    404: _doc("Unknown id"),
    422: _doc("Invalid request: its shape (with ``errors``: a malformed body too) or a rule"),
}
CONFLICT_RESPONSE: dict[int | str, dict[str, Any]] = {409: _doc("Conflict with the current state")}


def problem_response(
    *,
    status: int,
    title: str,
    detail: str | None,
    request: Request,
    type_uri: str = "about:blank",
    errors: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body = Problem(
        type=type_uri,
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=None if errors is None else [InvalidField.model_validate(e) for e in errors],
    )
    return JSONResponse(
        jsonable_encoder(body, exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def install_problem_handlers(app: FastAPI, *, prefix: str = "/api/") -> None:
    """Answers errors on paths starting with ``prefix`` as problem documents."""
    app.add_exception_handler(BackofficeError, _on_backoffice_error)
    app.add_exception_handler(Exception, partial(_on_unexpected_error, prefix=prefix))
    app.add_exception_handler(RequestValidationError, partial(_on_validation_error, prefix=prefix))
    app.add_exception_handler(StarletteHTTPException, partial(_on_http_error, prefix=prefix))
    app.openapi = _with_problem_schema(app.openapi)  # type: ignore[method-assign]


async def _on_backoffice_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BackofficeError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return problem_response(
        status=exc.status,
        title=exc.title,
        detail=exc.detail,
        request=request,
        type_uri=exc.type_uri,
        headers=headers,
    )


async def _on_validation_error(request: Request, exc: Exception, *, prefix: str) -> Response:
    assert isinstance(exc, RequestValidationError)
    if not request.url.path.startswith(prefix):
        return await request_validation_exception_handler(request, exc)
    errors = [
        {
            "loc": list(error.get("loc", ())),
            "msg": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in exc.errors()
    ]
    return _invalid(request, errors)


async def _on_http_error(request: Request, exc: Exception, *, prefix: str) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405:
        exc.headers = {**(exc.headers or {}), "Allow": ", ".join(allowed_methods(request))}
    if not request.url.path.startswith(prefix):
        return await http_exception_handler(request, exc)
    if exc.status_code == 400:
        # Only FastAPI's body reading raises a 400 here (the routes raise BackofficeError):
        # bytes that do not decode, or a form it cannot parse.
        unreadable = isinstance(exc.__cause__, UnicodeDecodeError)
        message = "the body is not UTF-8 JSON" if unreadable else "the body cannot be read"
        return _invalid(request, [{"loc": ["body"], "msg": message, "type": "json_invalid"}])
    return problem_response(
        status=exc.status_code,
        title=_title(exc.status_code),
        request=request,
        detail=str(exc.detail) if exc.detail else None,
        headers=exc.headers,
    )


async def _on_unexpected_error(request: Request, exc: Exception, *, prefix: str) -> Response:
    # Starlette's ServerErrorMiddleware calls this, logs the exception and re-raises it.
    if not request.url.path.startswith(prefix):
        return PlainTextResponse("Internal Server Error", status_code=500)
    return problem_response(
        status=500,
        title="Internal error",
        request=request,
        detail="an unexpected error occurred; it has been logged",
    )


def _invalid(request: Request, errors: list[dict[str, Any]]) -> Response:
    return problem_response(
        status=422,
        title="Invalid request",
        request=request,
        errors=errors,
        detail="; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors),
        type_uri=PROBLEM_BASE + "invalid",
    )


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app serves at the request's path."""
    path, root = request.scope["path"], request.scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :] or "/"
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.router.routes):
        pattern, served = getattr(route, "path_regex", None), route.methods
        if pattern is not None and served and pattern.match(path):
            methods |= served
    return sorted(methods)


def _with_problem_schema(
    generate: Callable[[], dict[str, Any]],
) -> Callable[[], dict[str, Any]]:
    """``app.openapi`` with the ``Problem`` schema (and its parts) among the components."""

    def openapi() -> dict[str, Any]:
        document = generate()
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        if "Problem" not in schemas:
            problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(problem.pop("$defs", {}))
            schemas["Problem"] = problem
        return document

    return openapi


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
