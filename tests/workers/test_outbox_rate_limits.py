"""The outbox worker's rate limits: a sender's bucket taken chunk by chunk, a chat's own
bucket (Telegram), and a limiter that is unavailable (nothing sent, retried later)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.bootstrap import Runtime, build_channels, build_runtime
from bot.channels.adapters import ChannelAdapters
from bot.config import Settings
from bot.coordination import CoordinationUnavailable, InProcessRateLimiter, RateLimiter
from bot.domain.clock import FakeClock
from bot.domain.messages import OutboundMessage
from bot.service.message_store import store_outbound
from bot.storage.models import Conversation, OutboxItem
from bot.workers.outbox import ChannelLimits, OutboxWorker, RateLimit
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio
from tests.support.scripted_nlu import ScriptedInterpreter
from tests.workers.outbox_fixtures import outbox_runtime, queue


class VirtualTimeRateLimiter(InProcessRateLimiter):
    """The in-process limiter on a clock of its own that only its waits move: what the
    worker had to wait is counted, not timed."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []
        super().__init__(clock=lambda: self.now)

    async def wait(
        self,
        key: str,
        *,
        rate_per_s: float,
        burst: int,
        tokens: int = 1,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        async def advance(seconds: float) -> None:
            self.slept.append(seconds)
            self.now += max(seconds, 1e-9)  # a float-rounding 1e-17 s wait must move it
            await asyncio.sleep(0)

        await super().wait(key, rate_per_s=rate_per_s, burst=burst, tokens=tokens, sleep=advance)


# long: one end-to-end story, step after step as a person (or process) lives it
def test_telegram_chat_limit_spaces_messages_to_one_chat(database_url: str, tmp_path: Path) -> None:
    """Telegram allows about 1 message/s per chat: a burst beyond the bucket waits."""
    with FakeTelegram() as telegram:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=database_url,
            telegram_bot_token=telegram.token,  # type: ignore[arg-type]
            telegram_secret_token="secret_1",  # type: ignore[arg-type]
            telegram_api_url=telegram.url,
            nlu_cache_dir=tmp_path / "nlu",
        )
        runtime = build_runtime(settings, interpreter=ScriptedInterpreter(), migrate=False)
        now = runtime.clock.now()
        with runtime.sessions() as session, session.begin():
            conversation = Conversation(
                channel="telegram",
                address="7234567890",
                state={},
                last_inbound_at=now,
                created_at=now,
                updated_at=now,
            )
            session.add(conversation)
            session.flush()
            for n in range(4):
                store_outbound(
                    session,
                    conversation,
                    reply=OutboundMessage(text=f"m{n}"),
                    author="bot",
                    now=now,
                )

        limiter = VirtualTimeRateLimiter()

        async def deliver() -> None:
            channels = build_channels(settings)
            await channels.start()
            worker = OutboxWorker(
                sessions=runtime.sessions,
                senders=channels.senders,
                clock=runtime.clock,
                rate_limiter=limiter,
                limits=ChannelLimits(per_sender={}, per_chat={"telegram": RateLimit(5.0, 2)}),
            )
            while await worker.run_once():
                pass
            await channels.close()

        asyncio.run(deliver())
        runtime.close()
        assert [m["text"] for m in telegram.sent] == ["m0", "m1", "m2", "m3"]
        # 2 at once, then 5/s: the last two waited 0.2 s each (the limiter's own clock).
        assert limiter.now == pytest.approx(0.4)
        assert limiter.slept == pytest.approx([0.2, 0.2])


def _worker_with_limits(
    runtime: Runtime, channels: ChannelAdapters, limiter: RateLimiter, limits: ChannelLimits
) -> OutboxWorker:
    return OutboxWorker(
        sessions=runtime.sessions,
        senders=channels.senders,
        clock=runtime.clock,
        rate_limiter=limiter,
        limits=limits,
    )


def test_the_sender_limit_spaces_a_batch_to_many_clients(
    database_url: str, tmp_path: Path, fake: FakeTwilio
) -> None:
    """A claimed batch takes the sender's tokens chunk by chunk: 4 at once, then 20/s."""
    clock = FakeClock(datetime.fromisoformat("2026-03-02T10:00:00-03:00"))
    runtime = outbox_runtime(database_url, tmp_path, fake, clock)
    clients = [f"+55119876500{n:02d}" for n in range(12)]
    for client in clients:
        queue(runtime, [f"olá {client}"], address=client)

    limiter = VirtualTimeRateLimiter()

    async def deliver() -> None:
        channels = build_channels(runtime.settings)
        await channels.start()
        limits = ChannelLimits(per_sender={"twilio_whatsapp": RateLimit(20.0, 4)}, per_chat={})
        worker = _worker_with_limits(runtime, channels, limiter, limits)
        while await worker.run_once():
            pass
        await channels.close()

    asyncio.run(deliver())
    runtime.close()
    assert sorted(m.to for m in fake.sent) == sorted(f"whatsapp:{c}" for c in clients)
    # 4 at once, then chunks of 4 that wait for their 4 tokens at 20/s (0.2 s each).
    assert limiter.slept == pytest.approx([0.2, 0.2])
    assert limiter.now == pytest.approx(0.4)


def test_an_unavailable_rate_limiter_sends_nothing_and_retries_later(
    database_url: str, tmp_path: Path, fake: FakeTwilio
) -> None:
    class Down(InProcessRateLimiter):
        async def acquire(
            self, key: str, *, rate_per_s: float, burst: int, tokens: int = 1
        ) -> float:
            raise CoordinationUnavailable("redis rate limit failed: connection refused")

    clock = FakeClock(datetime.fromisoformat("2026-03-02T10:00:00-03:00"))
    runtime = outbox_runtime(database_url, tmp_path, fake, clock)
    queue(runtime, ["um"], address="+5511987650001")
    queue(runtime, ["dois"], address="+5511987650002")

    async def deliver(limiter: RateLimiter) -> int:
        channels = build_channels(runtime.settings)
        await channels.start()
        worker = _worker_with_limits(runtime, channels, limiter, ChannelLimits.defaults())
        handled = await worker.run_once()
        await channels.close()
        return handled

    assert asyncio.run(deliver(Down())) == 2
    with runtime.sessions() as session:
        items = session.scalars(select(OutboxItem)).all()
        assert [(i.status, i.attempts) for i in items] == [("pending", 1), ("pending", 1)]
        assert all("rate limiter unavailable" in (i.last_error or "") for i in items)
    assert fake.sent == []
    clock.advance(timedelta(minutes=1))
    assert asyncio.run(deliver(InProcessRateLimiter())) == 2
    runtime.close()
    assert sorted(m.body or "" for m in fake.sent) == ["dois", "um"]
