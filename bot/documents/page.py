"""A read page as positioned words, whatever produced it (Tesseract or a PDF text layer).

Field extraction works on geometry: words are grouped into visual rows, labels are found in
rows, and a label's value is the run of words to its right or in its column on the next row.
"""

from __future__ import annotations

import statistics
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
        """Group words into rows: a run of touching words joins, whole, the row it overlaps
        most vertically.

        Words much taller than the page's usual word (a box Tesseract stretched over a label
        and its value, a rule's remnant read as "|") join last, by their lower part: placed
        first they would bridge two rows and pull the next words into the wrong one."""
        usual = statistics.median(w.height for w in self.words) if self.words else 0.0
        tall = [w for w in self.words if w.height > 1.8 * usual]
        usual_words = [w for w in self.words if w.height <= 1.8 * usual]
        # a PDF's text layer prints each line straight: word by word (chains are for photos,
        # whose lines bend; on a form's grid they would join a label to the value under it)
        rows = _rows_by_word(usual_words) if self.from_text_layer else self._rows(usual_words)
        for word in sorted(tall, key=lambda w: (w.cy, w.left)):
            foot = word.bottom - 0.5 * usual
            inside = [r for r in rows if min(w.top for w in r) <= foot <= max(w.bottom for w in r)]
            if inside:
                min(inside, key=lambda r: abs(statistics.median(w.cy for w in r) - foot)).append(
                    word
                )
            else:
                rows.append([word])
        ordered = [Row(tuple(sorted(r, key=lambda w: w.left))) for r in rows]
        return sorted(ordered, key=lambda r: statistics.median(w.cy for w in r.words))

    @staticmethod
    def _rows(words: list[Word]) -> list[list[Word]]:
        """Rows built from chains of touching words (``_chains``): a chain joins the row one
        of its words overlaps most, whole, so a line a photo bends or a small label beside a
        large value is not cut where one of its words drifts into another column's row."""
        rows: list[list[Word]] = []
        chains = sorted(
            _chains(words), key=lambda c: (statistics.median(w.cy for w in c), c[0].left)
        )
        for chain in chains:
            best, best_overlap = -1, 0.0
            for i, row in enumerate(rows):
                overlap = max(_overlap(word, row) for word in chain)
                if overlap > best_overlap:
                    best, best_overlap = i, overlap
            if best < 0:
                rows.append(list(chain))
            else:
                rows[best].extend(chain)
        return rows

    def text(self) -> str:
        return "\n".join(row.text for row in self.rows())


def _rows_by_word(words: list[Word]) -> list[list[Word]]:
    """Each word joins the row it overlaps most (by the row's horizontally nearest word)."""
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.cy, w.left)):
        best, best_overlap = -1, 0.0
        for i, row in enumerate(rows):
            overlap = _overlap(word, row)
            if overlap > best_overlap:
                best, best_overlap = i, overlap
        if best < 0:
            rows.append([word])
        else:
            rows[best].append(word)
    return rows


def _overlap(word: Word, row: list[Word]) -> float:
    """How much ``word`` overlaps the row's horizontally nearest word (rows may drift with
    skew); 0 unless by half the smaller height."""
    near = min(row, key=lambda w: abs(w.left - word.left))
    overlap = min(near.bottom, word.bottom) - max(near.top, word.top)
    return overlap if overlap > 0.5 * min(near.height, word.height) else 0.0


def _chains(words: list[Word]) -> list[tuple[Word, ...]]:
    """Runs of words that follow each other on one line, left to right: the next word starts
    within a letter and a half of the last one's end and overlaps it by half the smaller
    height. A chain is never split between rows."""
    chains: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.left, w.cy)):
        best, best_gap = -1, 0.0
        for i, chain in enumerate(chains):
            last = chain[-1]
            gap = word.left - last.right
            overlap = min(last.bottom, word.bottom) - max(last.top, word.top)
            if (
                -0.5 * last.height <= gap <= 1.5 * min(last.height, word.height)
                and overlap > 0.5 * min(last.height, word.height)
                and (best < 0 or gap < best_gap)
            ):
                best, best_gap = i, gap
        if best < 0:
            chains.append([word])
        else:
            chains[best].append(word)
    return [tuple(chain) for chain in chains]


Column = tuple[float, float, float]  # x where the column starts, top and bottom of its rows


def column_starts(rows: list[Row], *, min_rows: int = 3) -> tuple[Column, ...]:
    """Left edges where several neighbouring rows start a run of text: the page's columns.

    A form's right column (dates under their labels, amounts) starts at one x on row after
    row; a value that runs towards it ends before it. A run starts at a row's first word or
    after a gap wider than a letter. Columns are local: rows further apart than three
    letters' height start a new one (a table lower on the page says nothing of the rows
    above it).
    """
    starts: list[tuple[float, Row]] = []
    for row in rows:
        letter = max(statistics.median(w.height for w in row.words), 1.0)
        starts.append((row.words[0].left, row))
        starts += [
            (b.left, row)
            for a, b in zip(row.words, row.words[1:], strict=False)
            if b.left - a.right > 1.2 * letter
        ]
    if not starts:
        return ()
    letter = statistics.median(w.height for row in rows for w in row.words)
    tol = 0.6 * letter
    found: list[Column] = []
    for x, _ in sorted(starts, key=lambda item: item[0]):
        if any(abs(x - seen[0]) <= tol for seen in found):
            continue
        near = sorted(
            {id(row): row for other, row in starts if abs(other - x) <= tol}.values(),
            key=lambda row: row.top,
        )
        run: list[Row] = []
        for row in near:
            if run and row.top - run[-1].bottom > 3 * letter:
                if len(run) >= min_rows:
                    found.append((x, run[0].top, run[-1].bottom))
                run = []
            run.append(row)
        if len(run) >= min_rows:
            found.append((x, run[0].top, run[-1].bottom))
    return tuple(found)


def split_at_columns(words: tuple[Word, ...], starts: tuple[Column, ...]) -> tuple[Word, ...]:
    """``words`` up to the first one that starts another column after a visible gap."""
    if not words or not starts:
        return words
    letter = max(statistics.median(w.height for w in words), 1.0)
    tol = 0.6 * letter
    kept = [words[0]]
    for word in words[1:]:
        gap = word.left - kept[-1].right
        if gap > 0.8 * letter and any(
            abs(word.left - x) <= tol and top - letter <= word.cy <= bottom + letter
            for x, top, bottom in starts
        ):
            break
        kept.append(word)
    return tuple(kept)
