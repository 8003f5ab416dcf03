"""The status page's actions as use cases (no HTTP): a file from the page goes through the same
intake, store, inbox and reader as the chat's; a confirmation is the dialogue's; a booking from
the page equals one from the chat; ratings are the chat's NPS records. Refusals change
nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bench.ocr.synthetic import make_sample
from bot.bootstrap import Runtime, build_ocr_pool, build_runtime, document_store
from bot.channels.web import StoredUploadFetcher
from bot.config import Settings
from bot.coordination import build_coordination
from bot.documents import DocumentRejected, IntakeLimits
from bot.domain.clock import FakeClock
from bot.domain.documents import DocumentReading
from bot.domain.messages import Channel, InboundMessage
from bot.service.client_page_actions import ActionRefused, ClientPageActions
from bot.service.inbox import Inbox
from bot.service.training import sync_slots
from bot.storage.models import (
    AuditEvent,
    Conversation,
    Document,
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
from bot.workers.documents import DocumentWorker
from tests.support.conversation import Chat, register
from tests.support.scripted_nlu import ScriptedInterpreter

MEETING = "https://meet.example.com/treino"


@pytest.fixture
def rt(settings: Settings, clock: FakeClock) -> Iterator[Runtime]:
    runtime = build_runtime(settings, clock=clock, interpreter=ScriptedInterpreter(), migrate=False)
    yield runtime
    runtime.close()


def _actions(runtime: Runtime, *, max_mb: int = 16) -> ClientPageActions:
    coordination = build_coordination(None)
    inbox = Inbox(conversations=runtime.conversations, gate=coordination.gate)
    return ClientPageActions(
        inbox=inbox,
        sessions=runtime.sessions,
        clock=runtime.clock,
        store=document_store(runtime.settings),
        limits=IntakeLimits(max_bytes=max_mb * 1024 * 1024),
    )


def _whatsapp(runtime: Runtime, address: str) -> Chat:
    return Chat(runtime, address=address, channel=Channel.TWILIO_WHATSAPP)


def _conversation(runtime: Runtime, address: str) -> Conversation:
    with runtime.sessions() as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.address == address)
        ).one()
        session.expunge(conversation)
        return conversation


def _stored_files(runtime: Runtime) -> list[Path]:
    return [p for p in runtime.settings.documents_dir.rglob("*") if p.is_file()]


def _at_the_card(chat: Chat) -> Conversation:
    """A registered client whom the chat asks for the CNPJ card."""
    register(chat)
    assert "cartão CNPJ" in chat.say("1")
    return _conversation(chat.runtime, chat.address)


# ---------------------------------------------------------------------------- files
async def test_a_file_from_the_page_is_read_like_one_sent_in_the_chat(
    rt: Runtime, clock: FakeClock
) -> None:
    chat = _whatsapp(rt, "+5511900000001")
    conversation = await asyncio.to_thread(_at_the_card, chat)
    actions = _actions(rt)
    card = make_sample("cnpj_card", "pdf", 1)
    clock.advance(timedelta(hours=2))

    done = await actions.upload(
        conversation_id=conversation.id,
        data=card.data,
        filename="C:\\Users\\maria\\cartao.pdf",
        declared_type="application/pdf",
    )
    assert done.code == "uploaded" and not done.duplicate and done.document_id is not None
    # The same file sent again (a form sent twice) is the same upload.
    again = await actions.upload(
        conversation_id=conversation.id,
        data=card.data,
        filename="cartao.pdf",
        declared_type="application/pdf",
    )
    assert again.duplicate
    with rt.sessions() as session:
        document = session.scalars(select(Document)).one()
        assert (document.source_channel, document.status, document.filename) == (
            "twilio_whatsapp",
            "pending",
            "cartao.pdf",
        )
        assert document.media_url == f"stored:{document.provider_id}"
        told = session.scalars(
            select(Message.text).where(Message.direction == "out").order_by(Message.id.desc())
        ).first()
        assert told is not None and "Recebi" in told  # the chat is told the file arrived
        # Sent from the page, not over WhatsApp: the 24-hour window is as the chat left it.
        window = session.get_one(Conversation, conversation.id).last_inbound_at
        assert window == conversation.last_inbound_at

    # The document worker has no Twilio fetcher here: the file is read back from the store.
    pool = build_ocr_pool(rt.settings)
    try:
        worker = DocumentWorker(
            sessions=rt.sessions,
            fetchers={Channel.WEB.value: StoredUploadFetcher(document_store(rt.settings))},
            store=document_store(rt.settings),
            reader=pool,
            inbox=actions.inbox,
            clock=rt.clock,
        )
        assert await worker.run_once() == 1
    finally:
        await asyncio.to_thread(pool.shutdown)
    with rt.sessions() as session:
        document = session.scalars(select(Document)).one()
        assert (document.kind, document.status) == ("cnpj_card", "read")
        assert document.extraction["fields"]["cnpj"] == card.truth["cnpj"]
        state = session.get_one(Conversation, conversation.id).state
        assert state["pending"]["kind"] == "confirm_document"
        assert state["pending"]["document_id"] == document.id
        answer = session.scalars(
            select(Message.text).where(Message.direction == "out").order_by(Message.id.desc())
        ).first()
        assert answer is not None and "Os dados estão corretos?" in answer


@pytest.mark.parametrize(
    ("data", "declared", "code"),
    [
        (b"%PDF-1.4 this is not really a pdf", "application/pdf", "pdf_unreadable"),
        (b"MZ\x90\x00 an executable", "image/png", "unsupported_type"),
        (b"", "image/jpeg", "empty"),
    ],
)
async def test_a_bad_file_is_refused_and_nothing_is_kept(
    rt: Runtime, data: bytes, declared: str, code: str
) -> None:
    chat = _whatsapp(rt, "+5511900000002")
    conversation = await asyncio.to_thread(_at_the_card, chat)
    with rt.sessions() as session:
        before = session.scalars(select(Message.id)).all()
    with pytest.raises(DocumentRejected) as refused:
        await _actions(rt).upload(
            conversation_id=conversation.id, data=data, filename="x", declared_type=declared
        )
    assert refused.value.code == code and refused.value.message_pt and refused.value.message_en
    assert _stored_files(rt) == []
    with rt.sessions() as session:
        assert session.scalars(select(Document)).all() == []
        assert session.scalars(select(Message.id)).all() == before


async def test_a_file_over_the_limit_is_refused(rt: Runtime) -> None:
    chat = _whatsapp(rt, "+5511900000003")
    conversation = await asyncio.to_thread(_at_the_card, chat)
    big = make_sample("cnpj_card", "pdf", 1).data + b"\0" * (1024 * 1024)
    with pytest.raises(DocumentRejected) as refused:
        await _actions(rt, max_mb=1).upload(
            conversation_id=conversation.id,
            data=big,
            filename="x.pdf",
            declared_type="application/pdf",
        )
    assert refused.value.code == "too_large"
    assert _stored_files(rt) == []


async def test_before_consent_no_file_is_kept(rt: Runtime) -> None:
    chat = _whatsapp(rt, "+5511900000004")
    await asyncio.to_thread(chat.say, "oi")
    conversation = _conversation(rt, chat.address)
    with pytest.raises(ActionRefused, match="no_consent"):
        await _actions(rt).upload(
            conversation_id=conversation.id,
            data=make_sample("cnpj_card", "pdf", 1).data,
            filename="c.pdf",
            declared_type="application/pdf",
        )
    assert _stored_files(rt) == []
    with rt.sessions() as session:
        assert session.scalars(select(Document)).all() == []


# ---------------------------------------------------------------------------- readings
def _reading_shown(chat: Chat, *, cnpj: str = "11222333000181") -> int:
    """A CNPJ card row read for the conversation, and its reading shown in the chat."""
    runtime = chat.runtime
    conversation = _at_the_card(chat)
    now = runtime.clock.now()
    with runtime.sessions.begin() as session:
        document = Document(
            client_id=conversation.client_id,
            conversation_id=conversation.id,
            source_channel=conversation.channel,
            status="read",
            kind="cnpj_card",
            received_at=now,
            extraction={"fields": {"cnpj": cnpj, "razao_social": "PADARIA"}},
        )
        session.add(document)
        session.flush()
        document_id = document.id
    reading = DocumentReading(
        document_id=document_id,
        kind="cnpj_card",
        fields={"cnpj": cnpj, "razao_social": "PADARIA"},
    )
    handled = runtime.conversations.handle(
        InboundMessage(
            channel=chat.channel,
            address=chat.address,
            text="",
            external_id=f"doc:{document_id}",
            received_at=now,
            document=reading,
        )
    )
    assert "Os dados estão corretos?" in "\n".join(r.text for r in handled.replies)
    return document_id


async def test_confirming_with_a_fix_is_the_chats_confirmation(
    rt: Runtime, clock: FakeClock
) -> None:
    chat = _whatsapp(rt, "+5511900000010")
    document_id = await asyncio.to_thread(_reading_shown, chat)
    conversation = _conversation(rt, chat.address)
    clock.advance(timedelta(hours=30))  # WhatsApp's window has closed meanwhile
    done = await _actions(rt).confirm_reading(
        conversation_id=conversation.id,
        document_id=document_id,
        fixes={"razao_social": "Padaria Pão Quente Ltda", "cnpj": ""},
    )
    assert done.code == "confirmed"
    with rt.sessions() as session:
        document = session.get_one(Document, document_id)
        assert document.confirmed_at == clock.now()
        stored = session.get_one(Conversation, conversation.id)
        assert stored.state["pending"] is None
        assert stored.state["slots"]["doc_cnpj_card"] == document_id
        # Not a message from the client: the window stays as WhatsApp knows it.
        assert stored.last_inbound_at == conversation.last_inbound_at
        audit = session.scalars(
            select(AuditEvent.action).where(AuditEvent.conversation_id == conversation.id)
        ).all()
        assert "document_confirmed" in audit
        replies = session.scalars(
            select(Message.text).where(Message.direction == "out").order_by(Message.id.desc())
        ).all()[:2]
        assert any("confirmad" in text for text in replies)
    # Confirmed twice: nothing more happens.
    again = await _actions(rt).confirm_reading(
        conversation_id=conversation.id, document_id=document_id, fixes={}
    )
    assert again.code == "already_confirmed"


async def test_a_bad_fix_or_anothers_document_changes_nothing(rt: Runtime) -> None:
    chat = _whatsapp(rt, "+5511900000011")
    document_id = await asyncio.to_thread(_reading_shown, chat)
    other = _whatsapp(rt, "+5511900000012")
    await asyncio.to_thread(other.say, "oi")
    mine, theirs = _conversation(rt, chat.address), _conversation(rt, other.address)
    actions = _actions(rt)
    with pytest.raises(ActionRefused, match="invalid_field:cnpj"):
        await actions.confirm_reading(
            conversation_id=mine.id, document_id=document_id, fixes={"cnpj": "11.111.111/1111-11"}
        )
    with pytest.raises(ActionRefused, match="invalid_field:senha"):
        await actions.confirm_reading(
            conversation_id=mine.id, document_id=document_id, fixes={"senha": "x"}
        )
    with pytest.raises(ActionRefused, match="not_found"):
        await actions.confirm_reading(conversation_id=theirs.id, document_id=document_id, fixes={})
    with pytest.raises(ActionRefused, match="not_found"):
        await actions.confirm_reading(conversation_id=mine.id, document_id=99999, fixes={})
    with rt.sessions() as session:
        assert session.get_one(Document, document_id).confirmed_at is None
        state = session.get_one(Conversation, mine.id).state
        assert state == mine.state  # the chat's open question is untouched


async def test_a_reading_the_chat_is_not_asking_about_is_not_confirmed(rt: Runtime) -> None:
    chat = _whatsapp(rt, "+5511900000013")
    document_id = await asyncio.to_thread(_reading_shown, chat)
    await asyncio.to_thread(chat.say, "3")  # "Enviar outra foto": the chat moved on
    conversation = _conversation(rt, chat.address)
    with pytest.raises(ActionRefused, match="not_awaiting"):
        await _actions(rt).confirm_reading(
            conversation_id=conversation.id, document_id=document_id, fixes={}
        )
    with rt.sessions() as session:
        assert session.get_one(Document, document_id).confirmed_at is None


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
    conversation = _conversation(chat.runtime, chat.address)
    with chat.runtime.sessions.begin() as session:
        session.execute(
            update(Onboarding)
            .where(Onboarding.id == conversation.onboarding_id)
            .values(stage="treinamento")
        )
    return conversation


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
    in_chat, on_page = _whatsapp(rt, "+5511900000020"), _whatsapp(rt, "+5511900000021")
    first = await asyncio.to_thread(_in_training, in_chat)
    second = await asyncio.to_thread(_in_training, on_page)
    # The chat books Wednesday 10:00 (the second option offered).
    await asyncio.to_thread(in_chat.say, "quero agendar o treinamento")
    assert "Treinamento agendado" in await asyncio.to_thread(in_chat.say, "2")
    # The page books Wednesday 09:00 — a session just like it, an hour earlier.
    done = await _actions(rt).book_training(
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
    chat = _whatsapp(rt, "+5511900000022")
    conversation = await asyncio.to_thread(_in_training, chat)
    await asyncio.to_thread(chat.say, "quero agendar o treinamento")  # the chat asks "which?"
    actions = _actions(rt)
    ids = {"conversation_id": conversation.id, "onboarding_id": conversation.onboarding_id or 0}
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
    a, b = _whatsapp(rt, "+5511900000023"), _whatsapp(rt, "+5511900000024")
    first, second = (
        await asyncio.to_thread(_in_training, a),
        await asyncio.to_thread(_in_training, b),
    )
    actions = _actions(rt)
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
    chat, other = _whatsapp(rt, "+5511900000025"), _whatsapp(rt, "+5511900000026")
    await asyncio.to_thread(chat.say, "oi")
    mine = _conversation(rt, chat.address)
    theirs = await asyncio.to_thread(_in_training, other)
    actions = _actions(rt)
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
    chat = _whatsapp(rt, "+5511900000030")
    conversation = await asyncio.to_thread(_in_training, chat)
    actions = _actions(rt)
    ids = {"conversation_id": conversation.id, "onboarding_id": conversation.onboarding_id or 0}
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
    chat = _whatsapp(rt, "+5511900000031")
    conversation = await asyncio.to_thread(_in_training, chat)
    other = _whatsapp(rt, "+5511900000032")
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
    actions = _actions(rt)
    ids = {"conversation_id": conversation.id, "onboarding_id": conversation.onboarding_id or 0}
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
