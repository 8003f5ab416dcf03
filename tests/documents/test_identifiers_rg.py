"""RG numbers: a state's formats, and the CIN's number, which is the whole CPF."""

from __future__ import annotations

from bot.documents.identifiers import parse_rg


def test_the_cins_number_is_the_whole_cpf_never_its_first_ten_digits() -> None:
    parsed = parse_rg("485.135.765-65")
    assert parsed is not None and parsed.value == "48513576565" and parsed.checked


def test_state_formats_keep_their_check_digit() -> None:
    for raw, value in (
        ("09.698.038-9", "096980389"),
        ("16.128.101-X", "16128101X"),
        ("MG-7.142.840", "7142840"),
        ("4897272258", "4897272258"),
    ):
        parsed = parse_rg(raw)
        assert parsed is not None and parsed.value == value, raw
