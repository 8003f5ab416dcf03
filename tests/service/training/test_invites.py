"""The booking's .ics invite, parsed back with icalendar."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.service.training import book, cancel, free_slots, rebook, sync_slots
from bot.service.training.invites import build_invite
from tests.service.training.scenario import MEETING_URL, NOW, World


def _event(ics: bytes) -> tuple[Calendar, object]:
    calendar = Calendar.from_ical(ics)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def test_invite_round_trip_request_update_cancel(world: World) -> None:
    world.availability(weekday=1, starts=time(14), ends=time(16), minutes=90)
    onboarding = world.onboarding()
    with world.factory.begin() as session:
        sync_slots(session, start=NOW, end=NOW + timedelta(days=14), now=NOW)
        first, second = (slot.slot_id for slot in free_slots(session, now=NOW))
        booking = book(
            session,
            slot_id=first,
            onboarding_id=onboarding,
            now=NOW,
            attendee_email="joana@padaria.example",
        )

    calendar, event = _event(build_invite(booking, now=NOW))
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == booking.uid  # type: ignore[index]
    assert int(event["SEQUENCE"]) == 0  # type: ignore[index]
    start = event["DTSTART"].dt  # type: ignore[index]
    end = event["DTEND"].dt  # type: ignore[index]
    assert start.tzinfo is not None and str(start.tzinfo) == "America/Sao_Paulo"
    assert (start.hour, start.minute) == (14, 0)
    assert start == datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
    assert end - start == timedelta(minutes=90)
    assert "Onboarding" in str(event["SUMMARY"])  # type: ignore[index]
    assert str(event["LOCATION"]) == MEETING_URL  # type: ignore[index]
    assert MEETING_URL in str(event["DESCRIPTION"])  # type: ignore[index]
    organizer = event["ORGANIZER"]  # type: ignore[index]
    assert str(organizer) == "mailto:carla@acolhe.example"
    assert organizer.params["CN"] == "Carla Souza"
    assert str(event["ATTENDEE"]) == "mailto:joana@padaria.example"  # type: ignore[index]
    assert str(event["STATUS"]) == "CONFIRMED"  # type: ignore[index]
    timezones = [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")]
    assert timezones == ["America/Sao_Paulo"]

    later = NOW + timedelta(hours=1)
    with world.factory.begin() as session:
        moved = rebook(session, booking_id=booking.booking_id, slot_id=second, now=later)
    _, event = _event(build_invite(moved, now=later))
    assert str(event["UID"]) == booking.uid  # type: ignore[index]
    assert int(event["SEQUENCE"]) == 1  # type: ignore[index]
    moved_start = event["DTSTART"].dt  # type: ignore[index]
    assert moved_start == datetime(2026, 12, 1, 14, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))

    with world.factory.begin() as session:
        cancelled = cancel(session, booking_id=booking.booking_id, now=later)
    calendar, event = _event(build_invite(cancelled, now=later))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"  # type: ignore[index]
    assert str(event["UID"]) == booking.uid  # type: ignore[index]
    assert int(event["SEQUENCE"]) == 2  # type: ignore[index]
