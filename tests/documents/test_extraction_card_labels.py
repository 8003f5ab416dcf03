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
