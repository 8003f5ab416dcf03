"""Issue #16 through the production document worker: a photo the reader cannot use is refused
by the intake before any reading, and the client is told the reason and the tip; a proof of
address from another CEP than the registration's carries the difference."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from bench.ocr.synthetic import TODAY, draw, draw_unusable
from bot.bootstrap import Runtime, build_channels, build_document_worker, document_store
from bot.coordination import build_coordination
from bot.documents import OcrPool, ReadOptions
from bot.domain.messages import Channel, InboundMessage, MediaRef
from bot.service.inbox import Inbox
from bot.storage.models import Document, Message
from bot.workers.documents import DocumentWorker
from tests.support.conversation import Chat
from tests.workers.test_documents_worker import REGISTRATION


@dataclass
class Setup:
    runtime: Runtime
    worker: DocumentWorker
    chat: Chat


@pytest.fixture
async def setup(runtime: Runtime) -> AsyncIterator[Setup]:
    """A client at the documents step of the web chat and bootstrap's document worker over a
    real OCR process pool."""
    pool = OcrPool(timeout=60, options=ReadOptions(today=TODAY))
    inbox = Inbox(conversations=runtime.conversations, gate=build_coordination(None).gate)
    worker = build_document_worker(
        runtime, build_channels(runtime.settings), inbox=inbox, pool=pool
    )
    chat = Chat(runtime, channel=Channel.WEB, address="web-session-intake")
    chat.say("oi")
    chat.say("Concordo", choice_id="yes")
    for answer in REGISTRATION:
        chat.say(answer)
    assert "etapa de documentos" in chat.say("Está tudo certo", choice_id="__ok__")
    try:
        yield Setup(runtime, worker, chat)
    finally:
        pool.shutdown()


def _send(setup: Setup, data: bytes, *, mime: str, filename: str) -> tuple[int, int]:
    """The client sends a file from the page; (the document's id, the last message's id)."""
    with setup.runtime.sessions() as session:
        before = max(session.scalars(select(Message.id)))
    sha256 = document_store(setup.runtime.settings).put(data)
    setup.runtime.conversations.handle(
        InboundMessage(
            channel=Channel.WEB, address=setup.chat.address, text="",
            external_id=f"upload-{sha256[:12]}", received_at=setup.runtime.clock.now(),
            media=(MediaRef(url="", content_type=mime, provider_id=sha256, filename=filename),),
        )
    )  # fmt: skip
    with setup.runtime.sessions() as session:
        return max(session.scalars(select(Document.id))), before


def _said_since(setup: Setup, message_id: int) -> list[str]:
    with setup.runtime.sessions() as session:
        return list(session.scalars(
            select(Message.text).where(Message.direction == "out", Message.id > message_id)
            .order_by(Message.id)))  # fmt: skip


async def test_a_shaken_photo_is_refused_with_the_reason_and_a_tip(setup: Setup) -> None:
    photo = draw_unusable("cnpj_card", seed=1001, family="tuning", defect="blurred")
    document_id, before = _send(setup, photo.data, mime="image/jpeg", filename="foto.jpg")
    assert await setup.worker.run_once() == 1
    with setup.runtime.sessions() as session:
        document = session.get_one(Document, document_id)
        assert (document.status, document.error) == ("rejected", "photo_blurred")
    said = _said_since(setup, before)
    assert said[-1].startswith("A foto está tremida (desfocada)")
    assert "\nDica: apoie o documento numa mesa" in said[-1]


async def test_a_bill_from_another_cep_carries_the_difference(setup: Setup) -> None:
    bill, truth = draw("comprovante_endereco", seed=1002, family="tuning", level="pdf")
    assert truth["cep"] != "01310100"  # the registration's CEP
    document_id, _ = _send(setup, bill, mime="application/pdf", filename="conta.pdf")
    assert await setup.worker.run_once() == 1
    with setup.runtime.sessions() as session:
        extraction = session.get_one(Document, document_id).extraction
    assert extraction["kind"] == "comprovante_endereco"
    assert extraction["fields"]["cep"] == truth["cep"]
    [mismatch] = extraction["mismatches"]
    assert mismatch[0] == "cep" and "(01310-100)" in mismatch[1]
