"""The page handed to Tesseract: a black-and-white page goes as one bit without dithering
(what dithering gives it anyway), another two-level grey keeps Pillow's dithering."""

from __future__ import annotations

import numpy as np
from PIL import Image

from bench.ocr.synthetic import draw_sample
from bot.documents.imaging import Preprocessing, load_image, prepare
from bot.documents.tesseract import _black_and_white


def test_a_binarized_page_is_the_same_one_bit_page_without_dithering() -> None:
    image = load_image(draw_sample("cnpj_card", seed=1000, family="tuning", level="heavy").data)
    page = prepare(image, Preprocessing()).image
    assert _black_and_white(page)
    plain = page.convert("1", dither=Image.Dither.NONE)
    assert np.array_equal(np.asarray(plain), np.asarray(page.convert("1")))


def test_another_two_level_grey_is_not_black_and_white() -> None:
    grey = Image.fromarray(np.where(np.eye(40, dtype=bool), 0, 235).astype(np.uint8))
    assert not _black_and_white(grey)
    # dithered, its 235 paper gets black specks that a plain threshold would not give
    assert not np.array_equal(
        np.asarray(grey.convert("1")), np.asarray(grey.convert("1", dither=Image.Dither.NONE))
    )
