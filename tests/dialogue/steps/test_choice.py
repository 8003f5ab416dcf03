"""``choice`` steps: options by tap, number, title, alias, yes/no or a phrase; "outra pessoa:
Beatriz Rocha, ti@…" picks the option and fills what it says."""

from __future__ import annotations

import pytest

from bot.dialogue.steps.choice import options_of
from flows import ChoiceStep
from tests.dialogue.support import (
    CLIENT,
    Chat,
    choices,
    ent,
    prompt,
    says,
    shipped_flows,
    slots_until,
)


def step(step_id: str, flow: str = "registration") -> ChoiceStep:
    found = shipped_flows()[flow].step(step_id)
    assert isinstance(found, ChoiceStep)
    return found


def tech(chat: Chat) -> dict[str, object]:
    return {k: v for k, v in chat.state.slots.items() if k.startswith("tech.")}


TECH_WHO = prompt("who", flow="contact").replace("{area}", "de TI (tecnologia)")


# ------------------------------------------------------------------ options
def test_options_of_a_step_carry_titles_aliases_and_meaning() -> None:
    consent = options_of(step("consent"))
    assert [(o.id, o.titles, o.meaning, o.intent) for o in consent] == [
        ("yes", ("Concordo", "I agree"), "yes", "affirm"),
        ("no", ("Não concordo", "I don't agree"), "no", "deny"),
    ]
    who = options_of(step("who", "contact"))
    assert [o.meaning for o in who] == ["", "no"]
    assert "sou eu mesma" in who[0].aliases


def test_the_prompt_offers_the_options_as_choices(chat: Chat) -> None:
    turn = chat.send("oi", "greet")
    assert [(c.id, c.title) for c in choices(turn)] == [("yes", "Concordo"), ("no", "Não concordo")]


@pytest.mark.parametrize(
    ("body", "consent"),
    [("1", True), ("concordo", True), ("sim", True), ("Concordo!", True), ("2", False),
     ("não concordo", False), ("eu não concordo", False), ("não", False)],
)  # fmt: skip
def test_consent_is_read_by_one_rule(chat: Chat, body: str, consent: bool) -> None:
    chat.at({})
    chat.send(body)
    assert chat.state.slots["lgpd_consent"] is consent


def test_a_tap_picks_its_option(chat: Chat) -> None:
    chat.at({})
    chat.send("", choice_id="no")
    assert chat.state.slots["lgpd_consent"] is False


def test_a_chosen_options_next_step_is_asked(chat: Chat) -> None:
    chat.at(slots_until("form_mode"))
    turn = chat.send("só o essencial")
    assert chat.state.slots["form_mode"] == "minimal"
    assert turn.replies[-1].text == prompt("cnpj")


def test_an_unknown_answer_is_explained_with_the_options_again(chat: Chat) -> None:
    chat.at(slots_until("tech.same_as_me"))
    turn = chat.send("banana")
    assert [r.text for r in turn.replies] == [says("choice_unknown"), TECH_WHO]
    assert [c.id for c in choices(turn)] == ["me", "other"]
    assert tech(chat) == {}


# ------------------------------------------------------------------ the contact's choice
@pytest.mark.parametrize("body", ["1", "sou eu", "sou eu mesma", "sim, sou eu mesma", "eu mesmo"])
def test_sou_eu_copies_the_clients_contact(chat: Chat, body: str) -> None:
    chat.at(slots_until("tech.same_as_me"))
    chat.send(body)
    assert tech(chat) == {
        "tech.same_as_me": True,
        "tech.name": CLIENT["person_name"],
        "tech.email": CLIENT["admin_email"],
        "tech.phone": CLIENT["admin_phone"],
    }


@pytest.mark.parametrize("body", ["2", "outra pessoa", "outro"])
def test_someone_else_asks_their_name(chat: Chat, body: str) -> None:
    chat.at(slots_until("tech.same_as_me"))
    turn = chat.send(body)
    assert tech(chat) == {"tech.same_as_me": False}
    assert turn.replies[-1].text == prompt("name", flow="contact").replace(
        "{area}", "de TI (tecnologia)"
    )


def test_someone_else_with_name_and_email_fills_both_and_asks_the_phone(chat: Chat) -> None:
    chat.at(slots_until("tech.same_as_me"))
    turn = chat.send("outra pessoa: Beatriz Rocha, ti@x.com", entities=[ent("email", "ti@x.com")])
    assert tech(chat) == {
        "tech.same_as_me": False,
        "tech.name": "Beatriz Rocha",
        "tech.email": "ti@x.com",
    }
    assert turn.replies[0].text == says(
        "contact_filled", area="TI", details="Beatriz Rocha · ti@x.com"
    )
    assert turn.replies[-1].text == "E o celular de Beatriz Rocha com DDD?"


@pytest.mark.parametrize(
    ("body", "name"),
    [("não, é a Joana Alves", "Joana Alves"), ("Beatriz Rocha", "Beatriz Rocha"),
     ("o nome dela é Paula Lima", "Paula Lima")],
)  # fmt: skip
def test_a_name_picks_someone_else_and_fills_the_name(chat: Chat, body: str, name: str) -> None:
    chat.at(slots_until("tech.same_as_me"))
    turn = chat.send(body)
    assert tech(chat) == {"tech.same_as_me": False, "tech.name": name}
    assert turn.replies[-1].text == f"E o e-mail de {name}?"


def test_a_request_at_the_contacts_choice_is_not_a_name(chat: Chat) -> None:
    chat.at(slots_until("tech.same_as_me"))
    chat.send("quero falar com um atendente", "request_human")
    assert tech(chat) == {}


@pytest.mark.parametrize("body", ["não sou eu", "not me", "outra pessoa, não eu mesma"])
def test_saying_it_is_not_me_fills_no_name(chat: Chat, body: str) -> None:
    chat.at(slots_until("tech.same_as_me"))
    chat.send(body, "deny")
    assert tech(chat) == {"tech.same_as_me": False}


def test_a_question_naming_both_options_chooses_neither(chat: Chat) -> None:
    chat.at(slots_until("form_mode"))
    chat.send("completo ou só o essencial?")
    assert "form_mode" not in chat.state.slots
