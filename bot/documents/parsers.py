"""The grammar of each field's value: names, places, addresses, and the parser per field.

A parser takes the raw text found where a value should be and returns ``Parsed`` (the value
normalised, whether it is valid, how much it had to be repaired) or None. Identifiers with
check digits and dates live in ``identifiers.py``; these are the fields without them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from bot.documents import identifiers as ids
from bot.documents.bill import city_and_uf
from bot.documents.folding import clean_spaces, fold

Parser = Callable[[str], ids.Parsed | None]
EDGE_JUNK = "|[]{}()_—–-=~:;'\"`´,.‘’“”»«"


def _strip_edges(text: str) -> str:
    return clean_spaces(text).strip(EDGE_JUNK + " ")


def parse_person_name(raw: str) -> ids.Parsed | None:
    """A person's name: letters only, at least two words; look-alike digits become letters."""
    words: list[str] = []
    for token in _strip_edges(raw).split():
        if token.endswith(":"):
            words = []  # what precedes a colon is a label ("NOME COMPLETO:"), not the name
            continue
        token = token.strip(EDGE_JUNK)
        fixed = token.translate(str.maketrans("0158", "OISB"))
        if not fixed:
            continue
        if not re.fullmatch(r"[A-Za-zÀ-ÖØ-öø-ÿ'’]+", fixed):
            if words:
                break  # trailing junk (a box border, a stamp): stop here
            continue
        words.append(fixed.upper())
    if not words:
        return None
    value = " ".join(words)
    repairs = 0 if value == fold(value) or value in raw.upper() else 1
    return ids.Parsed(value, len(words) >= 2 and len(value) >= 5, repairs)


def parse_company_name(raw: str) -> ids.Parsed | None:
    """A company or trade name as printed; ``********`` (Receita's blank) gives an empty value."""
    text = clean_spaces(raw).strip(EDGE_JUNK.replace(".", "") + " ")
    if re.fullmatch(r"[*xX#\s]{3,}", text) or re.fullmatch(r"\*+.*", text):
        return ids.Parsed("", True)
    text = re.sub(r"^[^\wÀ-ÿ&]+|[^\wÀ-ÿ.)&]+$", "", text)
    if len(text) < 2:
        return None
    ok = re.fullmatch(r"[\wÀ-ÿ&.,/()'’ -]+", text) is not None
    return ids.Parsed(text.upper(), ok and sum(c.isalpha() for c in text) >= 2)


def parse_place(raw: str) -> ids.Parsed | None:
    """A municipality: letters, spaces, apostrophes and hyphens ("ITAJAÍ/SC" and a CEP
    before it, as bills print it, give "ITAJAÍ")."""
    after_cep = re.sub(r"^.*?\b\d{2}\.?\d{3}\s?-\s?\d{3}\b", "", raw)
    text = _strip_edges(after_cep)
    text = re.sub(r"^CEP\b:?", "", text, flags=re.IGNORECASE).strip()
    # "PALMASITO" may be PALMAS/TO only where a state must follow the city: after a CEP
    place = city_and_uf(text)
    loose = city_and_uf(text, loose=True) if after_cep != raw else None
    repairs = 0
    if place is not None:
        text = place[0]
    elif loose is not None:
        text, repairs = loose[0], 1
    elif re.search(r"\s[-–/]\s|,", text):
        text = re.split(r"\s[-–/]\s|,", text)[0]
    text = text.translate(str.maketrans("0158", "OISB")).strip(EDGE_JUNK + " ")
    words = text.split()
    if len(words) >= 2 and words[-1].upper() in ids.UFS:
        text = " ".join(words[:-1])  # the state's box ran into the city's: no city ends so
    if len(text) < 2:
        return None
    ok = re.fullmatch(r"[A-Za-zÀ-ÖØ-öø-ÿ'’ -]+", text) is not None
    return ids.Parsed(text.upper(), ok and len(text) >= 3, repairs)


def parse_uf(raw: str) -> ids.Parsed | None:
    """A state: the UF closing "CITY/UF" or "CITY - UF" first, else the first UF-like pair."""
    after_cep = re.sub(r"^.*?\b\d{2}\.?\d{3}\s?-\s?\d{3}\b", "", raw)
    text = _strip_edges(after_cep)
    place = city_and_uf(text)
    if place is not None:
        return ids.Parsed(place[1], True, 0)
    loose = city_and_uf(text, loose=True) if after_cep != raw else None
    if loose is not None:
        return ids.Parsed(loose[1], True, 1)
    if len(text) > 6:
        return None  # a city's letters are not a state ("PALMAS..." is not PA)
    return ids.parse_uf(raw)


