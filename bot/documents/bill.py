"""The address block of a utility bill (comprovante de endereço), read by its grammar.

Bills print the holder's address as a block of unlabelled lines — the street line, the
district, then the CEP with the city and state ("71423-511 ITAJAÍ/SC", or "CENTRO - CEP
63489-358" over "TERESINA - PI") — beside columns of dates and amounts. The CEP is the anchor:
it has a fixed shape, the city and UF follow it (same line or the next, same column), and the
street line is the nearest line above it that reads like a street (a street type or a
"name, number"). Labels, where the bill prints them, are read first by ``fields``; this block
fills what they did not give.
"""

from __future__ import annotations

import re
import statistics

from rapidfuzz import fuzz

from bot.documents.bill_dates import issue_date
from bot.documents.folding import fold
from bot.documents.identifiers import UFS
from bot.documents.label_words import LABELS
from bot.documents.lexicon import restore
from bot.documents.page import Column, Row, Word

Found = tuple[str, tuple[Word, ...]]  # raw text and the words it came from

_CEP = re.compile(r"(?<![\d.])(\d{2}\.?\d{3})\s?-\s?(\d{3})(?!\d)|(?<=CEP)\s*:?\s*(\d{8})(?!\d)")
_STREET = re.compile(
    r"^(?:R|RUA|AV|AVENIDA|TV|TRAV|TRAVESSA|AL|ALAMEDA|ROD|RODOVIA|EST|ESTR|ESTRADA|PC|PCA|"
    r"PRACA|LGO|LARGO|VIA|QD|QUADRA|VL|VILA|BC|BECO|SQN|SQS|SHIS|SHIN|CLN|CLS)\b\.?\s"
)
_CITY_UF = re.compile(r"^(?P<city>[^\d/]{2,}?)\s*(?:/|\s-\s|\s–\s|-)\s*(?P<uf>[A-Z]{2})\b")
# the slash read as a letter or a bar ("PALMASITO"): only when the UF ends the text
_CITY_I_UF = re.compile(r"^(?P<city>[^\d/]{2,}?)[Il|1!](?P<uf>[A-Z]{2})\s*$")


def clusters(row: Row, starts: tuple[Column, ...] = ()) -> list[tuple[Word, ...]]:
    """A row split where the gap between words is wide or another column starts."""
    letter = max(statistics.median(w.height for w in row.words), 1.0)
    groups: list[list[Word]] = [[row.words[0]]]
    for word in row.words[1:]:
        gap = word.left - groups[-1][-1].right
        if gap > 2.5 * letter or (
            gap > 0.8 * letter
            and any(
                abs(word.left - x) <= 0.6 * letter and top - letter <= word.cy <= bottom + letter
                for x, top, bottom in starts
            )
        ):
            groups.append([])
        groups[-1].append(word)
    return [tuple(group) for group in groups]


def _text(words: tuple[Word, ...]) -> str:
    return " ".join(w.text for w in words)


def _same_column(words: tuple[Word, ...], anchor: tuple[Word, ...]) -> bool:
    height = max(w.height for w in anchor)
    return abs(words[0].left - anchor[0].left) <= 3 * height


def _from_column(
    words: tuple[Word, ...], anchor: tuple[Word, ...], *, labels: tuple[str, ...]
) -> tuple[Word, ...]:
    """The words of a line from the one that starts in the anchor's column, when what comes
    before it is the line's label misread ("expereço R SÃO BENTO, 652": the words left out
    read like one of ``labels`` and are printed smaller, or read like it closely); () when
    the line does not reach the column or what precedes is not a label ("CLIENTE DÉBORA
    DOS FERREIRA", the street below starting under FERREIRA: the name's own words)."""
    if _same_column(words, anchor):
        return words
    colon = next((i for i, w in enumerate(words[:4]) if w.text.endswith(":")), len(words))
    if colon + 1 < len(words) and _label_score(words[: colon + 1], labels) >= _LOOSE_LABEL:
        return words[colon + 1 :]  # "cuente: DÉBORA ...": a label closed by its colon
    height = max(w.height for w in anchor)
    at = next((i for i, w in enumerate(words) if abs(w.left - anchor[0].left) <= height), 0)
    if at == 0:
        return ()
    dropped, kept = words[:at], words[at:]
    score = _label_score(dropped, labels)
    smaller = max(w.height for w in dropped) <= 0.85 * statistics.median(w.height for w in kept)
    return kept if score >= _LABEL_WORD_RATIO or (score >= _LOOSE_LABEL and smaller) else ()


