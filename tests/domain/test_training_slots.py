"""Slot generation from weekly availability (weekends, holidays, exceptions) and nearest slots."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.domain.business_time import BusinessCalendar
from bot.domain.training import (
    AvailabilityException,
    FreeSlot,
    TrainingRuleError,
    WeeklyAvailability,
    generate_slots,
    nearest_slots,
)

SP = timedelta(hours=-3)  # São Paulo has had no DST since 2019


def _utc(day: date, hour: int, minute: int = 0) -> datetime:
    """The UTC instant of a São Paulo wall-clock time."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - SP


def _weekdays(csm_id: int = 7, capacity: int = 3) -> list[WeeklyAvailability]:
    return [
        WeeklyAvailability(
            csm_id=csm_id,
            weekday=weekday,
            starts=time(9),
            ends=time(11, 30),
            duration=timedelta(minutes=60),
            capacity=capacity,
            meeting_url="https://meet.example.com/x",
        )
        for weekday in range(5)
    ]


def test_sessions_fill_the_window_in_local_time_and_skip_the_weekend() -> None:
    friday, monday = date(2026, 11, 27), date(2026, 11, 30)
    slots = generate_slots(_weekdays(), start=_utc(friday, 0), end=_utc(monday, 23))
    starts = [slot.starts_at for slot in slots]
    # 09:00–11:30 holds two 60-minute sessions (the third would end at 12:00).
    assert starts == [
        _utc(friday, 9),
        _utc(friday, 10),
        _utc(monday, 9),
        _utc(monday, 10),
    ]
    assert starts[0] == datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert all(slot.ends_at - slot.starts_at == timedelta(hours=1) for slot in slots)
    assert {slot.capacity for slot in slots} == {3}
    assert {slot.meeting_url for slot in slots} == {"https://meet.example.com/x"}


def test_holiday_and_exceptions_remove_sessions() -> None:
    calendar = BusinessCalendar(timezone="America/Sao_Paulo")
    christmas, monday = date(2026, 12, 25), date(2026, 12, 21)
    exceptions = [
        AvailabilityException(day=monday, csm_id=7),  # the CSM's day off
        AvailabilityException(day=date(2026, 12, 22), starts=time(10, 30), ends=time(11)),
        AvailabilityException(day=date(2026, 12, 23), csm_id=99),  # someone else's
    ]
    slots = generate_slots(
        _weekdays(),
        start=_utc(monday, 0),
        end=_utc(date(2026, 12, 28), 0),
        exceptions=exceptions,
        is_holiday=calendar.is_holiday,
    )
    by_day: dict[date, list[int]] = {}
    for slot in slots:
        local = slot.starts_at + SP
        by_day.setdefault(local.date(), []).append(local.hour)
    assert by_day == {
        date(2026, 12, 22): [9],  # 10:00–11:00 overlaps the 10:30–11:00 closure
        date(2026, 12, 23): [9, 10],
        date(2026, 12, 24): [9, 10],
    }
    assert christmas not in by_day


def test_window_bounds_are_start_inclusive_end_exclusive() -> None:
    day = date(2026, 11, 24)
    slots = generate_slots(_weekdays(), start=_utc(day, 9), end=_utc(day, 10))
    assert [slot.starts_at for slot in slots] == [_utc(day, 9)]
    assert generate_slots(_weekdays(), start=_utc(day, 10), end=_utc(day, 10)) == []


def test_rules_limited_in_time_and_by_csm() -> None:
    rule = WeeklyAvailability(
        csm_id=1,
        weekday=1,
        starts=time(14),
        ends=time(16),
        duration=timedelta(minutes=45),
        capacity=1,
        valid_from=date(2026, 12, 1),
    )
    slots = generate_slots(
        [rule], start=_utc(date(2026, 11, 23), 0), end=_utc(date(2026, 12, 9), 0)
    )
    assert [slot.starts_at for slot in slots] == [
        _utc(date(2026, 12, 1), 14),
        _utc(date(2026, 12, 1), 14, 45),
        _utc(date(2026, 12, 8), 14),
        _utc(date(2026, 12, 8), 14, 45),
    ]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"weekday": 7},
        {"ends": time(8)},
        {"duration": timedelta(0)},
        {"capacity": 0},
    ],
)
def test_nonsense_rules_are_refused(kwargs: dict[str, object]) -> None:
    base: dict[str, object] = {
        "csm_id": 1,
        "weekday": 0,
        "starts": time(9),
        "ends": time(12),
        "duration": timedelta(hours=1),
        "capacity": 1,
    }
    with pytest.raises(TrainingRuleError):
        WeeklyAvailability(**{**base, **kwargs})  # type: ignore[arg-type]


def test_naive_instants_are_refused() -> None:
    with pytest.raises(TrainingRuleError):
        generate_slots(_weekdays(), start=datetime(2026, 11, 23), end=datetime(2026, 11, 24))


def _free(slot_id: int, at: datetime, seats: int = 1) -> FreeSlot:
    return FreeSlot(
        slot_id=slot_id, csm_id=1, starts_at=at, ends_at=at + timedelta(hours=1), seats_left=seats
    )


def test_nearest_slots_rank_by_distance_prefer_later_and_skip_full() -> None:
    day = date(2026, 11, 26)
    slots = [
        _free(1, _utc(day, 9)),
        _free(2, _utc(day, 11)),
        _free(3, _utc(day, 10), seats=0),
        _free(4, _utc(day, 14)),
        _free(5, _utc(date(2026, 11, 27), 10)),
    ]
    ranked = nearest_slots(slots, requested=_utc(day, 10), limit=3)
    assert [slot.slot_id for slot in ranked] == [2, 1, 4]
    assert nearest_slots(slots, requested=_utc(day, 10), limit=0) == []
    nearest = [s.slot_id for s in nearest_slots(slots, requested=_utc(date(2026, 11, 27), 8))][:1]
    assert nearest == [5]
