"""Training slots: recurring weekly availability of a CSM turned into concrete sessions.

A ``WeeklyAvailability`` says "every Tuesday from 09:00 to 12:00 local time, sessions of 60
minutes for up to 4 clients"; an ``AvailabilityException`` closes a whole local day or part of
it (a holiday, a day off, a meeting). ``generate_slots`` expands both, plus an optional holiday
predicate, into ``SlotSpec`` instants for a UTC window; ``nearest_slots`` ranks free slots by
their distance to the time a client asked for. Pure functions: wall-clock times are read in the
given time zone (America/Sao_Paulo by default) and every instant returned is UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "AvailabilityException",
    "BookedSession",
    "FreeSlot",
    "SeatTaken",
    "SlotSpec",
    "TrainingRuleError",
    "TrainingScheduler",
    "WeeklyAvailability",
    "generate_slots",
    "nearest_slots",
]

DEFAULT_TIMEZONE = "America/Sao_Paulo"
_ONE_DAY = timedelta(days=1)


class TrainingRuleError(ValueError):
    """Root error of the training domain: an availability rule or input that makes no sense."""


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise TrainingRuleError(f"{name} must be timezone-aware, got {value.isoformat()}")
    return value.astimezone(UTC)


def _zone(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TrainingRuleError(f"unknown time zone {timezone!r}") from exc


@dataclass(frozen=True, slots=True, kw_only=True)
class WeeklyAvailability:
    """A CSM's recurring window on one weekday (Monday = 0), cut into back-to-back sessions."""

    csm_id: int
    weekday: int
    starts: time
    ends: time
    duration: timedelta
    capacity: int
    meeting_url: str = ""
    valid_from: date | None = None
    valid_until: date | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise TrainingRuleError(f"weekday must be 0 (Monday) to 6, got {self.weekday}")
        if self.ends <= self.starts:
            raise TrainingRuleError(f"window ends ({self.ends}) before it starts ({self.starts})")
        if self.duration <= timedelta(0):
            raise TrainingRuleError(f"session duration must be positive, got {self.duration}")
        if self.capacity < 1:
            raise TrainingRuleError(f"capacity must be at least 1, got {self.capacity}")

    def applies_on(self, day: date) -> bool:
        if day.weekday() != self.weekday:
            return False
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_until is None or day <= self.valid_until


@dataclass(frozen=True, slots=True, kw_only=True)
class AvailabilityException:
    """A local day (or the part ``starts``–``ends`` of it) when a CSM gives no training.

    ``csm_id`` None closes the day for every CSM (a company holiday).
    """

    day: date
    csm_id: int | None = None
    starts: time | None = None
    ends: time | None = None

    def __post_init__(self) -> None:
        if (self.starts is None) != (self.ends is None):
            raise TrainingRuleError("an exception gives both starts and ends, or neither")
        if self.starts is not None and self.ends is not None and self.ends <= self.starts:
            raise TrainingRuleError(f"exception ends ({self.ends}) before it starts")

    def blocks(self, *, csm_id: int, local_start: datetime, local_end: datetime) -> bool:
        """True when this exception overlaps a session of ``csm_id`` (local wall-clock times)."""
        if self.csm_id is not None and self.csm_id != csm_id:
            return False
        if local_start.date() != self.day:
            return False
        if self.starts is None or self.ends is None:
            return True
        closed_from = datetime.combine(self.day, self.starts)
        closed_to = datetime.combine(self.day, self.ends)
        naive_start, naive_end = local_start.replace(tzinfo=None), local_end.replace(tzinfo=None)
        return naive_start < closed_to and closed_from < naive_end


@dataclass(frozen=True, slots=True, kw_only=True)
class SlotSpec:
    """One concrete session: UTC start and end, the CSM giving it and how many clients fit."""

    csm_id: int
    starts_at: datetime
    ends_at: datetime
    capacity: int
    meeting_url: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class FreeSlot:
    """A stored session with seats left."""

    slot_id: int
    csm_id: int
    starts_at: datetime
    ends_at: datetime
    seats_left: int


