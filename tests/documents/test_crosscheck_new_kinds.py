"""The new documents against what the client typed: the bill's CEP, the contract's CNPJ."""

from __future__ import annotations

from datetime import date

from bot.documents.crosscheck import compare_bill_cep, cross_check

TODAY = date(2026, 12, 7)


def test_the_same_cep_written_either_way_agrees() -> None:
    assert compare_bill_cep("01310-100", "01310100") is None


def test_a_bill_from_another_cep_is_a_mismatch_in_both_languages() -> None:
    [found] = cross_check(
        "comprovante_endereco", {"cep": "04001000"}, today=TODAY, typed_cep="01310100"
    )
    assert (found.code, found.field, found.expected, found.found) == (
        "cep_differs",
        "cep",
        "01310100",
        "04001000",
    )
    assert found.reason_pt == (
        "O CEP do comprovante (04001-000) é diferente do informado no cadastro (01310-100)."
    )
    assert "proof of address (04001-000)" in found.reason_en


def test_a_contract_of_another_cnpj_is_a_mismatch() -> None:
    [found] = cross_check(
        "contrato_social", {"cnpj": "11444777000161"}, today=TODAY, typed_cnpj="11.222.333/0001-81"
    )
    assert found.code == "cnpj_differs"
    assert found.reason_pt.startswith("O CNPJ do contrato social (11.444.777/0001-61)")


def test_the_same_cnpj_agrees_and_fields_not_read_are_not_judged() -> None:
    assert (
        cross_check(
            "contrato_social",
            {"cnpj": "11222333000181"},
            today=TODAY,
            typed_cnpj="11.222.333/0001-81",
        )
        == []
    )
    assert cross_check("comprovante_endereco", {}, today=TODAY, typed_cep="01310100") == []
    assert cross_check("comprovante_endereco", {"cep": "04001000"}, today=TODAY) == []
    assert cross_check("cnh", {"cep": "04001000"}, today=TODAY, typed_cep="01310100") == []
