"""The status page's actions as use cases (no HTTP), files and readings: a file from the page
goes through the same intake, store, inbox and reader as the chat's; a confirmation is the
dialogue's. Refusals change nothing. (Training and ratings: ``..._training.py``.)"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bench.ocr.synthetic import make_sample
from bot.bootstrap import Runtime, build_ocr_pool, document_store
from bot.channels.web import StoredUploadFetcher
from bot.config import Settings
from bot.documents import DocumentRejected
from bot.domain.clock import FakeClock
from bot.domain.documents import DocumentReading
from bot.domain.messages import Channel, InboundMessage
from bot.service.client_page_actions import ActionRefused
from bot.storage.models import (
    AuditEvent,
    Conversation,
    Document,
    Message,
)
from bot.workers.documents import DocumentWorker
from tests.service.page_actions import (
    at_the_card,
    conversation_at,
    make_actions,
    scripted_runtime,
    stored_files,
    whatsapp,
)
from tests.support.conversation import Chat


@pytest.fixture
def rt(settings: Settings, clock: FakeClock) -> Iterator[Runtime]:
    yield from scripted_runtime(settings, clock)


# ---------------------------------------------------------------------------- files
# long: one file's whole path, from the page through the reader back to the chat
async def test_a_file_from_the_page_is_read_like_one_sent_in_the_chat(
    rt: Runtime, clock: FakeClock
) -> None:
    chat = whatsapp(rt, "+5511900000001")
    conversation = await asyncio.to_thread(at_the_card, chat)
    actions = make_actions(rt)
    card = make_sample("cnpj_card", "pdf", seed=1)
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
    chat = whatsapp(rt, "+5511900000002")
    conversation = await asyncio.to_thread(at_the_card, chat)
    with rt.sessions() as session:
        before = session.scalars(select(Message.id)).all()
    with pytest.raises(DocumentRejected) as refused:
        await make_actions(rt).upload(
            conversation_id=conversation.id, data=data, filename="x", declared_type=declared
        )
    assert refused.value.code == code and refused.value.message_pt and refused.value.message_en
    assert stored_files(rt) == []
    with rt.sessions() as session:
        assert session.scalars(select(Document)).all() == []
        assert session.scalars(select(Message.id)).all() == before


async def test_a_file_over_the_limit_is_refused(rt: Runtime) -> None:
    chat = whatsapp(rt, "+5511900000003")
    conversation = await asyncio.to_thread(at_the_card, chat)
    big = make_sample("cnpj_card", "pdf", seed=1).data + b"\0" * (1024 * 1024)
    with pytest.raises(DocumentRejected) as refused:
        await make_actions(rt, max_mb=1).upload(
            conversation_id=conversation.id,
            data=big,
            filename="x.pdf",
            declared_type="application/pdf",
        )
    assert refused.value.code == "too_large"
    assert stored_files(rt) == []


async def test_before_consent_no_file_is_kept(rt: Runtime) -> None:
    chat = whatsapp(rt, "+5511900000004")
    await asyncio.to_thread(chat.say, "oi")
    conversation = conversation_at(rt, chat.address)
    with pytest.raises(ActionRefused, match="no_consent"):
        await make_actions(rt).upload(
            conversation_id=conversation.id,
            data=make_sample("cnpj_card", "pdf", seed=1).data,
            filename="c.pdf",
            declared_type="application/pdf",
        )
    assert stored_files(rt) == []
    with rt.sessions() as session:
        assert session.scalars(select(Document)).all() == []


# ---------------------------------------------------------------------------- readings
def _reading_shown(chat: Chat, *, cnpj: str = "11222333000181") -> int:
    """A CNPJ card row read for the conversation, and its reading shown in the chat."""
    runtime = chat.runtime
    conversation = at_the_card(chat)
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
    chat = whatsapp(rt, "+5511900000010")
    document_id = await asyncio.to_thread(_reading_shown, chat)
    conversation = conversation_at(rt, chat.address)
    clock.advance(timedelta(hours=30))  # WhatsApp's window has closed meanwhile
    done = await make_actions(rt).confirm_reading(
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
    again = await make_actions(rt).confirm_reading(
        conversation_id=conversation.id, document_id=document_id, fixes={}
    )
    assert again.code == "already_confirmed"


async def test_a_bad_fix_or_anothers_document_changes_nothing(rt: Runtime) -> None:
    chat = whatsapp(rt, "+5511900000011")
    document_id = await asyncio.to_thread(_reading_shown, chat)
    other = whatsapp(rt, "+5511900000012")
    await asyncio.to_thread(other.say, "oi")
    mine, theirs = conversation_at(rt, chat.address), conversation_at(rt, other.address)
    actions = make_actions(rt)
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
    chat = whatsapp(rt, "+5511900000013")
    document_id = await asyncio.to_thread(_reading_shown, chat)
    await asyncio.to_thread(chat.say, "3")  # "Enviar outra foto": the chat moved on
    conversation = conversation_at(rt, chat.address)
    with pytest.raises(ActionRefused, match="not_awaiting"):
        await make_actions(rt).confirm_reading(
            conversation_id=conversation.id, document_id=document_id, fixes={}
        )
    with rt.sessions() as session:
        assert session.get_one(Document, document_id).confirmed_at is None
