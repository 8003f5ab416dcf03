"""Validators, corrections, interruptions and bad input, in whole conversations."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.bootstrap import Runtime
from bot.storage.models import AuditEvent, Client, Contact, Conversation, ErasureRequest, Escalation
from tests.support.conversation import Chat, register
from tests.support.registration_steps import to_step


def test_alphanumeric_cnpj_is_accepted(runtime: Runtime) -> None:
    chat = Chat(runtime)
    to_step(chat, "cnpj")
    assert "razão social" in chat.say("12.ABC.345/01DE-35")
    with runtime.sessions() as session:
        state = session.scalars(select(Conversation)).one().state
        assert state["slots"]["cnpj"] == "12ABC34501DE35"


def test_three_invalid_answers_offer_a_human_who_is_called_on_yes(runtime: Runtime) -> None:
    chat = Chat(runtime)
    to_step(chat, "cnpj")
    chat.say("123")
    chat.say("456")
    third = chat.say("789")
    assert "falar com uma pessoa" in third
    assert "Avisei a nossa equipe" in chat.say("sim")
    with runtime.sessions() as session:
        escalation = session.scalars(select(Escalation)).one()
        assert escalation.reason == "repeated_invalid"
    # and the client is back on the CNPJ step
    assert "razão social" in chat.say("11222333000181")


@pytest.mark.parametrize("step", ["company_name", "finance_email"])
def test_help_human_and_complaint_resume_the_step(runtime: Runtime, step: str) -> None:
    chat = Chat(runtime)
    to_step(chat, step)
    before = chat.transcript[-1][1][-1].text
    assert chat.say("ajuda").endswith(before)
    assert chat.say("quero falar com um atendente").endswith(before)
    waiting = chat.say("que serviço péssimo")
    assert "ainda ninguém da equipe assumiu" in waiting and waiting.endswith(before)
    with runtime.sessions() as session:
        reasons = sorted(e.reason for e in session.scalars(select(Escalation)))
        # The complaint is about the same wait: it gets the request's state, not a second
        # escalation.
        assert reasons == ["request_human"]


def test_a_complaint_without_an_open_request_is_escalated(runtime: Runtime) -> None:
    chat = Chat(runtime)
    to_step(chat, "company_name")
    before = chat.transcript[-1][1][-1].text
    assert chat.say("que serviço péssimo").endswith(before)
    with runtime.sessions() as session:
        assert [e.reason for e in session.scalars(select(Escalation))] == ["complaint"]


def test_opt_out_then_writing_again_opts_in(runtime: Runtime) -> None:
    chat = Chat(runtime)
    to_step(chat, "employees")
    assert "não vai mais receber" in chat.say("SAIR")
    with runtime.sessions() as session:
        assert session.scalars(select(Conversation)).one().opted_out is True
    assert "Os lembretes estão ativos" in chat.say("VOLTAR")
    with runtime.sessions() as session:
        conversation = session.scalars(select(Conversation)).one()
        assert conversation.opted_out is False
        actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert "opted_out" in actions and "opted_in" in actions


def test_erasure_request_is_confirmed_then_recorded(runtime: Runtime) -> None:
    chat = Chat(runtime)
    to_step(chat, "employees")
    assert "Confirma?" in chat.say("quero apagar meus dados")
    assert "Pedido de exclusão registrado" in chat.say("sim")
    with runtime.sessions() as session:
        assert session.scalars(select(ErasureRequest)).one().status == "requested"


def test_correction_with_the_new_value_in_the_message(runtime: Runtime) -> None:
    chat = Chat(runtime)
    to_step(chat, "finance")
    reply = chat.say("errei o email, o certo é maria.silva@paoquente.com.br")
    assert "Corrigido" in reply and "maria.silva@paoquente.com.br" in reply
    assert "responsável financeiro" in reply  # back on the step it left
    with runtime.sessions() as session:
        state = session.scalars(select(Conversation)).one().state
        assert state["slots"]["admin_email"] == "maria.silva@paoquente.com.br"
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "answer_corrected")
        ).one()
        assert (audit.old_value, audit.new_value) == (
            "maria@paoquente.com.br",
            "maria.silva@paoquente.com.br",
        )


def test_correction_names_the_area(runtime: Runtime) -> None:
    chat = Chat(runtime)
    to_step(chat, "tech")
    assert "Financeiro" in chat.say("errei o email do financeiro")
    chat.say("contas@paoquente.com.br")
    with runtime.sessions() as session:
        slots = session.scalars(select(Conversation)).one().state["slots"]
        assert slots["finance.email"] == "contas@paoquente.com.br"
        assert slots["admin_email"] == "maria@paoquente.com.br"


def test_correction_at_the_review_then_confirm(runtime: Runtime) -> None:
    chat = Chat(runtime)
    register(chat)
    # Nineteen answers are more than a WhatsApp list shows: the part of the registration first.
    assert "Escolha a parte do cadastro" in chat.say("2")
    assert chat.choices()[0] == "Seus dados, empresa e endereço"
    assert "Qual informação" in chat.say("1")
    chat.say(str(chat.choices().index("razão social") + 1))
    review = chat.say("Pão Quente Padaria e Confeitaria Ltda")
    assert "Confira os dados" in review and "Pão Quente Padaria e Confeitaria Ltda" in review
    chat.say("1")
    with runtime.sessions() as session:
        assert (
            session.scalars(select(Client)).one().company_name
            == "Pão Quente Padaria e Confeitaria Ltda"
        )


def test_correction_after_the_review_updates_the_stored_client(runtime: Runtime) -> None:
    chat = Chat(runtime)
    register(chat)
    chat.say("1")
    chat.say("errei o email, é maria.s@paoquente.com.br")
    with runtime.sessions() as session:
        admin = session.scalars(select(Contact).where(Contact.area == "admin")).one()
        assert admin.email == "maria.s@paoquente.com.br"
        changed = session.scalars(
            select(AuditEvent).where(AuditEvent.field == "contact.admin.email")
        ).all()
        assert [c.new_value for c in changed] == [
            "maria@paoquente.com.br",
            "maria.s@paoquente.com.br",
        ]


def test_ten_thousand_characters_are_stored_whole_and_answered(runtime: Runtime) -> None:
    chat = Chat(runtime)
    to_step(chat, "company_name")
    long_text = "A" * 10_000
    reply = chat.say(long_text)
    assert "muito longa" in reply
    with runtime.sessions() as session:
        from bot.storage.models import Message

        stored = session.scalars(select(Message).where(Message.text == long_text)).one()
        assert len(stored.text) == 10_000


def test_sql_and_html_in_names_are_stored_and_echoed_verbatim(runtime: Runtime) -> None:
    chat = Chat(runtime)
    to_step(chat, "employees")
    chat.transcript.clear()
    chat = Chat(runtime, address="client-2")
    chat.say("oi")
    chat.say("1")
    chat.say("Maria O'Brien")
    chat.say("1")
    chat.say("11222333000181")
    nasty = "<script>alert(1)</script>'); DROP TABLE clients;--"
    chat.say(nasty)
    with runtime.sessions() as session:
        state = (
            session.scalars(select(Conversation).where(Conversation.address == "client-2"))
            .one()
            .state
        )
        assert state["slots"]["company_name"] == nasty
        assert state["slots"]["person_name"] == "Maria O'Brien"
        assert session.scalars(select(Client)).first() is not None  # table still there


def test_control_characters_are_removed_from_answers(runtime: Runtime) -> None:
    chat = Chat(runtime)
    to_step(chat, "company_name")
    chat.say("Padaria\u200b Pão\x07 Quente")
    with runtime.sessions() as session:
        state = session.scalars(select(Conversation)).one().state
        assert state["slots"]["company_name"] == "Padaria Pão Quente"


def test_consent_refused_stores_nothing_personal(runtime: Runtime) -> None:
    chat = Chat(runtime)
    chat.say("oi")
    reply = chat.say("não concordo")
    assert "não vou coletar" in reply
    with runtime.sessions() as session:
        client = session.scalars(select(Client)).one()
        assert client.consent_refused_at is not None and client.cnpj is None
    assert "Você concorda" in chat.say("oi")
