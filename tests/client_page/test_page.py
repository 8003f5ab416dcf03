"""GET /s/{token} against a real server: what the page shows equals the back-office's record
(stage, timeline with dates, expected date from the SLA, documents, CSM, training, history), in
the client's language; one 404 for every token that opens nothing; a link preview changes
nothing at all; the security headers; the rate limits; the size of the first load."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from backoffice.client_page.view import expected_text
from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.storage.models import (
    Base,
    Client,
    Conversation,
    Document,
    Onboarding,
    StaffUser,
    StageChange,
    StatusLink,
)
from tests.backoffice.factories import Roster, make_onboarding
from tests.client_page.conftest import BROWSER, IssuedToken
from tests.client_page.page_html import by_class, visible_text

PREVIEWERS = (
    "WhatsApp/2.23.20.0 A",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "TelegramBot (like TwitterBot)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Twitterbot/1.0",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl/8.5.0",
    "",
)


def _seed(
    runtime: Runtime,
    clock: FakeClock,
    *,
    csm_id: int | None = None,
    language: str = "pt",
    stage: str = "documentos",
    channel: str = "twilio_whatsapp",
) -> tuple[int, int]:
    """An onboarding moved cadastro → documentos (→ stage): (onboarding id, conversation id)."""
    now = clock.now()
    with runtime.sessions() as session, session.begin():
        onboarding = make_onboarding(
            session,
            now=now - timedelta(days=3),
            stage="cadastro",
            csm_id=csm_id,
            channel=channel,
            company="Padaria Pão Quente Ltda",
        )
        path = ["documentos"] + ([stage] if stage != "documentos" else [])
        previous, at = "cadastro", now - timedelta(days=2)
        for step in path:
            session.add(
                StageChange(
                    onboarding_id=onboarding.id,
                    from_stage=previous,
                    to_stage=step,
                    at=at,
                    actor="bot",
                    reason="test",
                )
            )
            previous, at = step, at + timedelta(days=1)
        onboarding.stage = stage
        onboarding.stage_entered_at = at - timedelta(days=1)
        conversation = session.scalars(
            select(Conversation).where(Conversation.onboarding_id == onboarding.id)
        ).one()
        conversation.language = language
        return onboarding.id, conversation.id


def _table_rows(runtime: Runtime) -> dict[str, list[tuple[Any, ...]]]:
    with runtime.sessions() as session:
        return {
            table.name: sorted((tuple(row) for row in session.execute(table.select())), key=repr)
            for table in Base.metadata.sorted_tables
        }


def _api_record(url: str, token: str, client_id: int) -> dict[str, Any]:
    with httpx.Client(base_url=url, timeout=20) as api:
        answer = api.get(
            f"/api/v1/clients/{client_id}", headers={"Authorization": f"Bearer {token}"}
        )
        answer.raise_for_status()
        record: dict[str, Any] = answer.json()
        return record


# long: the page compared field by field with one onboarding's record
def test_the_page_shows_what_the_back_office_records(
    runtime: Runtime,
    clock: FakeClock,
    roster: Roster,
    issue_link: Callable[..., IssuedToken],
    browser_http: httpx.Client,
    page_url: str,
) -> None:
    onboarding_id, conversation_id = _seed(runtime, clock, csm_id=roster.csm_owner.id)
    now = clock.now()
    with runtime.sessions() as session, session.begin():
        client_id = session.get_one(Onboarding, onboarding_id).client_id
        session.add_all(
            [
                Document(
                    client_id=client_id,
                    conversation_id=conversation_id,
                    kind="cnpj_card",
                    source_channel="twilio_whatsapp",
                    status="read",
                    received_at=now,
                    confirmed_at=now,
                    extraction={"fields": {"cnpj": "11222333000181"}},
                ),
                Document(
                    client_id=client_id,
                    conversation_id=conversation_id,
                    kind="cnh",
                    source_channel="twilio_whatsapp",
                    status="rejected",
                    received_at=now,
                    extraction={"rejected_pt": "A foto está desfocada.", "tip_pt": "Use mais luz."},
                ),
            ]
        )
    link = issue_link(onboarding_id, conversation_id=conversation_id)
    page = browser_http.get(link.path)
    assert page.status_code == 200
    record = _api_record(page_url, roster.admin.token, client_id)
    [onboarding] = record["onboardings"]
    assert onboarding["stage"] == "documentos"
    # the current stage and its expected date: the SLA's due instant, as a person says it
    sla = onboarding["sla"]
    due = datetime.fromisoformat(sla["due_at"])
    assert expected_text(due, language="pt_BR", timezone="America/Sao_Paulo") in page.text
    assert by_class(page.text, "stage")[0].text == "Documentos"
    # the timeline: the segment's stages, done with the date each was left, current, next
    steps = by_class(page.text, "step")
    states = [(s.text.split(" ")[1], sorted(s.classes - {"step"})[0]) for s in steps]
    assert states[:3] == [("Cadastro", "done"), ("Documentos", "current"), ("Validação", "next")]
    assert [name for name, _ in states] == [
        "Cadastro",
        "Documentos",
        "Validação",
        "Aprovação",
        "Configuração",
        "Treinamento",
        "Ativação",
        "Concluído",
    ]
    left_cadastro = next(h for h in record["stage_history"] if h["from_stage"] == "cadastro")["at"]
    day = datetime.fromisoformat(left_cadastro).astimezone(due.tzinfo).strftime("%d/%m/%Y")
    assert f"concluída em {day}" in steps[0].text
    assert steps[1].attrs.get("aria-current") == "step"
    # the documents, each as the record has it, the one to redo with the reader's reason
    lines = {d.text.split(":")[0]: d for d in by_class(page.text, "document")}
    assert "confirmed" in lines["cartão CNPJ"].classes
    assert [d["status"] for d in record["documents"]] == ["read", "rejected"]
    redo = lines["CNH ou RG do responsável"]
    assert "redo" in redo.classes
    assert "A foto está desfocada." in redo.text and "Use mais luz." in redo.text
    # the CSM, the way back to the chat, the history as the record has it
    text = visible_text(page.text)
    assert f"Responsável pela sua conta: {_staff_name(runtime, roster.csm_owner.id)}" in text
    assert 'href="https://wa.me/5511900000000"' in page.text
    history = by_class(page.text, "history")[0]
    assert history.text.count("→") == len(record["stage_history"]) - 1  # the first has no from
    assert "Cadastro → Documentos" in history.text


def _staff_name(runtime: Runtime, staff_id: int) -> str:
    with runtime.sessions() as session:
        return session.get_one(StaffUser, staff_id).name


def test_every_token_that_opens_nothing_gets_the_same_404(
    runtime: Runtime,
    clock: FakeClock,
    roster: Roster,
    issue_link: Callable[..., IssuedToken],
    browser_http: httpx.Client,
) -> None:
    onboarding_id, conversation_id = _seed(runtime, clock)
    expired = issue_link(onboarding_id, conversation_id=conversation_id, days=1)
    revoked = issue_link(onboarding_id, conversation_id=conversation_id)
    erased_id, erased_conversation = _seed(runtime, clock)
    erased = issue_link(erased_id, conversation_id=erased_conversation)
    live = issue_link(onboarding_id, conversation_id=conversation_id)
    with runtime.sessions() as session, session.begin():
        session.get_one(StatusLink, revoked.link_id).revoked_at = clock.now()
        client_id = session.get_one(Onboarding, erased_id).client_id
        session.get_one(Client, client_id).erased_at = clock.now()
    clock.advance(timedelta(days=1))
    paths = {
        "expired": expired.path,
        "revoked": revoked.path,
        "erased": erased.path,
        "malformed": "/s/abc",
        "too long": "/s/" + "A" * 190,
        "bad characters": "/s/" + "%21" * 43,
        "unknown": "/s/" + "B" * 43,
        "one character more": live.path + "A",
    }
    answers = {name: browser_http.get(path) for name, path in paths.items()}
    assert {name: a.status_code for name, a in answers.items()} == dict.fromkeys(paths, 404)
    bodies = {a.text for a in answers.values()}
    assert len(bodies) == 1, "every refusal must read the same"
    [body] = bodies
    assert "Este link não abre mais nenhuma página" in body and "STATUS" in body
    assert "Padaria" not in body
    assert browser_http.get(live.path).status_code == 200  # the live one still opens
    with runtime.sessions() as session:
        assert session.get_one(StatusLink, expired.link_id).opened_count == 0


def test_a_link_preview_or_a_prefetch_changes_nothing_at_all(
    runtime: Runtime,
    clock: FakeClock,
    issue_link: Callable[..., IssuedToken],
    page_url: str,
) -> None:
    onboarding_id, conversation_id = _seed(runtime, clock)
    link = issue_link(onboarding_id, conversation_id=conversation_id)
    before = _table_rows(runtime)
    with httpx.Client(base_url=page_url, timeout=20) as http:
        for agent in PREVIEWERS:
            answer = http.get(link.path, headers={"User-Agent": agent})
            assert answer.status_code == 200, agent
            assert "Padaria Pão Quente Ltda" in answer.text  # the preview is the page itself
        for header in (
            {"Sec-Purpose": "prefetch"},
            {"Purpose": "prefetch"},
            {"Sec-Purpose": "prefetch;prerender"},
        ):
            answer = http.get(link.path, headers={"User-Agent": BROWSER, **header})
            assert answer.status_code == 200
    assert _table_rows(runtime) == before
    with httpx.Client(base_url=page_url, timeout=20, headers={"User-Agent": BROWSER}) as http:
        http.get(link.path)
        http.get(link.path)
    with runtime.sessions() as session:
        row = session.get_one(StatusLink, link.link_id)
        assert (row.opened_count, row.last_opened_at) == (2, clock.now())


def test_the_page_and_its_refusals_carry_the_security_headers(
    runtime: Runtime,
    clock: FakeClock,
    issue_link: Callable[..., IssuedToken],
    browser_http: httpx.Client,
) -> None:
    onboarding_id, conversation_id = _seed(runtime, clock)
    link = issue_link(onboarding_id, conversation_id=conversation_id)
    for answer in (browser_http.get(link.path), browser_http.get("/s/nothing")):
        headers = answer.headers
        assert headers["X-Robots-Tag"] == "noindex, nofollow"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cache-Control"] == "no-store"
        assert headers["X-Frame-Options"] == "DENY"
        policy = dict(
            part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";")
        )
        assert policy["default-src"] == "'none'"
        assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
        assert policy["frame-ancestors"] == "'none'" and policy["form-action"] == "'self'"
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert '<meta name="robots" content="noindex, nofollow">' in answer.text
        assert "<script" not in answer.text and " style=" not in answer.text
        assert headers["content-type"].startswith("text/html")


def test_the_page_is_in_the_clients_language(
    runtime: Runtime,
    clock: FakeClock,
    roster: Roster,
    issue_link: Callable[..., IssuedToken],
    browser_http: httpx.Client,
) -> None:
    english_id, english_conversation = _seed(
        runtime, clock, language="en", csm_id=roster.csm_owner.id, channel="telegram"
    )
    portuguese_id, portuguese_conversation = _seed(runtime, clock, language="pt")
    english = browser_http.get(
        issue_link(english_id, conversation_id=english_conversation).path
    ).text
    portuguese = browser_http.get(
        issue_link(portuguese_id, conversation_id=portuguese_conversation).path
    ).text
    assert '<html lang="en">' in english and '<html lang="pt-BR">' in portuguese
    assert "Your onboarding: Documents" in visible_text(english)
    assert "Sua implantação: Documentos" in visible_text(portuguese)
    assert "Expected by" in english and "Previsão:" in portuguese
    due = by_class(english, "due")[0].text
    assert any(day in due for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"))
    assert "CNPJ card" in english and "cartão CNPJ" in portuguese
    assert 'href="https://t.me/acolhe_bot"' in english  # the contact writes on Telegram
    assert "Sua" not in visible_text(english) and "Your" not in visible_text(portuguese)


def test_the_first_load_is_under_100_kb(
    runtime: Runtime,
    clock: FakeClock,
    issue_link: Callable[..., IssuedToken],
    browser_http: httpx.Client,
) -> None:
    onboarding_id, conversation_id = _seed(runtime, clock, stage="treinamento")
    page = browser_http.get(issue_link(onboarding_id, conversation_id=conversation_id).path)
    assets = [browser_http.get(href) for href in _assets(page.text)]
    assert assets and all(a.status_code == 200 for a in assets)
    total = len(page.content) + sum(len(a.content) for a in assets)
    print(
        f"status page first load: {len(page.content)} B html + "
        f"{sum(len(a.content) for a in assets)} B assets = {total} B"
    )
    assert total < 100 * 1024


def _assets(html: str) -> list[str]:
    import re

    return re.findall(r'(?:href|src)="(/status-page/static/[^"]+)"', html)
