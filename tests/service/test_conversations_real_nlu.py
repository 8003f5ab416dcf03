"""Whole conversations with the real built-in NLU, written the way clients write on WhatsApp,
and the clarification path with a controlled NLU."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import select

from bot.bootstrap import Runtime, build_runtime
from bot.config import Settings
from bot.domain.clock import FakeClock
from bot.storage.models import Client, Contact, Conversation, Escalation, Onboarding
from nlu.types import IntentScore, Interpreter, NLUResult
from tests.support.conversation import Chat


@pytest.fixture
def real(settings: Settings, clock: FakeClock, real_interpreter: Interpreter) -> Iterator[Runtime]:
    runtime = build_runtime(settings, clock=clock, interpreter=real_interpreter, migrate=False)
    yield runtime
    runtime.close()


def test_informal_portuguese_registration(real: Runtime) -> None:
    chat = Chat(real, address="+5511987654321")
    assert "Você concorda" in chat.say("oii td bem? quero fazer meu cadastro")
    assert "nome completo" in chat.say("blz, concordo")
    chat.say("maria da silva")
    assert "CNPJ" in chat.say("bora")
    # CNPJ and e-mail in one message: the e-mail is not asked again later.
    assert "razão social" in chat.say(
        "cnpj 11.222.333/0001-81 e meu email é maria@paoquente.com.br"
    )
    chat.say("padaria pao quente ltda")
    reply = chat.say("uns 45 funcionarios")
    assert "celular" in reply and "e-mail" not in reply
    assert "status" not in chat.say("11 98765-4321").lower()
    assert "em que etapa" not in chat.say("eu mesma")
    chat.say("outra pessoa")
    chat.say("joao souza")
    chat.say("joao@paoquente.com.br")
    chat.say("21 99876 5432")
    assert "CEP" in chat.say("eu")
    reply = chat.say("em q etapa eu to?")
    assert "etapa *Cadastro*" in reply and "CEP" in reply
    chat.say("01310-100")
    chat.say("av paulista, bela vista, sao paulo sp")
    chat.say("1000")
    assert "Confira os dados" in chat.say("nao tem")
    assert "cartão CNPJ" in chat.say("td certo")
    with real.sessions() as session:
        client = session.scalars(select(Client)).one()
        assert client.cnpj == "11222333000181" and client.employees == 45
        assert {c.area for c in session.scalars(select(Contact))} == {
            "admin",
            "finance",
            "tech",
            "cs",
        }
        assert session.scalars(select(Onboarding)).one().stage == "documentos"


def test_english_registration_with_the_real_nlu(real: Runtime) -> None:
    chat = Chat(real, address="+5511900001111")
    assert "Do you agree" in chat.say("Hi, I'd like to register my company")
    assert "full name" in chat.say("yes I agree")
    chat.say("John Smith")
    assert "CNPJ" in chat.say("sure")
    chat.say("11222333000181")
    chat.say("Acme Brasil Ltda")
    chat.say("about 120 people")
    chat.say("john@acme.com")
    assert "finance" in chat.say("+55 11 98765-4321")
    reply = chat.say("what stage am I in?")
    assert "Registration" in reply and "finance" in reply
    with real.sessions() as session:
        assert session.scalars(select(Conversation)).one().language == "en"


def test_interruptions_understood_from_free_text(real: Runtime) -> None:
    chat = Chat(real, address="+5511900002222")
    chat.say("oi")
    chat.say("sim")
    chat.say("Maria da Silva")
    chat.say("sim")
    assert "Avisei a nossa equipe" in chat.say("quero falar c/ alguem da equipe pfv")
    assert "não vai mais receber" in chat.say("para de me mandar msg")
    with real.sessions() as session:
        assert session.scalars(select(Escalation)).one().reason == "request_human"
        assert session.scalars(select(Conversation)).one().opted_out is True


class _Hesitant:
    """An NLU that hesitates between two requests for one phrase."""

    def __init__(self, inner: Interpreter, phrase: str, ranking: tuple[IntentScore, ...]) -> None:
        self.inner, self.phrase, self.ranking = inner, phrase, ranking

    def parse(self, text: str, *, now: datetime | None = None) -> NLUResult:
        if text == self.phrase:
            return NLUResult(text=text, intent=self.ranking[0], intent_ranking=self.ranking)
        return self.inner.parse(text, now=now)


def test_clarification_then_two_misunderstandings_offer_a_human(
    settings: Settings, clock: FakeClock, real_interpreter: Interpreter
) -> None:
    phrase = "e aí como faz"
    hesitant = _Hesitant(
        real_interpreter, phrase, (IntentScore("ask_status", 0.45), IntentScore("help", 0.4))
    )
    runtime = build_runtime(settings, clock=clock, interpreter=hesitant, migrate=False)
    try:
        chat = Chat(runtime)
        chat.say("oi")
        chat.say("sim")
        chat.say("Maria da Silva")
        chat.say("sim")  # now at the CNPJ question
        assert "Você quis dizer" in chat.say(phrase)
        assert chat.choices() == [
            "Saber em que etapa estou",
            "Ver o que posso fazer aqui",
            "Nenhuma dessas",
        ]
        reply = chat.say("1")
        assert "etapa *Cadastro*" in reply and "CNPJ" in reply
        chat.say(phrase)
        assert "Você quis dizer" in chat.transcript[-1][1][-1].text
        chat.say("3")  # none of these: back to the question
        assert "falar com uma pessoa" in chat.say(phrase)  # second in a row
        assert "Avisei a nossa equipe" in chat.say("sim")
        with runtime.sessions() as session:
            assert session.scalars(select(Escalation)).one().reason == "misunderstood"
    finally:
        runtime.close()
