"""The audit trail as the back-office writes and reads it.

The bot writes its rows through ``bot.service.records.EffectRecorder`` (actor ``client`` or
``bot``); staff actions write ``staff:<id>``; workers and sweeps write ``system``. Every row
names the action, and for data changes the field with its old and new value.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from bot.storage.models import AuditEvent

AuditValue = str | int | float | bool | None


def record_audit(
    session: Session,
    *,
    actor: str,
    action: str,
    at: datetime,
    client_id: int | None,
    conversation_id: int | None = None,
    field: str | None = None,
    old: AuditValue = None,
    new: AuditValue = None,
) -> AuditEvent:
    event = AuditEvent(
        client_id=client_id,
        conversation_id=conversation_id,
        actor=actor,
        action=action,
        field=field,
        old_value=None if old is None else str(old),
        new_value=None if new is None else str(new),
        at=at,
    )
    session.add(event)
    return event


def audit_query(
    client_id: int,
    *,
    field: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select[AuditEvent]:
    """The client's audit rows, oldest first, filtered (``actor`` ``staff`` matches any staff)."""
    query = select(AuditEvent).where(AuditEvent.client_id == client_id)
    if field is not None:
        query = query.where(AuditEvent.field == field)
    if actor is not None:
        query = query.where(
            AuditEvent.actor.like("staff:%") if actor == "staff" else AuditEvent.actor == actor
        )
    if action is not None:
        query = query.where(AuditEvent.action == action)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    return query.order_by(AuditEvent.at, AuditEvent.id)


def count_rows(session: Session, query: Select[AuditEvent]) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
