"""Candidate entity spans and how overlapping candidates are settled.

Every extractor proposes :class:`Candidate` spans; :func:`resolve` keeps a set with no two
overlapping, preferring higher ``priority`` (a validated CNPJ beats the phone number its digits
also look like), then the longer span, then the earlier one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Candidate:
    entity: str
    value: str
    start: int
    end: int
    priority: int = 0


def overlaps(a: Candidate, start: int, *, end: int) -> bool:
    return a.start < end and start < a.end


def resolve(candidates: list[Candidate]) -> list[Candidate]:
    """Non-overlapping candidates, best first kept, returned in text order."""
    kept: list[Candidate] = []
    ranked = sorted(candidates, key=lambda c: (-c.priority, -(c.end - c.start), c.start))
    for candidate in ranked:
        if not any(overlaps(k, candidate.start, end=candidate.end) for k in kept):
            kept.append(candidate)
    return sorted(kept, key=lambda c: (c.start, c.end))


def mask(text: str, spans: list[Candidate]) -> str:
    """``text`` with the given spans blanked out (same length), so later extractors skip them."""
    if not spans:
        return text
    chars = list(text)
    for span in spans:
        chars[span.start : span.end] = " " * (span.end - span.start)
    return "".join(chars)
