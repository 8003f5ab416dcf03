"""The entity extractor: runs every finder over one text and settles overlaps.

Identifiers (e-mail, CNPJ, CPF, phone, CEP) are searched in the text as written; dates and
times in its folded copy (same offsets). A bare 11-digit number can be both a valid CPF and a
valid mobile number: the nearest cue word before it ("cpf", "tel", "whats", ...) decides, and
with no cue it is a phone. Only the first ``max_chars`` characters are searched.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from nlu.entities.contacts import find_email, find_phone
from nlu.entities.dates import find_dates
from nlu.entities.postal_codes import find_cep
from nlu.entities.registry_numbers import find_cnpj, find_cpf
from nlu.entities.spans import Candidate, mask, resolve
from nlu.entities.times import find_times
from nlu.normalization import fold
from nlu.types import Entity

_CPF_CUE = re.compile(r"\bcpf\b")
_PHONE_CUE = re.compile(
    r"\b(?:tel|telefone|fone|cel|celular|whats\w*|zap|wpp|contato|numero|ligar|liga|"
    r"phone|call|mobile|cell|ramal)\b"
)
_CUE_WINDOW = 40
_CUE_BONUS = 10


def _last_cue(pattern: re.Pattern[str], window: str) -> int:
    last = -1
    for m in pattern.finditer(window):
        last = m.end()
    return last


def _with_cues(candidates: list[Candidate], folded: str) -> list[Candidate]:
    """Raise the priority of a phone or CPF that a cue word right before it names."""
    adjusted: list[Candidate] = []
    for c in candidates:
        if c.entity in ("phone", "cpf"):
            window = folded[max(0, c.start - _CUE_WINDOW) : c.start]
            cpf_at, phone_at = _last_cue(_CPF_CUE, window), _last_cue(_PHONE_CUE, window)
            own = cpf_at if c.entity == "cpf" else phone_at
            other = phone_at if c.entity == "cpf" else cpf_at
            if own > other:
                c = Candidate(c.entity, c.value, c.start, c.end, c.priority + _CUE_BONUS)
        adjusted.append(c)
    return adjusted


@functools.cache
def _control_characters() -> dict[int, str]:
    return {c: " " for c in [*range(32), *range(0x7F, 0xA0)]}


def _visible(text: str) -> str:
    """``text`` with control characters turned into spaces, same length."""
    return text.translate(_control_characters())


class EntityExtractor:
    """Finds cnpj, cpf, email, phone, cep, date and time entities; safe to share by threads."""

    def __init__(self, *, timezone: str = "America/Sao_Paulo", max_chars: int = 2000) -> None:
        self._zone = ZoneInfo(timezone)
        self._max_chars = max_chars

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    def candidates(self, text: str, *, now: datetime) -> list[Candidate]:
        """Non-overlapping entity spans in the first ``max_chars`` characters of ``text``."""
        return resolve(self.proposals(text, now=now))

    def proposals(self, text: str, *, now: datetime) -> list[Candidate]:
        """Every candidate span, overlaps not yet settled (cue words already weighed)."""
        window = _visible(text[: self._max_chars])
        folded = fold(window)
        today = (now if now.tzinfo else now.replace(tzinfo=self._zone)).astimezone(self._zone)
        found: list[Candidate] = []
        found += find_email(window)
        found += find_cnpj(window)
        found += find_cpf(window)
        found += find_cep(window, folded)
        # Spans that always beat a phone are hidden from the (costly) phone matcher.
        certain = [c for c in found if c.entity in ("email", "cnpj") or c.priority >= 45]
        found += find_phone(mask(window, certain))
        found += find_dates(folded, today=today.date())
        found += find_times(folded)
        return _with_cues(found, folded)

    def extract(self, text: str, *, now: datetime) -> list[Entity]:
        return [
            Entity(entity=c.entity, value=c.value, start=c.start, end=c.end)
            for c in self.candidates(text, now=now)
        ]
