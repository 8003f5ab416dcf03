"""The reads every report shares: a scope's onboardings (``ScopedOnboarding``) and their stage
history (``Visit``: one stay in a stage), business time per visit; windows; distributions.

A page showing several reports runs them inside ``shared_reads``: each of these is then read
or computed once per page (the console's report page shows seven reports; each read the whole
history again, ~2.7 s at 5,000 onboardings, bench/console/README.md). The history is read in SQL
with the scope as a join (not a list of ids) and only the visits a report of the window can use:
those overlapping the window and those of the onboardings created in it.
Percentiles interpolate linearly between ranks (the "type 7" of statistics packages).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from backoffice.schemas.reports import Distribution, Window
from bot.storage.models import Conversation, Escalation, Message, Onboarding, StageChange

__all__ = [
    "ScopedOnboarding",
    "Visit",
    "distribution",
    "first_responses",
    "in_window",
    "once_per_page",
    "percentile",
    "scope_key",
    "scope_onboardings",
    "shared_reads",
    "stage_visits",
]


def percentile(values: Sequence[float], share: float) -> float | None:
    """The ``share`` percentile of ``values`` (linear between ranks), None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * share
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def distribution(values: Sequence[float]) -> Distribution:
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 2)

    return Distribution(
        count=len(values),
        median=rounded(percentile(values, 0.5)),
        p90=rounded(percentile(values, 0.9)),
    )


@dataclass(frozen=True, slots=True)
class ScopedOnboarding:
    """What the reports read of an onboarding."""

    id: int
    segment: str
    stage: str
    created_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Visit:
    """One stay of an onboarding in a stage."""

    onboarding_id: int
    segment: str
    stage: str
    entered_at: datetime
    left_at: datetime | None
    next_stage: str | None


def in_window(at: datetime | None, window: Window) -> bool:
    if at is None:
        return False
    return (window.since is None or at >= window.since) and (
        window.until is None or at < window.until
    )


_SHARED = "backoffice.report_reads.shared_reads"


@contextmanager
def shared_reads(session: Session) -> Iterator[None]:
    """Within it, the reports run on ``session`` read each scope's onboardings and stage visits
    once and compute each visit's business time once, however many reports a page shows. Only
    for a series of reads: nothing may be written meanwhile."""
    session.info[_SHARED] = {}
    try:
        yield
    finally:
        session.info.pop(_SHARED, None)


T = TypeVar("T")


def once_per_page(session: Session, key: Hashable | None, *, load: Callable[[], T]) -> T:
    """``load()``, run once per ``key`` within ``shared_reads`` (every time outside it, or when
    ``key`` is None: a scope that cannot be written out)."""
    cache = session.info.get(_SHARED)
    if not isinstance(cache, dict) or key is None:
        return load()
    if key not in cache:
        cache[key] = load()
    value: T = cache[key]
    return value


def scope_key(scope: ColumnElement[bool]) -> str | None:
    """The scope clause written out, to share what is read for it; None when it cannot be."""
    try:
        return str(scope.compile(compile_kwargs={"literal_binds": True}))
    except Exception:  # noqa: BLE001 - a clause that cannot be written out: not shared
        return None


def scope_onboardings(session: Session, scope: ColumnElement[bool]) -> dict[int, ScopedOnboarding]:
    """The onboardings ``scope`` lets the caller see, by id (shared within ``shared_reads``)."""
    key = scope_key(scope)
    return once_per_page(
        session,
        None if key is None else ("onboardings", key),
        load=lambda: _load_onboardings(session, scope),
    )


def _load_onboardings(session: Session, scope: ColumnElement[bool]) -> dict[int, ScopedOnboarding]:
    rows = session.execute(
        select(
            Onboarding.id,
            Onboarding.segment,
            Onboarding.stage,
            Onboarding.created_at,
            Onboarding.completed_at,
        ).where(scope)
    )
    return {row[0]: ScopedOnboarding(*row) for row in rows}


