"""One rule for reading an answer to choices: ``pick``, ``is_yes``/``is_no``, numbers."""

from __future__ import annotations

import pytest

from bot.dialogue.catalog import fold
from bot.dialogue.understanding import (
    Option,
    choices_of,
    is_no,
    is_question,
    is_yes,
    option_number,
    pick,
)
from bot.domain.messages import Choice
from tests.dialogue.support import utterance

CONSENT = (
    Option("yes", ("Concordo", "I agree"), meaning="yes", intent="affirm",
           aliases=("concordo", "aceito", "sim", "ok", "pode", "agree", "yes", "i agree")),
    Option("no", ("Não concordo", "I don't agree"), meaning="no", intent="deny",
           aliases=("nao concordo", "nao aceito", "nao", "no", "disagree")),
)  # fmt: skip
CONTACT = (
    Option("me", ("Sou eu", "It's me"),
           aliases=("eu", "eu mesmo", "eu mesma", "sou eu", "sou eu mesmo", "sou eu mesma",
                    "mesmo", "mesma", "me", "myself", "same as me")),
    Option("other", ("Outra pessoa", "Someone else"), meaning="no", intent="deny",
           aliases=("outra", "outra pessoa", "outro", "other", "someone else", "nao sou eu")),
)  # fmt: skip
THREE = (
    Option("a", ("Boleto", "Bank slip"), aliases=("boleto",)),
    Option("b", ("Cartão de crédito", "Credit card"), aliases=("cartao", "credito")),
    Option("c", ("Pix", "Pix"), aliases=("pix",)),
)


def picked(
    body: str, options: tuple[Option, ...], intent: str = "inform", **kw: object
) -> str | None:
    chosen = pick(utterance(body, intent, **kw), options)  # type: ignore[arg-type]
    return chosen.id if chosen is not None else None


# ------------------------------------------------------------------ numbers and ordinals
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("1", "a"),
        ("1)", "a"),
        ("1.", "a"),
        ("2", "b"),
        (" 3 ", "c"),
        ("opção 2", "b"),
        ("Opcao 3", "c"),
        ("option 1", "a"),
        ("número 2", "b"),
        ("a primeira", "a"),
        ("a segunda opção", "b"),
        ("o terceiro", "c"),
        ("the second one", "b"),
        ("a última", "c"),
        ("last", "c"),
        ("1 por favor", "a"),
    ],
)
def test_pick_takes_the_options_number(body: str, expected: str) -> None:
    assert picked(body, THREE) == expected


@pytest.mark.parametrize("body", ["0", "4", "9", "opção 7", "a quarta"])
def test_pick_refuses_a_number_out_of_range(body: str) -> None:
    assert picked(body, THREE) is None


@pytest.mark.parametrize(
    ("said", "number"),
    [("1", 1), ("1)", 1), ("opção 2", 2), ("a primeira", 1), ("o segundo", 2), ("third", 3),
     ("nº 2", 2), ("12", 12), ("primeiro nome", None), ("maria", None), ("123", None),
     ("opção dois", 2), ("dois", 2), ("um", 1), ("two", 2), ("number three", 3),
     ("uma pessoa", None), ("dois funcionarios", None)],
)  # fmt: skip
def test_option_number_reads_the_folded_message(said: str, number: int | None) -> None:
    assert option_number(fold(said)) == number


def test_a_tap_wins_over_the_text() -> None:
    assert picked("Pix", THREE, choice_id="a") == "a"


def test_a_tap_on_an_id_not_offered_is_read_as_text() -> None:
    assert picked("pix", THREE, choice_id="zzz") == "c"


# ------------------------------------------------------------------ titles and aliases
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Boleto", "a"),
        ("boleto!", "a"),
        ("CARTÃO DE CRÉDITO", "b"),
        ("Credit card", "b"),  # the English title too
        ("crédito", "b"),
        ("pix", "c"),
    ],
)
def test_pick_takes_a_title_or_an_alias(body: str, expected: str) -> None:
    assert picked(body, THREE) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("sim", "yes"),
        ("Sim!", "yes"),
        ("claro", "yes"),
        ("pode ser", "yes"),
        ("isso mesmo", "yes"),
        ("não", "no"),
        ("nao", "no"),
        ("negativo", "no"),
    ],
)
def test_yes_and_no_words_pick_the_options_that_mean_yes_and_no(body: str, expected: str) -> None:
    assert picked(body, CONSENT) == expected


def test_yes_words_pick_nothing_when_no_option_means_yes() -> None:
    assert picked("claro", THREE) is None


