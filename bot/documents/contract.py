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

import numpy as np
from PIL import Image

from bot.documents import identifiers as ids
from bot.documents.contract_names import accent_doubt, named_again, with_accents
from bot.documents.fields import FieldRead
from bot.documents.folding import clean_spaces, fold
from bot.documents.imaging import Prepared
from bot.documents.orientation import MIN_DOCUMENT_WORDS
from bot.documents.page import Page
from bot.documents.tesseract import OcrEngine

SUFFIX = r"(?:LTDA\.?|LIMITADA|EIRELI|S\.\s?A\.|S/A|SLU|ME|EPP)"
_UP = r"A-ZÀ-ÖØ-Þ"
# A company name as contracts print it: uppercase words ending with the company type.
_COMPANY = (
    rf"((?:[{_UP}0-9&][{_UP}0-9&.'’/-]*\s+){{0,14}}?{SUFFIX}"
    rf"(?:\s+-\s+(?:ME|EPP))?)(?![{_UP}a-zà-ÿ0-9])"
)
_NAME_WORD = rf"(?:[{_UP}][{_UP}a-zà-öø-ÿ'’.-]*|d[aeo]s?|e)"
# A capitalised name of two words or more followed by a comma and a qualification; up to
# three short words before it may be misread ("irasmenv(a), divorciado(a)" on a noisy scan,
# "brasideiro(a). divorciado(a)": a comma read as a full stop).
_PERSON = re.compile(
    rf"([{_UP}][{_UP}a-zà-öø-ÿ'’-]+(?:\s+{_NAME_WORD}){{1,12}})\s*,\s*"
    r"(?:[^\s,;\d][^,.;\d]{0,19}[,.]\s*){0,3}"
    r"(?i:brasileir|portugu[eê]s|estrangeir|naturalizad|solteir|casad|divorciad|vi[uú]v|"
    r"separad|empres[aá]ri|maior|nacionalidade|nascid|residente|portador|inscrit)",
)
# A person qualified by nationality: a partner (the witnesses are not qualified).
_NATIONAL = re.compile(
    rf"[{_UP}][{_UP}a-zà-öø-ÿ'’-]+(?:\s+{_NAME_WORD}){{1,12}}\s*,\s*"
    r"(?i:brasileir|portugu[eê]s|estrangeir|naturalizad)"
)
_RG = re.compile(r"\bR\.?\s?G\b")
# a scan's spacing may fall on either side of a dot ("286.534 .990-08", "057.576. 800-24")
_CPF = re.compile(r"(?<![\d./])\d{3}\s?\.?\s?\d{3}\s?\.?\s?\d{3}\s?-?\s?\d{2}(?![\d/])")
_CNPJ = re.compile(r"(?<![\d])[0-9A-Z]{2}\.?[0-9A-Z]{3}\.?[0-9A-Z]{3}\s?/\s?[0-9A-Z]{4}-?\d{2}")
# Where the company is named, surest first: the name clause, the title, the parties' clause.
_COMPANY_CUES = (
    r"(?i:nome\s+empresarial|denomina[cç][aã]o(?:\s+social)?|raz[aã]o\s+social)"
    r"(?:\s+(?i:de|da)(?=\s)|\s*:)?\s*:?\s*[\"“]?" + _COMPANY,
    r"(?i:CONTRATO\s+SOCIAL|ALTERA[CÇ][AÃ]O\s+CONTRATUAL)(?:\s+[^\s]+){0,8}?\s+(?:DA|DE|DO)\s+"
    r"(?:SOCIEDADE\s+(?:EMPRES[AÁ]RIA\s+)?(?:LIMITADA\s+)?)?" + _COMPANY,
    r"(?i:sociedade\s+empres[aá]ria\s+limitada|sociedade\s+an[oô]nima)\s+" + _COMPANY,
    r"(?i:CONTRATO\s+SOCIAL)[^\n]{0,30}?\s-\s" + _COMPANY,
)
_LEAVES = re.compile(
    r"retira(?:-se|ndo-se)\s+da\s+sociedade|deixa\s+(?:de\s+fazer\s+parte|a\s+"
    r"sociedade)|cede\s+e\s+transfere\s+a\s+totalidade",
    re.IGNORECASE,
)
_WRITTEN_CPF = re.compile(r"(?<![\d.])\d{3}\.\d{3}\.\d{3}-\d{2}(?!\d)")
# "CPF", "CPF/MF", or the register's name written out ("Cadastro de Pessoas Físicas")
_CPF_CUE = re.compile(r"C\.?\s?P\.?\s?F|Cadastro\s+de\s+Pessoas?\s+F[ií]sicas?", re.IGNORECASE)
_WITNESSES = re.compile(r"\bTESTEMUNHAS?\b", re.IGNORECASE)
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


