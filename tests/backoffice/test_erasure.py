"""LGPD: the client asks the bot to erase their data, a manager confirms, the client is told on
their channel (the web chat's page too), and afterwards no table, no key, no file and no link
holds any of their values — while the anonymous onboarding figures remain. The export holds
every row kept about the client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import JSON, String, Text, select
from sqlalchemy.orm import Session

from bot.alerts import raise_alert
from bot.bootstrap import Runtime
from bot.channels.invites import invite_router
from bot.channels.twilio_whatsapp import TwilioSender
from bot.documents.store import DocumentStore
from bot.domain.clock import FakeClock
from bot.domain.company import CompanyLookupResult
from bot.domain.messages import Channel
from bot.service.companies import record_company_check
from bot.service.training import book, invite_token
from bot.storage.models import (
    Alert,
    Base,
    CompanyRegistry,
    Conversation,
    Document,
    Message,
    NpsResponse,
    Onboarding,
    ScheduledJob,
    StaffUser,
    StageChange,
    TrainingSlot,
)
from bot.workers.outbox import OutboxWorker
from tests.backoffice.factories import Roster
from tests.fakes import FakeTwilio
from tests.support.conversation import Chat, register
from tests.support.server import serving

PHONE = "+5511987654321"
PERSONAL = (
    "11222333000181",
    "11.222.333/0001-81",
    "Padaria",
    "Pão Quente",
    "paoquente",
    "Maria",
    "Silva",
    "João",
    "Souza",
    "98765",
    "5511987654321",
    "99876",
    "01310100",
    "01310-100",
    "Paulista",
    "sala 12",
    "12345678909",  # the CPF an identity document carried
    "123.456.789-09",
)


@pytest.fixture
def invites(runtime: Runtime) -> Iterator[str]:
    """The unauthenticated ``GET /invites/{token}.ics`` route, served on loopback."""
    app = FastAPI()
    app.include_router(
        invite_router(sessions=runtime.sessions, clock=runtime.clock, timezone="America/Sao_Paulo")
    )
    with serving(app) as url:
        yield url


def _book_training(session: Session, *, onboarding_id: int, clock: FakeClock) -> str:
    """A seat in a session of a CSM, the invite sent to the client's admin e-mail; its token."""
    csm = StaffUser(
        name="Beatriz Ramos", email="beatriz@acolhe.example", role="csm", created_at=clock.now()
    )
    session.add(csm)
    session.flush()
    starts = clock.now() + timedelta(days=2)
    slot = TrainingSlot(
        csm_id=csm.id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        capacity=2,
        seats_taken=0,
        meeting_url="https://meet.example.com/treino",
        status="open",
        created_at=clock.now(),
    )
    session.add(slot)
    session.flush()
    booked = book(
        session,
        slot_id=slot.id,
        onboarding_id=onboarding_id,
        now=clock.now(),
        attendee_email="maria@paoquente.com.br",
    )
    return invite_token(booked.uid)


def _text_values(session: Session) -> list[tuple[str, str]]:
    """(table.column, value) for every text-like value in every table."""
    found: list[tuple[str, str]] = []
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
        if not columns:
            continue
        for row in session.execute(select(*columns)):
            for column, value in zip(columns, row, strict=True):
                if value is None:
                    continue
                text = (
                    json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
                )
                found.append((f"{table.name}.{column.name}", text))
    return found


def _leaks(session: Session, needles: tuple[str, ...] = PERSONAL) -> list[str]:
    return [
        f"{where}: {needle!r} in {value[:80]!r}"
        for where, value in _text_values(session)
        for needle in needles
        if needle.lower() in value.lower()
    ]


