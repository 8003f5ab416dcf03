"""Confidence moved by what the image cannot show: Receita's record, the CEP's address, typed
data. Each source raises a field it agrees with and lowers one it contradicts."""

from __future__ import annotations

from datetime import date

from bot.documents import AddressRecord, CompanyRecord, Extraction
from bot.documents.corroboration import Typed, corroborate


def card() -> Extraction:
    fields = {
        "cnpj": "11222333000181",
        "razao_social": "PADARIA PÃO DOURADO LTDA",
        "data_abertura": "06/12/1985",
        "cep": "61801886",
        "municipio": "MANAUS",
        "uf": "AM",
        "situacao_cadastral": "ATIVA",
    }
    confidence = dict.fromkeys(fields, 0.85) | {"cnpj": 0.97}
    warnings = [f"{name}: uncertain, please confirm" for name in fields if name != "cnpj"]
    return Extraction("cnpj_card", fields, confidence, warnings)


def receita(**changes: object) -> CompanyRecord:
    record = {
        "cnpj": "11.222.333/0001-81",
        "razao_social": "PADARIA PAO DOURADO LTDA",
        "data_inicio_atividade": date(1985, 12, 6),
        "cep": "61.801-886",
        "municipio": "MANAUS",
        "uf": "AM",
        "descricao_situacao_cadastral": "ATIVA",
    }
    return CompanyRecord.model_validate(record | changes)


def test_receita_agreeing_asserts_the_card() -> None:
    result = corroborate(card(), company=receita())
    assert all(value >= 0.97 for value in result.confidence.values())
    assert result.uncertain == [] and result.warnings == []
    assert card().uncertain  # the reading itself is left as it was


def test_receita_disagreeing_lowers_and_names_the_field() -> None:
    result = corroborate(card(), company=receita(municipio="MANACAPURU", cep="69400000"))
    assert result.confidence["municipio"] == 0.5 and result.confidence["cep"] == 0.5
    assert "municipio: differs from Receita" in result.warnings
    assert result.confidence["uf"] == 0.97


def test_receita_of_another_cnpj_says_nothing() -> None:
    result = corroborate(card(), company=receita(cnpj="19.131.243/0001-97"))
    assert result.confidence == card().confidence


def test_a_value_that_may_have_lost_an_accent_is_not_raised() -> None:
    extraction = card()
    extraction.fields["razao_social"] = "CONSTRUCOES SILVA LTDA"  # Ç and Õ read as C and O
    result = corroborate(extraction, company=receita(razao_social="CONSTRUCOES SILVA LTDA"))
    assert result.confidence["razao_social"] == 0.85


def test_the_ceps_address_checks_a_bills_city() -> None:
    bill = Extraction(
        "comprovante_endereco",
        {"cep": "69005040", "municipio": "MANAUS", "uf": "AM"},
        {"cep": 0.85, "municipio": 0.6, "uf": 0.85},
    )
    same = corroborate(bill, address=AddressRecord(cep="69005040", state="AM", city="Manaus"))
    assert same.confidence["municipio"] == 0.95 and same.confidence["uf"] == 0.95
    other = corroborate(bill, address=AddressRecord(cep="69005040", state="AM", city="Tefé"))
    assert other.confidence["municipio"] == 0.5


def test_typed_data() -> None:
    typed = corroborate(card(), typed=Typed(cnpj="11.222.333/0001-81"))
    assert typed.confidence["cnpj"] == 0.99
    wrong = corroborate(card(), typed=Typed(cnpj="19.131.243/0001-97"))
    assert wrong.confidence["cnpj"] == 0.5 and "cnpj: differs from the CNPJ typed" in wrong.warnings
    cnh = Extraction(
        "cnh", {"nome": "MARIA DA SILVA", "cpf": "52998224725"}, {"nome": 0.75, "cpf": 0.6}
    )
    moved = corroborate(cnh, typed=Typed(cpf="529.982.247-25", name="Maria da Silva"))
    assert moved.confidence == {"nome": 0.95, "cpf": 0.99}
    other = corroborate(cnh, typed=Typed(cpf="111.444.777-35", name="Ana Souza"))
    assert other.confidence == {"nome": 0.75, "cpf": 0.6}  # cross_check says it, not we


def test_the_calendar_doubts_a_date_receita_cannot_vouch_for() -> None:
    read = card()
    read.fields["data_abertura"] = "06/12/2085"
    read.confidence["data_abertura"] = 0.98
    result = corroborate(read, today=date(2026, 3, 2))
    assert result.confidence["data_abertura"] == 0.5
    assert "data_abertura: implausible date (date in the future)" in result.warnings
    assert "data_abertura: uncertain, please confirm" in result.warnings
    assert corroborate(card(), today=date(2026, 3, 2)).confidence == card().confidence


def test_a_date_the_reader_settled_already_is_warned_about_once() -> None:
    read = card()
    read.fields["data_abertura"] = "06/12/2085"
    read.warnings.append("data_abertura: implausible date (date in the future)")
    result = corroborate(read, today=date(2026, 3, 2))
    assert result.warnings.count("data_abertura: implausible date (date in the future)") == 1


def _alphanumeric_card(read: str) -> Extraction:
    fields = {"cnpj": read, "razao_social": "TECELAGEM ALFA LTDA"}
    return Extraction("cnpj_card", fields, {"cnpj": 0.6, "razao_social": 0.85}, [])


def test_a_read_differing_from_the_typed_cnpj_only_by_o_and_zero_takes_the_typed_one() -> None:
    # the card's font hardly tells the letter O from the digit 0, both allowed since 2026
    result = corroborate(
        _alphanumeric_card("300NVFEP000143"), typed=Typed(cnpj="3O.ONV.FEP/0001-43")
    )
    assert result.fields["cnpj"] == "3OONVFEP000143"
    assert result.confidence["cnpj"] == 0.99
    record = receita(cnpj="3O.ONV.FEP/0001-43", razao_social="TECELAGEM ALFA LTDA")
    both = corroborate(
        _alphanumeric_card("300NVFEP000143"), typed=Typed(cnpj="3OONVFEP000143"), company=record
    )
    assert both.confidence["razao_social"] == 0.97  # the Receita's record now compares


def test_a_read_differing_by_any_other_character_stays_a_difference() -> None:
    result = corroborate(_alphanumeric_card("300NVFEP000143"), typed=Typed(cnpj="300NVFEQ000143"))
    assert result.fields["cnpj"] == "300NVFEP000143"
    assert result.confidence["cnpj"] == 0.5
    assert "cnpj: differs from the CNPJ typed" in result.warnings


def test_a_typed_cnpj_with_wrong_check_digits_is_not_taken() -> None:
    result = corroborate(_alphanumeric_card("3OONVFEP000143"), typed=Typed(cnpj="300NVFEP000143"))
    assert result.fields["cnpj"] == "3OONVFEP000143"
