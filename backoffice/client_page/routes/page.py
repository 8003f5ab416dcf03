"""``GET /s/{token}``: the client's status page.

Reading changes nothing but the link's "last opened" (and its count), and not even that when
the request is a link preview or a prefetch: chat apps and mail scanners fetch links before
people do, and the CSM must not see "opened" for a robot's visit.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from backoffice.api.deps import SessionDep
from backoffice.client_page.deps import (
    CSRF_FIELD,
    AccessDep,
    ClientPageDep,
    csrf_token,
    is_link_preview,
)
from backoffice.client_page.view import build_view
from bot.service.status_links import record_open

__all__ = ["register"]


# Where a notice may be shown: the parts of the page an action sends the client back to.
NOTICE_PLACES = frozenset({"upload", "pending-title", "training", "steps-title"})


def show(
    request: Request, access: AccessDep, *, page: ClientPageDep, session: SessionDep
) -> HTMLResponse:
    view = build_view(session, access, page=page)
    notice = request.query_params.get("notice", "")[:40]
    at = request.query_params.get("at", "")
    notice_at = at if at in NOTICE_PLACES else ""
    if is_link_preview(request):
        session.rollback()
    else:
        record_open(session, access.link.id, now=page.backoffice.now())
        session.commit()
    return page.views.render(
        request,
        "page.html",
        context={
            "view": view,
            "access": access,
            "base_path": access.base_path,
            "csrf_field": CSRF_FIELD,
            "csrf_token": csrf_token(access),
            "notice": notice,
            "notice_at": notice_at,
        },
        language=access.language,
    )


def register(router: APIRouter) -> None:
    router.add_api_route("/s/{token}", show, methods=["GET"], response_class=HTMLResponse)
