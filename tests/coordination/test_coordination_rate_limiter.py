"""Token-bucket rate limits, in-process and on Redis (same test bodies)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
import redis.asyncio

from bot.coordination import Coordination, InProcessRateLimiter, RedisRateLimiter


async def test_burst_then_wait(coordination: Coordination) -> None:
    limiter = coordination.rate_limiter
    waits = [await limiter.acquire("sender:+551140000000", rate_per_s=2, burst=3) for _ in range(3)]
    assert waits == [0.0, 0.0, 0.0]
    wait = await limiter.acquire("sender:+551140000000", rate_per_s=2, burst=3)
    assert 0.4 < wait <= 0.5
    await asyncio.sleep(wait)
    assert await limiter.acquire("sender:+551140000000", rate_per_s=2, burst=3) == 0.0


async def test_telegram_one_message_per_second_per_chat(coordination: Coordination) -> None:
    limiter = coordination.rate_limiter
    assert await limiter.acquire("telegram:chat:7", rate_per_s=1, burst=1) == 0.0
    assert 0.9 < await limiter.acquire("telegram:chat:7", rate_per_s=1, burst=1) <= 1.0
    assert await limiter.acquire("telegram:chat:8", rate_per_s=1, burst=1) == 0.0


async def test_rate_is_bounded_under_concurrency(coordination: Coordination) -> None:
    limiter = coordination.rate_limiter
    rate, burst, wanted = 50.0, 5, 30
    grants: list[float] = []

    async def sender() -> None:
        while len(grants) < wanted:
            await limiter.wait("twilio:sender", rate_per_s=rate, burst=burst)
            grants.append(time.monotonic())

    await asyncio.gather(*(sender() for _ in range(8)))  # every sender gets through
    assert len(grants) >= wanted
    # No window of 0.2 s holds more than the burst plus what 0.2 s refills (an upper bound:
    # a slow machine only spreads the grants out).
    grants.sort()
    for index, moment in enumerate(grants):
        in_window = sum(1 for other in grants[index:] if other - moment <= 0.2)
        assert in_window <= burst + rate * 0.2 + 1


async def test_grants_never_outrun_the_bucket_on_a_virtual_clock() -> None:
    """The same property, exactly: the in-process bucket on a clock only the waits move."""
    now = [0.0]

    async def advance(seconds: float) -> None:
        # At least a nanosecond: a wait of 1e-17 s (float rounding of the refill) added to
        # the clock would leave it where it was, and the sender would ask forever.
        now[0] += max(seconds, 1e-9)
        await asyncio.sleep(0)

    limiter = InProcessRateLimiter(clock=lambda: now[0])
    rate, burst = 50.0, 5
    grants: list[float] = []

    async def sender() -> None:
        while len(grants) < 100:
            await limiter.wait("twilio:sender", rate_per_s=rate, burst=burst, sleep=advance)
            grants.append(now[0])

    await asyncio.gather(*(sender() for _ in range(8)))
    for index, moment in enumerate(grants):
        in_window = sum(1 for other in grants[index:] if other - moment <= 0.2)
        assert in_window <= burst + rate * 0.2 + 1
    # ... and no slower than the rate: n grants took (n - burst) / rate of virtual time at most
    # beyond what the senders' own waits added.
    assert grants[99] >= (100 - burst) / rate - 1e-9


async def test_a_batch_takes_its_tokens_at_once_or_none(coordination: Coordination) -> None:
    limiter = coordination.rate_limiter
    assert await limiter.acquire("twilio:batch", rate_per_s=10, burst=10, tokens=7) == 0.0
    # 3 left: a batch of 5 takes nothing and waits for the 2 missing (0.2 s at 10/s) ...
    assert 0.15 < await limiter.acquire("twilio:batch", rate_per_s=10, burst=10, tokens=5) <= 0.2
    # ... so the 3 are still there for single sends.
    for _ in range(3):
        assert await limiter.acquire("twilio:batch", rate_per_s=10, burst=10) == 0.0
    assert await limiter.acquire("twilio:batch", rate_per_s=10, burst=10) > 0.05


async def test_invalid_limits(coordination: Coordination) -> None:
    with pytest.raises(ValueError):
        await coordination.rate_limiter.acquire("k", rate_per_s=0, burst=1)
    with pytest.raises(ValueError):
        await coordination.rate_limiter.acquire("k", rate_per_s=1, burst=0)
    with pytest.raises(ValueError, match="burst"):  # could never be granted
        await coordination.rate_limiter.acquire("k", rate_per_s=1, burst=3, tokens=4)


async def test_in_process_exact_values_on_a_fake_clock() -> None:
    now = [50.0]
    limiter = InProcessRateLimiter(clock=lambda: now[0])
    assert await limiter.acquire("chat", rate_per_s=1, burst=1) == 0.0
    assert await limiter.acquire("chat", rate_per_s=1, burst=1) == 1.0
    now[0] += 0.25
    assert await limiter.acquire("chat", rate_per_s=1, burst=1) == 0.75
    now[0] += 0.75
    assert await limiter.acquire("chat", rate_per_s=1, burst=1) == 0.0
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    await limiter.wait("chat", rate_per_s=4, burst=1, sleep=fake_sleep)
    assert slept == [0.25]


async def test_in_process_drops_idle_buckets() -> None:
    now = [0.0]
    limiter = InProcessRateLimiter(clock=lambda: now[0])
    for i in range(1000):
        await limiter.acquire(f"chat:{i}", rate_per_s=1, burst=1)
    now[0] += 2
    for _ in range(24):
        await limiter.acquire("busy", rate_per_s=1000, burst=1000)
    assert len(limiter) == 1


async def test_redis_buckets_are_shared_between_clients(redis_url: str, key_prefix: str) -> None:
    clients = [redis.asyncio.Redis.from_url(redis_url) for _ in range(2)]
    limiters: list[Any] = [RedisRateLimiter(client, prefix=key_prefix) for client in clients]
    try:
        assert await limiters[0].acquire("meta:sender", rate_per_s=1, burst=2) == 0.0
        assert await limiters[1].acquire("meta:sender", rate_per_s=1, burst=2) == 0.0
        assert await limiters[0].acquire("meta:sender", rate_per_s=1, burst=2) > 0.9
    finally:
        for client in clients:
            await client.aclose()
