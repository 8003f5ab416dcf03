"""A person's name told from a sentence about one, and found among other words."""

from __future__ import annotations

import pytest

from bot.dialogue.person_names import person_name_in, reads_as_sentence


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ("não, é a Joana Alves", "Joana Alves"),
        ("outra pessoa: Beatriz Rocha, ti@x.com", "Beatriz Rocha"),
        ("Beatriz Rocha", "Beatriz Rocha"),
        ("é o João da Silva", "João da Silva"),
        ("a responsável é a Carla Dias - (11) 98888-7777", "Carla Dias"),
        ("Someone else: John Smith, john@x.com", "John Smith"),
        ("sou eu mesmo, Carlos Lima", "Carlos Lima"),
        ("fala com a Carla Dias do financeiro", "Carla Dias"),
        ("quem cuida é o João da Silva lá do escritório", "João da Silva"),
        ("quem cuida é o João Silva lá", "João Silva"),
        ("a Carla Dias ou o Pedro Lima", None),  # two people: ask again
        ("quero falar com um atendente", None),
        ("outra pessoa", None),
        ("sim", None),
        ("beatriz", None),  # one word in lower case says too little
        ("preciso de ajuda", None),
        ("pode falar comigo mesmo", None),
    ],
)
def test_a_name_is_found_among_other_words(body: str, name: str | None) -> None:
    assert person_name_in(body) == name


@pytest.mark.parametrize("body", ["não sou eu", "eu mesma", "not me"])
def test_me_is_not_a_name(body: str) -> None:
    assert person_name_in(body) is None


@pytest.mark.parametrize(
    "text",
    [
        "sou o responsável pela parte financeira da empresa",
        "pode falar comigo mesmo",
        "o pessoal do financeiro",
        "vou ver com meu chefe",
        "talk to my manager",
        "Ana Maria Souza Lima Prado Costa Neves",  # seven words: no name is that long
    ],
)
def test_a_sentence_is_not_a_name(text: str) -> None:
    assert reads_as_sentence(text)


@pytest.mark.parametrize(
    "text",
    [
        "Maria das Graças Souza",
        "Ana Paula Souza Lima Prado",
        "João Ali",
        "Pedro Henrique de la Cruz",
        "Mary-Jane O'Neil",
        "José dos Santos e Silva",
    ],
)
def test_a_name_is_not_a_sentence(text: str) -> None:
    assert not reads_as_sentence(text)
