"""Two ``serve``-like apps on one database and one Redis, each with its own engine, session
factory and event hub (as two processes have): a change made through one is delivered by the
other's ``GET /console/events``. The second hub polls the log only every 30 seconds, so a
delivery within 10 seconds can only come from the Redis wake-up published after the commit.
How fast it is (well under 2 s) is measured by ``bench/console_live``, not asserted here."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.orm import sessionmaker

from backoffice import BackofficeSettings
from backoffice.api import build_context
from backoffice.console import ConsoleContext, Views, load_translations
from backoffice.console.live import EventHub
from backoffice.staff_auth import AuthPolicy
from bot.bootstrap import Runtime, build_runtime
from bot.config import Settings
from bot.documents.store import DocumentStore
from bot.domain.clock import FakeClock
from bot.storage.console_events import on_events_committed, record_console_event
from tests.backoffice.factories import Roster, conversation_of, make_onboarding
from tests.console.conftest import PASSWORD, csrf_of, email_of
from tests.console.sse import SseReader, live_app
from tests.support.scripted_nlu import ScriptedInterpreter
from tests.support.server import serving

WAKE_UP_S = 10.0  # far under the second hub's 30-s poll: only the Redis wake-up is that quick


def console_of(runtime: Runtime, hub: EventHub, documents: DocumentStore) -> ConsoleContext:
    settings = BackofficeSettings()
    return ConsoleContext(
        backoffice=build_context(
            sessions=runtime.sessions,
            clock=runtime.clock,
            conversations=runtime.conversations,
            settings=settings,
            outbox_wake=asyncio.Event(),
            documents=documents,
        ),
        views=Views(load_translations(), timezone=settings.timezone),
        policy=AuthPolicy(),
        secure_cookies=False,
        public_url="http://127.0.0.1",
        feed=hub,
    )


@pytest.fixture
def second_runtime(settings: Settings, clock: FakeClock) -> Iterator[Runtime]:
    """The other process's runtime: its own engine and session factory on the same database."""
    other = build_runtime(settings, clock=clock, interpreter=ScriptedInterpreter(), migrate=False)
    yield other
    other.close()


def test_a_change_made_through_one_process_reaches_the_other_s_browsers_by_redis(
    runtime: Runtime,
    second_runtime: Runtime,
    clock: FakeClock,
    passwords: Roster,
    documents: DocumentStore,
    redis_url: str,
    redis_prefix: str,
) -> None:
    with runtime.sessions() as session, session.begin():
        onboarding = make_onboarding(session, now=clock.now(), csm_id=passwords.csm_owner.id)
        conversation_id = conversation_of(session, onboarding).id
    hubs = [
        EventHub(
            sessions=rt.sessions,
            clock=clock,
            redis_url=redis_url,
            key_prefix=redis_prefix,
            poll_s=30.0,
            heartbeat_s=0.5,
        )
        for rt in (runtime, second_runtime)
    ]
    writer_app = live_app(console_of(runtime, hubs[0], documents), hubs[0], runtime)
    reader_app = live_app(console_of(second_runtime, hubs[1], documents), hubs[1], second_runtime)
    with serving(writer_app) as writer_url, serving(reader_app) as reader_url:
        browser = httpx.Client(base_url=reader_url, timeout=20)
        page = browser.get("/console/login")
        signed = browser.post(
            "/console/login",
            data={
                "email": email_of(runtime, passwords.csm_owner.id),
                "password": PASSWORD,
                "csrf_token": csrf_of(page.text),
            },
        )
        assert signed.status_code == 303
        stream = SseReader(reader_url, browser.cookies)
        try:
            assert stream.status == 200
            time.sleep(0.3)  # the reader's Redis subscription is up
            taken = httpx.post(
                f"{writer_url}/api/v1/conversations/{conversation_id}/takeover",
                headers=passwords.csm_owner.headers,
                timeout=20,
            )
            assert taken.status_code == 200, taken.text
            got = stream.by_kind(1, timeout=WAKE_UP_S)
            # A third process that only writes (``onboard worker``): its wake-up too.
            asyncio.run(write_as_worker(runtime, clock, redis_url, redis_prefix, onboarding.id))
            from_worker = stream.by_kind(1, timeout=WAKE_UP_S)
        finally:
            stream.close()
            browser.close()
    assert got[0].event == "takeover"
    assert got[0].payload["conversation_id"] == conversation_id
    assert from_worker[0].event == "document_read"


async def write_as_worker(
    runtime: Runtime, clock: FakeClock, redis_url: str, prefix: str, onboarding_id: int
) -> None:
    sessions = sessionmaker(runtime.db, expire_on_commit=False)
    worker = EventHub(
        sessions=sessions, clock=clock, redis_url=redis_url, key_prefix=prefix, read=False
    )
    await worker.start()
    unhook = on_events_committed(sessions, worker.notify)
    try:
        with sessions() as session, session.begin():
            record_console_event(
                session,
                kind="document_read",
                at=clock.now(),
                onboarding_id=onboarding_id,
                data={"document_id": 1, "kind": "cnpj_card", "status": "read"},
            )
        await asyncio.sleep(0.3)  # the PUBLISH goes out
    finally:
        unhook()
        await worker.stop()
