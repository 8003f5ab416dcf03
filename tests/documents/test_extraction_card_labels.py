"""Values under the cartão's labels on heavy photos: no word of the label itself, and a first
word set apart by its tall box put back."""

from __future__ import annotations

from datetime import date

from bot.documents.extraction import extract_fields
from bot.documents.page import Page, Word

TODAY = date(2026, 12, 7)


def _w(text: str, left: float, top: float, right: float, bottom: float, conf: float) -> Word:
    return Word(text, left, top, right, bottom, conf)


# The block pass's TSV of a heavy tuning photo (seed 1005): "(NOME DE FANTASIA)" read as
# "(NOME", "DE" and a "FANTASIA)" box that overlaps "DE"; the label's "DE" was offered as the
# value under "TITULO DO ESTABELECIMENTO (NOME".
WORDS = (
    _w("[NOME", 28, 316, 105, 367, 73),
    _w("EMPRESARIAL.", 121, 316, 299, 367, 38),
    _w("NOGUEIRA", 41, 367, 213, 393, 96),
    _w("INDÚSTRIA", 223, 359, 397, 392, 96),
    _w("E", 407, 365, 427, 392, 95),
    _w("COMÉRCIO", 437, 359, 614, 392, 95),
    _w("LTDA", 624, 365, 707, 391, 92),
    _w("EPP", 734, 364, 799, 391, 96),
    _w("TÍTULO", 34, 398, 121, 445, 73),
    _w("DO", 135, 398, 160, 445, 81),
    _w("ESTABELECIMENTO", 171, 404, 489, 437, 73),
    _w("(NOME", 402, 398, 473, 445, 73),
    _w("DE", 488, 398, 516, 445, 90),
    _w("FANTASIA)", 486, 403, 658, 437, 27),
    _w("|", 1380, 410, 1384, 457, 47),
    _w("PORTE", 1388, 395, 1469, 442, 96),
    _w("FARMÁCIA", 42, 443, 211, 475, 96),
    _w("POPULAR", 220, 448, 377, 475, 96),
    _w("DEMAIS", 1392, 445, 1517, 472, 0),
)


def test_a_word_of_the_label_itself_is_never_its_value() -> None:
    found, _ = extract_fields(Page(WORDS, 1778, 1445), "cnpj_card", today=TODAY)
    assert found["nome_fantasia"].parsed.value == "FARMÁCIA POPULAR"


def _box(text: str, left: float, top: float, bottom: float, conf: float = 90.0) -> Word:
    return Word(text, left, top, left + 20 * len(text), bottom, conf)


# A blurred photo's TSV: the value's first word boxed together with the box's rule, taller than
# its neighbours, so the row grouping sets it on a row of its own; the city's box has the
# district's value to its left, which is no part of the city.
BLURRED = (
    _box("NOME", 38, 304, 334),
    _box("EMPRESARIAL", 128, 304, 334),
    _box("'TIAGO", 37, 335, 391),
    _box("GISELE", 190, 345, 375),
    _box("GUIMARÃES", 344, 340, 375),
    _box("TAVARES", 597, 344, 374),
    _box("EIRELI", 792, 345, 373),
    _box("CEP", 40, 500, 525),
    _box("BAIRRO/DISTRITO", 400, 500, 525),
    _box("MUNICÍPIO", 900, 500, 525),
    _box("UF", 1600, 500, 525),
    _box("61.801-886", 40, 540, 572),
    _box("CENTRO", 400, 540, 572),
    _box("PORTO", 900, 540, 572),
    _box("VELHO", 1030, 540, 572),
    _box("RO", 1600, 540, 572),
)


def test_a_values_first_word_set_apart_by_its_tall_box_is_put_back() -> None:
    found, _ = extract_fields(Page(BLURRED, 1800, 700), "cnpj_card", today=TODAY)
    assert found["razao_social"].parsed.value == "TIAGO GISELE GUIMARÃES TAVARES EIRELI"
    assert found["municipio"].parsed.value == "PORTO VELHO"


