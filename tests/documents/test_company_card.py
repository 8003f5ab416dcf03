"""The cartão CNPJ's values placed by the card's order when a tiny label was not read."""

from __future__ import annotations

from datetime import date

from bot.documents.company_card import Placed, fallbacks
from bot.documents.extraction import extract_fields
from bot.documents.page import Page, Word
from bot.documents.parsers import parsers

TABLE = parsers(date(2026, 12, 7))


def _placed(words: tuple[Word, ...], *, size: tuple[int, int]) -> dict[str, Placed]:
    """The card's values placed by its order from ``words`` on a page of ``size``."""
    return fallbacks(
        Page(words, *size).rows(),
        kind="cnpj_card",
        have={},
        parse_place=TABLE["municipio"],
        parse_date=TABLE["data_abertura"],
    )


def _row(top: float, *texts: tuple[str, float]) -> list[Word]:
    return [Word(text, left, top, left + 12 * len(text), top + 30, 95.0) for text, left in texts]


# The TSV of a shadowed photo: the labels MUNICÍPIO, UF and DATA DE ABERTURA binarized into
# specks, their values (larger print) read.
WORDS = (
    *_row(40, ("NUMERO", 50), ("DE", 140), ("INSCRICAO", 180)),
    *_row(80, ("40.650.635/0001-59", 50), ("28/04/2008", 1500)),
    *_row(300, ("CEP", 55), ("BAIRRO/DISTRITO", 393)),
    *_row(340, ("78.692-081", 57), ("CENTRO", 393), ("MANAUS", 976), ("AM", 1700)),
    *_row(500, ("SITUAÇÃO", 53), ("CADASTRAL", 158)),
    *_row(540, ("NULA", 57), ("09/08/2016", 1218)),
)


def test_city_uf_and_opening_date_by_the_cards_order_are_never_asserted() -> None:
    page = Page(WORDS, 1800, 700)
    placed = fallbacks(
        page.rows(),
        kind="cnpj_card",
        have={},
        parse_place=TABLE["municipio"],
        parse_date=TABLE["data_abertura"],
    )
    values = {name: (parsed.value, parsed.repairs) for name, (parsed, _, _) in placed.items()}
    assert values == {
        "municipio": ("MANAUS", 1),
        "uf": ("AM", 1),
        "data_abertura": ("28/04/2008", 1),
    }


def test_the_reader_uses_them_only_where_labels_gave_nothing() -> None:
    found, _ = extract_fields(Page(WORDS, 1800, 700), "cnpj_card", today=date(2026, 12, 7))
    assert found["uf"].parsed.value == "AM" and found["uf"].via == "order"
    assert found["data_abertura"].parsed.value == "28/04/2008"
    assert (
        fallbacks(
            Page(WORDS, 1800, 700).rows(),
            kind="cnh",
            have={},
            parse_place=TABLE["municipio"],
            parse_date=TABLE["data_abertura"],
        )
        == {}
    )


def test_a_row_without_a_state_at_its_end_gives_nothing() -> None:
    words = tuple(w for w in WORDS if w.text != "AM")
    placed = _placed(words, size=(1800, 700))
    assert set(placed) == {"data_abertura"}


def test_a_row_split_by_a_glare_and_a_cep_without_its_dot_still_give_city_and_uf() -> None:
    # the city and UF sit 13 px lower than the CEP (a fold): the row grouping puts them on a
    # row of their own; the CEP printed "21200-544", its label lost; the UF read "Es"; a rule
    # read as "|"
    words = (
        *_row(40, ("NUMERO", 50), ("DE", 140), ("INSCRICAO", 180)),
        *_row(80, ("40.650.635/0001-59", 50), ("28/04/2008", 1500)),
        *_row(300, ("BAIRRO/DISTRITO", 393)),  # "CEP" lost
        *_row(340, ("21200-544", 57), ("CENTRO", 393), ("|", 560)),
        *_row(353, ("VITÓRIA", 976), ("Es", 1700)),
        *_row(500, ("SITUAÇÃO", 53), ("CADASTRAL", 158)),
    )
    placed = _placed(words, size=(1800, 700))
    values = {name: (parsed.value, parsed.repairs) for name, (parsed, _, _) in placed.items()}
    assert values["municipio"] == ("VITÓRIA", 1)
    assert values["uf"] == ("ES", 1)
    found, _ = extract_fields(Page(words, 1800, 700), "cnpj_card", today=date(2026, 12, 7))
    assert found["cep"].parsed.value == "21200544" and found["cep"].via == "scan"


# The grey sparse pass of a heavy tuning photo (seed 1005), the CEP's row: the CEP's box
# stretched over its rule (60 px tall), the labels MUNICÍPIO and UF lost, a rule's remnant read
# as flat words ("em", "mn", "us", 4-7 px tall) level with the city, the UF read "'PB".
CEP_ROW = (
    Word("[CEP", 33, 824, 91, 846, 24.0),
    Word("[BMBARODISTRITO", 347, 823, 561, 847, 0.0),
    Word("MUNICS", 898, 825, 977, 843, 0.0),
    Word("|", 33, 848, 37, 892, 58.0),
    Word("97.975-374", 45, 844, 214, 904, 75.0),
    Word("JOÃO", 886, 850, 988, 882, 0.0),
    Word("PESSOA", 999, 855, 1130, 881, 95.0),
    Word("—", 293, 845, 318, 904, 14.0),
    Word("|JARDIMA", 342, 849, 513, 900, 41.0),
    Word("AMÉRICA", 487, 845, 640, 902, 96.0),
    Word("eme", 360, 895, 407, 900, 44.0),
    Word("em", 788, 894, 829, 898, 42.0),
    Word("mn", 868, 891, 917, 898, 37.0),
    Word("us", 931, 894, 951, 898, 47.0),
    Word("'PB", 1559, 853, 1615, 885, 77.0),
    Word("ENDEREÇO", 46, 895, 176, 929, 93.0),
)


def test_a_rules_flat_specks_are_no_part_of_the_city_and_a_low_uf_still_counts() -> None:
    placed = _placed(CEP_ROW, size=(1778, 1445))
    assert placed["municipio"][0].value == "JOÃO PESSOA"
    assert placed["uf"][0].value == "PB"
    low = tuple(
        Word("jPB", w.left, w.top, w.right, w.bottom, 41.0) if w.text == "'PB" else w
        for w in CEP_ROW
    )
    placed = _placed(low, size=(1778, 1445))
    assert placed["uf"][0].value == "PB" and placed["uf"][0].repairs >= 1


def test_a_district_read_close_after_the_cep_is_still_its_own_box() -> None:
    """A blurred photo (tuning heavy 1004) narrows the gap between the CEP and the district:
    grouped with the CEP, the district hid, and the city was taken for it."""
    words = (
        Word("|96.746-118", 43, 868, 282, 898, 1.0),
        Word("'CENTRO", 360, 868, 520, 909, 40.0),
        Word("VITÓRIA", 892, 862, 1083, 917, 55.0),
        Word("“ES", 1562, 857, 1651, 920, 41.0),
    )
    placed = _placed(words, size=(1800, 1400))
    assert placed["municipio"][0].value == "VITÓRIA"
    assert placed["uf"][0].value == "ES"
    assert placed["municipio"][0].repairs >= 1  # placed by order: never asserted
