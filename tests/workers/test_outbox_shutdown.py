"""A delivery worker stopped mid-round (``onboard worker`` and ``serve`` cancel a round still
running 15 s after the stop): the sends under way stop with it, nothing is written behind its
back, and nothing is left running that would keep the process from exiting."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.channels.ports import SendResult, Template
from bot.domain.channels import SendFailed
from bot.domain.clock import FakeClock
from bot.domain.messages import OutboundMessage
from bot.workers.outbox import OutboxWorker
from tests.fakes.twilio import FakeTwilio
from tests.workers.outbox_fixtures import (
    no_thread_left_behind,
    outbox_rows,
    outbox_runtime,
    queue,
)


class Unanswering:
    """A provider that takes every request and answers none until its connections close,
    then fails them as a dropped connection does (the message may have been sent)."""

    def __init__(self, *, expected: int) -> None:
        self.texts: list[str] = []
        self.cancelled: list[str] = []
        self._expected = expected
        self._all_in_flight = asyncio.Event()
        self._closed = asyncio.Event()

    async def send(
        self, *, address: str, message: OutboundMessage, template: Template | None = None
    ) -> SendResult:
        self.texts.append(message.text)
        if len(self.texts) == self._expected:
            self._all_in_flight.set()
        try:
            await self._closed.wait()
        except asyncio.CancelledError:
            self.cancelled.append(message.text)
            raise
        raise SendFailed("server disconnected", transient=True, maybe_sent=True)

    async def in_flight(self) -> None:
        await self._all_in_flight.wait()

    def close(self) -> None:
        self._closed.set()


def test_a_worker_stopped_mid_round_stops_its_sends_and_leaves_nothing_running(
    database_url: str, tmp_path: Path, fake: FakeTwilio, clock: FakeClock
) -> None:
    runtime = outbox_runtime(database_url, tmp_path, fake, clock)
    for n in range(4):
        queue(runtime, [f"c{n}"], address=f"+55119{n:08d}")
    provider = Unanswering(expected=2)

    async def stopped_mid_round() -> set[asyncio.Task[object]]:
        worker = OutboxWorker(
            sessions=runtime.sessions,
            senders={"twilio_whatsapp": provider},
            clock=runtime.clock,
            concurrency=2,  # the round waits for a free slot for c2 and c3
        )
        round_ = asyncio.create_task(worker.run_once())
        await provider.in_flight()
        round_.cancel()
        with pytest.raises(asyncio.CancelledError):
            await round_
        left = asyncio.all_tasks() - {asyncio.current_task()}
        provider.close()  # the process closes its connections on the way out
        await asyncio.sleep(0)
        return left

    with no_thread_left_behind():
        left = asyncio.run(stopped_mid_round())
    rows = outbox_rows(runtime)
    runtime.close()
    assert left == set()
    assert provider.texts == provider.cancelled == ["c0", "c1"]
    # The two calls in flight stay in doubt for the next worker; nothing else was written.
    assert [(r.status, r.attempts, r.sending_since is not None) for r in rows] == [
        ("pending", 0, True),
        ("pending", 0, True),
        ("pending", 0, False),
        ("pending", 0, False),
    ]
