"""Every back-office route as a test case: who may call it, the rows it needs, a valid body.

The target of every case belongs to ``csm_owner`` (team alpha): the manager of team alpha and
the admin see it, the manager of team beta and the other CSM of team alpha must not. Each
request gets fresh rows from its ``setup``, so cases do not depend on one another.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

import httpx
from sqlalchemy.orm import Session

from bot.bootstrap import Runtime
from bot.documents.store import DocumentStore
from bot.domain.clock import FakeClock
from bot.storage.models import ApiToken, Document, ErasureRequest, Escalation, StaffUser
from bot.storage.models_backoffice import ErpPush, SlaPause
from bot.storage.seed import issue_token
from tests.backoffice.factories import (
    ROLES,
    Member,
    Roster,
    conversation_of,
    make_availability,
    make_booking,
    make_exception,
    make_onboarding,
)

PROBLEM = "application/problem+json"
ALL = frozenset(ROLES)
SCOPED = frozenset({"admin", "manager", "csm_owner"})
LEADS = frozenset({"admin", "manager"})
MANAGERS = frozenset({"admin", "manager", "manager_other"})
ADMIN = frozenset({"admin"})


@dataclass
class World:
    session: Session
    roster: Roster
    clock: FakeClock
    documents: DocumentStore
    caller: Member


Setup = Callable[[World], dict[str, Any]]


def owned(world: World, *, stage: str = "documentos") -> dict[str, Any]:
    onboarding = make_onboarding(
        world.session, now=world.clock.now(), stage=stage, csm_id=world.roster.csm_owner.id
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
        queue="self_service",
        # Held by a CSM of the pool since the client was in the queue (as assignment left it
        # before #14): the scope follows the onboarding, not the assignee.
        assigned_to=world.roster.csm_other.id,
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


def with_availability(world: World) -> dict[str, Any]:
    n = next(_windows)  # windows of one CSM may not overlap
    row = make_availability(
        world.session,
        csm_id=world.roster.csm_owner.id,
        now=world.clock.now(),
        weekday=n % 7,
        starts=time(9 + n // 7 % 12),
        ends=time(10 + n // 7 % 12),
    )
    return {"availability_id": row.id}


def with_exception(world: World) -> dict[str, Any]:
    row = make_exception(world.session, csm_id=world.roster.csm_owner.id, now=world.clock.now())
    return {"exception_id": row.id}


def with_past_booking(world: World) -> dict[str, Any]:
    ids = owned(world)
    booking = make_booking(
        world.session,
        onboarding_id=ids["onboarding_id"],
        csm_id=world.roster.csm_owner.id,
        starts_at=world.clock.now() - timedelta(hours=2),
        now=world.clock.now(),
    )
    return {**ids, "booking_id": booking.id}


def target_staff(world: World) -> dict[str, Any]:
    return {"staff_id": world.roster.csm_owner.id}


def target_token(world: World) -> dict[str, Any]:
    staff = world.session.get_one(StaffUser, world.roster.csm_owner.id)
    issue_token(world.session, staff, label="spare", now=world.clock.now())
    world.session.flush()
    token = world.session.query(ApiToken).filter_by(staff_id=staff.id, label="spare").all()[-1]
    return {"staff_id": staff.id, "token_id": token.id}


def nothing(world: World) -> dict[str, Any]:
    return {}


_emails = iter(range(10_000))
_weekdays = itertools.cycle(range(7))  # new windows must not overlap the previous ones
_windows = itertools.count()


@dataclass
class Case:
    method: str
    path: str
    allowed: frozenset[str]
    setup: Setup = nothing
    body: Callable[[World], Any] | None = None
    ok: int = 200

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path


def json_body(value: Any) -> Callable[[World], Any]:
    return lambda _world: value


CASES: list[Case] = [
    Case("GET", "/me", ALL),
    Case("GET", "/staff", MANAGERS),
    Case(
        "POST",
        "/staff",
        ADMIN,
        ok=201,
        body=lambda w: {
            "name": "Nova Pessoa",
            "email": f"nova{next(_emails)}@acolhe.com.br",
            "role": "csm",
        },
    ),
    Case("GET", "/staff/{staff_id}", frozenset({"admin", "manager", "csm_owner"}), target_staff),
    Case("PATCH", "/staff/{staff_id}", ADMIN, target_staff, json_body({"max_open_escalations": 5})),
    Case("GET", "/staff/{staff_id}/tokens", frozenset({"admin", "csm_owner"}), target_staff),
    Case(
        "POST",
        "/staff/{staff_id}/tokens",
        frozenset({"admin", "csm_owner"}),
        target_staff,
        json_body({"label": "laptop"}),
        ok=201,
    ),
    Case(
        "DELETE",
        "/staff/{staff_id}/tokens/{token_id}",
        frozenset({"admin", "csm_owner"}),
        target_token,
    ),
    Case("GET", "/pipelines", ALL),
    Case("GET", "/onboardings", ALL),
    Case("GET", "/onboardings/{onboarding_id}", SCOPED, owned),
    Case("GET", "/onboardings/{onboarding_id}/history", SCOPED, owned),
    Case(
        "POST",
        "/onboardings/{onboarding_id}/transitions",
        SCOPED,
        owned,
        json_body({"to_stage": "validacao", "reason": "documentos conferidos"}),
    ),
    Case(
        "PUT",
        "/onboardings/{onboarding_id}/red-flag",
        SCOPED,
        owned,
        json_body({"reason": "cliente sumiu"}),
    ),
    Case("DELETE", "/onboardings/{onboarding_id}/red-flag", SCOPED, owned),
    Case(
        "PUT",
        "/onboardings/{onboarding_id}/csm",
        LEADS,
        owned,
        lambda w: {"csm_id": w.roster.csm_owner.id},
    ),
    Case("GET", "/onboardings/{onboarding_id}/pauses", SCOPED, owned),
    Case(
        "POST",
        "/onboardings/{onboarding_id}/pauses",
        SCOPED,
        owned,
        json_body({"reason": "aguardando contrato social"}),
        ok=201,
    ),
    Case("POST", "/onboardings/{onboarding_id}/pauses/{pause_id}/end", SCOPED, with_pause),
    Case(
        "POST",
        "/onboardings/{onboarding_id}/approve",
        LEADS,
        lambda w: owned(w, stage="aprovacao"),
        json_body({"reason": "ok"}),
    ),
    Case("GET", "/conversations/{conversation_id}", SCOPED, owned),
    Case("POST", "/conversations/{conversation_id}/takeover", SCOPED, owned),
    Case(
        "POST",
        "/conversations/{conversation_id}/messages",
        SCOPED,
        held_by_caller,
        json_body({"text": "Olá, aqui é da equipe"}),
        ok=202,
    ),
    Case("POST", "/conversations/{conversation_id}/release", SCOPED, held_by_caller, json_body({})),
    Case("GET", "/conversations/{conversation_id}/messages", SCOPED, owned),
    Case("GET", "/escalations", ALL),
    Case("GET", "/escalations/{escalation_id}", SCOPED, with_escalation),
    Case(
        "POST",
        "/escalations/{escalation_id}/assign",
        LEADS,
        with_escalation,
        lambda w: {"staff_id": w.roster.csm_owner.id},
    ),
    Case("POST", "/escalations/{escalation_id}/resolve", SCOPED, with_escalation),
    Case("GET", "/clients", ALL),
    Case("GET", "/clients/{client_id}", SCOPED, owned),
    Case("PATCH", "/clients/{client_id}", SCOPED, owned, json_body({"trade_name": "Nova Marca"})),
    Case(
        "PUT",
        "/clients/{client_id}/contacts/{area}",
        SCOPED,
        lambda w: {**owned(w), "area": "finance"},
        json_body({"name": "Fulana Financeiro"}),
    ),
    Case("GET", "/clients/{client_id}/documents/{document_id}/content", SCOPED, with_document),
    Case("GET", "/clients/{client_id}/notes", SCOPED, owned),
    Case(
        "POST",
        "/clients/{client_id}/notes",
        SCOPED,
        owned,
        json_body({"text": "ligar amanhã"}),
        ok=201,
    ),
    Case("GET", "/clients/{client_id}/audit", SCOPED, owned),
    Case("GET", "/clients/{client_id}/export", LEADS, owned),
    Case("POST", "/clients/{client_id}/erase", ADMIN, owned),
    Case("GET", "/erasure-requests", MANAGERS),
    Case("POST", "/erasure-requests/{request_id}/confirm", LEADS, with_erasure_request),
    Case("POST", "/erasure-requests/{request_id}/refuse", LEADS, with_erasure_request),
    Case("POST", "/erasure-requests/finish", ADMIN),
    Case("GET", "/erp-pushes", MANAGERS),
    Case("GET", "/erp-pushes/{push_id}", LEADS, with_failed_push),
    Case("POST", "/erp-pushes/{push_id}/retry", LEADS, with_failed_push),
    Case("GET", "/training/availability", ALL),
    Case(
        "POST",
        "/training/availability",
        SCOPED,
        body=lambda w: {
            "csm_id": w.roster.csm_owner.id,
            "weekday": next(_weekdays),
            "starts": "07:00",
            "ends": "08:00",
        },
        ok=201,
    ),
    Case(
        "PATCH",
        "/training/availability/{availability_id}",
        SCOPED,
        with_availability,
        json_body({"capacity": 3}),
    ),
    Case("DELETE", "/training/availability/{availability_id}", SCOPED, with_availability),
    Case("GET", "/training/exceptions", ALL),
    Case(
        "POST",
        "/training/exceptions",
        SCOPED,
        body=lambda w: {"csm_id": w.roster.csm_owner.id, "day": "2026-12-01"},
        ok=201,
    ),
    Case("DELETE", "/training/exceptions/{exception_id}", SCOPED, with_exception),
    Case("GET", "/training/slots", ALL),
    Case("GET", "/training/bookings", ALL),
    Case("GET", "/training/bookings/{booking_id}", SCOPED, with_past_booking),
    Case("POST", "/training/bookings/{booking_id}/no-show", SCOPED, with_past_booking),
    Case("POST", "/training/bookings/{booking_id}/attended", SCOPED, with_past_booking),
    *(
        Case("GET", f"/reports/{name}", MANAGERS)
        for name in ("time-in-stage", "funnel", "sla", "escalations", "duration", "nps")
    ),
]


def call(
    api: httpx.Client,
    case: Case,
    *,
    runtime: Runtime,
    roster: Roster,
    clock: FakeClock,
    documents: DocumentStore,
    caller: Member,
    headers: dict[str, str] | None = None,
    override: int | None = None,
    body: Any = None,
) -> httpx.Response:
    """Creates the case's rows, then sends its request (``override`` replaces every id)."""
    with runtime.sessions() as session, session.begin():
        world = World(
            session=session, roster=roster, clock=clock, documents=documents, caller=caller
        )
        params = case.setup(world)
        payload = body if body is not None else (case.body(world) if case.body else None)
    path = case.path
    for name in re.findall(r"{(\w+)}", case.path):
        value = params[name]
        if override is not None and isinstance(value, int):
            value = override
        path = path.replace("{" + name + "}", str(value))
    return api.request(
        case.method, path, json=payload, headers=caller.headers if headers is None else headers
    )
