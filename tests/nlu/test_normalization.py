"""Text normalization for the classifier and offset-preserving folding for extractors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlu.normalization import fold, normalize


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("Oiiii, td bem??", "oi tudo bem ? ?"),
        ("NÃO quero mais receber MSG", "nao quero mais receber mensagem"),
        ("vc pode me ajudar pfv", "voce pode me ajudar por favor"),
        ("blz, obg!!", "beleza obrigado ! !"),
        ("simmmm 👍🏻", "sim 👍"),
        ("what's up? I'm lost", "whats up ? i am lost"),
        ("cnpj 12.345.678", "cnpj 0 00 00"),
        ("ação", "acao"),
    ],
)
def test_normalize(text: str, normalized: str) -> None:
    assert normalize(text) == normalized


def test_placeholders_replace_entity_spans() -> None:
    text = "meu cnpj é 11.222.333/0001-81 ok"
    assert normalize(text, placeholders=[(11, 29, "cnpj")]) == "meu cnpj e entcnpj ok"


def test_fold() -> None:
    assert fold("Olá, AMANHÃ às 14h\x00\t") == "ola, amanha as 14h  "


@given(st.text())
def test_fold_keeps_length(text: str) -> None:
    assert len(fold(text)) == len(text)


@given(st.text(max_size=200))
def test_normalize_never_fails(text: str) -> None:
    assert isinstance(normalize(text), str)
