"""The rows a route case needs, for one *target*: a client and what hangs off it (onboarding,
conversation, escalation, documents, requests, pushes, bookings), owned by one CSM, who also owns
the training windows and is the subject of the staff routes. A CSM of the pool held the target's
escalation while the client waited in the queue (the assignment as it was before #14), so the
escalation's scope must come from its onboarding, never from its assignee.

Each setup makes fresh rows and returns their ids by the path's parameter names.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.documents.store import DocumentStore
from bot.domain.clock import FakeClock
from bot.storage.models import (
    ApiToken,
    Document,
    ErasureRequest,
    ErpPush,
    Escalation,
    SlaPause,
    StaffUser,
    TrainingBooking,
)
from bot.storage.seed import hash_token, issue_token
from tests.backoffice.factories import (
    Member,
    Roster,
    conversation_of,
    make_availability,
    make_booking,
    make_exception,
    make_onboarding,
)


@dataclass(frozen=True)
class Target:
    """One client's side of the world: its CSM (and team), and the CSM of the pool who held its
    escalation while it was in the queue."""

    name: str
    owner: Member
    team: str
    pool: Member


def default_target(roster: Roster) -> Target:
    """The client of ``csm_owner``, whose escalation ``csm_other`` held while it was queued."""
    return Target(name="one", owner=roster.csm_owner, team="alpha", pool=roster.csm_other)


@dataclass
class World:
    session: Session
    roster: Roster
    clock: FakeClock
    documents: DocumentStore
    caller: Member
    target: Target


Setup = Callable[[World], dict[str, Any]]


# ---------------------------------------------------------------------------- rows
def owned(world: World, *, stage: str = "documentos") -> dict[str, Any]:
    onboarding = make_onboarding(
        world.session, now=world.clock.now(), stage=stage, csm_id=world.target.owner.id
    )
    conversation = conversation_of(world.session, onboarding)
    return {
        "onboarding_id": onboarding.id,
        "client_id": onboarding.client_id,
        "conversation_id": conversation.id,
        "_conversation": conversation,
    }


def held_by_caller(world: World) -> dict[str, Any]:
    ids = owned(world)
    ids["_conversation"].bot_paused = True
    ids["_conversation"].paused_by = world.caller.id
    return ids


def with_pause(world: World) -> dict[str, Any]:
    ids = owned(world)
    pause = SlaPause(
        onboarding_id=ids["onboarding_id"],
        stage="documentos",
        reason="x",
        started_at=world.clock.now(),
        started_by=world.roster.admin.id,
    )
    world.session.add(pause)
    world.session.flush()
    return {**ids, "pause_id": pause.id}


def with_escalation(world: World) -> dict[str, Any]:
    ids = owned(world)
    escalation = Escalation(
        conversation_id=ids["conversation_id"],
        onboarding_id=ids["onboarding_id"],
        reason="request_human",
        detail="quero falar com alguém sobre o meu contrato",
        queue="self_service",
        # Held by a CSM of the pool since the client was in the queue (as assignment left it
        # before #14): the scope follows the onboarding, not the assignee.
        assigned_to=world.target.pool.id,
        created_at=world.clock.now(),
    )
    world.session.add(escalation)
    world.session.flush()
    return {**ids, "escalation_id": escalation.id}


def with_document(world: World) -> dict[str, Any]:
    ids = owned(world)
    content = f"documento {ids['client_id']}".encode()
    sha = world.documents.put(content)
    document = Document(
        client_id=ids["client_id"],
        conversation_id=ids["conversation_id"],
        kind="cnpj_card",
        source_channel="terminal",
        mime="application/pdf",
        size=len(content),
        sha256=sha,
        extraction={},
        received_at=world.clock.now(),
    )
    world.session.add(document)
    world.session.flush()
    return {**ids, "document_id": document.id}


def with_erasure_request(world: World) -> dict[str, Any]:
    ids = owned(world)
    request = ErasureRequest(
        conversation_id=ids["conversation_id"],
        client_id=ids["client_id"],
        requested_at=world.clock.now(),
    )
    world.session.add(request)
    world.session.flush()
    return {**ids, "request_id": request.id}


def with_failed_push(world: World) -> dict[str, Any]:
    ids = owned(world, stage="configuracao")
    push = ErpPush(
        event_id=f"evt-{ids['onboarding_id']}",
        onboarding_id=ids["onboarding_id"],
        client_id=ids["client_id"],
        body="{}",
        status="failed",
        attempts=3,
        next_attempt_at=world.clock.now(),
        created_at=world.clock.now(),
    )
    world.session.add(push)
    world.session.flush()
    return {**ids, "push_id": push.id}


# Weekly windows of one CSM may not overlap: each new one (a row or a body) takes the next
# (weekday, hour) of 7 × 12, so fewer than 84 in one test never collide.
_windows = itertools.count()


def _next_window() -> tuple[int, time, time]:
    n = next(_windows)
    starts = time(9 + n // 7 % 12)
    return n % 7, starts, time(starts.hour + 1)


def window_body() -> dict[str, Any]:
    weekday, starts, ends = _next_window()
    return {"weekday": weekday, "starts": f"{starts:%H:%M}", "ends": f"{ends:%H:%M}"}


def with_availability(world: World) -> dict[str, Any]:
    weekday, starts, ends = _next_window()
    row = make_availability(
        world.session,
        csm_id=world.target.owner.id,
        now=world.clock.now(),
        weekday=weekday,
        starts=starts,
        ends=ends,
    )
    return {"availability_id": row.id}


def with_exception(world: World) -> dict[str, Any]:
    row = make_exception(world.session, csm_id=world.target.owner.id, now=world.clock.now())
    return {"exception_id": row.id}


def with_past_booking(world: World) -> dict[str, Any]:
    ids = owned(world)
    booking = make_booking(
        world.session,
        onboarding_id=ids["onboarding_id"],
        csm_id=world.target.owner.id,
        starts_at=world.clock.now() - timedelta(hours=2),
        now=world.clock.now(),
    )
    return {**ids, "booking_id": booking.id}


def with_slot(world: World) -> dict[str, Any]:
    ids = with_past_booking(world)
    return {**ids, "slot_id": world.session.get_one(TrainingBooking, ids["booking_id"]).slot_id}


def target_staff(world: World) -> dict[str, Any]:
    return {"staff_id": world.target.owner.id}


def target_token(world: World) -> dict[str, Any]:
    staff = world.session.get_one(StaffUser, world.target.owner.id)
    token = issue_token(world.session, staff, label="spare", now=world.clock.now())
    world.session.flush()
    row = world.session.query(ApiToken).filter_by(token_hash=hash_token(token)).one()
    return {"staff_id": staff.id, "token_id": row.id}


def nothing(world: World) -> dict[str, Any]:
    return {}
