"""Signing in to the console in a real browser against a real ``onboard serve``: a wrong
password is refused with a message, the right one lands in the inbox, sign-out ends the session
(the back button does not bring the inbox back)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

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
