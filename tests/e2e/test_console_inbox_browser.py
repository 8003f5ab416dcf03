"""The inbox and the conversation page in a real browser against a real ``onboard serve`` with
the fake Twilio: a client asks for a person and the escalation appears in the CSM's inbox
without a reload (count in the tab title); the CSM takes over while a colleague watches, the
client writes and the bot stays silent, the CSM answers with Enviar and Twilio receives it, the
colleague sees who holds it and cannot write; Devolver ao bot and the bot asks its question
again. A CSM opening another CSM's conversation by URL is refused."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.storage.models import Conversation, Escalation, Message, Onboarding
from tests.e2e.console_server import ConsoleServer

pytestmark = pytest.mark.e2e

CLIENT = "+5511988880001"
OTHER_CLIENT = "+5511988880002"
THIRD_CLIENT = "+5511988880004"

LIVE = (
    "() => { const el = document.querySelector('[sse-connect]');"
    " const d = el && el['htmx-internal-data'];"
    " return !!(d && d.sseEventSource && d.sseEventSource.readyState === 1); }"
)


def _sent_to(server: ConsoleServer, number: str) -> list[str]:
    return [m.body or "" for m in server.fake.sent if m.to == f"whatsapp:{number}"]


def _wait_sent(server: ConsoleServer, number: str, count: int, timeout: float = 10.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        bodies = _sent_to(server, number)
        if len(bodies) >= count:
            return bodies
        time.sleep(0.05)
    raise AssertionError(f"Twilio got {_sent_to(server, number)}, expected {count} messages")


def _conversation_of(server: ConsoleServer, number: str) -> Conversation:
    with server.db() as session:
        return session.scalars(
            select(Conversation).where(Conversation.address.contains(number.lstrip("+")))
        ).one()


def _shots(page: Any, tmp_path: Path, name: str) -> None:
    """The page at desktop width and at 360 px (then back)."""
    size = page.viewport_size
    page.screenshot(path=str(tmp_path / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.screenshot(path=str(tmp_path / f"{name}-360.png"), full_page=True)
    page.set_viewport_size(size)


# long: one end-to-end story, step after step as a person (or process) lives it
def test_escalation_live_in_the_inbox_takeover_reply_and_hand_back(
    browser: Any, console_server: ConsoleServer, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    server = console_server
    ana = server.page(browser, "csm_a")  # lands on the inbox, tab Minhas
    expect(ana).to_have_url(f"{server.url}/console/inbox")
    expect(ana.get_by_role("link", name=re.compile("^Minhas"))).to_have_attribute(
        "aria-current", "page"
    )
    ana.wait_for_function(LIVE)
    expect(ana.locator("#inbox-list tbody tr")).to_have_count(0)

    server.client_writes(CLIENT, "oi")
    _wait_sent(server, CLIENT, 1)
    asked = time.monotonic()
    server.client_writes(CLIENT, "HUMANO")
    # (a) The escalation appears in Ana's open inbox within 2 s of the webhook, no reload.
    row = ana.locator("#inbox-list tbody tr")
    expect(row).to_have_count(1, timeout=2_000)
    appeared = time.monotonic() - asked
    assert appeared < 2.0, appeared
    expect(row).to_contain_text("HUMANO")
    expect(row).to_contain_text("WhatsApp")
    expect(row).to_contain_text("Pediu uma pessoa")
    expect(ana).to_have_title(re.compile(r"^\(1\) Caixa de entrada"))
    expect(ana.locator('[data-tab-count="mine"]')).to_have_text("1")
    expect(ana.locator("#live-region")).to_contain_text("Esperando uma pessoa")
    _shots(ana, tmp_path, "inbox")

    conversation = _conversation_of(server, CLIENT)
    with server.db() as session:
        escalation = session.scalars(select(Escalation)).one()
    assert escalation.assigned_to == server.staff["csm_a"].id

    # The list refreshes under Ana's keyboard focus and leaves it where it was.
    ana.evaluate(
        "() => { window.__swaps = 0; document.body.addEventListener('htmx:afterSwap',"
        " e => { if (e.detail.target.id === 'inbox-list') window.__swaps++; }); }"
    )
    ana.locator(f"#open-{conversation.id}").focus()
    server.client_writes(THIRD_CLIENT, "oi")  # someone else's first message: a refresh
    ana.wait_for_function("() => window.__swaps > 0")
    expect(ana.locator(f"#open-{conversation.id}")).to_be_focused()
    expect(ana).to_have_title(re.compile(r"^\(1\) Caixa de entrada"))

    # (c) Bruno, another CSM of the pool, watches the same conversation.
    bruno = server.page(browser, "csm_b")
    bruno.goto(f"{server.url}/console/conversations/{conversation.id}")
    bruno.wait_for_function(LIVE)
    expect(bruno.locator("#holder")).to_contain_text("O bot está atendendo.")

    # (b) Ana opens it from the inbox (keyboard) and takes it over.
    ana.locator(f"#open-{conversation.id}").focus()
    ana.keyboard.press("Enter")
    expect(ana).to_have_url(f"{server.url}/console/conversations/{conversation.id}")
    expect(ana.get_by_role("heading", name="Quem está atendendo")).to_be_visible()
    expect(ana.get_by_role("button", name="Enviar")).to_have_count(0)
    before = len(_sent_to(server, CLIENT))
    question = _sent_to(server, CLIENT)[-1]
    ana.get_by_role("button", name="Assumir conversa").click()
    expect(ana.locator("#holder")).to_contain_text("Você assumiu esta conversa")
    ana.wait_for_function(LIVE)

    # Bruno sees who holds it, live, and has nothing to write with.
    expect(bruno.locator("#holder")).to_contain_text("Csm A assumiu esta conversa.", timeout=2_000)
    expect(bruno.get_by_role("button", name="Assumir conversa")).to_have_count(0)
    expect(bruno.get_by_role("button", name="Enviar")).to_have_count(0)
    expect(bruno.locator("#composer")).to_contain_text("só essa pessoa pode escrever ao cliente")
    # Even a hand-made request is refused by the server.
    status = bruno.evaluate(
        """async (id) => (await fetch(`/console/conversations/${id}/messages`, {
             method: "POST",
             headers: {"X-CSRF-Token": document.body.dataset.csrf,
                       "Content-Type": "application/x-www-form-urlencoded"},
             body: "text=" + encodeURIComponent("por cima"),
           })).status""",
        conversation.id,
    )
    assert status == 409
    _shots(bruno, tmp_path, "conversation-watcher")

    # Ana starts typing; the client writes meanwhile: the transcript shows it live, what Ana
    # typed stays, and the bot stays silent.
    reply = "Oi Maria, aqui é a Ana. Já vou te ajudar."
    ana.get_by_label("Mensagem").fill(reply)
    server.client_writes(CLIENT, "Meu nome é Maria da Silva")
    expect(ana.locator("#transcript")).to_contain_text("Meu nome é Maria da Silva")
    expect(ana.locator("#live-region")).to_contain_text("Nova mensagem do cliente")
    time.sleep(1.0)  # a bot reply, if there were one, would have gone by now
    assert len(_sent_to(server, CLIENT)) == before
    expect(ana.get_by_label("Mensagem")).to_have_value(reply)

    # Ana answers with Enviar; Twilio receives it.
    expect(ana.locator("#composer-window")).to_contain_text("está aberta até")
    ana.get_by_role("button", name="Enviar").click()
    sent = _wait_sent(server, CLIENT, before + 1)
    assert sent[before] == reply
    expect(ana.locator("#transcript")).to_contain_text("Oi Maria, aqui é a Ana.")
    _shots(ana, tmp_path, "conversation-holder")

    # Devolver ao bot: the bot asks its question again, and Twilio receives it.
    ana.get_by_role("button", name="Devolver ao bot").click()
    expect(ana.locator("#holder")).to_contain_text("O bot está atendendo.")
    resumed = _wait_sent(server, CLIENT, before + 2)[before + 1]
    assert resumed == question, (resumed, question)
    expect(bruno.locator("#holder")).to_contain_text("O bot está atendendo.", timeout=2_000)
    with server.db() as session:
        assert session.scalars(select(Escalation.status)).one() == "resolved"
        authors = session.scalars(
            select(Message.author).where(Message.conversation_id == conversation.id)
        ).all()
    assert authors.count("staff") == 1
    # The inbox no longer lists it.
    ana.goto(f"{server.url}/console/inbox")
    expect(ana.locator("#inbox-list tbody tr")).to_have_count(0)
    expect(ana).to_have_title(re.compile(r"^Caixa de entrada"))


def test_a_csm_opening_another_csm_s_conversation_by_url_is_refused(
    browser: Any, console_server: ConsoleServer, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    server = console_server
    server.client_writes(OTHER_CLIENT, "oi")
    _wait_sent(server, OTHER_CLIENT, 1)
    conversation = _conversation_of(server, OTHER_CLIENT)
    with server.api("manager") as api:
        assert conversation.onboarding_id is not None
        moved = api.put(
            f"/onboardings/{conversation.onboarding_id}/csm",
            json={"csm_id": server.staff["csm_b"].id},
        )
        assert moved.status_code == 200, moved.text
    with server.db() as session:
        onboarding = session.get_one(Onboarding, conversation.onboarding_id)
        assert onboarding.csm_id == server.staff["csm_b"].id

    bruno = server.page(browser, "csm_b")
    answer = bruno.goto(f"{server.url}/console/conversations/{conversation.id}")
    assert answer is not None and answer.status == 200

    ana = server.page(browser, "csm_a", width=360, height=740)
    refused = ana.goto(f"{server.url}/console/conversations/{conversation.id}")
    assert refused is not None and refused.status == 403
    expect(ana.get_by_role("heading", name="Você não tem acesso a isto")).to_be_visible()
    expect(ana.locator("body")).not_to_contain_text("oi")
    ana.screenshot(path=str(tmp_path / "refused-360.png"), full_page=True)
    missing = ana.goto(f"{server.url}/console/conversations/999999")
    assert missing is not None and missing.status == 404


def test_a_reply_outside_the_24_hour_window_is_held_and_retried_once_the_client_writes(
    browser: Any, console_server: ConsoleServer, tmp_path: Path
) -> None:
    """No template is configured: the composer says the reply will be held, it is, and its
    retry after the client wrote again reaches Twilio."""
    from playwright.sync_api import expect

    from bot.storage.models import OutboxItem

    server = console_server
    number = "+5511988880003"
    server.client_writes(number, "oi")
    _wait_sent(server, number, 1)
    conversation = _conversation_of(server, number)
    with server.db() as session, session.begin():
        row = session.get_one(Conversation, conversation.id)
        assert row.last_inbound_at is not None
        row.last_inbound_at -= timedelta(hours=25)  # the client last wrote yesterday

    admin = server.page(browser, "admin")
    admin.goto(f"{server.url}/console/conversations/{conversation.id}")
    expect(admin.locator(".conv-facts")).to_contain_text("fechada")
    admin.get_by_role("button", name="Assumir conversa").click()
    expect(admin.locator("#composer-window")).to_contain_text("ficará retida")
    admin.get_by_label("Mensagem").fill("Bom dia! Ainda precisa de ajuda com o cadastro?")
    admin.get_by_role("button", name="Enviar").click()

    def held() -> OutboxItem | None:
        with server.db() as session:
            return session.scalars(
                select(OutboxItem).where(
                    OutboxItem.conversation_id == conversation.id, OutboxItem.status == "held"
                )
            ).first()

    deadline = time.monotonic() + 10
    while held() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    item = held()
    assert item is not None
    assert _sent_to(server, number)[-1] != "Bom dia! Ainda precisa de ajuda com o cadastro?"
    admin.reload()
    retry = admin.locator(f"#retry-{item.id}")
    expect(retry).to_be_visible()
    expect(admin.locator("#undelivered")).to_contain_text("Retida")
    _shots(admin, tmp_path, "conversation-held")

    before = len(_sent_to(server, number))
    server.client_writes(number, "sim")  # the window opens again; the bot is silent
    expect(admin.locator("#composer-window")).to_contain_text("está aberta até")
    retry.click()
    sent = _wait_sent(server, number, before + 1)
    assert sent[before] == "Bom dia! Ainda precisa de ajuda com o cadastro?"
    expect(admin.locator(f"#retry-{item.id}")).to_have_count(0)
