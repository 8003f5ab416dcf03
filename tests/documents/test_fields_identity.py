"""Identity documents (CNH, RG) read by geometry on hand-placed words: the wordings real
cards print, a surname that is also a label's word, values beside a label on a line of
their own, and a skewed photo's rows mixing two columns."""

from __future__ import annotations

from datetime import date

from bot.documents.extraction import extract_fields
from bot.documents.page import Page
from tests.documents.word_pages import line, page, values

TODAY = date(2026, 3, 2)


def cnh_2017(
    *, name_label: str, cpf_label: str, expiry_label: str, birth_label: str = "DATA DE NASCIMENTO"
) -> Page:
    """A CNH data page, labels above values, in the wordings given."""
    return page(
        line("CARTEIRA NACIONAL DE HABILITAÇÃO", 300, 10, size=14),
        line(name_label, 300, 40, size=7),
        line("ANDRÉ NASCIMENTO", 300, 52),
        line("DOC. IDENTIDADE / ÓRG. EMISSOR / UF", 300, 80, size=7),
        line("8298849 DETRAN MS", 300, 92),
        line(cpf_label, 300, 120, size=7),
        line("832.132.163-13", 300, 132),
        line(birth_label, 600, 120, size=7),
        line("11/05/1963", 600, 132),
        line("Nº REGISTRO", 10, 200, size=7),
        line("06469234172", 10, 212),
        line(expiry_label, 300, 200, size=7),
        line("10/12/2030", 300, 212),
        line("1ª HABILITAÇÃO", 600, 200, size=7),
        line("28/10/2003", 600, 212),
    )


def test_cnh_label_wordings_of_other_print_runs() -> None:
    for name_label, cpf_label, expiry_label in (
        ("NOME COMPLETO", "CPF/MF", "VÁLIDA ATÉ"),
        ("NOME", "C.P.F.", "VALIDADE"),
        ("NOME DO TITULAR", "CPF Nº", "VÁLIDO ATÉ"),
    ):
        found, missing = extract_fields(
            cnh_2017(name_label=name_label, cpf_label=cpf_label, expiry_label=expiry_label),
            "cnh",
            today=TODAY,
        )
        assert values(found) == {
            "nome": "ANDRÉ NASCIMENTO",
            "cpf": "83213216313",
            "data_nascimento": "11/05/1963",
            "numero_registro": "06469234172",
            "validade": "10/12/2030",
        }, (name_label, missing)
        assert found["validade"].via == "below"


def test_nascimento_alone_is_a_label_where_a_label_stands_and_a_surname_in_a_name() -> None:
    found, _ = extract_fields(
        cnh_2017(
            name_label="NOME", cpf_label="CPF", expiry_label="VALIDADE", birth_label="NASCIMENTO"
        ),
        "cnh",
        today=TODAY,
    )
    assert values(found)["nome"] == "ANDRÉ NASCIMENTO"  # the surname is no label
    assert values(found)["data_nascimento"] == "11/05/1963"  # the label alone is one


def rg_beside(*, rg_label: str, birth_label: str) -> Page:
    """An RG whose labels stand beside their values ("RG Nº: 09.698.038-9")."""
    return page(
        line("SECRETARIA DA SEGURANÇA PÚBLICA", 300, 10, size=12),
        line(f"{rg_label}:", 10, 40, size=7),
        line("09.698.038-9", 70, 38, size=11),
        line("Nome:", 10, 70, size=7),
        line("ÂNGELA CAMILA PAIXÃO", 60, 68, size=11),
        line("C.P.F.:", 10, 100, size=7),
        line("967.133.450-42", 60, 98, size=11),
        line("NATURAL DE:", 10, 140, size=7),
        line("SÃO JOSÉ DOS CAMPOS - SP", 80, 139, size=8),
        line(f"{birth_label}:", 300, 140, size=7),
        line("28/10/1970", 310 + 7 * len(birth_label), 137, size=12),
    )


def test_rg_labels_beside_values_in_other_wordings() -> None:
    for rg_label, birth_label in (
        ("RG Nº", "DATA DE NASCIMENTO"),
        ("IDENTIDADE Nº", "DATA NASC."),
        ("REGISTRO GERAL", "DT. NASCIMENTO"),
        ("RG Nº", "NASCIMENTO"),
    ):
        found, missing = extract_fields(
            rg_beside(rg_label=rg_label, birth_label=birth_label), "rg", today=TODAY
        )
        assert values(found) == {
            "rg": "096980389",
            "nome": "ÂNGELA CAMILA PAIXÃO",
            "cpf": "96713345042",
            "data_nascimento": "28/10/1970",
        }, (rg_label, birth_label, missing)


def test_a_value_beside_its_label_grouped_into_the_row_above_is_still_its_value() -> None:
    """A larger value, baseline-aligned, reaches above its label's line: the row grouping
    puts it with the line above (here the smaller city's), not with its label."""
    card = page(
        line("SECRETARIA DA SEGURANÇA PÚBLICA", 300, 10, size=12),
        line("REGISTRO GERAL:", 10, 40, size=7),
        line("09.698.038-9", 90, 38, size=11),
        line("NATURAL DE:", 10, 138, size=10),
        line("SÃO JOSÉ DOS CAMPOS - SP", 80, 132, size=8),
        line("DATA DE NASCIMENTO:", 300, 138, size=10),
        line("28/10/1970", 526, 131, size=14),
    )
    rows = [[w.text for w in row.words] for row in card.rows()]
    assert ["SÃO", "JOSÉ", "DOS", "CAMPOS", "-", "SP", "28/10/1970"] in rows  # as OCR groups
    found, missing = extract_fields(card, "rg", today=TODAY)
    assert values(found).get("data_nascimento") == "28/10/1970", missing
    assert found["data_nascimento"].via == "right"


def test_a_skewed_rows_neighbouring_column_is_not_the_value_under_a_label() -> None:
    """A skewed photo: the next column's value (the first licence's date) lands in the row
    right under VALIDADE, far to its right; VALIDADE's own value is on the row after."""
    skewed = page(
        line("CARTEIRA NACIONAL DE HABILITAÇÃO", 300, 10, size=14),
        line("NOME", 10, 40, size=7),
        line("OTÁVIO ROCHA NOGUEIRA", 10, 52),
        line("VALIDADE", 300, 190, size=7),
        line("1º HABILITAÇÃO", 600, 180, size=7),
        line("Nº REGISTRO", 10, 200, size=7),
        line("28/10/2003", 600, 196),
        line("06469234172", 10, 214),
        line("10/12/2030", 302, 208),
    )
    found, _ = extract_fields(skewed, "cnh", today=TODAY)
    assert values(found).get("validade") == "10/12/2030"
