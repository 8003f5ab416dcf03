"""Validators, repairs and interruptions in whole exchanges against the dialogue alone (the
shipped flows, the scripted NLU, no database): each wrong answer explained, then the same
question; the status, an erasure cancelled, a correction, empty or emoji-only messages, entities
that fill later questions. (What these exchanges store is ``tests/service/
test_conversations_repairs.py``'s.)"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from bot.bootstrap import load_all_flows
from bot.dialogue.context import ConversationContext
from bot.dialogue.engine import DialogueEngine, EngineSettings
from bot.dialogue.state import DialogueState
from bot.domain.address import NoAddressLookup
from bot.domain.company import NoCompanyLookup
from bot.domain.messages import Channel, InboundMessage, OutboundMessage
from tests.support.registration_steps import to_step
from tests.support.scripted_nlu import ScriptedInterpreter

NOW = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
_ids = itertools.count(1)


@dataclass
class EngineChat:
    """A conversation with the engine as the service runs it (the same flows, settings and
    NLU), without the database: the state is kept here."""

    engine: DialogueEngine = field(
        default_factory=lambda: DialogueEngine(
            flows=load_all_flows(None),
            settings=EngineSettings(),
            address_lookup=NoAddressLookup(),
            company_lookup=NoCompanyLookup(),
        )
    )
    state: DialogueState = field(default_factory=DialogueState)
    transcript: list[tuple[str, list[OutboundMessage]]] = field(default_factory=list)

    def say(self, text: str) -> str:
        message = InboundMessage(
            channel=Channel.TERMINAL,
            address="client-1",
            text=text,
            external_id=f"m{next(_ids)}",
            received_at=NOW,
        )
        nlu = ScriptedInterpreter().parse(text[:4000], now=NOW)
        turn = self.engine.handle(
            self.state, message, nlu=nlu, context=ConversationContext(now=NOW)
        )
        self.state = turn.state
        self.transcript.append((text, turn.replies))
        return "\n".join(reply.text for reply in turn.replies)


@pytest.mark.parametrize(
    ("step", "answer", "explanation"),
    [
        ("cnpj", "11.222.333/0001-8", "O CNPJ tem 14 dígitos; o seu tem 13"),
        ("cnpj", "11.222.333/0001-82", "dígitos verificadores"),
        ("cnpj", "11111111111111", "dígitos verificadores"),
        ("cnpj", "12.ABC.345/01DE-34", "dígitos verificadores"),
        ("cnpj", "12.AB#.345/01DE-35", "só tem letras e números"),
        ("company_name", "1", "pelo menos 2 letras"),
        ("employees", "muitos", "Responda só com a quantidade"),
        ("admin_email", "maria.paoquente.com.br", "falta o @"),
        ("admin_email", "maria@paoquente", "não é válido"),
        ("admin_phone", "98765-4321", "Faltou o DDD"),
        ("admin_phone", "(11) 3456-7890", "parece ser fixo"),
        ("admin_phone", "(11) 98765-43210", "tem 11 dígitos; o seu tem 12"),
        ("finance_name", "Paulo 2", "só letras"),
        ("cep", "01310-10", "O CEP tem 8 dígitos; o seu tem 7"),
    ],
)
def test_each_validator_explains_the_rejection(step: str, answer: str, explanation: str) -> None:
    chat = EngineChat()
    to_step(chat, step)
    reply = chat.say(answer)
    assert explanation in reply
    assert reply.count("\n") >= 1  # the explanation, then the same question again


@pytest.mark.parametrize("step", ["company_name", "finance_email", "cep"])
def test_status_at_any_step_then_resume(step: str) -> None:
    chat = EngineChat()
    to_step(chat, step)
    before = chat.transcript[-1][1][-1].text
    reply = chat.say("em que etapa estou?")
    assert "etapa *Cadastro*" in reply
    assert "Falta da sua parte" in reply
    assert reply.endswith(before)  # the same question again, nothing re-asked


def test_erasure_request_cancelled_resumes() -> None:
    chat = EngineChat()
    to_step(chat, "employees")
    chat.say("quero apagar meus dados")
    reply = chat.say("não")
    assert "não vou apagar" in reply and "funcionários" in reply


def test_correction_asks_for_the_value_then_resumes() -> None:
    chat = EngineChat()
    to_step(chat, "tech")
    assert "CNPJ" in chat.say("o cnpj está errado")
    reply = chat.say("12.ABC.345/01DE-35")
    assert "Corrigido" in reply and "12.ABC.345/01DE-35" in reply
    assert "responsável de TI" in reply


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01\x02"])
def test_empty_message_gets_a_clear_answer(text: str) -> None:
    chat = EngineChat()
    to_step(chat, "cnpj")
    reply = chat.say(text)
    assert "Não recebi nenhum texto" in reply and "CNPJ" in reply


def test_only_emoji_is_explained_at_a_structured_step() -> None:
    chat = EngineChat()
    to_step(chat, "cnpj")
    reply = chat.say("👍🙂🎉")
    assert "Não encontrei um CNPJ" in reply and "Qual é o CNPJ" in reply


def test_entities_fill_later_slots() -> None:
    chat = EngineChat()
    to_step(chat, "cnpj")  # CNPJ question asked
    chat.say("Padaria Pão Quente")  # invalid CNPJ -> re-asked
    reply = chat.say("11222333000181 e meu email é maria@paoquente.com.br")
    assert "razão social" in reply
    chat.say("Padaria Pão Quente")
    reply = chat.say("45")
    assert "celular" in reply  # the e-mail was not asked again
