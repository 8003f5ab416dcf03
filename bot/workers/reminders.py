"""The reminder worker: the loop around the reminders' use cases (``bot.service.reminders``).

Each round (1) sweeps for idle conversations and schedules their nudges
(``bot.service.reminders_idle``; at most every ``sweep_every``), (2) keeps the training
sessions materialized for the coming weeks (at most every ``sync_every``), and (3) claims due
jobs with a lease and finishes each in its own transaction, batch after batch until none is
due. Due times live in the database, so a worker started after a pause catches up, once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker

from bot.alerts import ledger
from bot.domain.calendar_business import BusinessCalendar
from bot.domain.clock import Clock
from bot.domain.company import CompanyLookup
from bot.service.conversations import ConversationService
from bot.service.jobs import SendPolicy
from bot.service.reminders import ReminderJobs
from bot.service.reminders_idle import IdleSweep, ManagerAlerts, NudgePolicy
from bot.service.training import sync_slots
from bot.workers.loop import run_rounds

log = logging.getLogger(__name__)

__all__ = ["NudgePolicy", "ReminderWorker"]


class ReminderWorker:
    def __init__(  # noqa: PLR0913 - what the composition root hands it, all by name
        self,
        *,
        sessions: sessionmaker[Session],
        conversations: ConversationService,
        clock: Clock,
        send: SendPolicy,
        nudges: NudgePolicy,
        timezone: str,
        slot_window: timedelta = timedelta(days=21),
        sync_every: timedelta = timedelta(minutes=10),
        sweep_every: timedelta = timedelta(minutes=1),
        lease: timedelta = timedelta(minutes=2),
        batch: int = 50,
        companies: CompanyLookup | None = None,
        alerts: ManagerAlerts = ledger,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.send = send
        self.timezone = timezone
        self.slot_window = slot_window
        self.sync_every = sync_every
        self.sweep_every = sweep_every
        self.lease = lease
        self.batch = batch
        self.jobs = ReminderJobs(
            sessions=sessions,
            conversations=conversations,
            clock=clock,
            send=send,
            nudges=nudges,
            timezone=timezone,
            alerts=alerts,
            companies=companies,
        )
        self.idle = IdleSweep(
            sessions=sessions,
            conversations=conversations,
            clock=clock,
            send=send,
            nudges=nudges,
            alerts=alerts,
        )
        self._swept_at: datetime | None = None
        self._synced_at: datetime | None = None

    @property
    def calendar(self) -> BusinessCalendar:
        return self.send.calendar

    async def run(self, stop: asyncio.Event, *, idle_s: float = 1.0) -> None:
        await run_rounds(self.one_round, stop, idle_s=idle_s, name="reminders")

    async def one_round(self) -> int:
        return await anyio.to_thread.run_sync(self.round_sync)

    def round_sync(self) -> int:
        """Sweeps, then sends what is due; returns how many jobs were finished."""
        self.sweep_idle()
        self.sync_sessions()
        return self.dispatch_due()

    def sweep_idle(self) -> int:
        """Schedules idle conversations' nudges (at most every ``sweep_every``)."""
        now = self.clock.now()
        if self._swept_at is not None and now - self._swept_at < self.sweep_every:
            return 0
        self._swept_at = now
        return self.idle.sweep()

    def sync_sessions(self) -> None:
        now = self.clock.now()
        if self._synced_at is not None and now - self._synced_at < self.sync_every:
            return
        try:
            with self.sessions.begin() as session:
                sync_slots(
                    session,
                    start=now,
                    end=now + self.slot_window,
                    now=now,
                    is_holiday=self.calendar.is_holiday,
                    timezone=self.timezone,
                )
        except Exception:  # noqa: BLE001 - another process synced the same sessions: next time
            log.info("training session sync collided with another process; retrying later")
            return
        self._synced_at = now

    def dispatch_due(self) -> int:
        """Finishes due jobs, batch after batch; returns how many were finished."""
        finished = 0
        while True:
            job_ids = self.jobs.claim_due(lease=self.lease, limit=self.batch)
            finished += sum(self.jobs.finish(job_id) for job_id in job_ids)
            if len(job_ids) < self.batch:
                return finished
