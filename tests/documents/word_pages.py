"""Pages of OCR words drawn by hand for the geometry tests: a line of words at a place, a page
of lines, the values of what was read."""

from __future__ import annotations

from bot.documents.fields import FieldRead
from bot.documents.page import Page, Word


def line(text: str, x: float, y: float, *, size: float = 10.0, conf: float = 96.0) -> list[Word]:
    """Words of ``text`` from (x, y), each letter 0.6 of ``size`` wide, one space between."""
    words = []
    for token in text.split():
        width = 0.6 * size * len(token)
        words.append(Word(token, x, y, x + width, y + size, conf))
        x += width + 0.6 * size
    return words


def page(*runs: list[Word]) -> Page:
    return Page(tuple(w for run in runs for w in run), 1000, 1000)


def values(found: dict[str, FieldRead]) -> dict[str, str]:
    return {name: read.parsed.value for name, read in found.items()}
