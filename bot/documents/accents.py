"""Accent marks Tesseract may have dropped: count mark-sized blobs above and below a word.

Tesseract often assigns the acute, circumflex or tilde of an uppercase letter to the line
above (or drops it) and returns "CAFE" for "CAFÉ", with high confidence. Counting the small
ink blobs just above a word's box (and cedillas below) and comparing with the accented letters
in the text read tells when a mark went missing, so the value is not asserted.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from bot.documents.page import Word

ABOVE = set("ÁÉÍÓÚÂÊÎÔÛÃÕÀÈÌÒÙÄËÏÖÜáéíóúâêîôûãõàèìòùäëïöü")
BELOW = set("Çç")


def _marks(ink: np.ndarray, box: tuple[int, int, int, int], *, height: float) -> int:
    x0, y0, x1, y1 = box
    band = ink[max(y0, 0) : max(y1, 0), max(x0, 0) : max(x1, 0)]
    if band.size == 0:
        return 0
    labels, count = ndimage.label(band)
    marks = 0
    for index, sl in enumerate(ndimage.find_objects(labels), start=1):
        if sl is None:
            continue
        h = sl[0].stop - sl[0].start
        w = sl[1].stop - sl[1].start
        touches_edge = sl[0].start == 0 or sl[0].stop == band.shape[0]
        area = int((labels[sl] == index).sum())
        if (
            not touches_edge
            and h <= 0.35 * height
            and w <= 0.8 * height
            and area >= 0.004 * height * height
        ):
            marks += 1
    return marks


def lost_marks(ink: np.ndarray, word: Word) -> bool:
    """True when ``word`` shows more accent-like blobs than accented letters in its text."""
    height = word.height
    if height < 8 or not any(c.isalpha() for c in word.text):
        return False
    left, right = int(word.left), int(word.right)
    top, bottom = int(word.top), int(word.bottom)
    # the band reaches into the box: Tesseract sometimes keeps the mark in the box but not
    # in the text; letters cross the band's lower edge and are not counted
    above = _marks(
        ink, (left, top - int(0.5 * height), right, top + int(0.35 * height)), height=height
    )
    below = _marks(ink, (left, bottom - 1, right, bottom + int(0.4 * height)), height=height)
    accented_above = sum(c in ABOVE or c in "ij" for c in word.text)
    accented_below = sum(c in BELOW for c in word.text)
    return above > accented_above or below > accented_below


def _plain_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() and c not in ABOVE for c in letters)


def lost_accent_words(ink: np.ndarray, words: tuple[Word, ...]) -> list[bool]:
    """For each word of one value: did Tesseract drop an accent the image shows?

    Besides loose marks above or below the word, a word in capitals without accents whose
    box is clearly taller than its unaccented neighbours holds a mark inside its box.
    """
    plain = [w.height for w in words if _plain_caps(w.text)]
    typical = float(np.median(plain)) if len(plain) >= 2 else 0.0
    flags = []
    for word in words:
        tall = typical > 0 and _plain_caps(word.text) and word.height > 1.15 * typical
        flags.append(tall or lost_marks(ink, word))
    return flags


def star_run(ink: np.ndarray, box: tuple[float, float, float, float]) -> bool:
    """Does ``box`` hold a row of asterisks (Receita's "********" for an empty field)?

    Tesseract reads such rows as letters ("FEDE", "DEPOT"); the blobs give them away: five or
    more of nearly the same size, about as wide as tall, evenly spaced.
    """
    left, top, right, bottom = (int(v) for v in box)
    pad = max((bottom - top) // 3, 2)
    region = ink[max(top - pad, 0) : bottom + pad, max(left - pad, 0) : right + pad]
    if region.size == 0:
        return False
    labels, count = ndimage.label(region)
    if count < 5:
        return False
    blobs = []
    for index, sl in enumerate(ndimage.find_objects(labels), start=1):
        if sl is None or sl[0].stop - sl[0].start < 4:
            continue
        area = float((labels[sl] == index).sum())
        blobs.append((sl[0].stop - sl[0].start, sl[1].stop - sl[1].start, sl[1].start, area))
    if len(blobs) < 5:
        return False
    heights = np.array([b[0] for b in blobs], dtype=float)
    widths = np.array([b[1] for b in blobs], dtype=float)
    areas = np.array([b[3] for b in blobs], dtype=float)
    gaps = np.diff(np.sort(np.array([b[2] for b in blobs], dtype=float)))

    def uniform(values: np.ndarray, spread: float) -> bool:
        return bool(np.all(np.abs(values - np.median(values)) <= spread * np.median(values)))

    # identical glyphs: letters of a word differ in width and ink far more than this
    return (
        uniform(heights, 0.15)
        and uniform(widths, 0.15)
        and uniform(areas, 0.2)
        and bool(np.all((widths / heights > 0.7) & (widths / heights < 1.4)))
        and gaps.std() <= 0.2 * max(gaps.mean(), 1.0)
    )
