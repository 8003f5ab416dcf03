"""``confirm`` steps (the review): the summary, then "Está tudo certo" or "Corrigir algo";
naming a field corrects it directly."""

from __future__ import annotations

import pytest

from bot.dialogue.effects import SaveRegistration, SetStage, SlotChanged
from bot.dialogue.state import CorrectionPending, DialogueState, FixChoicePending
from bot.dialogue.steps.confirm import ask_which_field
from bot.dialogue.turn import Turn
from flows import Flow
from tests.dialogue.support import (
    Chat,
    choices,
    ent,
    make_engine,
    prompt,
    says,
    slots_until,
    utterance,
)


@pytest.fixture
def review(chat: Chat) -> Chat:
    return chat.at(slots_until(None))


def test_the_review_shows_every_answer_formatted(chat: Chat) -> None:
    chat.at(slots_until("address_complement"))
    turn = chat.send("sala 12")
    body = turn.replies[-1].text
    assert body.startswith(prompt("review"))
    for line in [
        "• Seu nome: Maria da Silva",
        "• CNPJ: 11.222.333/0001-81",
        "• Seu celular: (11) 98765-4321",
        "• Número de funcionários: 40",
        "• E-mail (TI): ti@paoquente.com.br",
        "• CEP: 01310-100",
        "• Complemento: sala 12",
    ]:
        assert line in body.splitlines()
    assert [(c.id, c.title) for c in choices(turn)] == [
        ("__ok__", "Está tudo certo"),
        ("__fix__", "Corrigir algo"),
    ]


@pytest.mark.parametrize("body", ["1", "tudo certo", "Está tudo certo", "sim", "confirmo"])
def test_confirming_saves_and_moves_to_the_documents(review: Chat, body: str) -> None:
    turn = review.send(body)
    [saved, stage] = turn.effects
    assert isinstance(saved, SaveRegistration) and saved.slots["cnpj"] == "11222333000181"
    assert stage == SetStage("documentos", "registration data confirmed by the client")
    assert review.state.saved
    assert turn.replies[-1].text == prompt("cnpj_card")


@pytest.mark.parametrize("body", ["2", "corrigir algo", "tem erro"])
def test_fix_something_asks_which_answer(review: Chat, body: str) -> None:
    turn = review.send(body)
    assert isinstance(review.state.pending, FixChoicePending)
    assert choices(turn)  # the answers (or their areas) to pick from
    assert turn.effects == []


def test_naming_a_field_asks_its_new_value(review: Chat) -> None:
    turn = review.send("o complemento")
    assert [r.text for r in turn.replies] == [says("ask_new_value", label="complemento")]
    assert review.state.pending == CorrectionPending(slot="address_complement")


def test_the_new_value_is_stored_and_the_review_shown_again(review: Chat) -> None:
    review.send("o complemento")
    turn = review.send("sala 5")
    assert turn.effects == [SlotChanged("address_complement", "sala 12", "sala 5")]
    assert turn.replies[0].text == says("corrected", label="complemento", value="sala 5")
    assert "• Complemento: sala 5" in turn.replies[-1].text.splitlines()


def test_a_field_named_with_its_value_is_corrected_at_once(review: Chat) -> None:
    turn = review.send("o e-mail é novo@x.com", entities=[ent("email", "novo@x.com")])
    assert turn.effects == [SlotChanged("admin_email", "maria@paoquente.com.br", "novo@x.com")]
    assert turn.replies[-1].text.startswith(prompt("review"))


def test_an_answer_that_is_neither_is_explained_in_one_line(review: Chat) -> None:
    turn = review.send("banana")
    assert [r.text for r in turn.replies] == [says("choice_unknown"), says("review_again")]
    assert [c.id for c in choices(turn)] == ["__ok__", "__fix__"]


# ------------------------------------------------------------------ allow_fix: false
NO_FIX = Flow.model_validate(
    {
        "id": "terms",
        "start": "name",
        "steps": {
            "name": {
                "type": "ask",
                "slot": "name",
                "validator": "person_name",
                "label": {"pt": "nome", "en": "name"},
                "aliases": ["nome"],
                "prompt": {"pt": "Seu nome?", "en": "Your name?"},
                "next": "accept",
            },
            "accept": {
                "type": "confirm",
                "prompt": {"pt": "Aceita os termos?", "en": "Accept?"},
                "on_yes": "end",
                "allow_fix": False,
            },
            "end": {"type": "end", "text": {"pt": "Feito.", "en": "Done."}},
        },
    }
)


@pytest.fixture
def terms() -> Chat:
    chat = Chat(make_engine({"terms": NO_FIX}, root_flow="terms"))
    return chat.at({"name": "Maria Souza"})


def test_a_confirmation_without_fixes_offers_only_ok(terms: Chat) -> None:
    turn = terms.send("x")
    assert [c.id for c in choices(turn)] == ["__ok__"]


def test_a_confirmation_without_fixes_does_not_take_a_field_name(terms: Chat) -> None:
    turn = terms.send("o nome")
    assert terms.state.pending is None
    assert turn.replies[0].text == says("choice_unknown")


def test_a_confirmation_without_fixes_goes_on_with_yes(terms: Chat) -> None:
    turn = terms.send("sim")
    assert turn.replies[-1].text == "Feito."
    assert terms.state.finished


# ------------------------------------------------------------------ ask_which_field
def test_ask_which_field_with_nothing_answered_says_so() -> None:
    engine = make_engine()
    turn = Turn(state=DialogueState(), utterance=utterance("corrigir"))
    assert ask_which_field(turn, engine.dialogue) is False
    assert [r.text for r in turn.replies] == [says("nothing_to_fix")]
    assert turn.state.pending is None


def test_ask_which_field_offers_the_answered_fields() -> None:
    engine = make_engine()
    chat = Chat(engine).at(slots_until("employees"))
    turn = Turn(state=chat.state, utterance=utterance("corrigir"))
    assert ask_which_field(turn, engine.dialogue) is True
    assert [c.id for c in choices(turn)] == ["person_name", "cnpj", "company_name"]
    assert turn.replies[0].text == says("ask_which_field")