def parse_holder(raw: str) -> ids.Parsed | None:
    """A bill's holder, a person or a company: as a company name, of two words at least."""
    parsed = parse_company_name(raw)
    if parsed is None or len(parsed.value.split()) >= 2:
        return parsed
    return ids.Parsed(parsed.value, False, parsed.repairs)


def parse_address(raw: str) -> ids.Parsed | None:
    """A street address as printed ("RUA DAS FLORES, 123 - CENTRO"): a word and a number."""
    # a box's rule ("2615 | | 28/01/2026") or a date ends the street line: what follows is
    # the next box's
    cut = re.split(r"\s[|\[\]]+(?=\s|$)|\s+\d{2}/\d{2}/\d{4}\b", clean_spaces(raw))[0]
    text = re.sub(r",(?=[^\s,])", ", ", _strip_edges(cut))  # "BENTO,2827": the space is printed
    if len(text) < 5:
        return None
    ok = re.search(r"[A-Za-zÀ-ÿ]{3}", text) is not None and re.search(r"\d|S/N", text) is not None
    # a street type glued to the name ("RSÃO BENTO"): no Portuguese word starts with R or AV
    # and a consonant; the split is a guess, shown to confirm
    split = re.sub(r"^(R|AV)(?=[B-DF-GJ-NP-TV-ZÇ][A-ZÀ-Þ])", r"\1 ", text.upper())
    # a block's letter glued to "BL" ("BLA AP 201" for "BL A AP 201"): a narrow space OCR
    # drops in both reads alike, so the split is shown to confirm, never asserted
    split = _complement_spacing(split)
    return ids.Parsed(split, ok, int(split != text.upper()))


# the words of a complement (apartment, house, room, block, shop...) after the number
_COMPLEMENT = r"(?:AP|APTO|CASA|SALA|SL|BL|BLOCO|LOJA|LJ|CJ|CONJ|LT|LOTE|QD|FUNDOS|FDS|ANDAR)"


def _complement_spacing(text: str) -> str:
    """Spaces OCR dropped around a complement, put back as bills print them: "1159-BL A"
    and "2399 -AP68" are "1159 - BL A" and "2399 - AP 68"; "VARGAS. 384" (a comma read as
    a full stop between the street's name and its number) is "VARGAS, 384". Guesses: the
    caller marks the value repaired."""
    number = re.search(r"\d", text)
    if number is not None:  # the complement follows the number: the street's name is left alone
        head, tail = text[: number.start()], text[number.start() :]
        tail = re.sub(r"\bBL([A-Z])(?=\b|AP\b|APTO\b|SALA\b|CASA\b)", r"BL \1 ", tail)
        tail = re.sub(rf"(\d)\s*-\s*(?={_COMPLEMENT}(?:\b|\d))", r"\1 - ", tail)
        tail = re.sub(rf"\b({_COMPLEMENT})(\d+)\b", r"\1 \2", tail)
        text = clean_spaces(head + tail)
    if "," not in text:
        name = re.match(r"^(.*?[A-ZÀ-Þ]{3,})\.\s*(\d+\b.*)$", text)
        if name is not None and not _STREET_TYPE_DOT.search(name.group(1)):
            text = f"{name.group(1)}, {name.group(2)}"
    return text


# a street type's abbreviation ends with a full stop ("TRAV. 12"): not a lost comma
_STREET_TYPE_DOT = re.compile(r"(?:^|\s)(?:TRAV|ROD|ESTR|QUADRA|PCA|PRACA)$")


def parsers(today: date) -> dict[str, Parser]:
    """The parser of each field name (dates are checked against ``today``)."""
    past = date(1900, 1, 1)

    def opened(raw: str) -> ids.Parsed | None:
        return ids.parse_date(raw, earliest=past, latest=today)

    def born(raw: str) -> ids.Parsed | None:
        return ids.parse_date(raw, earliest=past, latest=today)

    def expires(raw: str) -> ids.Parsed | None:
        return ids.parse_date(raw, earliest=date(1980, 1, 1), latest=date(today.year + 15, 12, 31))

    return {
        "cnpj": ids.parse_cnpj,
        "razao_social": parse_company_name,
        "nome_fantasia": parse_company_name,
        "data_abertura": opened,
        "cep": ids.parse_cep,
        "municipio": parse_place,
        "uf": parse_uf,
        "situacao_cadastral": ids.parse_situacao,
        "nome": parse_person_name,
        "cpf": ids.parse_cpf,
        "data_nascimento": born,
        "numero_registro": ids.parse_cnh_registro,
        "validade": expires,
        "rg": ids.parse_rg,
        "titular": parse_holder,
        "endereco": parse_address,
        "data_emissao": opened,
    }