def _local_days(start: datetime, end: datetime, *, zone: ZoneInfo) -> Iterator[date]:
    day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    while day <= last:
        yield day
        day += _ONE_DAY


def _sessions(rule: WeeklyAvailability, day: date, *, zone: ZoneInfo) -> Iterator[datetime]:
    """Local session starts of ``rule`` on ``day``; the last one must end by the window's end."""
    cursor = datetime.combine(day, rule.starts)
    window_end = datetime.combine(day, rule.ends)
    while cursor + rule.duration <= window_end:
        yield cursor.replace(tzinfo=zone)
        cursor += rule.duration


def generate_slots(
    rules: Iterable[WeeklyAvailability],
    *,
    start: datetime,
    end: datetime,
    exceptions: Iterable[AvailabilityException] = (),
    is_holiday: Callable[[date], bool] | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> list[SlotSpec]:
    """Sessions that start in [start, end), sorted by start then CSM.

    A session is left out when an exception of its CSM (or of everybody) overlaps it, or when
    ``is_holiday`` says its local day is a holiday (pass ``BusinessCalendar.is_holiday``).
    """
    begin, finish = _aware(start, "start"), _aware(end, "end")
    if finish <= begin:
        return []
    zone = _zone(timezone)
    closures = list(exceptions)
    specs: list[SlotSpec] = []
    rule_list = list(rules)
    for day in _local_days(begin, finish, zone=zone):
        if is_holiday is not None and is_holiday(day):
            continue
        for rule in rule_list:
            if not rule.applies_on(day):
                continue
            for local_start in _sessions(rule, day, zone=zone):
                local_end = local_start + rule.duration
                starts_at = local_start.astimezone(UTC)
                if not begin <= starts_at < finish:
                    continue
                if any(
                    closure.blocks(csm_id=rule.csm_id, local_start=local_start, local_end=local_end)
                    for closure in closures
                ):
                    continue
                specs.append(
                    SlotSpec(
                        csm_id=rule.csm_id,
                        starts_at=starts_at,
                        ends_at=local_end.astimezone(UTC),
                        capacity=rule.capacity,
                        meeting_url=rule.meeting_url,
                    )
                )
    specs.sort(key=lambda spec: (spec.starts_at, spec.csm_id))
    return specs


def nearest_slots(
    slots: Sequence[FreeSlot], *, requested: datetime, limit: int = 3
) -> list[FreeSlot]:
    """The ``limit`` free slots whose start is closest to ``requested``.

    On equal distance the later slot wins (a client who asked for 10:00 would rather wait half an
    hour than be booked half an hour earlier than they can make it). Full slots are skipped.
    """
    wanted = _aware(requested, "requested")
    if limit < 1:
        return []
    candidates = [slot for slot in slots if slot.seats_left > 0]
    candidates.sort(
        key=lambda slot: (abs(slot.starts_at - wanted), slot.starts_at < wanted, slot.slot_id)
    )
    return candidates[:limit]


@dataclass(frozen=True, slots=True, kw_only=True)
class BookedSession:
    """A client's booked (or just cancelled) session, as the conversation shows it."""

    booking_id: int
    starts_at: datetime
    ends_at: datetime
    meeting_url: str = ""
    invite_url: str = ""  # where the client's calendar app fetches the .ics; "" when none


class SeatTaken(TrainingRuleError):
    """The chosen session filled up (or closed) before the client's booking got a seat."""

    def __init__(self, message: str, *, starts_at: datetime | None = None) -> None:
        super().__init__(message)
        self.starts_at = starts_at  # offer the sessions nearest to it instead


class TrainingScheduler(Protocol):
    """What the conversation may do with training sessions, for one onboarding, now.

    Implemented by the service layer inside the turn's transaction; ``book`` and ``rebook``
    raise ``SeatTaken`` when another client took the last seat first.
    """

    def current(self) -> BookedSession | None: ...

    def free_slots(self, *, near: datetime | None, limit: int) -> list[FreeSlot]: ...

    def book(self, slot_id: int) -> BookedSession: ...

    def rebook(self, slot_id: int) -> BookedSession: ...

    def cancel(self) -> BookedSession | None: ...
