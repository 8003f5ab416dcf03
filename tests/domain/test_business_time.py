"""Business-time arithmetic and SLA clocks: worked examples across nights, weekends, holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.business_time import (
    BusinessCalendar,
    CalendarError,
    DayHours,
    SlaPolicy,
    SlaState,
    evaluate_sla,
)

SP = ZoneInfo("America/Sao_Paulo")
NY = ZoneInfo("America/New_York")


def sp(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SP)


@pytest.fixture
def calendar() -> BusinessCalendar:
    return BusinessCalendar()


@pytest.fixture
def lunch_calendar() -> BusinessCalendar:
    return BusinessCalendar(lunch=(time(12), time(13)))


# -- holidays -----------------------------------------------------------------------------------


def test_consciencia_negra_is_national_from_2024_only(calendar: BusinessCalendar) -> None:
    # Lei 14.759/2023 made 20 November a national holiday from 2024 on.
    assert calendar.is_holiday(date(2026, 11, 20))
    assert "Black Awareness" in (calendar.holiday_name(date(2026, 11, 20)) or "")
    assert not calendar.is_holiday(date(2023, 11, 20))


def test_carnaval_is_not_a_holiday_unless_configured() -> None:
    carnival_tuesday = date(2026, 2, 17)
    assert not BusinessCalendar().is_holiday(carnival_tuesday)
    assert BusinessCalendar(include_optional_holidays=True).is_holiday(carnival_tuesday)
    assert BusinessCalendar(extra_holidays={carnival_tuesday}).is_holiday(carnival_tuesday)


def test_state_holidays_only_with_a_state() -> None:
    revolution_day = date(2026, 7, 9)  # São Paulo state holiday
    assert not BusinessCalendar().is_holiday(revolution_day)
    assert BusinessCalendar(state="SP").is_holiday(revolution_day)
    assert not BusinessCalendar(state="RJ").is_holiday(revolution_day)


def test_good_friday_moves_with_easter(calendar: BusinessCalendar) -> None:
    assert calendar.is_holiday(date(2026, 4, 3))
    assert calendar.is_holiday(date(2025, 4, 18))
    assert not calendar.is_workday(date(2026, 4, 4))  # Saturday
    assert calendar.is_workday(date(2026, 4, 6))


# -- adding and measuring business time ---------------------------------------------------------


def test_overnight(calendar: BusinessCalendar) -> None:
    assert calendar.add_business_time(sp(2026, 11, 11, 17), timedelta(hours=2)) == sp(
        2026, 11, 12, 10
    )
    assert calendar.business_seconds_between(sp(2026, 11, 11, 17), sp(2026, 11, 12, 10)) == 7200


def test_over_a_weekend(calendar: BusinessCalendar) -> None:
    assert calendar.add_business_time(sp(2026, 11, 13, 17), timedelta(hours=2)) == sp(
        2026, 11, 16, 10
    )
    assert calendar.business_seconds_between(sp(2026, 11, 13, 17), sp(2026, 11, 16, 10)) == 7200


def test_over_a_holiday_and_a_weekend(calendar: BusinessCalendar) -> None:
    # Thursday 19 Nov 2026 17:00 + 2 h: Friday 20 is Consciência Negra, then the weekend.
    due = calendar.add_business_time(sp(2026, 11, 19, 17), timedelta(hours=2))
    assert due == sp(2026, 11, 23, 10)
    assert due.tzinfo == UTC and calendar.local(due).tzinfo == SP


def test_christmas_fortnight(calendar: BusinessCalendar) -> None:
    # 21 Dec 2026 – 4 Jan 2027: 25 Dec and 1 Jan are holidays, leaving 8 working days of 9 h.
    seconds = calendar.business_seconds_between(sp(2026, 12, 21), sp(2027, 1, 4))
    assert seconds == 8 * 9 * 3600


def test_due_at_closing_time_not_next_opening(calendar: BusinessCalendar) -> None:
    assert calendar.add_business_time(sp(2026, 11, 13, 17), timedelta(hours=1)) == sp(
        2026, 11, 13, 18
    )


def test_start_outside_hours_starts_at_next_opening(calendar: BusinessCalendar) -> None:
    saturday_night = sp(2026, 11, 14, 23)
    assert calendar.add_business_time(saturday_night, timedelta(minutes=30)) == sp(
        2026, 11, 16, 9, 30
    )
    assert calendar.add_business_time(saturday_night, timedelta(0)) == saturday_night


def test_negative_interval_is_negated(calendar: BusinessCalendar) -> None:
    assert calendar.business_seconds_between(sp(2026, 11, 16, 10), sp(2026, 11, 13, 17)) == -7200


def test_lunch_break(lunch_calendar: BusinessCalendar) -> None:
    assert lunch_calendar.add_business_time(sp(2026, 11, 12, 11, 30), timedelta(hours=1)) == sp(
        2026, 11, 12, 13, 30
    )
    assert lunch_calendar.business_seconds_between(sp(2026, 11, 12), sp(2026, 11, 13)) == 8 * 3600
    assert not lunch_calendar.is_business_time(sp(2026, 11, 12, 12, 30))
    assert lunch_calendar.next_business_start(sp(2026, 11, 12, 12, 30)) == sp(2026, 11, 12, 13)


def test_boundaries(calendar: BusinessCalendar) -> None:
    assert calendar.is_business_time(sp(2026, 11, 12, 9))
    assert calendar.is_business_time(sp(2026, 11, 12, 17, 59))
    assert not calendar.is_business_time(sp(2026, 11, 12, 18))
    assert not calendar.is_business_time(sp(2026, 11, 14, 10))  # Saturday
    assert calendar.next_business_start(sp(2026, 11, 12, 10)) == sp(2026, 11, 12, 10)
    assert calendar.next_business_start(sp(2026, 11, 14, 10)) == sp(2026, 11, 16, 9)


def test_other_zone_inputs_are_converted(calendar: BusinessCalendar) -> None:
    # 12:00 UTC is 09:00 in São Paulo (UTC-3).
    start = datetime(2026, 11, 12, 12, tzinfo=UTC)
    assert calendar.is_business_time(start)
    assert not calendar.is_business_time(start - timedelta(seconds=1))
    assert calendar.add_business_time(start, timedelta(hours=9)) == sp(2026, 11, 12, 18)


def test_per_weekday_schedule() -> None:
    weekday = DayHours(time(8), time(17), lunch=(time(12), time(13)))
    calendar = BusinessCalendar(
        hours={
            0: weekday,
            1: weekday,
            2: weekday,
            3: weekday,
            4: weekday,
            5: DayHours(time(9), time(13)),
        }
    )
    assert calendar.workdays == frozenset(range(6))
    assert calendar.is_business_time(sp(2026, 11, 14, 12))  # Saturday morning
    assert calendar.add_business_time(sp(2026, 11, 13, 16), timedelta(hours=3)) == sp(
        2026, 11, 14, 11
    )
    assert calendar.add_business_time(sp(2026, 11, 14, 12), timedelta(hours=2)) == sp(
        2026, 11, 16, 9
    )


def test_closing_at_midnight() -> None:
    calendar = BusinessCalendar(hours=(time(22), time(0)), workdays=range(7))
    assert calendar.business_seconds_between(sp(2026, 11, 7), sp(2026, 11, 9)) == 4 * 3600
    assert calendar.add_business_time(sp(2026, 11, 7, 23), timedelta(hours=1)) == sp(2026, 11, 8)
    assert calendar.add_business_time(sp(2026, 11, 7, 23), timedelta(hours=1.5)) == sp(
        2026, 11, 8, 22, 30
    )
    assert calendar.is_business_time(sp(2026, 11, 7, 23, 59))
    assert not calendar.is_business_time(sp(2026, 11, 8))


# -- daylight saving time: none in Brazil since 2019, but nothing assumes it ---------------------


def test_new_york_spring_forward_and_fall_back() -> None:
    sunday = DayHours(time(1), time(4))
    calendar = BusinessCalendar(timezone="America/New_York", hours={6: sunday})
    spring = datetime(2026, 3, 8, tzinfo=NY)  # 02:00 -> 03:00
    assert calendar.business_seconds_between(spring, spring + timedelta(days=1)) == 2 * 3600
    autumn = datetime(2026, 11, 1, tzinfo=NY)  # 02:00 -> 01:00
    assert calendar.business_seconds_between(autumn, autumn + timedelta(days=1)) == 4 * 3600
    due = calendar.add_business_time(autumn, timedelta(hours=3, minutes=30))
    assert due.astimezone(UTC) == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)


def test_opening_inside_a_dst_gap_opens_at_the_transition() -> None:
    calendar = BusinessCalendar(
        timezone="America/New_York", hours={6: DayHours(time(2, 30), time(5))}
    )
    spring = datetime(2026, 3, 8, tzinfo=NY)
    # 02:30 does not exist that night; the clock shows 03:00 EDT (07:00 UTC) first.
    assert calendar.next_business_start(spring) == datetime(2026, 3, 8, 7, tzinfo=UTC)
    assert calendar.business_seconds_between(spring, spring + timedelta(days=1)) == 2 * 3600


def test_historic_brazilian_dst() -> None:
    # 4 Nov 2018: São Paulo skipped 00:00-01:00. 17/18 Feb 2018: 23:00-24:00 happened twice.
    sundays = BusinessCalendar(hours={6: DayHours(time(0), time(2))})
    start_dst = sp(2018, 11, 4)
    assert sundays.business_seconds_between(start_dst, start_dst + timedelta(days=1)) == 3600
    assert sundays.next_business_start(start_dst) == datetime(2018, 11, 4, 3, tzinfo=UTC)
    saturday_nights = BusinessCalendar(hours={5: DayHours(time(22), time(0))})
    end_dst = datetime(2018, 2, 17, 12, tzinfo=UTC)
    # 22:00-24:00 BRST, then 23:00-24:00 BRT again.
    assert saturday_nights.business_seconds_between(end_dst, end_dst + timedelta(days=1)) == 10800


# -- quiet hours and client messages ------------------------------------------------------------


def test_quiet_hours(calendar: BusinessCalendar) -> None:
    assert calendar.is_quiet_hours(sp(2026, 11, 12, 20))
    assert calendar.is_quiet_hours(sp(2026, 11, 12, 7, 59))
    assert not calendar.is_quiet_hours(sp(2026, 11, 12, 8))
    assert not calendar.is_quiet_hours(sp(2026, 11, 12, 19, 59))
    assert calendar.is_quiet_hours(sp(2026, 11, 12, 13), quiet_start=time(12), quiet_end=time(14))
    assert not calendar.is_quiet_hours(sp(2026, 11, 12, 3), quiet_start=time(3), quiet_end=time(3))


def test_next_allowed_send_time(calendar: BusinessCalendar) -> None:
    assert calendar.next_allowed_send_time(sp(2026, 11, 12, 19)) == sp(2026, 11, 12, 19)
    assert calendar.next_allowed_send_time(sp(2026, 11, 12, 21)) == sp(2026, 11, 13, 8)
    assert calendar.next_allowed_send_time(sp(2026, 11, 13, 6)) == sp(2026, 11, 13, 8)
    # Friday night -> Monday 08:00; allowing weekends -> Saturday 08:00.
    assert calendar.next_allowed_send_time(sp(2026, 11, 13, 21)) == sp(2026, 11, 16, 8)
    assert calendar.next_allowed_send_time(sp(2026, 11, 13, 21), allow_weekends=True) == sp(
        2026, 11, 14, 8
    )
    # Thursday night before Consciência Negra.
    assert calendar.next_allowed_send_time(sp(2026, 11, 19, 20, 30)) == sp(2026, 11, 23, 8)
    assert calendar.next_allowed_send_time(sp(2026, 11, 19, 20, 30), allow_holidays=True) == sp(
        2026, 11, 20, 8
    )
    assert calendar.next_allowed_send_time(
        datetime(2026, 11, 13, 0, 30, tzinfo=UTC)  # 21:30 Thursday in São Paulo
    ) == sp(2026, 11, 13, 8)


# -- configuration errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timezone": "Mars/Olympus_Mons"},
        {"state": "XX"},
        {"hours": (time(18), time(9))},
        {"hours": (time(9), time(18)), "lunch": (time(8), time(10))},
        {"hours": (time(9), time(18)), "workdays": []},
        {"hours": {7: DayHours(time(9), time(18))}},
        {"hours": {0: DayHours(time(9), time(18))}, "workdays": [0]},
    ],
)
def test_bad_configuration(kwargs: dict[str, object]) -> None:
    with pytest.raises(CalendarError):
        BusinessCalendar(**kwargs)  # type: ignore[arg-type]


def test_naive_datetimes_are_refused(calendar: BusinessCalendar) -> None:
    with pytest.raises(CalendarError, match="timezone-aware"):
        calendar.business_seconds_between(datetime(2026, 1, 5, 9), sp(2026, 1, 6))
    with pytest.raises(CalendarError):
        calendar.add_business_time(sp(2026, 1, 5), timedelta(hours=-1))


# -- SLA ----------------------------------------------------------------------------------------


def policy(hours: float, *, pausing: bool = True) -> SlaPolicy:
    return SlaPolicy(target=timedelta(hours=hours), pauses_while_waiting_on_client=pausing)


def test_sla_states_and_thresholds(calendar: BusinessCalendar) -> None:
    entered = sp(2026, 11, 16, 9)  # Monday
    due = sp(2026, 11, 17, 10)  # 10 business hours later
    for now, expected in [
        (sp(2026, 11, 16, 9), SlaState.ON_TRACK),
        (sp(2026, 11, 16, 16, 59), SlaState.ON_TRACK),  # 7 h 59 min used
        (sp(2026, 11, 16, 17), SlaState.AT_RISK),  # 8 h = 80 % of 10 h
        (sp(2026, 11, 17, 7, 59), SlaState.AT_RISK),  # 9 h used, overnight
        (sp(2026, 11, 17, 9, 59), SlaState.AT_RISK),
        (sp(2026, 11, 17, 10), SlaState.BREACHED),
        (sp(2026, 11, 24, 10), SlaState.BREACHED),
    ]:
        status = evaluate_sla(policy=policy(10), calendar=calendar, entered_at=entered, now=now)
        assert status.status == expected, now
        assert status.due_at == due
        assert status.company_waiting_seconds == 0
        assert status.client_waiting_seconds == status.elapsed_business_seconds


def test_at_risk_share_is_configurable(calendar: BusinessCalendar) -> None:
    strict = SlaPolicy(
        target=timedelta(hours=10), pauses_while_waiting_on_client=False, at_risk_share=0.5
    )
    status = evaluate_sla(
        policy=strict, calendar=calendar, entered_at=sp(2026, 11, 16, 9), now=sp(2026, 11, 16, 14)
    )
    assert status.status == SlaState.AT_RISK
    assert status.remaining_business_seconds == 5 * 3600
    assert status.status.value == "at_risk"  # serializes as the plain string


def test_pauses_stop_the_clock_and_move_the_due_time(calendar: BusinessCalendar) -> None:
    entered = sp(2026, 11, 16, 9)
    # Waiting on the client from Monday 15:00 to Tuesday 11:00: 3 h + 2 h of business time.
    pauses = [(sp(2026, 11, 16, 15), sp(2026, 11, 17, 11))]
    now = sp(2026, 11, 17, 14)
    paused = evaluate_sla(
        policy=policy(10), calendar=calendar, entered_at=entered, now=now, pauses=pauses
    )
    assert paused.company_waiting_seconds == 5 * 3600
    assert paused.client_waiting_seconds == 6 * 3600 + 3 * 3600
    assert paused.elapsed_business_seconds == 9 * 3600
    assert paused.status == SlaState.AT_RISK
    assert paused.due_at == sp(2026, 11, 17, 15)  # 10:00 + 5 h of pause
    running = evaluate_sla(
        policy=policy(10, pausing=False),
        calendar=calendar,
        entered_at=entered,
        now=now,
        pauses=pauses,
    )
    assert running.elapsed_business_seconds == 14 * 3600
    assert running.status == SlaState.BREACHED
    assert running.due_at == sp(2026, 11, 17, 10)
    assert running.company_waiting_seconds == paused.company_waiting_seconds


def test_open_pause_keeps_moving_the_due_time(calendar: BusinessCalendar) -> None:
    entered = sp(2026, 11, 16, 9)
    pauses = [(sp(2026, 11, 16, 13), None)]
    dues = [
        evaluate_sla(
            policy=policy(8), calendar=calendar, entered_at=entered, now=now, pauses=pauses
        )
        for now in (sp(2026, 11, 16, 16), sp(2026, 11, 18, 16))
    ]
    assert [d.elapsed_business_seconds for d in dues] == [4 * 3600, 4 * 3600]
    assert [d.status for d in dues] == [SlaState.ON_TRACK, SlaState.ON_TRACK]
    assert dues[0].due_at == sp(2026, 11, 17, 11)  # 4 h left from Monday 16:00
    assert dues[1].due_at == sp(2026, 11, 19, 11)


def test_pause_over_a_weekend_counts_only_business_time(calendar: BusinessCalendar) -> None:
    status = evaluate_sla(
        policy=policy(20),
        calendar=calendar,
        entered_at=sp(2026, 11, 13, 9),  # Friday
        now=sp(2026, 11, 16, 18),
        pauses=[(sp(2026, 11, 13, 17), sp(2026, 11, 16, 10))],
    )
    assert status.company_waiting_seconds == 2 * 3600
    assert status.elapsed_business_seconds == 16 * 3600
    assert status.due_at == sp(2026, 11, 17, 13)


def test_overlapping_and_out_of_range_pauses(calendar: BusinessCalendar) -> None:
    status = evaluate_sla(
        policy=policy(40),
        calendar=calendar,
        entered_at=sp(2026, 11, 16, 9),
        now=sp(2026, 11, 16, 18),
        pauses=[
            (sp(2026, 11, 16, 10), sp(2026, 11, 16, 12)),
            (sp(2026, 11, 16, 11), sp(2026, 11, 16, 13)),  # overlaps: 10-13 counts once
            (sp(2026, 11, 13, 9), sp(2026, 11, 16, 9, 30)),  # starts before the stage
            (sp(2026, 11, 17, 9), None),  # after now
        ],
    )
    assert status.company_waiting_seconds == 3.5 * 3600
    assert status.client_waiting_seconds == 5.5 * 3600


def test_sla_input_errors(calendar: BusinessCalendar) -> None:
    with pytest.raises(CalendarError):
        evaluate_sla(
            policy=policy(1), calendar=calendar, entered_at=sp(2026, 1, 6), now=sp(2026, 1, 5)
        )
    with pytest.raises(CalendarError):
        evaluate_sla(
            policy=policy(1),
            calendar=calendar,
            entered_at=sp(2026, 1, 5),
            now=sp(2026, 1, 6),
            pauses=[(sp(2026, 1, 5, 12), sp(2026, 1, 5, 11))],
        )
    with pytest.raises(CalendarError):
        SlaPolicy(target=timedelta(0), pauses_while_waiting_on_client=True)
    with pytest.raises(CalendarError):
        SlaPolicy(target=timedelta(hours=1), pauses_while_waiting_on_client=True, at_risk_share=0)