def prose_text(prepared: Prepared, *, ocr: OcrEngine) -> str:
    """A scanned contract page's text: its grey page read as blocks of prose (``--psm 3``),
    which keeps noisy letters that the binarized sparse pass loses (bench/ocr/README)."""
    grey = Image.fromarray(np.clip(prepared.gray, 0, 255).astype(np.uint8))
    size = (float(prepared.image.width), float(prepared.image.height))
    return Page(tuple(ocr.words(grey, psm=3)), *size).text()


def page_text(prepared: Prepared, *, first: Page, poor: bool, ocr: OcrEngine) -> str:
    """A scanned contract page's text: the first (binarized, sparse) pass's when it reads as
    a whole contract page; else the grey prose as well (``prose_text``), keeping the text in
    which more of the contract's grammar holds (bench/ocr/README: heavy 120-dpi pages measure
    "ok" yet lose a partner's CPF or name in the binarized pass)."""
    text = first.text()
    if len(first.words) < MIN_DOCUMENT_WORDS or (not poor and _complete(text)):
        return text  # a near-blank page (a footer, a stamp) holds no clause to read again
    prose = prose_text(prepared, ocr=ocr)
    if grammar_score(prose) >= grammar_score(text):
        return clause_by_clause(prose, text)
    return clause_by_clause(text, prose)


def clause_by_clause(primary: str, other: str) -> str:
    """One page's text from two reads of it, clause by clause: both texts are cut after each
    number introduced as a CPF (when both read as many "CPF" cues; else after each CPF both
    read validly, in the same order), and each piece (a partner's qualification, or the
    clauses after the last CPF) is taken from the read in which more of the contract's
    grammar holds; ``primary`` on a tie, and whole when nothing is taken from ``other``.
    The passes of a noisy page lose different partners (bench/ocr/README)."""
    a, b = _flat(primary), _flat(other)
    cuts_a, cuts_b = _cue_ends(a), _cue_ends(b)
    if len(cuts_a) != len(cuts_b):
        at_a, at_b = _cpf_ends(a), _cpf_ends(b)
        cuts_a, cuts_b = [], []
        for cpf, end in at_a.items():
            if cpf in at_b and at_b[cpf] > (cuts_b or [0])[-1]:
                cuts_a.append(end)
                cuts_b.append(at_b[cpf])
    cuts_a, cuts_b = [0, *cuts_a, len(a)], [0, *cuts_b, len(b)]
    pieces, taken = [], False
    for i in range(len(cuts_a) - 1):
        piece_a, piece_b = a[cuts_a[i] : cuts_a[i + 1]], b[cuts_b[i] : cuts_b[i + 1]]
        better = grammar_score(piece_b) > grammar_score(piece_a)
        taken |= better
        pieces.append(piece_b if better else piece_a)
    return "".join(pieces) if taken else primary


_CUED_NUMBER = re.compile(r"[^\d;]{0,30}?\d[\dA-Za-z?.,/-]*(?:\s?[\d?.,/-][\dA-Za-z?.,/-]*)*")


def _cue_ends(text: str) -> list[int]:
    """Where the number after each "CPF" cue ends (read or garbled)."""
    ends = []
    for cue in _CPF_CUE.finditer(text):
        number = _CUED_NUMBER.match(text, cue.end())
        ends.append(number.end() if number else cue.end())
    return [end for i, end in enumerate(ends) if i == 0 or end > ends[i - 1]]


def _cpf_ends(text: str) -> dict[str, int]:
    """Where each CPF introduced as one (cue before it, check digits holding) first ends."""
    ends: dict[str, int] = {}
    for match in _CPF.finditer(text):
        parsed = _parse_cpf(match.group(0))
        if parsed is None or not parsed.checked or parsed.repairs >= 2:
            continue
        if _CPF_CUE.search(text[max(0, match.start() - 60) : match.start()]):
            ends.setdefault(parsed.value, match.end())
    return ends


def grammar_score(text: str) -> int:
    """How much of a contract's grammar a page's text satisfies: a company named, a CNPJ whose
    check digits hold, each partner's CPF valid and introduced by a qualified name; each
    number named as a CPF that gives no partner (misread, its holder's name lost) counts
    against it."""
    text = joined(text)
    company = company_name(text)
    listed = partners(text, company=company.value if company else "")
    named = {p.cpf for p in listed if p.name is not None}
    unmatched = _cpfs_named(text) - {p.cpf for p in listed}
    return (
        (company is not None)
        + (company_cnpj(text) is not None)
        + 2 * len(named)
        - 2 * len(unmatched)
        - 2 * _lost_cpfs(text)
    )


