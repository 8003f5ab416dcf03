"""Check digits, OCR-confusion repair and formats of the identifiers read off documents."""

from __future__ import annotations

from datetime import date

import pytest

from bot.documents import identifiers as ids


def test_cpf_with_a_letter_o_is_repaired_and_checked() -> None:
    parsed = ids.parse_cpf("CPF 111.444.777-35")
    assert parsed == ids.Parsed("11144477735", True, 0, checked=True)
    repaired = ids.parse_cpf("111.444.777-3S")
    assert repaired is not None and repaired.value == "11144477735" and repaired.repairs == 1


def test_cpf_with_a_wrong_digit_is_not_checked() -> None:
    parsed = ids.parse_cpf("111.444.777-36")
    assert parsed is not None
    assert parsed.value != "11144477736" or not parsed.checked


def test_numeric_cnpj_with_look_alike_letters() -> None:
    parsed = ids.parse_cnpj("11.222.333/OOOl-81")
    assert parsed is not None and parsed.value == "11222333000181" and parsed.checked


def test_alphanumeric_cnpj_2026_keeps_its_letters() -> None:
    # the Receita's own example: its 1 read as I and its 0 eight places on read as O keep
    # both check digits (I2ABC345O1DE35), so the text alone never asserts it (repairs 2)
    parsed = ids.parse_cnpj("12.ABC.345/01DE-35")
    assert parsed == ids.Parsed("12ABC34501DE35", True, 2, checked=True)
    assert ids.look_alike_twins("12ABC34501DE35") == ["I2ABC345O1DE35"]
    swapped = ids.parse_cnpj("12.A8C.345/01DE-35")  # B read as 8
    assert swapped is not None and swapped.value == "12ABC34501DE35" and swapped.repairs == 2


def test_an_alphanumeric_cnpj_without_a_twin_is_read_as_printed() -> None:
    assert ids.look_alike_twins("IC9Y246C0OO122") == []
    assert ids.parse_cnpj("IC.9Y2.46C/0OO1-22") == ids.Parsed("IC9Y246C0OO122", True, 0, True)


def test_a_numeric_read_is_not_doubted_for_its_twins_with_letters() -> None:
    # a numeric CNPJ has look-alike twins a third of the time: its digits read as printed
    # are not doubted for them (the glyphs' widths may still correct an O read as 0)
    assert ids.look_alike_twins("11222333000181") == ["I1222333O00181", "1I2223330O0181"]
    assert ids.parse_cnpj("11.222.333/0001-81") == ids.Parsed("11222333000181", True, 0, True)


def test_a_cnpj_found_by_swapping_look_alikes_is_never_asserted_on_its_text() -> None:
    # IL1NQB1O0OO120 read 1L1NQB10O0O120: its only valid two swaps away is not the truth
    parsed = ids.parse_cnpj("1L.1NQ.B10/O0O1-20")
    assert parsed is not None and parsed.checked and parsed.repairs == 2


def test_random_text_is_not_a_cnpj() -> None:
    assert ids.parse_cnpj("DAPES50AJUR101") is None


def test_cnh_registration_check_digits() -> None:
    base = "123456789"
    number = base + ids.cnh_check_digits(base)
    assert ids.cnh_is_valid(number)
    assert not ids.cnh_is_valid(number[:-1] + str((int(number[-1]) + 1) % 10))
    assert ids.parse_cnh_registro(f"Nº REGISTRO {number}") == ids.Parsed(number, True, 0, True)


def test_dates_are_validated_against_a_window() -> None:
    window = {"earliest": date(1900, 1, 1), "latest": date(2026, 3, 2)}
    assert ids.parse_date("14/12/1956, MACAPÁ, AP", **window) == ids.Parsed("14/12/1956", True)
    assert ids.parse_date("31/02/2001", **window) == ids.Parsed("31/02/2001", False)
    future = ids.parse_date("01/01/2030", **window)
    assert future is not None and not future.valid
    assert ids.parse_date("O1/O2/2OO1", **window) == ids.Parsed("01/02/2001", True, 1)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("01.310-100", "01310100"), ("01310-100", "01310100"), ("CEP 0131O-1OO", "01310100")],
)
def test_cep_formats(raw: str, value: str) -> None:
    parsed = ids.parse_cep(raw)
    assert parsed is not None and parsed.value == value


def test_uf_and_situation() -> None:
    assert ids.parse_uf("S P") is None or ids.parse_uf("SP") == ids.Parsed("SP", True)
    assert ids.parse_uf("5P") == ids.Parsed("SP", True, 1)
    assert ids.parse_situacao("ATIVA") == ids.Parsed("ATIVA", True)
    assert ids.parse_situacao("BAlXADA") == ids.Parsed("BAIXADA", True, 1)


def test_rg_keeps_a_final_x_and_checks_sp_digits() -> None:
    parsed = ids.parse_rg("12.345.678-X")
    assert parsed is not None and parsed.value == "12345678X"
    total = sum(int(d) * w for d, w in zip("43984680", range(2, 10), strict=True)) % 11
    assert ids.parse_rg(f"43.984.680-{total}") == ids.Parsed(f"43984680{total}", True, 0, True)
    assert ids.parse_rg("44,477.854-3") is not None


def test_an_rg_check_x_glued_to_the_digits_is_kept() -> None:
    # RS, ES, AM print "72614715X" with no dash: the X is the number's, not dropped
    assert ids.parse_rg("72614715X") == ids.Parsed("72614715X", True, 0, True)
    assert ids.parse_rg("RG 72614715X SSP/RS") == ids.Parsed("72614715X", True, 0, True)
    # an X after a space is another word, not the check character
    parsed = ids.parse_rg("1234567 X")
    assert parsed is not None and parsed.value == "1234567"
