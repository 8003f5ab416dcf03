"""The web chat in a real browser (Debian's Chromium driven by Playwright) against a real server
on loopback: the bot greets, a choice is tapped, an answer typed, a PDF sent and read, bold
text shown bold and markup shown as text — on a 360 px phone and on a desktop.

Skipped on a laptop without Chromium (``ONBOARD_TEST_CHROMIUM``, default /usr/bin/chromium) or
Playwright; required in CI (the ``browser`` fixture of ``tests/e2e/console_server.py``).
Screenshots are written to ``tmp_path`` (``web-chat-360.png``, ``web-chat-desktop.png``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bench.ocr.synthetic import make_sample
from bot.app import create_app
from bot.bootstrap import Runtime
from bot.domain.messages import OutboundMessage
from bot.service.message_store import store_outbound
from bot.storage.models import Conversation, Document
from tests.support.server import serving

pytestmark = pytest.mark.e2e

GREETING = "Olá! Eu sou a Acolhe"


@pytest.fixture
def chat_url(runtime: Runtime) -> Iterator[str]:
    with serving(create_app(runtime)) as base:
        yield base


def _watch(page: Any) -> list[str]:
    """Script errors and console errors (a Content-Security-Policy refusal is one)."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    return problems


# long: one end-to-end story, step after step as a person (or process) lives it
def test_a_client_registers_in_the_browser(
    browser: Any, chat_url: str, runtime: Runtime, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="pt-BR"
    )
    page = phone.new_page()
    problems = _watch(page)
    page.goto(chat_url)
    log = page.get_by_role("log", name="Conversa com o assistente")
    expect(log).to_have_attribute("aria-live", "polite")

    # The bot speaks first; nothing is sent in the client's name.
    expect(log.get_by_text(GREETING)).to_be_visible()
    expect(log.locator(".msg.client")).to_have_count(0)
    expect(page.get_by_role("button", name="Tirar foto de um documento")).to_be_visible()

    # A choice is a button; the transcript shows its title.
    page.get_by_role("button", name="Concordo", exact=True).tap()
    expect(log.locator(".msg.client").last).to_have_text("Você: Concordo")
    expect(log.get_by_text("qual é o seu nome completo?")).to_be_visible()
    expect(page.get_by_role("button", name="Concordo", exact=True)).to_be_disabled()  # answered

    # A typed answer; focus stays in the box.
    box = page.get_by_role("textbox", name="Mensagem")
    box.fill("Maria da Silva")
    box.press("Enter")
    expect(log.get_by_text("Prazer, Maria da Silva!")).to_be_visible()
    expect(box).to_be_focused()
    expect(page.get_by_role("button", name="Sim, vamos lá")).to_be_enabled()

    # A PDF from the file picker: received at once, then read by the document worker (and
    # kept by the dialogue for the documents step).
    card = make_sample("cnpj_card", "pdf", seed=1)
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Enviar foto ou PDF").tap()
    chooser.value.set_files(
        files=[{"name": "cartao-cnpj.pdf", "mimeType": "application/pdf", "buffer": card.data}]
    )
    upload = log.locator(".msg.client").filter(has_text="cartao-cnpj.pdf")
    expect(upload).to_be_visible()
    expect(log.get_by_text("Recebi o arquivo")).to_be_visible()
    expect(upload.locator(".file-status")).to_have_text("lido", timeout=60_000)

    # WhatsApp-style *bold* from the team is shown bold, without the asterisks; markup in a
    # message is shown as text, never run.
    with runtime.sessions() as session, session.begin():
        conversation = session.scalars(select(Conversation)).one()
        store_outbound(
            session,
            conversation,
            reply=OutboundMessage(
                text="*Importante:* confira o <b>CNPJ</b> <img src=x onerror=alert(1)>",
                kind="staff",
            ),
            author="staff",
            now=runtime.clock.now(),
        )
    staff = log.locator(".msg.staff")
    expect(staff.locator("strong")).to_have_text("Importante:", timeout=10_000)
    expect(staff).to_contain_text("confira o <b>CNPJ</b> <img src=x onerror=alert(1)>")
    expect(staff).not_to_contain_text("*")
    expect(log.locator("b, img")).to_have_count(0)

    # A reload shows the history once, with no second greeting.
    page.reload()
    expect(log.locator(".msg.client").filter(has_text="cartao-cnpj.pdf")).to_contain_text("lido")
    expect(log.get_by_text(GREETING)).to_have_count(1)
    page.screenshot(path=str(tmp_path / "web-chat-360.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll

    # The same session on a desktop: the same conversation, the camera button left out.
    session_id = page.evaluate("localStorage.getItem('acolhe-session')")
    desktop = browser.new_context(viewport={"width": 1280, "height": 800}, locale="pt-BR")
    desktop.add_init_script(f"localStorage.setItem('acolhe-session', {session_id!r})")
    wide = desktop.new_page()
    problems += _watch(wide)
    wide.goto(chat_url)
    wide_log = wide.get_by_role("log", name="Conversa com o assistente")
    expect(wide_log.get_by_text("cartao-cnpj.pdf")).to_be_visible()
    expect(wide_log.get_by_text(GREETING)).to_have_count(1)
    expect(wide.get_by_role("button", name="Tirar foto de um documento")).to_be_hidden()
    wide.get_by_role("button", name="Sim, vamos lá", disabled=False).click()  # the open one
    expect(wide.get_by_role("textbox", name="Mensagem")).to_be_focused()  # back to the box
    expect(wide_log.get_by_text("Qual é o CNPJ da empresa?")).to_be_visible()
    wide.screenshot(path=str(tmp_path / "web-chat-desktop.png"))

    with runtime.sessions() as session:
        document = session.scalars(select(Document)).one()
        assert (document.source_channel, document.status) == ("web", "read")
    assert problems == []
