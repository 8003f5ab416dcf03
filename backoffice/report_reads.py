"""The reads every report shares: a scope's onboardings and their stage history (``Visit``:
one stay in a stage), read once per page inside ``shared_reads``; windows; distributions.
Percentiles interpolate linearly between ranks (the "type 7" of statistics packages).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from backoffice.schemas.reports import Distribution, Window
from bot.storage.models import Onboarding, StageChange

__all__ = [
    "Visit",
    "distribution",
    "in_window",
    "percentile",
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


@dataclass(frozen=True)
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
    """Within it, the reports run on ``session`` read each scope's onboardings and their stage
    history once, however many reports a page shows (the console's report page shows seven; each
    read them again). Only for a series of reads: nothing may be written meanwhile."""
    session.info[_SHARED] = {}
    try:
        yield
    finally:
        session.info.pop(_SHARED, None)


def _shared(session: Session) -> dict[object, Any] | None:
    cache = session.info.get(_SHARED)
    return cache if isinstance(cache, dict) else None


def scope_onboardings(session: Session, scope: ColumnElement[bool]) -> dict[int, Onboarding]:
    """The onboardings ``scope`` lets the caller see, by id (shared within ``shared_reads``)."""
    cache = _shared(session)
    if cache is None:
        return _load_onboardings(session, scope)
    try:
        key = ("onboardings", str(scope.compile(compile_kwargs={"literal_binds": True})))
    except Exception:  # noqa: BLE001 - a clause that cannot be written out: not shared
        return _load_onboardings(session, scope)
    if key not in cache:
        cache[key] = _load_onboardings(session, scope)
    return dict(cache[key])


def _load_onboardings(session: Session, scope: ColumnElement[bool]) -> dict[int, Onboarding]:
    return {o.id: o for o in session.scalars(select(Onboarding).where(scope))}


def stage_visits(session: Session, onboardings: dict[int, Onboarding]) -> list[Visit]:
    """Every stay in a stage of these onboardings, in order (shared within ``shared_reads``)."""
    cache = _shared(session)
    if cache is None:
        return _load_visits(session, onboardings)
    known: dict[int, list[Visit]] = cache.setdefault("visits", {})
    missing = {oid: o for oid, o in onboardings.items() if oid not in known}
    if missing:
        loaded: dict[int, list[Visit]] = {oid: [] for oid in missing}
        for visit in _load_visits(session, missing):
            loaded[visit.onboarding_id].append(visit)
        known.update(loaded)
    return [visit for oid in sorted(onboardings) for visit in known[oid]]


def _load_visits(session: Session, onboardings: dict[int, Onboarding]) -> list[Visit]:
    history: dict[int, list[StageChange]] = defaultdict(list)
    if onboardings:
        for change in session.scalars(
            select(StageChange)
            .where(StageChange.onboarding_id.in_(list(onboardings)))
            .order_by(StageChange.onboarding_id, StageChange.at, StageChange.id)
        ):
            history[change.onboarding_id].append(change)
    visits: list[Visit] = []
    for onboarding_id, changes in history.items():
        segment = onboardings[onboarding_id].segment
        for index, change in enumerate(changes):
            following = changes[index + 1] if index + 1 < len(changes) else None
            visits.append(
                Visit(
                    onboarding_id=onboarding_id,
                    segment=segment,
                    stage=change.to_stage,
                    entered_at=change.at,
                    left_at=following.at if following else None,
                    next_stage=following.to_stage if following else None,
                )
            )
    return visits
