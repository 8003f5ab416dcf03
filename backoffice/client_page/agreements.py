"""What the status page shows of the agreements staff recorded with the client: open ones with
their due date as a person says it ("até quinta-feira, 12/03"), marked overdue once the day has
passed; done ones with the day they were done. Cancelled ones are not shown: they are no
longer agreed. Reads only; the client's language (pt-BR or English).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models.agreements import Agreement

__all__ = ["AgreementLine", "agreement_lines", "due_text"]

LineState = Literal["open", "overdue", "done"]


@dataclass(frozen=True, slots=True)
class AgreementLine:
    what: str
    owed_by: str  # client | company
    due_on: date
    due_text: str  # "quinta-feira, 12/03" / "Thursday, March 12"
    state: LineState
    done_on: date | None


def due_text(day: date, *, language: str) -> str:
    """A day as a person says it, the same words as the stage's expected date."""
    if language == "en":
        return format_date(day, "EEEE, MMMM d", locale="en")
    return format_date(day, "EEEE, dd/MM", locale="pt_BR")


def agreement_lines(
    session: Session,
    onboarding_id: int,
    *,
    language: str,
    now: datetime,
    timezone: str,
) -> tuple[AgreementLine, ...]:
    """The onboarding's open and done agreements, open ones first, each by due date; a day is
    overdue once it has passed in ``timezone`` (the back-office's)."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    rows = session.scalars(
        select(Agreement)
        .where(Agreement.onboarding_id == onboarding_id, Agreement.status.in_(("open", "done")))
        .order_by((Agreement.status == "open").desc(), Agreement.due_on, Agreement.id)
    )
    lines = []
    for row in rows:
        state: LineState = (
            "done" if row.status == "done" else "overdue" if row.due_on < today else "open"
        )
        lines.append(
            AgreementLine(
                what=row.what,
                owed_by=row.owed_by,
                due_on=row.due_on,
                due_text=due_text(row.due_on, language=language),
                state=state,
                done_on=row.closed_at.astimezone(zone).date() if row.closed_at else None,
            )
        )
    return tuple(lines)
