"""A page's measurements are taken once: the deskew and the letters' height reuse what the
text axis and the quality measured on the same ink."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from bench.ocr.synthetic import flat_page
from bot.documents import imaging
from bot.documents.imaging import Preprocessing, correct_illumination, prepare, to_gray
from bot.documents.page import Word
from bot.documents.reading import ReadOptions, read_document


class NoWords:
    def words(self, image: Image.Image, *, psm: int) -> list[Word]:
        return []


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_prepare_takes_the_measurements_it_is_given() -> None:
    image, _ = flat_page("cnh", seed=1000, width=1200)
    flat = correct_illumination(to_gray(image))
    measured = prepare(image, Preprocessing(), flat=flat)
    given = prepare(image, Preprocessing(), flat=flat, fit=(0.0, 1.0), letters=15.0)
    assert given.scale == pytest.approx(2.0) and given.text_height == pytest.approx(30.0)
    assert measured.scale != pytest.approx(2.0)
    # without the grey they were measured on, they are not trusted
    alone = prepare(image, Preprocessing(), fit=(0.0, 1.0), letters=15.0)
    assert alone.scale == measured.scale
    assert np.array_equal(np.asarray(alone.image), np.asarray(measured.image))


def test_a_scan_is_measured_once(monkeypatch: pytest.MonkeyPatch) -> None:
    image, _ = flat_page("rg", seed=1001, width=1400)
    calls = {"text_height": 0, "line_fit": 0}
    for name in calls:
        original = getattr(imaging, name)

        def counted(*args: object, _f: object = original, _n: str = name, **kw: object) -> object:
            calls[_n] += 1
            return _f(*args, **kw)  # type: ignore[operator]

        monkeypatch.setattr(imaging, name, counted)
    read_document(_png(image), options=ReadOptions(), engine=NoWords())
    # prepare measured neither: the quality's letters and the text axis's fit were reused
    assert calls == {"text_height": 0, "line_fit": 0}
