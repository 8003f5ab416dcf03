"""How a document's fields are named and written for the client, in the chat and on the page."""

from __future__ import annotations

import pytest

from bot.domain.documents import field_label, format_field


@pytest.mark.parametrize(
    ("name", "language", "label"),
    [
        ("razao_social", "pt", "Razão social"),
        ("razao_social", "en", "Legal name"),
        ("socio_2_nome", "pt", "Sócio 2"),
        ("socio_2_cpf", "pt", "CPF (sócio 2)"),
        ("socio_1_nome", "en", "Partner 1"),
        ("titular", "pt", "Titular"),
        ("campo_novo", "pt", "campo_novo"),  # an unknown field keeps its name, never fails
    ],
)
def test_field_label(name: str, language: str, label: str) -> None:
    assert field_label(name, language) == label


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("cnpj", "11222333000181", "11.222.333/0001-81"),
        ("socio_1_cpf", "52998224725", "529.982.247-25"),
        ("cep", "01310100", "01310-100"),
        ("cep", "0131", "0131"),  # not a CEP: as read
        ("nome", "MARIA DA SILVA", "MARIA DA SILVA"),
    ],
)
def test_format_field(name: str, value: str, shown: str) -> None:
    assert format_field(name, value) == shown
