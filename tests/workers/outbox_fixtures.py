"""What the outbox tests share: a runtime wired to the Twilio fake, rows queued as a committed
turn queues them, rounds of the real worker over the real channel adapters, and a check that
no thread outlives a test (one that does keeps the interpreter, or ``onboard worker``, from
exiting)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.bootstrap import Runtime, build_channels, build_outbox_worker, build_runtime
from bot.domain.clock import FakeClock
from bot.domain.messages import Channel, OutboundMessage
from bot.service.message_store import store_outbound
from bot.storage.models import Conversation, OutboxItem
from tests.e2e.conftest import twilio_settings
from tests.fakes.twilio import FakeTwilio
from tests.support.scripted_nlu import ScriptedInterpreter

__all__ = ["CLIENT", "deliver", "no_thread_left_behind", "outbox_rows", "outbox_runtime", "queue"]

CLIENT = "+5511987654321"


def outbox_runtime(
    database_url: str, tmp_path: Path, fake: FakeTwilio, clock: FakeClock, **extra: Any
) -> Runtime:
    """The database fixture is migrated already; migrating from threads is not supported."""
    settings = twilio_settings(database_url, tmp_path, fake, **extra)
    return build_runtime(settings, clock=clock, interpreter=ScriptedInterpreter(), migrate=False)


def queue(runtime: Runtime, texts: list[str], *, kind: str = "reply", address: str = CLIENT) -> int:
    """Stores outbound messages for one WhatsApp conversation, as a committed turn would;
    returns the conversation's id."""
    now = runtime.clock.now()
    with runtime.sessions.begin() as session:
        conversation = session.scalar(select(Conversation).where(Conversation.address == address))
        if conversation is None:
            conversation = Conversation(
                channel=Channel.TWILIO_WHATSAPP.value,
                address=address,
                state={},
                last_inbound_at=now,
                created_at=now,
                updated_at=now,
            )
            session.add(conversation)
            session.flush()
        for text in texts:
            store_outbound(
                session,
                conversation,
                reply=OutboundMessage(text=text, kind=kind),
                author="bot",
                now=now,
            )
        return conversation.id


async def deliver(runtime: Runtime, *, rounds: int = 20) -> None:
    """Rounds of the configured worker until one finds nothing due (at most ``rounds``)."""
    channels = build_channels(runtime.settings)
    await channels.start()
    try:
        worker = build_outbox_worker(runtime, channels)
        for _ in range(rounds):
            if await worker.run_once() == 0:
                break
    finally:
        await channels.close()


def outbox_rows(runtime: Runtime) -> list[OutboxItem]:
    with runtime.sessions() as session:
        return list(session.scalars(select(OutboxItem).order_by(OutboxItem.id)))


@contextmanager
def no_thread_left_behind(*, grace_s: float = 10.0) -> Iterator[None]:
    """Fails if a non-daemon thread started inside the block is still alive after it; one
    that is stopping gets ``grace_s`` to end."""
    before = set(threading.enumerate())
    yield
    started = [t for t in set(threading.enumerate()) - before if not t.daemon]
    for thread in started:
        thread.join(grace_s)
    left = [thread.name for thread in started if thread.is_alive()]
    assert left == [], f"threads that would keep the process from exiting: {left}"
