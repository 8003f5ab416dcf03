"""Corrections anywhere: the field a message names, the value it carries, what follows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from bot.dialogue.catalog import SlotInfo
from bot.dialogue.corrections import (
    CorrectionHandler,
    apply_correction,
    find_correction,
    has_marker,
    not_an_answer,
    other_entity,
    value_for,
)
from bot.dialogue.dialogue import Dialogue
from bot.dialogue.effects import SaveRegistration, SlotChanged
from bot.dialogue.engine import DialogueEngine
from bot.dialogue.state import CorrectionPending, DialogueState, SlotValue
from bot.dialogue.turn import Turn
from bot.domain.validators import Problem
from nlu.types import Entity
from tests.dialogue.support import (
    CLIENT,
    Chat,
    FakeAddressLookup,
    effects_of,
    ent,
    position,
    prompt,
    replies,
    says,
    slots_until,
    utterance,
)

EVERYTHING_BUT_THE_REVIEW = slots_until(None)


def turn_at(
    engine: DialogueEngine,
    body: str,
    *,
    slots: Mapping[str, SlotValue] = EVERYTHING_BUT_THE_REVIEW,
    intent: str = "inform",
    entities: Sequence[Entity] = (),
    state: DialogueState | None = None,
) -> Turn:
    return Turn(
        state=state or position(engine, slots),
        utterance=utterance(body, intent, entities=entities),
    )


def info(engine: DialogueEngine, key: str) -> SlotInfo:
    found = engine.walker.catalog.get(key)
    assert found is not None
    return found


# ------------------------------------------------------------------ find_correction
@pytest.mark.parametrize(
    ("body", "entities", "key", "value"),
    [
        ("o telefone da Beatriz", [], "tech.phone", None),
        ("o telefone da Beatriz é (21) 98888-7777", [ent("phone", "+5521988887777")],
         "tech.phone", "+5521988887777"),
        ("errei o e-mail do financeiro, o certo é x@y.com", [ent("email", "x@y.com")],
         "finance.email", "x@y.com"),
        ("na verdade são 45 funcionários", [], "employees", 45),
        ("meu email é novo@paoquente.com.br", [ent("email", "novo@paoquente.com.br")],
         "admin_email", "novo@paoquente.com.br"),
        ("o e-mail da TI está errado", [], "tech.email", None),
        ("o celular do pessoal de TI mudou", [], "tech.phone", None),
        ("o cnpj é 11.444.777/0001-61", [ent("cnpj", "11444777000161")],
         "cnpj", "11444777000161"),
        ("o cep mudou, agora é 20040-020", [ent("cep", "20040020")], "cep", "20040020"),
        ("meu nome certo é Maria Souza", [], "person_name", "Maria Souza"),
        ("o nome da empresa certo é Padaria e Confeitaria Ltda", [],
         "company_name", "Padaria e Confeitaria Ltda"),
    ],
)  # fmt: skip
def test_find_correction_names_the_field_and_its_value(
    engine: DialogueEngine,
    dialogue: Dialogue,
    body: str,
    entities: list[Entity],
    key: str,
    value: SlotValue | None,
) -> None:
    found = find_correction(turn_at(engine, body, entities=entities), dialogue)
    assert found is not None
    assert (found.target.key, found.value) == (key, value)


def test_a_field_named_without_an_area_is_the_clients_own(
    engine: DialogueEngine, dialogue: Dialogue
) -> None:
    found = find_correction(turn_at(engine, "errei meu e-mail"), dialogue)
    assert found is not None and found.target.key == "admin_email"


def test_the_clients_own_name_does_not_name_a_contact_copied_from_it(
    engine: DialogueEngine, dialogue: Dialogue
) -> None:
    """Finance is "sou eu": "o telefone da Maria" is not finance's phone by her name."""
    found = find_correction(turn_at(engine, "o telefone da Maria está errado"), dialogue)
    assert found is not None and found.target.key == "admin_phone"


