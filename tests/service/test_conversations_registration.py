"""Whole registrations through the service layer: stored client, contacts, stage and audit."""

from __future__ import annotations

from sqlalchemy import select

from bot.bootstrap import Runtime, build_runtime
from bot.config import Settings
from bot.domain.clock import FakeClock
from bot.storage.models import (
    AuditEvent,
    Client,
    Contact,
    Conversation,
    Message,
    Onboarding,
    StageChange,
)
from tests.support.conversation import Chat, register
from tests.support.scripted_nlu import ScriptedInterpreter


def test_happy_path_is_stored_with_client_contacts_and_documents_stage(runtime: Runtime) -> None:
    chat = Chat(runtime)
    register(chat)
    summary = chat.transcript[-1][1][-1].text
    assert "11.222.333/0001-81" in summary and "Padaria Pão Quente Ltda" in summary
    done = chat.say("1")
    assert "Cadastro confirmado" in done

    with runtime.sessions() as session:
        client = session.scalars(select(Client)).one()
        assert client.cnpj == "11222333000181"
        assert client.company_name == "Padaria Pão Quente Ltda"
        assert client.employees == 45
        assert client.cep == "01310100"
        assert client.address_number == "1000"
        assert client.address_complement == "sala 12"
        assert client.consent_at is not None
        contacts = {c.area: c for c in session.scalars(select(Contact))}
        assert set(contacts) == {"admin", "finance", "tech", "cs"}
        assert contacts["finance"].email == "maria@paoquente.com.br"
        assert contacts["tech"].name == "João Souza"
        assert contacts["tech"].phone == "+5521998765432"
        onboarding = session.scalars(select(Onboarding)).one()
        assert onboarding.stage == "documentos"
        assert onboarding.segment == "self_service"
        history = [
            h.to_stage for h in session.scalars(select(StageChange).order_by(StageChange.id))
        ]
        assert history == ["cadastro", "documentos"]
        audited = {
            e.field for e in session.scalars(select(AuditEvent)) if e.action == "field_changed"
        }
        assert {"cnpj", "company_name", "contact.tech.email"} <= audited
        messages = session.scalars(select(Message)).all()
        assert sum(m.direction == "in" for m in messages) == len(chat.transcript)


def test_enterprise_segment_over_500_employees(runtime: Runtime) -> None:
    chat = Chat(runtime)
    register(chat, employees="mais ou menos 1.200")
    chat.say("1")
    with runtime.sessions() as session:
        assert session.scalars(select(Onboarding)).one().segment == "enterprise"
    assert any("mais de 500" in r.text for _t, replies in chat.transcript for r in replies)


def test_minimal_path_records_the_refusal(runtime: Runtime) -> None:
    chat = Chat(runtime)
    register(chat, minimal=True)
    chat.say("1")
    with runtime.sessions() as session:
        client = session.scalars(select(Client)).one()
        assert client.form_refused is True
        assert client.employees is None
        areas = {c.area for c in session.scalars(select(Contact))}
        assert areas == {"admin"}
        assert session.scalars(select(Onboarding)).one().stage == "documentos"
        refusals = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "form_refused")
        ).all()
        assert len(refusals) == 1


def test_restart_mid_flow_continues_at_the_same_step(
    runtime: Runtime, settings: Settings, clock: FakeClock
) -> None:
    chat = Chat(runtime)
    chat.say("oi")
    chat.say("1")
    chat.say("Maria da Silva")
    chat.say("1")
    assert "razão social" in chat.say("11.222.333/0001-81")
    runtime.close()

    again = build_runtime(settings, clock=clock, interpreter=ScriptedInterpreter(), migrate=False)
    try:
        resumed = Chat(again, address=chat.address)
        reply = resumed.say("Padaria Pão Quente Ltda")
        assert "funcionários" in reply
        with again.sessions() as session:
            conversation = session.scalars(select(Conversation)).one()
            assert conversation.state["slots"]["cnpj"] == "11222333000181"
            assert conversation.state["slots"]["company_name"] == "Padaria Pão Quente Ltda"
    finally:
        again.close()


def test_duplicate_delivery_is_answered_once(runtime: Runtime) -> None:
    chat = Chat(runtime)
    first = chat.send("oi", external_id="SM123")
    second = chat.send("oi", external_id="SM123")
    assert first.replies and not first.duplicate
    assert second.duplicate and second.replies == []
    with runtime.sessions() as session:
        assert len(session.scalars(select(Message).where(Message.direction == "in")).all()) == 1


def test_happy_path_in_english(runtime: Runtime) -> None:
    chat = Chat(runtime, address="client-en")
    assert "Do you agree to continue?" in chat.say("hello there")
    assert "full name" in chat.say("I agree")
    assert "Shall we do it now?" in chat.say("John Smith")
    assert "CNPJ" in chat.say("1")
    assert "legal name" in chat.say("11.222.333/0001-81")
    assert "employees" in chat.say("Acme Brasil Ltda")
    assert "e-mail" in chat.say("120")
    assert "mobile" in chat.say("john@acme.com")
    assert "finance contact" in chat.say("+55 11 98765-4321")
    chat.say("1")
    chat.say("1")
    assert "CEP" in chat.say("1")
    chat.say("04538-133")
    chat.say("Avenida Brigadeiro Faria Lima, Itaim Bibi, São Paulo/SP")
    chat.say("3477")
    review = chat.say("no")
    assert "Please review" in review and "Company name: Acme Brasil Ltda" in review
    assert "Registration confirmed" in chat.say("1")
    with runtime.sessions() as session:
        conversation = session.scalars(select(Conversation)).one()
        assert conversation.language == "en"


def test_switching_language_on_request(runtime: Runtime) -> None:
    chat = Chat(runtime)
    chat.say("oi")
    reply = chat.say("english please")
    assert "let's continue in English" in reply and "Do you agree" in reply
    back = chat.say("em português")
    assert "vamos continuar em português" in back and "Você concorda" in back
