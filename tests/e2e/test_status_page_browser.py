"""The client's status page actions in Debian's Chromium against a real ``onboard serve`` (its
workers in-process, Twilio faked on loopback): a document sent from the page is read and the
chat (the fake Twilio) and the console show it; a confirmation on the page is the chat's; a
booking from the page equals one from the chat; a forged form or another client's token gets
nothing. Screenshots at 360 px and at desktop width go to ``ONBOARD_TEST_SCREENSHOTS`` (if set)
and the test's folder."""

from __future__ import annotations

import os
import re
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from bench.ocr.synthetic import make_sample
from bot.service.status_links import issue
from bot.service.training import sync_slots
from bot.storage.models import (
    AuditEvent,
    Conversation,
    Document,
    Onboarding,
    ScheduledJob,
    StaffUser,
    TrainingAvailability,
    TrainingBooking,
)
from tests.e2e.console_server import ConsoleServer

pytestmark = pytest.mark.e2e

CLIENT = "+5511987650001"
OTHER = "+5511987650002"


def _replies(server: ConsoleServer, to: str, before: int, *, containing: str) -> list[str]:
    """The bot's messages to ``to`` after the ``before``-th, once one contains ``containing``."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        texts = [m.body or "" for m in server.fake.sent[before:] if m.to == f"whatsapp:{to}"]
        if any(containing in text for text in texts):
            return texts
        time.sleep(0.1)
    raise AssertionError(f"no message with {containing!r} to {to}: {texts}")


def _write(server: ConsoleServer, to: str, body: str, *, expect: str) -> list[str]:
    before = len(server.fake.sent)
    server.client_writes(to, body)
    return _replies(server, to, before, containing=expect)


def _register(server: ConsoleServer, cnpj: str) -> None:
    answers = [
        ("oi", "concorda"),
        ("1", "nome"),
        ("Maria da Silva", ""),
        ("2", ""),
        (cnpj, ""),
        ("Padaria Pão Quente", ""),
        ("maria@paoquente.com.br", ""),
        ("11987654321", ""),
        ("01310-100", ""),
        ("Av. Paulista, Bela Vista, São Paulo/SP", ""),
        ("1000", ""),
        ("não", ""),
    ]
    for body, expect in answers:
        _write(server, CLIENT, body, expect=expect)
    _write(server, CLIENT, "1", expect="cartão CNPJ")


def _conversation(server: ConsoleServer, address: str) -> Conversation:
    with server.db() as session:
        return session.scalars(select(Conversation).where(Conversation.address == address)).one()


def _link(server: ConsoleServer, conversation: Conversation) -> str:
    assert conversation.onboarding_id is not None
    with server.db() as session, session.begin():
        issued = issue(
            session,
            conversation.onboarding_id,
            conversation_id=conversation.id,
            now=datetime.now(UTC),
        )
        return f"{server.url}/s/{issued.token}"


def _screenshot(page: Any, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    folder = os.environ.get("ONBOARD_TEST_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _phone(browser: Any, server: ConsoleServer, *, width: int = 360) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 780}, locale="pt-BR")
    server._contexts.append(context)  # closed with the server's pages
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def test_a_document_sent_from_the_page_is_read_shown_and_confirmed(
    browser: Any, console_server: ConsoleServer, tmp_path: Path
) -> None:
    server = console_server
    card = make_sample("cnpj_card", "pdf", seed=1)
    _register(server, card.truth["cnpj"])
    conversation = _conversation(server, CLIENT)
    url = _link(server, conversation)

    page = _phone(browser, server)
    page.goto(url)
    page.get_by_label("Ou escolher uma foto ou PDF").set_input_files(
        files=[{"name": "cartao.pdf", "mimeType": "application/pdf", "buffer": card.data}]
    )
    before = len(server.fake.sent)
    page.get_by_role("button", name="Enviar", exact=True).click()
    page.wait_for_url(re.compile(r".*notice=uploaded.*"))
    assert "Recebemos o seu arquivo" in page.locator(".notice").inner_text()
    # The chat is told it arrived, then what was read, as for a file sent on WhatsApp.
    told = _replies(server, CLIENT, before, containing="Os dados estão corretos?")
    assert "Recebi o arquivo" in told[0] and card.truth["razao_social"] in told[-1]

    page.goto(url)
    line = page.locator("li.document", has_text="Cartão CNPJ")
    assert card.truth["razao_social"] in line.inner_text()
    _screenshot(page, tmp_path, "status-page-read-360")
    # The console shows the same document in the conversation.
    staff = server.page(browser, "admin")
    staff.goto(f"{server.url}/console/conversations/{conversation.id}")
    assert "cartao.pdf" in staff.locator(f"#doc-{_document_id(server)}").inner_text()

    before = len(server.fake.sent)
    line.get_by_role("button", name="Confirmar os dados").click()
    page.wait_for_url(re.compile(r".*notice=confirmed.*"))
    assert "Os dados foram confirmados" in page.locator(".notice").inner_text()
    _replies(server, CLIENT, before, containing="recebido e confirmado")
    with server.db() as session:
        document = session.scalars(select(Document)).one()
        assert (document.source_channel, document.status) == ("twilio_whatsapp", "read")
        assert document.confirmed_at is not None

    wide = _phone(browser, server, width=1280)
    wide.goto(url)
    _screenshot(wide, tmp_path, "status-page-confirmed-desktop")


def _document_id(server: ConsoleServer) -> int:
    with server.db() as session:
        return session.scalars(select(Document.id)).one()


def test_forged_forms_and_another_clients_token_get_nothing(
    browser: Any, console_server: ConsoleServer, tmp_path: Path
) -> None:
    server = console_server
    _register(server, make_sample("cnpj_card", "pdf", seed=1).truth["cnpj"])
    _write(server, OTHER, "oi", expect="concorda")
    _write(server, OTHER, "1", expect="nome")
    mine, theirs = _conversation(server, CLIENT), _conversation(server, OTHER)
    my_url, their_url = _link(server, mine), _link(server, theirs)

    page = _phone(browser, server)
    page.goto(my_url)
    page.get_by_label("Ou escolher uma foto ou PDF").set_input_files(
        files=[
            {
                "name": "c.pdf",
                "mimeType": "application/pdf",
                "buffer": make_sample("cnpj_card", "pdf", seed=1).data,
            }
        ]
    )
    page.eval_on_selector("#upload input[name=csrf]", "e => { e.value = '0'.repeat(64) }")
    page.get_by_role("button", name="Enviar", exact=True).click()
    assert "Formulário recusado" in page.title() or "Nada foi alterado" in page.content()
    _screenshot(page, tmp_path, "status-page-refused-360")

    # The other client's page posts its own valid form to this client's link: refused.
    other = _phone(browser, server)
    other.goto(their_url)
    csrf = other.locator("input[name=csrf]").first.get_attribute("value")
    assert csrf
    cross = other.request.post(
        f"{my_url}/training/cancel",
        form={"csrf": csrf},
        headers={"Origin": server.url},
        max_redirects=0,
    )
    assert cross.status == 403
    with server.db() as session:
        assert session.scalars(select(Document)).all() == []
        assert session.scalars(select(TrainingBooking)).all() == []


def _training_ready(server: ConsoleServer, *addresses: str) -> None:
    now = datetime.now(UTC)
    with server.db() as session, session.begin():
        csm = session.scalars(select(StaffUser).where(StaffUser.role == "csm")).first()
        assert csm is not None
        for weekday in range(7):
            session.add(
                TrainingAvailability(
                    csm_id=csm.id,
                    weekday=weekday,
                    starts=clock_time(6),
                    ends=clock_time(22),
                    duration_minutes=60,
                    capacity=5,
                    meeting_url="https://meet.example.com/t",
                    active=True,
                    created_at=now,
                )
            )
        session.flush()
        sync_slots(session, start=now, end=now + timedelta(days=21), now=now)
        session.execute(
            update(Onboarding)
            .where(
                Onboarding.id.in_(
                    select(Conversation.onboarding_id).where(Conversation.address.in_(addresses))
                )
            )
            .values(stage="treinamento")
        )


def _booking(server: ConsoleServer, address: str) -> dict[str, object]:
    with server.db() as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.address == address)
        ).one()
        booking = session.scalars(
            select(TrainingBooking).where(
                TrainingBooking.onboarding_id == conversation.onboarding_id
            )
        ).one()
        jobs = session.scalars(
            select(ScheduledJob).where(ScheduledJob.booking_id == booking.id)
        ).all()
        audit = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.conversation_id == conversation.id,
                AuditEvent.action == "booked_training",
            )
        ).all()
    sent = [m for m in server.fake.sent if m.to == f"whatsapp:{address}" and m.media_urls]
    return {
        "booking": (booking.slot_id, booking.status, booking.sequence),
        "jobs": sorted((j.kind, j.status, j.due_at) for j in jobs),
        "audit": list(audit),
        "message": (sent[-1].body or "").split("\n")[0],
        "invite": [re.sub(r"training-[0-9a-f]+", "T", u) for u in sent[-1].media_urls],
    }


def test_a_booking_from_the_page_equals_one_from_the_chat(
    browser: Any, console_server: ConsoleServer, tmp_path: Path
) -> None:
    server = console_server
    for address in (CLIENT, OTHER):
        _write(server, address, "oi", expect="concorda")
    _training_ready(server, CLIENT, OTHER)
    # OTHER books in the chat: the first session offered.
    _write(server, OTHER, "quero agendar o treinamento", expect="horários livres")
    _write(server, OTHER, "1", expect="Treinamento agendado")
    # CLIENT books on the page: the first free session listed, the same one.
    url = _link(server, _conversation(server, CLIENT))
    page = _phone(browser, server)
    page.goto(url)
    page.get_by_role("link", name="Agendar o treinamento").click()
    page.wait_for_url(re.compile(r".*/training$"))
    _screenshot(page, tmp_path, "status-page-training-360")
    page.get_by_role("radio").first.check()
    before = len(server.fake.sent)
    page.get_by_role("button", name="Agendar este horário").click()
    page.wait_for_url(re.compile(r".*notice=booked.*"))
    _replies(server, CLIENT, before, containing="Treinamento agendado")
    assert "Cancelar o treinamento" in page.content()

    from_chat, from_page = _booking(server, OTHER), _booking(server, CLIENT)
    assert from_page == from_chat
    assert from_page["invite"] == ["https://acolhe.example.com.br/invites/T.ics"]
    assert [kind for kind, _status, _due in from_page["jobs"]] == sorted(  # type: ignore[attr-defined]
        kind
        for kind, _status, _due in from_chat["jobs"]  # type: ignore[attr-defined]
    ) and from_page["jobs"]
