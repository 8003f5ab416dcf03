"""The status page's actions as use cases (no HTTP), training and ratings: a booking from the
page equals one from the chat; ratings are the chat's NPS records. Refusals change nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import TypedDict

import pytest
from sqlalchemy import select, update

from bot.bootstrap import Runtime
from bot.config import Settings
from bot.domain.clock import FakeClock
from bot.service.client_page_actions import ActionRefused
from bot.service.training import sync_slots
from bot.storage.models import (
    AuditEvent,
    Conversation,
    Message,
    NpsResponse,
    Onboarding,
    ScheduledJob,
    StaffUser,
    StageChange,
    TrainingAvailability,
    TrainingBooking,
    TrainingSlot,
)
from tests.service.page_actions import (
    MEETING,
    conversation_at,
    make_actions,
    scripted_runtime,
    whatsapp,
)
from tests.support.conversation import Chat


@pytest.fixture
def rt(settings: Settings, clock: FakeClock) -> Iterator[Runtime]:
    yield from scripted_runtime(settings, clock)


# ---------------------------------------------------------------------------- training
@pytest.fixture
def slots(rt: Runtime) -> list[int]:
    """Wednesday and Thursday sessions, 09:00-12:00, one seat each."""
    now = rt.clock.now()
    with rt.sessions.begin() as session:
        csm = StaffUser(
            name="Carla Souza", email="carla@acolhe.example", role="csm", created_at=now
        )
        session.add(csm)
        session.flush()
        for weekday in (2, 3):
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
        return list(session.scalars(select(TrainingSlot.id).order_by(TrainingSlot.starts_at)))


def _in_training(chat: Chat) -> Conversation:
    chat.say("oi")
    conversation = conversation_at(chat.runtime, chat.address)
    with chat.runtime.sessions.begin() as session:
        session.execute(
            update(Onboarding)
            .where(Onboarding.id == conversation.onboarding_id)
            .values(stage="treinamento")
        )
    return conversation


class _Ids(TypedDict):
    conversation_id: int
    onboarding_id: int


def _ids(conversation: Conversation) -> _Ids:
    """A conversation's ids as the page's actions take them (``**ids``)."""
    return {"conversation_id": conversation.id, "onboarding_id": conversation.onboarding_id or 0}


def _booking_record(runtime: Runtime, onboarding_id: int) -> dict[str, object]:
    """What a booking left behind, without the ids that differ between two onboardings."""
    with runtime.sessions() as session:
        booking = session.scalars(
            select(TrainingBooking).where(TrainingBooking.onboarding_id == onboarding_id)
        ).one()
        conversation = session.scalars(
            select(Conversation).where(Conversation.onboarding_id == onboarding_id)
        ).one()
        jobs = session.scalars(
            select(ScheduledJob).where(ScheduledJob.booking_id == booking.id)
        ).all()
        last = next(
            m
            for m in session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation.id, Message.direction == "out")
                .order_by(Message.id.desc())
            )
            if m.payload.get("attachments")
        )
        audit = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.conversation_id == conversation.id,
                AuditEvent.action.like("%training%"),
            )
        ).all()
        return {
            "booking": (booking.status, booking.sequence, booking.attendee_email, booking.note),
            "uid": booking.uid.split("@")[1],
            "jobs": sorted((j.kind, j.status, j.due_at, j.key.split(":booking:")[0]) for j in jobs),
            "reply": last.text.split("\n")[0],
            "invite": [a.rsplit("/", 1)[0] for a in last.payload.get("attachments", [])],
            "audit": list(audit),
        }


async def test_a_booking_from_the_page_equals_one_from_the_chat(
    rt: Runtime, slots: list[int]
) -> None:
    in_chat, on_page = whatsapp(rt, "+5511900000020"), whatsapp(rt, "+5511900000021")
    first = await asyncio.to_thread(_in_training, in_chat)
    second = await asyncio.to_thread(_in_training, on_page)
    # The chat books Wednesday 10:00 (the second option offered).
    await asyncio.to_thread(in_chat.say, "quero agendar o treinamento")
    assert "Treinamento agendado" in await asyncio.to_thread(in_chat.say, "2")
    # The page books Wednesday 09:00 — a session just like it, an hour earlier.
    done = await make_actions(rt).book_training(
        conversation_id=second.id, onboarding_id=second.onboarding_id or 0, slot_id=slots[0]
    )
    assert done.code == "booked"
    chat_record = _booking_record(rt, first.onboarding_id or 0)
    page_record = _booking_record(rt, second.onboarding_id or 0)
    for record in (chat_record, page_record):
        record["jobs"] = [(k, s, key) for k, s, _due, key in record["jobs"]]  # type: ignore[attr-defined]
    page_record["reply"] = (
        str(page_record["reply"]).replace("10:00", "11:00").replace("09:00", "10:00")
    )
    assert page_record == chat_record
    assert chat_record["invite"] == [f"{rt.settings.public_url}/invites"]


async def test_moving_and_cancelling_from_the_page(rt: Runtime, slots: list[int]) -> None:
    chat = whatsapp(rt, "+5511900000022")
    conversation = await asyncio.to_thread(_in_training, chat)
    await asyncio.to_thread(chat.say, "quero agendar o treinamento")  # the chat asks "which?"
    actions = make_actions(rt)
    ids = _ids(conversation)
    assert (await actions.book_training(**ids, slot_id=slots[0])).code == "booked"
    assert (await actions.book_training(**ids, slot_id=slots[3])).code == "rebooked"
    assert (await actions.book_training(**ids, slot_id=slots[3])).code == "rebooked"  # twice
    with rt.sessions() as session:
        booking = session.scalars(select(TrainingBooking)).one()
        assert (booking.slot_id, booking.sequence) == (slots[3], 1)
        seats = dict(session.execute(select(TrainingSlot.id, TrainingSlot.seats_taken)).all())
        assert seats[slots[0]] == 0 and seats[slots[3]] == 1
        # The chat's open question ("which session?") was answered by the page.
        assert session.get_one(Conversation, conversation.id).state["pending"] is None
    assert (await actions.cancel_training(**ids)).code == "cancelled"
    with pytest.raises(ActionRefused, match="nothing_booked"):
        await actions.cancel_training(**ids)
    with rt.sessions() as session:
        booking = session.scalars(select(TrainingBooking)).one()
        assert (booking.status, booking.sequence) == ("cancelled", 2)
        pending = session.scalars(
            select(ScheduledJob.kind).where(ScheduledJob.status == "pending")
        ).all()
        assert pending == []
        last = session.scalars(
            select(Message).where(Message.direction == "out").order_by(Message.id.desc())
        ).first()
        assert last is not None and last.text.startswith("Treinamento cancelado")
        assert last.payload["attachments"][0].endswith(".ics")


async def test_the_last_seat_goes_to_one_client_only(rt: Runtime, slots: list[int]) -> None:
    a, b = whatsapp(rt, "+5511900000023"), whatsapp(rt, "+5511900000024")
    first, second = (
        await asyncio.to_thread(_in_training, a),
        await asyncio.to_thread(_in_training, b),
    )
    actions = make_actions(rt)
    results = await asyncio.gather(
        *(
            actions.book_training(
                conversation_id=c.id, onboarding_id=c.onboarding_id or 0, slot_id=slots[0]
            )
            for c in (first, second)
        ),
        return_exceptions=True,
    )
    assert sorted(r.code for r in results) == ["booked", "seat_taken"]  # type: ignore[union-attr]
    with rt.sessions() as session:
        assert len(session.scalars(select(TrainingBooking)).all()) == 1
        assert session.get_one(TrainingSlot, slots[0]).seats_taken == 1


async def test_no_booking_before_the_training_stage_or_for_anothers_onboarding(
    rt: Runtime, slots: list[int]
) -> None:
    chat, other = whatsapp(rt, "+5511900000025"), whatsapp(rt, "+5511900000026")
    await asyncio.to_thread(chat.say, "oi")
    mine = conversation_at(rt, chat.address)
    theirs = await asyncio.to_thread(_in_training, other)
    actions = make_actions(rt)
    with pytest.raises(ActionRefused, match="not_bookable"):
        await actions.book_training(
            conversation_id=mine.id, onboarding_id=mine.onboarding_id or 0, slot_id=slots[0]
        )
    with pytest.raises(ActionRefused, match="not_found"):
        await actions.book_training(
            conversation_id=mine.id, onboarding_id=theirs.onboarding_id or 0, slot_id=slots[0]
        )
    with rt.sessions() as session:
        assert session.scalars(select(TrainingBooking)).all() == []


# ---------------------------------------------------------------------------- ratings
async def test_rating_a_finished_training_is_the_chats_nps_record(
    rt: Runtime, clock: FakeClock, slots: list[int]
) -> None:
    chat = whatsapp(rt, "+5511900000030")
    conversation = await asyncio.to_thread(_in_training, chat)
    actions = make_actions(rt)
    ids = _ids(conversation)
    await actions.book_training(**ids, slot_id=slots[0])
    with rt.sessions() as session:
        booking_id = session.scalars(select(TrainingBooking.id)).one()
    with pytest.raises(ActionRefused, match="not_finished"):
        await actions.rate(**ids, target=f"training:{booking_id}", score=9)
    clock.set(datetime(2026, 11, 25, 14, 30, tzinfo=UTC))  # Wednesday 11:30, after 10:00
    with pytest.raises(ActionRefused, match="bad_score"):
        await actions.rate(**ids, target=f"training:{booking_id}", score=11)
    done = await actions.rate(**ids, target=f"training:{booking_id}", score=9, comment=" Ótimo ")
    assert done.code == "rated"
    await actions.rate(**ids, target=f"training:{booking_id}", score=10)  # changed: one row
    with rt.sessions() as session:
        response = session.scalars(select(NpsResponse)).one()
        assert (response.booking_id, response.score, response.comment) == (booking_id, 10, "Ótimo")
        assert response.onboarding_id == conversation.onboarding_id
        nps_job = session.scalars(
            select(ScheduledJob.status).where(ScheduledJob.kind == "nps_request")
        ).one()
        assert nps_job == "cancelled"  # the chat does not ask again


async def test_rating_a_stage_needs_it_finished(rt: Runtime, clock: FakeClock) -> None:
    chat = whatsapp(rt, "+5511900000031")
    conversation = await asyncio.to_thread(_in_training, chat)
    other = whatsapp(rt, "+5511900000032")
    theirs = await asyncio.to_thread(_in_training, other)
    with rt.sessions.begin() as session:
        session.add(
            StageChange(
                onboarding_id=conversation.onboarding_id,
                from_stage="cadastro",
                to_stage="treinamento",
                at=clock.now(),
                actor="staff:1",
                reason="",
            )
        )
    actions = make_actions(rt)
    ids = _ids(conversation)
    for target in ("stage:treinamento", "stage:kickoff", "stage:nenhum", "whatever"):
        with pytest.raises(ActionRefused):
            await actions.rate(**ids, target=target, score=8)
    with pytest.raises(ActionRefused, match="not_found"):
        await actions.rate(
            conversation_id=conversation.id,
            onboarding_id=theirs.onboarding_id or 0,
            target="stage:cadastro",
            score=8,
        )
    assert (await actions.rate(**ids, target="stage:cadastro", score=8)).code == "rated"
    with rt.sessions() as session:
        rated = session.execute(
            select(AuditEvent.field, AuditEvent.new_value, AuditEvent.actor).where(
                AuditEvent.action == "stage_rated"
            )
        ).all()
        assert rated == [("stage.cadastro", "8", "client")]
