"""Photos taken sideways or upside down, without EXIF orientation, are turned upright."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from bench.ocr.synthetic import TODAY, make_sample
from bot.documents import ReadOptions, read_document
from bot.documents.imaging import correct_illumination, otsu_threshold, to_gray
from bot.documents.orientation import MIN_DOCUMENT_WORDS, quarter_turn, turn
from bot.documents.page import Word

from .samples import UNTIMED, confident_wrong, exact_share, reading

CHECKED = {"cnpj_card": ("cnpj",), "cnh": ("cpf", "numero_registro")}


def _ink(image: Image.Image) -> np.ndarray:
    flat = correct_illumination(to_gray(image))
    ink: np.ndarray = flat < otsu_threshold(flat)
    return ink


@pytest.mark.parametrize("kind", ["cnpj_card", "cnh", "rg"])
def test_text_axis_tells_sideways_from_upright(kind: str) -> None:
    image = Image.open(io.BytesIO(make_sample(kind, "moderate", seed=4).data)).convert("RGB")
    assert not quarter_turn(_ink(image))
    assert not quarter_turn(_ink(turn(image, 180)))
    assert quarter_turn(_ink(turn(image, 90)))
    assert quarter_turn(_ink(turn(image, 270)))


def _turned_photo(kind: str, degrees: int) -> tuple[dict[str, str], bytes]:
    """A phone photo turned ``degrees`` counter-clockwise, re-encoded without EXIF."""
    sample = make_sample(kind, "moderate", seed=3)
    image = Image.open(io.BytesIO(sample.data))
    assert not image.getexif()
    buf = io.BytesIO()
    turn(image.convert("RGB"), degrees).save(buf, "JPEG", quality=85)
    return sample.truth, buf.getvalue()


@pytest.mark.tesseract
@pytest.mark.parametrize("kind", ["cnpj_card", "cnh"])
@pytest.mark.parametrize("degrees", [90, 180])
def test_turned_photo_is_read_upright(kind: str, degrees: int) -> None:
    truth, data = _turned_photo(kind, degrees)
    result = read_document(data, options=UNTIMED)  # no wall-clock limit on Tesseract
    assert result.kind == kind, result.warnings
    assert (result.turned + degrees) % 360 == 0
    for name in CHECKED[kind]:
        assert result.fields.get(name) == truth[name]
    right = sum(result.fields.get(n) == v for n, v in truth.items())
    assert right >= len(truth) - 1, (result.fields, truth)
    assert not [
        n for n, v in result.fields.items() if result.confidence[n] >= 0.9 and truth.get(n) != v
    ]


@pytest.mark.tesseract
def test_upright_photo_is_not_turned() -> None:
    sample, result = reading("cnh", "moderate", 3)
    assert result.turned == 0
    assert result.kind == "cnh" and exact_share(sample, result) >= 0.75
    assert not confident_wrong(sample, result)


class UnknownTextEngine:
    """An OCR engine that finds ``count`` words of no document, counting its calls."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.calls = 0

    def words(self, image: Image.Image, *, psm: int) -> list[Word]:
        self.calls += 1
        return [
            Word(f"zq{n}", left=10.0 * n, top=10.0, right=10.0 * n + 8, bottom=20.0)
            for n in range(self.count)
        ]


@pytest.mark.parametrize(("orient", "calls"), [(True, 3), (False, 2)])
def test_half_turn_is_tried_only_when_no_document_is_found(orient: bool, calls: int) -> None:
    """Upright and unrecognized: the half turn is read once and, no better, not kept."""
    sample = make_sample("cnh", "clean", seed=2)
    engine = UnknownTextEngine(MIN_DOCUMENT_WORDS + 30)
    options = ReadOptions(today=TODAY, orient=orient)
    result = read_document(sample.data, options=options, engine=engine)
    assert result.kind == "other" and result.turned == 0
    assert engine.calls == calls  # first pass, [half turn,] second pass


@pytest.mark.parametrize("count", [0, MIN_DOCUMENT_WORDS - 1])
def test_a_page_of_a_few_words_is_read_once(count: int) -> None:
    """No document the reader knows reads fewer than ``MIN_DOCUMENT_WORDS`` (bench/ocr's
    photos read 50 or more): neither the half turn nor a second pass is tried."""
    sample = make_sample("cnh", "clean", seed=2)
    engine = UnknownTextEngine(count)
    result = read_document(sample.data, options=ReadOptions(today=TODAY), engine=engine)
    assert result.kind == "other"
    assert result.warnings == ["document kind not recognized"]
    assert engine.calls == 1
