"""The contrato social (or its last amendment): company, CNPJ and partners, read from prose.

A contract has no form to anchor on: the company is named in a sentence ("sob o nome
empresarial X LTDA", "ALTERAÇÃO CONTRATUAL DA X LTDA"), each partner is introduced by name
and qualification ("JOÃO DA SILVA, brasileiro, casado, ... inscrito no CPF sob o nº ...").
So the text of every page is joined and read as sentences: each CPF that passes its check
digits is a partner, named by the nearest name before it that a qualification follows.
Partners are numbered in order of first appearance; a CPF named again (the administration
clause, the signatures) is the same partner. A partner said to leave the company ("retira-se
da sociedade") is not one any more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.documents import identifiers as ids
from bot.documents.folding import clean_spaces, fold

SUFFIX = r"(?:LTDA\.?|LIMITADA|EIRELI|S\.\s?A\.?|S/A|SLU|ME|EPP)"
_UP = r"A-ZÀ-ÖØ-Þ"
_NAME_WORD = rf"(?:[{_UP}][{_UP}a-zà-öø-ÿ'’.-]*|d[aeo]s?|e)"
# A capitalised name of two words or more followed by a comma and a qualification.
_PERSON = re.compile(
    rf"([{_UP}][{_UP}a-zà-öø-ÿ'’-]+(?:\s+{_NAME_WORD}){{1,8}})\s*,\s*"
    r"(?:brasileir|portugu[eê]s|estrangeir|naturalizad|solteir|casad|divorciad|vi[uú]v|"
    r"separad|empres[aá]ri|maior|nacionalidade|nascid|residente|portador|inscrit)",
    re.IGNORECASE,
)
_CPF = re.compile(r"(?<![\d./])\d{3}\.?\s?\d{3}\.?\s?\d{3}\s?-?\s?\d{2}(?![\d/])")
_CNPJ = re.compile(r"(?<![\d])[0-9A-Z]{2}\.?[0-9A-Z]{3}\.?[0-9A-Z]{3}\s?/\s?[0-9A-Z]{4}-?\d{2}")
_COMPANY_CUES = (
    rf"(?:nome\s+empresarial|denomina[cç][aã]o(?:\s+social)?|raz[aã]o\s+social)"
    rf"(?:\s+(?:de|da|:))?\s*:?\s*[\"“]?([{_UP}0-9][^\n\"”]{{1,120}}?\b{SUFFIX})",
    rf"(?:CONTRATO\s+SOCIAL|ALTERA[CÇ][AÃ]O\s+(?:DO\s+CONTRATO\s+SOCIAL|CONTRATUAL))"
    rf"[^\n]{{0,40}}?\s(?:DA|DE|DO)\s+(?:SOCIEDADE\s+(?:EMPRES[AÁ]RIA\s+)?LIMITADA\s+)?"
    rf"([{_UP}0-9][^\n,]{{1,120}}?\b{SUFFIX})",
    rf"(?:^|\n)\s*([{_UP}0-9][^\n,]{{1,120}}?\b{SUFFIX})\s*,\s*(?:sociedade|pessoa\s+jur|"
    r"inscrit|com\s+sede)",
)
_LEAVES = re.compile(r"retira(?:-se|ndo-se)\s+da\s+sociedade|deixa\s+(?:de\s+fazer\s+parte|a\s+"
                     r"sociedade)|cede\s+e\s+transfere\s+a\s+totalidade", re.IGNORECASE)
CLAUSE_BACK = 600  # how far before a CPF its holder's name may be (characters)


@dataclass(frozen=True, slots=True)
class ProseValue:
    """A value read from the contract's prose and how firmly it was anchored."""

    value: str
    firm: bool  # anchored by a cue phrase (a qualification, "nome empresarial", check digits)


@dataclass(frozen=True, slots=True)
class Partner:
    cpf: str
    name: ProseValue | None
    leaves: bool


def joined(text: str) -> str:
    """One text for the whole contract: hyphenated line breaks mended, spaces collapsed."""
    text = re.sub(r"-\n(?=[a-zà-ÿ])", "", text)
    return "\n".join(clean_spaces(line) for line in text.splitlines())


def company_name(text: str) -> ProseValue | None:
    """The company's name: after "nome empresarial"/"denominação", else the title's."""
    for firm, pattern in zip((True, True, False), _COMPANY_CUES, strict=True):
        found = re.search(pattern, text, flags=re.IGNORECASE | re.MULTILINE)
        if found:
            value = clean_spaces(found.group(1)).strip(" ,;:\"“”")
            value = re.sub(r"^(?:a\s+|o\s+)", "", value, flags=re.IGNORECASE)
            if sum(c.isalpha() for c in value) >= 4:
                return ProseValue(value.upper(), firm)
    return None


def company_cnpj(text: str) -> str | None:
    """The first CNPJ that passes its check digits (the company's; partners have CPFs)."""
    for found in _CNPJ.finditer(fold(text)):
        parsed = ids.parse_cnpj(found.group(0))
        if parsed is not None and parsed.checked and parsed.repairs <= 1:
            return parsed.value
    return None


def _holder(text: str, at: int) -> ProseValue | None:
    """The person a CPF at ``at`` belongs to: the last qualified name before it."""
    window = text[max(0, at - CLAUSE_BACK):at]
    names = list(_PERSON.finditer(window))
    if not names:
        return None
    raw = clean_spaces(names[-1].group(1))
    # a cue word ("sócio", "Sr.") before the name is not part of it
    raw = re.sub(r"^(?:(?:o|a|os|as|s[oó]ci[oa]s?|sr\.?|sra\.?|e)\s+)+", "", raw,
                 flags=re.IGNORECASE)
    words = raw.split()
    if len(words) < 2 or not all(w[0].isupper() or fold(w) in ("DA", "DE", "DO", "DAS", "DOS",
                                                                "E") for w in words):
        return None
    return ProseValue(raw.upper(), True)


def partners(text: str) -> list[Partner]:
    """Every distinct valid CPF with its holder's name, in order of first appearance."""
    found: dict[str, Partner] = {}
    for match in _CPF.finditer(text):
        parsed = ids.parse_cpf(match.group(0))
        if parsed is None or not parsed.checked or parsed.repairs >= 2:
            continue
        after = text[match.end():match.end() + 400].split(";")[0]
        leaves = _LEAVES.search(after) is not None
        if parsed.value in found:
            if leaves:
                found[parsed.value] = Partner(parsed.value, found[parsed.value].name, True)
            continue
        found[parsed.value] = Partner(parsed.value, _holder(text, match.start()), leaves)
    return list(found.values())
