"""Words grouped into rows, whatever boxes Tesseract draws."""

from __future__ import annotations

from bot.documents.page import Page, Word


def test_a_box_stretched_over_a_label_and_its_value_joins_the_value_row() -> None:
    # Tesseract's TSV of a photographed card: "SOLUÇÕES" got a box from the label's row down
    # to the value's, and a form rule's remnant "|" spans two rows
    words = (
        Word("NOME", 56, 367, 120, 387),
        Word("EMPRESARIAL", 124, 367, 300, 387),
        Word("SOLUÇÕES", 320, 372, 500, 467),
        Word("ALMEIDA", 59, 427, 300, 458),
        Word("EM", 520, 427, 560, 457),
        Word("SOFTWARE", 580, 426, 760, 457),
        Word("BAIRRO", 410, 970, 520, 990),
        Word("|", 1000, 966, 1006, 1050),
        Word("MUNICIPIO", 1016, 970, 1150, 990),
        Word("BOA", 411, 1013, 470, 1044),
        Word("CAXIAS", 1016, 1013, 1130, 1044),
        Word("DO", 1142, 1014, 1180, 1044),
        Word("SUL", 1199, 1014, 1260, 1044),
    )
    rows = [row.text for row in Page(words, 1800, 1600).rows()]
    assert rows == [
        "NOME EMPRESARIAL",
        "ALMEIDA SOLUÇÕES EM SOFTWARE",
        "BAIRRO MUNICIPIO",
        "BOA | CAXIAS DO SUL",
    ]
