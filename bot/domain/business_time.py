"""Business-time arithmetic and SLA clocks for onboarding stages.

The public face of the business calendar (``BusinessCalendar``, ``DayHours``) plus SLA evaluation:
a stage has a target in *working* time (``SlaPolicy``); ``evaluate_sla`` tells, at ``now``, how much
of it is used, when it falls due and whether it is on track, at risk or breached. Pure functions,
no clock of their own: the caller passes ``now``.

Vocabulary of the two waiting figures (both in working seconds since the stage was entered):

* ``client_waiting_seconds``: the client was waiting for the company (the ball was in the
  company's court): the stage's working time *outside* the pauses.
* ``company_waiting_seconds``: the company was waiting for the client (documents, answers): the
  working time *inside* the pauses.

With ``pauses_while_waiting_on_client`` the SLA clock counts only ``client_waiting_seconds``;
otherwise it counts both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.calendar_business import BusinessCalendar, as_utc
from bot.domain.calendar_hours import CalendarError, DayHours

__all__ = [
    "BusinessCalendar",
    "CalendarError",
    "DayHours",
    "Pause",
    "SlaPolicy",
    "SlaState",
    "SlaStatus",
    "evaluate_sla",
]

# An interval during which the onboarding waited on the client; ``None`` as end: still waiting.
Pause = tuple[datetime, datetime | None]


class SlaState(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"


@dataclass(frozen=True, slots=True, kw_only=True)
class SlaPolicy:
    """A stage's SLA: ``target`` working time; at risk once ``at_risk_share`` of it is used."""

    target: timedelta
    pauses_while_waiting_on_client: bool
    at_risk_share: float = 0.8

    def __post_init__(self) -> None:
        if self.target <= timedelta(0):
            raise CalendarError(f"SLA target must be positive, got {self.target}")
        if not 0.0 < self.at_risk_share <= 1.0:
            raise CalendarError(f"at_risk_share must be in (0, 1], got {self.at_risk_share}")


@dataclass(frozen=True, slots=True, kw_only=True)
class SlaStatus:
    """Where a stage's SLA clock stands at one instant (see the module docstring for terms)."""

    status: SlaState
    due_at: datetime
    elapsed_business_seconds: float
    client_waiting_seconds: float
    company_waiting_seconds: float
    remaining_business_seconds: float


def _merged_pauses(
    pauses: Sequence[Pause], *, entered_at: datetime, now: datetime
) -> list[tuple[datetime, datetime]]:
    """Pauses clipped to [entered_at, now] (both UTC), sorted, overlaps merged."""
    clipped = []
    for start, end in pauses:
        begin = as_utc(start, "pause start")
        finish = now if end is None else as_utc(end, "pause end")
        if end is not None and finish < begin:
            raise CalendarError(f"pause ends before it starts: {start} – {end}")
        low, high = max(begin, entered_at), min(finish, now)
        if high > low:
            clipped.append((low, high))
    clipped.sort()
    merged: list[tuple[datetime, datetime]] = []
    for low, high in clipped:
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _due_at(
    *,
    calendar: BusinessCalendar,
    target: timedelta,
    entered_at: datetime,
    pauses: list[tuple[datetime, datetime]],
) -> datetime:
    """When the clock reaches ``target`` if it stops during ``pauses`` and runs afterwards."""
    cursor, remaining = entered_at, target
    for pause_start, pause_end in pauses:
        available = calendar.business_time_between(cursor, pause_start)
        if remaining <= available:
            return calendar.add_business_time(cursor, remaining)
        remaining -= available
        cursor = pause_end
    return calendar.add_business_time(cursor, remaining)


def evaluate_sla(
    *,
    policy: SlaPolicy,
    calendar: BusinessCalendar,
    entered_at: datetime,
    now: datetime,
    pauses: Sequence[Pause] = (),
) -> SlaStatus:
    """The SLA status at ``now`` of a stage entered at ``entered_at``.

    ``pauses`` are the intervals when the onboarding waited on the client (open-ended ones run
    until ``now``); parts outside [entered_at, now] are ignored and overlaps count once. When the
    policy pauses the clock and a pause is still open, ``due_at`` assumes it ends now (it moves
    later while the client keeps the onboarding waiting).
    """
    entered_at, now = as_utc(entered_at, "entered_at"), as_utc(now, "now")
    if now < entered_at:
        raise CalendarError(f"now ({now}) is before the stage was entered ({entered_at})")
    merged = _merged_pauses(pauses, entered_at=entered_at, now=now)
    total = calendar.business_time_between(entered_at, now)
    company_waiting = sum(
        (calendar.business_time_between(low, high) for low, high in merged), timedelta(0)
    )
    client_waiting = total - company_waiting
    pausing = policy.pauses_while_waiting_on_client
    elapsed = client_waiting if pausing else total
    due_at = _due_at(
        calendar=calendar,
        target=policy.target,
        entered_at=entered_at,
        pauses=merged if pausing else [],
    )
    if elapsed >= policy.target:
        status = SlaState.BREACHED
    elif elapsed >= policy.target * policy.at_risk_share:
        status = SlaState.AT_RISK
    else:
        status = SlaState.ON_TRACK
    return SlaStatus(
        status=status,
        due_at=due_at,
        elapsed_business_seconds=elapsed.total_seconds(),
        client_waiting_seconds=client_waiting.total_seconds(),
        company_waiting_seconds=company_waiting.total_seconds(),
        remaining_business_seconds=max(policy.target - elapsed, timedelta(0)).total_seconds(),
    )
