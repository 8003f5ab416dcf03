"""The event hub alone: ``may_see`` is ``onboarding_scope`` for every role, events go out in id
order (a missing id is waited for, then given up), a connection that falls behind is dropped
with ``resync`` instead of growing the server's memory."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from backoffice.access import Principal, conversation_scope, onboarding_scope
from backoffice.console.live import RESYNC, EventHub, LiveEvent, may_see
from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.storage.models import Conversation, Onboarding, StaffUser
from tests.backoffice.factories import make_onboarding, make_staff


def event(
    event_id: int = 1,
    *,
    onboarding_id: int | None = 1,
    csm_id: int | None = None,
    data: dict[str, object] | None = None,
) -> LiveEvent:
    return LiveEvent(
        id=event_id,
        kind="stage_changed",
        onboarding_id=onboarding_id,
        conversation_id=None,
        csm_id=csm_id,
        actor="system",
        data=data or {},
    )


def as_principal(staff: StaffUser) -> Principal:
    return Principal(
        id=staff.id, name=staff.name, role=staff.role, team=staff.team, segment=staff.segment
    )


def test_may_see_is_onboarding_scope_for_every_role_and_owner(
    runtime: Runtime, clock: FakeClock
) -> None:
    now = clock.now()
    with runtime.sessions() as session, session.begin():
        people = [
            make_staff(session, role="admin", now=now)[0],
            make_staff(session, role="manager", team="alpha", now=now)[0],
            make_staff(session, role="manager", team="beta", now=now)[0],
            make_staff(session, role="csm", team="alpha", now=now)[0],
            make_staff(session, role="csm", team="alpha", now=now)[0],
            make_staff(session, role="csm", team="beta", now=now)[0],
        ]
        csms = [p for p in people if p.role == "csm"]
        owners: list[int | None] = [None, *(c.id for c in csms)]
        onboardings = [make_onboarding(session, now=now, csm_id=owner) for owner in owners]
        orphan = Conversation(
            channel="terminal", address="orphan", state={}, created_at=now, updated_at=now
        )
        session.add(orphan)
        session.flush()
        principals = [as_principal(p) for p in people]
        teams = {p.id: p.team for p in people}
        checked = 0
        for principal in principals:
            visible = set(session.scalars(select(Onboarding.id).where(onboarding_scope(principal))))
            for onboarding in onboardings:
                seen = may_see(
                    principal,
                    event(onboarding_id=onboarding.id, csm_id=onboarding.csm_id),
                    team_of=teams,
                )
                assert seen == (onboarding.id in visible), (principal, onboarding.csm_id)
                checked += 1
            # An event without onboarding, as a conversation without one: the admins' only.
            orphan_visible = session.scalar(
                select(Conversation.id).where(
                    Conversation.id == orphan.id, conversation_scope(principal)
                )
            )
            assert may_see(principal, event(onboarding_id=None), team_of=teams) == (
                orphan_visible is not None
            )
            # An onboarding moved from one CSM to another: seen by whoever saw it before or
            # sees it now.
            for before in owners:
                for after in owners:
                    moved = event(csm_id=after, data={"previous_csm_id": before})
                    by_then = {o.csm_id: o.id in visible for o in onboardings}
                    assert may_see(principal, moved, team_of=teams) == (
                        by_then[before] or by_then[after]
                    )
                    checked += 1
    assert checked == len(principals) * (len(onboardings) + len(owners) ** 2)


def test_events_go_out_in_id_order_and_a_missing_id_is_waited_for(
    runtime: Runtime, clock: FakeClock
) -> None:
    hub = EventHub(sessions=runtime.sessions, clock=clock, gap_wait_s=0.2)
    admin = Principal(id=1, name="A", role="admin", team="alpha", segment=None)
    subscription, _ = hub.subscribe(admin, after=0)
    hub.cursor = 10
    hub._pending[12] = event(12)
    hub._advance()
    assert subscription.queue.empty()  # 11 may still be committed
    hub._pending[11] = event(11)
    hub._advance()
    assert [subscription.queue.get_nowait().id for _ in range(2)] == [11, 12]  # type: ignore[union-attr]
    hub._pending[15] = event(15)
    hub._advance()
    assert subscription.queue.empty()
    time.sleep(0.25)  # 13 and 14 never came (rolled back): given up on
    hub._advance()
    delivered = subscription.queue.get_nowait()
    assert isinstance(delivered, LiveEvent) and delivered.id == 15
    assert hub.cursor == 15


def test_a_connection_that_falls_behind_is_dropped_with_resync(
    runtime: Runtime, clock: FakeClock
) -> None:
    hub = EventHub(sessions=runtime.sessions, clock=clock, queue_size=3)
    admin = Principal(id=1, name="A", role="admin", team="alpha", segment=None)
    slow, _ = hub.subscribe(admin, after=0)
    fast, _ = hub.subscribe(admin, after=0)
    for n in range(1, 6):
        hub._pending[n] = event(n)
        hub._advance()
        while not fast.queue.empty():
            fast.queue.get_nowait()
    assert slow.dropped and slow.queue.qsize() == 1 and slow.queue.get_nowait() == RESYNC
    assert not fast.dropped and hub.connections == 1


@pytest.mark.parametrize("after", [0, 7])
def test_a_connection_gets_nothing_at_or_below_its_last_id(
    runtime: Runtime, clock: FakeClock, after: int
) -> None:
    hub = EventHub(sessions=runtime.sessions, clock=clock)
    admin = Principal(id=1, name="A", role="admin", team="alpha", segment=None)
    subscription, cursor = hub.subscribe(admin, after=after)
    assert cursor == 0
    for n in range(1, 10):
        hub._pending[n] = event(n)
    hub._advance()
    got = []
    while not subscription.queue.empty():
        item = subscription.queue.get_nowait()
        assert isinstance(item, LiveEvent)
        got.append(item.id)
    assert got == list(range(after + 1, 10))