def _parse_cpf(raw: str) -> ids.Parsed | None:
    """A CPF as ``_CPF`` matched it, spaces left out ("057.576. 800-24": a line's spacing
    read into the number, its digits and check digits whole)."""
    return ids.parse_cpf(re.sub(r"\s", "", raw))


def _lost_cpfs(text: str) -> int:
    """How many times the text says "CPF" without a valid CPF right after it (digits garbled
    past recognition: "529.9B2.24?-2S")."""
    lost = 0
    for cue in _CPF_CUE.finditer(text):
        after = text[cue.end() : cue.end() + 45]
        number = _CPF.search(after)
        parsed = _parse_cpf(number.group(0)) if number else None
        lost += parsed is None or not parsed.checked
    return lost


def _complete(text: str) -> bool:
    """Company, CNPJ and at least one partner read, and every CPF named has its partner."""
    text = joined(text)
    company = company_name(text)
    listed = partners(text, company=company.value if company else "")
    return (
        company is not None
        and company_cnpj(text) is not None
        and bool(listed)
        and all(p.name is not None for p in listed)
        and not (_cpfs_named(text) - {p.cpf for p in listed})
        and not _lost_cpfs(text)
    )


def joined(text: str) -> str:
    """The whole contract as one run of prose: hyphenated line breaks mended, lines joined
    (a name or a clause wraps freely), the witnesses' block left out (not partners)."""
    text = _flat(text)
    witnesses = _WITNESSES.search(text)
    return text[: witnesses.start()] if witnesses else text


def _flat(text: str) -> str:
    """Text as one line: hyphenated line breaks mended, lines joined."""
    text = re.sub(r"-\n(?=[a-zà-ÿ])", "", text)
    return clean_spaces(text.replace("\n", " "))


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
            value = clean_spaces(found.group(1))
            if sum(c.isalpha() for c in value) >= 4:
                names.append(ProseValue(value, cue < 3))
    return names


def company_cnpj(text: str) -> str | None:
    """The first CNPJ that passes its check digits (the company's; partners have CPFs)."""
    for found in _CNPJ.finditer(fold(text)):
        parsed = ids.parse_cnpj(found.group(0))
        if parsed is not None and parsed.checked and parsed.repairs <= 1:
            return parsed.value
    return None


def _cnpj_read(cnpj: str, *, scanned: bool) -> FieldRead:
    """The company's CNPJ, asserted by its check digits, except a scanned one with letters:
    digits misread as look-alike letters (5/S, 6/G, 8/B) can pass the alphanumeric CNPJ's
    check digits (1 in 121 per misread), and a contract gives no second read to compare."""
    doubt = scanned and any(c.isalpha() for c in cnpj)
    return FieldRead(
        "cnpj", ids.Parsed(cnpj, True, 1 if doubt else 0, checked=not doubt), cnpj, (), "prose"
    )


def _holder(text: str, at: int, *, company: str) -> ProseValue | None:
    """The person a CPF at ``at`` belongs to: the last qualified name before it, in the same
    clause (partners are listed with ";" between them)."""
    window = text[max(0, at - CLAUSE_BACK) : at].rsplit(";", 1)[-1]
    window = _CPF.split(window)[-1]  # not past the previous partner's CPF
    names = list(_PERSON.finditer(window))
    if not names:
        return None
    raw = clean_spaces(names[-1].group(1))
    if company and company in raw:
        raw = raw.rsplit(company, 1)[1]  # the title or the company's clause ran into it
    raw = re.split(rf"\b{SUFFIX}(?:\s+-\s+(?:ME|EPP))?\s", f"{raw} ")[-1].strip()
    raw = re.sub(
        r"^(?:(?:o|a|os|as|s[oó]ci[oa]s?|sr\.?|sra\.?|e|sociedade)\s+)+",
        "",
        raw,
        flags=re.IGNORECASE,
    )
    words = raw.split()
    if len(words) < 2 or not all(
        w[0].isupper() or fold(w) in ("DA", "DE", "DO", "DAS", "DOS", "E") for w in words
    ):
        return None
    return ProseValue(raw.upper(), True)


def partners(text: str, *, company: str = "") -> list[Partner]:
    """Every distinct valid CPF introduced with its holder's name, in order of appearance."""
    found: dict[str, Partner] = {}
    for match in _CPF.finditer(text):
        parsed = _parse_cpf(match.group(0))
        if parsed is None or not parsed.checked or parsed.repairs >= 2:
            continue
        if not _CPF_CUE.search(text[max(0, match.start() - 60) : match.start()]):
            continue  # 11 digits that are not introduced as a CPF (a NIRE, an RG)
        after = text[match.end() : match.end() + 400].split(";")[0]
        leaves = _LEAVES.search(after) is not None
        if parsed.value in found:
            if leaves:
                found[parsed.value] = Partner(parsed.value, found[parsed.value].name, True)
            continue
        holder = _holder(text, match.start(), company=company)
        if holder is not None:
            found[parsed.value] = Partner(parsed.value, holder, leaves)
    return list(found.values())


