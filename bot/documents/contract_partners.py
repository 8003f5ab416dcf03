"""A contrato social's partners: each CPF introduced as one, and the qualified name before it.

Each partner is introduced by name and qualification ("JOÃO DA SILVA, brasileiro, casado, ...
inscrito no CPF sob o nº ..."). So each CPF that passes its check digits is a partner, named by
the nearest name before it that a qualification follows. Partners are kept in order of first
appearance; a CPF named again (the administration clause, the signatures) is the same partner.
A partner said to leave the company ("retira-se da sociedade") is not one any more. The
witnesses' block is left out first (``joined``): witnesses have CPFs and are not partners.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.documents import identifiers as ids
from bot.documents.contract_company import SUFFIX, UPPER, ProseValue
from bot.documents.folding import clean_spaces, fold

NAME_WORD = rf"(?:[{UPPER}][{UPPER}a-zà-öø-ÿ'’.-]*|d[aeo]s?|e)"
# A capitalised name of two words or more followed by a comma and a qualification; up to
# three short words before it may be misread ("irasmenv(a), divorciado(a)" on a noisy scan,
# "brasideiro(a). divorciado(a)": a comma read as a full stop).
_PERSON = re.compile(
    rf"([{UPPER}][{UPPER}a-zà-öø-ÿ'’-]+(?:\s+{NAME_WORD}){{1,12}})\s*,\s*"
    r"(?:[^\s,;\d][^,.;\d]{0,19}[,.]\s*){0,3}"
    r"(?i:brasileir|portugu[eê]s|estrangeir|naturalizad|solteir|casad|divorciad|vi[uú]v|"
    r"separad|empres[aá]ri|maior|nacionalidade|nascid|residente|portador|inscrit)",
)
# a scan's spacing may fall on either side of a dot ("286.534 .990-08", "057.576. 800-24"),
# and a dot be read as a comma ("005,494.490-27")
CPF = re.compile(r"(?<![\d./,])\d{3}\s?[.,]?\s?\d{3}\s?[.,]?\s?\d{3}\s?-?\s?\d{2}(?![\d/])")
_LEAVES = re.compile(
    r"retira(?:-se|ndo-se)\s+da\s+sociedade|deixa\s+(?:de\s+fazer\s+parte|a\s+"
    r"sociedade)|cede\s+e\s+transfere\s+a\s+totalidade",
    re.IGNORECASE,
)
_WRITTEN_CPF = re.compile(r"(?<![\d.])\d{3}\.\d{3}\.\d{3}-\d{2}(?!\d)")
# "CPF", "CPF/MF", or the register's name written out ("Cadastro de Pessoas Físicas")
CPF_CUE = re.compile(r"C\.?\s?P\.?\s?F|Cadastro\s+de\s+Pessoas?\s+F[ií]sicas?", re.IGNORECASE)
WITNESSES = re.compile(r"\bTESTEMUNHAS?\b", re.IGNORECASE)
CLAUSE_BACK = 600  # how far before a CPF its holder's name may be (characters)


@dataclass(frozen=True, slots=True)
class Partner:
    cpf: str
    name: ProseValue | None
    leaves: bool


def joined(text: str) -> str:
    """The whole contract as one run of prose: hyphenated line breaks mended, lines joined
    (a name or a clause wraps freely), the witnesses' block left out (not partners)."""
    text = flat(text)
    witnesses = WITNESSES.search(text)
    return text[: witnesses.start()] if witnesses else text


def flat(text: str) -> str:
    """Text as one line: hyphenated line breaks mended, lines joined."""
    text = re.sub(r"-\n(?=[a-zà-ÿ])", "", text)
    return clean_spaces(text.replace("\n", " "))


def parse_cpf(raw: str) -> ids.Parsed | None:
    """A CPF as ``CPF`` matched it, spaces left out and commas read as dots ("057.576. 800-24":
    a line's spacing read into the number, its digits and check digits whole)."""
    return ids.parse_cpf(re.sub(r"\s", "", raw).replace(",", "."))


def introduced_cpfs(text: str) -> list[tuple[re.Match[str], ids.Parsed]]:
    """Each number that passes a CPF's check digits (at most one digit's look-alike mapped)
    and that a "CPF" cue introduces: 11 digits without a cue are a NIRE or an RG."""
    found = []
    for match in CPF.finditer(text):
        parsed = parse_cpf(match.group(0))
        if parsed is None or not parsed.checked or parsed.repairs >= 2:
            continue
        if CPF_CUE.search(text[max(0, match.start() - 60) : match.start()]):
            found.append((match, parsed))
    return found


def lost_cpfs(text: str) -> int:
    """How many times the text says "CPF" without a valid CPF right after it (digits garbled
    past recognition: "529.9B2.24?-2S")."""
    lost = 0
    for cue in CPF_CUE.finditer(text):
        after = text[cue.end() : cue.end() + 45]
        number = CPF.search(after)
        parsed = parse_cpf(number.group(0)) if number else None
        lost += parsed is None or not parsed.checked
    return lost


def _holder(text: str, at: int, *, company: str) -> ProseValue | None:
    """The person a CPF at ``at`` belongs to: the last qualified name before it, in the same
    clause (partners are listed with ";" between them)."""
    window = text[max(0, at - CLAUSE_BACK) : at].rsplit(";", 1)[-1]
    window = CPF.split(window)[-1]  # not past the previous partner's CPF
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
    for match, parsed in introduced_cpfs(text):
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


def cpfs_named(text: str) -> set[str]:
    """Every number the text introduces as a CPF, as digits (look-alike letters mapped),
    whether or not it passes its check digits."""
    named = set()
    for found in re.finditer(
        r"C\.?\s?P\.?\s?F[^0-9]{0,30}?"
        r"([0-9OISB][0-9OISB.,\-\s]{9,16}[0-9OISB])",
        text,
        re.IGNORECASE,
    ):
        digits = re.sub(r"\D", "", found.group(1).upper().translate(ids.TO_DIGIT))
        if 10 <= len(digits) <= 12:
            named.add(digits)
    # A number written as a CPF (000.000.000-00) is one however the clause introduces it
    # ("inscrito no Cadastro de Pessoas Físicas sob o número ..."); the witnesses' are not
    # partners'.
    body = WITNESSES.split(text, maxsplit=1)[0]
    named.update(re.sub(r"\D", "", found.group()) for found in _WRITTEN_CPF.finditer(body))
    return named
