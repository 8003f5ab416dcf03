"""Look-alike characters of an alphanumeric CNPJ told apart by their glyphs' widths.

Since 2026 a CNPJ's first 12 characters may be letters (Receita's IN 2.229/2024), and the
letter O beside the digit 0 (or I beside 1) is what OCR swaps most: in a number's context
Tesseract reads an O as 0. The check digits (ASCII minus 48 per character, mod 11) catch one
swap, but an O read as 0 at one place and a 0 read as O eight places on keeps both check
digits (the weights repeat with period 8), so they cannot tell which reading is right.

The glyphs can: in every proportional typeface the letter O is far wider than the digit 0
(1.36-1.65 times a digit's ink width, against 0.97-1.10; measured on the DejaVu and
Liberation faces) and the letter I a bare stem (0.18-0.35 in the sans faces) where the 1 has
its flag (0.77-0.95). Each glyph of the number's word is measured against the check
digits and the digits 2-9 of the same word, so size and blur cancel out. A glyph between the
two classes decides nothing; in a monospaced face O and 0 are as wide as any digit, so an O
may be taken for a 0 (never a 0 for an O): one swap the check digits then catch. A value
spelled so is used only when it passes the check digits and every look-alike was decided.
"""

from __future__ import annotations

import re
import statistics

import numpy as np
from scipy import ndimage

from bot.documents.folding import fold
from bot.documents.page import Word

__all__ = ["ROUND", "STEM", "glyph_widths", "spelled_cnpj"]

ROUND = frozenset("O0")  # an O or a 0 (a D is no O: its own letter, whatever it looks like)
STEM = frozenset("I1|")  # an I or a 1
_REFERENCE = frozenset("23456789")  # digits no letter of the pair classes looks like
WIDE_O, NARROW_0 = 1.25, 1.15  # an O is wider than this (x a digit), a 0 narrower
BARE_I, FLAGGED_1 = 0.45, 0.85  # an I is narrower than this, a 1 wider


def glyph_widths(ink: np.ndarray) -> list[tuple[float, float]]:
    """(left, width) of each tall glyph of one word's ink, left to right: pieces of one glyph
    broken by the binarization are joined, and dots and hyphens (under half the tallest
    glyph's height) left out."""
    labels, count = ndimage.label(ink, structure=np.ones((3, 3), dtype=bool))
    if count == 0:
        return []
    boxes = [s for s in ndimage.find_objects(labels) if s is not None]
    tallest = max(s[0].stop - s[0].start for s in boxes)
    spans = sorted(
        (s[1].start, s[1].stop) for s in boxes if s[0].stop - s[0].start >= 0.5 * tallest
    )
    joined: list[list[int]] = []
    for left, right in spans:
        if joined and left < joined[-1][1] - 0.5 * min(right - left, joined[-1][1] - joined[-1][0]):
            joined[-1][1] = max(joined[-1][1], right)  # overlapping pieces: one glyph
        else:
            joined.append([left, right])
    return [(float(left), float(right - left)) for left, right in joined]


def _number_word(words: tuple[Word, ...]) -> Word | None:
    """The word holding the whole CNPJ (14 letters and digits, its punctuation around)."""
    for word in words:
        if len(re.sub(r"[^0-9A-Z|]", "", fold(word.text))) == 14:
            return word
    return None


def _decide(char: str, ratio: float) -> str | None:
    """The character a look-alike glyph of ``ratio`` (its width over a digit's) is; None
    when its width does not tell."""
    if char in ROUND:
        return "O" if ratio >= WIDE_O else "0" if ratio <= NARROW_0 else None
    if char in STEM:
        return "I" if ratio <= BARE_I else "1" if ratio >= FLAGGED_1 else None
    return char


def _inks(binary: np.ndarray, grey: np.ndarray | None) -> list[np.ndarray]:
    """The word's ink, then thinner: on a blurred photo neighbouring glyphs touch in the
    binarized page; eroded, or the grey cut darker, they come apart (their widths shrink
    alike, and only their ratio to a digit's counts)."""
    ink = binary < 128
    inks = [ink, ndimage.binary_erosion(ink)]
    if grey is not None and grey.size:
        paper = float(np.median(grey))
        inks += [grey < paper * share for share in (0.45, 0.3)]
    return inks


def spelled_cnpj(
    words: tuple[Word, ...], binary: np.ndarray, *, grey: np.ndarray | None = None
) -> str | None:
    """The CNPJ's 14 characters as its glyphs spell them, O/0 and I/1 told by their widths,
    "?" where a look-alike's width does not tell (``binary``: the page as Tesseract read
    it, ink dark; ``grey``: the same page in grey, tried when glyphs touch); None when no
    word holds the number or its glyphs cannot be matched to the text (touching glyphs, a
    speck read as one)."""
    word = _number_word(words)
    if word is None:
        return None
    text = re.sub(r"[^0-9A-Z|/]", "", fold(word.text))
    pad = 0.15 * word.height
    top, bottom = max(int(word.top - pad), 0), int(word.bottom + pad) + 1
    left, right = max(int(word.left - pad), 0), int(word.right + pad) + 1
    area = (slice(top, bottom), slice(left, right))
    glyphs: list[tuple[float, float]] = []
    for ink in _inks(binary[area], None if grey is None else grey[area]):
        glyphs = glyph_widths(ink)
        if len(glyphs) == len(text):
            break
    if len(glyphs) != len(text):
        return None
    widths = [w for (_, w), ch in zip(glyphs, text, strict=True) if ch != "/"]
    chars = [ch for ch in text if ch != "/"]
    # the scale: the check digits' glyphs (digits, whatever they read as) and the digits no
    # letter looks like; a 1 among them (a little narrower) only leaves more glyphs undecided
    reference = [
        w
        for at, (w, ch) in enumerate(zip(widths, chars, strict=True))
        if at >= 12 or ch in _REFERENCE
    ]
    digit = statistics.median(reference)
    spelled = [
        _decide(char, width / digit) or "?" for char, width in zip(chars, widths, strict=True)
    ]
    # the check digits are digits, whatever their glyphs look like
    tail = "".join(spelled[12:]).replace("O", "0").replace("I", "1")
    return "".join(spelled[:12]) + tail
