"""The company a contrato social is about: its name and its CNPJ, read from the prose.

A contract has no form to anchor on: the company is named in a sentence ("sob o nome
empresarial X LTDA", "ALTERAÇÃO CONTRATUAL DA X LTDA", "sociedade empresária limitada X
LTDA"). Each cue phrase gives the name as uppercase words ending with the company type; the
surest cue (the name clause) comes first, so the clauses can be compared (``contract_names``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.documents import identifiers as ids
from bot.documents.fields import FieldRead
from bot.documents.folding import clean_spaces, fold

SUFFIX = r"(?:LTDA\.?|LIMITADA|EIRELI|S\.\s?A\.|S/A|SLU|ME|EPP)"
UPPER = r"A-ZÀ-ÖØ-Þ"
# A company name as contracts print it: uppercase words ending with the company type.
# A speck of noise may be read as "!" after a word ("CAVALCANTI! PAPELARIA", "nome
# empresarial! TEIXEIRA"): taken out of the name, which then needs a clean reading to agree.
_COMPANY = (
    rf"((?:[{UPPER}0-9&][{UPPER}0-9&.'’/-]*!?\s+){{0,14}}?{SUFFIX}"
    rf"(?:\s+-\s+(?:ME|EPP))?)(?![{UPPER}a-zà-ÿ0-9])"
)
# Where the company is named, surest first: the name clause, the title, the parties' clause.
_COMPANY_CUES = (
    r"(?i:nome\s+empresarial|denomina[cç][aã]o(?:\s+social)?|raz[aã]o\s+social)!?"
    r"(?:\s+(?i:de|da)(?=\s)|\s*:)?\s*:?\s*[\"“]?" + _COMPANY,
    r"(?i:CONTRATO\s+SOCIAL|ALTERA[CÇ][AÃ]O\s+CONTRATUAL)(?:\s+[^\s]+){0,8}?\s+(?:DA|DE|DO)\s+"
    r"(?:SOCIEDADE\s+(?:EMPRES[AÁ]RIA\s+)?(?:LIMITADA\s+)?)?" + _COMPANY,
    r"(?i:sociedade\s+empres[aá]ria\s+limitada|sociedade\s+an[oô]nima)\s+" + _COMPANY,
    r"(?i:CONTRATO\s+SOCIAL)[^\n]{0,30}?\s-\s" + _COMPANY,
)
# a scan's spacing may fall beside a dot, and a dot be read as a comma ("52.236 .249/0022-29",
# "72.678,784/0001-12"); the check digits still decide
_CNPJ = re.compile(
    r"(?<![\d])[0-9A-Z]{2}\s?[.,]?\s?[0-9A-Z]{3}\s?[.,]?\s?[0-9A-Z]{3}\s?/\s?[0-9A-Z]{4}"
    r"\s?-?\s?\d{2}(?!\d)"
)


@dataclass(frozen=True, slots=True)
class ProseValue:
    """A value read from the contract's prose and how firmly it was anchored."""

    value: str
    firm: bool  # anchored by a cue phrase (a qualification, "nome empresarial", check digits)
    marked: bool = False  # a noise mark ("!") was taken out of it


def company_name(text: str) -> ProseValue | None:
    """The company's name: the name clause, else the title, else the parties' clause."""
    names = company_names(text)
    return names[0] if names else None


def company_names(text: str) -> list[ProseValue]:
    """The company's name as each cue gives it, surest cue first."""
    names = []
    for cue, pattern in enumerate(_COMPANY_CUES):
        found = re.search(pattern, text)
        if found:
            raw = clean_spaces(found.group(1))
            value = raw.replace("!", "")
            if sum(c.isalpha() for c in value) >= 4:
                names.append(ProseValue(value, cue < 3, marked=value != raw))
    return names


def company_cnpj(text: str) -> str | None:
    """The first CNPJ that passes its check digits (the company's; partners have CPFs): as
    read, or with one look-alike mapped. One read as printed whose letters have a look-alike
    twin that also validates is kept too: ``cnpj_read`` says whether it may be asserted."""
    for found in _CNPJ.finditer(fold(text)):
        parsed = ids.parse_cnpj(re.sub(r"\s", "", found.group(0)).replace(",", "."))
        if parsed is None or not parsed.checked:
            continue
        if parsed.repairs <= 1 or re.sub(r"[^0-9A-Z]", "", found.group(0)) == parsed.value:
            return parsed.value
    return None


def cnpj_read(cnpj: str, *, scanned: bool) -> FieldRead:
    """The company's CNPJ, asserted by its check digits, except a scanned one with letters:
    digits misread as look-alike letters (5/S, 6/G, 8/B) can pass the alphanumeric CNPJ's
    check digits (1 in 121 per misread), and a contract gives no second read to compare."""
    doubt = scanned and any(c.isalpha() for c in cnpj)
    return FieldRead(
        "cnpj", ids.Parsed(cnpj, True, 1 if doubt else 0, checked=not doubt), cnpj, (), "prose"
    )
