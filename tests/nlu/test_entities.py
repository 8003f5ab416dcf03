"""Entity extraction: every type with tricky forms, invalid check digits, overlaps."""

from __future__ import annotations

from datetime import datetime

import pytest

from nlu.entities import EntityExtractor, is_valid_cnpj, is_valid_cpf
from tests.nlu.support import NOW


@pytest.fixture(scope="module")
def extractor() -> EntityExtractor:
    return EntityExtractor()


def found(extractor: EntityExtractor, text: str, now: datetime = NOW) -> list[tuple[str, str, str]]:
    return [(e.entity, e.value, text[e.start : e.end]) for e in extractor.extract(text, now=now)]


def values(extractor: EntityExtractor, text: str, entity: str) -> list[str]:
    return [v for t, v, _ in found(extractor, text) if t == entity]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("cnpj 11.222.333/0001-81", "11222333000181"),
        ("11222333000181", "11222333000181"),
        ("o cnpj é 11 222 333 0001 81 ok", "11222333000181"),
        ("CNPJ:11.222.333/0001-81.", "11222333000181"),
        ("novo cnpj 12.ABC.345/01DE-35", "12ABC34501DE35"),
        ("12abc34501de35", "12ABC34501DE35"),
        ("cnpj 12.abc.345/01de-35", "12ABC34501DE35"),
    ],
)
def test_cnpj_forms(extractor: EntityExtractor, text: str, value: str) -> None:
    assert values(extractor, text, "cnpj") == [value]


@pytest.mark.parametrize(
    "text",
    [
        "cnpj 11.222.333/0001-82",  # last check digit wrong
        "cnpj 11.222.333/0001-91",  # first check digit wrong
        "12.ABC.345/01DE-36",
        "00.000.000/0000-00",
        "cnpj 11.222.333/0001-8",  # too short
        "1122233300018112",  # too long
    ],
)
def test_cnpj_invalid_rejected(extractor: EntityExtractor, text: str) -> None:
    assert values(extractor, text, "cnpj") == []


def test_cnpj_validity_helper() -> None:
    assert is_valid_cnpj("12.ABC.345/01DE-35")
    assert not is_valid_cnpj("12.ABC.345/01DE-34")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("meu cpf 529.982.247-25", "52998224725"),
        ("cpf: 52998224725", "52998224725"),
        ("cpf 529 982 247 25", "52998224725"),
        ("CPF 529.982.247-25, nome Ana", "52998224725"),
    ],
)
def test_cpf_forms(extractor: EntityExtractor, text: str, value: str) -> None:
    assert values(extractor, text, "cpf") == [value]


@pytest.mark.parametrize("text", ["cpf 529.982.247-24", "cpf 111.111.111-11", "cpf 52998224735"])
def test_cpf_invalid_rejected(extractor: EntityExtractor, text: str) -> None:
    assert values(extractor, text, "cpf") == []


def test_cpf_validity_helper() -> None:
    assert is_valid_cpf("529.982.247-25")
    assert not is_valid_cpf("000.000.000-00")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("meu email é Joao.Silva@Empresa.com.br", "joao.silva@empresa.com.br"),
        ("ana+acolhe@gmail.com.", "ana+acolhe@gmail.com"),
        ("mande para (financeiro@grupo-aurora.ind.br)", "financeiro@grupo-aurora.ind.br"),
        ("e-mail:ti_suporte99@uol.com.br, obrigado", "ti_suporte99@uol.com.br"),
        # as typed on a phone or dictated
        ("maria @ gmail.com", "maria@gmail.com"),
        ("Maria @ Empresa.com.br", "maria@empresa.com.br"),
        ("maria@gmail,com", "maria@gmail.com"),
        ("meu email é maria arroba gmail ponto com", "maria@gmail.com"),
    ],
)
def test_email(extractor: EntityExtractor, text: str, value: str) -> None:
    assert values(extractor, text, "email") == [value]


