"""The dialogue manager's entry points: ``handle`` runs one message through the ordered
pipeline, ``resume`` and ``greet`` speak without one, ``waiting_on`` tells the reminders."""

from __future__ import annotations

import pytest

from bot.dialogue import engine as engine_module
from bot.dialogue.corrections import CorrectionHandler
from bot.dialogue.documents import DocumentEventHandler
from bot.dialogue.effects import SaveRegistration, SetStage
from bot.dialogue.engine import PIPELINE, DialogueEngine
from bot.dialogue.errors import DialogueError
from bot.dialogue.interruptions import CommandHandler, InterruptionHandler
from bot.dialogue.language import LanguageRequestHandler
from bot.dialogue.media import MediaHandler
from bot.dialogue.pipeline import ClarifyHandler, RepairHandler, StepAnswerHandler
from bot.dialogue.state import DialogueState
from tests.dialogue.support import (
    CLIENT,
    Chat,
    FakeAddressLookup,
    cnh_reading,
    cnpj_card_reading,
    ent,
    make_engine,
    prompt,
    says,
    shipped_flows,
    slots_until,
)


def position_of(kind: type) -> int:
    return next(i for i, h in enumerate(PIPELINE) if type(h) is kind)


def test_the_pipeline_order_is_the_behaviour() -> None:
    assert type(PIPELINE[0]) is DocumentEventHandler  # a reading before anything
    assert type(PIPELINE[-1]) is StepAnswerHandler  # the flow step last
    assert position_of(LanguageRequestHandler) < position_of(RepairHandler)
    assert position_of(MediaHandler) < position_of(CommandHandler)
    assert position_of(CommandHandler) < position_of(RepairHandler)  # commands win in repairs
    assert position_of(RepairHandler) < position_of(CorrectionHandler)
    assert position_of(CorrectionHandler) < position_of(InterruptionHandler)
    assert position_of(ClarifyHandler) < position_of(StepAnswerHandler)


def test_the_pipeline_handlers_are_distinct() -> None:
    kinds = [type(h) for h in PIPELINE]
    assert len(kinds) == len(set(kinds))
    assert engine_module.__all__ == ["PIPELINE", "DialogueEngine", "EngineSettings", "Turn"]


def test_handle_never_changes_the_state_it_was_given(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    before = chat.state.model_copy(deep=True)
    given = chat.state
    chat.send("01310-100", entities=[ent("cep", "01310100")])
    assert given == before
    assert chat.state.slots["cep"] == "01310100"


def test_a_very_long_message_is_read_from_its_beginning(chat: Chat) -> None:
    chat.at(slots_until("company_name"))
    turn = chat.send("Padaria Pão Quente Ltda" + " " * 3990 + "x" * 100)
    assert turn.replies[0].text == says("too_long")
    assert chat.state.slots["company_name"] == "Padaria Pão Quente Ltda"


def test_the_root_flow_must_exist() -> None:
    with pytest.raises(DialogueError):
        make_engine(root_flow="nope")


def test_the_engine_exposes_its_flows_and_ports() -> None:
    addresses = FakeAddressLookup()
    engine = make_engine(addresses=addresses)
    assert set(engine.flows) == set(shipped_flows())
    assert engine.address_lookup is addresses


# ------------------------------------------------------------------ resume and greet
def test_resume_asks_the_question_again_after_a_person_answered(chat: Chat) -> None:
    chat.at(slots_until("cep")).with_state(awaiting_human=True)
    turn = chat.engine.resume(chat.state, chat.context)
    assert [r.text for r in turn.replies] == [prompt("cep")]
    assert not turn.state.awaiting_human


@pytest.mark.parametrize("finished", [False, True])
def test_resume_says_nothing_before_the_start_or_after_the_end(
    engine: DialogueEngine, finished: bool
) -> None:
    state = DialogueState(started=finished, finished=finished)
    assert engine.resume(state, Chat(engine).context).replies == []


def test_resume_asks_an_open_repairs_question(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    chat.send("errei o telefone da Beatriz")
    turn = chat.engine.resume(chat.state, chat.context)
    assert [r.text for r in turn.replies] == [says("ask_new_value", label="celular (TI)")]


def test_greet_starts_a_new_conversation(engine: DialogueEngine) -> None:
    turn = engine.greet(DialogueState(), Chat(engine).context)
    assert [r.text for r in turn.replies] == [prompt("consent")]
    assert turn.state.started


def test_greet_asks_a_returning_client_the_current_question(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    turn = chat.engine.greet(chat.state, chat.context)
    assert [r.text for r in turn.replies] == [prompt("cep")]


def test_greet_says_nothing_after_the_end(chat: Chat) -> None:
    chat.at(slots_until(None)).with_state(finished=True)
    assert chat.engine.greet(chat.state, chat.context).replies == []


# ------------------------------------------------------------------ waiting_on
@pytest.mark.parametrize(
    ("before", "waiting"),
    [("cep", ("CEP", None)), ("tech.email", ("e-mail (TI)", None)),
     (None, ("Confira os dados do cadastro", None))],
)  # fmt: skip
def test_waiting_on_names_the_question_and_its_idle_hours(
    chat: Chat, before: str | None, waiting: tuple[str, float | None]
) -> None:
    chat.at(slots_until(before))
    assert chat.engine.waiting_on(chat.state) == waiting


def test_waiting_on_a_document_allows_longer(chat: Chat) -> None:
    chat.at_documents()
    assert chat.engine.waiting_on(chat.state) == ("cartão CNPJ", 18)


def test_waiting_on_nothing(engine: DialogueEngine) -> None:
    assert engine.waiting_on(DialogueState()) is None
    assert engine.waiting_on(DialogueState(started=True, finished=True)) is None


# ------------------------------------------------------------------ one whole registration
def test_a_whole_registration_with_hand_written_nlu(chat: Chat) -> None:
    """Every step of the shipped flows answered once, the documents confirmed."""
    answers: list[tuple[str, list]] = [  # type: ignore[type-arg]
        ("oi", []), ("1", []), ("Maria da Silva", []), ("1", []),
        ("11.222.333/0001-81", [ent("cnpj", "11222333000181")]), ("Padaria Pão Quente Ltda", []),
        ("45", []), ("maria@paoquente.com.br", [ent("email", "maria@paoquente.com.br")]),
        ("(11) 98765-4321", [ent("phone", "+5511987654321")]),
        ("sou eu", []), ("outra pessoa", []), ("Beatriz Rocha", []),
        ("ti@paoquente.com.br", [ent("email", "ti@paoquente.com.br")]),
        ("(21) 99876-5432", [ent("phone", "+5521998765432")]), ("1", []),
        ("01310-100", [ent("cep", "01310100")]), ("1000", []), ("sala 12", []), ("1", []),
    ]  # fmt: skip
    effects = []
    for body, entities in answers:
        effects += chat.send(body, "greet" if body == "oi" else "inform", entities=entities).effects
    assert any(isinstance(e, SaveRegistration) for e in effects)
    assert SetStage("documentos", "registration data confirmed by the client") in effects
    slots = chat.state.slots
    for key in ("person_name", "cnpj", "admin_email", "tech.name", "cs.email", "cep"):
        assert slots[key] == (CLIENT[key] if key in CLIENT else CLIENT["admin_email"])
    assert slots["employees"] == 45
    chat.read(cnpj_card_reading())
    chat.send("1")
    chat.read(cnh_reading())
    turn = chat.send("1")
    assert chat.state.finished
    assert SetStage("validacao", "documents received and confirmed by the client") in turn.effects
