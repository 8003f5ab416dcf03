"""Cartões drawn to be hard (``bench/ocr/lookalikes.py``, the tuning family's fonts) read
whole: an alphanumeric CNPJ whose O/0 Tesseract swaps is spelled back by its glyphs, a twin
the check digits cannot tell apart is never asserted wrong, and a CEP whose 7s the page and
its crop both read as 1s is read right from its small crop, to confirm."""

from __future__ import annotations

from functools import cache

import pytest

from bench.ocr.generator import TODAY
from bench.ocr.lookalikes import draw_card
from bot.documents.confidence import ASSERTED
from bot.documents.reading import Extraction, ReadOptions, read_document

pytestmark = pytest.mark.tesseract


@cache
def _read(seed: int) -> tuple[Extraction, dict[str, str]]:
    card = draw_card(seed, with_twin=seed % 2 == 0)
    options = ReadOptions(today=TODAY, page_timeout=120.0)
    return read_document(card.data, kind="auto", options=options), card.truth


@pytest.mark.parametrize("seed", [0, 3, 4])
def test_what_is_asserted_is_right(seed: int) -> None:
    result, truth = _read(seed)
    for name in ("cnpj", "cep"):
        if result.confidence.get(name, 0.0) >= ASSERTED:
            assert result.fields[name] == truth[name]


def test_the_os_tesseract_reads_as_zeros_are_spelled_back() -> None:
    # O5BOSTQJ0OO176, read 05.BOS.TQJ/0001-76 (no valid CNPJ; its twin 05BOSTQJOOO176 is)
    result, truth = _read(0)
    assert truth["cnpj"] == "O5BOSTQJ0OO176"
    assert result.fields["cnpj"] == truth["cnpj"]


def test_a_cnpj_with_a_twin_is_asserted_when_its_glyphs_spell_it() -> None:
    result, truth = _read(4)  # 2XLIID5A000187; its twin 2XL1ID5A000I87 passes the check too
    assert result.fields["cnpj"] == truth["cnpj"] and result.confidence["cnpj"] >= ASSERTED


def test_a_cep_whose_sevens_both_passes_read_as_ones_is_read_right_to_confirm() -> None:
    result, truth = _read(3)  # 25797715, page and crop: 25191715
    assert result.fields["cep"] == truth["cep"] and result.confidence["cep"] < ASSERTED
