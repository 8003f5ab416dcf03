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


def test_a_small_label_beside_a_large_value_stays_one_row_with_a_date_column_beside() -> None:
    # Tesseract's boxes on a bill photo (tuning moderate 1010): the street's words sit a
    # little higher than the small label before them, and a date of the right-hand column
    # lies between the two lines; word by word, "2615" and the label were split off
    words = (
        Word("VINÍCIUS", 672, 566, 878, 607),
        Word("VENCIMENTO", 1515, 570, 1711, 594),
        Word("RAFAEL", 897, 575, 1070, 608),
        Word("CASTRO", 1087, 575, 1273, 608),
        Word("NOME", 368, 582, 454, 605),
        Word("DO", 467, 582, 509, 605),
        Word("CLIENTE:", 521, 582, 650, 605),
        Word("28/01/2026", 1517, 612, 1777, 647),
        Word("GETÚLIO", 883, 622, 1083, 664),
        Word("AV", 805, 631, 867, 664),
        Word("VARGAS,", 1100, 631, 1304, 669),
        Word("2615", 1324, 631, 1436, 664),
        Word("INSTALAÇÃO:", 594, 634, 783, 668),
        Word("ENDEREÇO", 369, 639, 530, 668),
        Word("DE", 543, 639, 580, 662),
        Word("BOA", 808, 680, 902, 711),
        Word("VISTA", 916, 680, 1048, 712),
        Word("CEP", 1095, 680, 1180, 711),
        Word("57721-969", 1198, 680, 1437, 712),
    )
    rows = [row.text for row in Page(words, 2000, 2000).rows()]
    assert "ENDEREÇO DE INSTALAÇÃO: AV GETÚLIO VARGAS, 2615" in rows[1]
    assert rows[0] == "NOME DO CLIENTE: VINÍCIUS RAFAEL CASTRO VENCIMENTO"
    assert rows[2] == "BOA VISTA CEP 57721-969"


def test_a_text_layer_keeps_a_label_and_the_value_under_it_on_their_own_rows() -> None:
    # the Receita card's PDF: the title's last word ends a letter and a half before the date
    # under DATA DE ABERTURA, half a line lower; chained (as a photo's bent line would be),
    # title and date joined the label's row. A text layer's lines are straight: word by word.
    words = (
        Word("NÚMERO", 17.6, 60.2, 50.7, 68.9, 99),
        Word("SITUAÇÃO", 365.7, 63.7, 423.5, 75.7, 99),
        Word("DATA", 437.1, 60.3, 457.5, 68.9, 99),
        Word("DE", 459.9, 60.3, 470.3, 68.9, 99),
        Word("ABERTURA", 472.7, 60.3, 512.9, 68.9, 99),
        Word("03/10/1992", 437.1, 68.7, 500.9, 80.5, 99),
    )
    rows = [row.text for row in Page(words, 567, 451, from_text_layer=True).rows()]
    assert "03/10/1992" in rows  # a row of its own, under the label's
    assert any(row.endswith("DATA DE ABERTURA") for row in rows)
