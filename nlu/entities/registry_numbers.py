"""CNPJ and CPF, the Brazilian company and person registry numbers, checked with python-stdnum.

A CNPJ is 14 characters: 12 alphanumeric (letters allowed from July 2026 on) and 2 check
digits; formatted ``12.ABC.345/01DE-35`` or bare. A CPF is 11 digits, ``529.982.247-25`` or bare.
Only numbers whose check digits are right are returned; values are bare and upper case.
"""

from __future__ import annotations

import re

from stdnum.br import cnpj as stdnum_cnpj
from stdnum.br import cpf as stdnum_cpf

from nlu.entities.spans import Candidate

_A = "[0-9A-Za-z]"
# Lookahead so that overlapping candidates are all seen; separators are one character each.
_CNPJ = re.compile(
    rf"(?<![0-9A-Za-z])(?=({_A}{{2}})([.\s]?)({_A}{{3}})([.\s]?)({_A}{{3}})([/.\s]?)"
    rf"({_A}{{4}})([-.\s]?)(\d{{2}})(?![0-9A-Za-z]))"
)
_CPF = re.compile(
    r"(?<![0-9A-Za-z])(?=(\d{3})([.\s]?)(\d{3})([.\s]?)(\d{3})([-.\s]?)(\d{2})(?![0-9A-Za-z]))"
)

CNPJ_PRIORITY = 50
CPF_PRIORITY = 40


def _span(match: re.Match[str]) -> tuple[int, int, str, str]:
    groups = match.groups()
    raw = "".join(groups)
    separators = "".join(groups[1::2])
    return match.start(), match.start() + len(raw), raw, separators


def is_valid_cnpj(value: str) -> bool:
    """True for a 14-character CNPJ (numeric or alphanumeric) with correct check digits."""
    compact = stdnum_cnpj.compact(value).upper()
    return len(compact) == 14 and stdnum_cnpj.is_valid(compact)


def is_valid_cpf(value: str) -> bool:
    """True for an 11-digit CPF with correct check digits (repeated digits are not valid)."""
    compact = stdnum_cpf.compact(value)
    return len(set(compact)) > 1 and stdnum_cpf.is_valid(compact)


def find_cnpj(text: str) -> list[Candidate]:
    found: list[Candidate] = []
    for match in _CNPJ.finditer(text):
        start, end, raw, separators = _span(match)
        value = "".join(match.groups()[0::2]).upper()
        has_letters = not value.isdigit()
        if has_letters:
            # Letters: the 2026 format. Spaces as separators or a root with no digit at all
            # is more likely words than a number.
            if any(s.isspace() for s in separators) or not any(c.isdigit() for c in value[:12]):
                continue
        elif any(s.isspace() for s in separators) and len(set(separators)) > 1:
            continue
        if is_valid_cnpj(value):
            found.append(Candidate("cnpj", value, start, end, CNPJ_PRIORITY))
    return found


def find_cpf(text: str) -> list[Candidate]:
    found: list[Candidate] = []
    for match in _CPF.finditer(text):
        start, end, raw, separators = _span(match)
        if any(s.isspace() for s in separators) and len(set(separators)) > 1:
            continue
        value = "".join(match.groups()[0::2])
        if is_valid_cpf(value):
            # A CPF written with its dots and dash is surely a CPF; bare digits may be a phone.
            formatted = separators == "..-"
            found.append(
                Candidate("cpf", value, start, end, CPF_PRIORITY + (5 if formatted else 0))
            )
    return found