def test_a_field_not_answered_yet_is_not_corrected(
    engine: DialogueEngine, dialogue: Dialogue
) -> None:
    turn = turn_at(engine, "errei o cep", slots=slots_until("employees"))
    assert find_correction(turn, dialogue) is None


def test_never_the_current_questions_own_slot(engine: DialogueEngine, dialogue: Dialogue) -> None:
    """The CEP asked again (its answer was dropped): "o cep é …" answers it, it corrects
    nothing."""
    state = position(engine, EVERYTHING_BUT_THE_REVIEW)
    state.slots.pop("cep")
    engine.walker.start(Turn(state=state))
    assert engine.walker.current_key(state) == "cep" and "cep" in state.answered
    turn = turn_at(engine, "o cep é 20040-020", entities=[ent("cep", "20040020")], state=state)
    assert find_correction(turn, dialogue) is None


# ------------------------------------------------------------------ value_for
@pytest.mark.parametrize(
    ("key", "body", "value"),
    [
        ("company_name", "o certo é Padaria e Confeitaria Ltda", "Padaria e Confeitaria Ltda"),
        ("company_name", "razão social: Padaria e Confeitaria Ltda", "Padaria e Confeitaria Ltda"),
        ("company_name", "o nome da empresa é Padaria e Confeitaria Ltda.",
         "Padaria e Confeitaria Ltda"),
        ("person_name", "meu nome certo é Maria Souza", "Maria Souza"),
        ("person_name", "errei, o correto é Maria Souza!", "Maria Souza"),
        ("employees", "na verdade são 45 funcionários", 45),
        ("employees", "funcionários: 1.200", 1200),
        ("address_complement", "o complemento é sala 5", "sala 5"),
        ("cep", "o cep é 20040-020", "20040020"),
        ("admin_phone", "meu celular é 11 97777-6666", "+5511977776666"),
    ],
)  # fmt: skip
def test_value_for_reads_the_value_after_the_words(
    engine: DialogueEngine, key: str, body: str, value: SlotValue
) -> None:
    assert value_for(info(engine, key), utterance(body)) == value


def test_value_for_takes_the_last_valid_entity(engine: DialogueEngine) -> None:
    """ "o 11.222… está errado, é 11.444…": the value is the last one."""
    said = utterance(
        "o 11.222.333/0001-81 está errado, é 11.444.777/0001-61",
        entities=[ent("cnpj", "11222333000181"), ent("cnpj", "11444777000161")],
    )
    assert value_for(info(engine, "cnpj"), said) == "11444777000161"


def test_value_for_explains_a_mistyped_structured_value(engine: DialogueEngine) -> None:
    value = value_for(info(engine, "cnpj"), utterance("errei o cnpj, é 11.222.333/0001-00"))
    assert isinstance(value, Problem) and value.code == "cnpj_check_digits"


@pytest.mark.parametrize(
    ("key", "body"),
    [
        ("admin_phone", "o telefone está errado"),
        ("admin_email", "errei o e-mail"),
        ("company_name", "a razão social está errada"),
        ("person_name", "meu nome é esse mesmo? não"),
        ("person_name", "o certo é sim"),
    ],
)
def test_value_for_finds_no_value_in_a_message_that_only_names_the_field(
    engine: DialogueEngine, key: str, body: str
) -> None:
    assert value_for(info(engine, key), utterance(body)) is None


@pytest.mark.parametrize(
    ("body", "marked"),
    [("errei o e-mail", True), ("na verdade são 45", True), ("o certo é Maria", True),
     ("o cep mudou", True), ("my e-mail is wrong", True), ("Maria Souza", False),
     ("o e-mail é x@y.com", False)],
)  # fmt: skip
def test_has_marker(body: str, marked: bool) -> None:
    assert has_marker(utterance(body)) is marked


