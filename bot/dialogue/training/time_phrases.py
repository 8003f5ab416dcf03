"""When a client asks for a training session: "amanhã às 14h", "quinta de manhã", "10/12 9h"
from the NLU's date and time entities and words for parts of the day, in the company's time
zone; and how an instant is written back ("qui, 26/11 às 14:00")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.dialogue.catalog import fold
from bot.dialogue.context import ConversationContext
from bot.dialogue.wording import when as when_in_zone
from bot.domain.training import FreeSlot, TrainingScheduler
from nlu.types import NLUResult

__all__ = ["Window", "day_label", "requested_time", "requested_window", "sessions_in", "when"]

_PERIODS = {
    "manha": time(9),
    "cedo": time(9),
    "morning": time(9),
    "tarde": time(14),
    "afternoon": time(14),
    "noite": time(18),
    "evening": time(18),
}


# Parts of the day as windows of session starts ("quinta de manhã": the morning's sessions).
_WINDOWS = {
    time(9): (time(6), time(12), "manha"),
    time(14): (time(12), time(18), "tarde"),
    time(18): (time(18), time(23, 59), "noite"),
}


@dataclass(frozen=True, slots=True)
class Window:
    """A day (and maybe a part of it) asked for without a clock time: "dia 10", "sexta de
    manhã". The sessions offered are that day's (in that part), not the nearest to 09:00."""

    day: date
    start: time
    end: time
    period: str  # "manha", "tarde", "noite", or "" for the whole day
    last: date | None = None  # a week asked for ("semana que vem"): its last working day

    @property
    def one_day(self) -> bool:
        return self.last is None or self.last == self.day

    def holds(self, instant: datetime, *, zone: ZoneInfo) -> bool:
        local = instant.astimezone(zone)
        last = self.last or self.day
        return self.day <= local.date() <= last and self.start <= local.time() < self.end


def requested_window(nlu: NLUResult, body: str, *, context: ConversationContext) -> Window | None:
    """The day (or part of a day) asked for when no clock time was said."""
    found_date = nlu.first("date")
    if nlu.first("time") is not None:
        return None
    period = _period(body)
    week = _week(body, context=context) if found_date is None else None
    if week is not None:  # "semana que vem à tarde": that week's sessions (in that part)
        first, last = week
        start, end, name = _WINDOWS[period] if period is not None else (time(0), time(23, 59), "")
        return Window(first, start, end, name, last=last)
    if found_date is None:
        if period is None:
            return None
        zone = ZoneInfo(context.timezone)
        day = (context.now or datetime.now(zone)).astimezone(zone).date()
    else:
        day = date.fromisoformat(found_date.value)
    if period is None:
        return Window(day, time(0), time(23, 59), "")
    start, end, name = _WINDOWS[period]
    return Window(day, start, end, name)


_NEXT_WEEK = re.compile(r"\b(?:semana que vem|proxima semana|semana seguinte|next week)\b")
_THIS_WEEK = re.compile(r"\b(?:essa semana|esta semana|nesta semana|this week)\b")


def _week(body: str, *, context: ConversationContext) -> tuple[date, date] | None:
    """ "semana que vem": next Monday to Friday; "essa semana": today to Friday (or None)."""
    folded = fold(body)
    zone = ZoneInfo(context.timezone)
    today = (context.now or datetime.now(zone)).astimezone(zone).date()
    if _NEXT_WEEK.search(folded):
        monday = today + timedelta(days=7 - today.weekday())
        return monday, monday + timedelta(days=4)
    if _THIS_WEEK.search(folded):
        return today, today + timedelta(days=max(4 - today.weekday(), 0))
    return None


def sessions_in(
    scheduler: TrainingScheduler, window: Window, *, limit: int, context: ConversationContext
) -> list[FreeSlot]:
    """The free sessions that start inside ``window``, earliest first."""
    zone = ZoneInfo(context.timezone)
    middle = (
        datetime.combine(window.day, window.start, tzinfo=zone)
        + (datetime.combine(window.day, window.end) - datetime.combine(window.day, window.start))
        / 2
    )
    if not window.one_day:  # a week: from its first morning on
        middle = datetime.combine(window.day, window.start, tzinfo=zone)
    near = scheduler.free_slots(near=middle, limit=max(limit * 4, 12 if window.one_day else 40))
    inside = sorted(
        (slot for slot in near if window.holds(slot.starts_at, zone=zone)),
        key=lambda slot: slot.starts_at,
    )
    return inside[:limit]


def day_label(window: Window, language: str) -> str:
    """ "quinta, 10/12, de manhã" / "Thursday 10/12 in the morning"; a week: "a semana de 14/12
    a 18/12" / "the week of 14/12 to 18/12"."""
    en = language == "en"
    if not window.one_day and window.last is not None:
        label = (
            f"the week of {window.day:%d/%m} to {window.last:%d/%m}"
            if en
            else f"a semana de {window.day:%d/%m} a {window.last:%d/%m}"
        )
    else:
        weekday = _WEEKDAYS["en" if en else "pt"][window.day.weekday()]
        label = f"{weekday} {window.day:%d/%m}" if en else f"{weekday}, {window.day:%d/%m}"
    if window.period:
        label += (" " if en else ", ") + _PERIOD_WORDS[window.period]["en" if en else "pt"]
    return label


_WEEKDAYS = {
    "pt": ("segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_PERIOD_WORDS = {
    "manha": {"pt": "de manhã", "en": "in the morning"},
    "tarde": {"pt": "à tarde", "en": "in the afternoon"},
    "noite": {"pt": "à noite", "en": "in the evening"},
}


def requested_time(
    nlu: NLUResult, body: str, *, context: ConversationContext, day: date | None = None
) -> datetime | None:
    """The instant the client asked for, from the NLU's date/time and words like "de manhã";
    ``day``: the day the conversation is about ("pode ser 10h" after that day's sessions)."""
    zone = ZoneInfo(context.timezone)
    found_date = nlu.first("date")
    found_time = nlu.first("time")
    at = _parse_time(found_time.value) if found_time is not None else _period(body)
    if found_date is None and at is None:
        return None
    local_now = (context.now or datetime.now(zone)).astimezone(zone)
    if found_date is None and day is not None and found_time is not None:
        return datetime.combine(day, at or time(9), tzinfo=zone)
    day = date.fromisoformat(found_date.value) if found_date is not None else local_now.date()
    moment = datetime.combine(day, at or time(9), tzinfo=zone)
    if found_date is None and moment <= local_now:
        moment += timedelta(days=1)  # "às 14h" after 14:00 means tomorrow
    return moment


def _parse_time(value: str) -> time | None:
    try:
        return time.fromisoformat(value)
    except ValueError:
        return None


def _period(body: str) -> time | None:
    words = fold(body).split()
    return next((_PERIODS[w] for w in words if w in _PERIODS), None)


def when(instant: datetime, language: str, *, context: ConversationContext) -> str:
    """ "qui, 26/11 às 14:00" / "Thu 26/11 at 14:00" in the company's time zone."""
    return when_in_zone(instant, language, timezone=context.timezone)
