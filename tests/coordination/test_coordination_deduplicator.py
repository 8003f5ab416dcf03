"""De-duplication of channel message ids, in-process and on Redis (same test bodies)."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot.coordination import (
    Coordination,
    CoordinationUnavailable,
    InProcessDeduplicator,
    RedisDeduplicator,
    build_coordination,
)


async def test_concurrent_first_time_is_true_exactly_once(coordination: Coordination) -> None:
    dedup = coordination.deduplicator
    results = await asyncio.gather(*(dedup.first_time("SM0001", ttl_s=60) for _ in range(50)))
    assert results.count(True) == 1
    assert await dedup.first_time("SM0001", ttl_s=60) is False


async def test_keys_are_independent(coordination: Coordination) -> None:
    dedup = coordination.deduplicator
    keys = [f"wamid.{i}" for i in range(20)]
    assert all(await asyncio.gather(*(dedup.first_time(k, ttl_s=60) for k in keys)))
    assert not any(await asyncio.gather(*(dedup.first_time(k, ttl_s=60) for k in keys)))


async def test_seen_only_looks(coordination: Coordination) -> None:
    dedup = coordination.deduplicator
    assert not await dedup.seen("SM-look")
    assert not await dedup.seen("SM-look")  # looking does not remember
    assert await dedup.first_time("SM-look", ttl_s=60)
    assert await dedup.seen("SM-look")
    assert not await dedup.seen("SM-other")


async def test_forget_allows_a_retry(coordination: Coordination) -> None:
    dedup = coordination.deduplicator
    assert await dedup.first_time("update:42", ttl_s=60)
    await dedup.forget("update:42")
    assert not await dedup.seen("update:42")
    assert await dedup.first_time("update:42", ttl_s=60)
    assert not await dedup.first_time("update:42", ttl_s=60)


async def test_keys_expire_after_the_ttl(coordination: Coordination) -> None:
    dedup = coordination.deduplicator
    assert await dedup.first_time("SM-expiring", ttl_s=1)
    assert not await dedup.first_time("SM-expiring", ttl_s=1)
    await asyncio.sleep(1.1)
    assert not await dedup.seen("SM-expiring")
    assert await dedup.first_time("SM-expiring", ttl_s=1)


async def test_ttl_must_be_positive(coordination: Coordination) -> None:
    with pytest.raises(ValueError):
        await coordination.deduplicator.first_time("x", ttl_s=0)


async def test_in_process_prunes_expired_keys() -> None:
    now = [1000.0]
    dedup = InProcessDeduplicator(clock=lambda: now[0])
    for i in range(100):
        assert await dedup.first_time(f"k{i}", ttl_s=10)
    assert len(dedup) == 100
    now[0] += 9.9
    assert not await dedup.first_time("k1", ttl_s=10)
    now[0] += 0.1
    assert await dedup.first_time("k1", ttl_s=10)  # expired exactly at the TTL
    assert len(dedup) == 1


async def test_two_processes_race_for_the_same_ids(
    start_worker: Callable[..., Awaitable[Any]], redis_url: str, key_prefix: str
) -> None:
    count = 300
    workers = [await start_worker("dedup", str(count)) for _ in range(2)]
    for worker in workers:
        await worker.send("go")
    won = [set(json.loads(await worker.read())) for worker in workers]
    assert won[0].isdisjoint(won[1])
    assert won[0] | won[1] == {f"msg-{i}" for i in range(count)}
    assert [await worker.finish() for worker in workers] == [0, 0]
    # A third party (this process) sees every id as already handled.
    coordination = build_coordination(redis_url, key_prefix=key_prefix)
    try:
        assert isinstance(coordination.deduplicator, RedisDeduplicator)
        assert not await coordination.deduplicator.first_time("msg-7", ttl_s=60)
    finally:
        await coordination.aclose()


async def test_unreachable_redis_raises_coordination_unavailable() -> None:
    with socket.socket() as probe:  # a loopback port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    coordination = build_coordination(f"redis://127.0.0.1:{port}/0")
    try:
        with pytest.raises(CoordinationUnavailable):
            await coordination.deduplicator.first_time("SM1", ttl_s=60)
        with pytest.raises(CoordinationUnavailable):
            await coordination.deduplicator.seen("SM1")
        with pytest.raises(CoordinationUnavailable):
            await coordination.rate_limiter.acquire("sender", rate_per_s=1, burst=1)
        with pytest.raises(CoordinationUnavailable):
            async with coordination.locks.hold("conversation", timeout_s=1):
                pass
        assert await coordination.ping() is False
    finally:
        await coordination.aclose()
