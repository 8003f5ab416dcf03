"""Cross-checks between a document and what the client typed."""

from __future__ import annotations

from datetime import date

from bot.documents import (
    check_cnh_expiry,
    compare_cnpj,
    compare_cpf,
    compare_name,
    cross_check,
    names_match,
)


def test_cnpj_compared_without_punctuation() -> None:
    assert compare_cnpj("11.222.333/0001-81", "11222333000181") is None
    mismatch = compare_cnpj("11.222.333/0001-81", "11222333000262")
    assert mismatch is not None and mismatch.code == "cnpj_differs"
    assert mismatch.found == "11222333000262"  # compact, as stored
    assert mismatch.reason_pt == (
        "O CNPJ do cartão (11.222.333/0002-62) é diferente do informado (11.222.333/0001-81)."
    )
    assert "(11.222.333/0002-62) differs" in mismatch.reason_en


def test_cpf() -> None:
    assert compare_cpf("111.444.777-35", "11144477735") is None
    assert compare_cpf("111.444.777-35", "52998224725") is not None


def test_names_tolerate_accents_case_particles_and_middle_names() -> None:
    assert names_match("Joao Silva", "JOÃO CARLOS DA SILVA")
    assert names_match("maria conceição souza", "MARIA DA CONCEICAO DE SOUZA")
    assert names_match("Antônio", "ANTONIO PEREIRA")
    assert names_match("SEBASTIAO GUIMARAES", "SEBASTIÃO GUIMARÃES")
    assert not names_match("João Silva", "JOSÉ DA SILVA")
    assert not names_match("Maria Souza", "MARIA DE LIMA")
    assert not names_match("Carlos Silva Lima", "CARLOS LIMA SILVA")
    mismatch = compare_name("Pedro Alves", "PAULO ALVES")
    assert mismatch is not None and mismatch.code == "name_differs"


def test_cnh_expiry_relative_to_today() -> None:
    today = date(2026, 3, 2)
    assert check_cnh_expiry("02/03/2026", today=today) is None
    expired = check_cnh_expiry("01/03/2026", today=today)
    assert expired is not None and expired.code == "cnh_expired"
    assert "01/03/2026" in expired.reason_pt


def test_cross_check_collects_every_mismatch() -> None:
    fields = {"nome": "JOSÉ DA SILVA", "cpf": "52998224725", "validade": "10/10/2020"}
    found = cross_check(
        "cnh", fields, today=date(2026, 3, 2), contact_cpf="11144477735", contact_name="João Silva"
    )
    assert sorted(m.code for m in found) == ["cnh_expired", "cpf_differs", "name_differs"]
    card = cross_check(
        "cnpj_card",
        {"cnpj": "11222333000181"},
        today=date(2026, 3, 2),
        typed_cnpj="11.222.333/0001-81",
    )
    assert card == []


def test_a_date_that_cannot_be_is_a_mismatch_for_the_client_to_check() -> None:
    today = date(2026, 3, 2)
    found = cross_check("rg", {"data_nascimento": "25/06/2074"}, today=today)
    assert [(m.code, m.field) for m in found] == [("date_implausible", "data_nascimento")]
    assert "25/06/2074" in found[0].reason_pt and "future" in found[0].reason_en
    assert cross_check("rg", {"data_nascimento": "25/06/1974"}, today=today) == []
    # a licence valid before its holder was 18 is misread, not merely expired
    cnh = {"data_nascimento": "25/06/2014", "validade": "01/01/2020"}
    assert {m.code for m in cross_check("cnh", cnh, today=today)} == {"date_implausible"}
