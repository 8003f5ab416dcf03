"""The business calendar: working hours, Brazilian holidays and quiet hours in one time zone.

All arithmetic happens on UTC instants (Python compares and subtracts datetimes that share a
``ZoneInfo`` by wall-clock time, which is wrong across DST changes); local wall-clock times are
only used to decide which instants are working time. A local time that does not exist (the hour
skipped when DST starts) resolves to the first instant whose wall clock shows it or later, i.e.
the transition; a repeated local time (DST ends) resolves to its first occurrence.

Inputs must be timezone-aware (any zone). Instants are returned in UTC: an aware datetime in a
zone with DST never compares equal (``==``) to one in another zone during the repeated hour
(PEP 495), so a local result would be a trap. ``BusinessCalendar.local`` converts for display.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from bot.domain.calendar_hours import (
    END_OF_DAY,
    CalendarError,
    DayHours,
    WallSpan,
    weekly_hours,
)

__all__ = ["BusinessCalendar", "as_utc"]

_ONE_DAY = timedelta(days=1)
# Give up looking for the next working window after this many consecutive closed days.
_MAX_CLOSED_DAYS = 3660
_Window = tuple[datetime, datetime]


def as_utc(value: datetime, name: str) -> datetime:
    """``value`` as a UTC instant; naive datetimes are refused (their zone is unknown)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise CalendarError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


