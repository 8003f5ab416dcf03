"""The reports in a real browser against a real ``onboard serve``: a manager's page shows the
API's numbers for the same data (every number marked on the page, charts included, held
against ``GET /api/v1/reports/...`` with the manager's token), the period filter is used with the
keyboard alone and the numbers follow, and the page reads at 360 px and on a desktop.

Screenshots in ``tmp_path``: ``reports-desktop.png``, ``reports-360.png``, ``team-360.png``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from backoffice.access import Principal, escalation_scope
from backoffice.reports import first_response_buckets
from backoffice.schemas.reports import Window
from tests.backoffice.factories import make_staff
from tests.console.reports_support import API_REPORTS, compare_page, seed_reports
from tests.e2e.console_server import ConsoleServer

pytestmark = pytest.mark.e2e

ZONE = ZoneInfo("America/Sao_Paulo")


def _documents(server: ConsoleServer, window: dict[str, str]) -> dict[str, Any]:
    with server.api("manager") as api:
        documents = {}
        for name in API_REPORTS:
            answer = api.get(f"/reports/{name}", params=window)
            assert answer.status_code == 200, answer.text
            documents[name] = answer.json()
    since, until = window.get("since"), window.get("until")
    bounds = Window(
        since=datetime.combine(date.fromisoformat(since), time(), tzinfo=ZONE) if since else None,
        until=datetime.combine(date.fromisoformat(until) + timedelta(days=1), time(), tzinfo=ZONE)
        if until
        else None,
    )
    manager = server.staff["manager"]
    with server.db() as session:
        principal = Principal(manager.id, "Manager", "manager", "alpha", None)
        documents["buckets"] = first_response_buckets(
            session, scope=escalation_scope(principal), window=bounds
        ).model_dump(mode="json")
    return documents


# long: one end-to-end story, step after step as a person (or process) lives it
def test_a_report_shows_the_apis_numbers_and_filters_by_keyboard(
    browser: Any, console_server: ConsoleServer, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    start = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(
        days=40
    )
    with console_server.db() as session, session.begin():
        beta, _token = make_staff(session, role="csm", team="beta", now=start)
        seed_reports(
            session, start=start, csm_id=console_server.staff["csm_a"].id, other_csm_id=beta.id
        )

    page = console_server.page(browser, "manager", width=1280)
    page.goto(f"{console_server.url}/console/reports")
    expect(page.get_by_role("heading", name="Funil por etapa")).to_be_visible()
    assert compare_page(page.content(), _documents(console_server, {})) >= 20
    expect(page.get_by_role("img", name="Cumprimento do SLA por etapa")).to_be_visible()
    page.screenshot(path=str(tmp_path / "reports-desktop.png"), full_page=True)

    # The period by keyboard alone: to the first day, type it, Tab, the last day, Enter.
    first = start.astimezone(ZONE).date()
    last = first + timedelta(days=25)
    since_field = page.get_by_label("De (dia)")
    since_field.focus()
    # The field's order of day and month is the browser's (dd/mm or mm/dd): type, check, retype.
    order = "%d%m%Y"
    page.keyboard.type(first.strftime(order))
    if since_field.input_value() != first.isoformat():
        order = "%m%d%Y"
        for _ in range(2):  # back to the field's first part (its parts are tab stops)
            page.keyboard.press("Shift+Tab")
        page.keyboard.type(first.strftime(order))
    assert since_field.input_value() == first.isoformat()
    until_field = page.get_by_label("Até (dia, incluído)")
    for _ in range(4):  # a date field's parts may be tab stops of their own
        page.keyboard.press("Tab")
        if until_field.evaluate("e => e === document.activeElement"):
            break
    expect(until_field).to_be_focused()
    page.keyboard.type(last.strftime(order))
    page.keyboard.press("Enter")
    expect(page).to_have_url(
        f"{console_server.url}/console/reports?since={first.isoformat()}&until={last.isoformat()}"
    )
    window = {"since": first.isoformat(), "until": last.isoformat()}
    documents = _documents(console_server, window)
    assert documents["duration"]["completed"] == 1  # the 45-day one ends after the window
    assert compare_page(page.content(), documents) >= 20
    expect(page.locator("#period-shown")).to_contain_text(first.strftime("%d/%m/%Y"))
    # The CSV link keeps the period.
    link = page.get_by_role("link", name="Baixar CSV: Funil por etapa")
    assert link.get_attribute("href") == (
        f"/console/reports/funnel.csv?since={first.isoformat()}&until={last.isoformat()}"
    )
    page.context.close()

    phone = console_server.page(browser, "manager", width=360, height=740)
    phone.goto(f"{console_server.url}/console/reports")
    expect(phone.get_by_role("heading", name="NPS", exact=True)).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways at 360 px ({width} px)"
    phone.screenshot(path=str(tmp_path / "reports-360.png"), full_page=True)
    phone.goto(f"{console_server.url}/console/team")
    expect(phone.get_by_role("heading", name="Carga por CSM")).to_be_visible()
    phone.screenshot(path=str(tmp_path / "team-360.png"), full_page=True)
    phone.context.close()


def _focused_id(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def _tab_to(page: Any, element_id: str, *, limit: int = 80) -> None:
    """Presses Tab until ``element_id`` has the focus (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused_id(page) == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_the_team_view_follows_live_and_reassigns_by_keyboard(
    browser: Any, console_server: ConsoleServer, tmp_path: Path
) -> None:
    """An escalation assigned elsewhere (the API) leaves the queue on the manager's open page
    without a reload; the manager then hands it to another CSM with the keyboard alone, hears
    it announced and keeps the focus on the same control."""
    from playwright.sync_api import expect

    from bot.storage.models import Escalation
    from tests.backoffice.factories import conversation_of, make_onboarding

    now = datetime.now(UTC)
    csm_a, csm_b = console_server.staff["csm_a"], console_server.staff["csm_b"]
    with console_server.db() as session, session.begin():
        make_onboarding(session, now=now, csm_id=csm_a.id, company="Padaria Alfa")
        queued = make_onboarding(session, now=now, company="Oficina Sem Dono")
        escalation = Escalation(
            conversation_id=conversation_of(session, queued).id,
            onboarding_id=queued.id,
            reason="request_human",
            queue="self_service",
            created_at=now,
        )
        session.add(escalation)
        session.flush()
        escalation_id = escalation.id

    page = console_server.page(browser, "manager", width=1280)
    page.goto(f"{console_server.url}/console/team")
    expect(page.get_by_role("heading", name="Escalonamentos sem responsável")).to_contain_text("1")
    page.wait_for_function(
        "() => { const el = document.querySelector('[sse-connect]');"
        " const data = el && el['htmx-internal-data'];"
        " return !!(data && data.sseEventSource && data.sseEventSource.readyState === 1); }"
    )
    with console_server.api("manager") as api:
        answer = api.post(f"/escalations/{escalation_id}/assign", json={"staff_id": csm_b.id})
        assert answer.status_code == 200, answer.text
    expect(page.get_by_text("Ninguém esperando na fila.")).to_be_visible(timeout=5_000)
    expect(page.locator(f'[data-load="{csm_b.id}"]')).to_have_text("1 de 10 escalonamentos")

    # By keyboard: unfold Csm B's work, choose Csm A, press the button.
    page.locator(f"#csm-{csm_b.id} summary").focus()
    page.keyboard.press("Enter")
    _tab_to(page, f"to-escalation-{escalation_id}")
    page.keyboard.press("ArrowDown")  # "Pela regra" → Csm A (the holder is not offered)
    assert page.locator(f"#to-escalation-{escalation_id}").input_value() == str(csm_a.id)
    page.keyboard.press("Tab")
    assert _focused_id(page) == f"reassign-escalation-{escalation_id}"
    page.keyboard.press("Enter")
    expect(page.locator("#live-region")).to_have_text(
        f"Escalonamento #{escalation_id} reatribuído."
    )
    expect(page.locator(f'[data-load="{csm_a.id}"]')).to_have_text("1 de 10 escalonamentos")
    assert _focused_id(page) == f"reassign-escalation-{escalation_id}"  # now under Csm A
    with console_server.api("manager") as api:
        assert api.get(f"/escalations/{escalation_id}").json()["assigned_to"] == csm_a.id
    page.screenshot(path=str(tmp_path / "team-desktop.png"), full_page=True)
    page.context.close()
