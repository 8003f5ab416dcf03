"""Lock leases against the providers' webhook timeouts (issue #14, item 8): with the default
lease, a conversation whose holder was killed is free before Twilio's 15-second webhook timeout,
and a live holder's turn longer than the lease keeps its lock. Real processes, real Redis."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio

from bot.coordination import LockTimeout, RedisConversationLocks, build_coordination
from bot.coordination.redis_conversation_locks import LEASE_S

KEY = "conv:twilio_whatsapp:+5511987654321"
TWILIO_WEBHOOK_TIMEOUT_S = 15.0


@pytest.fixture
async def redis_client(redis_url: str) -> Any:
    client = redis.asyncio.Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def test_the_default_lease_is_well_inside_the_providers_webhook_timeouts() -> None:
    coordination = build_coordination("redis://127.0.0.1:1/0", key_prefix="unused")
    try:
        locks = coordination.locks
        assert isinstance(locks, RedisConversationLocks)
        # A killed holder's lock lasts one lease; the next message's turn must fit after it.
        assert locks._lease_ms == LEASE_S * 1000 <= TWILIO_WEBHOOK_TIMEOUT_S * 1000 / 2
        assert locks._renew_every_s <= LEASE_S / 3  # three renewals per lease
    finally:
        await coordination.aclose()


async def test_a_killed_holders_lock_is_free_within_the_lease(
    start_worker: Callable[..., Awaitable[Any]], redis_client: Any, key_prefix: str
) -> None:
    locks = RedisConversationLocks(redis_client, prefix=key_prefix)
    holder = await start_worker("hold-for", KEY, "600")
    assert await holder.read() == "acquired"
    time.sleep(0.2)
    holder.kill()  # kill -9: no release, no more renewals
    await holder.finish()
    # Free before Twilio gives up on the webhook: LockTimeout otherwise. How long it took is
    # bench/chaos's figure (kill-serve), not a limit here.
    async with locks.hold(KEY, timeout_s=TWILIO_WEBHOOK_TIMEOUT_S) as held:
        assert held.key == KEY


async def test_a_live_holders_long_turn_keeps_its_lock(
    start_worker: Callable[..., Awaitable[Any]], redis_client: Any, key_prefix: str
) -> None:
    locks = RedisConversationLocks(redis_client, prefix=key_prefix)
    turn_s = LEASE_S * 1.5
    holder = await start_worker("hold-for", KEY, str(turn_s))
    assert await holder.read() == "acquired"
    with pytest.raises(LockTimeout):  # still held after more than a lease
        async with locks.hold(KEY, timeout_s=LEASE_S + 1.0):
            pytest.fail("the holder is alive and renewing: the lock is not free")
    assert await holder.read(timeout_s=turn_s + 5) == "released lost=False"
    async with locks.hold(KEY, timeout_s=1.0):
        pass
