"""Scheduled jobs are insert-once by key, and say so, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.bootstrap import Runtime
from bot.service.jobs import schedule_job
from bot.storage.models import ScheduledJob


def test_schedule_job_says_whether_it_created_the_job(runtime: Runtime) -> None:
    """The first call creates the job, the others say they did not (on PostgreSQL a skipped
    insert's rowcount reads 1 through the ORM session, so the answer comes from RETURNING)."""
    now = datetime(2026, 11, 24, 13, tzinfo=UTC)
    created = []
    for _ in range(3):
        with runtime.sessions.begin() as session:
            created.append(
                schedule_job(session, kind="nudge", key="nudge:1:x:1", due_at=now, now=now)
            )
    assert created == [True, False, False]
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ScheduledJob)) == 1
