"""Times of day in pt-BR and English, normalized to ``HH:MM``.

Forms: ``14:30``, ``14h30``, ``14h``, ``9hs``, ``14 horas``; ``3 da tarde``, ``10 da manhã``,
``8 da noite``, ``duas e meia da tarde``; ``10am``, ``3:30 pm``; ``meio-dia``, ``meia-noite``,
``noon``, ``midnight``; and a bare hour after a preposition (``às 10``, ``at 3``). A bare hour
from 1 to 6 with no period of the day is read as afternoon (``às 3`` is 15:00): the bot
schedules business meetings. Periods alone ("de manhã") are not times, nor is the day in
"dia 9 de manhã" or "18/11 de manhã", nor a duration ("faz 2 horas", "há 3 horas").
"""

from __future__ import annotations

import re
from collections.abc import Callable

from nlu.entities.numerals import number_value
from nlu.entities.spans import Candidate

TIME_PRIORITY = 10

_HOUR_WORD = "uma|duas|tres|quatro|cinco|seis|sete|oito|nove|dez|onze|doze"
_EN_HOUR_WORD = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"


def _hhmm(hour: int, minute: int) -> str | None:
    if 0 <= hour <= 23 and 0 <= minute <= 59:
        return f"{hour:02d}:{minute:02d}"
    return None


def _minutes(m: re.Match[str]) -> int:
    groups = m.groupdict()
    if groups.get("half"):
        return 30
    raw = groups.get("m")
    return int(raw) if raw else 0


def _clock(m: re.Match[str]) -> str | None:
    return _hhmm(int(m.group("h")), _minutes(m))


# "faz 2 horas", "há 3 horas": how long, not what time.
_DURATION_LEAD = re.compile(
    r"\b(?:faz|ha|por|durante|uns|umas|quase|mais\s+de|menos\s+de|(?<!partir\s)de)\s+$"
)


def _hours(m: re.Match[str]) -> str | None:
    if _DURATION_LEAD.search(m.string[: m.start()]):
        return None
    return _clock(m)


def _period(m: re.Match[str]) -> str | None:
    hour = number_value(m.group("h"))
    if hour is None:
        return None
    period = m.group("p")
    if period == "tarde" and hour < 12:
        hour += 12
    elif period == "noite":
        if hour == 12:
            hour = 0
        elif 5 <= hour < 12:
            hour += 12
    elif period == "manha" and hour == 12:
        hour = 12
    return _hhmm(hour, _minutes(m))


def _meridiem(m: re.Match[str]) -> str | None:
    hour = number_value(m.group("h"))
    if hour is None or not 1 <= hour <= 12:
        return None
    if m.group("ap").startswith("a"):
        hour = 0 if hour == 12 else hour
    elif hour < 12:
        hour += 12
    return _hhmm(hour, _minutes(m))


def _named(m: re.Match[str]) -> str | None:
    text = m.group(0)
    half = 30 if text.endswith("e meia") else 0
    if text.startswith(("meia", "midnight")):
        return _hhmm(0, half)
    return _hhmm(12, half)


def _bare_hour(m: re.Match[str]) -> str | None:
    hour = number_value(m.group("h"))
    if hour is None:
        return None
    if 1 <= hour <= 6:
        hour += 12
    return _hhmm(hour, _minutes(m))


_Resolver = Callable[[re.Match[str]], str | None]

_PATTERNS: tuple[tuple[re.Pattern[str], _Resolver], ...] = (
    (
        re.compile(
            r"(?<![\d:/.,])(?P<h>[01]?\d|2[0-3])\s?(?::|h)\s?(?P<m>[0-5]\d)"
            r"(?:\s?(?:h|hs|hrs|min)\b)?(?![\d:])"
        ),
        _clock,
    ),
    (re.compile(r"(?<![\d:/.,])(?P<h>[01]?\d|2[0-3])\s?(?:h|hs|hr|hrs)\b"), _clock),
    (re.compile(r"(?<![\d:/.,])(?P<h>[01]?\d|2[0-3])\s?horas\b"), _hours),
    (
        re.compile(
            rf"(?<![/\d])(?<!dia\s)\b(?P<h>[01]?\d|2[0-3]|{_HOUR_WORD})(?:h|hs)?"
            r"(?:\s+e\s+(?P<half>meia)|\s*[:h]\s*(?P<m>[0-5]\d))?"
            r"\s+(?:horas?\s+)?(?:da|de)\s+(?P<p>manha|tarde|noite|madrugada)\b"
        ),
        _period,
    ),
    (
        re.compile(
            rf"\b(?P<h>1[0-2]|0?[1-9]|{_EN_HOUR_WORD})(?:[:.](?P<m>[0-5]\d))?\s?"
            r"(?P<ap>a\.?\s?m\b\.?|p\.?\s?m\b\.?)"
        ),
        _meridiem,
    ),
    (
        re.compile(r"\b(?:meio[\s-]?dia(?:\s+e\s+meia)?|noon|midday|meia[\s-]?noite|midnight)\b"),
        _named,
    ),
    (
        re.compile(
            r"\b(?:as|at|pras|para\s+as|por\s+volta\s+das|pelas|depois\s+das|antes\s+das|"
            r"ate\s+as|a\s+partir\s+das|around|by|after|before|until)\s+"
            rf"(?P<h>[01]?\d|2[0-3]|{_HOUR_WORD}|{_EN_HOUR_WORD})"
            r"(?:\s+e\s+(?P<half>meia)|:(?P<m>[0-5]\d))?"
            r"(?:\s+o'?clock)?"
            r"(?=\s*$|\s*[,.!?;)]|\s+(?:ou|or|pode|podemos|ta|esta|fica|serve|da|dá|ok|"
            r"entao|amanha|hoje|e|and|na|no|de\s+(?:manha|tarde|noite)|horas?|hrs?|tomorrow|"
            r"today|on|works|is|please|pfv|por\s+favor|certo|beleza|blz|combinado|then)\b)"
        ),
        _bare_hour,
    ),
)


def find_times(folded: str) -> list[Candidate]:
    """Time candidates in folded text, each with its ``HH:MM`` value."""
    found: list[Candidate] = []
    for priority_bonus, (pattern, resolver) in enumerate(_PATTERNS):
        for m in pattern.finditer(folded):
            value = resolver(m)
            if value is None:
                continue
            start = m.start("h") if "h" in m.groupdict() and m.group("h") else m.start()
            # The explicit forms (period, am/pm) are more specific than a clock fragment.
            bonus = 1 if priority_bonus in (3, 4) else 0
            found.append(Candidate("time", value, start, m.end(), TIME_PRIORITY + bonus))
    return found