def _label_score(words: tuple[Word, ...], labels: tuple[str, ...]) -> float:
    text = fold(_text(words)).strip(" :.-")
    return max(fuzz.ratio(text, phrase) for phrase in labels)


def city_and_uf(text: str, *, loose: bool = False) -> tuple[str, str] | None:
    """("ITAJAÍ", "SC") from "ITAJAÍ/SC" or "TERESINA - PI"; None when no UF closes it.
    ``loose``: also "PALMASITO", the slash misread (a guess: the caller must not assert it)."""
    found = (_CITY_I_UF if loose else _CITY_UF).match(text.strip(" ,;:"))
    if found is None or fold(found.group("uf")) not in UFS:
        return None
    # "JARDIM AMÉRICA - NATAL/RN": the district before the city, set off by a spaced dash
    city = found.group("city").strip(" ,;:-").rsplit(" - ", 1)[-1].strip()
    if loose and restore(fold(city) + "I") is not None:
        # "CAMAÇARIBA": the slash dropped after a city ending in I, not read as an I
        city += "I"
    return (city, found.group("uf")) if len(city) >= 3 else None


def _cep_cluster(
    rows: list[Row], starts: tuple[Column, ...]
) -> tuple[int, tuple[Word, ...], re.Match[str]] | None:
    for index, row in enumerate(rows):
        for group in clusters(row, starts):
            found = _CEP.search(fold(_text(group)))
            if found is not None:
                return index, group, found
    return None


def _street(
    rows: list[Row], below: int, *, anchor: tuple[Word, ...], starts: tuple[Column, ...]
) -> Found | None:
    """The nearest line above the CEP that reads as "street, number"; else one that starts
    with a street type and has a number ("VILA NOVA" is a district, not a street)."""
    above = [
        line
        for row in reversed(rows[max(0, below - 4) : below])
        for group in clusters(row, starts)
        if (line := _from_column(group, anchor, labels=_LABELS["endereco"]))
    ]
    for group in above:
        if re.search(r"[A-Za-zÀ-ÿ],\s*(?:\d+|S/N)\b", _text(group)):
            return _text(group), group
    for group in above:
        text = _text(group)
        if _STREET.match(fold(text)) and re.search(r"\d", text):
            return text, group
    return None


def _place_above(
    rows: list[Row], index: int, *, anchor: tuple[Word, ...], starts: tuple[Column, ...]
) -> tuple[tuple[str, str], tuple[Word, ...]] | None:
    """The city and UF on the line just above the CEP in its column ("JARDIM AMÉRICA -
    NATAL/RN" over "CEP: 09893-144", as many bills print the block); never a street line
    (it has a number)."""
    line = next(
        (
            group
            for row in rows[max(0, index - 1) : index]
            for group in clusters(row, starts)
            if _same_column(group, anchor)
        ),
        None,
    )
    if line is None or re.search(r"\d", _text(line)):
        return None
    place = city_and_uf(_text(line))
    return (place, line) if place is not None else None


def address_block(rows: list[Row], starts: tuple[Column, ...] = ()) -> dict[str, Found]:
    """``cep``, ``municipio``, ``uf`` and ``endereco`` as found around the CEP (``starts``:
    the page's column starts, see ``page.column_starts``); the holder above the street and
    the issue date among the bill's dates (``bill_dates``) when their labels were misread."""
    found: dict[str, Found] = {}
    issued = issue_date(rows)
    if issued is not None:
        found["data_emissao"] = issued
    anchor = _cep_cluster(rows, starts)
    if anchor is None:
        return found
    index, group, match = anchor
    text = _text(group)
    found["cep"] = (match.group(0), group)
    after = fold(text)[match.end() :]
    rest = text[match.end() :].strip()
    place = city_and_uf(rest) if after.strip(" ,;:-") else None
    source = group
    if place is None:
        # the next line in the CEP's column (a row of the dates' column may come between)
        below = next(
            (
                line
                for row in rows[index + 1 : index + 3]
                for line in clusters(row, starts)
                if _same_column(line, group)
            ),
            None,
        )
        if below is not None:
            place, source = city_and_uf(_text(below)), below
    if place is None:
        place, source = _place_above(rows, index, anchor=group, starts=starts) or (None, group)
    if place is not None:
        found["municipio"] = (place[0], source)
        found["uf"] = (place[1], source)
    elif city_and_uf(rest, loose=True) is not None:
        # the parsers read the guess again and mark it repaired (never asserted)
        found["municipio"] = found["uf"] = (text, group)
    street = _street(rows, index, anchor=group, starts=starts)
    if street is not None:
        found["endereco"] = street
        holder = _holder(rows, street[1], starts=starts)
        if holder is not None:
            found["titular"] = holder
    return found