def _cpfs_named(text: str) -> set[str]:
    """Every number the text introduces as a CPF, as digits (look-alike letters mapped),
    whether or not it passes its check digits."""
    named = set()
    for found in re.finditer(
        r"C\.?\s?P\.?\s?F[^0-9]{0,30}?"
        r"([0-9OISB][0-9OISB.\-\s]{9,16}[0-9OISB])",
        text,
        re.IGNORECASE,
    ):
        digits = re.sub(r"\D", "", found.group(1).upper().translate(ids.TO_DIGIT))
        if 10 <= len(digits) <= 12:
            named.add(digits)
    # A number written as a CPF (000.000.000-00) is one however the clause introduces it
    # ("inscrito no Cadastro de Pessoas Físicas sob o número ..."); the witnesses' are not
    # partners'.
    body = _WITNESSES.split(text, maxsplit=1)[0]
    named.update(re.sub(r"\D", "", found.group()) for found in _WRITTEN_CPF.finditer(body))
    return named


def contract_fields(
    text: str,
    *,
    scanned: bool = False,
) -> tuple[dict[str, FieldRead], dict[str, str]]:
    """SPEC's fields of a contract from its whole text, and why the missing ones are missing.

    Names read from prose (the company's, the partners') are given with ``repairs=1``: shown
    to the client to confirm — a contract's wording varies more than any cue list, and a name
    taken from the wrong clause would look right — unless another clause gives the same name
    (``contract_names``) and, for a partner's, the numbering is sure. Numbers whose check
    digits hold (the CNPJ; a partner's CPF when every CPF named has its partner) are asserted.
    """
    text = joined(text)
    found: dict[str, FieldRead] = {}
    missing: dict[str, str] = {}
    company = company_name(text)
    if company is not None:
        # vouched for when another clause names the company the same way (title, name clause)
        again = [n.value for n in company_names(text)].count(company.value) >= 2
        sure_name = again and not accent_doubt(company.value)
        value = company.value if sure_name else with_accents(company.value)
        parsed = ids.Parsed(value, True, 0 if sure_name else 1, checked=sure_name)
        found["razao_social"] = FieldRead("razao_social", parsed, company.value, (), "prose")
    else:
        missing["razao_social"] = "company name not found in the text"
    cnpj = company_cnpj(text)
    if cnpj is not None:
        found["cnpj"] = _cnpj_read(cnpj, scanned=scanned)
    else:
        missing["cnpj"] = "no valid CNPJ in the text"
    listed = partners(text, company=company.value if company else "")
    members = [p for p in listed if not p.leaves]
    # a CPF the text names but that gave no partner (unreadable, no name before it) may be a
    # partner's: then the numbering of those after it is not sure, and none is asserted
    # so may a partner whose CPF's cue was lost with it: more people qualified (by nationality,
    # by an RG) than partners found
    sure = not (_cpfs_named(text) - {p.cpf for p in listed}) and max(
        len(_NATIONAL.findall(text)), len(_RG.findall(text))
    ) <= len(listed)
    if not members:
        missing["socio_1_nome"] = missing["socio_1_cpf"] = "no partner with a valid CPF"
    for number, partner in enumerate(members, start=1):
        key = f"socio_{number}_cpf"
        found[key] = FieldRead(
            key,
            ids.Parsed(partner.cpf, True, 0 if sure else 1, checked=sure),
            partner.cpf,
            (),
            "prose",
        )
        key = f"socio_{number}_nome"
        if partner.name is None:
            continue
        name = partner.name.value
        # vouched for when the capital clause (or another) names the partner the same way
        vouched = sure and named_again(text, name) and not accent_doubt(name)
        parsed = ids.Parsed(name, True, 0 if vouched else 1, checked=vouched)
        found[key] = FieldRead(key, parsed, name, (), "prose")
    return found, missing


def field_names(found: dict[str, FieldRead], missing: dict[str, str]) -> tuple[str, ...]:
    """The contract's field names in SPEC order: company, CNPJ, then partner by partner."""
    names = ["razao_social", "cnpj"]
    keys = set(found) | set(missing)
    number = 1
    while f"socio_{number}_cpf" in keys or f"socio_{number}_nome" in keys:
        names += [f"socio_{number}_nome", f"socio_{number}_cpf"]
        number += 1
    return tuple(names)
