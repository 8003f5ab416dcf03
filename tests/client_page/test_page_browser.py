"""The status page in Debian's Chromium against a real ``onboard serve`` (workers in-process,
Twilio faked on loopback): a registration finished over WhatsApp gives a link, and the page it
opens shows what the back-office records — read with role- and text-based locators, as a
person reads it. Screenshots at 360 px and desktop width go to the test's folder and to
``ONBOARD_TEST_SCREENSHOTS`` when set."""

from __future__ import annotations

import os
import re
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from backoffice.client_page.view import expected_text
from bot.storage.models import Conversation, StatusLink
from tests.e2e.console_server import PUBLIC_URL, ConsoleServer, browser, console_server  # noqa: F401

CLIENT = "+5511987651234"
LINK = re.compile(re.escape(PUBLIC_URL) + r"/s/([A-Za-z0-9_-]{43})")


def _wait_reply(server: ConsoleServer, before: int, containing: str) -> str:
    deadline = time.monotonic() + 90
    texts: list[str] = []
    while time.monotonic() < deadline:
        texts = [m.body or "" for m in server.fake.sent[before:] if m.to == f"whatsapp:{CLIENT}"]
        found = [t for t in texts if containing in t]
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"no reply with {containing!r}: {texts}\n{server.log.read_text()[-3000:]}")


def _say(server: ConsoleServer, body: str, expect: str) -> str:
    before = len(server.fake.sent)
    server.client_writes(CLIENT, body)
    return _wait_reply(server, before, expect)


def _register_over_whatsapp(server: ConsoleServer) -> str:
    """The essentials registration, as a client types it; returns the bot's last message."""
    for body, expect in [
        ("oi", "concorda"),
        ("1", "nome"),
        ("Maria da Silva", "Podemos fazer agora"),
        ("2", "CNPJ"),
        ("11.222.333/0001-81", "razão social"),
        ("Padaria Pão Quente", "e-mail"),
        ("maria@paoquente.com.br", "celular"),
        ("11987654321", "CEP"),
        ("01310-100", ""),
        ("Av. Paulista, Bela Vista, São Paulo/SP", "número"),
        ("1000", "complemento"),
        ("não", "Confira"),
    ]:
        _say(server, body, expect)
    return _say(server, "1", "Acompanhe sua implantação")


def _screenshot(page: Any, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    folder = os.environ.get("ONBOARD_TEST_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


# long: one registration over WhatsApp followed into the browser
def test_a_registration_over_whatsapp_gives_a_link_to_the_back_offices_record(
    console_server: ConsoleServer,  # noqa: F811
    browser: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    server = console_server
    done = _register_over_whatsapp(server)
    assert "Cadastro confirmado" in done
    token = LINK.search(done)
    assert token is not None, done
    with server.db() as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.address.contains(CLIENT[1:]))
        ).one()
        client_id = conversation.client_id
    with server.api("admin") as api:
        record = api.get(f"/clients/{client_id}").json()
    [onboarding] = record["onboardings"]
    assert onboarding["stage"] == "documentos"
    due = expected_text(
        datetime.fromisoformat(onboarding["sla"]["due_at"]),
        language="pt_BR",
        timezone="America/Sao_Paulo",
    )

    problems: list[str] = []
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="pt-BR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("console", lambda message: problems.append(message.text))
    page.goto(f"{server.url}/s/{token.group(1)}")
    # what the back-office records, as the client reads it
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Sua implantação: Documentos"
    assert page.get_by_text(due).is_visible()
    current = page.locator("li[aria-current=step]")
    assert "Documentos" in current.inner_text()
    done_step = page.locator("li.step.done").first
    assert "Cadastro" in done_step.inner_text() and "concluída em" in done_step.inner_text()
    documents = page.get_by_role("region", name="Seus documentos")
    assert "cartão CNPJ" in documents.inner_text() and "falta enviar" in documents.inner_text()
    assert page.get_by_role("link", name="Voltar para o chat").get_attribute("href") == (
        "https://wa.me/5511900000000"
    )
    history = page.get_by_role("region", name="Histórico").inner_text()
    assert history.count("→") == len(record["stage_history"]) - 1
    assert "Cadastro → Documentos" in history
    for landmark in ("banner", "main", "contentinfo"):
        assert page.get_by_role(landmark).count() == 1
    assert page.locator("html").get_attribute("lang") == "pt-BR"
    # one column on a phone: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    _screenshot(page, tmp_path, "status-page-registered-360")
    wide = context.browser.new_context(viewport={"width": 1280, "height": 900}, locale="pt-BR")
    desktop = wide.new_page()
    desktop.goto(f"{server.url}/s/{token.group(1)}")
    assert desktop.get_by_role("heading", level=1).inner_text() == "Sua implantação: Documentos"
    _screenshot(desktop, tmp_path, "status-page-registered-desktop")
    assert not [p for p in problems if "Content Security Policy" in p], problems
    desktop.close()
    wide.close()
    page.close()
    context.close()
    # a person opened it twice: the back-office sees when
    with server.db() as session:
        link = session.scalars(select(StatusLink)).one()
        assert link.opened_count == 2 and link.last_opened_at is not None
    with server.api("admin") as api:
        seen = api.get(f"/clients/{client_id}/status-page").json()
    assert seen["opened_count"] == 2
    # a preview fetch (a chat app's robot) changes nothing
    robot = httpx.get(
        f"{server.url}/s/{token.group(1)}",
        headers={"User-Agent": "facebookexternalhit/1.1"},
        timeout=20,
    )
    assert robot.status_code == 200
    with server.db() as session:
        assert session.get_one(StatusLink, link.id).opened_count == 2
