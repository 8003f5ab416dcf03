"""LGPD access right: everything held about one client, as JSON.

Rows are exported column by column from the table definitions, so a column added later is
exported without touching this module. Document files are listed (metadata), not embedded:
staff download them one by one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import DeclarativeBase, Session

from bot.storage.models import (
    AuditEvent,
    Client,
    Contact,
    Conversation,
    Document,
    ErasureRequest,
    Escalation,
    Message,
    Onboarding,
    StageChange,
)
from bot.storage.models_backoffice import ErpPush, NpsResponse, SlaPause, StaffNote

EXPORT_FORMAT = "acolhe.client-export.v1"


def row_dict(row: DeclarativeBase) -> dict[str, Any]:
    """Every column of ``row``, JSON-ready (datetimes as ISO 8601)."""
    values: dict[str, Any] = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        values[column.key] = value
    return values


def export_client(session: Session, client: Client, *, now: datetime) -> dict[str, Any]:
    conversation_ids = list(
        session.scalars(select(Conversation.id).where(Conversation.client_id == client.id))
    )
    onboarding_ids = list(
        session.scalars(select(Onboarding.id).where(Onboarding.client_id == client.id))
    )

    def rows(model: type[DeclarativeBase], *conditions: Any) -> list[dict[str, Any]]:
        query = select(model).where(or_(*conditions)).order_by(model.__table__.c.id)
        return [row_dict(row) for row in session.scalars(query)]

    return {
        "format": EXPORT_FORMAT,
        "exported_at": now.isoformat(),
        "client": row_dict(client),
        "contacts": rows(Contact, Contact.client_id == client.id),
        "onboardings": rows(Onboarding, Onboarding.client_id == client.id),
        "stage_history": rows(StageChange, StageChange.onboarding_id.in_(onboarding_ids)),
        "conversations": rows(Conversation, Conversation.client_id == client.id),
        "messages": rows(Message, Message.conversation_id.in_(conversation_ids)),
        "documents": rows(
            Document,
            Document.client_id == client.id,
            Document.conversation_id.in_(conversation_ids),
        ),
        "escalations": rows(Escalation, Escalation.conversation_id.in_(conversation_ids)),
        "erasure_requests": rows(
            ErasureRequest,
            ErasureRequest.client_id == client.id,
            ErasureRequest.conversation_id.in_(conversation_ids),
        ),
        "audit_events": rows(
            AuditEvent,
            AuditEvent.client_id == client.id,
            AuditEvent.conversation_id.in_(conversation_ids),
        ),
        "notes": rows(StaffNote, StaffNote.client_id == client.id),
        "sla_pauses": rows(SlaPause, SlaPause.onboarding_id.in_(onboarding_ids)),
        "erp_pushes": rows(ErpPush, ErpPush.client_id == client.id),
        "nps_responses": rows(
            NpsResponse,
            NpsResponse.client_id == client.id,
            NpsResponse.onboarding_id.in_(onboarding_ids),
        ),
    }
