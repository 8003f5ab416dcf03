"""Dates that cannot be what their field says: never confident, whatever checked the digits."""

from __future__ import annotations

from datetime import date

import pytest

from bot.documents.plausible import implausible, plausible_birth, settle, two_digit_years

TODAY = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("kind", "fields", "flagged"),
    [
        ("rg", {"data_nascimento": "25/06/2074"}, {"data_nascimento"}),
        ("rg", {"data_nascimento": "25/06/1900"}, {"data_nascimento"}),  # 125 years old
        ("rg", {"data_nascimento": "25/06/1974"}, set()),
        ("rg", {"data_nascimento": "01/03/2026"}, set()),  # a newborn's CIN
        ("cnh", {"data_nascimento": "25/06/1974", "validade": "01/01/2031"}, set()),
        # a licence valid before the holder was 18: one of the two dates is misread
        (
            "cnh",
            {"data_nascimento": "25/06/2014", "validade": "01/01/2030"},
            {"data_nascimento", "validade"},
        ),
        ("cnpj_card", {"data_abertura": "06/12/2027"}, {"data_abertura"}),
        ("cnpj_card", {"data_abertura": "06/12/1985"}, set()),
        ("comprovante_endereco", {"data_emissao": "10/02/2026"}, set()),
        ("comprovante_endereco", {"data_emissao": "10/04/2026"}, {"data_emissao"}),
        ("comprovante_endereco", {"data_emissao": "10/02/2016"}, {"data_emissao"}),  # ancient
        (
            "rg",
            {"data_nascimento": "25/06/1974", "data_expedicao": "01/01/1970"},
            {"data_expedicao"},
        ),
        ("rg", {"data_nascimento": "31/02/1974"}, set()),  # not a date: the parser's to flag
    ],
)
def test_each_field_has_its_rule(kind: str, fields: dict[str, str], flagged: set[str]) -> None:
    assert set(implausible(kind, fields, today=TODAY)) == flagged


def test_a_birth_is_before_the_anchor_and_at_most_120_years_before_it() -> None:
    assert plausible_birth(date(1974, 6, 25), until=TODAY)
    assert not plausible_birth(date(2074, 6, 25), until=TODAY)
    assert not plausible_birth(date(1905, 6, 25), until=TODAY)


def test_two_digit_years_give_both_centuries_and_the_plausible_ones() -> None:
    dates, fits = two_digit_years("740625", until=TODAY)
    assert dates == [date(1974, 6, 25), date(2074, 6, 25)] and fits == [date(1974, 6, 25)]
    _, fits = two_digit_years("100101", until=TODAY)
    assert len(fits) == 2  # 116 years old or 16: the digits alone cannot tell
    dates, _ = two_digit_years("000229", until=TODAY)
    assert dates == [date(2000, 2, 29)]  # 1900 was not a leap year


def test_settle_caps_an_implausible_date_below_asserted_and_warns() -> None:
    fields = {"data_nascimento": "25/06/2074", "cpf": "52998224725"}
    confidence = {"data_nascimento": 0.98, "cpf": 0.98}
    warnings = settle("rg", fields, confidence=confidence, today=TODAY)
    assert confidence == {"data_nascimento": 0.5, "cpf": 0.98}
    assert warnings == ["data_nascimento: implausible date (birth date in the future)"]


def test_a_cep_lies_in_its_states_range_of_the_correios() -> None:
    from bot.documents.plausible import CEP_RANGES, cep_fits_uf

    assert len(CEP_RANGES) == 27
    assert cep_fits_uf("01310100", "SP") and cep_fits_uf("75115957", "GO")
    assert cep_fits_uf("73700000", "GO") and not cep_fits_uf("73700000", "DF")
    assert cep_fits_uf("69300000", "RR") and cep_fits_uf("69400000", "AM")
    assert cep_fits_uf("11197715", "GO") is False  # a GO CEP's 7 read as 1: SP's range
    assert cep_fits_uf("59519575", "RS") is False  # an RN CEP with its 5 read as 9: RS
    assert cep_fits_uf("5951957", "RN") is None and cep_fits_uf("59519575", "XX") is None
