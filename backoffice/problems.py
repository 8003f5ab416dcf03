"""RFC 7807 ``application/problem+json`` answers for every error of the back-office API.

``install_problem_handlers(app)`` turns ``BackofficeError``, FastAPI's validation errors and
Starlette's HTTP errors (404 for unknown paths, 405) into problem documents for paths under the
API prefix; other paths keep FastAPI's default answers.
"""

from __future__ import annotations

from collections.abc import Mapping
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
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from backoffice.errors import PROBLEM_BASE, BackofficeError

PROBLEM_MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    """An RFC 7807 problem document."""

    type: str = Field(default="about:blank", description="URI naming the kind of problem")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = Field(default=None, description="the request path")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="for 422: each invalid field (FastAPI's validation errors)"
    )


def _doc(description: str) -> dict[str, Any]:
    return {
        "model": Problem,
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


# Added to every back-office operation (router-level ``responses``).
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _doc("Missing, unknown or revoked bearer token"),
    403: _doc("The staff member's role or scope does not allow this"),
    404: _doc("Unknown id"),
    422: _doc("Invalid request"),
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
        errors=errors,
    )
    return JSONResponse(
        jsonable_encoder(body, exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def install_problem_handlers(app: FastAPI, *, prefix: str = "/api/") -> None:
    """Answers errors on paths starting with ``prefix`` as problem documents."""

    async def on_backoffice_error(request: Request, exc: Exception) -> Response:
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

    async def on_validation_error(request: Request, exc: Exception) -> Response:
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
        return problem_response(
            status=422,
            title="Invalid request",
            request=request,
            errors=errors,
            detail="; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors),
            type_uri=PROBLEM_BASE + "invalid",
        )

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if not request.url.path.startswith(prefix):
            return await http_exception_handler(request, exc)
        return problem_response(
            status=exc.status_code,
            title=_title(exc.status_code),
            request=request,
            detail=str(exc.detail) if exc.detail else None,
            headers=exc.headers,
        )

    async def on_unexpected_error(request: Request, exc: Exception) -> Response:
        # Starlette's ServerErrorMiddleware calls this, logs the exception and re-raises it.
        if not request.url.path.startswith(prefix):
            return PlainTextResponse("Internal Server Error", status_code=500)
        return problem_response(
            status=500,
            title="Internal error",
            request=request,
            detail="an unexpected error occurred; it has been logged",
        )

    app.add_exception_handler(BackofficeError, on_backoffice_error)
    app.add_exception_handler(Exception, on_unexpected_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
