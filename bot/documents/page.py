"""A read page as positioned words, whatever produced it (Tesseract or a PDF text layer).

Field extraction works on geometry: words are grouped into visual rows, labels are found in
rows, and a label's value is the run of words to its right or in its column on the next row.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Word:
    """One word with its box in page pixels (or PDF points) and a 0-100 recognition confidence."""

    text: str
    left: float
    top: float
    right: float
    bottom: float
    conf: float = 100.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", unicodedata.normalize("NFC", self.text))

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True, slots=True)
class Row:
    """Words on one visual line, left to right."""

    words: tuple[Word, ...]

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass(frozen=True, slots=True)
class Page:
    """Positioned words of one page; ``from_text_layer`` when they came from a PDF, not OCR."""

    words: tuple[Word, ...]
    width: float
    height: float
    from_text_layer: bool = False

    def rows(self) -> list[Row]:
        """Group words into rows: a word joins the row it overlaps most vertically."""
        rows: list[list[Word]] = []
        for word in sorted(self.words, key=lambda w: (w.cy, w.left)):
            best, best_overlap = -1, 0.0
            for i, row in enumerate(rows):
                # compare with the row's horizontally nearest word: rows may drift with skew
                near = min(row, key=lambda w: abs(w.left - word.left))
                overlap = min(near.bottom, word.bottom) - max(near.top, word.top)
                if overlap > 0.5 * min(near.height, word.height) and overlap > best_overlap:
                    best, best_overlap = i, overlap
            if best < 0:
                rows.append([word])
            else:
                rows[best].append(word)
        ordered = [Row(tuple(sorted(r, key=lambda w: w.left))) for r in rows]
        return sorted(ordered, key=lambda r: r.top)

    def text(self) -> str:
        return "\n".join(row.text for row in self.rows())
