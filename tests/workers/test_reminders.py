"""Training reminders, the NPS question and client nudges: sent at the right local times (across
a weekend and a holiday, outside quiet hours), once, and never to an opted-out client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select, update

from bot.bootstrap import Runtime, build_reminder_worker, build_runtime
from bot.config import Settings
from bot.domain.clock import FakeClock
from bot.service.training import sync_slots
from bot.storage.models import (
    Alert,
    Conversation,
    Escalation,
    Message,
    Onboarding,
    ScheduledJob,
    StaffUser,
    TrainingAvailability,
)
from bot.workers.reminders import ReminderWorker
from nlu.types import Interpreter
from tests.support.conversation import Chat


def _utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """São Paulo wall-clock time (UTC-3, no DST) as UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) + timedelta(hours=3)


@pytest.fixture
def real(settings: Settings, clock: FakeClock, real_interpreter: Interpreter) -> Iterator[Runtime]:
    runtime = build_runtime(settings, clock=clock, interpreter=real_interpreter, migrate=False)
    yield runtime
    runtime.close()


def _availability(runtime: Runtime, *, weekday: int, starts: time, ends: time) -> None:
    now = runtime.clock.now()
    with runtime.sessions.begin() as session:
        csm = session.scalars(select(StaffUser)).first()
        if csm is None:
            csm = StaffUser(name="Carla", email="carla@acolhe.example", role="csm", created_at=now)
            session.add(csm)
            session.flush()
        session.add(
            TrainingAvailability(
                csm_id=csm.id,
                weekday=weekday,
                starts=starts,
                ends=ends,
                duration_minutes=60,
                capacity=5,
                meeting_url="https://meet.example.com/t",
                active=True,
                created_at=now,
            )
        )
        session.flush()
        sync_slots(session, start=now, end=now + timedelta(days=40), now=now)


def _training_chat(runtime: Runtime, address: str) -> Chat:
    """A client whose registration is done and whose onboarding reached the training stage."""
    chat = Chat(runtime, address=address)
    chat.say("oi")
    with runtime.sessions.begin() as session:
        session.execute(update(Onboarding).values(stage="treinamento"))
        session.execute(
            update(Conversation)
            .where(Conversation.address == address)
            .values(state={"started": True, "finished": True})
        )
    return chat


def _reminders(runtime: Runtime, address: str) -> list[tuple[datetime, str]]:
    with runtime.sessions() as session:
        return [
            (m.created_at, m.text)
            for m in session.scalars(
                select(Message)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(Conversation.address == address, Message.direction == "out")
                .order_by(Message.id)
            )
            if m.payload.get("kind") in ("reminder", "nudge")
        ]


def _run_until(worker: ReminderWorker, clock: FakeClock, end: datetime) -> None:
    """Moves the clock in 15-minute steps up to ``end``, running a worker round at each."""
    while clock.now() < end:
        clock.advance(timedelta(minutes=15))
        worker.round_sync()


def test_reminders_skip_the_weekend_and_a_holiday_then_nps(real: Runtime, clock: FakeClock) -> None:
    # Monday 28/12 10:00: 24 h before is Sunday, and Friday 25/12 is Christmas -> Thursday 24/12.
    clock.set(_utc(2026, 12, 21, 10))
    _availability(real, weekday=0, starts=time(10), ends=time(11))
    chat = _training_chat(real, "+5511922220001")
    chat.say("quero agendar o treinamento para 28/12 às 10h")
    assert "Treinamento agendado: seg, 28/12 às 10:00" in chat.say("sim")
    worker = build_reminder_worker(real)
    _run_until(worker, clock, _utc(2026, 12, 29, 10))
    sent = _reminders(real, chat.address)
    assert [(at, body[:40]) for at, body in sent] == [
        (_utc(2026, 12, 24, 10), "Lembrete: o treinamento de vocês está ma"),
        (_utc(2026, 12, 28, 9), "Seu treinamento começa daqui a 1 hora (s"),
        (_utc(2026, 12, 28, 13), "Como foi o treinamento? De 0 a 10, o qua"),
    ]
    assert "seg, 28/12 às 10:00" in sent[0][1] and "meet.example.com" in sent[1][1]
    # Another round (or another worker) sends nothing more.
    worker.round_sync()
    build_reminder_worker(real).round_sync()
    assert len(_reminders(real, chat.address)) == 3
    # The client answers the NPS question with a number.
    assert "nota 8" in chat.say("8")


def test_nps_after_a_late_session_waits_for_the_morning(real: Runtime, clock: FakeClock) -> None:
    # A Wednesday 17:00-18:00 session: +2 h is 20:00, quiet hours -> Thursday 08:00.
    clock.set(_utc(2026, 11, 23, 10))
    _availability(real, weekday=2, starts=time(17), ends=time(18))
    chat = _training_chat(real, "+5511922220002")
    chat.say("quero agendar o treinamento")
    chat.say("1")
    worker = build_reminder_worker(real)
    _run_until(worker, clock, _utc(2026, 11, 26, 12))
    times = [at for at, _body in _reminders(real, chat.address)]
    assert times == [_utc(2026, 11, 24, 17), _utc(2026, 11, 25, 16), _utc(2026, 11, 26, 8)]


