"""GET /s/{token} against a real server, section by section: the training with its booking
and invite, a finished onboarding (no expected date), each document as it stands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.storage.models import (
    Document,
    Onboarding,
)
from tests.backoffice.factories import Roster, make_booking
from tests.client_page.conftest import IssuedToken
from tests.client_page.page_html import by_class, visible_text
from tests.client_page.test_page import _seed


def test_the_training_section_shows_the_booking_and_its_invite(
    runtime: Runtime,
    clock: FakeClock,
    roster: Roster,
    issue_link: Callable[..., IssuedToken],
    browser_http: httpx.Client,
) -> None:
    onboarding_id, conversation_id = _seed(
        runtime, clock, stage="treinamento", csm_id=roster.csm_owner.id
    )
    starts = clock.now() + timedelta(days=2)
    with runtime.sessions() as session, session.begin():
        booking = make_booking(
            session,
            onboarding_id=onboarding_id,
            csm_id=roster.csm_owner.id,
            starts_at=starts,
            now=clock.now(),
        )
        uid = booking.uid
    page = browser_http.get(issue_link(onboarding_id, conversation_id=conversation_id).path)
    token = uid.split("@", 1)[0]
    assert f'href="/invites/{token}.ics"' in page.text
    assert starts.astimezone(_zone()).strftime("%d/%m/%Y %H:%M") in page.text
    assert "meet.example.com/treino" in page.text


def _zone() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("America/Sao_Paulo")


@pytest.mark.parametrize(
    ("stage", "says"),
    [
        ("concluido", "Sua implantação foi concluída"),
        ("cancelado", "Esta implantação foi cancelada"),
    ],
)
def test_a_finished_onboarding_says_so_without_a_date(
    runtime: Runtime,
    clock: FakeClock,
    issue_link: Callable[..., IssuedToken],
    browser_http: httpx.Client,
    stage: str,
    says: str,
) -> None:
    onboarding_id, conversation_id = _seed(runtime, clock, stage=stage)
    page = browser_http.get(issue_link(onboarding_id, conversation_id=conversation_id).path)
    assert says in visible_text(page.text)
    assert "Previsão" not in page.text
    steps = by_class(page.text, "step")
    assert "current" in steps[-1].classes
    if stage == "cancelado":  # only the stages it went through, then the cancellation
        assert [s.text.split(" ")[1] for s in steps] == ["Cadastro", "Documentos", "Cancelado"]


def test_each_document_reads_as_it_stands(
    runtime: Runtime,
    clock: FakeClock,
    issue_link: Callable[..., IssuedToken],
    browser_http: httpx.Client,
) -> None:
    onboarding_id, conversation_id = _seed(runtime, clock)
    now = clock.now()
    link = issue_link(onboarding_id, conversation_id=conversation_id)

    def states() -> list[tuple[str, str]]:
        page = browser_http.get(link.path).text
        return [
            (d.text.split(":")[0], sorted(d.classes - {"document"})[0])
            for d in by_class(page, "document")
        ]

    assert states() == [("cartão CNPJ", "missing"), ("CNH ou RG do responsável", "missing")]
    with runtime.sessions() as session, session.begin():
        client_id = session.get_one(Onboarding, onboarding_id).client_id
        waiting = Document(
            client_id=client_id,
            conversation_id=conversation_id,
            source_channel="web",
            status="pending",
            received_at=now,
        )
        session.add(waiting)
        session.flush()
        waiting_id = waiting.id
    assert states()[0] == ("cartão CNPJ", "received")  # not read yet: no kind, the first gap
    with runtime.sessions() as session, session.begin():
        session.get_one(Document, waiting_id).claimed_until = now + timedelta(minutes=1)
    assert states()[0] == ("cartão CNPJ", "reading")
    with runtime.sessions() as session, session.begin():
        document = session.get_one(Document, waiting_id)
        document.status, document.kind, document.claimed_until = "read", "cnpj_card", None
        document.extraction = {
            "fields": {"razao_social": "PADARIA PAO QUENTE LTDA", "cnpj": "11222333000181"}
        }
    page = browser_http.get(link.path).text
    assert states()[0] == ("cartão CNPJ", "read")
    shown = by_class(page, "fields")[0].text
    # The client reads names and identifiers as people write them, not the OCR's keys.
    assert "Razão social" in shown and "PADARIA PAO QUENTE LTDA" in shown
    assert "11.222.333/0001-81" in shown
    assert "razao_social" not in shown and "11222333000181" not in shown
    with runtime.sessions() as session, session.begin():
        session.get_one(Document, waiting_id).confirmed_at = now
    assert states() == [("cartão CNPJ", "confirmed"), ("CNH ou RG do responsável", "missing")]
