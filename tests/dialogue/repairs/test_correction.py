"""Corrections asked in two steps: "Qual informação você quer corrigir?" (``fix_choice``,
by area first when the answers are many) and "Pode mandar o valor certo para: …"
(``correction``). Only a valid value for the field is taken."""

from __future__ import annotations

import pytest

from bot.dialogue.effects import SlotChanged
from bot.dialogue.state import CorrectionPending, FixChoicePending, HumanOfferPending
from tests.dialogue.support import CLIENT, Chat, choices, ent, prompt, says, slots_until


@pytest.fixture
def which(chat: Chat) -> Chat:
    """At the CEP, after "quero corrigir": many answers, so the areas come first."""
    chat.at(slots_until("cep"))
    chat.send("quero corrigir um dado", "correct_data")
    assert isinstance(chat.state.pending, FixChoicePending)
    return chat


@pytest.fixture
def few(chat: Chat) -> Chat:
    """At the head count, after "quero corrigir": the answers fit one list."""
    chat.at(slots_until("employees"))
    chat.send("quero corrigir um dado", "correct_data")
    return chat


@pytest.fixture
def value(chat: Chat) -> Chat:
    chat.at(slots_until("cep"))
    chat.send("errei o telefone da Beatriz")
    assert chat.state.pending == CorrectionPending(slot="tech.phone")
    return chat


# ------------------------------------------------------------------ which field
def test_few_answers_are_listed_by_name(few: Chat) -> None:
    turn = few.turns[-1]
    assert [r.text for r in turn.replies] == [says("ask_which_field")]
    assert [(c.id, c.title) for c in choices(turn)] == [
        ("person_name", "seu nome"),
        ("cnpj", "CNPJ"),
        ("company_name", "razão social"),
    ]


def test_many_answers_are_listed_by_area_first(which: Chat) -> None:
    turn = which.turns[-1]
    assert [c.title for c in choices(turn)][1:] == ["Financeiro", "TI", "Sucesso do cliente"]
    assert len(choices(turn)) <= 10  # a WhatsApp list


@pytest.mark.parametrize("body", ["TI", "3", "o pessoal de TI"])
def test_an_area_lists_its_answers(which: Chat, body: str) -> None:
    turn = which.send(body)
    assert [r.text for r in turn.replies] == [says("ask_which_field")]
    assert [c.id for c in choices(turn)] == ["tech.name", "tech.email", "tech.phone"]


@pytest.mark.parametrize("body", ["2", "CNPJ", "o cnpj"])
def test_picking_a_field_asks_its_value(few: Chat, body: str) -> None:
    turn = few.send(body)
    assert [r.text for r in turn.replies] == [says("ask_new_value", label="CNPJ")]
    assert few.state.pending == CorrectionPending(slot="cnpj")


def test_a_number_picks_a_field_it_is_not_the_fields_value(few: Chat) -> None:
    few.send("3")
    assert few.state.slots["company_name"] == CLIENT["company_name"]
    assert few.state.pending == CorrectionPending(slot="company_name")


def test_a_field_named_with_its_value_is_corrected_at_once(which: Chat) -> None:
    turn = which.send("o e-mail do financeiro é fin@x.com", entities=[ent("email", "fin@x.com")])
    assert turn.effects == [SlotChanged("finance.email", CLIENT["admin_email"], "fin@x.com")]
    assert turn.replies[-1].text == prompt("cep")
    assert which.state.pending is None


def test_an_unknown_field_is_explained(few: Chat) -> None:
    turn = few.send("banana")
    assert turn.replies[0].text == says("choice_unknown")
    assert isinstance(few.state.pending, FixChoicePending)


# ------------------------------------------------------------------ the new value
def test_a_valid_value_is_stored(value: Chat) -> None:
    turn = value.send("(21) 97777-6666")
    assert turn.effects == [SlotChanged("tech.phone", CLIENT["tech.phone"], "+5521977776666")]
    assert [r.text for r in turn.replies] == [
        says("corrected", label="celular (TI)", value="(21) 97777-6666"),
        prompt("cep"),
    ]
    assert value.state.pending is None


def test_a_value_after_o_certo_e_is_taken(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    chat.send("errei o nome da empresa")
    chat.send("o certo é Padaria São Jorge")
    assert chat.state.slots["company_name"] == "Padaria São Jorge"


def test_the_whole_message_is_the_value(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    chat.send("errei o nome da empresa")
    chat.send("Padaria São Jorge Ltda")
    assert chat.state.slots["company_name"] == "Padaria São Jorge Ltda"


def test_a_mistyped_value_is_explained_with_the_fields_rule(value: Chat) -> None:
    turn = value.send("123")
    assert [r.text for r in turn.replies] == [
        says("phone_length", length=3),
        says("ask_new_value", label="celular (TI)"),
    ]
    assert value.state.pending == CorrectionPending(slot="tech.phone", invalid=0)


def test_two_mistakes_then_the_way_out(value: Chat) -> None:
    value.send("123")
    value.send("123")
    turn = value.send("123")
    assert [r.text for r in turn.replies] == [says("offer_human")]
    assert isinstance(value.state.pending, HumanOfferPending)


def test_a_value_of_another_kind_is_not_taken(value: Chat) -> None:
    turn = value.send("01310-100", entities=[ent("cep", "01310100")])
    assert value.state.slots["tech.phone"] == CLIENT["tech.phone"]
    assert turn.replies[-1].text == says("ask_new_value", label="celular (TI)")


def test_not_an_answer_for_a_free_text_field_is_explained(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    chat.send("errei o nome da empresa")
    turn = chat.send("ok")
    assert [r.text for r in turn.replies] == [
        says("not_an_answer", said="ok", label="razão social"),
        says("ask_new_value", label="razão social"),
    ]


def test_another_correction_meanwhile_is_applied_and_the_value_asked_again(value: Chat) -> None:
    turn = value.send("meu email é x@y.com", entities=[ent("email", "x@y.com")])
    assert value.state.slots["admin_email"] == "x@y.com"
    assert turn.replies[-1].text == says("ask_new_value", label="celular (TI)")
    assert value.state.pending == CorrectionPending(slot="tech.phone")


@pytest.mark.parametrize("command", ["STATUS", "AJUDA"])
def test_a_command_meanwhile_is_done_and_the_value_asked_again(value: Chat, command: str) -> None:
    turn = value.send(command)
    assert turn.replies[-1].text == says("ask_new_value", label="celular (TI)")
    assert value.state.pending == CorrectionPending(slot="tech.phone")


@pytest.mark.parametrize(
    ("body", "intent"), [("em que etapa estou?", "ask_status"), ("me ajuda aqui", "help")]
)
def test_a_request_meanwhile_is_answered_and_the_value_asked_again(
    value: Chat, body: str, intent: str
) -> None:
    turn = value.send(body, intent)
    assert turn.replies[-1].text == says("ask_new_value", label="celular (TI)")
    assert value.state.pending == CorrectionPending(slot="tech.phone")


def test_a_message_that_is_no_try_at_the_field_drops_the_question(chat: Chat) -> None:
    """No @ for an e-mail: the message goes back to normal handling."""
    chat.at(slots_until("address_complement"))
    chat.send("errei meu e-mail")
    chat.send("sala 5")
    assert chat.state.slots["address_complement"] == "sala 5"
    assert chat.state.pending is None
