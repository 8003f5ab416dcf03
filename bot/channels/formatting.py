"""WhatsApp-style markup in the dialogue's texts, rendered for Telegram's HTML parse mode.

The dialogue writes ``*bold*`` and ``_italic_`` as WhatsApp shows them; Twilio and the Cloud
API send the text unchanged. ``telegram_html`` turns the same text into Telegram HTML
(``parse_mode=HTML``): pairs become ``<b>``/``<i>`` and every ``<``, ``>`` and ``&`` is
escaped, so CNPJs, e-mails and values the client typed ("M&M Ltda") arrive as written.

Telegram refuses a whole message whose HTML it cannot parse (400 "can't parse entities"), so
the output is well-formed whatever the input: a marker only pairs the way WhatsApp pairs it,
and anything else stays a literal character.

- An opening marker follows the start of the text or a character that is not a letter or
  digit, and is followed by a character that is not a space.
- A closing marker follows a character that is not a space, and is followed by the end of
  the text or a character that is not a letter or digit.
- A doubled marker (``**``, ``__``) never pairs.
- A pair never spans a line break, and is the nearest closer after its opener; pairs nest
  (``*a _b_ c*``) but never cross (``*a _b* c_`` keeps the underscore literal).
- Markers inside a link (``https://…``, ``www.…``) are part of the link.

So "5 * 3 = 15", "a*b", "financeiro_2@pao-e-cia.com.br", "**nota**" and "__init__" stay
as typed. Each part of a long text split for sending is converted on its
own: a pair cut by the split shows its two asterisks literally, never as broken HTML (the
split cuts at line breaks first, which no pair spans).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from html import escape

__all__ = ["telegram_html"]

_TAGS = {"*": "b", "_": "i"}
# A link ends before trailing punctuation, so "veja https://x.example/a." keeps its period
# and "*https://x.example*" keeps its closing asterisk outside the link.
_LINK = re.compile(r"(?:https?://|www\.)[^\s<>\"]*[^\s<>\"*_.,;:!?)\]}'~]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Markers:
    """Where markers may open and close in one text, found in one pass (no rescans)."""

    openers: frozenset[int]
    closers: dict[str, list[int]]  # sorted positions, per marker
    line_ends: list[int]  # sorted positions of "\n", then the text's length

    @classmethod
    def scan(cls, text: str) -> _Markers:
        in_links = {i for m in _LINK.finditer(text) for i in range(m.start(), m.end())}
        openers: set[int] = set()
        closers: dict[str, list[int]] = {marker: [] for marker in _TAGS}
        for index, char in enumerate(text):
            if char not in _TAGS or index in in_links:
                continue
            before = text[index - 1] if index > 0 else " "
            after = text[index + 1] if index + 1 < len(text) else " "
            if char in (before, after):
                continue  # a doubled marker ("**", "__") never pairs
            if not before.isalnum() and not after.isspace():
                openers.add(index)
            if not before.isspace() and not after.isalnum():
                closers[char].append(index)
        line_ends = [i for i, char in enumerate(text) if char == "\n"] + [len(text)]
        return cls(frozenset(openers), closers, line_ends)

    def closer(self, marker: str, *, opener: int, end: int) -> int | None:
        """The nearest closer after ``opener`` on its line and before ``end``, if any."""
        candidates = self.closers[marker]
        found = bisect_right(candidates, opener)
        if found == len(candidates):
            return None
        position = candidates[found]
        line_end = self.line_ends[bisect_right(self.line_ends, opener)]
        return position if position < min(end, line_end) else None


def telegram_html(text: str) -> str:
    """``text`` as Telegram HTML: ``*bold*`` → ``<b>``, ``_italic_`` → ``<i>``, the rest escaped."""
    if not any(marker in text for marker in _TAGS):
        return escape(text, quote=False)
    return _render(text, _Markers.scan(text), start=0, end=len(text))


def _render(text: str, markers: _Markers, *, start: int, end: int) -> str:
    """``text[start:end]`` converted: pairs found left to right, their content recursively
    (inside a pair only, so pairs nest and never cross)."""
    out: list[str] = []
    plain = start  # where the text not yet written begins
    for index in range(start, end):
        if index < plain or index not in markers.openers:
            continue
        marker = text[index]
        close = markers.closer(marker, opener=index, end=end)
        if close is None:
            continue
        tag = _TAGS[marker]
        inner = _render(text, markers, start=index + 1, end=close)
        out.append(f"{escape(text[plain:index], quote=False)}<{tag}>{inner}</{tag}>")
        plain = close + 1
    out.append(escape(text[plain:end], quote=False))
    return "".join(out)
