"""A page's fields: each label's candidates read by the geometry of ``fields.py``, the page's
reading direction chosen, then the fields no label gave found by their shape (a UF beside the
city, a CEP anywhere, an identifier's check digits scanned for) and by the document's fixed
order (``company_card.py``, ``identity.py``), never asserted.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from bot.documents import identifiers as ids
from bot.documents.bill import address_block
from bot.documents.company_card import CEP_SHAPE, uf_token
from bot.documents.company_card import fallbacks as card_fallbacks
from bot.documents.fields import (
    CHECKED_FIELDS,
    FIELD_NAMES,
    FieldRead,
    is_label_text,
    label_candidates,
)
from bot.documents.folding import tokens
from bot.documents.identity import fallbacks as identity_fallbacks
from bot.documents.label_words import LABELS
from bot.documents.labels import LabelHit, best_hits, find_labels
from bot.documents.page import Column, Page, Row, Word, column_starts
from bot.documents.parsers import EDGE_JUNK, Parser, parsers

__all__ = ["extract_fields"]


def _scan(page: Page, name: str, *, parser: Parser, taken: set[str]) -> FieldRead | None:
    """Look for a check-digit identifier anywhere on the page (label not found)."""
    for row in page.rows():
        for start in range(len(row.words)):
            words = row.words[start : start + 4]
            raw = " ".join(w.text for w in words)
            parsed = parser(raw)
            if parsed and parsed.checked and parsed.repairs == 0 and parsed.value not in taken:
                used = tuple(w for w in words if re.search(r"\d", w.text))
                return FieldRead(name, parsed, raw, used or words, "scan")
    return None


_NEAREST = {"same": 0, "right": 1, "below": 2}


def _label_remnant(raw: str, own: frozenset[str]) -> bool:
    """Words of the label itself, left over where the row grouping split its line (a photo's
    slant puts "DE" of "(NOME DE FANTASIA)" a few pixels above the rest): no field's value is
    made only of its own label's words."""
    words = tokens(raw)
    return bool(words) and set(words) <= own


def _read_label(
    name: str,
    hit: LabelHit,
    *,
    rows: list[Row],
    hits: list[LabelHit],
    page: Page,
    parser: Parser,
    unread: dict[str, FieldRead] | None,
    starts: tuple[Column, ...] = (),
    labels: tuple[str, ...] = (),
    own: frozenset[str] = frozenset(),
) -> list[FieldRead]:
    """The values one label may have, best first: the candidate that parses (and passes its
    check digits) before the nearest one. ``own``: the words of the field's label wordings."""
    options: list[FieldRead] = []
    for via, raw, words, column in label_candidates(hit, rows, hits=hits, page=page, starts=starts):
        if is_label_text(raw, labels) or _label_remnant(raw, own):
            continue  # a label misread so that no label was found in it is still no value
        parsed = parser(raw)
        if parsed is not None:
            options.append(FieldRead(name, parsed, raw, words, via, column))
        elif unread is not None and name not in unread:
            unread[name] = FieldRead(name, ids.Parsed(raw, False), raw, words, via, column)
    options.sort(
        key=lambda f: (not f.parsed.valid, not f.parsed.checked, f.parsed.repairs, _NEAREST[f.via])
    )
    return options


_NAMES = frozenset({"razao_social", "nome_fantasia", "municipio"})


_HOLDERS = frozenset({"titular"})


def _run_left(hit: LabelHit, rows: list[Row]) -> float:
    """The left edge of the run of touching words the label's first word is in."""
    words = sorted(rows[hit.row].words, key=lambda w: w.left)
    first = hit.words[0]
    left = first.left
    for word in reversed([w for w in words if w.right <= first.left + 1]):
        if left - word.right > 1.5 * hit.height:  # a space, not a gap between columns
            break
        left = word.left
    return left


