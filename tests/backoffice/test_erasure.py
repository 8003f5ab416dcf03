"""LGPD: the client asks the bot to erase their data, a manager confirms, the client is told on
their channel, and afterwards no table and no file holds any of their values — while the
anonymous onboarding figures remain."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from sqlalchemy import JSON, String, Text, select
from sqlalchemy.orm import Session

from bot.bootstrap import Runtime
from bot.channels.twilio_whatsapp import TwilioSender
from bot.documents.store import DocumentStore
from bot.domain.clock import FakeClock
from bot.domain.messages import Channel
from bot.storage.models import Base, Conversation, Document, Message, Onboarding, StageChange
from bot.alerts import raise_alert
from bot.service.jobs import schedule_job
from bot.storage.models_backoffice import NpsResponse
from bot.storage.models_schedule import CompanyRegistry, ScheduledJob
from bot.workers.outbox import OutboxWorker
from tests.backoffice.factories import Roster
from tests.fakes import FakeTwilio
from tests.support.conversation import Chat, register

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
)


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


def _leaks(session: Session) -> list[str]:
    return [
        f"{where}: {needle!r} in {value[:80]!r}"
        for where, value in _text_values(session)
        for needle in PERSONAL
        if needle.lower() in value.lower()
    ]


async def test_erasure_leaves_no_personal_data_and_tells_the_client(
    api: httpx.Client,
    runtime: Runtime,
    roster: Roster,
    clock: FakeClock,
    documents: DocumentStore,
    documents_dir: Path,
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
                client_id=client_id, cnpj="11222333000181", razao_social="PADARIA PAO QUENTE",
                situacao="ATIVA", raw={"municipio": "SAO PAULO"}, checked_at=clock.now(),
            )
        )
        schedule_job(
            session, kind="cnpj_lookup", key="cnpj_lookup:test", due_at=clock.now(),
            now=clock.now(), conversation_id=conversation.id, onboarding_id=onboarding_id,
            payload={"cnpj": "11222333000181"},
        )
        raise_alert(
            session, kind="client_idle", subject_key="conversation:1", period_key="p",
            title="Cliente parado: Padaria Pão Quente", body="Maria sem resposta",
            onboarding_id=onboarding_id, now=clock.now(),
        )
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
    files = [p for p in documents_dir.rglob("*") if p.is_file()]
    assert files == []

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


def test_refusal_tells_the_client_and_keeps_the_data(
    api: httpx.Client, runtime: Runtime, roster: Roster
) -> None:
    chat = Chat(runtime, address="+5511933332222", channel=Channel.TWILIO_WHATSAPP)
    chat.say("oi")
    chat.say("1")
    chat.say("Maria da Silva")
    chat.say("quero apagar meus dados")
    chat.say("sim")
    (request,) = api.get("/erasure-requests", headers=roster.manager.headers).json()["items"]
    refused = api.post(f"/erasure-requests/{request['id']}/refuse", headers=roster.manager.headers)
    assert refused.status_code == 200 and refused.json()["request"]["status"] == "refused"
    with runtime.sessions() as session:
        notice = session.scalars(select(Message).order_by(Message.id.desc())).first()
        assert notice is not None and notice.author == "system"
        assert "obrigação legal" in notice.text
        conversation = session.scalars(select(Conversation)).one()
        assert conversation.address == "+5511933332222"
        assert any("Maria" in v for _w, v in _text_values(session))
