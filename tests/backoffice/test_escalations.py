"""Escalation auto-assignment: the onboarding's CSM first, else the least-loaded CSM of the
queue under their cap, else the queue; enterprise escalations give the onboarding its CSM."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice import EscalationAssigner, assign_escalation, load_pipelines
from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.storage.models import AuditEvent, Escalation, Onboarding
from tests.backoffice.factories import Roster, conversation_of, make_onboarding, make_staff
from tests.support.conversation import Chat


def _escalate(
    session: Session, clock: FakeClock, *, segment: str = "self_service", csm_id: int | None = None
) -> Escalation:
    onboarding = make_onboarding(session, now=clock.now(), segment=segment, csm_id=csm_id)
    escalation = Escalation(
        conversation_id=conversation_of(session, onboarding).id,
        onboarding_id=onboarding.id,
        reason="request_human",
        queue=segment,
        created_at=clock.now(),
    )
    session.add(escalation)
    session.flush()
    return escalation


def test_least_loaded_under_the_cap_then_the_queue(runtime: Runtime, clock: FakeClock) -> None:
    now = clock.now()
    with runtime.sessions() as session, session.begin():
        a, _ = make_staff(session, role="csm", segment="self_service", cap=1, now=now)
        b, _ = make_staff(session, role="csm", segment="self_service", cap=2, now=now)
        c, _ = make_staff(session, role="csm", segment=None, cap=2, now=now)  # serves every queue
        make_staff(session, role="csm", segment="enterprise", cap=9, now=now)  # other queue
        away, _ = make_staff(session, role="csm", segment="self_service", cap=9, now=now)
        away.active = False
        make_staff(session, role="manager", now=now)  # managers are not assigned
        assignees = []
        escalations = []
        for _ in range(6):
            escalation = _escalate(session, clock)
            escalations.append(escalation)
            chosen = assign_escalation(session, escalation, now=now)
            assignees.append(chosen.id if chosen else None)
        assert assignees == [a.id, b.id, c.id, b.id, c.id, None]
        assert escalations[-1].assigned_to is None  # waits in the queue
        # A resolved escalation frees a slot.
        escalations[1].status = "resolved"
        later = _escalate(session, clock)
        assert assign_escalation(session, later, now=now) is b
        system_rows = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "escalation_assigned")
        ).all()
        assert len(system_rows) == 6 and {r.actor for r in system_rows} == {"system"}


def test_the_onboardings_csm_comes_first_even_at_the_cap(
    runtime: Runtime, clock: FakeClock
) -> None:
    now = clock.now()
    with runtime.sessions() as session, session.begin():
        owner, _ = make_staff(session, role="csm", segment="self_service", cap=1, now=now)
        make_staff(session, role="csm", segment="self_service", cap=5, now=now)
        first = _escalate(session, clock, csm_id=owner.id)
        second = _escalate(session, clock, csm_id=owner.id)
        assert assign_escalation(session, first, now=now) is owner
        assert assign_escalation(session, second, now=now) is owner


def test_enterprise_escalation_gets_a_dedicated_csm(runtime: Runtime, clock: FakeClock) -> None:
    now = clock.now()
    assigner = EscalationAssigner(load_pipelines())
    with runtime.sessions() as session, session.begin():
        make_staff(session, role="csm", segment="self_service", cap=5, now=now)
        dedicated, _ = make_staff(session, role="csm", segment="enterprise", cap=5, now=now)
        escalation = _escalate(session, clock, segment="enterprise")
        assert assigner.assign(session, escalation, now=now) is dedicated
        onboarding = session.get_one(Onboarding, escalation.onboarding_id)
        assert onboarding.csm_id == dedicated.id
        shared = _escalate(session, clock, segment="self_service")
        assigner.assign(session, shared, now=now)
        assert session.get_one(Onboarding, shared.onboarding_id).csm_id is None


def test_bot_escalation_is_assigned_and_listed(
    api: httpx.Client, runtime: Runtime, roster: Roster, clock: FakeClock
) -> None:
    chat = Chat(runtime, address="cliente-escala")
    chat.say("oi")
    chat.say("quero falar com um atendente")
    with runtime.sessions() as session, session.begin():
        # The bot's escalation is assigned as it is opened (bootstrap wires the assigner).
        escalation = session.scalars(select(Escalation)).one()
        assert escalation.reason == "request_human"
        assert escalation.assigned_to == roster.csm_owner.id  # lowest id, both idle
        escalation_id = escalation.id
    mine = api.get("/escalations", params={"status": "open"}, headers=roster.csm_owner.headers)
    assert [e["id"] for e in mine.json()["items"]] == [escalation_id]
    # The client is in the queue: the other CSM sees the escalation as they see the onboarding
    # and its conversation (scope follows the onboarding, not the assignee); ``assigned_to``
    # narrows the list to one's own.
    other = api.get("/escalations", headers=roster.csm_other.headers)
    assert [e["id"] for e in other.json()["items"]] == [escalation_id]
    theirs = api.get(
        "/escalations",
        params={"assigned_to": roster.csm_other.id},
        headers=roster.csm_other.headers,
    )
    assert theirs.json()["items"] == []


def test_manual_assignment_respects_the_cap(
    api: httpx.Client, runtime: Runtime, roster: Roster, clock: FakeClock
) -> None:
    with runtime.sessions() as session, session.begin():
        busy, _ = make_staff(session, role="csm", segment="self_service", cap=1, now=clock.now())
        first = _escalate(session, clock)
        second = _escalate(session, clock)
        first.assigned_to = busy.id
        ids = (busy.id, second.id)
    busy_id, second_id = ids
    full = api.post(
        f"/escalations/{second_id}/assign",
        json={"staff_id": busy_id},
        headers=roster.manager.headers,
    )
    assert full.status_code == 409
    auto = api.post(
        f"/escalations/{second_id}/assign", json={"staff_id": None}, headers=roster.manager.headers
    )
    assert auto.status_code == 200
    assert auto.json()["assigned_to"] in {roster.csm_owner.id, roster.csm_other.id}
    not_csm = api.post(
        f"/escalations/{second_id}/assign",
        json={"staff_id": roster.manager.id},
        headers=roster.manager.headers,
    )
    assert not_csm.status_code == 422
    other_team = api.post(
        f"/escalations/{second_id}/assign",
        json={"staff_id": busy_id},
        headers=roster.manager_other.headers,
    )
    assert other_team.status_code == 403


def test_assigning_the_client_to_another_csm_takes_its_open_escalations_along(
    api: httpx.Client, runtime: Runtime, roster: Roster
) -> None:
    """Issue #14's drill, over the API: a client asks for a person while in the queue, a CSM of
    the pool gets the escalation, then a manager gives the client to another CSM. The escalation
    follows the onboarding: the first CSM no longer lists, reads or resolves it; the new owner
    does, and the move is in the audit trail."""
    chat = Chat(runtime, address="cliente-na-fila")
    chat.say("oi")
    chat.say("quero falar com um atendente, por favor")
    with runtime.sessions() as session:
        escalation = session.scalars(select(Escalation)).one()
        onboarding = session.get_one(Onboarding, escalation.onboarding_id)
        assert onboarding.csm_id is None  # the client was in the queue
        escalation_id, onboarding_id = escalation.id, onboarding.id
        words, client_id = escalation.detail, onboarding.client_id
    pool, owner = roster.csm_owner, roster.csm_other
    assert escalation.assigned_to == pool.id  # the least-loaded CSM of the pool

    moved = api.put(
        f"/onboardings/{onboarding_id}/csm",
        json={"csm_id": owner.id},
        headers=roster.manager.headers,
    )
    assert moved.status_code == 200, moved.text

    # The first CSM: not listed, not readable, not resolvable.
    listed = api.get("/escalations", headers=pool.headers)
    assert listed.status_code == 200
    assert escalation_id not in [e["id"] for e in listed.json()["items"]]
    assert api.get(f"/escalations/{escalation_id}", headers=pool.headers).status_code == 403
    refused = api.post(f"/escalations/{escalation_id}/resolve", headers=pool.headers)
    assert refused.status_code == 403
    # The new owner: listed as theirs, with the client's words, and resolvable.
    mine = api.get("/escalations", params={"status": "open"}, headers=owner.headers)
    assert [(e["id"], e["assigned_to"]) for e in mine.json()["items"]] == [
        (escalation_id, owner.id)
    ]
    detail = api.get(f"/escalations/{escalation_id}", headers=owner.headers)
    assert detail.status_code == 200 and detail.json()["detail"] == words
    resolved = api.post(f"/escalations/{escalation_id}/resolve", headers=owner.headers)
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    # The move is audited, by the manager who assigned the client.
    trail = api.get(
        f"/clients/{client_id}/audit",
        params={"field": "escalation.assigned_to", "actor": f"staff:{roster.manager.id}"},
        headers=roster.manager.headers,
    )
    assert [(r["old_value"], r["new_value"]) for r in trail.json()["items"]] == [
        (str(pool.id), str(owner.id))
    ]


def test_the_queue_takes_back_open_escalations_and_resolved_ones_stay(
    api: httpx.Client, runtime: Runtime, roster: Roster, clock: FakeClock
) -> None:
    with runtime.sessions() as session, session.begin():
        open_one = _escalate(session, clock, csm_id=roster.csm_owner.id)
        open_one.assigned_to = roster.csm_owner.id
        taken = Escalation(
            conversation_id=open_one.conversation_id,
            onboarding_id=open_one.onboarding_id,
            reason="complaint",
            status="taken",
            assigned_to=roster.csm_owner.id,
            created_at=clock.now(),
        )
        done = Escalation(
            conversation_id=open_one.conversation_id,
            onboarding_id=open_one.onboarding_id,
            reason="repeated_invalid",
            status="resolved",
            assigned_to=roster.csm_owner.id,
            created_at=clock.now(),
        )
        session.add_all([taken, done])
        session.flush()
        onboarding_id, ids = open_one.onboarding_id, (open_one.id, taken.id, done.id)

    def holders() -> list[int | None]:
        with runtime.sessions() as session:
            return [session.get_one(Escalation, i).assigned_to for i in ids]

    queued = api.put(
        f"/onboardings/{onboarding_id}/csm", json={"csm_id": None}, headers=roster.manager.headers
    )
    assert queued.status_code == 200
    assert holders() == [None, None, roster.csm_owner.id]
    again = api.put(
        f"/onboardings/{onboarding_id}/csm",
        json={"csm_id": roster.csm_other.id},
        headers=roster.admin.headers,
    )
    assert again.status_code == 200
    assert holders() == [roster.csm_other.id, roster.csm_other.id, roster.csm_owner.id]
    with runtime.sessions() as session:
        moves = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.field == "escalation.assigned_to")
            .order_by(AuditEvent.id)
        ).all()
        assert [(m.actor, m.old_value, m.new_value) for m in moves] == [
            (f"staff:{roster.manager.id}", str(roster.csm_owner.id), None),
            (f"staff:{roster.manager.id}", str(roster.csm_owner.id), None),
            (f"staff:{roster.admin.id}", None, str(roster.csm_other.id)),
            (f"staff:{roster.admin.id}", None, str(roster.csm_other.id)),
        ]


def test_an_escalation_stays_with_its_onboardings_csm(
    api: httpx.Client, runtime: Runtime, roster: Roster, clock: FakeClock
) -> None:
    """By hand, a manager cannot give an escalation to a CSM who does not see its onboarding
    (409: assign the onboarding); the rule never does either: an inactive CSM's escalation waits
    in the queue, where the manager sees it."""
    with runtime.sessions() as session, session.begin():
        owned = _escalate(session, clock, csm_id=roster.csm_owner.id)
        away, _ = make_staff(session, role="csm", segment="self_service", now=clock.now())
        orphaned = _escalate(session, clock, csm_id=away.id)
        away.active = False
        owned_id, orphaned_id = owned.id, orphaned.id
    elsewhere = api.post(
        f"/escalations/{owned_id}/assign",
        json={"staff_id": roster.csm_other.id},
        headers=roster.manager.headers,
    )
    assert elsewhere.status_code == 409
    assert "PUT /onboardings/" in elsewhere.json()["detail"]
    for body in ({"staff_id": roster.csm_owner.id}, {"staff_id": None}):
        kept = api.post(
            f"/escalations/{owned_id}/assign", json=body, headers=roster.manager.headers
        )
        assert kept.status_code == 200 and kept.json()["assigned_to"] == roster.csm_owner.id
    auto = api.post(
        f"/escalations/{orphaned_id}/assign", json={"staff_id": None}, headers=roster.admin.headers
    )
    assert auto.status_code == 200 and auto.json()["assigned_to"] is None
    queue = api.get("/escalations", params={"unassigned": "true"}, headers=roster.manager.headers)
    assert [e["id"] for e in queue.json()["items"]] == [orphaned_id]
    for csm in (roster.csm_owner, roster.csm_other):
        assert api.get(f"/escalations/{orphaned_id}", headers=csm.headers).status_code == 403


def test_an_escalation_without_onboarding_is_for_admins(
    api: httpx.Client, runtime: Runtime, roster: Roster, clock: FakeClock
) -> None:
    """Like its conversation: nothing to derive a scope from, so nobody but the admins."""
    with runtime.sessions() as session, session.begin():
        escalation = _escalate(session, clock)
        escalation.onboarding_id = None
        escalation_id = escalation.id
    for member in (roster.manager, roster.csm_owner):
        assert api.get(f"/escalations/{escalation_id}", headers=member.headers).status_code == 403
        listed = api.get("/escalations", headers=member.headers).json()["items"]
        assert escalation_id not in [e["id"] for e in listed]
    assert api.get(f"/escalations/{escalation_id}", headers=roster.admin.headers).status_code == 200
