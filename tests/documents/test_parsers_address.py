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
