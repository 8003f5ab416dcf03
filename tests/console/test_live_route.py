"""``GET /console/events``: who receives what, replay after ``Last-Event-ID`` (nothing missed,
nothing repeated), resync beyond the cap, heartbeats, the end of a revoked session."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from backoffice.access import Principal, onboarding_scope
from backoffice.console import ConsoleContext
from backoffice.console.live import EventHub
from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.storage.console_events import record_console_event
from bot.storage.models import ConsoleEvent, Onboarding, StaffSession, StaffUser
from tests.backoffice.factories import Roster, make_onboarding, make_staff
from tests.console.sse import SseReader, live_app
from tests.support.server import serving

HEARTBEAT_S = 0.4


@pytest.fixture
def replay_cap() -> int:
    return 50


@pytest.fixture
def hub(runtime: Runtime, clock: FakeClock, replay_cap: int) -> EventHub:
    # A long poll: an event that arrives in time was woken by its writer's commit.
    return EventHub(
        sessions=runtime.sessions,
        clock=clock,
        poll_s=5.0,
        gap_wait_s=0.5,
        heartbeat_s=HEARTBEAT_S,
        replay_cap=replay_cap,
        queue_size=64,
    )


@pytest.fixture
def live_context(console_context: ConsoleContext, hub: EventHub) -> ConsoleContext:
    return ConsoleContext(
        backoffice=console_context.backoffice,
        views=console_context.views,
        policy=console_context.policy,
        secure_cookies=False,
        public_url=console_context.public_url,
        feed=hub,
    )


@pytest.fixture
def console_app(live_context: ConsoleContext, hub: EventHub, runtime: Runtime) -> FastAPI:
    return live_app(live_context, hub, runtime)


@pytest.fixture
def console_url(console_app: FastAPI) -> Iterator[str]:
    with serving(console_app) as url:
        yield url


@pytest.fixture
def onboardings(runtime: Runtime, clock: FakeClock, passwords: Roster) -> dict[str, int]:
    """One onboarding per kind of owner: each CSM of team alpha, a CSM of team beta, none."""
    with runtime.sessions() as session, session.begin():
        beta_csm, _ = make_staff(session, role="csm", team="beta", now=clock.now())
        return {
            "owner": make_onboarding(session, now=clock.now(), csm_id=passwords.csm_owner.id).id,
            "other": make_onboarding(session, now=clock.now(), csm_id=passwords.csm_other.id).id,
            "beta": make_onboarding(session, now=clock.now(), csm_id=beta_csm.id).id,
            "queue": make_onboarding(session, now=clock.now()).id,
        }


def write(
    runtime: Runtime, clock: FakeClock, kind: str = "stage_changed", **values: object
) -> None:
    """One event, committed (the commit wakes the hub)."""
    with runtime.sessions() as session, session.begin():
        record_console_event(session, kind=kind, at=clock.now(), **values)  # type: ignore[arg-type]


def reader(client: httpx.Client, **kwargs: object) -> SseReader:
    return SseReader(str(client.base_url), client.cookies, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def open_stream(
    sign_in: Callable[[str], httpx.Client],
) -> Iterator[Callable[..., SseReader]]:
    readers: list[SseReader] = []

    def open_as(role: str, **kwargs: object) -> SseReader:
        stream = reader(sign_in(role), **kwargs)
        readers.append(stream)
        assert stream.status == 200
        return stream

    yield open_as
    for stream in readers:
        stream.close()


def principal(runtime: Runtime, staff_id: int) -> Principal:
    with runtime.sessions() as session:
        staff = session.get_one(StaffUser, staff_id)
        return Principal(
            id=staff.id, name=staff.name, role=staff.role, team=staff.team, segment=staff.segment
        )


def test_without_a_session_the_stream_is_refused(console_url: str) -> None:
    answer = httpx.get(f"{console_url}/console/events", timeout=10)
    assert answer.status_code == 401
    assert "text/event-stream" not in answer.headers.get("content-type", "")


@pytest.mark.parametrize("role", ["admin", "manager", "manager_other", "csm_owner", "csm_other"])
def test_each_role_receives_the_events_of_what_onboarding_scope_lets_it_see(
    role: str,
    runtime: Runtime,
    clock: FakeClock,
    passwords: Roster,
    onboardings: dict[str, int],
    open_stream: Callable[..., SseReader],
) -> None:
    stream = open_stream(role)
    assert stream.retry == 2000
    for name, onboarding_id in onboardings.items():
        write(runtime, clock, onboarding_id=onboarding_id, data={"to": name})
    write(runtime, clock, kind="message_in", conversation_id=None)  # no onboarding: admins only
    write(runtime, clock, onboarding_id=onboardings["queue"], data={"to": "end"}, csm_id=None)
    seen: list[dict[str, object]] = []
    while not seen or seen[-1]["data"] != {"to": "end"}:
        seen += [m.payload for m in stream.by_kind(1)]
    with runtime.sessions() as session:
        in_scope = set(
            session.scalars(
                select(Onboarding.id).where(
                    onboarding_scope(principal(runtime, passwords.by_role(role).id)),
                    Onboarding.id.in_(onboardings.values()),
                )
            )
        )
    received = {event["onboarding_id"] for event in seen if event["data"] != {"to": "end"}}
    assert received - {None} == in_scope, (role, seen)
    assert (None in received) == (role == "admin")  # a row without onboarding: admins only


def test_an_event_is_sent_by_kind_by_conversation_and_by_onboarding_with_one_id(
    runtime: Runtime,
    clock: FakeClock,
    onboardings: dict[str, int],
    open_stream: Callable[..., SseReader],
) -> None:
    stream = open_stream("csm_owner")
    write(
        runtime,
        clock,
        kind="message_in",
        onboarding_id=onboardings["owner"],
        conversation_id=77,
        actor="client",
        data={"message_ids": [5]},
    )
    messages = stream.take(3)
    assert [m.event for m in messages] == [
        "message_in",
        "conversation-77",
        f"onboarding-{onboardings['owner']}",
    ]
    assert len({m.id for m in messages}) == 1
    payload = messages[0].payload
    assert payload == {
        "id": int(messages[0].id or 0),
        "kind": "message_in",
        "onboarding_id": onboardings["owner"],
        "conversation_id": 77,
        "csm_id": payload["csm_id"],
        "actor": "client",
        "data": {"message_ids": [5]},
    }
    with runtime.sessions() as session:  # the CSM was looked up from the onboarding
        assert payload["csm_id"] == session.get_one(Onboarding, onboardings["owner"]).csm_id


def test_the_previous_csm_receives_the_assignment_that_took_the_onboarding_away(
    runtime: Runtime,
    clock: FakeClock,
    passwords: Roster,
    onboardings: dict[str, int],
    open_stream: Callable[..., SseReader],
) -> None:
    owner = open_stream("csm_owner")
    other = open_stream("csm_other")
    write(
        runtime,
        clock,
        kind="assigned",
        onboarding_id=onboardings["owner"],
        csm_id=passwords.csm_other.id,
        data={"csm_id": passwords.csm_other.id, "previous_csm_id": passwords.csm_owner.id},
    )
    assert owner.by_kind(1)[0].event == "assigned"
    assert other.by_kind(1)[0].event == "assigned"


def test_a_reconnection_with_last_event_id_is_replayed_what_it_missed_once(
    runtime: Runtime,
    clock: FakeClock,
    onboardings: dict[str, int],
    open_stream: Callable[..., SseReader],
) -> None:
    first = open_stream("csm_owner")
    for n in range(3):
        write(runtime, clock, onboarding_id=onboardings["owner"], data={"n": n})
    before = first.by_kind(3)
    first.close()
    last_id = int(before[-1].id or 0)
    for n in range(3, 8):  # while the browser is away; two it may not see among them
        write(runtime, clock, onboarding_id=onboardings["owner"], data={"n": n})
        if n % 2:
            write(runtime, clock, onboarding_id=onboardings["other"], data={"n": -n})
    again = open_stream("csm_owner", last_event_id=last_id)
    write(runtime, clock, onboarding_id=onboardings["owner"], data={"n": 8})  # live
    after = again.by_kind(6)
    assert [m.payload["data"]["n"] for m in before + after] == list(range(9))
    ids = [int(m.id or 0) for m in before + after]
    assert ids == sorted(set(ids))  # in order, none twice
    assert not [m for m in again.quiet(for_s=0.5) if not m.event.startswith(("conv", "onb"))]


def test_the_page_s_first_connection_replays_from_the_id_it_was_rendered_at(
    runtime: Runtime,
    clock: FakeClock,
    onboardings: dict[str, int],
    open_stream: Callable[..., SseReader],
) -> None:
    write(runtime, clock, onboarding_id=onboardings["owner"], data={"n": 0})
    with runtime.sessions() as session:
        rendered_at = max(session.scalars(select(ConsoleEvent.id)))
    write(runtime, clock, onboarding_id=onboardings["owner"], data={"n": 1})
    stream = open_stream("csm_owner", query=f"?last_event_id={rendered_at}")
    assert [m.payload["data"] for m in stream.by_kind(1)] == [{"n": 1}]


@pytest.mark.parametrize("replay_cap", [4])
def test_beyond_the_replay_cap_the_page_is_told_to_resync(
    runtime: Runtime,
    clock: FakeClock,
    onboardings: dict[str, int],
    open_stream: Callable[..., SseReader],
) -> None:
    write(runtime, clock, onboarding_id=onboardings["owner"], data={"n": 0})
    with runtime.sessions() as session:
        start = max(session.scalars(select(ConsoleEvent.id)))
    for n in range(1, 7):
        write(runtime, clock, onboarding_id=onboardings["owner"], data={"n": n})
    stream = open_stream("csm_owner", last_event_id=start)
    resync = stream.take(1)[0]
    assert resync.event == "resync"
    assert int(resync.id or 0) == start + 6  # resumes after the newest
    write(runtime, clock, onboarding_id=onboardings["owner"], data={"n": 7})
    assert [m.payload["data"] for m in stream.by_kind(1)] == [{"n": 7}]


def test_a_quiet_stream_carries_heartbeats(open_stream: Callable[..., SseReader]) -> None:
    stream = open_stream("csm_owner")
    assert stream.quiet(for_s=HEARTBEAT_S * 3) == []
    assert any(c.startswith(": keep-alive") for c in stream.comments)


def test_the_stream_ends_when_its_session_is_revoked(
    runtime: Runtime, clock: FakeClock, open_stream: Callable[..., SseReader]
) -> None:
    stream = open_stream("csm_owner")
    with runtime.sessions() as session, session.begin():
        for row in session.scalars(select(StaffSession)):
            row.revoked_at = clock.now()
    assert stream.ended.wait(HEARTBEAT_S * 5)


def test_a_closed_tab_leaves_the_hub(hub: EventHub, open_stream: Callable[..., SseReader]) -> None:
    stream = open_stream("csm_owner")
    assert hub.connections == 1
    stream.close()
    for _ in range(50):
        if hub.connections == 0:
            break
        time.sleep(0.1)
    assert hub.connections == 0
