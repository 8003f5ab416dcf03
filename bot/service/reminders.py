"""Due client reminders, as use cases: training sessions (24 h and 1 h before), the NPS
question after them, nudges to clients idle on a question, the CSM alert when nudges go
unanswered, and the CNPJ look-ups BrasilAPI could not answer during the conversation.

``ReminderJobs.claim_due`` leases due ``scheduled_jobs`` rows; ``ReminderJobs.finish`` runs
one in one transaction with the outbox row it writes, so several workers, or a worker
restarted after a crash, send each reminder once. Quiet hours, weekends and holidays move a
due client message to the next allowed time; opted-out clients, conversations a person took
over and cancelled bookings get nothing. The idle sweep that schedules nudges is
``bot.service.reminders_idle``; the loop that calls both is ``bot.workers.reminders``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.dialogue.context import ConversationContext
from bot.dialogue.effects import Escalate
from bot.dialogue.texts import text
from bot.dialogue.training.time_phrases import when
from bot.domain.clock import Clock
from bot.domain.company import CompanyLookup, NoCompanyLookup
from bot.domain.messages import OutboundMessage
from bot.domain.retrying import RetryPolicy
from bot.service.companies import record_company_check
from bot.service.conversations import ConversationService
from bot.service.jobs import SendPolicy
from bot.service.message_store import store_outbound
from bot.service.records import EffectRecorder
from bot.service.reminders_idle import ManagerAlerts, NudgePolicy
from bot.service.training import get_booking
from bot.storage.claims import claim_due
from bot.storage.models import Conversation, Onboarding, ScheduledJob

__all__ = ["COMPANY_RETRY", "ReminderJobs"]

_CLIENT_KINDS = ("training_24h", "training_1h", "nps_request", "nudge")
COMPANY_RETRY = RetryPolicy(max_attempts=8, base_s=600.0, cap_s=86_400.0)
"""A CNPJ look-up BrasilAPI could not answer: 10 min, 20 min, 40 min, ... up to 8 tries."""


class ReminderJobs:
    """Runs due jobs; each returns "sent", "later" (due again) or why it was skipped."""

    def __init__(  # noqa: PLR0913 - the use case's collaborators, all by name
        self,
        *,
        sessions: sessionmaker[Session],
        conversations: ConversationService,
        clock: Clock,
        send: SendPolicy,
        nudges: NudgePolicy,
        timezone: str,
        alerts: ManagerAlerts,
        companies: CompanyLookup | None = None,
    ) -> None:
        self.sessions = sessions
        self.conversations = conversations
        self.clock = clock
        self.send = send
        self.nudges = nudges
        self.timezone = timezone
        self.alerts = alerts
        self.companies = companies or NoCompanyLookup()

    def claim_due(self, *, lease: timedelta, limit: int) -> list[int]:
        """Leases up to ``limit`` due jobs (their ids)."""
        with self.sessions.begin() as session:
            now = self.clock.now()
            jobs = claim_due(
                session,
                ScheduledJob,
                where=[ScheduledJob.status == "pending", ScheduledJob.due_at <= now],
                now=now,
                lease=lease,
                limit=limit,
            )
            return [job.id for job in jobs]

    def finish(self, job_id: int) -> int:
        """One job, one transaction: its message and its status, or neither. 1 when it is
        done (sent or skipped), 0 when it is due again later or was not pending."""
        with self.sessions.begin() as session:
            job = session.get(ScheduledJob, job_id, with_for_update=True)
            if job is None or job.status != "pending":
                return 0
            now = self.clock.now()
            outcome = self._run(session, job, now=now)
            if outcome == "later":
                job.claimed_until = None
                return 0
            job.status = "done" if outcome == "sent" else "skipped"
            job.note = "" if outcome == "sent" else outcome[:300]
            job.done_at = now
            job.attempts += 1
            return 1

    def _run(self, session: Session, job: ScheduledJob, *, now: datetime) -> str:
        conversation = (
            session.get(Conversation, job.conversation_id) if job.conversation_id else None
        )
        if job.kind == "cnpj_lookup":
            return self._company(session, job, conversation=conversation, now=now)
        if conversation is None:
            return "conversation gone"
        if job.kind == "idle_alert":
            return self._idle_alert(session, job, conversation=conversation, now=now)
        if conversation.opted_out:
            return "client opted out"
        if job.kind in _CLIENT_KINDS and not self.send.allowed(now):
            job.due_at = self.send.next_allowed(now)
            return "later"
        if job.kind == "nudge":
            return self._nudge(session, job, conversation=conversation, now=now)
        return self._training(session, job, conversation=conversation, now=now)

    def _training(
        self, session: Session, job: ScheduledJob, *, conversation: Conversation, now: datetime
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
        *,
        conversation: Conversation | None,
        now: datetime,
    ) -> str:
        """A CNPJ look-up BrasilAPI could not answer during the conversation, retried with
        the shared policy (``COMPANY_RETRY``)."""
        cnpj = str(job.payload.get("cnpj", ""))
        result = self.companies.company(cnpj)
        if result.status == "unavailable":
            job.attempts += 1
            if COMPANY_RETRY.exhausted(job.attempts):
                return "BrasilAPI unavailable"
            job.due_at = now + timedelta(seconds=COMPANY_RETRY.delay(job.attempts))
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

    def _nudge(
        self, session: Session, job: ScheduledJob, *, conversation: Conversation, now: datetime
    ) -> str:
        if not _still_idle(job, conversation):
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
        self, session: Session, job: ScheduledJob, *, conversation: Conversation, now: datetime
    ) -> str:
        """Nudges went unanswered: the CSM sees it in their escalation queue (assigned to the
        onboarding's CSM), and the managers get an alert on their channels."""
        if not _still_idle(job, conversation):
            return "client wrote again"
        since = conversation.last_inbound_at
        assert since is not None
        local = self.send.calendar.local(since)
        nudges = self.nudges.max_nudges
        EffectRecorder(
            session,
            conversation,
            now=now,
            assign_escalation=self.conversations.assign_escalation,
        ).apply(
            [
                Escalate(
                    "client_idle",
                    f"sem resposta desde {local:%d/%m %H:%M}, após {nudges} lembrete(s)",
                )
            ]
        )
        onboarding = (
            session.get(Onboarding, conversation.onboarding_id)
            if conversation.onboarding_id
            else None
        )
        self.alerts.raise_alert(
            session,
            kind="client_idle",
            subject_key=f"conversation:{conversation.id}",
            period_key=since.isoformat(),
            title=f"Cliente parado: {conversation.profile_name or conversation.address}",
            body=(
                f"Sem resposta desde {local:%d/%m %H:%M}, depois de "
                f"{nudges} lembrete(s). Vale um contato da equipe."
            ),
            severity="warning",
            onboarding_id=onboarding.id if onboarding is not None else None,
            now=now,
        )
        return "sent"


def _still_idle(job: ScheduledJob, conversation: Conversation) -> bool:
    since = conversation.last_inbound_at
    return since is not None and job.payload.get("since") == since.isoformat()