def test_opted_out_client_gets_no_reminder(real: Runtime, clock: FakeClock) -> None:
    clock.set(_utc(2026, 11, 23, 10))
    _availability(real, weekday=2, starts=time(10), ends=time(11))
    chat = _training_chat(real, "+5511922220003")
    chat.say("quero agendar o treinamento")
    chat.say("1")
    chat.say("PARAR")
    worker = build_reminder_worker(real)
    _run_until(worker, clock, _utc(2026, 11, 25, 14))
    assert _reminders(real, chat.address) == []
    with real.sessions() as session:
        notes = {job.note for job in session.scalars(select(ScheduledJob))}
    assert "client opted out" in notes


def test_idle_client_is_nudged_twice_then_the_csm_is_alerted(
    real: Runtime, clock: FakeClock
) -> None:
    clock.set(_utc(2026, 11, 20, 16))  # Friday 20/11 is a holiday (Consciência Negra)
    chat = Chat(real, address="+5511922220004")
    chat.say("oi")
    chat.say("sim")  # consent; now the bot asks for the client's name
    worker = build_reminder_worker(real)
    _run_until(worker, clock, _utc(2026, 11, 26, 12))
    sent = _reminders(real, chat.address)
    # One business day of 9 h from the holiday: Monday 18:00, then Tuesday 18:00.
    assert [at for at, _ in sent] == [_utc(2026, 11, 23, 18), _utc(2026, 11, 24, 18)]
    assert all("Seu cadastro ficou parado" in body and "nome" in body for _, body in sent)
    with real.sessions() as session:
        alerts = session.scalars(select(Alert).where(Alert.kind == "client_idle")).all()
        escalation = session.scalars(select(Escalation)).one()
    assert len(alerts) == 1 and alerts[0].raised_at == _utc(2026, 11, 25, 18)
    # The CSM's queue gets it too.
    assert (escalation.reason, escalation.status) == ("client_idle", "open")
    assert "após 2 lembrete(s)" in escalation.detail

    # The client writes again: the alert is resolved and the cycle starts over from that message.
    chat.say("Maria da Silva")
    before = len(_reminders(real, chat.address))
    _run_until(worker, clock, _utc(2026, 11, 26, 15))
    assert len(_reminders(real, chat.address)) == before
    with real.sessions() as session:
        alert = session.scalars(select(Alert).where(Alert.kind == "client_idle")).one()
    assert alert.resolved_at is not None


def test_each_idle_period_is_looked_at_once(real: Runtime, clock: FakeClock) -> None:
    """The sweep runs every minute: a conversation already swept for its idle period is not
    read again until the client writes (or a CSM hands it back to the bot)."""
    from sqlalchemy import event

    clock.set(_utc(2026, 11, 24, 10))  # Tuesday
    chats = [Chat(real, address=f"+55119333300{n:02d}") for n in range(3)]
    for chat in chats:
        chat.say("oi")
        chat.say("sim")
    resting = Chat(real, address="+5511933330099")  # not waiting on any question
    resting.say("oi")
    with real.sessions.begin() as session:
        session.execute(
            update(Conversation)
            .where(Conversation.address == resting.address)
            .values(state={"started": True, "finished": True})
        )
    worker = build_reminder_worker(real)
    clock.advance(timedelta(hours=2))
    assert worker.sweep_idle() == 3 * 3  # two nudges and the idle alert each
    with real.sessions() as session:  # a question asked later must still be seen
        assert (
            session.scalar(
                select(Conversation.nudged_since).where(Conversation.address == resting.address)
            )
            is None
        )

    statements: list[str] = []
    event.listen(real.db, "before_cursor_execute", lambda *args: statements.append(args[2]))
    clock.advance(timedelta(minutes=1))
    assert worker.sweep_idle() == 0
    assert len(statements) <= 3, statements  # the select and the alerts' resolution

    chats[0].say("Maria da Silva")  # a new idle period for this client only
    with real.sessions.begin() as session:  # and a CSM hands another back to the bot
        session.execute(
            update(Conversation)
            .where(Conversation.address == chats[1].address)
            .values(nudged_since=None)
        )
    clock.advance(timedelta(hours=2))
    statements.clear()
    assert worker.sweep_idle() == 3  # the new period of chats[0]; chats[1]'s jobs exist
    with real.sessions() as session:
        marked = session.execute(
            select(Conversation.address, Conversation.nudged_since, Conversation.last_inbound_at)
        ).all()
    assert all(nudged == last for _, nudged, last in marked if nudged is not None)
    assert {address for address, nudged, _ in marked if nudged is not None} >= {
        chat.address for chat in chats
    }
