"""De-duplication of channel message ids in memory (embedded mode's half of the inbox's gate;
the Redis half lives in the gate's scripts, see test_coordination_gate.py)."""

from __future__ import annotations

import asyncio

import pytest

from bot.coordination import InProcessDeduplicator


async def test_concurrent_first_time_is_true_exactly_once() -> None:
    dedup = InProcessDeduplicator()
    results = await asyncio.gather(*(dedup.first_time("SM0001", ttl_s=60) for _ in range(50)))
    assert results.count(True) == 1
    assert await dedup.first_time("SM0001", ttl_s=60) is False


async def test_keys_are_independent() -> None:
    dedup = InProcessDeduplicator()
    keys = [f"wamid.{i}" for i in range(20)]
    assert all(await asyncio.gather(*(dedup.first_time(k, ttl_s=60) for k in keys)))
    assert not any(await asyncio.gather(*(dedup.first_time(k, ttl_s=60) for k in keys)))


async def test_seen_only_looks() -> None:
    dedup = InProcessDeduplicator()
    assert not await dedup.seen("SM-look")
    assert not await dedup.seen("SM-look")  # looking does not remember
    assert await dedup.first_time("SM-look", ttl_s=60)
    assert await dedup.seen("SM-look")
    assert not await dedup.seen("SM-other")


async def test_forget_allows_a_retry() -> None:
    dedup = InProcessDeduplicator()
    assert await dedup.first_time("update:42", ttl_s=60)
    await dedup.forget("update:42")
    assert not await dedup.seen("update:42")
    assert await dedup.first_time("update:42", ttl_s=60)
    assert not await dedup.first_time("update:42", ttl_s=60)


async def test_keys_expire_after_the_ttl() -> None:
    dedup = InProcessDeduplicator()
    assert await dedup.first_time("SM-expiring", ttl_s=1)
    assert not await dedup.first_time("SM-expiring", ttl_s=1)
    await asyncio.sleep(1.1)
    assert not await dedup.seen("SM-expiring")
    assert await dedup.first_time("SM-expiring", ttl_s=1)


async def test_ttl_must_be_positive() -> None:
    with pytest.raises(ValueError):
        await InProcessDeduplicator().first_time("x", ttl_s=0)


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
