"""Sends that may have happened (issue #14, item 7): marked before the provider is called,
settled with Twilio's message list before any resend, held for a person when Twilio cannot
tell, and never sent by a worker whose lease ran out."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.bootstrap import build_channels
from bot.channels.ports import SendResult, Template
from bot.coordination import InProcessRateLimiter
from bot.domain.clock import FakeClock
from bot.domain.messages import OutboundMessage
from bot.storage.models import Message, OutboxItem
from bot.workers.outbox import SETTLE_AFTER_S, ChannelLimits, OutboxWorker, RateLimit
from tests.fakes.twilio import FakeTwilio
from tests.workers.outbox_fixtures import (
    deliver,
    no_thread_left_behind,
    outbox_rows,
    outbox_runtime,
    queue,
)

LATER = timedelta(seconds=SETTLE_AFTER_S + 1)


def test_a_message_twilio_created_before_answering_500_is_recorded_not_sent_again(
    database_url: str, tmp_path: Path, fake: FakeTwilio, clock: FakeClock
) -> None:
    runtime = outbox_runtime(database_url, tmp_path, fake, clock)
    queue(runtime, ["olá", "tudo bem?"])
    fake.fail_next(500, created=True)
    asyncio.run(deliver(runtime))
    first = outbox_rows(runtime)[0]
    assert (first.status, first.attempts) == ("pending", 1)
    assert first.sending_since is not None  # in doubt: settled before anything else
    assert first.next_attempt_at >= clock.now() + timedelta(seconds=SETTLE_AFTER_S)
    assert [m.body for m in fake.sent] == ["olá"]  # and the next one waits behind it

    clock.advance(LATER)
    asyncio.run(deliver(runtime))
    assert [m.body for m in fake.sent] == ["olá", "tudo bem?"]
    assert fake.list_requests == 1
    rows = outbox_rows(runtime)
    assert [(r.status, r.sending_since) for r in rows] == [("sent", None), ("sent", None)]
    with runtime.sessions() as session:
        ids = list(session.scalars(select(Message.channel_message_id).order_by(Message.id)))
    runtime.close()
    assert ids == [m.sid for m in fake.sent]  # later status callbacks find the message


def test_a_500_before_twilio_created_the_message_is_looked_up_then_sent_once(
    database_url: str, tmp_path: Path, fake: FakeTwilio, clock: FakeClock
) -> None:
    runtime = outbox_runtime(database_url, tmp_path, fake, clock)
    queue(runtime, ["Não entendi.", "Não entendi."])
    asyncio.run(deliver(runtime))  # the first copy of the same text went out before
    queue(runtime, ["Não entendi."])
    fake.fail_next(500)
    asyncio.run(deliver(runtime))
    assert len(fake.sent) == 2
    clock.advance(LATER)
    asyncio.run(deliver(runtime))
    runtime.close()
    # The earlier identical texts are known by their sids: not taken for this one.
    assert [m.body for m in fake.sent] == ["Não entendi."] * 3
    assert fake.list_requests == 1


def test_when_twilio_cannot_tell_the_message_waits_and_is_held_for_a_person(
    database_url: str, tmp_path: Path, fake: FakeTwilio, clock: FakeClock
) -> None:
    runtime = outbox_runtime(database_url, tmp_path, fake, clock, outbox_max_attempts=3)
    queue(runtime, ["olá"])
    fake.fail_next(503, created=True)
    fake.fail_next_lists(10)
    asyncio.run(deliver(runtime))
    for _ in range(3):
        clock.advance(LATER)
        asyncio.run(deliver(runtime))
    [row] = outbox_rows(runtime)
    runtime.close()
    assert len(fake.sent) == 1  # never sent again while in doubt
    assert fake.list_requests == 2
    assert row.status == "held"
    assert "may have been sent" in (row.last_error or "")


def test_a_worker_killed_mid_send_leaves_only_its_calls_in_flight_in_doubt(
    database_url: str, tmp_path: Path, fake: FakeTwilio, clock: FakeClock
) -> None:
    """Twilio created the messages but the worker died before hearing back: the rows it was
    sending are in doubt, the ones it had claimed but not started are not; after the lease
    another worker sends every message exactly once."""
    runtime = outbox_runtime(database_url, tmp_path, fake, clock)
    for n in range(20):
        queue(runtime, [f"c{n}"], address=f"+55119{n:08d}")
    fake.answer_delay_s = 2.0

    async def killed_mid_send() -> None:
        channels = build_channels(runtime.settings)
        await channels.start()
        worker = OutboxWorker(
            sessions=runtime.sessions,
            senders=channels.senders,
            clock=runtime.clock,
            concurrency=8,
        )
        task = asyncio.create_task(worker.run_once())
        await fake.wait_for_async(8, timeout=10)
        task.cancel()  # like kill -9: nothing after the calls is written
        with pytest.raises(asyncio.CancelledError):
            await task
        await channels.close()

    with no_thread_left_behind():  # nothing of the dead worker lives on (#14 review)
        asyncio.run(killed_mid_send())
    fake.answer_delay_s = 0.0
    rows = outbox_rows(runtime)
    assert sum(r.sending_since is not None for r in rows) == 8
    assert all(r.status == "pending" for r in rows)

    clock.advance(timedelta(seconds=31))  # the dead worker's lease ran out
    asyncio.run(deliver(runtime))
    rows = outbox_rows(runtime)
    runtime.close()
    bodies = sorted(m.body or "" for m in fake.sent)
    assert bodies == sorted(f"c{n}" for n in range(20))  # each exactly once
    assert fake.list_requests == 8  # settled with Twilio, never resent blind: one per row
    assert [(r.status, r.sending_since) for r in rows] == [("sent", None)] * 20


def test_a_worker_whose_lease_ran_out_before_sending_sends_nothing(
    database_url: str, tmp_path: Path, fake: FakeTwilio, clock: FakeClock
) -> None:
    runtime = outbox_runtime(database_url, tmp_path, fake, clock)
    queue(runtime, ["olá"])
    tokens_asked = asyncio.Event()
    go_on = asyncio.Event()

    class Slow(InProcessRateLimiter):
        async def wait(
            self,
            key: str,
            *,
            rate_per_s: float,
            burst: int,
            tokens: int = 1,
            sleep: Callable[[float], Awaitable[None]] | None = None,
        ) -> None:
            tokens_asked.set()
            await go_on.wait()

    async def stalled_worker() -> None:
        channels = build_channels(runtime.settings)
        await channels.start()
        worker = OutboxWorker(
            sessions=runtime.sessions,
            senders=channels.senders,
            clock=runtime.clock,
            rate_limiter=Slow(),
            limits=ChannelLimits(per_sender={"twilio_whatsapp": RateLimit(80, 80)}, per_chat={}),
        )
        task = asyncio.create_task(worker.run_once())
        await tokens_asked.wait()
        # Meanwhile its lease ran out and another worker claimed the row.
        with runtime.sessions.begin() as session:
            session.execute(
                update(OutboxItem).values(claimed_until=clock.now() + timedelta(minutes=5))
            )
        go_on.set()
        await task
        await channels.close()

    asyncio.run(stalled_worker())
    [row] = outbox_rows(runtime)
    runtime.close()
    assert fake.sent == [] and fake.attempts == 0
    assert (row.status, row.sending_since) == ("pending", None)


def test_a_channel_that_cannot_be_asked_sends_a_message_in_doubt_again(
    database_url: str, tmp_path: Path, fake: FakeTwilio, clock: FakeClock
) -> None:
    """Telegram and Meta have no message list: at-least-once there (README, bench/chaos)."""

    class Plain:
        def __init__(self) -> None:
            self.sent: list[str] = []

        async def send(
            self, *, address: str, message: OutboundMessage, template: Template | None = None
        ) -> SendResult:
            self.sent.append(message.text)
            return SendResult(provider_message_id=f"p{len(self.sent)}", status="sent")

    runtime = outbox_runtime(database_url, tmp_path, fake, clock)
    queue(runtime, ["olá"])
    with runtime.sessions.begin() as session:
        session.execute(update(OutboxItem).values(sending_since=clock.now()))
    sender = Plain()
    worker = OutboxWorker(
        sessions=runtime.sessions, senders={"twilio_whatsapp": sender}, clock=runtime.clock
    )
    asyncio.run(worker.run_once())
    [row] = outbox_rows(runtime)
    runtime.close()
    assert sender.sent == ["olá"]
    assert (row.status, row.sending_since) == ("sent", None)
