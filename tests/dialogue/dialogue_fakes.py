"""In-memory fakes of the dialogue's ports for its unit tests (re-exported by support.py):
address and company lookups, the onboarding's progress, the training scheduler."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.dialogue.context import (
    DocumentProgress,
    DocumentStatus,
    HumanRequest,
    HumanWait,
)
from bot.domain.address import Address
from bot.domain.company import CompanyFacts, CompanyLookupResult
from bot.domain.training import BookedSession, FreeSlot, SeatTaken

__all__ = [
    "NOW",
    "FakeAddressLookup",
    "FakeCompanyLookup",
    "FakeProgress",
    "FakeTrainingScheduler",
]

NOW = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)


class FakeAddressLookup:
    """Knows a few CEPs, no others."""

    KNOWN: dict[str, Address] = {
        "01310100": Address("01310100", "Avenida Paulista", "Bela Vista", "São Paulo", "SP"),
        "20040020": Address("20040020", "Avenida Rio Branco", "Centro", "Rio de Janeiro", "RJ"),
    }

    def __init__(self) -> None:
        self.asked: list[str] = []

    def lookup(self, cep: str) -> Address | None:
        self.asked.append(cep)
        return self.KNOWN.get(cep)


class FakeCompanyLookup:
    """Off unless told the legal names of some CNPJs (then: found, or not found)."""

    def __init__(self, names: Mapping[str, str] | None = None) -> None:
        self.names = dict(names) if names is not None else None
        self.asked: list[str] = []

    def company(self, cnpj: str) -> CompanyLookupResult:
        self.asked.append(cnpj)
        if self.names is None:
            return CompanyLookupResult(status="off")
        name = self.names.get(cnpj)
        if name is None:
            return CompanyLookupResult(status="not_found")
        return CompanyLookupResult(status="found", facts=CompanyFacts(cnpj=cnpj, razao_social=name))


@dataclass
class FakeProgress:
    """The service's ``ProgressView``: files, an open request for a person, the wait."""

    files: list[DocumentProgress] = field(default_factory=list)
    human: HumanRequest | None = None
    wait: HumanWait = field(default_factory=lambda: HumanWait(first_answer_minutes=240))
    reads: int = 0  # how often the turn asked for the request (read on demand)

    def documents(self) -> Sequence[DocumentProgress]:
        return tuple(self.files)

    def open_human_request(self) -> HumanRequest | None:
        self.reads += 1
        return self.human

    def human_wait(self) -> HumanWait:
        return self.wait

    def received(self, kind: str | None, status: DocumentStatus) -> None:
        self.files.append(DocumentProgress(kind=kind, status=status, received_at=NOW))


class FakeTrainingScheduler:
    """Three sessions on Thursday 26/11 (10:00, 11:00, 15:00 in São Paulo) and the next
    Tuesday 10:00; a slot in ``taken`` was filled by someone else meanwhile."""

    def __init__(self, *, booked: int | None = None, taken: Iterable[int] = ()) -> None:
        base = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)  # Thursday 10:00 in São Paulo
        starts = [
            base,
            base + timedelta(hours=1),
            base + timedelta(hours=5),
            base + timedelta(days=5),
        ]
        self.slots = {
            i: FreeSlot(
                slot_id=i, csm_id=1, starts_at=s, ends_at=s + timedelta(hours=1), seats_left=3
            )
            for i, s in enumerate(starts, 1)
        }
        self.taken = set(taken)
        self.booking: int | None = None
        self.cancelled: list[int] = []
        self.near: list[datetime | None] = []
        if booked is not None:
            self.booking = booked

    def _session(self, slot_id: int) -> BookedSession:
        slot = self.slots[slot_id]
        return BookedSession(
            booking_id=100 + slot_id,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            meeting_url="https://meet.example.com/treino",
        )

    def current(self) -> BookedSession | None:
        return self._session(self.booking) if self.booking is not None else None

    def free_slots(self, *, near: datetime | None, limit: int) -> list[FreeSlot]:
        self.near.append(near)
        free = [s for i, s in self.slots.items() if i not in self.taken and i != self.booking]
        if near is not None:
            free.sort(key=lambda s: abs((s.starts_at - near).total_seconds()))
        return free[:limit]

    def book(self, slot_id: int) -> BookedSession:
        if slot_id in self.taken:
            raise SeatTaken("full", starts_at=self.slots[slot_id].starts_at)
        self.booking = slot_id
        return self._session(slot_id)

    def rebook(self, slot_id: int) -> BookedSession:
        return self.book(slot_id)

    def cancel(self) -> BookedSession | None:
        if self.booking is None:
            return None
        session = self._session(self.booking)
        self.cancelled.append(self.booking)
        self.booking = None
        return session


# ---------------------------------------------------------------------------- documents
