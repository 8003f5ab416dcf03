"""The printed labels of each document kind, finding them in a page, and kind detection.

Labels are matched on folded tokens (no accents, uppercase) with a similarity threshold, so
"MUNICIPIO", "MUNICÍPIO" and "MUNIC1PIO" all anchor the municipality. Longer labels are placed
first and their words are not reused, so "DATA DA SITUAÇÃO CADASTRAL" never anchors
"SITUAÇÃO CADASTRAL". Labels that are not fields ("stops") bound the columns of the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.documents.folding import tokens
from bot.documents.label_words import ENGLISH, GUARDED, STOP
from bot.documents.page import Row, Word


@dataclass(frozen=True, slots=True)
class LabelHit:
    """A label found on the page: ``key`` is a field name, or ``STOP`` for other labels."""

    key: str
    phrase: str
    words: tuple[Word, ...]
    row: int
    score: float

    @property
    def left(self) -> float:
        return min(w.left for w in self.words)

    @property
    def right(self) -> float:
        return max(w.right for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def height(self) -> float:
        return max(w.height for w in self.words)


def _threshold(phrase: str) -> float:
    if len(phrase) <= 4:
        return 100.0
    if len(phrase) <= 9:
        return 88.0
    return 86.0 if len(phrase) <= 15 else 80.0


def _tokens_agree(phrase: str, window: list[tuple[str, int]], *, score: float) -> bool:
    """Word by word, so "DA NASCIMENTO" (a surname) is not "DATA NASCIMENTO" (a label)."""
    wanted = phrase.split()
    if len(wanted) != len(window):
        return score >= 90  # a word split or merged by OCR: demand a closer overall match
    return _words_agree(wanted, [tok for tok, _ in window])


# Labels print "DA", "DE" or "DO" alike ("DATA DA EMISSÃO", "ENDEREÇO DA INSTALAÇÃO").
_JOINING = frozenset({"DA", "DE", "DO", "DAS", "DOS"})


def _words_agree(wanted: list[str], got: list[str]) -> bool:
    for want, seen in zip(wanted, got, strict=True):
        if want in _JOINING and seen in _JOINING:
            continue
        floor = 100 if len(want) <= 2 else 66 if len(want) == 3 else 75
        if fuzz.ratio(want, seen) < floor:
            return False
    return True


def _row_tokens(row: Row) -> list[tuple[str, int]]:
    return [(tok, i) for i, word in enumerate(row.words) for tok in tokens(word.text)]


def _row_labels(
    toks: list[tuple[str, int]], phrases: list[tuple[str, str, int]]
) -> list[tuple[int, int, str, str, float]]:
    """Best non-overlapping labels in one row: a DP maximizing the matched characters."""
    count = len(toks)
    numeric = [0]
    for tok, _ in toks:  # prefix counts of number tokens: a label never absorbs a number
        numeric.append(numeric[-1] + (len(tok) >= 2 and tok.isdigit()))
    longest = max((size for _, _, size in phrases), default=0) + 1
    # per phrase, once: whether it holds a digit and how far a window's length may stray
    facts = [
        (key, phrase, size, any(c.isdigit() for c in phrase), len(phrase), max(2, len(phrase) // 4))
        for key, phrase, size in phrases
    ]
    # best[i]: (score, labels) using tokens[:i]; score = matched chars - half the unmatched
    best: list[tuple[float, list[tuple[int, int, str, str, float]]]] = [(0.0, [])] * (count + 1)
    for end in range(1, count + 1):
        best[end] = best[end - 1]
        for n in range(1, min(longest, end) + 1):
            start = end - n
            has_number = numeric[end] > numeric[start]
            window = " ".join(t for t, _ in toks[start:end])
            for key, phrase, size, digits, length, slack in facts:
                if (
                    abs(n - size) > 1
                    or (has_number and not digits)
                    or abs(len(window) - length) > slack
                ):
                    continue
                score = fuzz.ratio(phrase, window, score_cutoff=_threshold(phrase))
                if not score or not _tokens_agree(phrase, toks[start:end], score=score):
                    continue
                size_sum = len(phrase) + len(window)
                matched = score / 100.0 * size_sum / 2
                total = best[start][0] + matched - 0.5 * (size_sum - 2 * matched)
                if total > best[end][0]:
                    best[end] = (total, [*best[start][1], (start, n, key, phrase, score / 100)])
    return best[count][1]


def find_labels(rows: list[Row], catalog: dict[str, tuple[str, ...]]) -> list[LabelHit]:
    """Every label of ``catalog`` found in ``rows`` (per row, the cover matching most text)."""
    phrases = [
        (key, phrase, len(phrase.split())) for key, group in catalog.items() for phrase in group
    ]
    hits: list[LabelHit] = []
    for r, row in enumerate(rows):
        toks = _row_tokens(row)
        for start, n, key, phrase, score in _row_labels(toks, phrases):
            word_ids = sorted({toks[i][1] for i in range(start, start + n)})
            # numbered labels of the 2022 CNH ("4b VALIDADE", "2 e 1 NOME"): keep the numbers
            # printed just before the label (a "1" far to its left is another box's rule)
            while word_ids[0] > 0:
                word, before_word = row.words[word_ids[0]], row.words[word_ids[0] - 1]
                before = tokens(before_word.text)
                if not (len(before) == 1 and re.fullmatch(r"\d{1,2}[A-Z]?|E", before[0])):
                    break
                if word.left - before_word.right > 2 * max(word.height, before_word.height):
                    break
                word_ids.insert(0, word_ids[0] - 1)
            if phrase in GUARDED and not _starts_run(row, word_ids[0]):
                continue
            word_ids += _translation(row, word_ids[-1])
            words = tuple(row.words[i] for i in word_ids)
            hits.append(LabelHit(key, phrase, words, r, score))
    return hits


def _translation(row: Row, last: int) -> list[int]:
    """The words after a label's last word that are its English translation, in the same
    run of text (a slash between them is part of it): they belong to the label, not to the
    value beside it."""
    taken: list[int] = []
    pending: list[int] = []  # slashes and such, kept only when an English word follows
    index = last
    while index + 1 < len(row.words):
        word, before = row.words[index + 1], row.words[index]
        if word.left - before.right > 1.5 * max(word.height, before.height):
            break
        found = tokens(word.text)
        if found and not set(found) <= ENGLISH:
            break
        pending.append(index + 1)
        if found:
            taken += pending
            pending = []
        index += 1
    return taken


def _starts_run(row: Row, index: int) -> bool:
    """Whether the row's word ``index`` starts a run of text (a label's place): the row's
    first word, or one after a gap wider than a letter."""
    if index == 0:
        return True
    word, before = row.words[index], row.words[index - 1]
    return word.left - before.right > word.height


def best_hits(hits: list[LabelHit]) -> dict[str, LabelHit]:
    """One hit per field: the best score, then the most specific phrase, then the topmost."""
    best: dict[str, LabelHit] = {}
    for hit in sorted(hits, key=lambda h: (-h.score, -len(h.phrase), h.top)):
        if hit.key != STOP and hit.key not in best:
            best[hit.key] = hit
    return best
