"""The document worker with a real OCR process pool whose reading processes really die: a
document is tried a bounded number of times (with backoff), then failed, and both the client
and the CSM are told; other documents and the worker itself carry on."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bench.ocr.synthetic import TODAY, make_sample
from bot.bootstrap import Runtime, build_channels, build_document_worker, document_store
from bot.coordination import build_coordination
from bot.documents import OcrPool, ReadOptions
from bot.domain.clock import FakeClock
from bot.domain.messages import Channel, InboundMessage, MediaRef
from bot.service.inbox import Inbox
from bot.storage.models import CompanyRegistry, Document, Escalation, Message
from bot.workers.documents import DocumentWorker
from tests.documents.dying_reader import calls, mark, read_or_die
from tests.support.conversation import Chat

ATTEMPTS = 3  # ONBOARD_OCR_MAX_ATTEMPTS's default
REGISTRATION = [
    "Maria da Silva",
    "1",
    "11.222.333/0001-81",
    "Padaria Pão Quente",
    "45",
    "maria@paoquente.com.br",
    "11987654321",
    "1",
    "1",
    "1",
    "01310-100",
    "Av. Paulista, Bela Vista, São Paulo/SP",
    "1000",
    "não",
]


@dataclass
class Setup:
    runtime: Runtime
    worker: DocumentWorker
    pool: OcrPool
    marks: Path
    chat: Chat


@pytest.fixture
async def setup(runtime: Runtime, tmp_path: Path) -> AsyncIterator[Setup]:
    """A client at the documents step of the web chat, and the production document worker
    (bootstrap's) over a real process pool whose reader dies on the documents a test marks."""
    marks = tmp_path / "marks"
    marks.mkdir()
    pool = OcrPool(
        timeout=60,
        options=ReadOptions(today=TODAY),
        read=functools.partial(read_or_die, marks=marks),
    )
    inbox = Inbox(conversations=runtime.conversations, gate=build_coordination(None).gate)
    worker = build_document_worker(
        runtime, build_channels(runtime.settings), inbox=inbox, pool=pool
    )
    chat = Chat(runtime, channel=Channel.WEB, address="web-session-ocr")
    chat.say("oi")
    chat.say("Concordo", choice_id="yes")
    for answer in REGISTRATION:
        chat.say(answer)
    assert "etapa de documentos" in chat.say("Está tudo certo", choice_id="__ok__")
    try:
        yield Setup(runtime, worker, pool, marks, chat)
    finally:
        pool.shutdown()


def _send_file(setup: Setup, data: bytes, *, filename: str) -> int:
    """The client sends a PDF from the page (stored on arrival, like the web chat does)."""
    sha256 = document_store(setup.runtime.settings).put(data)
    setup.runtime.conversations.handle(
        InboundMessage(
            channel=Channel.WEB,
            address=setup.chat.address,
            text="",
            external_id=f"upload-{sha256[:12]}",
            received_at=setup.runtime.clock.now(),
            media=(MediaRef(url="", content_type="application/pdf", provider_id=sha256,
                            filename=filename),),
        )
    )  # fmt: skip
    with setup.runtime.sessions() as session:
        return max(session.scalars(select(Document.id)))


def _said_since(setup: Setup, message_id: int) -> list[str]:
    with setup.runtime.sessions() as session:
        return list(
            session.scalars(
                select(Message.text)
                .where(Message.direction == "out", Message.id > message_id)
                .order_by(Message.id)
            )
        )


def _last_message(setup: Setup) -> int:
    with setup.runtime.sessions() as session:
        return max(session.scalars(select(Message.id)))


def _document(setup: Setup, document_id: int) -> Document:
    with setup.runtime.sessions() as session:
        document = session.get_one(Document, document_id)
        session.expunge(document)
        return document


async def _round_later(setup: Setup, clock: FakeClock) -> int:
    """One round of the worker once every retry's backoff is over."""
    clock.advance(timedelta(minutes=30))
    return await setup.worker.run_once()


async def test_a_document_whose_reader_dies_every_time_is_failed_and_both_sides_told(
    setup: Setup, clock: FakeClock
) -> None:
    card = make_sample("cnpj_card", "pdf", seed=1)
    mark(setup.marks, card.data, "die")
    document_id = _send_file(setup, card.data, filename="cartao.pdf")
    before = _last_message(setup)

    for _ in range(ATTEMPTS):
        assert await _round_later(setup, clock) == 1

    assert len(calls(setup.marks, card.data)) == ATTEMPTS  # tried, each time by a new process
    assert len(set(calls(setup.marks, card.data))) == ATTEMPTS
    document = _document(setup, document_id)
    assert (document.status, document.attempts) == ("failed", ATTEMPTS), (
        f"after {ATTEMPTS} deaths the document is {document.status!r} and the client was told "
        f"{_said_since(setup, before)!r}"
    )
    said = _said_since(setup, before)
    assert said[0] == "Não consegui ler este arquivo; pode enviar de novo, ou uma foto?"
    assert "avisei a nossa equipe" in said[1]
    with setup.runtime.sessions() as session:
        escalation = session.scalars(select(Escalation)).one()
    assert escalation.reason == "document_unreadable" and "cartao.pdf" in escalation.detail
    assert escalation.status == "open" and escalation.conversation_id is not None

    # The worker carries on: the client's next file is read as usual.
    again = make_sample("cnpj_card", "pdf", seed=2)
    before = _last_message(setup)
    second_id = _send_file(setup, again.data, filename="cartao-2.pdf")
    assert await setup.worker.run_once() == 1
    assert _document(setup, second_id).status == "read"
    assert "Li o seu cartão CNPJ" in _said_since(setup, before)[-1]


async def test_a_document_whose_reader_dies_once_is_read_after_a_backoff(
    setup: Setup, clock: FakeClock
) -> None:
    card = make_sample("cnpj_card", "pdf", seed=1)
    mark(setup.marks, card.data, "die 1")
    document_id = _send_file(setup, card.data, filename="cartao.pdf")
    before = _last_message(setup)

    assert await setup.worker.run_once() == 1  # the process dies
    document = _document(setup, document_id)
    assert (document.status, document.attempts) == ("pending", 1)
    assert document.next_attempt_at is not None
    assert document.next_attempt_at.replace(tzinfo=clock.now().tzinfo) > clock.now()
    assert _said_since(setup, before) == []  # nothing to say yet
    assert await setup.worker.run_once() == 0  # not before its backoff is over

    assert await _round_later(setup, clock) == 1
    document = _document(setup, document_id)
    assert (document.status, document.attempts, document.kind) == ("read", 2, "cnpj_card")
    [reading] = _said_since(setup, before)
    assert reading.startswith("Li o seu cartão CNPJ")
    with setup.runtime.sessions() as session:
        assert session.scalars(select(Escalation)).all() == []


async def test_a_reading_over_its_time_budget_is_tried_again_then_failed_like_a_crash(
    setup: Setup, clock: FakeClock
) -> None:
    card = make_sample("cnpj_card", "pdf", seed=1)
    mark(setup.marks, card.data, "hang")
    setup.pool.timeout = 1.0
    setup.worker.read_attempts = 2
    document_id = _send_file(setup, card.data, filename="cartao.pdf")
    before = _last_message(setup)

    assert await _round_later(setup, clock) == 1
    assert _document(setup, document_id).status == "pending"
    assert await _round_later(setup, clock) == 1

    hung = calls(setup.marks, card.data)
    assert len(set(hung)) == 2  # each hung process was killed and replaced
    document = _document(setup, document_id)
    assert (document.status, document.attempts) == ("failed", 2)
    assert "more than 1 s" in (document.error or "")
    assert _said_since(setup, before)[0] == (
        "Não consegui ler este arquivo; pode enviar de novo, ou uma foto?"
    )
    with setup.runtime.sessions() as session:
        assert session.scalars(select(Escalation.reason)).all() == ["document_unreadable"]


async def test_the_receitas_record_moves_the_readings_confidence(setup: Setup) -> None:
    """The production worker corroborates a reading with the Receita's answer stored for the
    client: the same value is asserted, a different one goes to the client to confirm."""
    card = make_sample("cnpj_card", "pdf", seed=1)
    document_id = _send_file(setup, card.data, filename="cartao.pdf")
    with setup.runtime.sessions() as session, session.begin():
        client_id = session.get_one(Document, document_id).client_id
        assert client_id is not None
        session.add(
            CompanyRegistry(
                client_id=client_id,
                cnpj=card.truth["cnpj"],
                razao_social="OUTRA EMPRESA DE NOME BEM DIFERENTE LTDA",
                situacao=card.truth["situacao_cadastral"],
                raw={},
                checked_at=setup.runtime.clock.now(),
            )
        )
    assert await setup.worker.run_once() == 1
    reading = _document(setup, document_id).extraction
    assert reading["fields"]["razao_social"] == card.truth["razao_social"]
    assert reading["confidence"]["razao_social"] == 0.5  # the Receita says otherwise
    assert "razao_social" in reading["uncertain"]
    assert reading["confidence"]["situacao_cadastral"] >= 0.97  # the Receita agrees