def test_a_state_read_with_its_boxs_rule_is_still_the_state_but_never_asserted() -> None:
    # the UF's tiny label lost; its value read "[RO" and "jRO" at low confidence (the rule)
    for read in ("[RO", "jRO"):
        words = tuple(w for w in BLURRED if w.text not in ("UF", "RO")) + (
            _box(read, 1600, 540, 572, conf=34.0),
        )
        found, _ = extract_fields(Page(words, 1800, 700), "cnpj_card", today=TODAY)
        assert found["uf"].parsed.value == "RO"
        assert found["uf"].parsed.repairs >= 1  # placed, not read at its label: never asserted
    words = tuple(w for w in BLURRED if w.text not in ("UF", "RO")) + (
        _box("jRJO", 1600, 540, 572, conf=34.0),
    )
    found, _ = extract_fields(Page(words, 1800, 700), "cnpj_card", today=TODAY)
    assert "uf" not in found


# A heavy tuning photo's binarized pass (seed 1001): the BAIRRO/DISTRITO label lost but for a
# "1" left of MUNICÍPIO, the UF's label read "ur"; the district's value sits under that "1".
CITY_ROW = (
    _w("CEP", 44, 875, 90, 907, 72),
    _w("1", 402, 891, 408, 899, 54),
    _w("MUNICIPIO", 938, 889, 1080, 909, 89),
    _w("ur", 1633, 890, 1660, 910, 82),
    _w("26.850-310", 51, 921, 240, 963, 75),
    _w("VILA", 380, 923, 460, 948, 95),
    _w("NOVA", 471, 923, 560, 948, 95),
    _w("CURITIBA", 938, 923, 1090, 950, 95),
    _w("PR", 1633, 924, 1670, 951, 95),
)


def test_a_number_far_left_of_a_label_is_no_label_number() -> None:
    """A 2022 CNH's "4b VALIDADE" keeps its number; a "1" half the page away (a rule's
    remnant) does not stretch MUNICÍPIO's column over the district's value."""
    found, _ = extract_fields(Page(CITY_ROW, 1778, 1445), "cnpj_card", today=TODAY)
    assert found["municipio"].parsed.value == "CURITIBA"


def test_the_opening_date_under_abertura_when_data_de_was_misread() -> None:
    words = (
        _w("[DRIA", 1350, 182, 1460, 212, 4),
        _w("DE", 1474, 182, 1505, 213, 61),
        _w("ABERTURA", 1518, 174, 1640, 223, 1),
        _w("02/08/1996", 1392, 213, 1562, 255, 40),
    )
    found, _ = extract_fields(Page(words, 1778, 1445), "cnpj_card", today=TODAY)
    assert found["data_abertura"].parsed.value == "02/08/1996"
    assert found["data_abertura"].via == "below"


def test_a_dash_at_the_letters_foot_is_no_hyphen_of_the_value() -> None:
    """A heavy photo's box rule read as "-" under the gap between two words (seed 1002)
    is left out; a printed hyphen, at mid-height, stays."""
    label = (
        _w("NOME", 47, 400, 110, 430, 92),
        _w("DE", 120, 400, 150, 430, 92),
        _w("FANTASIA", 160, 400, 300, 430, 92),
        _w("NOME", 47, 300, 110, 330, 92),
        _w("EMPRESARIAL", 120, 300, 300, 330, 92),
    )
    stray = (
        _w("SÃO", 49, 437, 110, 470, 82),
        _w("JORGE", 122, 443, 165, 487, 96),
        _w("-", 172, 483, 190, 485, 67),
        _w("PEÇAS", 252, 443, 330, 486, 96),
    )
    printed = (
        _w("SOL", 49, 340, 110, 370, 90),
        _w("LTDA", 122, 340, 200, 370, 90),
        _w("-", 210, 352, 225, 356, 80),
        _w("EPP", 235, 340, 300, 370, 90),
    )
    found, _ = extract_fields(Page(label + stray + printed, 1778, 1445), "cnpj_card", today=TODAY)
    assert found["nome_fantasia"].parsed.value == "SÃO JORGE PEÇAS"
    assert found["razao_social"].parsed.value == "SOL LTDA - EPP"
