"""Identity documents (CNH, RG, CIN): where a field is when its label was not read.

A heavy photo loses the small coloured labels first, while the values, printed larger and
darker, stay readable. What every identity document shares then still places a value:

- the birth date is the earliest full date on the card (issue, first licence, expiry all
  come later), and a CNH's expiry (``validade``) its latest;
- the RG number is the one number shaped like an RG (7 to 10 digits, a state's prefix or a
  check digit) that is neither the CPF nor a date;
- the holder's name is the first line of a name's shape below the card's header.

A value found this way is offered with ``repairs=1``: the reader shows it to the client to
confirm and never asserts it (``confidence.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from rapidfuzz import fuzz

from bot.documents import identifiers as ids
from bot.documents.folding import tokens
from bot.documents.label_words import LABELS
from bot.documents.labels import find_labels
from bot.documents.page import Row, Word

Found = tuple[ids.Parsed, str, tuple[Word, ...]]  # parsed value, raw text, its words
_DATE = re.compile(r"(?<!\d)(\d{2})[/.\-](\d{2})[/.\-](\d{4})(?!\d)")
_RG_SHAPE = re.compile(r"(?:[A-Z]{2}-?)?\d{1,3}(?:[.,]?\d{3}){2}(?:-?[\dX])?|\d{7,10}")


def _dates(rows: list[Row]) -> list[tuple[date, str, Word]]:
    found = []
    for row in rows:
        for word in row.words:
            match = _DATE.search(word.text)
            if match is None:
                continue
            day, month, year = (int(g) for g in match.groups())
            try:
                found.append((date(year, month, day), match.group(0), word))
            except ValueError:
                continue
    return found


def date_by_order(rows: list[Row], *, field: str, today: date) -> Found | None:
    """``data_nascimento``: the earliest date on the card; ``validade``: the latest. Only
    when it is the one date at that end (two equal dates tell nothing)."""
    dates = [d for d in _dates(rows) if date(1900, 1, 1) <= d[0]]
    if field == "data_nascimento":
        dates = [d for d in dates if d[0] <= today]
    if len(dates) < 2:
        return None
    ordered = sorted(dates, key=lambda d: d[0], reverse=field == "validade")
    if ordered[0][0] == ordered[1][0]:
        return None
    value, raw, word = ordered[0]
    return ids.Parsed(value.strftime("%d/%m/%Y"), True, 1), raw, (word,)


def rg_by_shape(rows: list[Row], *, cpf: str) -> Found | None:
    """The one RG-shaped number on the page that is not the CPF (nor a date)."""
    found: list[tuple[ids.Parsed, str, Word]] = []
    for row in rows:
        for word in row.words:
            text = word.text.strip(".,;:|()[]")
            if _DATE.search(text) or not _RG_SHAPE.fullmatch(text.upper()):
                continue
            parsed = ids.parse_rg(text)
            digits = re.sub(r"\D", "", text)
            if parsed is None or digits == cpf or len(digits) >= 11 or len(digits) < 7:
                continue
            found.append((parsed, text, word))
    if len(found) != 1:
        return None
    parsed, raw, word = found[0]
    return ids.Parsed(parsed.value, True, 1), raw, (word,)


# Words of the issuing bodies' headers ("POLÍCIA CIVIL DE MINAS GERAIS", "MINISTÉRIO DOS
# TRANSPORTES", "DETRAN MS"): never in a person's name.
HEADER_WORDS = (
    "REPUBLICA",
    "FEDERATIVA",
    "BRASIL",
    "MINISTERIO",
    "SECRETARIA",
    "ESTADO",
    "DEPARTAMENTO",
    "INSTITUTO",
    "POLICIA",
    "CIVIL",
    "CARTEIRA",
    "NACIONAL",
    "TRANSITO",
    "TRANSPORTES",
    "INFRAESTRUTURA",
    "SEGURANCA",
    "PUBLICA",
    "IDENTIFICACAO",
    "IDENTIDADE",
    "HABILITACAO",
    "DETRAN",
    "GOVERNO",
    "IDENTITY",
    "CARD",
    "DIRETOR",
    "ASSINATURA",
    "VALIDA",
    "TERRITORIO",
    "PERICIAS",
)


def _label_like(words: list[str], phrases: list[str]) -> bool:
    if any(
        fuzz.ratio(word, header) >= 80
        for word in words
        for header in HEADER_WORDS
        if len(word) >= 4
    ):
        return True
    text = " ".join(words)
    return any(
        fuzz.ratio(text, phrase) >= 80 or fuzz.partial_ratio(phrase, text) >= 90
        for phrase in phrases
        if len(phrase) >= 6
    )


def name_by_order(
    rows: list[Row], *, kind: str, parse: Callable[[str], ids.Parsed | None]
) -> Found | None:
    """The first line shaped like a name (two uppercase words or more, letters only) that
    holds no label of the kind, above the ``FILIAÇÃO`` label when that was read: the
    holder's name comes first on every identity document; the parents' come after it."""
    catalog = LABELS[kind]
    phrases = [p for group in catalog.values() for p in group]
    labelled = {h.row for h in find_labels(rows, catalog)}
    parents = [h.row for h in find_labels(rows, {"f": ("FILIACAO", "PAIS")})]
    last = min(parents, default=len(rows))
    for index, row in enumerate(rows[:last]):
        if index in labelled:
            continue
        words = _strong_words(row)
        if len(words) < 2 or any(
            not w.text.replace("'", "").isalpha() or not w.text.isupper() for w in words
        ):
            continue
        if _label_like([t for w in words for t in tokens(w.text)], phrases):
            continue
        raw = " ".join(w.text for w in words)
        parsed = parse(raw)
        if parsed is not None and parsed.valid and len(parsed.value.split()) == len(words):
            return ids.Parsed(parsed.value, True, max(parsed.repairs, 1)), raw, tuple(words)
    return None


def _strong_words(row: Row) -> list[Word]:
    """The row's words from the first confidently read one of three letters or more (a
    lost label before it reads as a short garbled word), up to a gap of 2.5 letters."""
    start = next(
        (
            i
            for i, w in enumerate(row.words)
            if w.conf >= 60 and len(w.text) >= 3 and w.text.isalpha()
        ),
        None,
    )
    if start is None or any(c.isdigit() for w in row.words for c in w.text):
        return []  # a number on the line: an identity document's, an issuer's, a date
    kept = [row.words[start]]
    for word in row.words[start + 1 :]:
        if word.left - kept[-1].right > 2.5 * max(word.height, kept[-1].height, 1.0):
            break
        kept.append(word)
    return kept


def _national(rows: list[Row]) -> bool:
    """The Carteira de Identidade Nacional: its MRZ's fillers, or its bilingual labels."""
    return any("<<" in row.text for row in rows) or bool(
        find_labels(
            rows, {"cin": ("CARTEIRA DE IDENTIDADE NACIONAL", "IDENTITY CARD", "PERSONAL NUMBER")}
        )
    )


def fallbacks(
    rows: list[Row],
    *,
    kind: str,
    have: dict[str, ids.Parsed],
    today: date,
    parse_name: Callable[[str], ids.Parsed | None],
) -> dict[str, Found]:
    """Values for the identity fields ``have`` lacks (or holds invalid), found by order and
    shape instead of by label."""
    wanted = {
        "cnh": ("nome", "data_nascimento", "validade"),
        "rg": ("nome", "rg", "data_nascimento"),
    }.get(kind, ())
    out: dict[str, Found] = {}
    for name in wanted:
        if name in have and have[name].valid:
            continue
        if name in ("data_nascimento", "validade"):
            got = date_by_order(rows, field=name, today=today)
        elif name == "rg":
            if _national(rows):
                continue  # the CIN's number is the CPF (``cin.cin_number``)
            got = rg_by_shape(rows, cpf=have["cpf"].value if "cpf" in have else "")
        else:
            got = name_by_order(rows, kind=kind, parse=parse_name)
        if got is not None:
            out[name] = got
    return out


__all__ = ["date_by_order", "fallbacks", "name_by_order", "rg_by_shape"]
