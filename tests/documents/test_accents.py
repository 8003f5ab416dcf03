"""Spotting accent marks Tesseract dropped, and putting common ones back."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from bench.ocr.synthetic import FONT_DIR
from bot.documents.accents import lost_marks
from bot.documents.lexicon import restore
from bot.documents.page import Word


def ink_of(text: str) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    image = Image.new("L", (400, 120), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT_DIR / "DejaVuSans-Bold.ttf"), 48)
    draw.text((20, 30), text, font=font, fill=0)
    ink = np.asarray(image) < 128
    ys, xs = np.nonzero(ink)
    return ink, (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)


def test_a_dropped_acute_is_noticed() -> None:
    ink, (left, top, right, bottom) = ink_of("CAFÉ")
    letters_top = top + 12  # the box Tesseract gives when it leaves the accent out
    assert lost_marks(ink, Word("CAFE", left, letters_top, right, bottom))
    assert not lost_marks(ink, Word("CAFÉ", left, letters_top, right, bottom))


def test_a_word_without_accents_is_not_flagged() -> None:
    ink, (left, top, right, bottom) = ink_of("CASA")
    assert not lost_marks(ink, Word("CASA", left, top, right, bottom))


def test_restore_only_unambiguous_spellings() -> None:
    assert restore("VINICIUS") == "VINÍCIUS"
    assert restore("CONCEICAO") == "CONCEIÇÃO"
    assert restore("SILVA") is None
    assert restore("JOSÉ") is None  # already accented
