"""Rows for back-office tests: staff with tokens, and onboardings with client and conversation."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models import (
    Client,
    Contact,
    Conversation,
    Onboarding,
    StaffUser,
    StageChange,
    TrainingAvailability,
    TrainingBooking,
    TrainingException,
    TrainingSlot,
)
from bot.storage.seed import issue_token

_serial = itertools.count(1)


@dataclass
class Member:
    id: int
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Roster:
    admin: Member
    manager: Member  # team alpha
    manager_other: Member  # team beta
    csm_owner: Member  # team alpha, self_service
    csm_other: Member  # team alpha, self_service

    def by_role(self, role: str) -> Member:
        member = getattr(self, role)
        assert isinstance(member, Member)
        return member


ROLES = ("admin", "manager", "manager_other", "csm_owner", "csm_other")


def make_staff(
    session: Session,
    *,
    role: str,
    now: datetime,
    team: str = "alpha",
    segment: str | None = None,
    cap: int = 10,
    name: str | None = None,
) -> tuple[StaffUser, str]:
    number = next(_serial)
    staff = StaffUser(
        name=name or f"{role.title()} {number}",
        email=f"{role}{number}@acolhe.com.br",
        role=role,
        team=team,
        segment=segment,
        max_open_escalations=cap,
        active=True,
        created_at=now,
    )
    session.add(staff)
    session.flush()
    return staff, issue_token(session, staff, label="test", now=now)


def make_onboarding(
    session: Session,
    *,
    now: datetime,
    stage: str = "documentos",
    segment: str = "self_service",
    csm_id: int | None = None,
    channel: str = "terminal",
    company: str = "Empresa Teste Ltda",
    cnpj: str | None = "11222333000181",
    entered_at: datetime | None = None,
) -> Onboarding:
    number = next(_serial)
    client = _client(session, number=number, company=company, cnpj=cnpj, now=now)
    entered = entered_at or now
    onboarding = Onboarding(
        client_id=client.id,
        segment=segment,
        stage=stage,
        stage_entered_at=entered,
        csm_id=csm_id,
        created_at=entered,
    )
    session.add(onboarding)
    session.flush()
    session.add(
        StageChange(
            onboarding_id=onboarding.id,
            from_stage=None,
            to_stage=stage,
            at=entered,
            actor="bot",
            reason="test",
        )
    )
    session.add(
        Conversation(
            channel=channel,
            address=f"client-{number}",
            state={},
            client_id=client.id,
            onboarding_id=onboarding.id,
            created_at=now,
            updated_at=now,
        )
    )
    session.flush()
    return onboarding


def _client(
    session: Session, *, number: int, company: str, cnpj: str | None, now: datetime
) -> Client:
    """A client in São Paulo with one admin contact, numbered ``number``."""
    client = Client(
        cnpj=cnpj,
        company_name=company,
        employees=40,
        cep="01310100",
        city="São Paulo",
        uf="SP",
        created_at=now,
        updated_at=now,
    )
    client.contacts.append(
        Contact(
            area="admin",
            name=f"Pessoa {number}",
            email=f"pessoa{number}@empresa.test",
            phone="+5511900000000",
        )
    )
    session.add(client)
    session.flush()
    return client


def conversation_of(session: Session, onboarding: Onboarding) -> Conversation:
    return session.scalars(
        select(Conversation).where(Conversation.onboarding_id == onboarding.id)
    ).one()


def make_availability(
    session: Session,
    *,
    csm_id: int,
    now: datetime,
    weekday: int = 2,
    starts: time = time(9),
    ends: time = time(11),
    capacity: int = 2,
) -> TrainingAvailability:
    row = TrainingAvailability(
        csm_id=csm_id,
        weekday=weekday,
        starts=starts,
        ends=ends,
        duration_minutes=60,
        capacity=capacity,
        meeting_url="https://meet.example.com/treino",
        active=True,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def make_exception(
    session: Session, *, csm_id: int | None, now: datetime, day: date = date(2026, 12, 2)
) -> TrainingException:
    row = TrainingException(csm_id=csm_id, day=day, reason="folga", created_at=now)
    session.add(row)
    session.flush()
    return row


def make_booking(
    session: Session,
    *,
    onboarding_id: int,
    csm_id: int,
    starts_at: datetime,
    now: datetime,
    status: str = "booked",
) -> TrainingBooking:
    """A booking in the CSM's session at ``starts_at`` (created when missing), one seat more."""
    slot = session.scalar(
        select(TrainingSlot).where(
            TrainingSlot.csm_id == csm_id, TrainingSlot.starts_at == starts_at
        )
    )
    if slot is None:
        slot = TrainingSlot(
            csm_id=csm_id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=1),
            capacity=100,
            seats_taken=0,
            meeting_url="https://meet.example.com/treino",
            status="open",
            created_at=now,
        )
        session.add(slot)
    slot.seats_taken += 1
    session.flush()
    booking = TrainingBooking(
        uid=f"training-{next(_serial)}-{slot.id}@test",
        slot_id=slot.id,
        onboarding_id=onboarding_id,
        status=status,
        sequence=0,
        attendee_email="pessoa@empresa.test",
        note="",
        created_at=now,
        updated_at=now,
    )
    session.add(booking)
    session.flush()
    return booking