class BusinessCalendar:
    """Working time of a company: weekly hours, holidays and the time zone they are read in.

    Holidays are Brazil's national ones from the ``holidays`` library, plus the state's when
    ``state`` (e.g. ``"SP"``) is given, plus ``extra_holidays``. ``include_optional_holidays``
    adds the library's "optional" category (pontos facultativos: Carnaval Monday and Tuesday,
    Ash Wednesday, Corpus Christi, Christmas Eve, New Year's Eve, Public Servant's Day); it is off
    by default because those days are not national holidays, though many companies close on them
    (list such days in ``extra_holidays`` to close on some only).
    """

    def __init__(
        self,
        *,
        timezone: str = "America/Sao_Paulo",
        hours: tuple[time, time] | Mapping[int, DayHours] = (time(9), time(18)),
        lunch: tuple[time, time] | None = None,
        workdays: Iterable[int] | None = None,
        state: str | None = None,
        extra_holidays: Iterable[date] = (),
        include_optional_holidays: bool = False,
    ) -> None:
        try:
            self._tz = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CalendarError(f"unknown time zone {timezone!r}") from exc
        self.timezone = timezone
        self._schedule = weekly_hours(hours, lunch=lunch, workdays=workdays)
        self._spans: dict[int, tuple[WallSpan, ...]] = {
            weekday: day_hours.spans() for weekday, day_hours in self._schedule.items()
        }
        categories = ("public", "optional") if include_optional_holidays else ("public",)
        try:
            self._holidays = holidays.country_holidays("BR", subdiv=state, categories=categories)
        except (NotImplementedError, ValueError) as exc:
            raise CalendarError(f"unknown Brazilian state {state!r}") from exc
        self._state = state
        self._extra_holidays = frozenset(extra_holidays)
        self._windows = lru_cache(maxsize=4096)(self._compute_windows)

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar(timezone={self.timezone!r}, workdays={sorted(self._schedule)}, "
            f"state={self._state!r}, extra_holidays={len(self._extra_holidays)})"
        )

    def local(self, at: datetime) -> datetime:
        """``at`` on the calendar's wall clock (for display and for reading the local date)."""
        return as_utc(at, "at").astimezone(self._tz)

    # -- days ---------------------------------------------------------------------------------

    @property
    def workdays(self) -> frozenset[int]:
        """Weekdays with working hours (Monday = 0)."""
        return frozenset(self._schedule)

    def holiday_name(self, day: date) -> str | None:
        """The holiday's name when ``day`` is a holiday of this calendar, else None."""
        if day in self._extra_holidays:
            return "extra holiday"
        name = self._holidays.get(day)
        return None if name is None else str(name)

    def is_holiday(self, day: date) -> bool:
        return self.holiday_name(day) is not None

    def is_workday(self, day: date) -> bool:
        """True when ``day`` has working hours: a workday that is not a holiday."""
        return day.weekday() in self._schedule and not self.is_holiday(day)

    # -- working time -------------------------------------------------------------------------

    def windows(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The day's business windows as aware instants (opens, closes), in order; none on a
        closed day. Cached: callers summing many intervals may walk them directly."""
        return self._windows(day)

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end`` (negative when ``end`` is before ``start``)."""
        begin, finish = as_utc(start, "start"), as_utc(end, "end")
        if finish < begin:
            return -self.business_time_between(end, start)
        total = timedelta(0)
        day, last = self._local_date(begin) - _ONE_DAY, self._local_date(finish)
        while day <= last:
            for opens, closes in self._windows(day):
                overlap = min(closes, finish) - max(opens, begin)
                if overlap > timedelta(0):
                    total += overlap
            day += _ONE_DAY
        return total

    def business_seconds_between(self, start: datetime, end: datetime) -> float:
        """Working seconds from ``start`` to ``end`` (nights, weekends and holidays excluded)."""
        return self.business_time_between(start, end).total_seconds()

    def add_business_time(self, start: datetime, delta: timedelta) -> datetime:
        """The earliest instant by which ``delta`` of working time has passed since ``start``.

        A due time that uses up a day's last working minute is that day's closing time, not the
        next opening. ``delta`` of zero returns ``start`` itself (as UTC, like every result).
        """
        begin = as_utc(start, "start")
        if delta < timedelta(0):
            raise CalendarError(f"cannot add negative business time {delta}")
        if delta == timedelta(0):
            return begin
        remaining = delta
        for opens, closes in self._windows_from(self._local_date(begin) - _ONE_DAY):
            if closes <= begin:
                continue
            available = closes - max(opens, begin)
            if remaining <= available:
                return max(opens, begin) + remaining
            remaining -= available
        raise AssertionError("unreachable: _windows_from is endless or raises")

    def is_business_time(self, at: datetime) -> bool:
        instant = as_utc(at, "at")
        day = self._local_date(instant)
        return any(
            opens <= instant < closes
            for check in (day - _ONE_DAY, day)
            for opens, closes in self._windows(check)
        )

    def next_business_start(self, at: datetime) -> datetime:
        """``at`` itself during working time, else the start of the next working window."""
        instant = as_utc(at, "at")
        for opens, closes in self._windows_from(self._local_date(instant) - _ONE_DAY):
            if closes > instant:
                return max(opens, instant)
        raise AssertionError("unreachable: _windows_from is endless or raises")

    # -- client messaging ---------------------------------------------------------------------

    def is_quiet_hours(
        self, at: datetime, *, quiet_start: time = time(20), quiet_end: time = time(8)
    ) -> bool:
        """True when the local wall clock at ``at`` lies in [quiet_start, quiet_end)."""
        local = as_utc(at, "at").astimezone(self._tz).time()
        if quiet_start == quiet_end:
            return False
        if quiet_start < quiet_end:
            return quiet_start <= local < quiet_end
        return local >= quiet_start or local < quiet_end

    def next_allowed_send_time(
        self,
        at: datetime,
        *,
        allow_weekends: bool = False,
        allow_holidays: bool = False,
        quiet_start: time = time(20),
        quiet_end: time = time(8),
    ) -> datetime:
        """The earliest instant from ``at`` on when a business-initiated client message may go.

        Not in quiet hours, and (unless allowed) not on a day without working hours of this
        calendar ("weekend") nor on a holiday.
        """
        instant = as_utc(at, "at")
        spans = self._unquiet_spans(quiet_start, quiet_end)
        day = self._local_date(instant) - _ONE_DAY
        for _ in range(_MAX_CLOSED_DAYS):
            if (allow_weekends or day.weekday() in self._schedule) and (
                allow_holidays or not self.is_holiday(day)
            ):
                for opens, closes in self._resolve_spans(day, spans):
                    if closes > instant:
                        return max(opens, instant)
            day += _ONE_DAY
        raise CalendarError(f"no day allowed for client messages within {_MAX_CLOSED_DAYS} days")

    # -- internals ----------------------------------------------------------------------------

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self._tz).date()

    def _compute_windows(self, day: date) -> tuple[_Window, ...]:
        if not self.is_workday(day):
            return ()
        return self._resolve_spans(day, self._spans[day.weekday()])

    def _windows_from(self, day: date) -> Iterator[_Window]:
        closed = 0
        while True:
            windows = self._windows(day)
            closed = 0 if windows else closed + 1
            if closed > _MAX_CLOSED_DAYS:
                raise CalendarError(f"no working hours within {_MAX_CLOSED_DAYS} days of {day}")
            yield from windows
            day += _ONE_DAY

    def _resolve_spans(self, day: date, spans: Iterable[WallSpan]) -> tuple[_Window, ...]:
        midnight = datetime.combine(day, time())
        windows = []
        for start, end in spans:
            opens, closes = self._resolve(midnight + start), self._resolve(midnight + end)
            if closes > opens:
                windows.append((opens, closes))
        return tuple(windows)

    def _resolve(self, wall: datetime) -> datetime:
        """The first UTC instant at which the local wall clock shows ``wall`` or later."""
        instant = wall.replace(tzinfo=self._tz, fold=0).astimezone(UTC)
        if instant.astimezone(self._tz).replace(tzinfo=None) == wall:
            return instant
        # ``wall`` falls in a DST gap: search the transition between the two offsets' readings.
        low = int(wall.replace(tzinfo=self._tz, fold=1).timestamp())
        high = int(instant.timestamp()) + 1
        while high - low > 1:
            middle = (low + high) // 2
            shown = datetime.fromtimestamp(middle, self._tz).replace(tzinfo=None)
            low, high = (low, middle) if shown >= wall else (middle, high)
        return datetime.fromtimestamp(high, UTC)

    @staticmethod
    def _unquiet_spans(quiet_start: time, quiet_end: time) -> tuple[WallSpan, ...]:
        if quiet_start.tzinfo is not None or quiet_end.tzinfo is not None:
            raise CalendarError("quiet hours are local wall-clock times, not tz-aware")
        start = datetime.combine(date.min, quiet_start) - datetime.min
        end = datetime.combine(date.min, quiet_end) - datetime.min
        if start == end:
            return ((timedelta(0), END_OF_DAY),)
        if start < end:
            return ((timedelta(0), start), (end, END_OF_DAY))
        return ((end, start),)
