"""A day's business windows (``BusinessCalendar.windows``), which the SLA report walks."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

from bot.domain.business_time import BusinessCalendar

SP = ZoneInfo("America/Sao_Paulo")


def test_a_days_windows_are_its_business_hours_around_lunch() -> None:
    calendar = BusinessCalendar(lunch=(time(12), time(13)))
    opens_closes = calendar.windows(date(2026, 12, 7))  # a Monday
    assert [(a.astimezone(SP).time(), b.astimezone(SP).time()) for a, b in opens_closes] == [
        (time(9), time(12)),
        (time(13), time(18)),
    ]


def test_a_closed_day_has_no_windows() -> None:
    calendar = BusinessCalendar()
    assert calendar.windows(date(2026, 12, 6)) == ()  # a Sunday
    assert calendar.windows(date(2026, 12, 25)) == ()  # Natal
