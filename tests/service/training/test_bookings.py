"""Booking, rebooking and cancelling against a real database (SQLite; PostgreSQL in CI)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, select

from bot.domain.business_time import BusinessCalendar
from bot.service.training import (
    AlreadyBooked,
    BookingClosed,
    BookingNotFound,
    BookingView,
    SlotUnavailable,
    TrainingError,
    book,
    cancel,
    free_slots,
    nearest_free_slots,
    rebook,
    sync_slots,
)
from bot.storage.models import Base, TrainingException, TrainingSlot
from tests.service.training.scenario import MEETING_URL, NOW, World

TUESDAY = date(2026, 11, 24)


def _at(day: date, hour: int) -> datetime:
    """The UTC instant of ``hour`` o'clock in São Paulo (UTC-3)."""
    return datetime(day.year, day.month, day.day, hour + 3, tzinfo=UTC)


def _synced(world: World, *, capacity: int = 1, days: int = 7) -> list[int]:
    """Tuesday and Thursday sessions 09:00, 10:00, 11:00 for ``days`` days from NOW; slot ids."""
    for weekday in (1, 3):
        world.availability(weekday=weekday, starts=time(9), ends=time(12), capacity=capacity)
    with world.factory.begin() as session:
        sync_slots(session, start=NOW, end=NOW + timedelta(days=days), now=NOW)
        return [slot.slot_id for slot in free_slots(session, now=NOW)]


def _seats(world: World, slot_id: int) -> int:
    with world.factory() as session:
        slot = session.get(TrainingSlot, slot_id)
        assert slot is not None
        return slot.seats_taken


def test_sync_materializes_sessions_once_and_follows_exceptions(world: World) -> None:
    world.availability(weekday=1, starts=time(9), ends=time(12))
    with world.factory.begin() as session:
        assert sync_slots(session, start=NOW, end=NOW + timedelta(days=7), now=NOW) == 3
        assert sync_slots(session, start=NOW, end=NOW + timedelta(days=7), now=NOW) == 0
        session.add(
            TrainingException(
                csm_id=world.csm_id, day=TUESDAY, starts=time(10), ends=time(11), created_at=NOW
            )
        )
        session.flush()
        sync_slots(session, start=NOW, end=NOW + timedelta(days=7), now=NOW)
        starts = [slot.starts_at for slot in free_slots(session, now=NOW)]
    assert starts == [_at(TUESDAY, 9), _at(TUESDAY, 11)]


def test_sync_skips_holidays_given_by_the_business_calendar(world: World) -> None:
    world.availability(weekday=4, starts=time(9), ends=time(10))  # Fridays
    calendar = BusinessCalendar()
    with world.factory.begin() as session:
        sync_slots(
            session,
            start=_at(date(2026, 12, 14), 0),
            end=_at(date(2027, 1, 4), 0),
            now=NOW,
            is_holiday=calendar.is_holiday,
        )
        days = [
            (slot.starts_at - timedelta(hours=3)).date() for slot in free_slots(session, now=NOW)
        ]
    # Christmas (25th) and New Year's Day (1st) are Fridays in 2026.
    assert days == [date(2026, 12, 18)]


def test_book_rebook_cancel_move_seats_and_keep_the_uid(world: World) -> None:
    first, second, *_ = _synced(world, capacity=2)
    onboarding = world.onboarding()
    with world.factory.begin() as session:
        booked = book(session, slot_id=first, onboarding_id=onboarding, now=NOW)
    assert (booked.status, booked.sequence, booked.slot_id) == ("booked", 0, first)
    assert booked.starts_at == _at(TUESDAY, 9)
    assert booked.meeting_url == MEETING_URL
    assert (booked.csm_name, booked.csm_email) == ("Carla Souza", "carla@acolhe.example")
    assert _seats(world, first) == 1

    with world.factory.begin() as session:
        moved = rebook(session, booking_id=booked.booking_id, slot_id=second, now=NOW)
    assert (moved.uid, moved.sequence, moved.slot_id) == (booked.uid, 1, second)
    assert (_seats(world, first), _seats(world, second)) == (0, 1)

    with world.factory.begin() as session:
        cancelled = cancel(session, booking_id=booked.booking_id, now=NOW)
    assert (cancelled.status, cancelled.sequence, cancelled.uid) == ("cancelled", 2, booked.uid)
    assert _seats(world, second) == 0

    # A cancelled onboarding may book again; the new booking has a new UID.
    with world.factory.begin() as session:
        again = book(session, slot_id=first, onboarding_id=onboarding, now=NOW)
    assert again.uid != booked.uid


