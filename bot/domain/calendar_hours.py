"""Opening hours of a business week: which local wall-clock spans of a day count as working time.

A ``DayHours`` is one weekday's opening and closing time with an optional lunch break;
``weekly_hours`` turns the short forms accepted by ``BusinessCalendar`` into one validated
mapping from weekday (Monday = 0) to ``DayHours``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time, timedelta

__all__ = ["CalendarError", "DayHours", "WallSpan", "weekly_hours"]

END_OF_DAY = timedelta(hours=24)

# A span of local wall-clock time inside one day, as offsets from local midnight (end may be 24h).
WallSpan = tuple[timedelta, timedelta]


class CalendarError(ValueError):
    """Root error of business-time arithmetic: bad configuration or bad (naive) input."""


def _offset(value: time, *, end: bool) -> timedelta:
    if value.tzinfo is not None:
        raise CalendarError(f"opening hours are local wall-clock times, got tz-aware {value}")
    offset = timedelta(
        hours=value.hour, minutes=value.minute, seconds=value.second, microseconds=value.microsecond
    )
    # time() cannot say 24:00, so a closing time of 00:00 means "at the end of the day".
    return END_OF_DAY if end and offset == timedelta(0) else offset


@dataclass(frozen=True, slots=True)
class DayHours:
    """Working hours of one weekday: ``opens``–``closes`` minus an optional ``lunch`` break.

    ``closes=time(0)`` means midnight at the end of the day.
    """

    opens: time
    closes: time
    lunch: tuple[time, time] | None = None

    def __post_init__(self) -> None:
        self.spans()  # validates

    def spans(self) -> tuple[WallSpan, ...]:
        """The day's working spans as offsets from local midnight, ascending and disjoint."""
        opens = _offset(self.opens, end=False)
        closes = _offset(self.closes, end=True)
        if closes <= opens:
            raise CalendarError(f"closing time {self.closes} is not after opening {self.opens}")
        if self.lunch is None:
            return ((opens, closes),)
        lunch_start = _offset(self.lunch[0], end=False)
        lunch_end = _offset(self.lunch[1], end=True)
        if not opens < lunch_start < lunch_end < closes:
            raise CalendarError(
                f"lunch break {self.lunch[0]}–{self.lunch[1]} must lie strictly inside "
                f"{self.opens}–{self.closes}"
            )
        return ((opens, lunch_start), (lunch_end, closes))


def weekly_hours(
    hours: tuple[time, time] | Mapping[int, DayHours],
    *,
    lunch: tuple[time, time] | None,
    workdays: Iterable[int] | None,
) -> dict[int, DayHours]:
    """Normalize the calendar's ``hours``/``lunch``/``workdays`` arguments to weekday → hours.

    With a ``(opens, closes)`` pair the same hours apply to every workday (Monday–Friday unless
    ``workdays`` says otherwise). With a mapping, its keys are the workdays and ``lunch`` and
    ``workdays`` must not be given.
    """
    if isinstance(hours, Mapping):
        if lunch is not None or workdays is not None:
            raise CalendarError("with a per-weekday schedule, give lunch and workdays inside it")
        schedule = dict(hours)
    else:
        if len(hours) != 2:
            raise CalendarError(f"hours must be an (opens, closes) pair, got {hours!r}")
        days = (0, 1, 2, 3, 4) if workdays is None else tuple(workdays)
        day_hours = DayHours(hours[0], hours[1], lunch)
        schedule = dict.fromkeys(days, day_hours)
    if not schedule:
        raise CalendarError("a business calendar needs at least one workday")
    for weekday, day_hours in schedule.items():
        if weekday not in range(7):
            raise CalendarError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}")
        if not isinstance(day_hours, DayHours):
            raise CalendarError(f"weekday {weekday}: expected DayHours, got {day_hours!r}")
    return schedule
