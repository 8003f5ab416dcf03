"""Label spellings real documents print that the first drawings never showed, on hand-placed
words: bilingual labels ("NOME / NAME"), labels whose English half sits beside the value,
the bill's "PAGADOR" and "DT. EMISSÃO", the RG's "IDENTIDADE" and "Nº DE INSCRIÇÃO
NO CPF"."""

from __future__ import annotations

from datetime import date

from bot.documents.extraction import extract_fields
from bot.documents.page import Page, Word
from tests.documents.word_pages import line, page, values

TODAY = date(2026, 3, 2)


def beside(label: str, value: str, x: float, y: float) -> list[Word]:
    """A small label and, a few letters after it, its value (2 px lower: larger type)."""
    words = line(label, x, y, size=7)
    return [*words, *line(value, words[-1].right + 20, y - 2)]


def rg_beside(*, name_label: str, birth_label: str, rg_label: str, cpf_label: str) -> Page:
    """A state RG whose labels stand beside their values, with a colon."""
    return page(
        line("REPÚBLICA FEDERATIVA DO BRASIL", 300, 10, size=12),
        beside(f"{rg_label}:", "72614715", 40, 60),
        beside("DATA DA EXPEDIÇÃO:", "17/07/1998", 560, 60),
        beside(f"{name_label}:", "PAULO TEIXEIRA AMARAL", 40, 100),
        beside(f"{cpf_label}:", "842.997.626-49", 40, 140),
        beside("PAI E MÃE:", "CONCEIÇÃO DOS SANTOS", 40, 180),
        line("TIAGO ARAÚJO OLIVEIRA", 120, 198),
        beside("NATURALIDADE-UF:", "ANÁPOLIS - GO", 40, 240),
        beside(f"{birth_label}:", "12/07/1985", 560, 240),
    )


def test_a_bilingual_labels_english_half_is_no_part_of_the_value_beside_it() -> None:
    found, missing = extract_fields(
        rg_beside(
            name_label="NOME / NAME",
            birth_label="DATA NASCIMENTO/DATE OF BIRTH",
            rg_label="IDENTIDADE",
            cpf_label="Nº DE INSCRIÇÃO NO CPF",
        ),
        "rg",
        today=TODAY,
    )
    assert values(found) == {
        "nome": "PAULO TEIXEIRA AMARAL",
        "rg": "72614715",
        "cpf": "84299762649",
        "data_nascimento": "12/07/1985",
    }, missing
    assert found["rg"].via == "right" and found["data_nascimento"].via == "right"


def test_real_rg_wordings_give_their_values_by_their_labels() -> None:
    found, missing = extract_fields(
        rg_beside(
            name_label="NOME DO(A) TITULAR",
            birth_label="NASCIDO(A) EM",
            rg_label="Nº DO DOCUMENTO",
            cpf_label="INSCRIÇÃO NO CPF",
        ),
        "rg",
        today=TODAY,
    )
    assert values(found)["nome"] == "PAULO TEIXEIRA AMARAL", missing
    assert found["rg"].via == "right" and found["rg"].parsed.value == "72614715"
    assert found["data_nascimento"].via == "right"


def bill(*, holder_label: str, issue_label: str) -> Page:
    """A utility bill: the holder beside its label (no colon), the dates on the right."""
    return page(
        line("DISTRIBUIDORA DE ENERGIA DO CERRADO S.A.", 40, 10, size=14),
        beside(holder_label, "ANTÔNIO MARCOS DOS MARTINS", 40, 80),
        line("R DOM PEDRO II, 97 - SALA 52", 40, 100),
        line("JARDIM AMÉRICA - NATAL/RN", 40, 120),
        line("CEP: 09893-144", 40, 140),
        line(issue_label, 600, 80, size=7),
        line("11/01/2026", 600, 92),
        line("PAGÁVEL ATÉ", 600, 120, size=7),
        line("29/01/2026", 600, 132),
        line("LEITURA ANTERIOR", 600, 160, size=7),
        line("11/12/2025", 600, 172),
    )


def test_a_bills_payer_is_its_holder_and_an_abridged_issue_label_its_issue_date() -> None:
    found, missing = extract_fields(
        bill(holder_label="PAGADOR", issue_label="DT. EMISSÃO"),
        "comprovante_endereco",
        today=TODAY,
    )
    got = values(found)
    assert got["titular"] == "ANTÔNIO MARCOS DOS MARTINS", missing
    assert found["titular"].via == "right"  # by its label, not as the line above the street
    assert got["data_emissao"] == "11/01/2026" and found["data_emissao"].via != "order"
