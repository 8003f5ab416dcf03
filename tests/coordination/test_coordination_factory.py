"""``build_coordination`` picks in-process or Redis adapters from the URL it is given."""

from __future__ import annotations

from bot.coordination import (
    InProcessConversationLocks,
    InProcessDeduplicator,
    InProcessRateLimiter,
    RedisConversationLocks,
    RedisDeduplicator,
    RedisRateLimiter,
    build_coordination,
)


async def test_without_url_everything_is_in_process() -> None:
    coordination = build_coordination(None)
    assert isinstance(coordination.deduplicator, InProcessDeduplicator)
    assert isinstance(coordination.locks, InProcessConversationLocks)
    assert isinstance(coordination.rate_limiter, InProcessRateLimiter)
    assert not coordination.shared
    assert await coordination.ping()
    await coordination.aclose()


async def test_with_url_everything_is_on_redis(redis_url: str, key_prefix: str) -> None:
    coordination = build_coordination(redis_url, key_prefix=key_prefix)
    try:
        assert isinstance(coordination.deduplicator, RedisDeduplicator)
        assert isinstance(coordination.locks, RedisConversationLocks)
        assert isinstance(coordination.rate_limiter, RedisRateLimiter)
        assert coordination.shared
        assert await coordination.ping()
    finally:
        await coordination.aclose()
