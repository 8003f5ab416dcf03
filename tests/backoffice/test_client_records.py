"""The client record as staff see it: data collected by the bot, contacts, documents (with the
OCR result; the file only to authorized staff), stage history with who/when/why, red flag,
escalations and notes."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from bot.bootstrap import Runtime
from bot.documents.store import DocumentStore
from bot.domain.clock import FakeClock
from bot.storage.models import AuditEvent, Conversation, Document, Onboarding
from tests.backoffice.factories import Roster
from tests.support.conversation import Chat, register


# long: one record's history, documents and notes built and read in order
def test_record_history_documents_and_notes(
    api: httpx.Client,
    runtime: Runtime,
    roster: Roster,
    clock: FakeClock,
    documents: DocumentStore,
) -> None:
    chat = Chat(runtime, address="cliente-ficha")
    register(chat)
    chat.say("1")
    chat.say("que serviço péssimo")  # a complaint escalates
    card = b"%PDF-1.4 cartao cnpj"
    with runtime.sessions() as session, session.begin():
        conversation = session.scalars(select(Conversation)).one()
        client_id, onboarding_id = conversation.client_id, conversation.onboarding_id
        assert client_id is not None and onboarding_id is not None
        session.get_one(Onboarding, onboarding_id).csm_id = roster.csm_owner.id
        document = Document(
            client_id=client_id,
            conversation_id=conversation.id,
            kind="cnpj_card",
            source_channel="terminal",
            mime="application/pdf",
            size=len(card),
            sha256=documents.put(card),
            received_at=clock.now(),
            extraction={
                "kind": "cnpj_card",
                "fields": {"cnpj": "11222333000181"},
                "confidence": {"cnpj": 0.99},
                "warnings": [],
            },
        )
        session.add(document)
        session.flush()
        document_id = document.id
    headers = roster.csm_owner.headers

    clock.advance(timedelta(hours=2))
    moved = api.post(
        f"/onboardings/{onboarding_id}/transitions",
        json={"to_stage": "validacao", "reason": "cartão CNPJ recebido"},
        headers=headers,
    )
    assert moved.status_code == 200
    flagged = api.put(
        f"/onboardings/{onboarding_id}/red-flag",
        json={"reason": "CNPJ com pendência na Receita"},
        headers=headers,
    )
    assert flagged.json()["red_flag"] is True
    assert flagged.json()["red_flag_reason"] == "CNPJ com pendência na Receita"
    note = api.post(
        f"/clients/{client_id}/notes",
        json={"text": "Prefere contato à tarde", "onboarding_id": onboarding_id},
        headers=headers,
    )
    assert note.status_code == 201

    record = api.get(f"/clients/{client_id}", headers=headers).json()
    assert record["client"]["cnpj"] == "11222333000181"
    assert record["client"]["company_name"] == "Padaria Pão Quente Ltda"
    assert {c["area"] for c in record["contacts"]} == {"admin", "finance", "tech", "cs"}
    (doc,) = record["documents"]
    assert doc["extraction"]["confidence"] == {"cnpj": 0.99} and doc["kind"] == "cnpj_card"
    assert [(h["from_stage"], h["to_stage"], h["actor"]) for h in record["stage_history"]] == [
        (None, "cadastro", "bot"),
        ("cadastro", "documentos", "bot"),
        ("documentos", "validacao", f"staff:{roster.csm_owner.id}"),
    ]
    assert record["stage_history"][-1]["reason"] == "cartão CNPJ recebido"
    assert record["stage_history"][-1]["at"] == "2026-11-24T15:00:00Z"
    assert [e["reason"] for e in record["escalations"]] == ["complaint"]
    assert [n["text"] for n in record["notes"]] == ["Prefere contato à tarde"]
    assert record["onboardings"][0]["red_flag"] is True
    assert record["onboardings"][0]["sla"]["stage"] == "validacao"

    url = f"/clients/{client_id}/documents/{document_id}/content"
    download = api.get(url, headers=headers)
    assert download.status_code == 200 and download.content == card
    assert download.headers["content-type"] == "application/pdf"
    assert api.get(url, headers=roster.csm_other.headers).status_code == 403
    assert api.get(url).status_code == 401
    with runtime.sessions() as session:
        downloads = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "document_downloaded")
        ).all()
        assert [d.actor for d in downloads] == [f"staff:{roster.csm_owner.id}"]

    bad = api.patch(
        f"/clients/{client_id}", json={"cnpj": "123", "uf": "sao paulo"}, headers=headers
    )
    assert bad.status_code == 422
    assert {tuple(e["loc"]) for e in bad.json()["errors"]} == {("body", "cnpj"), ("body", "uf")}
    cleared = api.delete(f"/onboardings/{onboarding_id}/red-flag", headers=headers).json()
    assert cleared["red_flag"] is False and cleared["red_flag_reason"] is None