_LABELS = LABELS["comprovante_endereco"]
# a label misread ("cuente" for CLIENTE, 77; "expereço" for ENDERECO, 75): printed smaller than
# the value beside it, it is told from a name's words by its size as well
_LOOSE_LABEL = 65.0
# words of a label, never of a holder's name: a line holding one is no name
_LABEL_WORDS = {"TITULAR", "CLIENTE", "CONSUMIDOR", "NOME", "ENDERECO", "UNIDADE", "LOCAL"}
# a label word misread ("CONSUMPOR" for CONSUMIDOR, 84) scores >= 82 against it; a name that
# resembles one ("CLEMENTE" against CLIENTE, 80) does not
_LABEL_WORD_RATIO = 82.0
# an address label misread ("EMA DENSO) DE MASTALAÇÃO" for ENDEREÇO DE INSTALAÇÃO, 70);
# names score under 45 against these phrases
_ADDRESS_LABEL_RATIO = 62.0


def _address_label(text: str) -> bool:
    """Whether a line reads like one of the address's labels, even misread."""
    folded = fold(text).strip(" :.-")
    return folded.startswith(("ENDERECO", "LOCAL", "UNIDADE")) or any(
        fuzz.ratio(folded, phrase) >= _ADDRESS_LABEL_RATIO
        for phrase in LABELS["comprovante_endereco"]["endereco"]
        if len(phrase) >= 12
    )


def _without_label(group: tuple[Word, ...]) -> tuple[str, tuple[Word, ...]]:
    """The name after a holder's label on its line, and its words: after a colon, or after
    a first word that is a long label word misread ("CONSUMPOR RAFAEL ..." -> "RAFAEL ...")."""
    colon = max((i for i, w in enumerate(group) if ":" in w.text), default=-1)
    if colon >= 0:
        tail = group[colon].text.split(":")[-1].strip(" ,;.-")
        rest = group[colon + 1 :]
        text = " ".join([tail, *(w.text for w in rest)]) if tail else _text(rest)
        return text.strip(" ,;.-"), (group[colon:] if tail else rest) or group
    first = fold(group[0].text).strip(" ,;.-")
    if len(group) > 1 and any(
        _LABEL_WORD_RATIO <= fuzz.ratio(first, label) < 100  # a label read right: no name
        for label in ("TITULAR", "CLIENTE", "CONSUMIDOR", "DESTINATARIO")
    ):
        group = group[1:]
    return _text(group).strip(" ,;.-"), group


def _holder(
    rows: list[Row], street: tuple[Word, ...], *, starts: tuple[Column, ...]
) -> Found | None:
    """The holder: the bill prints the name right above the address (a line of words and no
    digits, same column), perhaps after its label on the same line ("TITULAR: ANA ..."), with
    an address label between them at most. Used only where the holder's label was not read."""
    at = next((i for i, row in enumerate(rows) if street[0] in row.words), None)
    if at is None:
        return None
    above = [
        line
        for row in reversed(rows[max(0, at - 3) : at])
        for group in clusters(row, starts)
        if (line := _from_column(group, street, labels=_LABELS["titular"]))
    ]
    for group in above[:2]:
        if _address_label(_text(group)):
            continue  # the address's own label: the name is above it
        text, words = _without_label(group)
        folded = fold(text).split()
        if len(folded) < 2 or re.search(r"\d", text) or _LABEL_WORDS & set(folded):
            return None
        return text, words
    return None