@pytest.mark.parametrize(
    "body", ["sou eu mesma", "sim, sou eu mesma", "eu mesmo", "é eu mesma, pode colocar"]
)
def test_an_alias_said_inside_a_short_phrase_picks_its_option(body: str) -> None:
    assert picked(body, CONTACT) == "me"


@pytest.mark.parametrize("body", ["não, é outra pessoa", "outra pessoa cuida disso"])
def test_the_other_person_inside_a_phrase(body: str) -> None:
    assert picked(body, CONTACT) == "other"


@pytest.mark.parametrize("body", ["não concordo", "eu não concordo", "Não concordo não"])
def test_the_longest_alias_wins(body: str) -> None:
    """ "concordo" is the yes option's, "não concordo" the no option's: the longer wins."""
    assert picked(body, CONSENT) == "no"


@pytest.mark.parametrize("body", ["sim não", "não sim", "pix, sim"])
def test_an_ambiguous_phrase_picks_nothing(body: str) -> None:
    assert picked(body, THREE + CONSENT) is None


@pytest.mark.parametrize("body", ["boleto ou pix", "pix ou boleto?", "pix e cartão"])
def test_a_phrase_naming_two_options_apart_picks_nothing(body: str) -> None:
    """The longest alias decides only between names that overlap ("não concordo" contains
    "concordo"); two options named apart are a question, not a choice."""
    assert picked(body, THREE) is None


def test_a_one_word_alias_inside_a_long_sentence_picks_nothing() -> None:
    body = "ok mas antes preciso confirmar umas coisas com o meu sócio amanhã"
    assert picked(body, CONSENT) is None


def test_a_contained_word_does_not_pick_when_the_nlu_hears_a_request() -> None:
    """ "pode ser amanhã às 14h?" asks for a training: it is not "pode" = yes."""
    body = "pode ser amanhã às 14h?"
    assert picked(body, CONSENT, intent="schedule_training") is None
    assert picked(body, CONSENT, intent="inform") == "yes"


def test_a_request_heard_with_little_confidence_still_picks_by_a_contained_word() -> None:
    assert picked("pode ser amanhã", CONSENT, intent="schedule_training", confidence=0.5) == "yes"


def test_the_nlu_intent_picks_the_option_it_names() -> None:
    assert picked("de jeito algum, obrigada", CONSENT, intent="deny") == "no"
    assert picked("de jeito algum, obrigada", CONSENT, intent="deny", confidence=0.4) is None


def test_nothing_is_picked_from_gibberish() -> None:
    assert picked("asdfgh", THREE + CONSENT) is None


# ------------------------------------------------------------------ yes, no, questions
@pytest.mark.parametrize(
    "body",
    ["sim", "Sim!", "s", "ok", "claro", "isso mesmo", "tudo certo", "pode seguir",
     "sim, pode", "yes please", "beleza", "confirmo"],
)  # fmt: skip
def test_is_yes(body: str) -> None:
    assert is_yes(utterance(body))


@pytest.mark.parametrize(
    "body", ["não", "sim, mas não agora", "talvez", "ok não", "Maria", "nao esta certo"]
)
def test_is_not_yes(body: str) -> None:
    assert not is_yes(utterance(body))


@pytest.mark.parametrize(
    "body", ["não", "nao", "n", "no", "nope", "negativo", "está errado", "não, obrigada"]
)
def test_is_no(body: str) -> None:
    assert is_no(utterance(body))


@pytest.mark.parametrize("body", ["sim", "ok", "Maria", "nada a declarar, tudo certo por aqui sim"])
def test_is_not_no(body: str) -> None:
    assert not is_no(utterance(body))


def test_a_tap_on_yes_or_no_is_yes_or_no() -> None:
    assert is_yes(utterance("", choice_id="yes"))
    assert is_no(utterance("", choice_id="no"))


def test_the_nlu_says_yes_or_no_only_when_sure() -> None:
    assert is_yes(utterance("manda ver", "affirm", 0.9))
    assert not is_yes(utterance("manda ver", "affirm", 0.5))
    assert is_no(utterance("deixa quieto", "deny", 0.9))
    assert not is_no(utterance("deixa quieto", "deny", 0.5))


@pytest.mark.parametrize(
    ("body", "question"),
    [("qual o prazo?", True), ("quando começa", True), ("isso é obrigatório?", True),
     ("Maria Souza", False), ("não", False)],
)  # fmt: skip
def test_is_question(body: str, question: bool) -> None:
    assert is_question(utterance(body)) is question


def test_choices_of_gives_each_option_its_title_in_the_language() -> None:
    assert choices_of(CONSENT, "pt") == (Choice("yes", "Concordo"), Choice("no", "Não concordo"))
    assert choices_of(CONSENT, "en") == (Choice("yes", "I agree"), Choice("no", "I don't agree"))
