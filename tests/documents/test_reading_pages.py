"""A scanned PDF's pages: a nearly blank later page is not measured nor read."""

from __future__ import annotations

import pytest

from bench.ocr.synthetic import draw_sample
from bot.documents import reading

from .samples import UNTIMED, confident_wrong, exact_share


@pytest.mark.tesseract
def test_a_contracts_blank_last_page_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    sample = draw_sample("contrato_social", seed=1000, family="tuning", level="clean")
    read_pages: list[object] = []
    read_image = reading._read_image

    def counting(image: object, **kwargs: object) -> reading.Extraction:
        read_pages.append(image)
        return read_image(image, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reading, "_read_image", counting)
    result = reading.read_document(sample.data, options=UNTIMED)
    assert len(read_pages) == 1  # of two: the second holds only "Página 1 de 1"
    assert result.kind == "contrato_social"
    assert exact_share(sample, result) == 1.0
    assert not confident_wrong(sample, result)
