"""The client record: data and contacts (edits audited), documents, notes and the audit trail."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import Response
from sqlalchemy import func, or_, select

from backoffice.access import client_scope, load_client
from backoffice.api.deps import (
    ClientId,
    ContextDep,
    CurrentStaff,
    ItemId,
    PagingDep,
    SessionDep,
    WindowDep,
)
from backoffice.api.presenters import present
from backoffice.api.routing import add_routes, route
from backoffice.audit import audit_query, count_rows
from backoffice.client_records import add_note, read_document, update_client, upsert_contact
from backoffice.errors import Invalid
from backoffice.problems import CONFLICT_RESPONSE
from backoffice.schemas.clients import (
    Area,
    AuditEventPublic,
    ClientPublic,
    ClientRecord,
    ClientUpdate,
    ContactPublic,
    ContactUpdate,
    DocumentPublic,
    NoteCreate,
    NotePublic,
)
from backoffice.schemas.common import NO_NUL, Instant, Page
from backoffice.schemas.escalations import EscalationPublic
from backoffice.schemas.onboardings import StageChangePublic
from bot.storage.models import (
    Client,
    Contact,
    Conversation,
    Document,
    ErpPush,
    Escalation,
    Onboarding,
    StaffNote,
    StageChange,
)

TAGS: list[str | Enum] = ["clients"]

DOCUMENT_TYPES = (
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/heic",
    "application/octet-stream",
)
FilterText = Annotated[str | None, Query(max_length=60, pattern=NO_NUL)]


def list_clients(
    session: SessionDep,
    principal: CurrentStaff,
    *,
    paging: PagingDep,
    q: Annotated[
        str | None,
        Query(
            min_length=2,
            max_length=100,
            pattern=NO_NUL,
            description="part of the CNPJ or company name",
        ),
    ] = None,
) -> Page[ClientPublic]:
    query = select(Client).where(client_scope(principal))
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(Client.company_name).like(like), Client.cnpj.like(like)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Client.id).limit(paging.limit).offset(paging.offset))
    return Page(
        items=[ClientPublic.model_validate(r) for r in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


def get_client(
    client_id: ClientId, session: SessionDep, *, principal: CurrentStaff, context: ContextDep
) -> ClientRecord:
    client = load_client(session, principal, client_id=client_id)
    onboardings = list(
        session.scalars(
            select(Onboarding).where(Onboarding.client_id == client.id).order_by(Onboarding.id)
        )
    )
    conversation_ids = list(
        session.scalars(
            select(Conversation.id)
            .where(Conversation.client_id == client.id)
            .order_by(Conversation.id)
        )
    )
    documents = session.scalars(
        select(Document)
        .where(or_(Document.client_id == client.id, Document.conversation_id.in_(conversation_ids)))
        .order_by(Document.id)
    )
    history = session.scalars(
        select(StageChange)
        .where(StageChange.onboarding_id.in_([o.id for o in onboardings]))
        .order_by(StageChange.at, StageChange.id)
    )
    escalations = session.scalars(
        select(Escalation)
        .where(Escalation.conversation_id.in_(conversation_ids))
        .order_by(Escalation.id)
    )
    notes = session.scalars(
        select(StaffNote).where(StaffNote.client_id == client.id).order_by(StaffNote.id)
    )
    customer = session.scalar(
        select(ErpPush.erp_customer_id)
        .where(ErpPush.client_id == client.id, ErpPush.erp_customer_id.is_not(None))
        .order_by(ErpPush.delivered_at.desc())
        .limit(1)
    )
    return ClientRecord(
        client=ClientPublic.model_validate(client),
        contacts=[ContactPublic.model_validate(c) for c in client.contacts],
        onboardings=present(session, context, onboardings=onboardings),
        conversation_ids=conversation_ids,
        documents=[DocumentPublic.model_validate(d) for d in documents],
        stage_history=[StageChangePublic.model_validate(h) for h in history],
        escalations=[EscalationPublic.model_validate(e) for e in escalations],
        notes=[NotePublic.model_validate(n) for n in notes],
        erp_customer_id=customer,
    )


def patch_client(
    client_id: ClientId,
    body: ClientUpdate,
    *,
    session: SessionDep,
    principal: CurrentStaff,
    context: ContextDep,
) -> Client:
    client = load_client(session, principal, client_id=client_id)
    changes = body.model_dump(exclude_unset=True)
    update_client(session, client, principal=principal, changes=changes, now=context.now())
    session.commit()
    return client


def put_contact(
    client_id: ClientId,
    area: Area,
    *,
    body: ContactUpdate,
    session: SessionDep,
    principal: CurrentStaff,
    context: ContextDep,
) -> Contact:
    client = load_client(session, principal, client_id=client_id)
    changes: dict[str, str | None] = {
        key: None if value is None else str(value)
        for key, value in body.model_dump(exclude_unset=True).items()
    }
    contact = upsert_contact(
        session, client, principal=principal, area=area, changes=changes, now=context.now()
    )
    session.commit()
    return contact


def download_document(
    client_id: ClientId,
    document_id: ItemId,
    *,
    session: SessionDep,
    principal: CurrentStaff,
    context: ContextDep,
) -> Response:
    client = load_client(session, principal, client_id=client_id)
    document, content = read_document(
        session,
        client,
        principal=principal,
        document_id=document_id,
        files=context.documents,
        now=context.now(),
    )
    session.commit()
    media_type = document.mime if document.mime in DOCUMENT_TYPES else "application/octet-stream"
    return Response(
        content=content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="document-{document.id}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def list_notes(
    client_id: ClientId, session: SessionDep, *, principal: CurrentStaff
) -> list[StaffNote]:
    load_client(session, principal, client_id=client_id)
    return list(
        session.scalars(
            select(StaffNote).where(StaffNote.client_id == client_id).order_by(StaffNote.id)
        )
    )


def create_note(
    client_id: ClientId,
    body: NoteCreate,
    *,
    session: SessionDep,
    principal: CurrentStaff,
    context: ContextDep,
) -> StaffNote:
    client = load_client(session, principal, client_id=client_id)
    if body.onboarding_id is not None:
        owner = session.scalar(
            select(Onboarding.client_id).where(Onboarding.id == body.onboarding_id)
        )
        if owner != client.id:
            raise Invalid(f"onboarding {body.onboarding_id} is not this client's")
    note = add_note(
        session,
        client,
        principal=principal,
        text=body.text,
        onboarding_id=body.onboarding_id,
        now=context.now(),
    )
    session.commit()
    return note


def client_audit(
    client_id: ClientId,
    session: SessionDep,
    *,
    principal: CurrentStaff,
    paging: PagingDep,
    window: WindowDep,
    field: FilterText = None,
    actor: Annotated[
        str | None,
        Query(
            max_length=60,
            pattern=NO_NUL,
            description="client, bot, system, staff (any staff) or staff:<id>",
        ),
    ] = None,
    action: FilterText = None,
    since_at: Annotated[
        Instant | None, Query(description="instant with its UTC offset, inclusive")
    ] = None,
    until_at: Annotated[
        Instant | None, Query(description="instant with its UTC offset, exclusive")
    ] = None,
) -> Page[AuditEventPublic]:
    load_client(session, principal, client_id=client_id)
    since = max((t for t in (window.since, since_at) if t is not None), default=None)
    until = min((t for t in (window.until, until_at) if t is not None), default=None)
    query = audit_query(
        client_id, field=field, actor=actor, action=action, since=since, until=until
    )
    total = count_rows(session, query)
    rows = session.scalars(query.limit(paging.limit).offset(paging.offset))
    return Page(
        items=[AuditEventPublic.model_validate(r) for r in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


ROUTES = (
    route(
        "/clients",
        list_clients,
        methods=["GET"],
        response_model=Page[ClientPublic],
        summary="Clients in scope",
    ),
    route(
        "/clients/{client_id}",
        get_client,
        methods=["GET"],
        response_model=ClientRecord,
        summary="The client record",
    ),
    route(
        "/clients/{client_id}",
        patch_client,
        methods=["PATCH"],
        response_model=ClientPublic,
        responses=CONFLICT_RESPONSE,
        summary="Correct client data (each change audited)",
    ),
    route(
        "/clients/{client_id}/contacts/{area}",
        put_contact,
        methods=["PUT"],
        response_model=ContactPublic,
        responses=CONFLICT_RESPONSE,
        summary="Create or correct a contact (each change audited)",
    ),
    route(
        "/clients/{client_id}/documents/{document_id}/content",
        download_document,
        methods=["GET"],
        response_class=Response,
        responses={
            200: {"content": {mime: {} for mime in DOCUMENT_TYPES}, "description": "the file"}
        },
        summary="Download a document (audited)",
    ),
    route(
        "/clients/{client_id}/notes",
        list_notes,
        methods=["GET"],
        response_model=list[NotePublic],
        summary="Notes",
    ),
    route(
        "/clients/{client_id}/notes",
        create_note,
        methods=["POST"],
        response_model=NotePublic,
        status_code=status.HTTP_201_CREATED,
        responses=CONFLICT_RESPONSE,
        summary="Add a note",
    ),
    route(
        "/clients/{client_id}/audit",
        client_audit,
        methods=["GET"],
        response_model=Page[AuditEventPublic],
        summary="Audit trail (filter by field, actor, action, date range)",
    ),
)


def register(router: APIRouter) -> None:
    """Adds this resource's routes to ``router``."""
    add_routes(router, ROUTES, tags=TAGS)
