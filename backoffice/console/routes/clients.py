"""``/console/clients``: the clients list (search by company name or CNPJ) and the client record
(company data with the Receita snapshot, contacts, documents and readings, cross-check warnings,
stage history, the audit trail with filters, notes) and its edits; a document's file, the LGPD
export and erasure are ``client_data.py``.

Every row comes through ``backoffice.access`` (another CSM's client is a 403 page, a missing one a
404); what a button does is in ``backoffice.console.record_actions``. An htmx request gets only the
block it swaps (a section, a group, the audit trail); without JavaScript the same URLs answer
whole pages and redirects.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, or_, select

from backoffice.access import client_scope
from backoffice.api.deps import SessionDep
from backoffice.console.deps import ConsoleDep, SignedIn, SignedInDep
from backoffice.console.record_actions import (
    may_erase,
    save_group,
    save_note,
)
from backoffice.console.record_audit import ACTION_LABELS, AuditFilters, load_audit, read_filters
from backoffice.console.record_forms import (
    AREAS,
    CLIENT_GROUPS,
    FormOutcome,
    area_label,
    field_label,
    group_spec,
)
from backoffice.console.record_view import load_record
from backoffice.errors import Invalid, NotFound
from bot.domain.validators import format_cnpj
from bot.storage.models import Client, ConsoleEvent

__all__ = ["ClientPath", "ItemPath", "read_form", "record_values", "register"]

ID_MAX = 2**31 - 1
ClientPath = Annotated[int, Path(ge=1, le=ID_MAX)]
ItemPath = Annotated[int, Path(ge=1, le=ID_MAX)]
LIST_SIZE = 25
SECTIONS = ("header", "company", "contacts", "documents", "warnings", "history", "audit", "notes")


def _htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _query(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items()}


async def read_form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


# ---------------------------------------------------------------------------- the list
def clients_page(
    request: Request,
    session: SessionDep,
    *,
    console: ConsoleDep,
    me: SignedInDep,
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    query = select(Client).where(client_scope(me.principal))
    text = q.replace("\x00", "").strip()
    if text:
        like = f"%{text.lower()}%"
        digits = "".join(ch for ch in text if ch.isalnum()).upper()
        matches = [
            func.lower(Client.company_name).like(like),
            func.lower(Client.trade_name).like(like),
        ]
        if digits:
            matches.append(Client.cnpj.like(f"%{digits}%"))
        query = query.where(or_(*matches))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(
        session.scalars(
            query.order_by(Client.company_name, Client.id)
            .limit(LIST_SIZE)
            .offset((page - 1) * LIST_SIZE)
        )
    )
    return console.views.render(
        request,
        "clients.html",
        context={
            **me.context,
            "nav": "clients",
            "page_title": console.views.gettext(me.language, "Clients"),
            "q": text,
            "rows": rows,
            "total": total,
            "page": page,
            "pages": max(1, -(-total // LIST_SIZE)),
            "format_cnpj": format_cnpj,
        },
        language=me.language,
        block="results"
        if _htmx(request) and request.headers.get("HX-Target") == "results"
        else None,
    )


# ---------------------------------------------------------------------------- the record
def record_values(
    request: Request,
    session: SessionDep,
    *,
    console: ConsoleDep,
    me: SignedIn,
    client_id: int,
    filters: AuditFilters | None = None,
) -> dict[str, Any]:
    context = console.backoffice
    # Read before the record: an event written meanwhile is replayed to the page's stream.
    cursor = session.scalar(select(func.max(ConsoleEvent.id))) or 0
    view = load_record(session, context, principal=me.principal, client_id=client_id)
    gettext = _gettext(console, me)
    filters = filters or read_filters(_query(request), gettext=gettext)
    audit = load_audit(session, context, client_id=client_id, filters=filters)
    role = me.principal.role
    return {
        **me.context,
        "nav": "clients",
        "page_title": view.record.client.company_name or f"#{client_id}",
        "view": view,
        "client": view.record.client,
        "audit": audit,
        "groups": CLIENT_GROUPS,
        "areas": AREAS,
        "editing": None,
        "outcome": None,
        "can_export": role in ("manager", "admin"),
        "can_erase": role in ("manager", "admin"),
        "erase_allowed": may_erase(session, me.principal, client_id=client_id),
        "live": False,
        "event_cursor": cursor,
        "focus_edit": None,
        "names": {**view.names, **audit.names},
        "action_labels": ACTION_LABELS,
        "group_spec": group_spec,
        "field_label": field_label,
        "area_label": area_label,
    }


def _gettext(console: ConsoleDep, me: SignedIn) -> Any:
    return lambda message: console.views.gettext(me.language, message)


def record_page(
    request: Request,
    client_id: ClientPath,
    *,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
    edit: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    values = record_values(request, session, console=console, me=me, client_id=client_id)
    if edit and group_spec(edit) is not None and values["view"].record.client.erased_at is None:
        values["editing"] = edit
    block = None
    if _htmx(request) and request.headers.get("HX-Target") == "audit":
        block = "audit"
    status = 422 if values["audit"].filters.errors else 200
    return console.views.render(
        request,
        "client.html",
        context=values,
        language=me.language,
        block=block,
        status_code=status,
    )


def record_section(
    request: Request,
    client_id: ClientPath,
    *,
    name: Annotated[str, Path(max_length=20)],
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
    live: bool = False,
) -> Response:
    if name not in SECTIONS:
        raise NotFound("section", 0)
    values = record_values(request, session, console=console, me=me, client_id=client_id)
    values["live"] = live
    return console.views.render(
        request, "client.html", context=values, language=me.language, block=name
    )


# ---------------------------------------------------------------------------- edits
def _group_response(
    request: Request,
    console: ConsoleDep,
    *,
    me: SignedIn,
    values: dict[str, Any],
    status_code: int = 200,
    saved: bool = False,
) -> Response:
    blocks = ["group", "audit_oob", "header_oob"] if saved else "group"
    return console.views.render(
        request,
        "client.html",
        context=values,
        language=me.language,
        block=blocks,
        status_code=status_code,
    )


def edit_form(
    request: Request,
    client_id: ClientPath,
    *,
    group: Annotated[str, Path(max_length=40)],
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
    cancel: bool = False,
) -> Response:
    if group_spec(group) is None:
        raise NotFound("field group", 0)
    values = record_values(request, session, console=console, me=me, client_id=client_id)
    if values["view"].erased:
        raise Invalid("this client's data was erased: there is nothing to edit")
    if not _htmx(request):
        target = "" if cancel else f"?edit={group}"
        return RedirectResponse(f"/console/clients/{client_id}{target}#group-{group}", 303)
    values.update(group_key=group, editing=None if cancel else group)
    if cancel:
        values["focus_edit"] = group
    return _group_response(request, console, me=me, values=values)


async def save_edit(
    request: Request,
    client_id: ClientPath,
    *,
    group: Annotated[str, Path(max_length=40)],
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
) -> Response:
    spec = group_spec(group)
    if spec is None:
        raise NotFound("field group", 0)
    form = await read_form(request)
    outcome: FormOutcome = save_group(
        session,
        console.backoffice,
        principal=me.principal,
        client_id=client_id,
        spec=spec,
        form=form,
        gettext=_gettext(console, me),
    )
    if outcome.valid and not _htmx(request):
        return RedirectResponse(f"/console/clients/{client_id}#group-{group}", status_code=303)
    values = record_values(request, session, console=console, me=me, client_id=client_id)
    values.update(group_key=group)
    if not outcome.valid:
        values.update(editing=group, outcome=outcome)
        if not _htmx(request):
            return console.views.render(
                request, "client.html", context=values, language=me.language, status_code=422
            )
        return _group_response(request, console, me=me, values=values, status_code=422)
    values.update(focus_edit=group, saved=True)
    return _group_response(request, console, me=me, values=values, saved=True)


async def add_note(
    request: Request,
    client_id: ClientPath,
    *,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
) -> Response:
    form = await read_form(request)
    text = form.get("text", "")
    try:
        save_note(
            session, console.backoffice, principal=me.principal, client_id=client_id, text=text
        )
    except Invalid as refused:
        session.rollback()
        values = record_values(request, session, console=console, me=me, client_id=client_id)
        values.update(note_error=console.views.gettext(me.language, refused.detail), note_text=text)
        block = "notes" if _htmx(request) else None
        return console.views.render(
            request,
            "client.html",
            context=values,
            language=me.language,
            block=block,
            status_code=422,
        )
    if not _htmx(request):
        return RedirectResponse(f"/console/clients/{client_id}#notes", status_code=303)
    values = record_values(request, session, console=console, me=me, client_id=client_id)
    values["note_added"] = True
    return console.views.render(
        request, "client.html", context=values, language=me.language, block=["notes", "audit_oob"]
    )


def register(router: APIRouter) -> None:
    router.add_api_route("/clients", clients_page, methods=["GET"], name="console_clients")
    router.add_api_route(
        "/clients/{client_id}", record_page, methods=["GET"], name="console_client"
    )
    router.add_api_route("/clients/{client_id}/sections/{name}", record_section, methods=["GET"])
    router.add_api_route("/clients/{client_id}/edit/{group}", edit_form, methods=["GET"])
    router.add_api_route("/clients/{client_id}/edit/{group}", save_edit, methods=["POST"])
    router.add_api_route("/clients/{client_id}/notes", add_note, methods=["POST"])
