"""Per-conversation locks: arrival order, isolation of keys, timeouts, leases, several processes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio

from bot.coordination import (
    ConversationLocks,
    Coordination,
    InProcessConversationLocks,
    LockTimeout,
    RedisConversationLocks,
)

KEY = "twilio_whatsapp:+5511987654321"


async def wait_until(condition: Callable[[], Awaitable[bool]], polls: int = 5000) -> None:
    """Polls ``condition`` (a count of polls, not a wall-clock limit: a slow machine polls
    more slowly, not fewer times)."""
    for _ in range(polls):
        if await condition():
            return
        await asyncio.sleep(0.001)
    pytest.fail(f"condition not reached after {polls} polls")


async def queued(locks: ConversationLocks, key: str, count: int) -> None:
    async def reached() -> bool:
        return await locks.queue_length(key) == count

    await wait_until(reached)


async def test_messages_of_one_conversation_run_in_arrival_order(
    coordination: Coordination,
) -> None:
    locks = coordination.locks
    order: list[int] = []
    active = [0, 0]  # current, maximum
    gate = asyncio.Event()

    async def handle(number: int) -> None:
        async with locks.hold(KEY, timeout_s=10):
            active[0] += 1
            active[1] = max(active)
            if number == 0:
                await gate.wait()
            await asyncio.sleep(0)
            order.append(number)
            active[0] -= 1

    tasks = []
    for number in range(10):
        tasks.append(asyncio.create_task(handle(number)))
        await queued(locks, KEY, number + 1)  # arrived (queued) before the next one starts
    gate.set()
    await asyncio.gather(*tasks)
    assert order == list(range(10))
    assert active[1] == 1
    assert await locks.queue_length(KEY) == 0


async def test_different_conversations_run_concurrently(coordination: Coordination) -> None:
    locks = coordination.locks
    release = asyncio.Event()

    async def busy() -> None:
        async with locks.hold("conversation-a", timeout_s=5):
            await release.wait()

    blocker = asyncio.create_task(busy())
    await queued(locks, "conversation-a", 1)
    async with locks.hold("conversation-b", timeout_s=0.5) as held:
        assert held.key == "conversation-b"

    inside = [0, 0]  # current, maximum
    all_in = asyncio.Event()

    async def together(key: str) -> None:
        # Each holder stays until all 20 hold theirs: locks that serialized different
        # conversations would leave the others waiting (LockTimeout), never all 20 inside.
        async with locks.hold(key, timeout_s=5):
            inside[0] += 1
            inside[1] = max(inside)
            if inside[0] == 20:
                all_in.set()
            await all_in.wait()
            inside[0] -= 1

    await asyncio.gather(*(together(f"conversation-{i}") for i in range(20)))
    assert inside == [0, 20]
    release.set()
    await blocker


async def test_mutual_exclusion_under_contention(coordination: Coordination) -> None:
    locks = coordination.locks
    state = {"count": 0}

    async def increment() -> None:
        async with locks.hold(KEY, timeout_s=10):
            seen = state["count"]
            await asyncio.sleep(0.001)  # lose the race if anyone else were inside
            state["count"] = seen + 1

    await asyncio.gather(*(increment() for _ in range(30)))
    assert state["count"] == 30


async def test_timeout_leaves_no_ticket_behind(coordination: Coordination) -> None:
    locks = coordination.locks
    async with locks.hold(KEY, timeout_s=1):
        started = time.monotonic()
        with pytest.raises(LockTimeout):
            async with locks.hold(KEY, timeout_s=0.1):
                pytest.fail("must not get the lock while it is held")
        assert time.monotonic() - started >= 0.09  # it did wait its timeout (a lower bound)
        assert await locks.queue_length(KEY) == 1
    assert await locks.queue_length(KEY) == 0  # the timed-out ticket left no trace ...
    async with locks.hold(KEY, timeout_s=0.5):  # ... so the next one is first in line
        assert await locks.queue_length(KEY) == 1


async def test_cancelled_waiter_leaves_the_queue(coordination: Coordination) -> None:
    locks = coordination.locks
    entered: list[str] = []

    async def wait_forever() -> None:
        async with locks.hold(KEY, timeout_s=30):
            entered.append("cancelled one")

    async with locks.hold(KEY, timeout_s=1):
        waiter = asyncio.create_task(wait_forever())
        await queued(locks, KEY, 2)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        assert await locks.queue_length(KEY) == 1
    async with locks.hold(KEY, timeout_s=0.5):
        pass
    assert entered == []


async def test_an_error_in_the_block_releases_the_lock(coordination: Coordination) -> None:
    locks = coordination.locks
    with pytest.raises(ZeroDivisionError):
        async with locks.hold(KEY, timeout_s=1):
            _ = 1 / 0
    async with locks.hold(KEY, timeout_s=0.5) as held:
        assert not held.lost
    assert await locks.queue_length(KEY) == 0


async def test_in_process_drops_idle_keys() -> None:
    locks = InProcessConversationLocks()
    for i in range(50):
        async with locks.hold(f"conversation-{i}", timeout_s=1):
            assert len(locks) == 1
    assert len(locks) == 0


# -- Redis only: leases, crashes and several processes -----------------------------------------


@pytest.fixture
async def redis_client(redis_url: str) -> Any:
    client = redis.asyncio.Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def test_lease_is_renewed_during_long_work(redis_client: Any, key_prefix: str) -> None:
    locks = RedisConversationLocks(redis_client, prefix=key_prefix, lease_s=0.3)
    holding = asyncio.Event()

    async def long_work() -> bool:
        async with locks.hold(KEY, timeout_s=1) as held:
            holding.set()
            await asyncio.sleep(1.0)  # more than three leases
        return held.lost

    worker = asyncio.create_task(long_work())
    await holding.wait()
    with pytest.raises(LockTimeout):
        async with locks.hold(KEY, timeout_s=0.6):
            pytest.fail("the lease must have been renewed")
    assert await worker is False
    async with locks.hold(KEY, timeout_s=0.5):
        pass


async def test_stalled_holder_loses_the_lock_and_cannot_release_the_new_owner(
    redis_client: Any, key_prefix: str
) -> None:
    # A holder that stops renewing (a stalled process) keeps the lock for one lease only.
    stalled = RedisConversationLocks(redis_client, prefix=key_prefix, lease_s=0.3, renew_every_s=60)
    healthy = RedisConversationLocks(redis_client, prefix=key_prefix, lease_s=5)
    first_in, second_in, first_out = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def stalled_holder() -> bool:
        async with stalled.hold(KEY, timeout_s=1) as held:
            first_in.set()
            await second_in.wait()
        first_out.set()
        return held.lost

    async def next_holder() -> bool:
        await first_in.wait()
        started = time.monotonic()
        async with healthy.hold(KEY, timeout_s=2) as held:
            assert time.monotonic() - started >= 0.2  # waited for the lease to run out
            second_in.set()
            await first_out.wait()  # the stalled holder left its block meanwhile
            with pytest.raises(LockTimeout):  # ... and did not release our lock
                async with healthy.hold(KEY, timeout_s=0.2):
                    pass
        return held.lost

    first_lost, second_lost = await asyncio.gather(stalled_holder(), next_holder())
    assert first_lost is True
    assert second_lost is False


async def test_idle_redis_keys_expire(redis_client: Any, key_prefix: str) -> None:
    locks = RedisConversationLocks(redis_client, prefix=key_prefix, lease_s=2)
    async with locks.hold(KEY, timeout_s=1):
        pass
    keys = [key async for key in redis_client.scan_iter(match=f"{key_prefix}:lock:*")]
    assert keys  # the ticket counter remains for a while ...
    ttls = [await redis_client.pttl(key) for key in keys]
    assert all(0 < ttl <= 4000 for ttl in ttls)  # ... then expires


async def test_crashed_process_blocks_a_conversation_for_one_lease_at_most(
    start_worker: Callable[..., Awaitable[Any]], redis_client: Any, key_prefix: str
) -> None:
    locks = RedisConversationLocks(redis_client, prefix=key_prefix, lease_s=5)
    worker = await start_worker("hold", KEY, "0.6")
    assert await worker.read() == "acquired"
    with pytest.raises(LockTimeout):  # alive and renewing: the lock stays its own
        async with locks.hold(KEY, timeout_s=0.8):
            pass
    worker.kill()
    await worker.finish()
    # The dead holder's lease was 0.6 s: the lock is ours well before our own 5 s lease
    # would matter (LockTimeout otherwise); nothing is timed.
    async with locks.hold(KEY, timeout_s=3) as held:
        assert held.key == KEY


async def test_arrival_order_across_processes(
    start_worker: Callable[..., Awaitable[Any]], redis_client: Any, key_prefix: str
) -> None:
    locks = RedisConversationLocks(redis_client, prefix=key_prefix)
    log = f"{key_prefix}:log"
    holder = await start_worker("hold", KEY, "5")
    assert await holder.read() == "acquired"
    other = await start_worker("queue", KEY, "other-process")

    async def here(name: str) -> None:
        async with locks.hold(KEY, timeout_s=10):
            await redis_client.rpush(log, name)

    first = asyncio.create_task(here("here-1"))
    await queued(locks, KEY, 2)
    await other.send("go")
    await queued(locks, KEY, 3)
    second = asyncio.create_task(here("here-2"))
    await queued(locks, KEY, 4)
    await holder.send("release")
    assert await holder.read() == "released"
    await asyncio.gather(first, second)
    assert await other.read() == "done"
    assert [item.decode() for item in await redis_client.lrange(log, 0, -1)] == [
        "here-1",
        "other-process",
        "here-2",
    ]