# ------------------------------------------------------------------ apply_correction
def test_apply_correction_stores_the_value_and_records_the_change(
    engine: DialogueEngine, dialogue: Dialogue
) -> None:
    turn = turn_at(engine, "na verdade são 45 funcionários")
    asked = apply_correction(turn, dialogue, info=info(engine, "employees"), value=45)
    assert asked is False
    assert turn.state.slots["employees"] == 45
    assert turn.effects == [SlotChanged("employees", 40, 45)]
    assert replies(turn) == says("corrected", label="número de funcionários", value=45)
    assert turn.state.answered[-1] == "employees"


def test_apply_correction_saves_a_saved_registration_again(
    engine: DialogueEngine, dialogue: Dialogue
) -> None:
    state = position(engine, EVERYTHING_BUT_THE_REVIEW, saved=True)
    turn = turn_at(engine, "x", state=state)
    apply_correction(
        turn, dialogue, info=info(engine, "admin_email"), value="novo@paoquente.com.br"
    )
    [saved] = effects_of(turn, SaveRegistration)
    assert isinstance(saved, SaveRegistration)
    assert saved.slots["admin_email"] == "novo@paoquente.com.br"


def test_apply_correction_does_not_save_an_unsaved_registration(
    engine: DialogueEngine, dialogue: Dialogue
) -> None:
    turn = turn_at(engine, "x")
    apply_correction(
        turn, dialogue, info=info(engine, "admin_email"), value="novo@paoquente.com.br"
    )
    assert effects_of(turn, SaveRegistration) == []


@pytest.mark.parametrize(
    ("key", "value", "copied"),
    [
        ("person_name", "Maria Souza", "name"),
        ("admin_email", "novo@paoquente.com.br", "email"),
        ("admin_phone", "+5511955554444", "phone"),
    ],
)
def test_apply_correction_follows_the_contacts_that_are_sou_eu(
    engine: DialogueEngine, dialogue: Dialogue, key: str, value: str, copied: str
) -> None:
    turn = turn_at(engine, "x")
    tech_before = turn.state.slots[f"tech.{copied}"]
    apply_correction(turn, dialogue, info=info(engine, key), value=value)
    slots = turn.state.slots
    assert slots[f"finance.{copied}"] == value  # finance is "sou eu"
    assert slots[f"cs.{copied}"] == value  # so is customer success
    assert slots[f"tech.{copied}"] == tech_before  # IT is Beatriz


def test_a_known_new_cep_fills_the_address_again(
    engine: DialogueEngine, dialogue: Dialogue, addresses: FakeAddressLookup
) -> None:
    turn = turn_at(engine, "x")
    asked = apply_correction(turn, dialogue, info=info(engine, "cep"), value="20040020")
    assert asked is False
    assert addresses.asked[-1] == "20040020"
    assert turn.state.slots["street"] == "Avenida Rio Branco, Centro, Rio de Janeiro/RJ"
    assert turn.state.pending is None


def test_an_unknown_new_cep_asks_the_street_again(
    engine: DialogueEngine, dialogue: Dialogue
) -> None:
    turn = turn_at(engine, "x")
    asked = apply_correction(turn, dialogue, info=info(engine, "cep"), value="04567000")
    assert asked is True
    assert "street" not in turn.state.slots
    assert turn.state.pending == CorrectionPending(slot="street")
    assert [r.text for r in turn.replies] == [
        says("corrected", label="CEP", value="04567-000"),
        prompt("street"),
    ]


# ------------------------------------------------------------------ not_an_answer
@pytest.mark.parametrize(
    ("body", "validator", "refused"),
    [
        ("ok", "person_name", True),
        ("sim", "person_name", True),
        ("não", "person_name", True),
        ("nome", "person_name", True),  # a field's own label
        ("razão social", "company_name", True),
        ("número de funcionários", "person_name", True),
        ("qual é o seu nome?", "person_name", True),
        ("como assim", "person_name", True),
        ("oi", "person_name", True),
        ("bom dia", "company_name", True),
        ("Maria Souza", "person_name", False),
        ("Padaria Pão Quente", "company_name", False),
        ("não", "complement", False),  # "não tem complemento"
        ("complemento", "complement", False),
        ("sim", "email", False),  # structured answers explain themselves
        ("sala 5", "complement", False),
    ],
)
def test_not_an_answer(dialogue: Dialogue, body: str, validator: str, refused: bool) -> None:
    assert not_an_answer(utterance(body), dialogue, validator=validator) is refused


