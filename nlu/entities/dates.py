"""Dates in pt-BR and English, absolute or relative, resolved to ISO ``YYYY-MM-DD``.

Works on folded text (lower case, no accents; see ``nlu.normalization.fold``) and a ``today``
in the caller's time zone. Rules, chosen for scheduling (dates lie ahead):

- ``hoje``/``today`` +0, ``amanhã``/``tomorrow`` +1, ``depois de amanhã`` (``dps de amanhã``)
  +2, ``ontem`` -1.
- ``daqui a 2 dias``, ``em 3 semanas``, ``daqui a um mês``, ``in 2 days``, ``3 weeks from now``.
- A weekday (``segunda``, ``terça-feira``, ``2ª``, ``friday``), also with ``que vem``,
  ``próxima``, ``next``: the first such day *after* today. ``essa``/``this``: on or after today.
  Short forms (``seg``, ``ter``, ``qui``, ``sex``, ``wed``) only with such a word or right before
  a clock time (``seg 10h``, ``qui às 9h30``, ``wed 3pm``): alone they are other words too.
  ``segunda da semana que vem``: that weekday in next calendar week (weeks start on Monday).
- ``dia 3``: the next 3rd of a month, today included. ``3 de maio``, ``03/05``, ``May 3rd``:
  this year, or next year once the date has passed; with a year, as written. Day/month order
  is always day first (Brazil), also in English text.
- Ranges that are not one day (``semana que vem``, ``next week``) are not dates.

dateparser was measured for this job and left out: it misreads "amanhã às 14h", does not know
"segunda que vem", "dia 3" or "daqui a 2 dias", and costs 1-25 ms a call (bench/nlu/README.md).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, timedelta

from nlu.entities.numerals import NUMBER_WORD_PATTERN, number_value
from nlu.entities.spans import Candidate

DATE_PRIORITY = 10

MONTHS: dict[str, int] = {
    "janeiro": 1,
    "fevereiro": 2,
    "marco": 3,
    "abril": 4,
    "maio": 5,
    "junho": 6,
    "julho": 7,
    "agosto": 8,
    "setembro": 9,
    "outubro": 10,
    "novembro": 11,
    "dezembro": 12,
    "jan": 1,
    "fev": 2,
    "mar": 3,
    "abr": 4,
    "mai": 5,
    "jun": 6,
    "jul": 7,
    "ago": 8,
    "set": 9,
    "out": 10,
    "nov": 11,
    "dez": 12,
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "feb": 2,
    "apr": 4,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "dec": 12,
}
_PT_MONTH = (
    "janeiro|fevereiro|marco|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro|"
    "jan|fev|mar|abr|mai|jun|jul|ago|set|out|nov|dez"
)
_EN_MONTH = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
)
WEEKDAYS: dict[str, int] = {
    "segunda": 0,
    "terca": 1,
    "quarta": 2,
    "quinta": 3,
    "sexta": 4,
    "sabado": 5,
    "domingo": 6,
    "seg": 0,
    "ter": 1,
    "qua": 2,
    "qui": 3,
    "sex": 4,
    "sab": 5,
    "dom": 6,
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "mon": 0,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "fri": 4,
}
_WEEKDAY = (
    "segunda|terca|quarta|quinta|sexta|sabado|domingo|monday|tuesday|wednesday|thursday|"
    "friday|saturday|sunday|tues|thurs|thur|tue|thu|wed|mon|fri|seg|ter|qua|qui|sex|sab|dom"
)
_SHORT_WEEKDAYS = frozenset(
    {
        "seg",
        "ter",
        "qua",
        "qui",
        "sex",
        "sab",
        "dom",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thur",
        "thurs",
        "fri",
    }
)
# "seg 10h", "qui às 9h30", "wed 3pm": a short weekday right before a clock time is a day.
_CLOCK_AFTER = re.compile(
    r"\.?,?\s+(?:(?:as|at)\s+(?:[01]?\d|2[0-3])(?![\d/])|(?:(?:as|at)\s+)?(?:[01]?\d|2[0-3])"
    r"(?::[0-5]\d|\s?(?:h|hs|hrs?|am|pm)(?![a-z])))"
)
# "ter" and "sex" are words too ("vou ter 2h livres"): as days they open the phrase.
_VERB_LOOKING = frozenset({"ter", "sex"})
_DAY_OPENER = re.compile(r"(?:^|[,;:.!?(]|\b(?:na|no|pra|para|ate|e|ou|a|de|dia))\s*$")
_ORDINAL_LOOKING = frozenset({"segunda", "terca", "quarta", "quinta", "sexta"})
# "a segunda opção", "quinta vez": ordinals, not weekdays.
_ORDINAL_NOUN = re.compile(
    r"\s+(?:opcao|opcoes|via|vez|etapa|parte|pergunta|alternativa|chance|pessoa|linha|"
    r"mensagem|foto|pagina|folha|tentativa|parcela|serie|ano|lugar|colocada|colocado|"
    r"filial|unidade|empresa|conta|ligacao|reuniao|aula|sessao|turma|semana)\b"
)
_ORDINAL_ARTICLE = re.compile(r"(?:^|\W)(?:a|da|uma|sua|minha|nossa|essa|esta|pela)\s+$")

_NUM = rf"\d{{1,3}}|{NUMBER_WORD_PATTERN}"
_ORD = r"(?:st|nd|rd|th|o|º|ª)?"


def _shift_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _valid(year: int, month: int, *, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year(raw: str | None) -> int | None:
    if raw is None:
        return None
    value = int(raw)
    return value + 2000 if value < 100 else value


def _day_month(today: date, day: int, *, month: int, year: int | None) -> date | None:
    """A day and month, in the given year or else the next one not yet past."""
    if year is not None:
        return _valid(year, month, day=day)
    candidate = _valid(today.year, month, day=day)
    if candidate is not None and candidate >= today:
        return candidate
    for offset in range(1, 5):  # 29 February waits for a leap year
        candidate = _valid(today.year + offset, month, day=day)
        if candidate is not None:
            return candidate
    return None


def _day_of_month(today: date, day: int) -> date | None:
    """The next ``day`` of a month, today included."""
    if not 1 <= day <= 31:
        return None
    cursor = today.replace(day=1)
    for _ in range(13):
        candidate = _valid(cursor.year, cursor.month, day=day)
        if candidate is not None and candidate >= today:
            return candidate
        cursor = _shift_months(cursor, 1)
    return None


def _weekday(today: date, weekday: int, *, include_today: bool, next_week: bool) -> date:
    if next_week:
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return monday + timedelta(days=weekday)
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0 and not include_today:
        ahead = 7
    return today + timedelta(days=ahead)


Resolver = Callable[[re.Match[str], date], date | None]


def _relative_day(m: re.Match[str], today: date) -> date | None:
    word = m.group(0)
    if word.startswith(("depois", "dps")) or word.endswith("after tomorrow"):
        return today + timedelta(days=2)
    if word.startswith("anteontem"):
        return today - timedelta(days=2)
    if word.startswith(("amanha", "amnh", "tomorrow", "tmrw")):
        return today + timedelta(days=1)
    if word.startswith(("ontem", "yesterday")):
        return today - timedelta(days=1)
    return today


def _offset(m: re.Match[str], today: date) -> date | None:
    count = number_value(m.group("n"))
    if count is None or count > 400:
        return None
    unit = m.group("u")
    if unit.startswith(("dia", "day")):
        return today + timedelta(days=count)
    if unit.startswith(("semana", "week")):
        return today + timedelta(weeks=count)
    return _shift_months(today, count)


def _weekday_expression(m: re.Match[str], today: date) -> date | None:
    name = m.group("wd")
    before = m.string[: m.start()]
    after = m.string[m.end() :]
    modifier = (m.group("pre") or "").strip()
    suffix = (m.group("post") or "").strip()
    if name in _ORDINAL_LOOKING and not m.group("feira") and not modifier and not suffix:
        if _ORDINAL_NOUN.match(after) or _ORDINAL_ARTICLE.search(before):
            return None
    if name in _SHORT_WEEKDAYS and not modifier and not m.group("feira"):
        if not _CLOCK_AFTER.match(after):
            return None
        if name in _VERB_LOOKING and not _DAY_OPENER.search(before):
            return None
    weekday = WEEKDAYS[name]
    next_week = "semana" in suffix
    include_today = modifier in ("essa", "esta", "nessa", "nesta", "this")
    return _weekday(today, weekday, include_today=include_today, next_week=next_week)


def _numbered_weekday(m: re.Match[str], today: date) -> date | None:
    weekday = int(m.group("n")) - 2
    return _weekday(today, weekday, include_today=False, next_week=False)


def _dia(m: re.Match[str], today: date) -> date | None:
    raw = m.group("d")
    day = 1 if raw in ("primeiro", "1o", "1º") else int(raw)
    if m.group("m"):
        return _day_month(today, day, month=MONTHS[m.group("m")], year=_year(m.group("y")))
    return _day_of_month(today, day)


def _numeric(m: re.Match[str], today: date) -> date | None:
    day, month = int(m.group("d")), int(m.group("m"))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return _day_month(today, day, month=month, year=_year(m.group("y")))


def _named_month(m: re.Match[str], today: date) -> date | None:
    return _day_month(
        today, int(m.group("d")), month=MONTHS[m.group("m")], year=_year(m.group("y"))
    )


def _iso(m: re.Match[str], today: date) -> date | None:
    return _valid(int(m.group("y")), int(m.group("m")), day=int(m.group("d")))


def _the_nth(m: re.Match[str], today: date) -> date | None:
    return _day_of_month(today, int(m.group("d")))


_PATTERNS: tuple[tuple[re.Pattern[str], Resolver], ...] = (
    (
        re.compile(
            r"\b(?:(?:depois|dps)\s+de?\s+(?:amanha|amnh)|(?:the\s+)?day\s+after\s+tomorrow|"
            r"anteontem|"
            r"amanha|amnh|tomorrow|tmrw|hoje|hj|today|tonight|ontem|yesterday)\b"
        ),
        _relative_day,
    ),
    (
        re.compile(
            rf"\b(?:daqui\s+(?:a\s+)?|dentro\s+de\s+|em\s+|in\s+|within\s+)(?P<n>{_NUM})\s+"
            r"(?P<u>dias?|semanas?|mes(?:es)?|days?|weeks?|months?)\b"
        ),
        _offset,
    ),
    (
        re.compile(rf"\b(?P<n>{_NUM})\s+(?P<u>days?|weeks?|months?)\s+from\s+(?:now|today)\b"),
        _offset,
    ),
    (
        re.compile(
            r"\b(?P<pre>(?:(?:na|no)\s+)?(?:proxim[ao]|prox\.?|next|this|coming|essa|esta|"
            r"nessa|nesta)\s+)?(?P<wd>" + _WEEKDAY + r")(?P<feira>[\s-]*feira)?"
            r"(?P<post>\s+(?:que\s+vem|da\s+semana\s+que\s+vem|da\s+proxima\s+semana|"
            r"of\s+next\s+week))?\b"
        ),
        _weekday_expression,
    ),
    (re.compile(r"(?<![\d/])(?P<n>[2-6])\s?[aª]\.?(?:[\s-]*feira)?\b"), _numbered_weekday),
    (
        re.compile(
            r"\bdia\s+(?P<d>[0-3]?\d|primeiro|1o|1º)(?![\d/:h])"
            rf"(?:\s+de\s+(?P<m>{_PT_MONTH})(?:\s+de\s+(?P<y>\d{{4}}))?\b)?"
        ),
        _dia,
    ),
    (
        re.compile(
            r"(?:\bdia\s+)?(?<![\d/.:-])(?P<d>[0-3]?\d)/(?P<m>[01]?\d)(?:/(?P<y>\d{4}|\d{2}))?"
            r"(?![\d/])"
        ),
        _numeric,
    ),
    (
        re.compile(r"(?<![\d/.:-])(?P<d>[0-3]?\d)[.-](?P<m>[01]?\d)[.-](?P<y>\d{4})(?![\d.-])"),
        _numeric,
    ),
    (re.compile(r"\b(?P<y>\d{4})-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b"), _iso),
    (
        re.compile(
            rf"\b(?P<d>[0-3]?\d){_ORD}\s+de\s+(?P<m>{_PT_MONTH})(?:\s+de\s+(?P<y>\d{{4}}))?\b"
        ),
        _named_month,
    ),
    (
        re.compile(
            rf"\b(?P<m>{_EN_MONTH})\.?\s+(?:the\s+)?(?P<d>[0-3]?\d){_ORD}\b"
            r"(?:,?\s+(?P<y>\d{4})\b)?"
        ),
        _named_month,
    ),
    (
        re.compile(
            rf"\b(?:the\s+)?(?P<d>[0-3]?\d){_ORD}\s+(?:of\s+)?(?P<m>{_EN_MONTH})\b"
            r"(?:,?\s+(?P<y>\d{4})\b)?"
        ),
        _named_month,
    ),
    (re.compile(r"\bthe\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)\b"), _the_nth),
)


def find_dates(folded: str, *, today: date) -> list[Candidate]:
    """Date candidates in folded text, resolved against ``today``."""
    found: list[Candidate] = []
    for pattern, resolver in _PATTERNS:
        for m in pattern.finditer(folded):
            resolved = resolver(m, today)
            if resolved is None:
                continue
            start, end = m.start(), m.end()
            # Leading "na"/"no" belong to the sentence, not to the date.
            lead = re.match(r"(?:na|no)\s+", folded[start:end])
            if lead:
                start += lead.end()
            found.append(Candidate("date", resolved.isoformat(), start, end, DATE_PRIORITY))
    return found
