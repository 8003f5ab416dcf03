"""Demo training availability for ``onboard seed-demo``: the demo CSM trains on Tuesdays and
Thursdays, 10:00–12:00 and 14:00–17:00 local time, in sessions of 60 minutes for up to 4
clients, and the sessions of the next 21 days are materialized. Running it again adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.service.training.slots import sync_slots
from bot.storage.models import TrainingAvailability, TrainingSlot

__all__ = ["DEMO_MEETING_URL", "DEMO_WINDOWS", "HORIZON", "seed_demo_training"]

DEMO_MEETING_URL = "https://meet.jit.si/acolhe-demo-treinamento"
DEMO_WINDOWS: tuple[tuple[int, time, time], ...] = tuple(
    (weekday, starts, ends)
    for weekday in (1, 3)  # Tuesday, Thursday
    for starts, ends in ((time(10), time(12)), (time(14), time(17)))
)
HORIZON = timedelta(days=21)


def seed_demo_training(
    session: Session,
    *,
    csm_id: int,
    now: datetime,
    is_holiday: Callable[[date], bool] | None = None,
    timezone: str = "America/Sao_Paulo",
) -> int:
    """Adds the demo windows the CSM lacks, syncs the sessions of [now, now + 21 days) and
    returns how many open sessions the CSM has in that range. Runs in the caller's transaction."""
    for weekday, starts, ends in DEMO_WINDOWS:
        exists = session.scalar(
            select(TrainingAvailability.id).where(
                TrainingAvailability.csm_id == csm_id,
                TrainingAvailability.weekday == weekday,
                TrainingAvailability.starts == starts,
                TrainingAvailability.ends == ends,
            )
        )
        if exists is None:
            session.add(
                TrainingAvailability(
                    csm_id=csm_id,
                    weekday=weekday,
                    starts=starts,
                    ends=ends,
                    duration_minutes=60,
                    capacity=4,
                    meeting_url=DEMO_MEETING_URL,
                    active=True,
                    created_at=now,
                )
            )
    session.flush()
    sync_slots(
        session, start=now, end=now + HORIZON, now=now, is_holiday=is_holiday, timezone=timezone
    )
    return int(
        session.scalar(
            select(func.count(TrainingSlot.id)).where(
                TrainingSlot.csm_id == csm_id,
                TrainingSlot.status == "open",
                TrainingSlot.starts_at >= now,
                TrainingSlot.starts_at < now + HORIZON,
            )
        )
        or 0
    )
