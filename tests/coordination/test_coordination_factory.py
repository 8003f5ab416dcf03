"""``build_coordination`` picks in-process or Redis adapters from the URL it is given."""

from __future__ import annotations

from bot.coordination import (
    InProcessConversationLocks,
    InProcessRateLimiter,
    LockedDeduplication,
    RedisConversationLocks,
    RedisRateLimiter,
    build_coordination,
)


async def test_without_url_everything_is_in_process() -> None:
    coordination = build_coordination(None)
    assert isinstance(coordination.gate, LockedDeduplication)
    assert coordination.gate.locks is coordination.locks
    assert isinstance(coordination.locks, InProcessConversationLocks)
    assert isinstance(coordination.rate_limiter, InProcessRateLimiter)
    assert not coordination.shared
    assert await coordination.ping()
    await coordination.aclose()


async def test_with_url_everything_is_on_redis(redis_url: str, key_prefix: str) -> None:
    coordination = build_coordination(redis_url, key_prefix=key_prefix)
    try:
        assert isinstance(coordination.locks, RedisConversationLocks)
        assert coordination.gate is coordination.locks  # one script to enter, one to leave
        assert isinstance(coordination.rate_limiter, RedisRateLimiter)
        assert coordination.shared
        assert await coordination.ping()
    finally:
        await coordination.aclose()
