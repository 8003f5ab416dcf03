"""When a client asks for a training session: "amanhã às 14h", "quinta de manhã", "10/12 9h"
from the NLU's date and time entities and words for parts of the day, in the company's time
zone; and how an instant is written back ("qui, 26/11 às 14:00")."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.dialogue.catalog import fold
from bot.dialogue.context import ConversationContext
from bot.dialogue.wording import when as when_in_zone
from nlu.types import NLUResult

__all__ = ["requested_time", "when"]

_PERIODS = {
    "manha": time(9),
    "cedo": time(9),
    "morning": time(9),
    "tarde": time(14),
    "afternoon": time(14),
    "noite": time(18),
    "evening": time(18),
}


def requested_time(nlu: NLUResult, body: str, *, context: ConversationContext) -> datetime | None:
    """The instant the client asked for, from the NLU's date/time and words like "de manhã"."""
    zone = ZoneInfo(context.timezone)
    found_date = nlu.first("date")
    found_time = nlu.first("time")
    at = _parse_time(found_time.value) if found_time is not None else _period(body)
    if found_date is None and at is None:
        return None
    local_now = (context.now or datetime.now(zone)).astimezone(zone)
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