@pytest.mark.parametrize(
    "text",
    ["joao@", "@empresa.com", "joao at empresa dot com", "a@b", "maria@gmail, ok?", "a @ b"],
)
def test_not_email(extractor: EntityExtractor, text: str) -> None:
    assert values(extractor, text, "email") == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("(11) 98765-4321", "+5511987654321"),
        ("+55 11 98765-4321", "+5511987654321"),
        ("+5511987654321", "+5511987654321"),
        ("5511987654321", "+5511987654321"),
        ("meu whats 11987654321", "+5511987654321"),
        ("cel 11 9 8765 4321", "+5511987654321"),
        ("liga no 0xx11 98765-4321", "+5511987654321"),
        ("tel 011 98765 4321", "+5511987654321"),
        ("fixo (21) 3456-7890", "+552134567890"),
        ("celular antigo 11 8765-4321", "+5511987654321"),  # ninth digit put back
        ("(48)99123.4567", "+5548991234567"),
    ],
)
def test_phone(extractor: EntityExtractor, text: str, value: str) -> None:
    assert values(extractor, text, "phone") == [value]


@pytest.mark.parametrize(
    "text",
    ["98765-4321", "tel 1234", "(00) 98765-4321", "+1 415 555 2671", "numero 123456"],
)
def test_not_a_brazilian_phone(extractor: EntityExtractor, text: str) -> None:
    assert values(extractor, text, "phone") == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("cep 01310-100", "01310100"),
        ("CEP: 01.310-100", "01310100"),
        ("01310100", "01310100"),
        ("cep 01310 100", "01310100"),
        ("Rua Augusta 500, 01305-000, SP", "01305000"),
    ],
)
def test_cep(extractor: EntityExtractor, text: str, value: str) -> None:
    assert values(extractor, text, "cep") == [value]


def test_cep_rejects_repeated_digits(extractor: EntityExtractor) -> None:
    assert values(extractor, "00000000", "cep") == []


def test_cnpj_digits_are_not_also_a_phone_or_cpf(extractor: EntityExtractor) -> None:
    assert [t for t, _, _ in found(extractor, "cnpj 11.222.333/0001-81")] == ["cnpj"]
    assert [t for t, _, _ in found(extractor, "11222333000181")] == ["cnpj"]


def test_many_entities_in_one_message(extractor: EntityExtractor) -> None:
    text = (
        "segue cnpj 11.222.333/0001-81, email Fin@Loja.com, whats (11) 98765-4321, "
        "cep 01310-100 e cpf 529.982.247-25"
    )
    assert [(t, v) for t, v, _ in found(extractor, text)] == [
        ("cnpj", "11222333000181"),
        ("email", "fin@loja.com"),
        ("phone", "+5511987654321"),
        ("cep", "01310100"),
        ("cpf", "52998224725"),
    ]


def test_bare_eleven_digits_cpf_or_phone_by_cue(extractor: EntityExtractor) -> None:
    # 11 9 ... is a valid mobile number and, by chance, a valid CPF too.
    number = next(
        f"119{n:08d}" for n in range(10_000_000, 10_100_000) if is_valid_cpf(f"119{n:08d}")
    )
    assert [t for t, _, _ in found(extractor, f"meu cpf {number}")] == ["cpf"]
    assert [t for t, _, _ in found(extractor, f"meu celular {number}")] == ["phone"]
    assert [t for t, _, _ in found(extractor, number)] == ["phone"]


def test_offsets_point_into_the_original_text(extractor: EntityExtractor) -> None:
    text = "Olá!! 😀 Meu e-mail é JOÃO@EMPRESA.COM.BR e o CEP é 01310-100 ✅"
    assert [(t, s) for t, _, s in found(extractor, text)] == [
        ("email", "JOÃO@EMPRESA.COM.BR"),
        ("cep", "01310-100"),
    ]


def test_only_first_chars_are_searched() -> None:
    extractor = EntityExtractor(max_chars=50)
    text = "x" * 60 + " cnpj 11.222.333/0001-81"
    assert extractor.extract(text, now=NOW) == []