def test_other_entity_tells_another_kind_of_value() -> None:
    said = utterance("01310-100", entities=[ent("cep", "01310100")])
    assert other_entity(said, None)
    assert other_entity(said, "email")
    assert not other_entity(said, "cep")
    assert not other_entity(utterance("45"), None)


# ------------------------------------------------------------------ the handler
def test_a_marked_correction_with_its_value_is_applied_and_the_question_asked_again(
    chat: Chat,
) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send(
        "errei o e-mail do financeiro, o certo é x@y.com", entities=[ent("email", "x@y.com")]
    )
    assert [r.text for r in turn.replies] == [
        says("corrected", label="e-mail (Financeiro)", value="x@y.com"),
        prompt("cep"),
    ]
    assert turn.state.slots["finance.email"] == "x@y.com"


def test_a_correction_without_its_value_asks_for_it(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send("errei o telefone da Beatriz")
    assert replies(turn) == says("ask_new_value", label="celular (TI)")
    assert turn.state.pending == CorrectionPending(slot="tech.phone")


def test_a_mistyped_value_is_explained_with_the_fields_rule(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send("errei o cnpj, é 11.222.333/0001-00")
    assert [r.text for r in turn.replies] == [
        says("cnpj_check_digits"),
        says("ask_new_value", label="CNPJ"),
    ]
    assert turn.state.pending == CorrectionPending(slot="cnpj")
    assert turn.state.slots["cnpj"] == CLIENT["cnpj"]


def test_an_unmarked_value_the_question_cannot_take_corrects_the_field_it_names(
    chat: Chat,
) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send("meu email é novo@x.com", entities=[ent("email", "novo@x.com")])
    assert turn.effects == [SlotChanged("admin_email", CLIENT["admin_email"], "novo@x.com")]
    assert turn.replies[-1].text == prompt("cep")


def test_an_unmarked_value_the_question_takes_is_its_answer(chat: Chat) -> None:
    """At IT's e-mail, "o e-mail é joao@x.com" answers it: it is not a correction of the
    client's own e-mail."""
    chat.at(slots_until("tech.email"))
    turn = chat.send("o e-mail é bia@x.com", entities=[ent("email", "bia@x.com")])
    assert turn.state.slots["tech.email"] == "bia@x.com"
    assert turn.state.slots["admin_email"] == CLIENT["admin_email"]
    assert effects_of(turn, SlotChanged) == []


def test_after_the_registration_a_correction_updates_the_stored_record(chat: Chat) -> None:
    chat.at(slots_until(None), saved=True).with_state(finished=True)
    turn = chat.send("na verdade são 45 funcionários")
    assert replies(turn) == says("corrected", label="número de funcionários", value=45)
    assert [type(e) for e in turn.effects] == [SlotChanged, SaveRegistration]


def test_the_handler_leaves_a_message_that_names_no_answered_field(
    engine: DialogueEngine, dialogue: Dialogue
) -> None:
    turn = turn_at(engine, "Rua Augusta, 500", slots=slots_until("street"))
    assert not CorrectionHandler().check(turn, dialogue)


def test_the_handler_leaves_a_conversation_with_nothing_answered(dialogue: Dialogue) -> None:
    turn = Turn(state=DialogueState(), utterance=utterance("errei o e-mail"))
    assert not CorrectionHandler().check(turn, dialogue)


def test_the_street_asked_again_after_a_new_cep_is_taken_whole(chat: Chat) -> None:
    chat.at(slots_until("address_complement"))
    chat.send("o cep mudou, agora é 04567-000", entities=[ent("cep", "04567000")])
    assert chat.state.pending == CorrectionPending(slot="street")
    turn = chat.send("Rua Augusta, Consolação, São Paulo/SP")
    assert turn.state.slots["street"] == "Rua Augusta, Consolação, São Paulo/SP"
