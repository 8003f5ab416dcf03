"""Interruptions: the client asks for something else mid-question; each intent has one
handler, the question owed is asked again, and keyword commands win everywhere, inside every
repair too. After two explanations comes the way out, whose numbers are its own."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.dialogue.effects import Escalate, OptIn, OptOut, RequestErasure
from bot.dialogue.state import DocumentPending, HumanOfferPending
from bot.dialogue.turn import Turn
from bot.domain.onboarding import Stage
from tests.dialogue.support import (
    Chat,
    FakeTrainingScheduler,
    choices,
    cnpj_card_reading,
    prompt,
    reask,
    replies,
    says,
    slots_until,
)


def asked_again(chat: Chat) -> str:
    """What the engine asks when it asks the owed question again (from a copy of the state)."""
    turn = Turn(state=chat.state.model_copy(deep=True), context=chat.context)
    chat.engine.dialogue.ask_again(turn)
    return turn.replies[-1].text


# ------------------------------------------------------------------ one handler per intent
@pytest.mark.parametrize(
    ("intent", "first", "resumes"),
    [
        ("help", "help", True),
        ("ask_documents", "documents_info", True),
        ("complain", "complaint", True),
        ("greet", "greet_again", True),
        ("thank", "thanks_reply", True),
        ("goodbye", "goodbye_reply", False),
        ("opt_out", "opted_out", False),
        ("delete_data", "confirm_erasure", False),
        ("schedule_training", "training_not_yet", True),
    ],
)
def test_each_intent_is_answered_and_the_question_asked_again(
    chat: Chat, intent: str, first: str, resumes: bool
) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send("uma frase qualquer do cliente", intent)
    texts = [r.text for r in turn.replies]
    assert texts[0].startswith(says(first, stage="Cadastro"))
    assert (texts[-1] == prompt("cep")) is resumes


def test_opt_out_stops_the_messages(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send("não quero mais receber mensagens", "opt_out")
    assert turn.effects == [OptOut()]


def test_correct_data_without_a_field_asks_which(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    chat.send("quero corrigir uma coisa", "correct_data")
    assert chat.state.pending is not None and chat.state.pending.kind == "fix_choice"


def test_correct_data_naming_the_field_asks_its_value(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send("quero corrigir meu e-mail", "correct_data")
    assert turn.replies[-1].text == says("ask_new_value", label="seu e-mail")


def test_correct_data_with_nothing_answered_says_so_and_asks_again(chat: Chat) -> None:
    chat.at({})
    turn = chat.send("quero corrigir um dado", "correct_data")
    assert [r.text for r in turn.replies] == [says("nothing_to_fix"), reask("consent")]


def test_the_consent_question_asked_again_is_the_question_alone(chat: Chat) -> None:
    chat.at({})
    turn = chat.send("blablabla xyz", "out_of_scope")
    assert turn.replies[-1].text == reask("consent")
    assert "Olá! Eu sou" not in replies(turn)


def test_an_unsure_intent_is_not_an_interruption(chat: Chat) -> None:
    chat.at(slots_until("person_name"))
    chat.send("Ajudante Silva", "help", 0.5)
    assert chat.state.slots["person_name"] == "Ajudante Silva"


def test_a_clear_request_wins_over_a_free_text_question(chat: Chat) -> None:
    """A free text proves little: "quero falar com um atendente" is not a name."""
    chat.at(slots_until("person_name"))
    turn = chat.send("quero falar com um atendente", "request_human")
    assert "person_name" not in chat.state.slots
    assert [type(e) for e in turn.effects] == [Escalate]


def test_a_valid_structured_answer_wins_over_the_intent(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    chat.send("01310-100", "ask_status", 0.9)
    assert chat.state.slots["cep"] == "01310100"


def test_hello_before_the_start_starts(chat: Chat) -> None:
    turn = chat.send("oi", "greet")
    assert [r.text for r in turn.replies] == [prompt("consent")]


# ------------------------------------------------------------------ commands
@pytest.mark.parametrize(
    ("body", "effect"),
    [("SAIR", OptOut()), ("parar", OptOut()), ("stop", OptOut()),
     ("HUMANO", Escalate("request_human", "HUMANO"))],
)  # fmt: skip
def test_commands_do_what_they_say_whatever_the_nlu_heard(
    chat: Chat, body: str, effect: object
) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send(body, "affirm")
    assert turn.effects == [effect]


@pytest.mark.parametrize(("body", "first"), [("AJUDA", "help"), ("menu", "help")])
def test_help_commands(chat: Chat, body: str, first: str) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send(body)
    assert [r.text for r in turn.replies] == [says(first), prompt("cep")]


def test_voltar_after_opting_out_opts_in_and_asks_again(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    chat.opted_out = True
    turn = chat.send("VOLTAR")
    assert turn.effects == [OptIn()]
    assert [r.text for r in turn.replies] == [says("opted_in"), prompt("cep")]


def test_any_message_after_opting_out_opts_in_and_is_read_as_usual(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    chat.opted_out = True
    turn = chat.send("01310-100")
    assert turn.effects[0] == OptIn()
    assert chat.state.slots["cep"] == "01310100"


def test_sair_after_opting_out_does_not_opt_in(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    chat.opted_out = True
    turn = chat.send("SAIR")
    assert OptIn() not in turn.effects


# ------------------------------------------------------------------ inside every repair
def erasure(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    chat.send("quero apagar meus dados", "delete_data")


def document(chat: Chat) -> None:
    chat.at_documents()
    chat.read(cnpj_card_reading())


def correction(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    chat.send("errei o telefone da Beatriz")


def fix_choice(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    chat.send("quero corrigir um dado", "correct_data")


def clarify(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    ranking = [("out_of_scope", 0.4), ("ask_status", 0.35), ("help", 0.3)]
    chat.send("hmm sei lá", "out_of_scope", 0.4, ranking=ranking)


def human_offer(chat: Chat) -> None:
    chat.at(slots_until("admin_email"))
    for _ in range(3):
        chat.send("abc")


def pick_slot(chat: Chat) -> None:
    chat.stage = Stage.TREINAMENTO
    chat.training = FakeTrainingScheduler()
    chat.at(slots_until(None), saved=True).with_state(finished=True)
    chat.send("quero agendar o treinamento", "schedule_training")


REPAIR_SETUPS: dict[str, Callable[[Chat], None]] = {
    "confirm_erasure": erasure,
    "confirm_document": document,
    "correction": correction,
    "fix_choice": fix_choice,
    "clarify": clarify,
    "human_offer": human_offer,
    "pick_slot": pick_slot,
}


# HUMANO inside the offer of a person answers the offer itself (test_human_offer covers it).
_COMMANDS_IN_REPAIRS = [
    (kind, command, first)
    for kind in REPAIR_SETUPS
    for command, first in (("STATUS", "status"), ("AJUDA", "help"), ("HUMANO", "escalated"))
    if (kind, command) != ("human_offer", "HUMANO")
]


@pytest.mark.parametrize(("kind", "command", "first"), _COMMANDS_IN_REPAIRS)
def test_a_command_inside_a_repair_is_done_and_the_repairs_question_asked_again(
    chat: Chat, kind: str, command: str, first: str
) -> None:
    REPAIR_SETUPS[kind](chat)
    assert chat.state.pending is not None and chat.state.pending.kind == kind
    expected_again = asked_again(chat)
    turn = chat.send(command)
    texts = [r.text for r in turn.replies]
    if first == "status":
        assert texts[0].splitlines()[0].startswith(says("status").split("*")[0])
    else:
        assert texts[0].startswith(says(first, wait="4 horas"))
    assert texts[-1] == expected_again
    assert chat.state.pending is not None and chat.state.pending.kind == kind


def test_humano_inside_the_erasure_confirmation_erases_nothing(chat: Chat) -> None:
    erasure(chat)
    turn = chat.send("HUMANO")
    assert RequestErasure() not in turn.effects
    turn = chat.send("não", "deny")
    assert [r.text for r in turn.replies] == [says("erasure_cancelled"), prompt("cep")]


def test_a_request_inside_the_document_confirmation_comes_back_to_the_reading(
    chat: Chat,
) -> None:
    document(chat)
    turn = chat.send("em que etapa estou?", "ask_status")
    assert turn.replies[-1].text == says("document_confirm_again", document="cartão CNPJ")
    assert [c.id for c in choices(turn)] == ["ok", "fix", "resend"]


@pytest.mark.parametrize("body", ["HUMANO", "pessoa", "atendente"])
def test_humano_at_the_way_out_is_its_answer(chat: Chat, body: str) -> None:
    human_offer(chat)
    turn = chat.send(body)
    assert [type(e) for e in turn.effects] == [Escalate]
    assert chat.state.pending is None
    assert turn.replies[-1].text == prompt("admin_email")


# ------------------------------------------------------------------ the way out
def test_two_explanations_then_the_way_out(chat: Chat) -> None:
    chat.at(slots_until("admin_email"))
    for _ in range(2):
        turn = chat.send("abc")
        assert [r.text for r in turn.replies] == [says("email_missing_at"), prompt("admin_email")]
    turn = chat.send("abc")
    assert [r.text for r in turn.replies] == [says("offer_human")]
    assert [(c.id, c.title) for c in choices(turn)] == [
        ("human", "Falar com uma pessoa"),
        ("retry", "Tentar de novo"),
    ]
    assert isinstance(chat.state.pending, HumanOfferPending)


@pytest.mark.parametrize("body", ["1", "falar com uma pessoa", "sim"])
def test_the_way_outs_first_option_calls_a_person(chat: Chat, body: str) -> None:
    human_offer(chat)
    turn = chat.send(body)
    assert turn.effects == [Escalate("repeated_invalid", "seu e-mail")]
    assert turn.replies[-1].text == prompt("admin_email")
    assert chat.state.pending is None and chat.state.invalid_count == 0


@pytest.mark.parametrize("body", ["2", "tentar de novo", "não"])
def test_the_way_outs_second_option_asks_again(chat: Chat, body: str) -> None:
    human_offer(chat)
    turn = chat.send(body)
    assert turn.effects == []
    assert [r.text for r in turn.replies] == [prompt("admin_email")]
    turn = chat.send("abc")  # two explanations again before the next offer
    assert turn.replies[0].text.startswith(says("email_missing_at"))


def test_an_answer_at_the_way_out_answers_the_question_underneath(chat: Chat) -> None:
    human_offer(chat)
    chat.send("maria@paoquente.com.br")
    assert chat.state.slots["admin_email"] == "maria@paoquente.com.br"
    assert chat.state.pending is None


def test_the_way_out_numbers_are_its_own_at_a_choice_step(chat: Chat) -> None:
    chat.at(slots_until("form_mode"))
    for _ in range(3):
        turn = chat.send("banana")
    assert turn.replies[-1].text == says("offer_human_choices")
    turn = chat.send("1")  # the way out's 1: a person, not the step's first option
    assert "form_mode" not in chat.state.slots
    assert [type(e) for e in turn.effects] == [Escalate]


def test_the_way_out_from_a_repair_goes_back_to_the_repair(chat: Chat) -> None:
    document(chat)
    for _ in range(3):
        turn = chat.send("banana")
    assert isinstance(chat.state.pending, HumanOfferPending)
    turn = chat.send("2")
    assert isinstance(chat.state.pending, DocumentPending)
    assert turn.replies[-1].text == says("document_confirm_again", document="cartão CNPJ")


def test_two_requests_in_one_message_status_first_then_a_person(chat: Chat) -> None:
    chat.at(slots_until("admin_email"))
    turn = chat.send("quero falar com alguém e saber em que etapa estou", "request_human")
    assert any(isinstance(e, Escalate) for e in turn.effects)
    texts = [r.text for r in turn.replies]
    assert "etapa" in texts[0]
    assert texts[-1] == prompt("admin_email")
    assert texts.count(prompt("admin_email")) == 1
