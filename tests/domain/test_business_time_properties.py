"""Property-based checks of business-time arithmetic against a minute-by-minute reference.

The reference decides, for every minute of a bounded range, whether that minute is working time
by reading the local wall clock (weekday, holiday list, opening hours); sums of those flags are
the expected answers. Ranges are a few weeks so each example stays cheap.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import accumulate
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.business_time import BusinessCalendar, DayHours, SlaPolicy, SlaState, evaluate_sla

MINUTE = timedelta(minutes=1)
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None)


@dataclass(frozen=True)
class Reference:
    """A calendar and, minute by minute over ``[base, base + size minutes)``, its expectations."""

    calendar: BusinessCalendar
    tz: ZoneInfo
    base: datetime
    business: tuple[bool, ...]
    sendable: tuple[bool, ...]
    prefix: tuple[int, ...]  # prefix[i] = business minutes among the first i minutes

    @property
    def size(self) -> int:
        return len(self.business)

    def at(self, minute: int, *, local: bool = False) -> datetime:
        instant = self.base + minute * MINUTE
        return instant.astimezone(self.tz) if local else instant

    def business_minutes(self, start: int, end: int) -> int:
        return self.prefix[end] - self.prefix[start]

    def first_true(self, flags: Sequence[bool], start: int) -> int:
        return next(i for i in range(start, len(flags)) if flags[i])


def build_reference(
    *,
    calendar: BusinessCalendar,
    timezone: str,
    first_day: date,
    days: int,
    is_open: Callable[[int, time], bool],
    holiday_days: set[date],
) -> Reference:
    tz = ZoneInfo(timezone)
    base = datetime.combine(first_day, time(), tz).astimezone(UTC)
    business, sendable = [], []
    for minute in range(days * 24 * 60):
        local = (base + minute * MINUTE).astimezone(tz)
        business.append(local.date() not in holiday_days and is_open(local.weekday(), local.time()))
        quiet = local.time() >= time(20) or local.time() < time(8)
        sendable.append(local.weekday() < 5 and local.date() not in holiday_days and not quiet)
    prefix = tuple(accumulate((int(flag) for flag in business), initial=0))
    return Reference(calendar, tz, base, tuple(business), tuple(sendable), prefix)


@cache
def sao_paulo() -> Reference:
    """Mon–Fri 09–18 with lunch 12–13, SP state holidays, plus one extra holiday."""
    extra = date(2026, 11, 25)
    calendar = BusinessCalendar(lunch=(time(12), time(13)), state="SP", extra_holidays={extra})
    library = holidays.country_holidays("BR", subdiv="SP", years=2026)
    holiday_days = set(library) | {extra}
    assert date(2026, 11, 20) in holiday_days  # the range crosses a Friday holiday

    def is_open(weekday: int, wall: time) -> bool:
        return weekday < 5 and (time(9) <= wall < time(12) or time(13) <= wall < time(18))

    return build_reference(
        calendar=calendar,
        timezone="America/Sao_Paulo",
        first_day=date(2026, 11, 9),
        days=28,
        is_open=is_open,
        holiday_days=holiday_days,
    )


@cache
def new_york(first_day: date) -> Reference:
    """Every day 00:30–04:00 with a break 02:15–02:45, across a DST change (BR holidays)."""
    hours = DayHours(time(0, 30), time(4), lunch=(time(2, 15), time(2, 45)))
    calendar = BusinessCalendar(timezone="America/New_York", hours=dict.fromkeys(range(7), hours))

    def is_open(weekday: int, wall: time) -> bool:
        return time(0, 30) <= wall < time(2, 15) or time(2, 45) <= wall < time(4)

    return build_reference(
        calendar=calendar,
        timezone="America/New_York",
        first_day=first_day,
        days=6,
        is_open=is_open,
        holiday_days=set(holidays.country_holidays("BR", years=2026)),
    )


REFERENCES: dict[str, Callable[[], Reference]] = {
    "sao-paulo": sao_paulo,
    "new-york-spring": lambda: new_york(date(2026, 3, 6)),
    "new-york-autumn": lambda: new_york(date(2026, 10, 30)),
}
references = st.sampled_from(sorted(REFERENCES)).map(lambda name: REFERENCES[name]())
fractions = st.floats(min_value=0.0, max_value=1.0)


def minute_in(ref: Reference, fraction: float, *, upto: float = 1.0) -> int:
    return min(int(fraction * upto * ref.size), ref.size - 1)


@PROPERTY_SETTINGS
@given(ref=references, a=fractions, b=fractions, local=st.booleans())
def test_business_seconds_match_reference(ref: Reference, a: float, b: float, local: bool) -> None:
    start, end = minute_in(ref, a), minute_in(ref, b)
    expected = ref.business_minutes(min(start, end), max(start, end)) * 60
    got = ref.calendar.business_seconds_between(ref.at(start, local=local), ref.at(end))
    assert got == (expected if start <= end else -expected)


@PROPERTY_SETTINGS
@given(ref=references, a=fractions)
def test_is_business_time_and_next_start_match_reference(ref: Reference, a: float) -> None:
    minute = minute_in(ref, a, upto=0.6)
    assert ref.calendar.is_business_time(ref.at(minute)) == ref.business[minute]
    expected = ref.first_true(ref.business, minute)
    assert ref.calendar.next_business_start(ref.at(minute)) == ref.at(expected)


@PROPERTY_SETTINGS
@given(ref=references, a=fractions, amount=fractions)
def test_add_business_time_matches_reference(ref: Reference, a: float, amount: float) -> None:
    start = minute_in(ref, a, upto=0.5)
    available = ref.business_minutes(start, ref.size)
    minutes = int(amount * available)
    got = ref.calendar.add_business_time(ref.at(start), minutes * MINUTE)
    # The end of the minutes-th working minute after start (start itself for zero).
    expected = start if minutes == 0 else bisect_left(ref.prefix, ref.prefix[start] + minutes)
    assert got == ref.at(expected)
    assert got.tzinfo == UTC


@PROPERTY_SETTINGS
@given(ref=references, a=fractions)
def test_next_allowed_send_time_matches_reference(ref: Reference, a: float) -> None:
    minute = minute_in(ref, a, upto=0.4)
    got = ref.calendar.next_allowed_send_time(ref.at(minute))
    if ref.calendar.workdays == frozenset(range(5)):
        assert got == ref.at(ref.first_true(ref.sendable, minute))
    local = got.astimezone(ref.tz)
    assert not ref.calendar.is_quiet_hours(got)
    assert time(8) <= local.time() < time(20)
    assert not ref.calendar.is_holiday(local.date())


# -- algebraic properties at microsecond precision ---------------------------------------------

instants = st.datetimes(
    min_value=datetime(2026, 11, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=12))


@PROPERTY_SETTINGS
@given(a=instants, b=instants, c=instants)
def test_additivity(a: datetime, b: datetime, c: datetime) -> None:
    calendar = sao_paulo().calendar
    whole = calendar.business_time_between(a, c)
    assert whole == calendar.business_time_between(a, b) + calendar.business_time_between(b, c)


@PROPERTY_SETTINGS
@given(start=instants, end=instants)
def test_add_inverts_between(start: datetime, end: datetime) -> None:
    calendar = sao_paulo().calendar
    start, end = min(start, end), max(start, end)
    spent = calendar.business_time_between(start, end)
    due = calendar.add_business_time(start, spent)
    assert start <= due <= end
    assert calendar.business_time_between(due, end) == timedelta(0)
    assert calendar.business_time_between(start, due) == spent
    seconds = calendar.business_seconds_between(start, end)
    assert calendar.add_business_time(start, timedelta(seconds=seconds)) == due


@PROPERTY_SETTINGS
@given(start=instants, first=durations, second=durations)
def test_monotonic_and_composable(start: datetime, first: timedelta, second: timedelta) -> None:
    calendar = sao_paulo().calendar
    small, large = min(first, second), max(first, second)
    assert calendar.add_business_time(start, small) <= calendar.add_business_time(start, large)
    assert calendar.business_time_between(start, start + small) <= calendar.business_time_between(
        start, start + large
    )
    if first > timedelta(0):
        # Adding in two steps equals adding at once (the first step ends inside working time).
        step = calendar.add_business_time(start, first)
        assert calendar.add_business_time(step, second) == calendar.add_business_time(
            start, first + second
        )


# -- SLA clocks ---------------------------------------------------------------------------------

pause_lists = st.lists(st.tuples(fractions, fractions, st.booleans()), max_size=4)


@PROPERTY_SETTINGS
@given(
    entered=fractions,
    now=fractions,
    raw_pauses=pause_lists,
    target_minutes=st.integers(min_value=1, max_value=2400),
    pausing=st.booleans(),
)
def test_sla_matches_reference(
    entered: float,
    now: float,
    raw_pauses: list[tuple[float, float, bool]],
    target_minutes: int,
    pausing: bool,
) -> None:
    ref = sao_paulo()
    entered_at, now_at = sorted((minute_in(ref, entered, upto=0.5), minute_in(ref, now, upto=0.5)))
    pauses: list[tuple[datetime, datetime | None]] = []
    paused = [False] * ref.size
    for low_f, high_f, open_ended in raw_pauses:
        low, high = sorted((minute_in(ref, low_f, upto=0.5), minute_in(ref, high_f, upto=0.5)))
        pauses.append((ref.at(low), None if open_ended else ref.at(high)))
        for minute in range(max(low, entered_at), now_at if open_ended else min(high, now_at)):
            paused[minute] = True
    policy = SlaPolicy(target=target_minutes * MINUTE, pauses_while_waiting_on_client=pausing)
    status = evaluate_sla(
        policy=policy,
        calendar=ref.calendar,
        entered_at=ref.at(entered_at),
        now=ref.at(now_at),
        pauses=pauses,
    )

    window = range(entered_at, now_at)
    company = sum(1 for m in window if ref.business[m] and paused[m])
    client = sum(1 for m in window if ref.business[m] and not paused[m])
    elapsed = client if pausing else client + company
    assert status.company_waiting_seconds == company * 60
    assert status.client_waiting_seconds == client * 60
    assert status.elapsed_business_seconds == elapsed * 60
    counted, minute = 0, entered_at
    while counted < target_minutes:  # the clock runs on working minutes, stops when paused
        if ref.business[minute] and not (pausing and paused[minute]):
            counted += 1
        minute += 1
    assert status.due_at == ref.at(minute)
    if elapsed >= target_minutes:
        assert status.status == SlaState.BREACHED
        assert status.due_at <= ref.at(now_at)
    elif elapsed >= 0.8 * target_minutes:
        assert status.status == SlaState.AT_RISK
    else:
        assert status.status == SlaState.ON_TRACK
        assert status.due_at > ref.at(now_at)