def _widen_left(
    read: FieldRead, words: tuple[Word, ...], *, left: float, parser: Parser
) -> FieldRead:
    """A value under its label starts at the label's left edge: a word level with the value,
    between that edge and the value's first word, is the value's (a photo's blur stretched
    its box over the box's rule, "[MARTINS", and the row grouping set it on a row apart)."""
    first = min(read.words, key=lambda w: w.left)
    middle, letter = (first.top + first.bottom) / 2, first.height
    before = sorted(
        (
            w
            for w in words
            if w not in read.words
            and left - letter <= w.left
            and w.right <= first.left + 2
            and abs((w.top + w.bottom) / 2 - middle) <= 0.6 * letter
            and w.conf >= 60
            and w.text.strip(EDGE_JUNK + " |").isalpha()
        ),
        key=lambda w: w.left,
    )
    if not before:
        return read
    raw = " ".join([*(w.text.strip(EDGE_JUNK + " |") for w in before), read.raw])
    parsed = parser(raw)
    if parsed is None or not parsed.valid:
        return read
    return replace(read, parsed=parsed, raw=raw, words=(*before, *read.words))


def _page_direction(options: dict[str, list[FieldRead]]) -> str:
    """Where this page prints values ("right" or "below"): the direction of the labels
    whose value could only be in one place. A form keeps one convention (the Receita's card
    puts every value under its label), so a label with a valid value both ways follows it."""
    votes = {"right": 0, "below": 0}
    for reads in options.values():
        valid = {r.via for r in reads if r.parsed.valid and r.via in votes}
        if len(valid) == 1:
            votes[valid.pop()] += 1
    if votes["below"] >= 2 * max(votes["right"], 1):
        return "below"
    if votes["right"] >= 2 * max(votes["below"], 1):
        return "right"
    return ""


def _choose_read(reads: list[FieldRead], direction: str) -> FieldRead | None:
    if not reads:
        return None
    best = reads[0]
    rival = next((r for r in reads[1:] if r.via == direction), None)
    if (
        direction
        and best.via in ("right", "below")
        and best.via != direction
        and rival is not None
        and rival.parsed.valid
        and (rival.parsed.checked, -rival.parsed.repairs)
        >= (best.parsed.checked, -best.parsed.repairs)
    ):
        return rival
    return best


def _fill_from_block(
    rows: list[Row],
    found: dict[str, FieldRead],
    *,
    missing: dict[str, str],
    table: dict[str, Parser],
    starts: tuple[Column, ...],
) -> None:
    """A bill's unlabelled address lines fill the address fields its labels did not give."""
    for name, (raw, words) in address_block(rows, starts).items():
        if name in found and found[name].parsed.valid:
            continue
        parsed = table[name](raw)
        if parsed is not None and parsed.valid:
            found[name] = FieldRead(name, parsed, raw, words, "block")
            missing.pop(name, None)


def _uf_beside_city(city: FieldRead, rows: list[Row]) -> FieldRead | None:
    """A UF printed on the city's line, after it, when its own tiny label was not read
    ("UF" has two letters: OCR garbles it more often than the state under it)."""
    if not city.words:
        return None
    first = city.words[0]
    for row in rows:
        if first not in row.words:
            continue
        after = [w for w in row.words if w.left > first.right]
        for word in after[:3]:
            token = uf_token(word.text)
            if token and word.conf >= 30:
                return FieldRead("uf", ids.Parsed(token, True, 1), token, (word,), "scan")
    return None


def _cep_by_shape(rows: list[Row]) -> FieldRead | None:
    """A CEP printed the Receita's way ("61.801-886", or "61801-886") when its tiny label was
    not read: no other number on a form has that shape. Only one such number: never a guess
    between two; and never asserted on this alone."""
    shaped = [
        w for row in rows for w in row.words if CEP_SHAPE.fullmatch(w.text.strip(EDGE_JUNK + " "))
    ]
    if len(shaped) != 1:
        return None
    raw = shaped[0].text
    parsed = ids.parse_cep(raw)
    if parsed is None or not parsed.valid:
        return None
    return FieldRead("cep", ids.Parsed(parsed.value, True, 1), raw, (shaped[0],), "scan")