# long: one erasure end to end; every table, key, file and link is checked after the same erasure
async def test_erasure_leaves_no_personal_data_and_tells_the_client(
    api: httpx.Client,
    runtime: Runtime,
    roster: Roster,
    clock: FakeClock,
    documents: DocumentStore,
    documents_dir: Path,
    invites: str,
) -> None:
    chat = Chat(runtime, address=PHONE, channel=Channel.TWILIO_WHATSAPP)
    register(chat)
    chat.say("1")
    with runtime.sessions() as session, session.begin():
        conversation = session.scalars(select(Conversation)).one()
        client_id, onboarding_id = conversation.client_id, conversation.onboarding_id
        assert client_id is not None and onboarding_id is not None
        content = "Cartão CNPJ 11.222.333/0001-81 PADARIA PÃO QUENTE LTDA".encode()
        sha = documents.put(content)
        session.add(
            Document(
                client_id=client_id,
                conversation_id=conversation.id,
                kind="cnpj_card",
                source_channel="twilio_whatsapp",
                status="read",
                filename="Cartao CNPJ Padaria Pao Quente.pdf",
                media_url="https://api.twilio.com/media/ME1?owner=Maria",
                mime="application/pdf",
                size=len(content),
                sha256=sha,
                received_at=clock.now(),
                extraction={
                    "kind": "cnpj_card",
                    "fields": {"cnpj": "11222333000181", "razao_social": "PADARIA PAO QUENTE"},
                },
            )
        )
        session.add(
            NpsResponse(
                onboarding_id=onboarding_id,
                client_id=client_id,
                score=9,
                comment="A Maria adorou",
                answered_at=clock.now(),
            )
        )
        session.add(
            CompanyRegistry(
                client_id=client_id,
                cnpj="11222333000181",
                razao_social="PADARIA PAO QUENTE",
                situacao="ATIVA",
                raw={"municipio": "SAO PAULO"},
                checked_at=clock.now(),
            )
        )
        session.add(
            Document(
                client_id=client_id,
                conversation_id=conversation.id,
                kind="identity",
                source_channel="twilio_whatsapp",
                status="read",
                received_at=clock.now(),
                extraction={"fields": {"cpf": "123.456.789-09", "name": "MARIA DA SILVA"}},
            )
        )
        # BrasilAPI was down: the look-up is retried in the background, as the bot does it.
        onboarding = session.get_one(Onboarding, onboarding_id)
        record_company_check(
            session,
            client_id=client_id,
            onboarding=onboarding,
            cnpj="11222333000181",
            result=CompanyLookupResult("unavailable"),
            young_days=90,
            now=clock.now(),
            conversation_id=conversation.id,
        )
        raise_alert(
            session,
            kind="client_idle",
            subject_key="conversation:1",
            period_key="p",
            title="Cliente parado: Padaria Pão Quente",
            body="Maria sem resposta",
            onboarding_id=onboarding_id,
            now=clock.now(),
        )
        # The daily digest names several clients and is linked to none of them.
        raise_alert(
            session,
            kind="daily_digest",
            subject_key="digest",
            period_key="2026-11-24",
            title="Resumo diário 24/11/2026: 2 onboarding(s) parado(s)",
            body=(
                f"• #{onboarding_id} Padaria Pão Quente Ltda — Cadastro: sem atividade há 3 dias\n"
                "• #99 Oficina Boa Vista — Documentos: sem atividade há 5 dias"
            ),
            now=clock.now(),
        )
        token = _book_training(session, onboarding_id=onboarding_id, clock=clock)
    headers = roster.manager.headers
    staff_writes = [
        api.post(
            f"/clients/{client_id}/notes",
            json={"text": "Maria pediu retorno no (11) 98765-4321"},
            headers=headers,
        ),
        api.put(
            f"/onboardings/{onboarding_id}/red-flag",
            json={"reason": "Maria da Padaria sem resposta"},
            headers=headers,
        ),
        api.post(
            f"/onboardings/{onboarding_id}/pauses",
            json={"reason": "aguardando Maria enviar o contrato"},
            headers=headers,
        ),
        api.post(
            f"/onboardings/{onboarding_id}/transitions",
            json={"to_stage": "validacao", "reason": "docs da Maria ok"},
            headers=headers,
        ),
        api.post(
            f"/onboardings/{onboarding_id}/transitions",
            json={"to_stage": "aprovacao", "reason": "ok"},
            headers=headers,
        ),
        api.post(f"/onboardings/{onboarding_id}/approve", json={}, headers=headers),
    ]
    assert [r.status_code for r in staff_writes] == [201, 200, 201, 200, 200, 200]
    assert any("Pão Quente" in v for _w, v in _text_values_of(runtime))  # data is there
    invite = httpx.get(f"{invites}/invites/{token}.ics")
    assert invite.status_code == 200 and "maria@paoquente.com.br" in invite.text

    assert "Confirma" in chat.say("quero apagar meus dados")
    chat.say("sim")
    requests = api.get("/erasure-requests", params={"status": "requested"}, headers=headers)
    (request,) = requests.json()["items"]
    assert request["client_id"] == client_id

    confirmed = api.post(f"/erasure-requests/{request['id']}/confirm", headers=headers)
    assert confirmed.status_code == 200, confirmed.text
    outcome = confirmed.json()
    assert outcome["request"]["status"] == "notifying" and outcome["notices_queued"] == 1
    assert outcome["files_deleted"] == 1
    assert not documents.exists(sha)
    assert (
        api.post(f"/erasure-requests/{request['id']}/confirm", headers=headers).status_code == 409
    )

    # The notice goes out on WhatsApp while the address still exists.
    with FakeTwilio() as twilio:
        async with TwilioSender(
            account_sid=twilio.account_sid,
            auth_token=twilio.auth_token,
            from_number="+14155238886",
            api_url=twilio.url,
            timeout_s=5,
        ) as sender:
            worker = OutboxWorker(
                sessions=runtime.sessions, senders={"twilio_whatsapp": sender}, clock=runtime.clock
            )
            while await worker.run_once():
                pass
        sent = list(twilio.sent)
    assert len(sent) == 1 and sent[0].to == f"whatsapp:{PHONE}"
    assert sent[0].body and "dados pessoais foram apagados" in sent[0].body

    finished = api.post("/erasure-requests/finish", headers=roster.admin.headers)
    assert finished.json() == {"completed": 1}
    assert (
        api.get("/erasure-requests", params={"status": "done"}, headers=headers).json()["total"]
        == 1
    )

    with runtime.sessions() as session:
        leaks = _leaks(session)
        assert not leaks, "\n".join(leaks)
        # Anonymous figures stay: the onboarding, its stages and the message count.
        onboarding = session.get_one(Onboarding, onboarding_id)
        assert onboarding.stage == "configuracao" and onboarding.segment == "self_service"
        stages = session.scalars(
            select(StageChange.to_stage).where(StageChange.onboarding_id == onboarding_id)
        ).all()
        assert "aprovacao" in stages
        assert session.scalars(select(NpsResponse.score)).all() == [9]
        assert len(session.scalars(select(Message)).all()) > 20
        # Nothing more goes to the erased client: the pending look-up was cancelled.
        assert session.scalars(select(ScheduledJob.status)).all() == ["cancelled"]
        # The digest keeps the other client's line.
        digest = session.scalars(select(Alert.body).where(Alert.kind == "daily_digest")).one()
        assert "Oficina Boa Vista" in digest
    files = [p for p in documents_dir.rglob("*") if p.is_file()]
    assert files == []
    # The invite link is a capability nobody should still hold: the erased client's is gone.
    assert httpx.get(f"{invites}/invites/{token}.ics").status_code == 404

    exported = api.get(f"/clients/{client_id}/export", headers=headers).json()
    flat = json.dumps(exported, ensure_ascii=False).lower()
    assert not [needle for needle in PERSONAL if needle.lower() in flat]
    assert exported["client"]["erased_at"]
    funnel = api.get("/reports/funnel", headers=headers).json()
    self_service = next(s for s in funnel["segments"] if s["segment"] == "self_service")
    assert self_service["started"] == 1

    # Writing again starts afresh: a new conversation, not the erased one.
    assert chat.say("oi")
    with runtime.sessions() as session:
        assert len(session.scalars(select(Conversation)).all()) == 2


def _text_values_of(runtime: Runtime) -> list[tuple[str, str]]:
    with runtime.sessions() as session:
        return _text_values(session)
