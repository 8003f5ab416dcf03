"""The inbox's gate: a conversation's turn and the duplicate check together, in memory and Redis."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio

from bot.coordination import (
    Coordination,
    CoordinationUnavailable,
    LockTimeout,
    RedisConversationLocks,
    build_coordination,
)

CONVERSATION = "conv:twilio_whatsapp:+5511987654321"


async def pass_through(
    coordination: Coordination, message: str, *, handle: bool = True, hold_s: float = 0.0
) -> bool:
    """Admits ``message``; True when it was handled this time (not a duplicate)."""
    async with coordination.gate.admit(
        CONVERSATION, message, timeout_s=10, remember_s=60
    ) as admission:
        if admission.duplicate:
            return False
        await asyncio.sleep(hold_s)
        if handle:
            admission.handled()
        return True


async def test_a_handled_message_is_a_duplicate_afterwards(coordination: Coordination) -> None:
    assert await pass_through(coordination, "in:twilio:SM1") is True
    assert await pass_through(coordination, "in:twilio:SM1") is False
    assert await pass_through(coordination, "in:twilio:SM2") is True
    assert await coordination.locks.queue_length(CONVERSATION) == 0


async def test_a_message_not_handled_is_admitted_again(coordination: Coordination) -> None:
    assert await pass_through(coordination, "in:twilio:SM1", handle=False) is True
    with pytest.raises(RuntimeError):
        async with coordination.gate.admit(
            CONVERSATION, "in:twilio:SM1", timeout_s=10, remember_s=60
        ):
            raise RuntimeError("the turn failed before commit")
    assert await pass_through(coordination, "in:twilio:SM1") is True
    assert await pass_through(coordination, "in:twilio:SM1") is False


async def test_copies_delivered_at_once_are_handled_once(coordination: Coordination) -> None:
    results = await asyncio.gather(
        *(pass_through(coordination, "in:twilio:SMcopy", hold_s=0.01) for _ in range(8))
    )
    assert sorted(results) == [False] * 7 + [True]
    assert await coordination.locks.queue_length(CONVERSATION) == 0


async def test_the_turns_are_taken_in_arrival_order(coordination: Coordination) -> None:
    order: list[int] = []
    inside = [0, 0]  # current, maximum
    first_may_finish = asyncio.Event()

    async def one(number: int) -> None:
        async with coordination.gate.admit(
            CONVERSATION, f"in:twilio:SM{number}", timeout_s=10, remember_s=60
        ) as admission:
            inside[0] += 1
            inside[1] = max(inside)
            if number == 0:
                await first_may_finish.wait()
            await asyncio.sleep(0.002)
            order.append(number)
            inside[0] -= 1
            admission.handled()

    tasks = []
    for number in range(6):
        tasks.append(asyncio.create_task(one(number)))
        while await coordination.locks.queue_length(CONVERSATION) < number + 1:
            await asyncio.sleep(0.001)
    first_may_finish.set()
    await asyncio.gather(*tasks)
    assert order == list(range(6))
    assert inside[1] == 1


async def test_a_busy_conversation_times_out(coordination: Coordination) -> None:
    held = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with coordination.gate.admit(
            CONVERSATION, "in:twilio:SMa", timeout_s=5, remember_s=60
        ):
            held.set()
            await release.wait()

    task = asyncio.create_task(holder())
    await held.wait()
    with pytest.raises(LockTimeout):
        async with coordination.gate.admit(
            CONVERSATION, "in:twilio:SMb", timeout_s=0.05, remember_s=60
        ):
            pytest.fail("the conversation is busy")
    release.set()
    await task
    assert await pass_through(coordination, "in:twilio:SMb") is True


@pytest.fixture
async def redis_client(redis_url: str) -> Any:
    client = redis.asyncio.Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def test_redis_remembers_in_the_conversations_slot_for_the_given_time(
    redis_client: Any, key_prefix: str
) -> None:
    gate = RedisConversationLocks(redis_client, prefix=key_prefix)
    async with gate.admit(CONVERSATION, "in:twilio:SM9", timeout_s=5, remember_s=120) as first:
        first.handled()
    keys = [key.decode() async for key in redis_client.scan_iter(match=f"{key_prefix}:seen:*")]
    assert keys == [f"{key_prefix}:seen:{{{CONVERSATION}}}:in:twilio:SM9"]
    assert 100 < await redis_client.ttl(keys[0]) <= 120
    # The lock's keys carry the same hash tag, so both scripts stay in one cluster slot.
    async with gate.admit(CONVERSATION, "in:twilio:SM9", timeout_s=5, remember_s=120) as again:
        assert again.duplicate is True
    assert await redis_client.zcard(f"{key_prefix}:lock:{{{CONVERSATION}}}:q") == 0


async def test_two_processes_deliver_the_same_messages_each_is_handled_once(
    start_worker: Callable[..., Awaitable[Any]], redis_url: str, key_prefix: str
) -> None:
    count = 200
    workers = [await start_worker("gate", str(count)) for _ in range(2)]
    for worker in workers:
        await worker.send("go")
    handled = [json.loads(await worker.read()) for worker in workers]
    assert set(handled[0]).isdisjoint(handled[1])
    assert sorted(handled[0] + handled[1]) == sorted(f"msg-{i}" for i in range(count))
    assert [await worker.finish() for worker in workers] == [0, 0]
    # A third party (this process) sees a handled message as a duplicate.
    coordination = build_coordination(redis_url, key_prefix=key_prefix)
    try:
        async with coordination.gate.admit(
            "conv-7", "msg-7", timeout_s=5, remember_s=60
        ) as admission:
            assert admission.duplicate
    finally:
        await coordination.aclose()


async def test_unreachable_redis_raises_coordination_unavailable() -> None:
    with socket.socket() as probe:  # a loopback port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    coordination = build_coordination(f"redis://127.0.0.1:{port}/0")
    try:
        with pytest.raises(CoordinationUnavailable):
            async with coordination.gate.admit("conv", "SM1", timeout_s=1, remember_s=60):
                pass
        with pytest.raises(CoordinationUnavailable):
            await coordination.rate_limiter.acquire("sender", rate_per_s=1, burst=1)
        with pytest.raises(CoordinationUnavailable):
            async with coordination.locks.hold("conversation", timeout_s=1):
                pass
        assert await coordination.ping() is False
    finally:
        await coordination.aclose()
