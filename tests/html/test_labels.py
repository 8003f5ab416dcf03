"""Codes said as people say them, in the page's language (``backoffice.html.labels``)."""

from __future__ import annotations

import pytest

from backoffice.html.labels import (
    kind_label,
    reading_label,
    reading_value,
    record_value,
    stage_label,
)


@pytest.mark.parametrize(
    ("code", "language", "said"),
    [
        ("documentos", "pt_BR", "Documentos"),
        ("documentos", "en", "Documents"),
        ("configuracao", "pt_BR", "Configuração"),
        ("a_stage_of_a_newer_template", "pt_BR", "a_stage_of_a_newer_template"),
        (None, "pt_BR", "—"),
    ],
)
def test_stages_by_their_names(code: str | None, language: str, said: str) -> None:
    assert stage_label(code, language) == said


def test_document_kinds_and_fields_by_their_names() -> None:
    assert kind_label("cnpj_card", "pt_BR") == "cartão CNPJ"
    assert kind_label("cnh", "en") == "driver's licence (CNH)"
    assert kind_label("something_new", "pt_BR") == "documento"
    assert reading_label("data_nascimento", "pt_BR") == "Data de nascimento"
    assert reading_label("razao_social", "en") == "Legal name"
    assert reading_label("socio_2_cpf", "pt_BR") == "CPF (sócio 2)"


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("cpf", "12345678909", "123.456.789-09"),
        ("cnpj", "11222333000181", "11.222.333/0001-81"),
        ("cep", "01310100", "01310-100"),
        ("data_nascimento", "1980-03-12", "12/03/1980"),
        ("validade", "2031-02-30", "2031-02-30"),  # not a day: shown as read
        ("nome", "MARIA DA SILVA", "MARIA DA SILVA"),
    ],
)
def test_values_as_people_write_them(name: str, value: str, shown: str) -> None:
    assert reading_value(name, value) == shown


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("cep", "01310100", "01310-100"),
        ("phone", "+5511988887777", "(11) 98888-7777"),
        ("phone", "+351912345678", "+351 912 345 678"),
        ("phone", "não sei", "não sei"),  # not a number: as it was typed
        ("email", "pessoa@empresa.com.br", "pessoa@empresa.com.br"),
        ("phone", None, None),
    ],
)
def test_record_values_as_people_write_them(
    name: str, value: str | None, shown: str | None
) -> None:
    assert record_value(value, name) == shown
