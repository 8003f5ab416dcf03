"""``ask`` steps: an answer checked by the step's validator, what else the message carries,
the action after the answer, and "não sei"."""

from __future__ import annotations

import pytest

from bot.dialogue.effects import CompanyChecked
from bot.dialogue.engine import DialogueEngine
from flows import AskStep
from tests.dialogue.support import (
    Chat,
    FakeCompanyLookup,
    choices,
    ent,
    make_engine,
    prompt,
    says,
    shipped_flows,
    slots_until,
)

CNPJ = "11.222.333/0001-81"


def hint(step_id: str) -> str:
    step = shipped_flows()["registration"].step(step_id)
    assert isinstance(step, AskStep) and step.hint is not None
    return step.hint.pt


@pytest.mark.parametrize(
    ("before", "body", "key", "stored"),
    [
        ("person_name", "Maria da Silva", "person_name", "Maria da Silva"),
        ("company_name", "Padaria Ltda", "company_name", "Padaria Ltda"),
        ("employees", "uns 45", "employees", 45),
        ("admin_email", "Maria@PaoQuente.com.br", "admin_email", "maria@paoquente.com.br"),
        ("admin_phone", "(11) 98765-4321", "admin_phone", "+5511987654321"),
        ("cnpj", CNPJ, "cnpj", "11222333000181"),
        ("address_number", "s/n", "address_number", "S/N"),
        ("address_complement", "não", "address_complement", ""),
    ],
)  # fmt: skip
def test_a_valid_answer_is_stored_as_its_validator_says(
    chat: Chat, before: str, body: str, key: str, stored: object
) -> None:
    chat.at(slots_until(before))
    chat.send(body)
    assert chat.state.slots[key] == stored
    assert chat.state.answered[-1] == key or key in chat.state.answered


def test_the_next_question_is_asked_with_the_answer_in_it(chat: Chat) -> None:
    chat.at(slots_until("person_name"))
    turn = chat.send("Maria da Silva")
    assert turn.replies[-1].text == prompt("form_mode").replace("{person_name}", "Maria da Silva")


def test_an_invalid_answer_is_explained_and_asked_again_with_the_hint(chat: Chat) -> None:
    chat.at(slots_until("cnpj"))
    turn = chat.send("11.222.333/0001-00")
    assert [r.text for r in turn.replies] == [
        says("cnpj_check_digits"),
        prompt("cnpj") + "\n" + hint("cnpj"),
    ]
    assert "cnpj" not in chat.state.slots
    assert chat.state.invalid_count == 1


def test_a_valid_answer_forgets_the_earlier_mistakes(chat: Chat) -> None:
    chat.at(slots_until("cnpj"))
    chat.send("123")
    chat.send(CNPJ)
    assert chat.state.invalid_count == 0


def test_the_entity_the_nlu_found_is_the_answer(chat: Chat) -> None:
    chat.at(slots_until("cnpj"))
    chat.send(f"o cnpj da empresa é {CNPJ} ok?", entities=[ent("cnpj", "11222333000181")])
    assert chat.state.slots["cnpj"] == "11222333000181"


@pytest.mark.parametrize("body", ["ok", "sim", "nome", "qual nome?", "bom dia"])
def test_what_is_obviously_not_a_name_is_not_taken_as_one(chat: Chat, body: str) -> None:
    chat.at(slots_until("person_name"))
    turn = chat.send(body)
    assert "person_name" not in chat.state.slots
    assert turn.replies[0].text == says("not_an_answer", said=body, label="seu nome")


def test_an_identifier_alone_is_not_a_company_name(chat: Chat) -> None:
    chat.at(slots_until("company_name"))
    chat.send(CNPJ, entities=[ent("cnpj", "11222333000181", 0, len(CNPJ))])
    assert "company_name" not in chat.state.slots


def test_a_cep_is_never_a_head_count(chat: Chat) -> None:
    chat.at(slots_until("employees"))
    turn = chat.send("01310-100", entities=[ent("cep", "01310100", 0, 9)])
    assert "employees" not in chat.state.slots
    assert turn.replies[0].text == says("employees_number")


def test_what_else_the_message_carries_is_not_asked_again(chat: Chat) -> None:
    """A client who sends CNPJ and e-mail in one message is not asked for the e-mail."""
    chat.at(slots_until("cnpj"))
    chat.send(
        f"{CNPJ}, maria@paoquente.com.br",
        entities=[ent("cnpj", "11222333000181"), ent("email", "maria@paoquente.com.br")],
    )
    assert chat.state.slots["admin_email"] == "maria@paoquente.com.br"
    chat.send("Padaria Pão Quente Ltda")
    turn = chat.send("45")
    assert turn.replies[-1].text == prompt("admin_phone")


def test_a_phone_sent_with_the_cnpj_fills_the_clients_phone(chat: Chat) -> None:
    """Only one step of the running flow takes a phone: the client's own."""
    chat.at(slots_until("cnpj"))
    chat.send(CNPJ, entities=[ent("cnpj", "11222333000181"), ent("phone", "+5511987654321")])
    assert chat.state.slots["admin_phone"] == "+5511987654321"


def test_a_known_cep_fills_the_address_and_asks_the_number(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send("01310-100", entities=[ent("cep", "01310100")])
    assert chat.state.slots["street"] == "Avenida Paulista, Bela Vista, São Paulo/SP"
    assert turn.replies[-1].text == prompt("address_number").replace(
        "{street}", "Avenida Paulista, Bela Vista, São Paulo/SP"
    )


def test_an_unknown_cep_asks_the_street(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send("04567-000", entities=[ent("cep", "04567000")])
    assert chat.state.slots["cep"] == "04567000"
    assert turn.replies[-1].text == prompt("street")


@pytest.mark.parametrize("body", ["não sei", "não sei o cep", "não lembro o CEP"])
def test_not_knowing_the_cep_asks_the_address_instead(chat: Chat, body: str) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send(body)
    assert turn.replies[-1].text == prompt("street_without_cep")
    assert "cep" not in chat.state.slots


def test_a_cnpj_the_receita_knows_offers_its_legal_name() -> None:
    engine: DialogueEngine = make_engine(
        companies=FakeCompanyLookup({"11222333000181": "PADARIA PAO QUENTE LTDA"})
    )
    chat = Chat(engine).at(slots_until("cnpj"))
    turn = chat.send(CNPJ)
    assert [type(e) for e in turn.effects] == [CompanyChecked]
    assert "*PADARIA PAO QUENTE LTDA*" in turn.replies[-1].text
    assert [c.id for c in choices(turn)] == ["yes", "no"]
    chat.send("sim")
    assert chat.state.slots["company_name"] == "PADARIA PAO QUENTE LTDA"


def test_a_cnpj_the_receita_does_not_know_asks_the_name(chat: Chat) -> None:
    chat.at(slots_until("cnpj"))
    turn = chat.send(CNPJ)
    assert turn.replies[-1].text == prompt("company_name")


def test_the_prompt_in_english(chat: Chat) -> None:
    chat.at(slots_until("employees")).with_state(language="en")
    turn = chat.send("abc")
    assert turn.replies[-1].text == prompt("employees", language="en")
