"""The client's own status page at ``GET /s/{token}`` (issue #17), served by ``onboard serve``.

A server-rendered page (Jinja2, no script needed) reached from the link the bot sends: the
stages of the client's segment, what is pending from the client, what the company is doing,
the CSM, the next training, and the stage history — from the same rows the back-office reads.
Its actions are POSTs under ``/s/{token}/`` (``actions.py``), each with the link's CSRF token.

``create_client_page_router(page)`` for the application to include (no prefix),
``install_client_page_handlers(app, page)`` for its 404/429/403 pages, ``STATIC_DIR`` to mount at
``STATIC_PATH``. It may import the back-office, storage, service and domain; never channels or
the dialogue's internals.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from starlette.responses import Response

from backoffice.client_page import actions
from backoffice.client_page.context import ChatLinks, ClientPageContext, RateLimits
from backoffice.client_page.deps import (
    FormRefused,
    PageNotFound,
    TooManyRequests,
    client_page_route_class,
)
from backoffice.client_page.headers import secure
from backoffice.client_page.i18n import load_page_translations
from backoffice.client_page.routes import page as page_routes

__all__ = [
    "STATIC_DIR",
    "STATIC_PATH",
    "TEMPLATES_DIR",
    "ChatLinks",
    "ClientPageContext",
    "RateLimits",
    "create_client_page_router",
    "install_client_page_handlers",
    "load_page_translations",
    "FormRefused",
    "PageNotFound",
    "TooManyRequests",
    "actions",
    "agreements",
    "client_page_route_class",
    "context",
    "deps",
    "documents",
    "headers",
    "i18n",
    "routes",
    "secure",
    "view",
]

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PATH = "/status-page/static"
TEMPLATES_DIR = Path(__file__).parent / "templates"


def create_client_page_router(page: ClientPageContext) -> APIRouter:
    """The page's routes, without prefix: ``GET /s/{token}`` and the actions' POSTs."""
    router = APIRouter(route_class=client_page_route_class(page), include_in_schema=False)
    page_routes.register(router)
    # The client's actions: upload, confirm a reading, training, rating.
    router.include_router(actions.router_for(page))
    return router


def install_client_page_handlers(app: FastAPI, page: ClientPageContext) -> None:
    """The page's refusals as pages: one 404 for every token that opens nothing, 429 when
    asked too often, 403 for a form from elsewhere or out of date."""

    def render(request: Request, name: str, *, status: int, **values: object) -> Response:
        language = getattr(request.state, "language", "pt_BR")
        answer = page.views.render(
            request, name, context=dict(values), language=language, status_code=status
        )
        return secure(answer)

    async def on_not_found(request: Request, exc: Exception) -> Response:
        # Not the link's language: the answer must be the same whatever the token was.
        request.state.language = "pt_BR"
        return render(request, "not_found.html", status=404)

    async def on_too_many(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, TooManyRequests)
        request.state.language = "pt_BR"
        answer = render(request, "too_many.html", status=429)
        answer.headers["Retry-After"] = str(max(1, round(exc.retry_after)))
        return answer

    async def on_refused(request: Request, exc: Exception) -> Response:
        return render(request, "refused.html", status=403, back=_page_path(request))

    app.add_exception_handler(PageNotFound, on_not_found)
    app.add_exception_handler(TooManyRequests, on_too_many)
    app.add_exception_handler(FormRefused, on_refused)


def _page_path(request: Request) -> str:
    token = request.path_params.get("token", "")
    return f"/s/{token}" if isinstance(token, str) and token else "/"
