"""Training sessions booked, moved and cancelled through whole conversations (real NLU), the
race for a last seat, free-text times, reminders scheduled, and the NPS answer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import httpx
import pytest
from icalendar import Calendar
from sqlalchemy import select, update

from bot.app import create_app
from bot.bootstrap import Runtime, build_runtime
from bot.config import Settings
from bot.domain.clock import FakeClock
from bot.service.training import sync_slots
from bot.storage.models import (
    Conversation,
    Message,
    NpsResponse,
    Onboarding,
    ScheduledJob,
    StaffUser,
    TrainingAvailability,
    TrainingBooking,
    TrainingSlot,
)
from nlu.types import Interpreter
from tests.support.conversation import Chat
from tests.support.server import serving

MEETING = "https://meet.example.com/treino"
# The clock fixture: Tuesday 2026-11-24, 10:00 in São Paulo.
WED = datetime(2026, 11, 25, tzinfo=UTC)
THU = datetime(2026, 11, 26, tzinfo=UTC)


def _local(day: datetime, hour: int) -> datetime:
    return day.replace(hour=hour + 3)  # São Paulo is UTC-3


@pytest.fixture
def real(settings: Settings, clock: FakeClock, real_interpreter: Interpreter) -> Iterator[Runtime]:
    runtime = build_runtime(settings, clock=clock, interpreter=real_interpreter, migrate=False)
    now = clock.now()
    with runtime.sessions.begin() as session:
        csm = StaffUser(
            name="Carla Souza", email="carla@acolhe.example", role="csm", created_at=now
        )
        session.add(csm)
        session.flush()
        for weekday in (2, 3):  # Wednesdays and Thursdays, 09:00-12:00, one seat each
            session.add(
                TrainingAvailability(
                    csm_id=csm.id,
                    weekday=weekday,
                    starts=time(9),
                    ends=time(12),
                    duration_minutes=60,
                    capacity=1,
                    meeting_url=MEETING,
                    active=True,
                    created_at=now,
                )
            )
        session.flush()
        sync_slots(session, start=now, end=now + timedelta(days=7), now=now)
    yield runtime
    runtime.close()


def _in_training(runtime: Runtime, chat: Chat) -> None:
    chat.say("oi")
    with runtime.sessions.begin() as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.address == chat.address)
        ).one()
        session.execute(
            update(Onboarding)
            .where(Onboarding.id == conversation.onboarding_id)
            .values(stage="treinamento")
        )


def _attachments(runtime: Runtime, address: str) -> list[str]:
    """The attachments of the last bot message that had any."""
    with runtime.sessions() as session:
        for message in session.scalars(
            select(Message)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Conversation.address == address, Message.direction == "out")
            .order_by(Message.id.desc())
        ):
            if message.payload.get("attachments"):
                return [str(url) for url in message.payload["attachments"]]
    return []


def _jobs(runtime: Runtime) -> list[tuple[str, str, datetime]]:
    with runtime.sessions() as session:
        return [
            (job.kind, job.status, job.due_at)
            for job in session.scalars(select(ScheduledJob).order_by(ScheduledJob.id))
        ]


def test_not_before_the_training_stage(real: Runtime) -> None:
    chat = Chat(real, address="+5511911110000")
    chat.say("oi")
    reply = chat.say("quero agendar o treinamento")
    assert "primeiro precisamos concluir" in reply and "Cadastro" in reply
    with real.sessions() as session:
        assert session.scalars(select(TrainingBooking)).all() == []


def test_book_reschedule_and_cancel_in_the_chat(real: Runtime, clock: FakeClock) -> None:
    chat = Chat(real, address="+5511911110001")
    _in_training(real, chat)

    offer = chat.say("quero agendar o treinamento")
    assert "próximos horários livres" in offer
    # 10:00 today is too soon (2 h notice); Wednesday's sessions come first.
    assert chat.choices() == [
        "qua, 25/11 às 09:00",
        "qua, 25/11 às 10:00",
        "qua, 25/11 às 11:00",
        "Outro horário",
    ]
    booked = chat.say("2")
    assert "Treinamento agendado: qua, 25/11 às 10:00 (até 11:00)" in booked
    assert MEETING in booked
    attachments = _attachments(real, chat.address)
    assert len(attachments) == 1 and attachments[0].endswith(".ics")
    assert attachments[0].startswith(real.settings.public_url + "/invites/training-")
    # The registration question the client was on comes back after the booking.
    assert "concorda" in booked
    # 24 h before is now (too late); 1 h before and the NPS question after the session.
    assert _jobs(real) == [
        ("training_1h", "pending", _local(WED, 9)),
        ("nps_request", "pending", _local(WED, 13)),
    ]

    # Free text: "quinta às 11h" is free, so it is offered as such and confirmed.
    assert "Tenho qui, 26/11 às 11:00 livre" in chat.say("quero remarcar para quinta às 11h")
    moved = chat.say("sim")
    assert "remarcado para qui, 26/11 às 11:00" in moved
    with real.sessions() as session:
        booking = session.scalars(select(TrainingBooking)).one()
        assert (booking.status, booking.sequence) == ("booked", 1)
        seats = {s.starts_at: s.seats_taken for s in session.scalars(select(TrainingSlot))}
    assert seats[_local(WED, 10)] == 0 and seats[_local(THU, 11)] == 1
    assert [(k, s) for k, s, _ in _jobs(real)] == [
        ("training_1h", "cancelled"),
        ("nps_request", "cancelled"),
        ("training_24h", "pending"),
        ("training_1h", "pending"),
        ("nps_request", "pending"),
    ]

    assert "Cancelar o treinamento de qui, 26/11 às 11:00?" in chat.say("cancelar o treinamento")
    assert "Treinamento cancelado" in chat.say("sim")
    with real.sessions() as session:
        booking = session.scalars(select(TrainingBooking)).one()
        assert (booking.status, booking.sequence) == ("cancelled", 2)
    assert all(status == "cancelled" for _k, status, _d in _jobs(real))
    assert "não têm treinamento agendado" in chat.say("cancelar o treinamento")


def test_free_text_time_that_is_taken_offers_the_nearest(real: Runtime) -> None:
    chat = Chat(real, address="+5511911110002")
    _in_training(real, chat)
    reply = chat.say("pode ser amanhã às 14h?")
    # Wednesday has sessions 09-12 only: the nearest to 14:00 are 11:00, 10:00 and 09:00... and
    # on Thursday; the offer names what was asked.
    assert "Não tenho sessão livre em qua, 25/11 às 14:00" in reply
    assert chat.choices()[0] == "qua, 25/11 às 11:00"


def test_two_clients_race_for_the_last_seat(real: Runtime) -> None:
    first, second = Chat(real, address="+5511911110003"), Chat(real, address="+5511911110004")
    _in_training(real, first)
    _in_training(real, second)
    first.say("quero agendar o treinamento")
    second.say("quero agendar o treinamento")
    assert "Treinamento agendado" in first.say("1")
    lost = second.say("1")  # the same Wednesday 09:00 seat, taken a moment ago
    assert "acabou de ser preenchido" in lost
    assert "qua, 25/11 às 09:00" not in second.choices()
    assert "Treinamento agendado: qua, 25/11 às 10:00" in second.say("1")
    with real.sessions() as session:
        seats = {s.starts_at: s.seats_taken for s in session.scalars(select(TrainingSlot))}
    assert seats[_local(WED, 9)] == 1 and seats[_local(WED, 10)] == 1


def test_nps_score_and_comment_after_the_question(real: Runtime, clock: FakeClock) -> None:
    chat = Chat(real, address="+5511911110005")
    _in_training(real, chat)
    chat.say("quero agendar o treinamento")
    chat.say("1")
    # The NPS question went out (the reminder worker marks its job done).
    with real.sessions.begin() as session:
        session.execute(
            update(ScheduledJob)
            .where(ScheduledJob.kind == "nps_request")
            .values(status="done", done_at=clock.now())
        )
    assert "nota 9" in chat.say("9")
    assert "obrigada pelo retorno" in chat.say("Muito bom, a Carla explicou tudo").lower()
    with real.sessions() as session:
        response = session.scalars(select(NpsResponse)).one()
    assert (response.score, response.comment) == (9, "Muito bom, a Carla explicou tudo")
    # Answered: a later "10" is not taken as a second score.
    assert "nota" not in chat.say("10")


def test_english_free_text_books_the_session(real: Runtime) -> None:
    chat = Chat(real, address="+5511911110006")
    chat.say("hello, I would like to register my company")
    with real.sessions.begin() as session:
        session.execute(update(Onboarding).values(stage="treinamento"))
    assert "Wed 25/11 at 10:00 is free" in chat.say("can we schedule the training tomorrow 10am?")
    assert "Training booked: Wed 25/11 at 10:00 (until 11:00)" in chat.say("yes")


def test_the_invite_link_serves_the_current_ics(real: Runtime) -> None:
    chat = Chat(real, address="+5511911110007")
    _in_training(real, chat)
    chat.say("quero agendar o treinamento")
    chat.say("1")
    (url,) = _attachments(real, chat.address)
    path = url.removeprefix(real.settings.public_url)
    with (
        serving(create_app(real, run_workers=False)) as base,
        httpx.Client(base_url=base, timeout=10) as client,
    ):
        booked = client.get(path)
        assert booked.status_code == 200
        assert booked.headers["content-type"].startswith("text/calendar")
        event = Calendar.from_ical(booked.content).walk("VEVENT")[0]
        assert event.decoded("dtstart") == _local(WED, 9)
        assert str(event["location"]) == MEETING and int(str(event["sequence"])) == 0

        chat.say("cancelar o treinamento")
        chat.say("sim")
        cancelled = Calendar.from_ical(client.get(path).content)
        assert str(cancelled["method"]) == "CANCEL"
        assert str(cancelled.walk("VEVENT")[0]["uid"]) == str(event["uid"])

        unknown = client.get("/invites/training-" + "0" * 32 + ".ics")
        forged = client.get("/invites/../../etc/passwd.ics")
    assert unknown.status_code == 404 and forged.status_code == 404


def test_the_web_chat_shows_the_invite_link(real: Runtime) -> None:
    session_id = "web-training-0001"
    with (
        serving(create_app(real, run_workers=False)) as base,
        httpx.Client(base_url=base, timeout=10) as client,
    ):

        def send(text: str) -> list[dict[str, object]]:
            answer = client.post("/chat/api/messages", json={"session": session_id, "text": text})
            assert answer.status_code == 200, answer.text
            messages: list[dict[str, object]] = answer.json()["messages"]
            return messages

        send("oi")
        with real.sessions.begin() as session:
            session.execute(update(Onboarding).values(stage="treinamento"))
        send("quero agendar o treinamento")
        booked = send("1")
        links = [link for m in booked for link in m["attachments"]]  # type: ignore[attr-defined]
        assert len(links) == 1 and links[0].endswith(".ics")
        history = client.get("/chat/api/messages", params={"session": session_id}).json()
        assert [link for m in history for link in m["attachments"]] == links
        assert "attachment" in client.get("/").text  # the page renders them as links
