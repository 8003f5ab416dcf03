"""CEP, the Brazilian postal code: ``01310-100``, ``01.310-100`` or eight bare digits."""

from __future__ import annotations

import re

from nlu.entities.spans import Candidate

# Above a bare phone: 01310-100 is never how a phone number is grouped.
FORMATTED_PRIORITY = 46
BARE_PRIORITY = 20

_FORMATTED = re.compile(r"(?<![\d.\-/])(?:(\d{5})|(\d{2})\.(\d{3}))-(\d{3})(?![\d\-/]|\.\d)")
_BARE = re.compile(r"(?<![\d.\-/+])(\d{8})(?![\d\-/]|\.\d)")
_SPACED_AFTER_CUE = re.compile(r"\bcep\W{0,3}(\d{5})\s(\d{3})(?!\d)")


def find_cep(text: str, folded: str) -> list[Candidate]:
    found: list[Candidate] = []
    for m in _FORMATTED.finditer(text):
        value = "".join(g for g in m.groups() if g)
        found.append(Candidate("cep", value, m.start(), m.end(), FORMATTED_PRIORITY))
    for m in _BARE.finditer(text):
        if len(set(m.group(1))) > 1:
            found.append(Candidate("cep", m.group(1), m.start(), m.end(), BARE_PRIORITY))
    for m in _SPACED_AFTER_CUE.finditer(folded):
        found.append(
            Candidate("cep", m.group(1) + m.group(2), m.start(1), m.end(2), FORMATTED_PRIORITY)
        )
    return found
