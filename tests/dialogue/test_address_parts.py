"""A number typed with its complement, told from a number alone or a street named by a number."""

from __future__ import annotations

import pytest

from bot.dialogue.address_parts import number_and_complement


@pytest.mark.parametrize(
    ("body", "parts"),
    [
        ("1000, sala 12", ("1000", "sala 12")),
        ("1500 apto 52", ("1500", "apto 52")),
        ("nº 250 - fundos", ("250", "fundos")),
        ("12A, bloco B", ("12A", "bloco B")),
        ("número 1000, sem complemento", ("1000", "sem complemento")),
        ("1500, 10th floor", ("1500", "10th floor")),
        ("300 3º andar", ("300", "3º andar")),
    ],
)
def test_a_number_and_its_complement_are_split(body: str, parts: tuple[str, str]) -> None:
    assert number_and_complement(body) == parts


@pytest.mark.parametrize("body", ["1000", "12A", "S/N", "1000 ou 1002", "250, acho", "é o 45"])
def test_a_number_without_a_complement_is_not_split(body: str) -> None:
    assert number_and_complement(body) is None
