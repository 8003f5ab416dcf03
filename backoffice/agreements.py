"""What a CSM agreed with the client: record an agreement on an onboarding, mark it done or
cancel it, list them. The status page shows them to the client (``client_page.agreements``).

An agreement says *what* (free text, 1 to 500 characters), *who owes it* (the client or the
company), *by when* (a business day of the back-office's calendar, today or later in its time
zone) and optionally *for which stage* of the onboarding's pipeline. Only an open agreement can
be closed, once: done or cancelled. Scope is the onboarding's (``backoffice.access``): another
CSM's client is a 403, an unknown id a 404. Every change is audited and raises the console's
``agreement_changed`` live event in the same transaction; nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.access import Principal, load_client, load_onboarding, onboarding_scope
from backoffice.audit import record_audit
from backoffice.errors import Conflict, Forbidden, Invalid, NotFound
from backoffice.pipeline import PipelineCatalog
from bot.domain.business_time import BusinessCalendar
from bot.storage.console_events import record_console_event
from bot.storage.models import Client, Onboarding
from bot.storage.models.agreements import OWED_BY, WHAT_MAX, Agreement

__all__ = [
    "REFUSALS",
    "AgreementDraft",
    "Closing",
    "agreement_in_scope",
    "close_agreement",
    "current_onboarding",
    "list_agreements",
    "record_agreement",
]

Closing = Literal["done", "cancelled"]

# Refusals, as fixed English sentences: the console shows them translated (its catalogue holds
# each; ``backoffice.console.routes.agreements.REFUSALS``), the API as the problem's detail.
SAY_WHAT = "Say what was agreed."
TOO_LONG = "What was agreed is too long (at most 500 characters)."
NUL_TEXT = "What was agreed contains a character that cannot be stored."
WHO_OWES = "Choose who owes it: the client or the company."
PAST_DUE = "The due date is in the past."
NOT_WORKDAY = "The due date is not a business day."
UNKNOWN_STAGE = "Choose one of the stages offered."
BAD_CLOSING = "An agreement is either done or cancelled."
REFUSALS = (
    SAY_WHAT,
    TOO_LONG,
    NUL_TEXT,
    WHO_OWES,
    PAST_DUE,
    NOT_WORKDAY,
    UNKNOWN_STAGE,
    BAD_CLOSING,
)


@dataclass(frozen=True, slots=True)
class AgreementDraft:
    """What staff typed, before it is checked."""

    what: str
    owed_by: str
    due_on: date
    stage: str | None = None


def _checked_what(what: str) -> str:
    text = what.strip()
    if not text:
        raise Invalid(SAY_WHAT)
    if len(text) > WHAT_MAX:
        raise Invalid(TOO_LONG)
    if "\x00" in text:
        raise Invalid(NUL_TEXT)
    return text


def _check_due(due_on: date, *, calendar: BusinessCalendar, now: datetime) -> None:
    today = calendar.local(now).date()
    if due_on < today:
        raise Invalid(PAST_DUE)
    if not calendar.is_workday(due_on):
        raise Invalid(NOT_WORKDAY)


def record_agreement(
    session: Session,
    principal: Principal,
    *,
    onboarding_id: int,
    draft: AgreementDraft,
    now: datetime,
    calendar: BusinessCalendar,
    pipelines: PipelineCatalog,
) -> Agreement:
    """Records an open agreement on the onboarding (audited ``agreement_recorded``)."""
    onboarding = load_onboarding(session, principal, onboarding_id=onboarding_id)
    client = session.get_one(Client, onboarding.client_id)
    if client.erased_at is not None:
        raise Conflict(f"client {client.id} was erased: nothing can be agreed with them")
    what = _checked_what(draft.what)
    if draft.owed_by not in OWED_BY:
        raise Invalid(WHO_OWES)
    _check_due(draft.due_on, calendar=calendar, now=now)
    if draft.stage is not None:
        template = pipelines.for_segment(onboarding.segment)
        if not template.has_stage(draft.stage):
            raise Invalid(UNKNOWN_STAGE)
    agreement = Agreement(
        onboarding_id=onboarding.id,
        client_id=client.id,
        what=what,
        owed_by=draft.owed_by,
        due_on=draft.due_on,
        stage=draft.stage,
        status="open",
        created_at=now,
        created_by=principal.actor,
    )
    session.add(agreement)
    session.flush()
    _trail(
        session,
        agreement,
        principal=principal,
        action="agreement_recorded",
        old=None,
        new=what,
        now=now,
    )
    return agreement


def agreement_in_scope(session: Session, principal: Principal, *, agreement_id: int) -> Agreement:
    """The agreement, when its onboarding is in ``principal``'s scope (403), else 404."""
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFound("agreement", agreement_id)
    try:
        load_onboarding(session, principal, onboarding_id=agreement.onboarding_id)
    except Forbidden:
        raise Forbidden(f"agreement {agreement_id} is outside your scope") from None
    return agreement


def close_agreement(
    session: Session,
    principal: Principal,
    *,
    agreement_id: int,
    status: Closing,
    now: datetime,
    client_id: int | None = None,
) -> Agreement:
    """Marks an open agreement done or cancelled (audited ``agreement_done|cancelled``).

    ``client_id``, when given, is the client the caller's path names: an agreement of another
    client is a 404 there, as for any row under the wrong parent."""
    agreement = agreement_in_scope(session, principal, agreement_id=agreement_id)
    if client_id is not None and agreement.client_id != client_id:
        raise NotFound("agreement", agreement_id)
    if status not in ("done", "cancelled"):
        raise Invalid(BAD_CLOSING)
    if agreement.status != "open":
        raise Conflict(f"agreement {agreement_id} is already {agreement.status}")
    agreement.status = status
    agreement.closed_at = now
    agreement.closed_by = principal.actor
    _trail(
        session,
        agreement,
        principal=principal,
        action=f"agreement_{status}",
        old="open",
        new=status,
        now=now,
    )
    return agreement


def list_agreements(
    session: Session, principal: Principal, *, onboarding_id: int
) -> tuple[Onboarding, list[Agreement]]:
    """The onboarding's agreements, by due date (open, done and cancelled alike)."""
    onboarding = load_onboarding(session, principal, onboarding_id=onboarding_id)
    rows = session.scalars(
        select(Agreement)
        .where(Agreement.onboarding_id == onboarding.id)
        .order_by(Agreement.due_on, Agreement.id)
    )
    return onboarding, list(rows)


def current_onboarding(
    session: Session, principal: Principal, *, client_id: int
) -> Onboarding | None:
    """The client's latest onboarding in ``principal``'s scope (where a new agreement goes)."""
    client = load_client(session, principal, client_id=client_id)
    return session.scalar(
        select(Onboarding)
        .where(Onboarding.client_id == client.id, onboarding_scope(principal))
        .order_by(Onboarding.created_at.desc(), Onboarding.id.desc())
        .limit(1)
    )


def _trail(
    session: Session,
    agreement: Agreement,
    *,
    principal: Principal,
    action: str,
    old: str | None,
    new: str,
    now: datetime,
) -> None:
    """The audit row and the console's live event of one change, in its transaction."""
    record_audit(
        session,
        actor=principal.actor,
        action=action,
        at=now,
        client_id=agreement.client_id,
        field=f"agreement:{agreement.id}",
        old=old,
        new=new,
    )
    record_console_event(
        session,
        kind="agreement_changed",
        at=now,
        onboarding_id=agreement.onboarding_id,
        actor=principal.actor,
        data={
            "client_id": agreement.client_id,
            "agreement_id": agreement.id,
            "status": agreement.status,
        },
    )
