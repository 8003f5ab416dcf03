"""The documents issue #16 added, end to end on the generator's tuning family: the bill, the
CIN (its MRZ), the CNH-e PDF, a Receita card whose values sit under their labels."""

from __future__ import annotations

import pytest

from bench.ocr.synthetic import TODAY, draw, draw_sample
from bot.documents import Extraction, ReadOptions, read_document

_cache: dict[tuple[str, int, str], tuple[Extraction, dict[str, str]]] = {}


def read(kind: str, seed: int, level: str) -> tuple[Extraction, dict[str, str]]:
    key = (kind, seed, level)
    if key not in _cache:
        data, truth = draw(kind, seed=seed, level=level)
        _cache[key] = (read_document(data, options=ReadOptions(today=TODAY)), truth)
    return _cache[key]


def confident_and_wrong(result: Extraction, truth: dict[str, str]) -> list[str]:
    return [
        name
        for name, value in result.fields.items()
        if result.confidence[name] >= 0.9 and truth.get(name) != value
    ]


@pytest.mark.parametrize("kind", ["cnpj_card", "cnh", "rg", "comprovante_endereco"])
def test_text_layer_pdfs_of_every_kind(kind: str) -> None:
    result, truth = read(kind, 1002, "pdf")
    assert result.kind == kind and result.source == "text_layer"
    assert result.fields == truth
    assert all(value >= 0.9 for value in result.confidence.values())


def test_the_cin_pdf_takes_its_number_from_the_mrz() -> None:
    sample = draw_sample("rg", seed=1001, level="pdf")
    assert sample.notes["model"] == "cin"
    result = read_document(sample.data, options=ReadOptions(today=TODAY))
    assert result.fields["rg"] == result.fields["cpf"] == sample.truth["cpf"]
    assert result.fields == sample.truth


@pytest.mark.tesseract
def test_a_scanned_bill() -> None:
    result, truth = read("comprovante_endereco", 1002, "clean")
    assert result.kind == "comprovante_endereco"
    assert result.fields == truth, (result.fields, result.warnings)
    assert confident_and_wrong(result, truth) == []


@pytest.mark.tesseract
def test_a_scanned_cin_is_read_and_its_mrz_vouches_for_the_numbers() -> None:
    sample = draw_sample("rg", seed=1001, level="clean")
    assert sample.notes["model"] == "cin"
    result = read_document(sample.data, options=ReadOptions(today=TODAY))
    assert result.kind == "rg"
    for name in ("cpf", "rg", "data_nascimento"):
        assert result.fields[name] == sample.truth[name]
        assert result.confidence[name] >= 0.97, (name, result.confidence)


@pytest.mark.tesseract
def test_a_receita_card_photo_finds_its_situation_under_the_label() -> None:
    result, truth = read("cnpj_card", 1003, "moderate")
    assert result.kind == "cnpj_card"
    assert result.fields["situacao_cadastral"] == truth["situacao_cadastral"]
    assert result.fields["cnpj"] == truth["cnpj"] and result.confidence["cnpj"] >= 0.9
    assert confident_and_wrong(result, truth) == []
