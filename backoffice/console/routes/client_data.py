"""A client's files and personal data in the console: a document's file (shown inline for
images and PDFs, audited as a download), the LGPD export and the erasure (managers and admins;
the company's CNPJ or the word APAGAR typed to confirm). The rows come through
``backoffice.access`` as the record's do (``clients.py``)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from backoffice.access import load_client
from backoffice.api.deps import SessionDep
from backoffice.client_records import read_document
from backoffice.console.deps import ConsoleDep, SignedIn, SignedInDep
from backoffice.console.record_actions import CONFIRM_WORD, erase, export
from backoffice.console.record_view import IMAGE_TYPES
from backoffice.console.routes.clients import ClientPath, ItemPath, read_form, record_values
from backoffice.errors import Invalid

__all__ = ["register"]

INLINE_TYPES = IMAGE_TYPES | {"application/pdf"}


# ---------------------------------------------------------------------------- documents
def document_content(
    client_id: ClientPath,
    document_id: ItemPath,
    *,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
) -> Response:
    """The file, shown in the browser for images and PDFs (audited as a download)."""
    client = load_client(session, me.principal, client_id=client_id)
    document, content = read_document(
        session,
        client,
        principal=me.principal,
        document_id=document_id,
        files=console.backoffice.documents,
        now=console.backoffice.now(),
    )
    session.commit()
    mime = document.mime if document.mime in INLINE_TYPES else "application/octet-stream"
    disposition = "inline" if mime in INLINE_TYPES else "attachment"
    return Response(
        content=content,
        media_type=mime,
        headers={
            "Content-Disposition": f'{disposition}; filename="document-{document.id}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            **(
                {
                    "Content-Security-Policy": "default-src 'none'; img-src 'self'; "
                    "style-src 'unsafe-inline'"
                }
                if mime in IMAGE_TYPES
                else {}
            ),
        },
    )


# ---------------------------------------------------------------------------- LGPD
def export_download(
    client_id: ClientPath, session: SessionDep, *, console: ConsoleDep, me: SignedInDep
) -> Response:
    document = export(session, console.backoffice, principal=me.principal, client_id=client_id)
    body = json.dumps(document, ensure_ascii=False, indent=2, default=str)
    return Response(
        content=body,
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="client-{client_id}-lgpd.json"',
            "Cache-Control": "private, no-store",
        },
    )


def erase_page(
    request: Request,
    client_id: ClientPath,
    *,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
) -> Response:
    me.principal.require_role("manager", "admin")
    values = record_values(request, session, console=console, me=me, client_id=client_id)
    return _erase_form(request, console, me=me, values=values)


def _erase_form(
    request: Request,
    console: ConsoleDep,
    *,
    me: SignedIn,
    values: dict[str, Any],
    error: str | None = None,
    typed: str = "",
    status_code: int = 200,
) -> Response:
    values.update(
        confirm_word=CONFIRM_WORD,
        erase_error=error,
        typed=typed,
        page_title=console.views.gettext(me.language, "Erase the client's data"),
    )
    return console.views.render(
        request, "client_erase.html", context=values, language=me.language, status_code=status_code
    )


async def erase_client_data(
    request: Request,
    client_id: ClientPath,
    *,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
) -> Response:
    me.principal.require_role("manager", "admin")
    form = await read_form(request)
    typed = form.get("confirmation", "")[:100]
    wrong = console.views.gettext(
        me.language, "Type the company's CNPJ or the word APAGAR to confirm."
    )
    try:
        erase(
            session,
            console.backoffice,
            principal=me.principal,
            client_id=client_id,
            typed=typed,
            wrong_confirmation=wrong,
        )
    except Invalid as refused:
        session.rollback()
        values = record_values(request, session, console=console, me=me, client_id=client_id)
        return _erase_form(
            request,
            console,
            me=me,
            values=values,
            error=refused.detail,
            typed=typed,
            status_code=422,
        )
    return RedirectResponse(f"/console/clients/{client_id}?erased=1", status_code=303)


def register(router: APIRouter) -> None:
    router.add_api_route(
        "/clients/{client_id}/documents/{document_id}/content", document_content, methods=["GET"]
    )
    router.add_api_route("/clients/{client_id}/export", export_download, methods=["GET"])
    router.add_api_route("/clients/{client_id}/erase", erase_page, methods=["GET"])
    router.add_api_route("/clients/{client_id}/erase", erase_client_data, methods=["POST"])
