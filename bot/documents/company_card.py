"""The Receita's cartão CNPJ when a tiny label was lost: values placed by the card's order.

The card prints CEP, BAIRRO/DISTRITO, MUNICÍPIO and UF as one row of boxes, always in that
order, and one date in its header (DATA DE ABERTURA) above the address. Its labels are the
smallest print on the card; on a blurred, shadowed photo a light label ("UF", "MUNICÍPIO")
may binarize into specks while the larger values under it stay readable. The CEP's shape
(``61.801-886``) is found anyway, so its row of values is known: its last box holds the UF
(one of the 27) and the box before it the city; the first date above it is the opening's.
A value placed by order is never asserted on that alone (``repairs=1``): the client
confirms it.
"""

from __future__ import annotations

import re
import statistics

from bot.documents import identifiers as ids
from bot.documents.bill import clusters
from bot.documents.page import Row, Word
from bot.documents.parsers import EDGE_JUNK, Parser

__all__ = ["CEP_SHAPE", "fallbacks", "uf_token"]

CEP_SHAPE = re.compile(r"\d{2}\.?\d{3}-\d{3}")  # the Receita's "61.801-886", or "61801-886"
_DATE_SHAPE = re.compile(r"\d{2}/\d{2}/\d{4}")
Placed = tuple[ids.Parsed, str, tuple[Word, ...]]
# glyphs a box's rule is read as when Tesseract joins it to the first letter ("jRO", "lSP")
_RULE_GLYPHS = "jlI1!|["


def uf_token(text: str) -> str:
    """A state's two letters in ``text``, with the box's rule read into it taken off; "" if
    none ("Es": a small capital S read as a lower-case one). Its confidence matters little:
    the rule's glyph drags it down, and a UF placed without its label is never asserted."""
    token = text.strip(EDGE_JUNK + " ")
    if len(token) == 3 and token[0] in _RULE_GLYPHS:
        token = token[1:]
    return token.upper() if token.upper() in ids.UFS else ""


def fallbacks(
    rows: list[Row],
    *,
    kind: str,
    have: dict[str, ids.Parsed],
    parse_place: Parser,
    parse_date: Parser,
) -> dict[str, Placed]:
    """Municipio and UF from the CEP's row of values, the opening date as the first date
    above it, where their labels gave nothing."""
    wanted = [n for n in ("municipio", "uf", "data_abertura") if n not in have or not have[n].valid]
    if kind != "cnpj_card" or not wanted:
        return {}
    shaped = [
        (row, w)
        for row in rows
        for w in row.words
        if CEP_SHAPE.fullmatch(w.text.strip(EDGE_JUNK + " "))
    ]
    if len(shaped) != 1:
        return {}
    cep = shaped[0][1]
    found: dict[str, Placed] = {}
    if "data_abertura" in wanted:
        opened = _first_date(rows, above=cep, parse_date=parse_date)
        if opened is not None:
            found["data_abertura"] = opened
    band = _band(rows, cep)
    return {**found, **_city_and_uf(band, cep, wanted=wanted, parse_place=parse_place)}


def _band(rows: list[Row], cep: Word) -> Row:
    """The words level with the CEP, from whatever rows they fell in: a glare or a fold
    shifts one box's value by a fraction of a line and the row grouping then splits the
    CEP's row (the city and UF on a row of their own); rules read as "|" left out, and the
    flat specks a rule's remnant is read as ("EM", "=."): the values print in one font, as
    tall as the CEP's digits."""
    middle, reach = (cep.top + cep.bottom) / 2, 0.6 * cep.height
    level = [
        w
        for row in rows
        for w in row.words
        if abs((w.top + w.bottom) / 2 - middle) <= reach and w.text.strip(EDGE_JUNK + " |")
    ]
    tall = statistics.median(w.height for w in level)  # the CEP's own box may hold a rule
    level = [w for w in level if w.height >= 0.5 * tall]
    return Row(tuple(sorted(level, key=lambda w: w.left)))


def _first_date(rows: list[Row], *, above: Word, parse_date: Parser) -> Placed | None:
    """The card's header holds one date, the opening's: the first date read above the
    address rows (the situation's dates and the issue stamp come after them)."""
    for row in rows:
        if row.top >= above.top:
            return None
        for word in row.words:
            token = word.text.strip(EDGE_JUNK + " ")
            if not _DATE_SHAPE.fullmatch(token) or word.conf < 50:
                continue
            parsed = parse_date(token)
            if parsed is not None and parsed.valid:
                return ids.Parsed(parsed.value, True, max(parsed.repairs, 1)), token, (word,)
    return None


def _city_and_uf(
    row: Row, cep: Word, *, wanted: list[str], parse_place: Parser
) -> dict[str, Placed]:
    # the CEP's box holds the CEP alone: a district read close after it (a blurred photo's
    # narrow gap) is the next box's value, not part of the CEP's group
    after = tuple(w for w in row.words if w.left > cep.right)
    groups = clusters(Row(after)) if after else []
    if len(groups) < 2:
        return {}
    last = groups[-1]
    token = uf_token(" ".join(w.text for w in last))
    if not token or min(w.conf for w in last) < 30:
        return {}
    found: dict[str, Placed] = {}
    if "uf" in wanted:
        found["uf"] = (ids.Parsed(token, True, 1), token, last)
    city = groups[-2]
    raw = " ".join(w.text for w in city)
    parsed = parse_place(raw)
    # the city's box is the one before the UF's when the district's is there too
    if "municipio" in wanted and len(groups) >= 3 and parsed is not None and parsed.valid:
        found["municipio"] = (ids.Parsed(parsed.value, True, max(parsed.repairs, 1)), raw, city)
    return found
