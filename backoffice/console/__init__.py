"""The staff console: a server-rendered web app at ``/console/`` (FastAPI, Jinja2, htmx).

Built on the back-office's use cases and access rules (``backoffice.access``): a console route
loads what it shows through the same scoped loaders as the API, so there is no second copy of a
scope check. ``create_console_router(console)`` for the application to mount at ``/console``,
``install_console_handlers(app)`` for its errors, ``STATIC_DIR`` to mount at ``/console/static``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from backoffice.console.context import ConsoleContext, EventFeed
from backoffice.console.deps import (
    SignInRequired,
    console_route_class,
    csrf_guard,
    get_console,
)
from backoffice.console.i18n import load_translations
from backoffice.console.routes import ROUTE_MODULES
from backoffice.console.templating import Views
from backoffice.errors import BackofficeError
from backoffice.problems import allowed_methods

__all__ = [
    "STATIC_DIR",
    "ConsoleContext",
    "EventFeed",
    "Views",
    "create_console_router",
    "install_console_handlers",
    "load_translations",
    "PREFIX",
    "ROUTE_MODULES",
    "SignInRequired",
    "board_moves",
    "board_view",
    "charts",
    "console_route_class",
    "context",
    "csrf_guard",
    "deps",
    "get_console",
    "i18n",
    "inbox_labels",
    "inbox_queries",
    "inbox_rows",
    "inbox_transcript",
    "live",
    "live_events",
    "record_actions",
    "record_audit",
    "record_forms",
    "record_view",
    "report_outcomes",
    "report_tables",
    "report_views",
    "routes",
    "templating",
]

STATIC_DIR = Path(__file__).parent / "static"
PREFIX = "/console"


def create_console_router(console: ConsoleContext) -> APIRouter:
    """The console's routes, without prefix: ``app.include_router(router, prefix="/console")``."""
    router = APIRouter(
        route_class=console_route_class(console),
        dependencies=[Depends(csrf_guard)],
        include_in_schema=False,
    )
    for module in ROUTE_MODULES:
        module.register(router)
    return router


def install_console_handlers(app: FastAPI, *, console: ConsoleContext | None = None) -> None:
    """Console errors as pages: no session → the sign-in (``HX-Redirect`` for htmx); a 403 or
    404 of the back-office's rules → a page saying so; with ``console``, an address or a
    method the console does not have too (no route, so no route-bound context). Other paths
    keep their handlers."""
    api_handler = app.exception_handlers.get(BackofficeError)

    async def on_sign_in_required(request: Request, exc: Exception) -> Response:
        target = f"{PREFIX}/login?next={request.url.path}"
        if request.headers.get("HX-Request"):
            return Response(status_code=401, headers={"HX-Redirect": target})
        if request.method != "GET" or request.url.path == f"{PREFIX}/events":
            return Response(status_code=401)
        return RedirectResponse(target, status_code=303)

    http_handler = app.exception_handlers.get(StarletteHTTPException)

    async def on_backoffice_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, BackofficeError)
        if not _is_console_page(request.url.path):
            if api_handler is None:
                raise exc
            answer = api_handler(request, exc)
            return answer if isinstance(answer, Response) else await answer
        return _error_page(request, get_console(request), status=exc.status, detail=exc.detail)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        """An unknown console address (a mistyped link) or a method it does not take: the
        console's page, not the router's JSON; elsewhere the handler installed before."""
        assert isinstance(exc, StarletteHTTPException)
        unrouted = console is not None and exc.status_code in (404, 405)
        if not (unrouted and _is_console_page(request.url.path)):
            if http_handler is None:
                raise exc
            answer = http_handler(request, exc)
            return answer if isinstance(answer, Response) else await answer
        assert console is not None
        page = _error_page(request, console, status=exc.status_code, detail="")
        if exc.status_code == 405:
            page.headers["Allow"] = ", ".join(allowed_methods(request))
        return page

    app.add_exception_handler(SignInRequired, on_sign_in_required)
    app.add_exception_handler(BackofficeError, on_backoffice_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)


def _is_console_page(path: str) -> bool:
    return path.startswith(PREFIX + "/") and not path.startswith(PREFIX + "/static/")


def _error_page(request: Request, console: ConsoleContext, *, status: int, detail: str) -> Response:
    language = getattr(request.state, "language", "pt_BR")
    signed_in = getattr(request.state, "signed_in", None)
    context = signed_in.context if signed_in is not None else {}
    return console.views.render(
        request,
        "error.html",
        context={**context, "status": status, "detail": detail},
        language=language,
        block="main" if request.headers.get("HX-Request") else None,
        status_code=status,
    )
