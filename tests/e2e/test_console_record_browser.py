"""The client record in a real browser against a real ``onboard serve``: a field edited with the
keyboard only (Tab to **Editar**, Enter, type, Enter) — first with an invalid CNPJ, which is
refused next to the field with the value kept — appears in the audit trail (old → new, who,
when), and a manager's open record shows it live; erasure asks for a typed confirmation, and
Cancel keeps everything. Screenshots at 360 px and at desktop width are written to
``tmp_path``."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import select

from bot.documents.store import DocumentStore
from bot.storage.models import AuditEvent, Client, CompanyRegistry, Document
from tests.backoffice.factories import make_onboarding
from tests.e2e.console_server import ConsoleServer

pytestmark = pytest.mark.e2e


def _seed(server: ConsoleServer, tmp_path: Path) -> int:
    """A client of csm_a with the Receita's snapshot and a read CNH photo (its file stored
    where the server keeps documents)."""
    now = datetime.now(UTC)
    photo = _photo()
    sha = DocumentStore(tmp_path / "documents").put(photo)
    with server.db() as session, session.begin():
        onboarding = make_onboarding(
            session,
            now=now,
            csm_id=server.staff["csm_a"].id,
            company="Padaria Teclado Ltda",
        )
        session.add(
            CompanyRegistry(
                client_id=onboarding.client_id,
                cnpj="11222333000181",
                razao_social="PADARIA TECLADO LTDA",
                situacao="ATIVA",
                porte="MICRO EMPRESA",
                raw={"municipio": "SAO PAULO", "uf": "SP"},
                checked_at=now,
            )
        )
        session.add(
            Document(
                client_id=onboarding.client_id,
                kind="cnh",
                source_channel="twilio_whatsapp",
                status="read",
                mime="image/png",
                size=len(photo),
                sha256=sha,
                received_at=now,
                extraction={
                    "kind": "cnh",
                    "fields": {"nome": "MARIA DA SILVA", "cpf": "123.456.789-09"},
                    "uncertain": ["cpf"],
                    "mismatches": [
                        ["nome", "O nome no documento não confere.", "The name differs."]
                    ],
                },
            )
        )
        return onboarding.client_id


def _photo() -> bytes:
    """A small PNG drawn with Pillow (a card-shaped rectangle with a line of text)."""
    image = Image.new("RGB", (320, 200), "#f4efe1")
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 311, 191), outline="#1d6b45", width=4)
    draw.text((24, 32), "CARTEIRA NACIONAL DE HABILITACAO", fill="#1d2433")
    draw.text((24, 80), "MARIA DA SILVA", fill="#1d2433")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _focused_id(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def _tab_to(page: Any, element_id: str, *, limit: int = 80) -> None:
    """Presses Tab until ``element_id`` has the focus (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused_id(page) == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


# long: one end-to-end story, step after step as a person (or process) lives it
def test_an_edit_by_keyboard_shows_in_the_audit_trail(
    browser: Any, console_server: ConsoleServer, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    client_id = _seed(console_server, tmp_path)
    record = f"{console_server.url}/console/clients/{client_id}"
    watcher = console_server.page(browser, "manager")
    watcher.goto(record)
    expect(watcher.locator("#audit")).to_contain_text("Registros: 0")
    refreshed: list[str] = []  # the sections the watcher's page fetched again, live
    watcher.on(
        "request",
        lambda request: (
            refreshed.append(request.url.split("/sections/")[1].split("?")[0])
            if "/sections/" in request.url
            else None
        ),
    )

    page = console_server.page(browser, "csm_a")
    page.goto(f"{console_server.url}/console/clients")
    page.get_by_label("Buscar por nome da empresa ou CNPJ").fill("teclado")
    page.get_by_role("link", name="Padaria Teclado Ltda").click()
    expect(page).to_have_url(record)
    expect(page.get_by_role("heading", name="Empresa", exact=True)).to_be_visible()
    expect(page.locator("#company")).to_contain_text("PADARIA TECLADO LTDA")
    # The reading per field, and the photo behind a disclosure (opened from the keyboard).
    readings = page.locator("#documents table.readings")
    expect(readings).to_contain_text("MARIA DA SILVA")
    expect(readings).to_contain_text("baixa: a confirmar")
    expect(page.locator("#warnings")).to_contain_text("O nome no documento não confere.")
    page.get_by_text("Ver a imagem").focus()
    page.keyboard.press("Enter")
    photo = page.get_by_role("img", name=re.compile("Documento #"))
    expect(photo).to_be_visible()
    page.wait_for_function(
        "() => { const i = document.querySelector('#documents img'); "
        "return i && i.complete && i.naturalWidth > 0; }"
    )
    page.screenshot(path=str(tmp_path / "record-desktop.png"), full_page=True)

    # Keyboard only: Tab to Edit, Enter opens the form with the focus in its first field.
    _tab_to(page, "edit-company")
    page.keyboard.press("Enter")
    expect(page.locator("#company-cnpj")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("11.222.333/0001-82")  # a wrong check digit
    page.keyboard.press("Enter")
    error = page.locator("#company-cnpj-error")
    expect(error).to_have_text("Os dígitos verificadores deste CNPJ não conferem: confira.")
    cnpj = page.locator("#company-cnpj")
    expect(cnpj).to_have_attribute("aria-describedby", "company-cnpj-error")
    expect(cnpj).to_have_value("11.222.333/0001-82")
    expect(cnpj).to_be_focused()
    page.screenshot(path=str(tmp_path / "record-invalid-desktop.png"), full_page=True)

    page.keyboard.press("Control+A")
    page.keyboard.type("11.222.333/0001-81")
    page.keyboard.press("Tab")
    expect(page.locator("#company-company_name")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("Padaria Teclado & Forno Ltda")
    page.keyboard.press("Enter")

    expect(page.locator("#group-company")).to_contain_text("Padaria Teclado & Forno Ltda")
    expect(page.locator("#edit-company")).to_be_focused()  # the focus is back on Edit
    expect(page.locator("#live-region")).to_have_text(
        "Salvo. A alteração está na trilha de auditoria."
    )
    row = page.locator("#audit tbody tr").first
    expect(row).to_contain_text("Csm A")  # who
    expect(row).to_contain_text("Nome da empresa")
    expect(row).to_contain_text("Padaria Teclado Ltda → Padaria Teclado & Forno Ltda")
    today = datetime.now(ZoneInfo("America/Sao_Paulo")).strftime("%d/%m/%Y")
    expect(row).to_contain_text(today)  # when (the business time zone's day)
    # The manager's open record follows live (sse:onboarding-<id>), without a reload.
    expect(watcher.locator("#audit")).to_contain_text("Padaria Teclado & Forno Ltda", timeout=8000)
    expect(watcher.locator("#group-company")).to_contain_text("Padaria Teclado & Forno Ltda")
    expect(watcher.locator("#record-header h1")).to_have_text("Padaria Teclado & Forno Ltda")
    # Only the sections a client_updated concerns (the stage history does not change).
    assert {"header", "company", "audit"} <= set(refreshed), refreshed
    assert "history" not in refreshed, refreshed

    with console_server.db() as session:
        event = session.scalar(
            select(AuditEvent).where(
                AuditEvent.client_id == client_id, AuditEvent.field == "company_name"
            )
        )
        assert event is not None
        assert (event.old_value, event.new_value, event.actor) == (
            "Padaria Teclado Ltda",
            "Padaria Teclado & Forno Ltda",
            f"staff:{console_server.staff['csm_a'].id}",
        )

    # The audit filter keeps only what is asked for.
    page.get_by_label("Campo", exact=True).select_option("company_name")
    page.get_by_role("button", name="Filtrar").click()
    expect(page.locator("#audit-count")).to_contain_text("Registros: 1")

    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="pt-BR")
    small = phone.new_page()
    small.goto(f"{console_server.url}/console/login")
    small.fill("#email", console_server.staff["csm_a"].email)
    small.fill("#password", console_server.staff["csm_a"].password)
    small.click("button[type=submit]")
    small.wait_for_url(f"{console_server.url}/console/**")
    small.goto(f"{console_server.url}/console/clients?q=teclado")
    expect(small.get_by_role("link", name="Padaria Teclado & Forno Ltda")).to_be_visible()
    small.screenshot(path=str(tmp_path / "clients-360.png"), full_page=True)
    small.goto(record)
    expect(small.locator("#audit")).to_contain_text("Padaria Teclado & Forno Ltda")
    width = small.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the record scrolls sideways at 360 px ({width} px)"
    small.screenshot(path=str(tmp_path / "record-360.png"), full_page=True)
    phone.close()


def test_erasure_asks_for_confirmation_and_cancel_keeps_everything(
    browser: Any, console_server: ConsoleServer, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    client_id = _seed(console_server, tmp_path)
    record = f"{console_server.url}/console/clients/{client_id}"
    csm = console_server.page(browser, "csm_a", width=360, height=740)
    csm.goto(record)
    expect(csm.get_by_role("heading", name="Empresa", exact=True)).to_be_visible()
    expect(csm.get_by_role("link", name="Apagar dados…")).to_have_count(0)
    expect(csm.get_by_role("link", name="Exportar dados (LGPD)")).to_have_count(0)

    admin = console_server.page(browser, "admin")
    admin.goto(record)
    admin.get_by_role("link", name="Apagar dados…").click()
    expect(admin.get_by_role("heading", name="Apagar os dados do cliente")).to_be_visible()
    confirmation = admin.get_by_label(
        "Para confirmar, digite o CNPJ da empresa ou a palavra APAGAR"
    )
    expect(confirmation).to_be_focused()
    admin.screenshot(path=str(tmp_path / "erase-desktop.png"), full_page=True)
    admin.get_by_role("link", name="Cancelar").click()
    expect(admin).to_have_url(record)
    expect(admin.locator("#group-company")).to_contain_text("Padaria Teclado Ltda")
    expect(admin.get_by_role("status")).to_have_count(0)  # no "erased" banner
    with console_server.db() as session:
        client = session.get_one(Client, client_id)
        assert client.erased_at is None and client.company_name == "Padaria Teclado Ltda"

    admin.get_by_role("link", name="Apagar dados…").click()
    confirmation = admin.get_by_label(
        "Para confirmar, digite o CNPJ da empresa ou a palavra APAGAR"
    )
    confirmation.fill("apagar tudo")
    admin.get_by_role("button", name="Apagar definitivamente").click()
    expect(admin.locator("#confirmation-error")).to_have_text(
        "Digite o CNPJ da empresa ou a palavra APAGAR para confirmar."
    )
    with console_server.db() as session:
        assert session.get_one(Client, client_id).erased_at is None
    confirmation.fill("APAGAR")
    confirmation.press("Enter")
    expect(admin.get_by_role("status")).to_contain_text("foram apagados (LGPD)")
    expect(admin.locator("#edit-company")).to_have_count(0)
    admin.screenshot(path=str(tmp_path / "record-erased-desktop.png"), full_page=True)
    with console_server.db() as session:
        assert session.get_one(Client, client_id).erased_at is not None