def test_errors_leave_seats_unchanged(world: World) -> None:
    first, second, *_ = _synced(world)
    alice, bob = world.onboarding(), world.onboarding()
    with world.factory.begin() as session:
        booking = book(session, slot_id=first, onboarding_id=alice, now=NOW)

    cases: list[tuple[type[TrainingError], dict[str, object]]] = [
        (SlotUnavailable, {"call": book, "slot_id": first, "onboarding_id": bob}),
        (AlreadyBooked, {"call": book, "slot_id": second, "onboarding_id": alice}),
        (SlotUnavailable, {"call": book, "slot_id": 999_999, "onboarding_id": bob}),
        (BookingNotFound, {"call": cancel, "booking_id": 999_999}),
        (SlotUnavailable, {"call": rebook, "booking_id": booking.booking_id, "slot_id": 999_999}),
    ]
    for error, arguments in cases:
        call = arguments.pop("call")
        with world.factory() as session, pytest.raises(error):
            call(session, now=NOW, **arguments)  # type: ignore[operator]
            session.commit()
    assert (_seats(world, first), _seats(world, second)) == (1, 0)

    # Too late: the session has started.
    started = _at(TUESDAY, 9) + timedelta(minutes=5)
    with world.factory() as session, pytest.raises(BookingClosed):
        cancel(session, booking_id=booking.booking_id, now=started)
    with world.factory() as session, pytest.raises(SlotUnavailable):
        book(session, slot_id=second, onboarding_id=bob, now=NOW, min_notice=timedelta(days=2))

    with world.factory.begin() as session:
        cancel(session, booking_id=booking.booking_id, now=NOW)
    with world.factory() as session, pytest.raises(BookingClosed):
        cancel(session, booking_id=booking.booking_id, now=NOW)
    assert _seats(world, first) == 0


def test_nearest_free_slots_for_a_requested_time(world: World) -> None:
    slots = _synced(world, days=7)
    thursday = date(2026, 11, 26)
    onboarding = world.onboarding()
    with world.factory.begin() as session:
        book(session, slot_id=slots[4], onboarding_id=onboarding, now=NOW)  # Thu 10:00
        nearest = nearest_free_slots(session, requested=_at(thursday, 10), now=NOW, limit=3)
    assert [slot.starts_at for slot in nearest] == [
        _at(thursday, 11),
        _at(thursday, 9),
        _at(TUESDAY, 11),
    ]


@pytest.mark.parametrize(("capacity", "clients"), [(1, 2), (2, 5)])
def test_racing_clients_never_overbook(world: World, capacity: int, clients: int) -> None:
    slot_id = _synced(world, capacity=capacity)[0]
    onboardings = [world.onboarding() for _ in range(clients)]
    barrier = threading.Barrier(clients)
    won: list[BookingView] = []
    lost: list[TrainingError] = []
    failed: list[BaseException] = []

    def attempt(onboarding_id: int) -> None:
        try:
            barrier.wait(timeout=10)
            with world.factory.begin() as session:
                won.append(book(session, slot_id=slot_id, onboarding_id=onboarding_id, now=NOW))
        except SlotUnavailable as exc:
            lost.append(exc)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failed.append(exc)

    threads = [threading.Thread(target=attempt, args=(ob,)) for ob in onboardings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failed == []
    assert len(won) == capacity
    assert len(lost) == clients - capacity
    assert _seats(world, slot_id) == capacity
    with world.factory() as session:
        alternatives = nearest_free_slots(session, requested=_at(TUESDAY, 9), now=NOW, limit=2)
    assert slot_id not in [slot.slot_id for slot in alternatives]
    assert len(alternatives) == 2


def test_migration_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        diff = compare_metadata(context, Base.metadata)
    ours = [entry for entry in diff if "training" in repr(entry)]
    assert ours == []
    with engine.connect() as connection:
        assert connection.execute(select(TrainingSlot.id)).all() == []
