"""The pipeline board in a real browser against a real ``onboard serve``: a card moved with the
keyboard only (Tab to **Mover para…**, Enter, arrow keys, a reason, Enter) lands in its new
column with the focus on it and shows in the onboarding's stage history (the API's); a card
dragged to another column asks for the reason and moves; a manager's board follows both live.
Screenshots at 360 px and at desktop width are written to ``tmp_path``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.storage.models import Onboarding
from tests.backoffice.factories import make_onboarding
from tests.e2e.console_server import ConsoleServer

pytestmark = pytest.mark.e2e


def _seed(server: ConsoleServer) -> dict[str, int]:
    now = datetime.now(UTC)
    csm_a = server.staff["csm_a"].id
    rows = {
        "keyboard": dict(stage="documentos", csm_id=csm_a, company="Padaria Teclado Ltda"),
        "dragged": dict(stage="cadastro", csm_id=csm_a, company="Oficina Arrasta Ltda"),
        "late": dict(
            stage="validacao",
            csm_id=csm_a,
            company="Mercado Atrasado Ltda",
            entered_at=now - timedelta(days=6),
        ),
        "queue": dict(stage="cadastro", csm_id=None, company="Livraria Fila Ltda"),
        "approval": dict(stage="aprovacao", csm_id=csm_a, company="Farmácia Aprova Ltda"),
    }
    ids: dict[str, int] = {}
    with server.db() as session, session.begin():
        for key, fields in rows.items():
            ids[key] = make_onboarding(session, now=now, **fields).id  # type: ignore[arg-type]
        flagged = session.get_one(Onboarding, ids["late"])
        flagged.red_flag, flagged.red_flag_reason = True, "contador não responde"
    return ids


def _focused_id(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def _tab_to(page: Any, element_id: str, *, limit: int = 120) -> None:
    """Presses Tab until ``element_id`` has the focus (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused_id(page) == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def _history(
    server: ConsoleServer, onboarding_id: int, role: str = "csm_a"
) -> list[dict[str, Any]]:
    with server.api(role) as api:
        answer = api.get(f"/onboardings/{onboarding_id}/history")
        answer.raise_for_status()
        rows: list[dict[str, Any]] = answer.json()
        return rows


# long: one end-to-end story, step after step as a person (or process) lives it
def test_a_card_moves_by_keyboard_and_by_drag_and_drop(
    browser: Any, console_server: ConsoleServer, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    ids = _seed(console_server)
    url = console_server.url
    watcher = console_server.page(browser, "manager")
    watcher.goto(f"{url}/console/board?segment=self_service")
    page = console_server.page(browser, "csm_a")
    page.goto(f"{url}/console/board")
    expect(page.get_by_role("heading", name="Funil", exact=True)).to_be_visible()
    keyboard = f"card-{ids['keyboard']}"
    expect(page.locator(f"#col-documentos #{keyboard}")).to_be_visible()
    expect(page.locator(f"#card-{ids['late']}")).to_contain_text("Atrasado")
    expect(page.locator(f"#card-{ids['late']}")).to_contain_text("contador não responde")
    page.screenshot(path=str(tmp_path / "board-desktop.png"), full_page=True)

    # ---- the keyboard only: Tab to "Mover para…", Enter, arrow keys, the reason, Enter.
    page.locator("body").focus()
    _tab_to(page, f"move-{ids['keyboard']}")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert _focused_id(page) == f"to-{ids['keyboard']}"
    page.keyboard.press("ArrowDown")  # validacao → cadastro
    page.keyboard.press("ArrowUp")  # → validacao
    assert page.locator(f"#to-{ids['keyboard']}").input_value() == "validacao"
    page.keyboard.press("Tab")
    assert _focused_id(page) == f"reason-{ids['keyboard']}"
    page.keyboard.type("Documentos conferidos pelo teclado")
    page.screenshot(path=str(tmp_path / "board-move-form.png"))
    page.keyboard.press("Enter")

    expect(page.locator(f"#col-validacao #{keyboard}")).to_be_visible()
    expect(page.locator(f"#col-documentos #{keyboard}")).to_have_count(0)
    expect(page.locator(f"#{keyboard}")).to_be_focused()  # the focus followed the card
    expect(page.locator("#live-region")).to_have_text("Movido para Validação")
    history = _history(console_server, ids["keyboard"])
    assert (history[-1]["from_stage"], history[-1]["to_stage"], history[-1]["reason"]) == (
        "documentos",
        "validacao",
        "Documentos conferidos pelo teclado",
    )
    assert history[-1]["actor"] == f"staff:{console_server.staff['csm_a'].id}"
    # The manager's board followed without a reload (sse:stage_changed).
    expect(watcher.locator(f"#col-validacao #{keyboard}")).to_be_visible(timeout=5_000)

    # ---- a refusal shown next to the control: a CSM cannot approve.
    approval = ids["approval"]
    page.locator(f"#move-{approval}").click()
    page.locator(f"#to-{approval}").select_option("configuracao")
    page.locator(f"#reason-{approval}").fill("tudo certo")
    page.locator(f"#move-submit-{approval}").click()
    expect(page.locator(f"#move-error-{approval}")).to_contain_text("precisa da aprovação")
    expect(page.locator(f"#col-aprovacao #card-{approval}")).to_be_visible()
    expect(page.locator("#live-region")).to_contain_text("precisa da aprovação")
    page.locator(f"#card-{approval}").screenshot(path=str(tmp_path / "board-refused.png"))
    page.locator(f"#move-{approval}").click()  # closes the form again

    # ---- drag and drop: the drop opens the same form with the stage chosen, asking why.
    dragged = f"card-{ids['dragged']}"
    page.drag_and_drop(f"#{dragged} h3", "#col-documentos")
    reason = page.locator(f"#reason-{ids['dragged']}")
    expect(reason).to_be_focused()
    assert page.locator(f"#to-{ids['dragged']}").input_value() == "documentos"
    reason.type("Cadastro completo")
    reason.press("Enter")
    expect(page.locator(f"#col-documentos #{dragged}")).to_be_visible()
    expect(page.locator("#live-region")).to_have_text("Movido para Documentos")
    assert _history(console_server, ids["dragged"])[-1]["to_stage"] == "documentos"
    expect(watcher.locator(f"#col-documentos #{dragged}")).to_be_visible(timeout=5_000)
    watcher.screenshot(path=str(tmp_path / "board-manager-desktop.png"), full_page=True)

    # ---- an open form is not swept away by a live refresh; a card given meanwhile to another
    # CSM is then refused with the 403 page in the main area.
    late = ids["late"]
    page.locator(f"#move-{late}").click()
    page.locator(f"#reason-{late}").fill("conferido")
    with console_server.api("manager") as api:
        api.put(
            f"/onboardings/{late}/csm", json={"csm_id": console_server.staff["csm_b"].id}
        ).raise_for_status()
    page.wait_for_timeout(1_500)  # the assigned event arrives; the refresh waits for the form
    expect(page.locator(f"#reason-{late}")).to_have_value("conferido")
    page.locator(f"#move-submit-{late}").click()
    expect(page.get_by_role("heading", name="Você não tem acesso a isto")).to_be_visible()
    assert _history(console_server, late, "manager")[-1]["to_stage"] == "validacao"  # not moved

    # ---- a phone: the columns scroll sideways, the cards stay readable.
    phone = console_server.page(browser, "csm_a", width=360, height=740)
    phone.goto(f"{url}/console/board")
    expect(phone.locator(f"#col-validacao #{keyboard}")).to_be_attached()
    wrap = phone.locator("#board .board-columns")
    assert wrap.evaluate("e => e.scrollWidth > e.clientWidth")  # sideways, not squeezed
    card_width = phone.locator(f"#card-{ids['queue']}").evaluate(
        "e => e.getBoundingClientRect().width"
    )
    assert 240 <= card_width <= 340
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # the page itself fits
    phone.screenshot(path=str(tmp_path / "board-360.png"), full_page=True)
    phone.locator(f"#move-{ids['queue']}").click()
    phone.screenshot(path=str(tmp_path / "board-360-move.png"))


def test_show_more_loads_a_column_s_next_cards_and_they_move(
    browser: Any, console_server: ConsoleServer
) -> None:
    """A column of 12 shows 10 and "Mostrar mais (2)": reached with Tab, opened with Enter, the
    next two arrive in the column with the focus on the first; the count says 12 throughout;
    a card loaded so moves with its "Mover para…" like any other."""
    from playwright.sync_api import expect

    now = datetime.now(UTC)
    csm_a = console_server.staff["csm_a"].id
    with console_server.db() as session, session.begin():
        ids = [
            make_onboarding(
                session,
                now=now,
                stage="configuracao",
                csm_id=csm_a,
                company=f"Comércio Coluna {n:02d} Ltda",
                entered_at=now - timedelta(days=30 - n),
            ).id
            for n in range(12)
        ]
    page = console_server.page(browser, "csm_a")
    page.goto(f"{console_server.url}/console/board")
    column = page.locator("#col-configuracao")
    expect(column.locator("article.bcard")).to_have_count(10)
    expect(column.locator("[data-count]")).to_have_attribute("data-count", "12")
    more = column.get_by_role("link", name="Mostrar mais (2)")
    expect(more).to_be_visible()
    page.locator("body").focus()
    for _ in range(400):
        page.keyboard.press("Tab")
        if more.evaluate("e => e === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached Mostrar mais")
    page.keyboard.press("Enter")
    expect(column.locator("article.bcard")).to_have_count(12)
    expect(column.get_by_role("link", name="Mostrar mais")).to_have_count(0)
    expect(page.locator(f"#card-{ids[10]}")).to_be_focused()
    expect(column.locator("[data-count]")).to_have_attribute("data-count", "12")

    # The first card loaded moves with the keyboard, from where the focus is.
    loaded = ids[10]
    _tab_to(page, f"move-{loaded}", limit=20)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert _focused_id(page) == f"to-{loaded}"
    assert page.locator(f"#to-{loaded}").input_value() == "treinamento"
    page.keyboard.press("Tab")
    page.keyboard.type("Configurado")
    page.keyboard.press("Enter")
    expect(page.locator(f"#col-treinamento #card-{loaded}")).to_be_visible()
    expect(page.locator(f"#card-{loaded}")).to_be_focused()
    assert _history(console_server, loaded)[-1]["to_stage"] == "treinamento"
