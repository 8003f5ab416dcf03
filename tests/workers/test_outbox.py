"""The outbox worker: crash recovery, several workers, statuses, a row that cannot be prepared.

The 24-hour window, opt-out and paused bots are in ``test_outbox_decisions``, rate limits in
``test_outbox_rate_limits``, sends that may have happened in ``test_outbox_in_doubt``, a
worker stopped mid-round in ``test_outbox_shutdown``."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from bot.bootstrap import build_channels
from bot.domain.clock import FakeClock
from bot.domain.messages import Channel
from bot.service.deliveries import record_delivery_status
from bot.storage.models import Conversation, Message, OutboxItem
from bot.workers.outbox import OutboxWorker
from tests.fakes.twilio import FakeTwilio
from tests.support.conversation import Chat
from tests.workers.outbox_fixtures import CLIENT, deliver, outbox_runtime, queue


def test_committed_but_unsent_replies_are_delivered_after_a_restart(
    database_url: str, tmp_path: Path, fake: FakeTwilio, clock: FakeClock
) -> None:
    first = outbox_runtime(database_url, tmp_path, fake, clock)
    chat = Chat(first, address=CLIENT, channel=Channel.TWILIO_WHATSAPP)
    chat.say("oi")  # committed with its outbox row; the process "dies" before the worker runs
    first.close()

    restarted = outbox_runtime(database_url, tmp_path, fake, clock)
    asyncio.run(deliver(restarted))
    asyncio.run(deliver(restarted))  # a second pass sends nothing again
    restarted.close()
    assert len(fake.sent) == 1 and "Você concorda" in (fake.sent[0].body or "")


def test_an_expired_claim_is_taken_over_by_another_worker(
    database_url: str, tmp_path: Path, fake: FakeTwilio, clock: FakeClock
) -> None:
    runtime = outbox_runtime(database_url, tmp_path, fake, clock)
    queue(runtime, ["olá"])
    with runtime.sessions() as session, session.begin():
        item = session.scalars(select(OutboxItem)).one()
        item.claimed_until = clock.now() + timedelta(seconds=60)  # a worker that died mid-send
    asyncio.run(deliver(runtime))
    assert fake.sent == []
    clock.advance(timedelta(seconds=61))
    asyncio.run(deliver(runtime))
    runtime.close()
    assert [m.body for m in fake.sent] == ["olá"]


def test_two_workers_never_send_the_same_message_twice(
    database_url: str, tmp_path: Path, fake: FakeTwilio, clock: FakeClock
) -> None:
    runtime = outbox_runtime(database_url, tmp_path, fake, clock)
    expected: list[str] = []
    for n in range(30):
        texts = [f"c{n}-m{i}" for i in range(3)]
        queue(runtime, texts, address=f"+55119{n:08d}")
        expected += texts
    runtime.close()

    def worker_thread() -> None:
        own = outbox_runtime(database_url, tmp_path, fake, clock)
        try:
            asyncio.run(deliver(own, rounds=50))
        finally:
            own.close()

    threads = [threading.Thread(target=worker_thread) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    bodies = [m.body or "" for m in fake.sent]
    assert sorted(bodies) == sorted(expected)  # each exactly once
    for n in range(30):  # and each conversation's messages in order
        mine = [b for b in bodies if b.startswith(f"c{n}-")]
        assert mine == [f"c{n}-m0", f"c{n}-m1", f"c{n}-m2"]


def test_delivery_statuses_only_move_forward(
    database_url: str, tmp_path: Path, fake: FakeTwilio, clock: FakeClock
) -> None:
    runtime = outbox_runtime(database_url, tmp_path, fake, clock)
    queue(runtime, ["oi"])
    asyncio.run(deliver(runtime))
    sid = fake.sent[0].sid
    for status in ("delivered", "sent", "read", "queued"):
        assert record_delivery_status(
            runtime.sessions, provider_message_id=sid, status=status, error_code=None
        )
    assert not record_delivery_status(
        runtime.sessions, provider_message_id="SMunknown", status="read", error_code=None
    )
    with runtime.sessions() as session:
        message = session.scalars(select(Message)).one()
    runtime.close()
    assert message.status == "read"


def test_a_row_that_cannot_be_prepared_does_not_hold_the_batch_back(
    database_url: str, tmp_path: Path, fake: FakeTwilio
) -> None:
    """A broken template setting for one kind fails that row (retried later, dead-lettered in
    the end), and the rest of the batch is delivered."""
    clock = FakeClock(datetime.fromisoformat("2026-03-02T10:00:00-03:00"))
    runtime = outbox_runtime(database_url, tmp_path, fake, clock)
    queue(runtime, ["lembrete"], kind="reminder", address="+5511987650001")
    queue(runtime, ["resposta"], address="+5511987650002")
    with runtime.sessions.begin() as session:  # the first client wrote two days ago
        session.execute(
            update(Conversation)
            .where(Conversation.address == "+5511987650001")
            .values(last_inbound_at=clock.now() - timedelta(days=2))
        )

    async def deliver() -> int:
        channels = build_channels(runtime.settings)
        await channels.start()
        worker = OutboxWorker(
            sessions=runtime.sessions,
            senders=channels.senders,
            clock=runtime.clock,
            templates={"reminder": object()},  # type: ignore[dict-item]
        )
        handled = await worker.run_once()
        await channels.close()
        return handled

    assert asyncio.run(deliver()) == 2
    assert [m.body for m in fake.sent] == ["resposta"]
    with runtime.sessions() as session:
        broken = session.scalars(select(OutboxItem).order_by(OutboxItem.id)).first()
        assert broken is not None
        assert (broken.status, broken.attempts) == ("pending", 1)
        assert "unexpected error" in (broken.last_error or "")
    runtime.close()
