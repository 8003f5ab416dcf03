"""A bill's street address as OCR gives it: spacing lost after a comma or a street type."""

from __future__ import annotations

from bot.documents.parsers import parse_address


def test_the_space_after_the_comma_is_put_back_without_doubt() -> None:
    parsed = parse_address("R SÃO BENTO,2827")
    assert parsed is not None
    assert (parsed.value, parsed.valid, parsed.repairs) == ("R SÃO BENTO, 2827", True, 0)


def test_a_street_type_glued_to_the_name_is_split_and_shown_to_confirm() -> None:
    parsed = parse_address("RSÃO BENTO, 2827")
    assert parsed is not None
    assert (parsed.value, parsed.repairs) == ("R SÃO BENTO, 2827", 1)
    avenue = parse_address("AVGETÚLIO VARGAS, 384")
    assert avenue is not None and avenue.value == "AV GETÚLIO VARGAS, 384"


def test_words_that_start_like_a_street_type_are_left_alone() -> None:
    for text in ("RUA DAS FLORES, 12", "ALTO DA SERRA, 1", "RHODES, 10", "AVENIDA BRASIL, 9"):
        parsed = parse_address(text)
        assert parsed is not None and (parsed.value, parsed.repairs) == (text, 0)


def test_a_blocks_letter_glued_to_bl_is_split_and_shown_to_confirm() -> None:
    parsed = parse_address("TV DA CONCEIÇÃO, 1706 - BLA AP 201")
    assert parsed is not None
    assert (parsed.value, parsed.repairs) == ("TV DA CONCEIÇÃO, 1706 - BL A AP 201", 1)
    kept = parse_address("R BLUMENAU, 12 - BL B")
    assert kept is not None and (kept.value, kept.repairs) == ("R BLUMENAU, 12 - BL B", 0)


def test_spaces_lost_around_a_complement_are_put_back_and_shown_to_confirm() -> None:
    cases = {
        "R DAS FLORES, 1159- BLAAP 105": "R DAS FLORES, 1159 - BL A AP 105",
        "R DAS FLORES, 1159-BLAAP 105": "R DAS FLORES, 1159 - BL A AP 105",
        "AL SANTOS, 2399 -AP68": "AL SANTOS, 2399 - AP 68",
        "R 7 DE SETEMBRO, 100 - SALA3": "R 7 DE SETEMBRO, 100 - SALA 3",
    }
    for raw, value in cases.items():
        parsed = parse_address(raw)
        assert parsed is not None and (parsed.value, parsed.repairs) == (value, 1)


def test_a_full_stop_read_for_the_comma_before_the_number_is_a_comma_to_confirm() -> None:
    parsed = parse_address("AV GETÚLIO VARGAS. 384")
    assert parsed is not None and (parsed.value, parsed.repairs) == ("AV GETÚLIO VARGAS, 384", 1)


def test_a_street_name_and_printed_complements_are_left_alone() -> None:
    for text in ("R BLAAP, 3", "R X, 10 - APTO 3", "TRAV. 12", "AV. BRASIL, 10 - CASA 2"):
        parsed = parse_address(text)
        assert parsed is not None and (parsed.value, parsed.repairs) == (text, 0)