def stage_visits(session: Session, scope: ColumnElement[bool], *, window: Window) -> list[Visit]:
    """The stays in a stage of the onboardings ``scope`` lets the caller see that overlap
    ``window`` (entered before its end, left at or after its start), and every stay of the
    onboardings created in it; in order of onboarding, then time (shared within
    ``shared_reads``). Each report filters them further, as it says."""
    key = scope_key(scope)
    return once_per_page(
        session,
        None if key is None else ("visits", key, window.since, window.until),
        load=lambda: _load_visits(session, scope, window=window),
    )


def _load_visits(session: Session, scope: ColumnElement[bool], *, window: Window) -> list[Visit]:
    stamp = StageChange.__table__.c.at.type  # LEAD() read back as the column (UTC datetimes)
    by, order = StageChange.onboarding_id, (StageChange.at, StageChange.id)
    history = (
        select(
            StageChange.id,
            StageChange.onboarding_id,
            Onboarding.segment,
            Onboarding.created_at,
            StageChange.to_stage.label("stage"),
            StageChange.at.label("entered_at"),
            func.lead(StageChange.at, type_=stamp)
            .over(partition_by=by, order_by=order)
            .label("left_at"),
            func.lead(StageChange.to_stage)
            .over(partition_by=by, order_by=order)
            .label("next_stage"),
        )
        .join(Onboarding, Onboarding.id == StageChange.onboarding_id)
        .where(scope)
        .subquery()
    )
    c = history.c
    query = select(
        c.onboarding_id, c.segment, c.stage, c.entered_at, c.left_at, c.next_stage
    ).order_by(c.onboarding_id, c.entered_at, c.id)
    overlapping, created = [], []
    if window.until is not None:
        overlapping.append(c.entered_at < window.until)
        created.append(c.created_at < window.until)
    if window.since is not None:
        overlapping.append(or_(c.left_at.is_(None), c.left_at >= window.since))
        created.append(c.created_at >= window.since)
    if overlapping:
        query = query.where(or_(and_(*overlapping), and_(*created)))
    return [Visit(*row) for row in session.execute(query)]


def first_responses(
    session: Session, *, scope: ColumnElement[bool], window: Window
) -> tuple[list[Escalation], list[tuple[float, int | None] | None]]:
    """The escalations created in the window and, for each, the minutes to the first staff
    message in its conversation and who wrote it (None: not answered yet); read once per page
    within ``shared_reads`` (the escalations and the buckets both show them)."""
    key = scope_key(scope)
    return once_per_page(
        session,
        None if key is None else ("first responses", key, window.since, window.until),
        load=lambda: _load_first_responses(session, scope=scope, window=window),
    )


def _load_first_responses(
    session: Session, *, scope: ColumnElement[bool], window: Window
) -> tuple[list[Escalation], list[tuple[float, int | None] | None]]:
    query = select(Escalation).where(scope)
    if window.since is not None:
        query = query.where(Escalation.created_at >= window.since)
    if window.until is not None:
        query = query.where(Escalation.created_at < window.until)
    rows = [e for e in session.scalars(query) if in_window(e.created_at, window)]
    staff_messages: dict[int, list[tuple[datetime, int | None]]] = defaultdict(list)
    conversation_ids = {e.conversation_id for e in rows}
    if conversation_ids:
        for conversation_id, created_at, staff_id in session.execute(
            select(Message.conversation_id, Message.created_at, Message.staff_id)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Message.conversation_id.in_(conversation_ids), Message.author == "staff")
            .order_by(Message.created_at, Message.id)
        ):
            staff_messages[conversation_id].append((created_at, staff_id))
    answers: list[tuple[float, int | None] | None] = []
    for escalation in rows:
        messages = staff_messages[escalation.conversation_id]
        first = next((m for m in messages if m[0] >= escalation.created_at), None)
        answers.append(
            None
            if first is None
            else ((first[0] - escalation.created_at).total_seconds() / 60, first[1])
        )
    return rows, answers
