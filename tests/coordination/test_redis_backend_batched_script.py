"""BatchedScript: concurrent calls of a Lua script share one pipeline; each keeps its own
result and error; a script Redis forgot is loaded again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio
from redis.exceptions import ResponseError

from bot.coordination import RedisConversationLocks, build_coordination
from bot.coordination.redis_backend import BatchedScript, connect

_INCREMENT = "return redis.call('INCRBY', KEYS[1], ARGV[1])"


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[redis.asyncio.Redis]:
    client = connect(redis_url)
    yield client
    await client.aclose()


async def test_concurrent_calls_share_pipelines_and_keep_their_results(
    client: redis.asyncio.Redis, key_prefix: str
) -> None:
    script = BatchedScript(client, client.register_script(_INCREMENT), max_in_flight=1)
    keys = [f"{key_prefix}:n{i}" for i in range(20)]

    results = await asyncio.gather(*(script(keys=[k], args=[i]) for i, k in enumerate(keys)))

    assert results == list(range(20))
    assert script._batches.items == 20 and script._batches.batches < 20


async def test_an_error_stays_with_its_call(client: redis.asyncio.Redis, key_prefix: str) -> None:
    await client.set(f"{key_prefix}:text", "not a number")
    script = BatchedScript(client, client.register_script(_INCREMENT))

    results: list[object] = await asyncio.gather(
        script(keys=[f"{key_prefix}:n"], args=[5]),
        script(keys=[f"{key_prefix}:text"], args=[1]),
        return_exceptions=True,
    )
    good, bad = results

    assert good == 5
    assert isinstance(bad, ResponseError)


async def test_a_script_redis_forgot_is_loaded_again(
    client: redis.asyncio.Redis, key_prefix: str
) -> None:
    script = BatchedScript(client, client.register_script(_INCREMENT))
    assert await script(keys=[f"{key_prefix}:n"], args=[1]) == 1
    await client.script_flush()

    assert await script(keys=[f"{key_prefix}:n"], args=[1]) == 2


async def test_the_gate_admits_many_conversations_in_few_round_trips(
    redis_url: str, key_prefix: str
) -> None:
    coordination = build_coordination(redis_url, key_prefix=key_prefix)
    gate = coordination.gate
    assert isinstance(gate, RedisConversationLocks)
    acquires = gate._acquire._batches
    handled: list[str] = []

    async def one(n: int) -> None:
        async with gate.admit(f"conv:{n}", f"in:SM{n}", timeout_s=5, remember_s=60) as admitted:
            assert not admitted.duplicate
            handled.append(f"conv:{n}")
            admitted.handled()

    try:
        await asyncio.gather(*(one(n) for n in range(30)))
        assert len(handled) == 30
        assert acquires.items == 30 and acquires.batches < 30
        for n in range(30):
            assert await coordination.locks.queue_length(f"conv:{n}") == 0
    finally:
        await coordination.aclose()
