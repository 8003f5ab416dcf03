"""What was agreed, on the client's status page (issue #17), against a real server: agreements
recorded through the back-office API show in the client's language — open ones with their due
day as a person says it, overdue ones marked once the day has passed, done ones with the day
they were done; cancelled ones and another client's are not shown; the text is escaped."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
from sqlalchemy import select

from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.storage.models import Conversation
from tests.backoffice.factories import Roster, make_onboarding
from tests.client_page.conftest import IssuedToken
from tests.client_page.page_html import by_class, visible_text


def _seed(runtime: Runtime, clock: FakeClock, roster: Roster, *, language: str) -> tuple[int, int]:
    with runtime.sessions.begin() as session:
        onboarding = make_onboarding(session, now=clock.now(), csm_id=roster.csm_owner.id)
        conversation = session.scalars(
            select(Conversation).where(Conversation.onboarding_id == onboarding.id)
        ).one()
        conversation.language = language
        return onboarding.id, conversation.id


def _agree(api: httpx.Client, roster: Roster, onboarding_id: int, **body: str) -> int:
    answer = api.post(
        f"/api/v1/onboardings/{onboarding_id}/agreements",
        json=body,
        headers=roster.csm_owner.headers,
    )
    assert answer.status_code == 201, answer.text
    agreement_id: int = answer.json()["id"]
    return agreement_id


def _close(api: httpx.Client, roster: Roster, agreement_id: int, status: str) -> None:
    answer = api.patch(
        f"/api/v1/agreements/{agreement_id}",
        json={"status": status},
        headers=roster.csm_owner.headers,
    )
    assert answer.status_code == 200, answer.text


def _record(api: httpx.Client, roster: Roster, onboarding_id: int) -> None:
    """Tuesday 24/11: three open (one due Wednesday), one done today, one cancelled."""
    _agree(
        api,
        roster,
        onboarding_id,
        what="Enviar o contrato social <assinado>",
        owed_by="client",
        due_on="2026-11-26",
    )
    _agree(
        api,
        roster,
        onboarding_id,
        what="Liberar o acesso ao sistema",
        owed_by="company",
        due_on="2026-12-01",
        stage="configuracao",
    )
    _agree(
        api,
        roster,
        onboarding_id,
        what="Confirmar os dados bancários",
        owed_by="client",
        due_on="2026-11-25",
    )
    done = _agree(
        api, roster, onboarding_id, what="Agendar o kickoff", owed_by="company", due_on="2026-11-27"
    )
    _close(api, roster, done, "done")
    cancelled = _agree(
        api,
        roster,
        onboarding_id,
        what="Reunião desmarcada",
        owed_by="company",
        due_on="2026-11-27",
    )
    _close(api, roster, cancelled, "cancelled")


def test_the_page_shows_what_was_agreed_in_portuguese(
    runtime: Runtime,
    clock: FakeClock,
    roster: Roster,
    issue_link: Callable[..., IssuedToken],
    browser_http: httpx.Client,
) -> None:
    onboarding_id, conversation_id = _seed(runtime, clock, roster, language="pt")
    other_id, _other_conversation = _seed(runtime, clock, roster, language="pt")
    _record(browser_http, roster, onboarding_id)
    _agree(
        browser_http,
        roster,
        other_id,
        what="Segredo de outro cliente",
        owed_by="client",
        due_on="2026-11-26",
    )
    link = issue_link(onboarding_id, conversation_id=conversation_id)

    clock.advance(timedelta(days=1, hours=1))  # Wednesday: nothing is late yet
    page = browser_http.get(link.path)
    assert page.status_code == 200
    found = by_class(page.text, "agreement")
    lines = [(sorted(e.classes - {"agreement"})[0], e.text) for e in found]
    assert lines == [
        ("open", "Confirmar os dados bancários (da sua parte) — até quarta-feira, 25/11"),
        ("open", "Enviar o contrato social <assinado> (da sua parte) — até quinta-feira, 26/11"),
        ("open", "Liberar o acesso ao sistema (da nossa parte) — até terça-feira, 01/12"),
        ("done", "Agendar o kickoff (da nossa parte) — feito em 24/11/2026"),
    ]
    assert "&lt;assinado&gt;" in page.text  # staff's words are text, never markup
    text = visible_text(page.text)
    assert "O que combinamos" in text
    assert "Reunião desmarcada" not in text and "Segredo de outro cliente" not in text

    clock.advance(timedelta(days=1))  # Thursday: Wednesday's is late, Thursday's is not yet
    later = browser_http.get(link.path)
    states = {e.text.split(" (")[0]: e for e in by_class(later.text, "agreement")}
    late = states["Confirmar os dados bancários"]
    assert "overdue" in late.classes and late.text.endswith("25/11 atrasado")
    assert "open" in states["Enviar o contrato social <assinado>"].classes
    assert "atrasado" not in states["Enviar o contrato social <assinado>"].text


def test_the_page_shows_what_was_agreed_in_english(
    runtime: Runtime,
    clock: FakeClock,
    roster: Roster,
    issue_link: Callable[..., IssuedToken],
    browser_http: httpx.Client,
) -> None:
    onboarding_id, conversation_id = _seed(runtime, clock, roster, language="en")
    _record(browser_http, roster, onboarding_id)
    link = issue_link(onboarding_id, conversation_id=conversation_id)
    clock.advance(timedelta(days=2, hours=1))  # Thursday
    page = browser_http.get(link.path)
    texts = [e.text for e in by_class(page.text, "agreement")]
    assert texts == [
        "Confirmar os dados bancários (from you) — by Wednesday, November 25 overdue",
        "Enviar o contrato social <assinado> (from you) — by Thursday, November 26",
        "Liberar o acesso ao sistema (from us) — by Tuesday, December 1",
        "Agendar o kickoff (from us) — done on 24/11/2026",
    ]
    assert "What we agreed" in visible_text(page.text)


def test_nothing_agreed_says_so(
    runtime: Runtime,
    clock: FakeClock,
    roster: Roster,
    issue_link: Callable[..., IssuedToken],
    browser_http: httpx.Client,
) -> None:
    onboarding_id, conversation_id = _seed(runtime, clock, roster, language="pt")
    page = browser_http.get(issue_link(onboarding_id, conversation_id=conversation_id).path)
    assert by_class(page.text, "agreement") == []
    assert "Nada combinado ainda." in visible_text(page.text)
