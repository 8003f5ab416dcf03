"""Signing in to the console in a real browser against a real ``onboard serve``: a wrong
password is refused with a message, the right one lands in the inbox, sign-out ends the session
(the back button does not bring the inbox back); a reply typed when the session ends is still
in the composer after signing in again (the browser keeps drafts: ``console.js``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from bot.storage.models import StaffSession
from tests.backoffice.factories import conversation_of, make_onboarding
from tests.e2e.console_server import ConsoleServer

pytestmark = pytest.mark.e2e


def test_sign_in_and_out_in_the_browser(
    browser: Any, console_server: ConsoleServer, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="pt-BR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{console_server.url}/console/")
    expect(page).to_have_url(f"{console_server.url}/console/login?next=/console/")
    expect(page.get_by_role("heading", name="Entrar no Acolhe")).to_be_visible()
    page.get_by_label("E-mail").fill(console_server.staff["csm_a"].email)
    page.get_by_label("Senha").fill("a-wrong-password")
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("alert")).to_have_text("E-mail ou senha incorretos.")
    page.screenshot(path=str(tmp_path / "console-login-360.png"), full_page=True)

    page.get_by_label("Senha").fill(console_server.staff["csm_a"].password)
    page.get_by_label("Senha").press("Enter")  # the keyboard is enough
    expect(page).to_have_url(f"{console_server.url}/console/inbox")
    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies["acolhe_session"]["httpOnly"] is True
    assert cookies["acolhe_session"]["sameSite"] == "Lax"

    page.get_by_role("button", name="Sair").click()
    expect(page).to_have_url(f"{console_server.url}/console/login")
    page.goto(f"{console_server.url}/console/inbox")
    expect(page).to_have_url(f"{console_server.url}/console/login?next=/console/inbox")
    context.close()


def test_a_reply_typed_when_the_session_ends_survives_signing_in_again(
    browser: Any, console_server: ConsoleServer
) -> None:
    from playwright.sync_api import expect

    csm = console_server.staff["csm_a"]
    now = datetime.now(UTC)
    with console_server.db() as session, session.begin():
        onboarding = make_onboarding(
            session, now=now, csm_id=csm.id, channel="twilio_whatsapp", company="Padaria Pão Quente"
        )
        conversation_id = conversation_of(session, onboarding).id
    page = console_server.page(browser, "csm_a", width=360, height=740)
    url = f"{console_server.url}/console/conversations/{conversation_id}"
    page.goto(url)
    page.get_by_role("button", name="Assumir conversa").focus()
    page.keyboard.press("Enter")
    composer = page.get_by_label("Mensagem", exact=True)
    expect(composer).to_be_focused()  # the form's answer puts the person where they go on
    page.keyboard.type("Olá! Já vou conferir o seu documento.")
    with console_server.db() as session, session.begin():  # idle for two days meanwhile
        session.execute(update(StaffSession).values(last_seen_at=now - timedelta(days=2)))

    page.get_by_role("button", name="Enviar").click()
    expect(page.get_by_role("heading", name="Sua sessão terminou")).to_be_visible()
    page.get_by_role("link", name="Entrar de novo").click()
    page.get_by_label("E-mail").fill(csm.email)
    page.get_by_label("Senha").fill(csm.password)
    page.get_by_label("Senha").press("Enter")

    expect(page).to_have_url(url)
    expect(composer).to_have_value("Olá! Já vou conferir o seu documento.")
    expect(composer).to_be_focused()  # where the person goes on
    page.get_by_role("button", name="Enviar").click()
    expect(page.get_by_text("Olá! Já vou conferir o seu documento.").first).to_be_visible()
    expect(composer).to_have_value("")  # sent: the draft is gone
