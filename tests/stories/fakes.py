"""In-memory fakes of the ports the dialogue talks to, behaving like the service's adapters.

- ``FakeAddressLookup`` knows a few real CEPs (BrasilAPI's answers) and no others.
- ``FakeCompanyLookup`` is off, unavailable, or knows some CNPJs' legal names (else not found).
- ``FakeTrainingScheduler`` offers Tuesday and Thursday sessions (10:00, 11:00 and 15:00 in
  São Paulo, holidays skipped) from the story's clock, with seats; another client may fill one.
- ``FakeProgress`` is the service's ``ProgressView``: files received and read, an open request
  for a person, the expected wait (weekdays 09:00–18:00 in São Paulo, holidays closed; the first
  answer within ``first_answer_minutes``, 30 like the service's default, outside business hours
  the time the team is back).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from bot.dialogue.context import DocumentProgress, DocumentStatus, HumanRequest, HumanWait
from bot.domain.address import Address
from bot.domain.calendar_business import BusinessCalendar
from bot.domain.company import CompanyFacts, CompanyLookupResult
from bot.domain.training import (
    BookedSession,
    FreeSlot,
    SeatTaken,
    SlotSpec,
    WeeklyAvailability,
    generate_slots,
    nearest_slots,
)

from .story_format import CompanySpec, Lookups, TrainingGiven

__all__ = [
    "KNOWN_CEPS",
    "KNOWN_COMPANIES",
    "FakeAddressLookup",
    "FakeCompanyLookup",
    "FakeProgress",
    "FakeStatusLinks",
    "FakeTrainingScheduler",
    "business_calendar",
]

TIMEZONE = "America/Sao_Paulo"
Clock = Callable[[], datetime]

KNOWN_CEPS: dict[str, Address] = {
    "01310100": Address("01310100", "Avenida Paulista", "Bela Vista", "São Paulo", "SP"),
    "20040020": Address("20040020", "Avenida Rio Branco", "Centro", "Rio de Janeiro", "RJ"),
    "30130010": Address("30130010", "Praça Sete de Setembro", "Centro", "Belo Horizonte", "MG"),
    "80010000": Address("80010000", "Rua XV de Novembro", "Centro", "Curitiba", "PR"),
    "70040010": Address("70040010", "Setor Bancário Sul", "Asa Sul", "Brasília", "DF"),
}

KNOWN_COMPANIES: dict[str, CompanySpec] = {
    "11222333000181": CompanySpec(
        razao_social="PADARIA PAO QUENTE LTDA", opened_on=date(2015, 3, 2)
    ),
    "11444777000161": CompanySpec(
        razao_social="ACME COMERCIO DE ALIMENTOS LTDA", opened_on=date(2010, 8, 16)
    ),
}


@lru_cache(maxsize=1)
def business_calendar() -> BusinessCalendar:
    """Weekdays 09:00–18:00 in São Paulo, national holidays closed (the service's default)."""
    return BusinessCalendar(timezone=TIMEZONE)


# ------------------------------------------------------------------------------ look-ups
class FakeAddressLookup:
    def __init__(self, *, answers: bool = True) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def copy(self) -> FakeAddressLookup:
        twin = FakeAddressLookup(answers=self.answers)
        twin.asked = list(self.asked)
        return twin

    def lookup(self, cep: str) -> Address | None:
        self.asked.append(cep)
        return KNOWN_CEPS.get(cep) if self.answers else None


class FakeCompanyLookup:
    def __init__(self, setting: bool | str | Mapping[str, str | CompanySpec]) -> None:
        self.setting = setting
        self.asked: list[str] = []

    @classmethod
    def from_lookups(cls, lookups: Lookups) -> FakeCompanyLookup:
        return cls(lookups.company)

    def copy(self) -> FakeCompanyLookup:
        twin = FakeCompanyLookup(self.setting)
        twin.asked = list(self.asked)
        return twin

    def company(self, cnpj: str) -> CompanyLookupResult:
        self.asked.append(cnpj)
        if self.setting is False:
            return CompanyLookupResult("off")
        if self.setting == "unavailable":
            return CompanyLookupResult("unavailable")
        known: Mapping[str, str | CompanySpec] = (
            KNOWN_COMPANIES if isinstance(self.setting, bool) else self.setting  # type: ignore[assignment]
        )
        spec = known.get(cnpj)
        if spec is None:
            return CompanyLookupResult("not_found")
        if isinstance(spec, str):
            spec = CompanySpec(razao_social=spec)
        facts = CompanyFacts(
            cnpj=cnpj,
            razao_social=spec.razao_social,
            situacao=spec.situacao,
            opened_on=spec.opened_on,
        )
        return CompanyLookupResult("found", facts)


# ------------------------------------------------------------------------------ training
@dataclass
class _Session:
    slot_id: int
    starts_at: datetime
    ends_at: datetime
    capacity: int
    others: int = 0  # seats held by other clients


@lru_cache(maxsize=64)
def _session_specs(now: datetime, capacity: int) -> tuple[SlotSpec, ...]:
    """The sessions of the next weeks from ``now`` (cached: stories share their clock)."""
    rules = [
        WeeklyAvailability(
            csm_id=1,
            weekday=weekday,
            starts=starts,
            ends=ends,
            duration=timedelta(hours=1),
            capacity=capacity,
            meeting_url=FakeTrainingScheduler.MEETING_URL,
        )
        for weekday in (1, 3)  # Tuesdays and Thursdays
        for starts, ends in ((time(10), time(12)), (time(15), time(16)))
    ]
    return tuple(
        generate_slots(
            rules,
            start=now,
            end=now + FakeTrainingScheduler.WINDOW,
            is_holiday=business_calendar().is_holiday,
            timezone=TIMEZONE,
        )
    )


class FakeTrainingScheduler:
    """The ``TrainingScheduler`` port over a list of sessions, for one onboarding."""

    MEETING_URL = "https://meet.example.com/acolhe-treino"
    MIN_NOTICE = timedelta(hours=2)
    WINDOW = timedelta(days=21)

    def __init__(self, *, clock: Clock, given: TrainingGiven) -> None:
        self._clock = clock
        self.sessions = self._sessions(clock(), given)
        self.booking: tuple[int, int] | None = None  # (booking id, slot id)
        self._next_booking_id = 101
        if given.booked is not None:
            free = self.free_slots(near=None, limit=given.booked)
            self.book(free[-1].slot_id)

    @staticmethod
    def _sessions(now: datetime, given: TrainingGiven) -> dict[int, _Session]:
        specs = _session_specs(now, given.capacity)
        if given.free is not None:
            specs = specs[: given.free]
        return {
            index: _Session(index, spec.starts_at, spec.ends_at, spec.capacity)
            for index, spec in enumerate(specs, 1)
        }

    # ------------------------------------------------------------------ the port
    def current(self) -> BookedSession | None:
        if self.booking is None:
            return None
        return self._view(*self.booking)

    def free_slots(self, *, near: datetime | None, limit: int) -> list[FreeSlot]:
        earliest = self._clock() + self.MIN_NOTICE
        free = [
            FreeSlot(
                slot_id=session.slot_id,
                csm_id=1,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                seats_left=self._seats_left(session),
            )
            for session in self.sessions.values()
            if session.starts_at >= earliest
            and self._seats_left(session) > 0
            and (self.booking is None or self.booking[1] != session.slot_id)
        ]
        if near is None:
            return free[:limit]
        return nearest_slots(free, requested=near, limit=limit)

    def book(self, slot_id: int) -> BookedSession:
        session = self.sessions.get(slot_id)
        if session is None:
            raise SeatTaken(f"no session {slot_id}")
        if self._seats_left(session) <= 0 or session.starts_at < self._clock() + self.MIN_NOTICE:
            raise SeatTaken(f"session {slot_id} is full", starts_at=session.starts_at)
        self.booking = (self._next_booking_id, slot_id)
        self._next_booking_id += 1
        return self._view(*self.booking)

    def rebook(self, slot_id: int) -> BookedSession:
        return self.book(slot_id)

    def cancel(self) -> BookedSession | None:
        if self.booking is None:
            return None
        view = self._view(*self.booking)
        if view.starts_at <= self._clock():
            return None  # it has started: too late to cancel here
        self.booking = None
        return view

    # ------------------------------------------------------------------ the world
    def copy(self, clock: Clock) -> FakeTrainingScheduler:
        """The same sessions and booking, on another clock (a replayed prefix's copy)."""
        twin = object.__new__(FakeTrainingScheduler)
        twin._clock = clock
        twin.sessions = {i: replace(session) for i, session in self.sessions.items()}
        twin.booking = self.booking
        twin._next_booking_id = self._next_booking_id
        return twin

    def fill(self, slot_id: int) -> None:
        """Other clients take every seat left in the session."""
        session = self.sessions[slot_id]
        session.others = session.capacity - (1 if self._ours(session) else 0)

    def _ours(self, session: _Session) -> bool:
        return self.booking is not None and self.booking[1] == session.slot_id

    def _seats_left(self, session: _Session) -> int:
        return session.capacity - session.others - (1 if self._ours(session) else 0)

    def _view(self, booking_id: int, slot_id: int) -> BookedSession:
        session = self.sessions[slot_id]
        return BookedSession(
            booking_id=booking_id,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            meeting_url=self.MEETING_URL,
            invite_url=f"https://acolhe.example/invites/b{booking_id}.ics",
        )


# ------------------------------------------------------------------------------ progress
@dataclass
class _File:
    kind: str | None
    status: DocumentStatus
    received_at: datetime


@dataclass
class FakeProgress:
    """What the back-office knows beyond the dialogue state, kept up to date by the runner."""

    clock: Clock
    first_answer_minutes: int = 30  # the service's default ONBOARD_ESCALATION_ALERT_MINUTES
    files: dict[int, _File] = field(default_factory=dict)
    human: HumanRequest | None = None

    # ------------------------------------------------------------------ the port
    def documents(self) -> Sequence[DocumentProgress]:
        return tuple(
            DocumentProgress(kind=f.kind, status=f.status, received_at=f.received_at)
            for f in self.files.values()
        )

    def open_human_request(self) -> HumanRequest | None:
        return self.human

    def human_wait(self) -> HumanWait:
        calendar, now = business_calendar(), self.clock()
        if calendar.is_business_time(now):
            return HumanWait(first_answer_minutes=self.first_answer_minutes)
        return HumanWait(
            first_answer_minutes=self.first_answer_minutes,
            in_business_hours=False,
            opens_at=calendar.next_business_start(now),
        )

    def copy(self, clock: Clock) -> FakeProgress:
        files = {i: replace(f) for i, f in self.files.items()}
        return FakeProgress(clock, self.first_answer_minutes, files, self.human)

    # ------------------------------------------------------------------ what happened
    def received(self) -> int:
        """A file arrived (the service stores it as a pending document); its id."""
        document_id = max(self.files, default=0) + 1
        self.files[document_id] = _File(kind=None, status="received", received_at=self.clock())
        return document_id

    def oldest_unread(self) -> int | None:
        return next((i for i, f in self.files.items() if f.status == "received"), None)

    def read(self, document_id: int, *, kind: str, rejected: bool) -> None:
        known = self.files.get(document_id)
        received_at = known.received_at if known is not None else self.clock()
        status: DocumentStatus = "rejected" if rejected else "read"
        self.files[document_id] = _File(kind=kind, status=status, received_at=received_at)

    def confirmed(self, document_id: int, kind: str) -> None:
        known = self.files.get(document_id)
        received_at = known.received_at if known is not None else self.clock()
        self.files[document_id] = _File(kind=kind, status="confirmed", received_at=received_at)

    def escalated(self, reason: str) -> None:
        if self.human is None:
            self.human = HumanRequest(reason=reason, opened_at=self.clock())

    def taken_by(self, name: str) -> None:
        if self.human is not None:
            self.human = replace(self.human, taken_by=name)


@dataclass
class FakeStatusLinks:
    """The service's ``StatusLinks``: a new URL each offer (``https://acolhe.test/s/link-N``).
    The service's own refusals (erased client, no onboarding) are tested against the database
    (tests/service/test_status_links.py); the dialogue's are what the stories check."""

    offered: int = 0

    def offer(self) -> str | None:
        self.offered += 1
        return f"https://acolhe.test/s/link-{self.offered}"
