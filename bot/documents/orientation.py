"""Turning a photo upright when it was taken sideways or upside down without EXIF orientation.

Two measurements, cheapest first (``bench/ocr/orientation.py`` compared them with Tesseract's
OSD and with OCR of all four turns):

- the text axis: projection profiles of the ink along rows and along columns (``line_fit``);
  text lines make one of them spiky. This separates 0/180 from 90/270 in a few milliseconds;
- upright or upside down: which of the two remaining turns gives more words of the documents'
  vocabulary (printed labels, kind markers, common accented words) when read by Tesseract.
  The pipeline reads the first candidate in full anyway, so the common upright case costs
  nothing more; only when that reading finds no document is the half turn tried.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import numpy as np
from PIL import Image

from bot.documents.folding import tokens
from bot.documents.imaging import Prepared, line_fit
from bot.documents.kinds import KEYWORDS, MARKERS, detect_kind
from bot.documents.label_words import LABELS
from bot.documents.lexicon import WORDS
from bot.documents.page import Page, Word
from bot.documents.tesseract import OcrEngine

# A page read with fewer words is no document the reader knows, either way up (the smallest,
# a CNH's data side, reads 40+): it is not read again turned, nor a second time.
MIN_DOCUMENT_WORDS = 12
AXIS_MARGIN = 1.15  # columns must beat rows by this factor before a quarter turn is made


def quarter_turn(ink: np.ndarray) -> bool:
    """Whether text runs along the columns of ``ink`` (True = dark): the page lies sideways."""
    return text_axis(ink)[0]


def text_axis(ink: np.ndarray) -> tuple[bool, tuple[float, float]]:
    """``quarter_turn`` and the rows' ``line_fit`` it measured (the deskew reuses it)."""
    fit = line_fit(ink)
    _, columns = line_fit(np.ascontiguousarray(ink.T))
    return columns > fit[1] * AXIS_MARGIN, fit


def turn(image: Image.Image, degrees: int) -> Image.Image:
    """``image`` turned counter-clockwise by a multiple of 90 degrees, losslessly."""
    steps = {
        90: Image.Transpose.ROTATE_90,
        180: Image.Transpose.ROTATE_180,
        270: Image.Transpose.ROTATE_270,
    }
    return image.transpose(steps[degrees % 360]) if degrees % 360 else image


def turn_array(array: np.ndarray, degrees: int) -> np.ndarray:
    """The same counter-clockwise turn as ``turn`` on a 2-D array."""
    return np.ascontiguousarray(np.rot90(array, k=(degrees // 90) % 4))


@cache
def vocabulary() -> frozenset[str]:
    """Folded words of three letters or more printed on the documents or common in them."""
    phrases = [p for kinds in LABELS.values() for group in kinds.values() for p in group]
    phrases += [p for group in MARKERS.values() for p, _ in group]
    phrases += [p for group in KEYWORDS.values() for p in group]
    words = {tok for phrase in phrases for tok in phrase.split()}
    words |= {tok for word in WORDS.split() for tok in tokens(word)}
    return frozenset(w for w in words if len(w) >= 3 and w.isalpha())


def known_words(words: list[Word] | tuple[Word, ...]) -> int:
    """How many recognized words belong to the documents' vocabulary (upright text scores)."""
    known = vocabulary()
    return sum(1 for word in words for tok in tokens(word.text) if tok in known)


def read_upright(
    prepared: Prepared, *, ocr: OcrEngine, psm: int, flip: bool = True
) -> tuple[Prepared, Page, bool]:
    """Read the prepared page once; upside down instead when that finds more known words.

    The half turn is tried only when no document kind was recognized, so an upright photo
    costs nothing more. Turning the prepared page by 180 degrees keeps its deskew and scale.
    Returns the page as read, its words, and whether it was turned.
    """
    size = (float(prepared.image.width), float(prepared.image.height))
    page = Page(tuple(ocr.words(prepared.image, psm=psm)), *size)
    if not flip or len(page.words) < MIN_DOCUMENT_WORDS or detect_kind(page)[0] != "other":
        return prepared, page, False
    flipped = replace(
        prepared, image=turn(prepared.image, 180), gray=turn_array(prepared.gray, 180)
    )
    other = Page(tuple(ocr.words(flipped.image, psm=psm)), *size)
    if known_words(other.words) > known_words(page.words):
        return flipped, other, True
    return prepared, page, False
