"""The client record's audit trail as the console lists it: the API's filters and their
semantics (``backoffice.audit.audit_query``: exact action and field; actor ``client``, ``bot``,
``system``, ``staff`` for any staff member or ``staff:<id>``; local days read as the API's
``since``/``until`` window), newest first, a page at a time."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from backoffice.api.deps import BackofficeContext, get_window
from backoffice.audit import audit_query, count_rows
from backoffice.console.record_view import actor_names
from bot.storage.models import AuditEvent

__all__ = [
    "ACTION_LABELS",
    "PAGE_SIZE",
    "AuditFilters",
    "AuditPage",
    "load_audit",
    "read_filters",
]

PAGE_SIZE = 25
ACTOR_WORDS = ("client", "bot", "system", "staff")
# Action codes → English message ids (an action without one is shown as its code).
ACTION_LABELS = {
    "field_changed": "Field changed",
    "answer_corrected": "Answer corrected",
    "note_added": "Note added",
    "document_downloaded": "Document opened",
    "document_confirmed": "Document confirmed",
    "document_image_deleted": "Document image deleted",
    "data_exported": "Data exported (LGPD)",
    "client_erased": "Data erased (LGPD)",
    "erasure_requested": "Erasure requested",
    "erasure_refused": "Erasure refused",
    "erasure_completed": "Erasure completed",
    "red_flag_set": "Red flag raised",
    "red_flag_cleared": "Red flag cleared",
    "stage_changed": "Stage changed",
    "approved": "Stage approved",
    "csm_assigned": "CSM assigned",
    "escalated": "Escalated",
    "escalation_assigned": "Escalation assigned",
    "escalation_resolved": "Escalation resolved",
    "conversation_taken_over": "Conversation taken over",
    "conversation_released": "Conversation returned to the bot",
    "staff_message": "Message from staff",
    "sla_paused": "SLA paused",
    "sla_resumed": "SLA resumed",
    "erp_pushed": "Sent to the ERP",
    "erp_push_failed": "ERP push failed",
    "erp_push_retried": "ERP push retried",
    "delivery_retried": "Delivery retried",
    "nps_answered": "NPS answered",
    "opted_in": "Consent given",
    "opted_out": "Consent withdrawn",
    "status_page_opened": "Status page opened as the client",
    "status_links_revoked": "Status page links revoked",
    "agreement_recorded": "Agreement recorded",
    "agreement_done": "Agreement done",
    "agreement_cancelled": "Agreement cancelled",
}


@dataclass
class AuditFilters:
    action: str = ""
    field: str = ""
    actor: str = ""
    since: str = ""  # YYYY-MM-DD as typed (input type=date)
    until: str = ""
    page: int = 1
    errors: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def query(self) -> dict[str, str]:
        """The filters as query parameters (for links to other pages and live refreshes)."""
        values = {
            "action": self.action,
            "field": self.field,
            "actor": self.actor,
            "since": self.since,
            "until": self.until,
        }
        return {k: v for k, v in values.items() if v}


@dataclass
class AuditPage:
    rows: list[AuditEvent]
    total: int
    filters: AuditFilters
    names: dict[str, str]
    actions: list[str]  # what the filter's lists offer: the client's own values
    fields: list[str]
    actors: list[str]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def _day(text: str) -> date | None:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2999 else None


def _text(query: Mapping[str, str], name: str) -> str:
    return query.get(name, "").strip()[:60].replace("\x00", "")


def read_filters(query: Mapping[str, str], *, gettext: Callable[[str], str]) -> AuditFilters:
    """The filters of a request's query string; a day that is not one gets a message."""
    filters = AuditFilters(
        action=_text(query, "action"),
        field=_text(query, "field"),
        actor=_text(query, "actor"),
        since=_text(query, "since"),
        until=_text(query, "until"),
    )
    page = query.get("page", "1")
    filters.page = min(int(page), 100_000) if page.isdigit() and int(page) >= 1 else 1
    for name in ("since", "until"):
        typed = getattr(filters, name)
        if typed and _day(typed) is None:
            filters.errors[name] = gettext("Type a day as DD/MM/YYYY.")
    if filters.actor and not (
        filters.actor in ACTOR_WORDS
        or (filters.actor.startswith("staff:") and filters.actor[6:].isdigit())
    ):
        filters.errors["actor"] = gettext("Choose who did it from the list.")
    since, until = _day(filters.since), _day(filters.until)
    if since and until and since > until and "until" not in filters.errors:
        filters.errors["until"] = gettext("The last day comes before the first.")
    return filters


def _distinct(
    session: Session,
    client_id: int,
    *,
    column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None],
) -> list[str]:
    values = session.scalars(select(column).where(AuditEvent.client_id == client_id).distinct())
    return sorted(str(v) for v in values if v)


def load_audit(
    session: Session, context: BackofficeContext, *, client_id: int, filters: AuditFilters
) -> AuditPage:
    """One page of the client's audit rows (the caller loaded the client through its scope)."""
    window = get_window(
        context,
        since=None if "since" in filters.errors else _day(filters.since),
        until=None if "until" in filters.errors else _day(filters.until),
    )
    query = audit_query(
        client_id,
        field=filters.field or None,
        actor=None if "actor" in filters.errors else filters.actor or None,
        action=filters.action or None,
        since=window.since,
        until=window.until,
    )
    total = count_rows(session, query)
    newest_first = query.order_by(None).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    rows = list(
        session.scalars(newest_first.limit(PAGE_SIZE).offset((filters.page - 1) * PAGE_SIZE))
    )
    actors = _distinct(session, client_id, column=AuditEvent.actor)
    return AuditPage(
        rows=rows,
        total=total,
        filters=filters,
        names=actor_names(session, [*actors, *(r.actor for r in rows)]),
        actions=_distinct(session, client_id, column=AuditEvent.action),
        fields=_distinct(session, client_id, column=AuditEvent.field),
        actors=actors,
    )
