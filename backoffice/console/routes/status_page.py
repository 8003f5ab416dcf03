"""``/console/clients/{id}/status-page``: the client's status page as staff see it — when the
client last opened it, how many links are live — with **Open as the client** (a fresh link of
the staff member's own, audited, opened in a new tab) and **Revoke links** (every live link of
the client stops opening the page, audited). The use cases are ``backoffice.status_links``; the
client record includes this section (``_status_page_section.html``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response

from backoffice.access import load_client
from backoffice.api.deps import SessionDep
from backoffice.console.deps import ConsoleDep, SignedInDep
from backoffice.status_links import open_as_client, revoke_links, status_page_record

__all__ = ["register"]

ID_MAX = 2**31 - 1
ClientPath = Annotated[int, Path(ge=1, le=ID_MAX)]


def status_page_section(
    request: Request,
    client_id: ClientPath,
    *,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
) -> Response:
    client = load_client(session, me.principal, client_id=client_id)
    record = status_page_record(
        session, me.principal, client_id=client_id, now=console.backoffice.now()
    )
    revoked = request.query_params.get("revoked", "")
    values = {
        **me.context,
        "client": client,
        "status_page": record,
        "revoked": int(revoked) if revoked.isdigit() else None,
        "page_title": console.views.gettext(me.language, "Client's status page"),
    }
    block = "status_page" if request.headers.get("HX-Request") == "true" else None
    return console.views.render(
        request, "client_status_page.html", context=values, language=me.language, block=block
    )


def open_page(
    client_id: ClientPath, session: SessionDep, *, console: ConsoleDep, me: SignedInDep
) -> Response:
    opened = open_as_client(
        session,
        me.principal,
        client_id=client_id,
        now=console.backoffice.now(),
        public_url=console.public_url,
    )
    session.commit()
    # A path on this very site: the console and the page are served together.
    return RedirectResponse(opened.path, status_code=303)


def revoke(
    client_id: ClientPath, session: SessionDep, *, console: ConsoleDep, me: SignedInDep
) -> Response:
    count = revoke_links(session, me.principal, client_id=client_id, now=console.backoffice.now())
    session.commit()
    return RedirectResponse(
        f"/console/clients/{client_id}/status-page?revoked={count}", status_code=303
    )


def register(router: APIRouter) -> None:
    router.add_api_route("/clients/{client_id}/status-page", status_page_section, methods=["GET"])
    router.add_api_route("/clients/{client_id}/status-page/open", open_page, methods=["POST"])
    router.add_api_route("/clients/{client_id}/status-page/revoke", revoke, methods=["POST"])