def extract_fields(
    page: Page, kind: str, *, today: date, unread: dict[str, FieldRead] | None = None
) -> tuple[dict[str, FieldRead], dict[str, str]]:
    """Fields of ``kind`` read from ``page``, and for the others why they were not read.

    ``unread``, when given, receives the words found at a label whose text did not parse
    (the reader may re-read that spot more carefully).
    """
    rows = page.rows()
    hits = find_labels(rows, LABELS[kind])
    labelled = best_hits(hits)
    table = parsers(today)
    starts = column_starts(rows)
    phrases = tuple(p for group in LABELS[kind].values() for p in group if len(p) >= 8)
    found: dict[str, FieldRead] = {}
    missing: dict[str, str] = {}
    options: dict[str, list[FieldRead]] = {}
    for name in FIELD_NAMES[kind]:
        hit = labelled.get(name)
        if hit is None:
            missing[name] = "label not found"
            continue
        options[name] = _read_label(
            name,
            hit,
            rows=rows,
            hits=hits,
            page=page,
            parser=table[name],
            unread=unread,
            starts=starts,
            labels=phrases,
            own=frozenset(t for phrase in LABELS[kind][name] for t in tokens(phrase)),
        )
    direction = _page_direction(options)
    for name, reads in options.items():
        read = _choose_read(reads, direction)
        if read is not None and kind == "cnpj_card" and read.via == "below" and name in _NAMES:
            read = _widen_left(read, page.words, left=labelled[name].left, parser=table[name])
        elif read is not None and read.via == "below" and name in _HOLDERS:
            # a label read on its last word ("HUME DO CLIENTE": CLIENTE) starts where its run
            # of words starts, and so does the name under it
            left = _run_left(labelled[name], rows)
            if left < labelled[name].left:
                read = _widen_left(read, page.words, left=left, parser=table[name])
        if read is not None:
            found[name] = read
        else:
            missing[name] = "no value next to its label"
    if kind == "comprovante_endereco":
        _fill_from_block(rows, found, missing=missing, table=table, starts=starts)
    _by_shape(page, rows, kind=kind, found=found, missing=missing, table=table)
    _by_order(rows, kind=kind, found=found, missing=missing, today=today)
    return found, missing


def _by_shape(
    page: Page,
    rows: list[Row],
    *,
    kind: str,
    found: dict[str, FieldRead],
    missing: dict[str, str],
    table: dict[str, Parser],
) -> None:
    """Fields no label gave, found by their shape: the UF beside the city, a CEP anywhere, a
    checked identifier (check digits) scanned for over the page."""
    if (
        "uf" in FIELD_NAMES[kind]
        and "municipio" in found
        and ("uf" not in found or not found["uf"].parsed.valid)
    ):
        beside = _uf_beside_city(found["municipio"], rows)
        if beside is not None:
            found["uf"] = beside
            missing.pop("uf", None)
    if "cep" in FIELD_NAMES[kind] and "cep" not in found:
        shaped = _cep_by_shape(rows)
        if shaped is not None:
            found["cep"] = shaped
            missing.pop("cep", None)
    for name in FIELD_NAMES[kind]:
        if name in CHECKED_FIELDS and not (name in found and found[name].parsed.checked):
            taken = {f.parsed.value for f in found.values()}
            scanned = _scan(page, name, parser=table[name], taken=taken)
            if scanned is not None and (name not in found or not found[name].parsed.valid):
                found[name] = scanned
                missing.pop(name, None)


def _by_order(
    rows: list[Row], *, kind: str, found: dict[str, FieldRead], missing: dict[str, str], today: date
) -> None:
    """Fields whose labels were lost, placed by the document's order and shape (the card's
    and the identity documents'); ``found`` and ``missing`` are updated in place."""
    table = parsers(today)
    have = {name: read.parsed for name, read in found.items()}
    placed = {
        **card_fallbacks(
            rows,
            kind=kind,
            have=have,
            parse_place=table["municipio"],
            parse_date=table["data_abertura"],
        ),
        **identity_fallbacks(rows, kind=kind, have=have, today=today, parse_name=table["nome"]),
    }
    for name, (parsed, raw, words) in placed.items():
        found[name] = FieldRead(name, parsed, raw, words, "order")
        missing.pop(name, None)
