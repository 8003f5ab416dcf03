"""Identity fields whose labels a heavy photo lost, placed by the document's order and
shape, and never asserted; and a CPF read once, noisily, is not asserted either."""

from __future__ import annotations

from datetime import date

from bot.documents.confidence import ASSERTED, Evidence, score
from bot.documents.extraction import extract_fields
from bot.documents.fields import FieldRead
from bot.documents.identifiers import Parsed, parse_cpf
from bot.documents.page import Page, Word
from tests.documents.word_pages import line, page, values

TODAY = date(2026, 3, 2)


def rg_without_labels() -> Page:
    """An RG whose small coloured labels were lost: only garbled stubs of them are left."""
    return page(
        line("POLÍCIA CIVIL DE MINAS GERAIS", 300, 10, size=12),
        line("INSTITUTO DE IDENTIFICAÇÃO", 320, 26, size=10),
        line("ron", 10, 60, size=7, conf=30),
        line("MG-7.142.840", 60, 58, size=11),
        line("exprDIÇÃO", 400, 60, size=7, conf=10),
        line("16/07/1978", 480, 58, size=11),
        line("xomé", 10, 90, size=7, conf=40),
        line("JULIANA SIMÕES GUIMARÃES DE DAMIÃO", 60, 88, size=11),
        line("riLiação", 10, 120, size=7, conf=15),
        line("JOÃO AZEVEDO DOS MACEDO MAGALHÃES", 80, 118, size=11),
        line("FÁBIO ASSUNÇÃO DAS GUIMARÃES", 80, 134, size=11),
        line("TERESINA - PI", 80, 160, size=11),
        line("11/06/1963", 480, 160, size=11),
        line("CPF", 10, 190, size=7),
        line("217.519.821-90", 60, 188, size=11),
    )


def test_lost_labels_place_fields_by_order_and_shape() -> None:
    found, missing = extract_fields(rg_without_labels(), "rg", today=TODAY)
    assert values(found) == {
        "nome": "JULIANA SIMÕES GUIMARÃES DE DAMIÃO",
        "rg": "7142840",
        "data_nascimento": "11/06/1963",
        "cpf": "21751982190",
    }, missing
    for name in ("nome", "rg", "data_nascimento"):
        assert found[name].via == "order"
        assert score(found[name], Evidence(second=found[name].parsed)) < ASSERTED
        assert score(found[name], Evidence(text_layer=True)) < ASSERTED


def test_a_labelled_value_is_never_replaced_by_order() -> None:
    card = page(
        line("CARTEIRA NACIONAL DE HABILITAÇÃO", 300, 10, size=14),
        line("NOME", 10, 40, size=7),
        line("OTÁVIO ROCHA NOGUEIRA", 10, 52),
        line("DATA NASCIMENTO", 300, 80, size=7),
        line("11/05/1963", 300, 92),
        line("1ª HABILITAÇÃO", 10, 120, size=7),
        line("28/10/1983", 10, 132),
        line("VALIDADE", 300, 120, size=7),
        line("10/12/2030", 300, 132),
        line("DATA EMISSÃO", 600, 120, size=7),
        line("01/12/2025", 600, 132),
    )
    found, _ = extract_fields(card, "cnh", today=TODAY)
    assert {n: found[n].via for n in ("nome", "data_nascimento", "validade")} == {
        "nome": "below",
        "data_nascimento": "below",
        "validade": "below",
    }


def test_a_cnh_expiry_is_its_latest_date_and_birth_its_earliest() -> None:
    card = page(
        line("CARTEIRA NACIONAL DE HABILITAÇÃO", 300, 10, size=14),
        line("NOME", 10, 40, size=7),
        line("OTÁVIO ROCHA NOGUEIRA", 10, 52),
        line("DKTA NQSC", 300, 80, size=7, conf=20),
        line("11/05/1963", 300, 92),
        line("1ª HABILITAÇÃO", 10, 120, size=7),
        line("28/10/1983", 10, 132),
        line("VXLDE", 300, 120, size=7, conf=20),
        line("10/12/2030", 300, 132),
        line("DATA EMISSÃO", 600, 120, size=7),
        line("01/12/2025", 600, 132),
    )
    found, _ = extract_fields(card, "cnh", today=TODAY)
    assert values(found)["data_nascimento"] == "11/05/1963"
    assert values(found)["validade"] == "10/12/2030"
    assert found["validade"].via == "order"


def test_the_cin_number_is_its_cpf_not_another_number() -> None:
    cin = page(
        line("CARTEIRA DE IDENTIDADE / IDENTITY CARD", 100, 10, size=10),
        line("NOME / NAME", 10, 40, size=7),
        line("MÁRCIA CÉSAR TEIXEIRA", 10, 52),
        line("485.135.765-65", 10, 92),
        line("2810212036", 300, 92),
        line("IDBRA485135765<657<<<<<<<<<<<<", 10, 300, size=12),
    )
    found, _ = extract_fields(cin, "rg", today=TODAY)
    assert "rg" not in found


def cpf_read(*, conf: float) -> FieldRead:
    raw = "319.848.675-04"
    parsed = parse_cpf(raw)
    assert parsed is not None and parsed.checked
    return FieldRead("cpf", parsed, raw, (Word(raw, 10, 10, 150, 22, conf),), "below")


def test_a_cpf_read_once_noisily_is_not_asserted_unless_a_second_read_agrees() -> None:
    """219.848.675-04 and 319.848.675-04 both verify: check digits alone are no proof."""
    assert score(cpf_read(conf=70), Evidence()) < ASSERTED
    same = Parsed("31984867504", True, 0, checked=True)
    assert score(cpf_read(conf=70), Evidence(second=same)) >= ASSERTED
    other = Parsed("21984867504", True, 0, checked=True)
    assert score(cpf_read(conf=96), Evidence(second=other)) < ASSERTED
    assert score(cpf_read(conf=96), Evidence()) >= ASSERTED  # a clean read stands


def test_a_repaired_cpf_from_one_read_is_not_asserted_however_clear_its_words() -> None:
    read = cpf_read(conf=96)
    repaired = FieldRead(
        "cpf", Parsed(read.parsed.value, True, 1, checked=True), read.raw, read.words, "below"
    )
    assert score(repaired, Evidence()) < ASSERTED
