"""The LGPD export of a client: every row kept about them, bookings, scheduled jobs and the
Receita snapshot included."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.domain.company import CompanyLookupResult
from bot.domain.messages import Channel
from bot.service.companies import record_company_check
from bot.storage.models import (
    CompanyRegistry,
    Conversation,
    Onboarding,
)
from tests.backoffice.factories import Roster
from tests.backoffice.test_erasure import PHONE, _book_training
from tests.support.conversation import Chat, register


def test_the_export_holds_bookings_jobs_and_the_receita_snapshot(
    api: httpx.Client, runtime: Runtime, roster: Roster, clock: FakeClock
) -> None:
    chat = Chat(runtime, address=PHONE, channel=Channel.TWILIO_WHATSAPP)
    register(chat)
    chat.say("1")
    with runtime.sessions.begin() as session:
        conversation = session.scalars(select(Conversation)).one()
        client_id, onboarding_id = conversation.client_id, conversation.onboarding_id
        assert client_id is not None and onboarding_id is not None
        record_company_check(
            session,
            client_id=client_id,
            onboarding=session.get(Onboarding, onboarding_id),
            cnpj="11222333000181",
            result=CompanyLookupResult("unavailable"),
            young_days=90,
            now=clock.now(),
            conversation_id=conversation.id,
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
        _book_training(session, onboarding_id=onboarding_id, clock=clock)
    exported = api.get(f"/clients/{client_id}/export", headers=roster.manager.headers).json()
    (booking,) = exported["training_bookings"]
    assert booking["attendee_email"] == "maria@paoquente.com.br"
    (job,) = exported["scheduled_jobs"]
    assert job["kind"] == "cnpj_lookup" and job["payload"]["cnpj"] == "11222333000181"
    (snapshot,) = exported["company_registry"]
    assert snapshot["razao_social"] == "PADARIA PAO QUENTE" and snapshot["situacao"] == "ATIVA"
    # Still there: the client, its contacts, the conversation with its messages.
    assert exported["client"]["cnpj"] == "11222333000181"
    assert {c["name"] for c in exported["contacts"]} >= {"Maria da Silva", "João Souza"}
    assert exported["conversations"][0]["address"] == PHONE
    assert any(m["text"] == "Maria da Silva" for m in exported["messages"])
