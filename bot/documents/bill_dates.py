"""A bill's issue date when its label was misread: told apart from the bill's other dates.

A bill prints several dates, each under (or beside) its own label: the issue date (DATA DE
EMISSÃO), the due date (VENCIMENTO), the readings (LEITURA ANTERIOR / ATUAL), the reference
month. On a poor photo the issue date's label comes out garbled ("LATA CRE VISÃO", "EMInsÃO")
and the strict label match of ``labels.py`` misses it. Here every full date on the page is
given the label above it (or before it on its line) and that label is matched loosely
against all the dates' labels: the date whose label is nearest an issue label, clearly
nearer than to any other date's label, is the issue date. When no label reads as an issue
label, a single date whose label is unreadable is the issue date only if every other date's
label was told apart and it lies between the previous reading and the due date; that value
is never asserted (its words are marked doubtful). A date whose two slashes were read as 1s
("2710112026") is one of the bill's dates, doubtful too, when it lies within a year of a
date read as printed.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from rapidfuzz import fuzz

from bot.documents import identifiers as ids
from bot.documents.folding import fold
from bot.documents.label_words import LABELS
from bot.documents.page import Row, Word

__all__ = ["issue_date"]

Found = tuple[str, tuple[Word, ...]]

ISSUE = LABELS["comprovante_endereco"]["data_emissao"]
DUE = ("VENCIMENTO", "DATA DE VENCIMENTO", "VENCIMENTO EM")
PREVIOUS = ("LEITURA ANTERIOR", "DATA DA LEITURA ANTERIOR")
# the other dates a bill prints: a label nearer one of these is not the issue date's
OTHERS = (
    *DUE,
    *PREVIOUS,
    "LEITURA ATUAL",
    "DATA DA LEITURA",
    "PROXIMA LEITURA",
    "DATA DA PROXIMA LEITURA",
    "REFERENCIA",
    "MES DE REFERENCIA",
    "DATA DE APRESENTACAO",
    "APRESENTACAO",
    "DATA DE POSTAGEM",
    "PERIODO DE CONSUMO",
)
# a misread label still scores >= 65 against its phrase ("LATA CRE VISÃO": 69 against DATA
# DE EMISSAO, "VENCENDO": 78 against VENCIMENTO); and must beat every other label by this
LOOSE = 65.0
MARGIN = 8.0
DOUBTFUL = 60.0  # word confidence given to a date placed by elimination: never asserted
_WIDE = (date(1900, 1, 1), date(2100, 12, 31))
_DATE_RUN = re.compile(r"[\d/.\-]{8,}")
# both slashes read as 1s ("2710112026" for 27/01/2026): the positions fix the date, which
# is taken only within a year of a date read as printed on the same bill (its other dates
# lie weeks apart), and never asserted
_SLASHES_AS_ONES = re.compile(r"\W*(\d{2})1(\d{2})1(\d{4})\W*")
_NEIGHBOURS = 366  # days


def _score(label: str, phrases: tuple[str, ...]) -> float:
    text = fold(label).strip(" :.-")
    return max((fuzz.ratio(text, phrase) for phrase in phrases), default=0.0)


def _is_date(text: str) -> date | None:
    parsed = ids.parse_date(text, earliest=_WIDE[0], latest=_WIDE[1])
    if parsed is None or not parsed.valid:
        return None
    day, month, year = (int(part) for part in parsed.value.split("/"))
    return date(year, month, day)


def _near(a: Word, b: Word) -> bool:
    """Same column: left edges within three letters."""
    return abs(a.left - b.left) <= 3 * max(a.height, b.height)


def _label_of(rows: list[Row], *, at: int, value: tuple[Word, ...]) -> str:
    """The label of a date value: the letters before it on its line, else the nearest line
    above in its column (at most two lines up); "" when none (another value is there)."""
    row = rows[at].words
    first = row.index(value[0])
    before = [w for w in row[:first] if value[0].left - w.right <= 4 * value[0].height]
    if len(re.sub(r"[^A-Za-zÀ-ÿ]", "", " ".join(w.text for w in before))) >= 4:
        return " ".join(w.text for w in before)
    for above in reversed(rows[max(0, at - 2) : at]):
        words = [w for w in above.words if _near(w, value[0]) or value[0].left <= w.left]
        words = [w for w in words if w.left < value[-1].right + 3 * value[0].height]
        if words:
            text = " ".join(w.text for w in words)
            return "" if _DATE_RUN.search(text) else text
    return ""


def _dates(rows: list[Row]) -> list[tuple[date, str, tuple[Word, ...]]]:
    """Every full date on the page: its value, its label, its words (a date whose slashes
    were read as 1s is given as a doubtful word holding the date as printed)."""
    found: list[tuple[date, str, tuple[Word, ...]]] = []
    repaired: list[tuple[date, str, tuple[Word, ...]]] = []
    for at, row in enumerate(rows):
        for word in row.words:
            when = _is_date(word.text) if _DATE_RUN.search(word.text) else None
            if when is not None:
                found.append((when, _label_of(rows, at=at, value=(word,)), (word,)))
                continue
            ones = _SLASHES_AS_ONES.fullmatch(word.text)
            when = _is_date("/".join(ones.groups())) if ones is not None else None
            if ones is not None and when is not None:
                fixed = replace(word, text="/".join(ones.groups()), conf=min(word.conf, DOUBTFUL))
                repaired.append((when, _label_of(rows, at=at, value=(word,)), (fixed,)))
    printed = [when for when, _, _ in found]
    return found + [
        item
        for item in repaired
        if any(abs((item[0] - when).days) <= _NEIGHBOURS for when in printed)
    ]


def issue_date(rows: list[Row]) -> Found | None:
    """The issue date's text and words, told apart from the bill's other dates, or None."""
    dates = _dates(rows)
    issue: list[tuple[date, tuple[Word, ...]]] = []
    unknown: list[tuple[date, tuple[Word, ...]]] = []
    other: list[date] = []
    due: list[date] = []
    previous: list[date] = []
    for when, label, words in dates:
        as_issue, as_other = _score(label, ISSUE), _score(label, OTHERS)
        if as_issue >= LOOSE and as_issue >= as_other + MARGIN:
            issue.append((when, words))
        elif as_other >= LOOSE and as_other > as_issue:
            other.append(when)
            if _score(label, DUE) >= as_other:
                due.append(when)
            elif _score(label, PREVIOUS) >= as_other:
                previous.append(when)
        else:
            unknown.append((when, words))
    if len(issue) == 1:
        when, words = issue[0]
        return words[0].text, words
    if issue or len(unknown) != 1 or len(other) < 2 or len(due) != 1:
        return None
    when, words = unknown[0]
    if not when < due[0] or any(when <= before for before in previous):
        return None
    return words[0].text, tuple(replace(w, conf=min(w.conf, DOUBTFUL)) for w in words)
