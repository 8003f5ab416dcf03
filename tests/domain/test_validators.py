"""Field validators shared by the chat, the console's edits and the status page's fixes."""

from __future__ import annotations

import pytest

from bot.domain.validators import Problem, email_typo_fix, validate_address_number


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1000", "1000"),
        ("nº 1000", "1000"),
        ("Nº1000", "1000"),
        ("n° 3", "3"),
        ("n 1000", "1000"),
        ("N. 250", "250"),
        ("número 12A", "12A"),
        ("numero 5", "5"),
        ("nr 45", "45"),
        ("num 7", "7"),
        ("No. 77", "77"),
        ("é o número 1000", "1000"),
        ("s/n", "S/N"),
        ("sem número", "S/N"),
    ],
)
def test_an_address_number_is_stored_without_the_word_for_number(typed: str, stored: str) -> None:
    assert validate_address_number(typed) == stored


@pytest.mark.parametrize("typed", ["", "número", "nenhum", "na esquina"])
def test_an_address_number_without_a_digit_is_a_problem(typed: str) -> None:
    result = validate_address_number(typed)
    assert isinstance(result, Problem)
    assert result.code == "address_number"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("maria@gmial.com", "maria@gmail.com"),
        ("maria@gmail.con", "maria@gmail.com"),
        ("joao@hotmail.com.bt", "joao@hotmail.com.br"),
        ("Ana@Outlok.com", "Ana@outlook.com"),
    ],
)
def test_a_misspelt_big_provider_suggests_the_address_meant(typed: str, meant: str) -> None:
    assert email_typo_fix(typed) == meant


@pytest.mark.parametrize("typed", ["maria@gmail.com", "maria@padaria.com.br", "sem-arroba"])
def test_a_domain_that_is_no_known_misspelling_suggests_nothing(typed: str) -> None:
    assert email_typo_fix(typed) is None
