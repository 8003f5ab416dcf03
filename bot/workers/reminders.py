"""Client reminders: training sessions (24 h and 1 h before), the NPS question after them, and
nudges to clients idle on a question — with the CSM alerted when nudges go unanswered; also
the CNPJ look-ups BrasilAPI could not answer during the conversation, retried with backoff.

Each round (1) sweeps for idle conversations and schedules their nudges (``scheduled_jobs``,
insert-once by key), (2) keeps the training sessions materialized for the coming weeks, and
(3) claims due jobs with a lease and finishes each in one transaction with the outbox row it
writes: several workers, or a worker restarted after a crash, send each reminder once.
Quiet hours, weekends and holidays move a due client message to the next allowed time;
opted-out clients, conversations a person took over and cancelled bookings get nothing.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio.to_thread
from sqlalchemy import Table, bindparam, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.alerts import raise_alert, resolve_missing
from bot.dialogue.context import ConversationContext
from bot.dialogue.effects import Escalate
from bot.dialogue.state import DialogueState
from bot.dialogue.texts import text
from bot.dialogue.training.time_phrases import when
from bot.domain.calendar_business import BusinessCalendar
from bot.domain.clock import Clock
from bot.domain.company import CompanyLookup, NoCompanyLookup
from bot.domain.messages import OutboundMessage
from bot.domain.onboarding import Stage
from bot.service.companies import record_company_check
from bot.service.conversations import ConversationService
from bot.service.jobs import SendPolicy, schedule_job
from bot.service.message_store import store_outbound
from bot.service.records import EffectRecorder
from bot.service.training import get_booking, sync_slots
from bot.storage.claims import claim_due
from bot.storage.models import Alert, Conversation, Onboarding, ScheduledJob
from bot.workers.loop import run_rounds

log = logging.getLogger(__name__)

__all__ = ["NudgePolicy", "ReminderWorker"]

_CLIENT_KINDS = ("training_24h", "training_1h", "nps_request", "nudge")
_COMPANY_ATTEMPTS = 8
_CLIENT_STAGES = (Stage.CADASTRO.value, Stage.DOCUMENTOS.value)
_IDLE_LOOK_BACK = timedelta(days=30)
_CONVERSATIONS: Table = Conversation.__table__  # type: ignore[assignment]
_MARK_NUDGED = (
    update(_CONVERSATIONS)
    .where(
        _CONVERSATIONS.c.id == bindparam("b_id"),
        _CONVERSATIONS.c.last_inbound_at == bindparam("b_since"),
    )
    .values(nudged_since=bindparam("b_since"))
)
_COMPANY_RETRY = timedelta(minutes=5)


@dataclass(frozen=True, slots=True, kw_only=True)
class NudgePolicy:
    """How long a client may stay on a question (business time) and how often to remind."""

    idle_hours: float = 9.0  # one business day of 09:00-18:00
    max_nudges: int = 2


class ReminderWorker:
    def __init__(
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
    ) -> None:
        self.companies = companies or NoCompanyLookup()
        self.sessions = sessions
        self.conversations = conversations
        self.clock = clock
        self.send = send
        self.nudges = nudges
        self.timezone = timezone
        self.slot_window = slot_window
        self.sync_every = sync_every
        self.sweep_every = sweep_every
        self._swept_at: datetime | None = None
        self.lease = lease
        self.batch = batch
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

    # ------------------------------------------------------------------ sweeps
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

    def sweep_idle(self) -> int:
        """Schedules the nudges (and the CSM alert after them) of conversations idle on a
        question; the keys carry the client's last message, so writing again starts over.

        Each idle period is looked at once: the conversation then records it in
        ``nudged_since``, so a sweep reads only conversations idle since the last one (the
        insert-once keys still make two processes sweeping together harmless).
        """
        now = self.clock.now()
        if self._swept_at is not None and now - self._swept_at < self.sweep_every:
            return 0
        self._swept_at = now
        scheduled = 0
        with self.sessions.begin() as session:
            # Only onboardings still waiting on the client's answers (registration and
            # documents), idle for at least an hour and for less than the look-back.
            idle = session.scalars(
                select(Conversation)
                .join(Onboarding, Onboarding.id == Conversation.onboarding_id)
                .where(
                    Onboarding.stage.in_(_CLIENT_STAGES),
                    Conversation.opted_out.is_(False),
                    Conversation.bot_paused.is_(False),
                    Conversation.last_inbound_at.is_not(None),
                    Conversation.last_inbound_at < now - timedelta(hours=1),
                    Conversation.last_inbound_at >= now - _IDLE_LOOK_BACK,
                    or_(
                        Conversation.nudged_since.is_(None),
                        Conversation.nudged_since != Conversation.last_inbound_at,
                    ),
                )
            ).all()
            looked_at = []
            for conversation in idle:
                created = self._schedule_nudges(session, conversation, now)
                if created is None:
                    continue  # not waiting on a question: looked at again next time
                scheduled += created
                looked_at.append({"b_id": conversation.id, "b_since": conversation.last_inbound_at})
            if looked_at:
                # Only if the client has not written meanwhile (then a new period starts).
                session.execute(_MARK_NUDGED, looked_at)
            _resolve_answered(session, now)
        return scheduled

    def _schedule_nudges(
        self, session: Session, conversation: Conversation, now: datetime
    ) -> int | None:
        """How many of the period's jobs this call created; None when the conversation is not
        waiting on a question (a question asked later, e.g. after a document is read, has
        not been seen yet)."""
        state = DialogueState.model_validate(conversation.state or {})
        waiting = self.conversations.engine.waiting_on(state)
        since = conversation.last_inbound_at
        if waiting is None or since is None:
            return None
        budget = timedelta(hours=waiting[1] or self.nudges.idle_hours)
        created = 0
        for number in range(1, self.nudges.max_nudges + 2):
            due = self.calendar.add_business_time(since, budget * number)
            last = number > self.nudges.max_nudges
            kind = "idle_alert" if last else "nudge"
            created += schedule_job(
                session,
                kind=kind,
                key=f"{kind}:{conversation.id}:{since.isoformat()}:{number}",
                due_at=due if last else self.send.next_allowed(due),
                now=now,
                conversation_id=conversation.id,
                onboarding_id=conversation.onboarding_id,
                payload={"since": since.isoformat(), "number": number},
            )
        return created

    # ------------------------------------------------------------------ dispatch
    def dispatch_due(self) -> int:
        finished = 0
        while True:
            with self.sessions.begin() as session:
                now = self.clock.now()
                jobs = claim_due(
                    session,
                    ScheduledJob,
                    where=[ScheduledJob.status == "pending", ScheduledJob.due_at <= now],
                    now=now,
                    lease=self.lease,
                    limit=self.batch,
                )
                job_ids = [job.id for job in jobs]
            if not job_ids:
                return finished
            for job_id in job_ids:
                finished += self._finish(job_id)
            if len(job_ids) < self.batch:
                return finished

    def _finish(self, job_id: int) -> int:
        """One job, one transaction: its message and its status, or neither."""
        with self.sessions.begin() as session:
            job = session.get(ScheduledJob, job_id, with_for_update=True)
            if job is None or job.status != "pending":
                return 0
            now = self.clock.now()
            outcome = self._run(session, job, now)
            if outcome == "later":
                job.claimed_until = None
                return 0
            job.status = "done" if outcome == "sent" else "skipped"
            job.note = "" if outcome == "sent" else outcome[:300]
            job.done_at = now
            job.attempts += 1
            return 1

    def _run(self, session: Session, job: ScheduledJob, now: datetime) -> str:
        conversation = (
            session.get(Conversation, job.conversation_id) if job.conversation_id else None
        )
        if job.kind == "cnpj_lookup":
            return self._company(session, job, conversation, now)
        if conversation is None:
            return "conversation gone"
        if job.kind == "idle_alert":
            return self._idle_alert(session, job, conversation, now)
        if conversation.opted_out:
            return "client opted out"
        if job.kind in _CLIENT_KINDS and not self.send.allowed(now):
            job.due_at = self.send.next_allowed(now)
            return "later"
        if job.kind == "nudge":
            return self._nudge(session, job, conversation, now)
        return self._training(session, job, conversation, now)

    def _training(
        self, session: Session, job: ScheduledJob, conversation: Conversation, now: datetime
    ) -> str:
        if job.booking_id is None:
            return "no booking"
        booking = get_booking(session, job.booking_id)
        # Once the CSM marks the session attended, the NPS question still goes.
        allowed = ("booked", "attended") if job.kind == "nps_request" else ("booked",)
        if booking.status not in allowed:
            return f"booking {booking.status}"
        if job.kind != "nps_request" and booking.starts_at <= now:
            return "session already started"
        context = ConversationContext(timezone=self.timezone)
        lang = conversation.language
        body = text(
            f"reminder_{job.kind}",
            lang,
            params={
                "when": when(booking.starts_at, lang, context=context),
                "link": booking.meeting_url or "—",
            },
        )
        store_outbound(
            session,
            conversation,
            reply=OutboundMessage(text=body, kind="reminder"),
            author="bot",
            now=now,
        )
        return "sent"

    def _company(
        self,
        session: Session,
        job: ScheduledJob,
        conversation: Conversation | None,
        now: datetime,
    ) -> str:
        """A CNPJ look-up BrasilAPI could not answer during the conversation, retried with
        backoff (5 min, 10 min, 20 min, ... up to 8 tries)."""
        cnpj = str(job.payload.get("cnpj", ""))
        result = self.companies.company(cnpj)
        if result.status == "unavailable":
            job.attempts += 1
            if job.attempts >= _COMPANY_ATTEMPTS:
                return "BrasilAPI unavailable"
            job.due_at = now + _COMPANY_RETRY * 2**job.attempts
            return "later"
        if result.status == "off":
            return "no look-up service"
        onboarding = session.get(Onboarding, job.onboarding_id) if job.onboarding_id else None
        record_company_check(
            session,
            client_id=onboarding.client_id if onboarding is not None else None,
            onboarding=onboarding,
            cnpj=cnpj,
            result=result,
            young_days=int(job.payload.get("young_days", 90)),
            now=now,
            conversation_id=conversation.id if conversation is not None else None,
        )
        return "sent"

    def _still_idle(self, job: ScheduledJob, conversation: Conversation) -> bool:
        since = conversation.last_inbound_at
        return since is not None and job.payload.get("since") == since.isoformat()

    def _nudge(
        self, session: Session, job: ScheduledJob, conversation: Conversation, now: datetime
    ) -> str:
        if not self._still_idle(job, conversation):
            return "client wrote again"
        if conversation.bot_paused:
            return "a person owns the conversation"
        state, question = self.conversations.current_question(session, conversation)
        if not question:
            return "nothing to answer"
        first = question[0]
        intro = text("reminder_nudge", state.language)
        store_outbound(
            session,
            conversation,
            reply=OutboundMessage(
                text=f"{intro}\n\n{first.text}", choices=first.choices, kind="nudge"
            ),
            author="bot",
            now=now,
        )
        return "sent"

    def _idle_alert(
        self, session: Session, job: ScheduledJob, conversation: Conversation, now: datetime
    ) -> str:
        if not self._still_idle(job, conversation):
            return "client wrote again"
        onboarding = (
            session.get(Onboarding, conversation.onboarding_id)
            if conversation.onboarding_id
            else None
        )
        since = conversation.last_inbound_at
        assert since is not None
        local = self.calendar.local(since)
        detail = (
            f"sem resposta desde {local:%d/%m %H:%M}, após {self.nudges.max_nudges} lembrete(s)"
        )
        # The CSM sees it in their escalation queue (assigned to the onboarding's CSM) ...
        EffectRecorder(
            session,
            conversation,
            now=now,
            assign_escalation=self.conversations.assign_escalation,
        ).apply([Escalate("client_idle", detail)])
        # ... and the managers get an alert on their channels.
        raise_alert(
            session,
            kind="client_idle",
            subject_key=f"conversation:{conversation.id}",
            period_key=since.isoformat(),
            title=f"Cliente parado: {conversation.profile_name or conversation.address}",
            body=(
                f"Sem resposta desde {local:%d/%m %H:%M}, depois de "
                f"{self.nudges.max_nudges} lembrete(s). Vale um contato da equipe."
            ),
            severity="warning",
            onboarding_id=onboarding.id if onboarding is not None else None,
            now=now,
        )
        return "sent"


def _resolve_answered(session: Session, now: datetime) -> None:
    """A ``client_idle`` alert ends when its client writes again (the period is the stamp of
    the message they had gone quiet after); managers then get the "resolvido" notice."""
    still_idle: list[tuple[str, str]] = []
    for subject, period in session.execute(
        select(Alert.subject_key, Alert.period_key).where(
            Alert.kind == "client_idle", Alert.resolved_at.is_(None)
        )
    ):
        conversation_id = int(subject.removeprefix("conversation:"))
        since = session.scalar(
            select(Conversation.last_inbound_at).where(Conversation.id == conversation_id)
        )
        if since is not None and since.isoformat() == period:
            still_idle.append((subject, period))
    resolve_missing(session, kind="client_idle", active_keys=still_idle, now=now)
