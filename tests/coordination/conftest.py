"""Fixtures: each coordination test body runs against the in-process adapters and real Redis.

Redis comes from ``ONBOARD_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/15``). When it is
unreachable the Redis cases are skipped, except with ``CI=true`` where they fail.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
import redis

from bot.coordination import Coordination, build_coordination

WORKER_SCRIPT = Path(__file__).with_name("coordination_worker.py")
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def key_prefix(redis_url: str) -> Iterator[str]:
    """A fresh namespace in the test Redis, deleted afterwards."""
    prefix = f"test-coordination:{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture(params=["in_process", "redis"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def coordination(backend: str, request: pytest.FixtureRequest) -> AsyncIterator[Coordination]:
    if backend == "in_process":
        built = build_coordination(None)
    else:
        url = request.getfixturevalue("redis_url")
        built = build_coordination(url, key_prefix=request.getfixturevalue("key_prefix"))
    try:
        yield built
    finally:
        await built.aclose()


class WorkerProcess:
    """A real separate process running ``coordination_worker.py``, spoken to line by line."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def read(self, timeout_s: float = 20.0) -> str:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), timeout_s)
        if not line:
            raise AssertionError(f"worker exited with {await self.process.wait()}")
        return line.decode().strip()

    async def send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command.encode() + b"\n")
        await self.process.stdin.drain()

    async def finish(self) -> int:
        return await asyncio.wait_for(self.process.wait(), 20)

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()


StartWorker = Callable[..., Awaitable[WorkerProcess]]


@pytest.fixture
async def start_worker(redis_url: str, key_prefix: str) -> AsyncIterator[StartWorker]:
    """Starts worker processes on the test Redis and namespace; kills leftovers afterwards."""
    started: list[WorkerProcess] = []

    async def start(mode: str, *args: str) -> WorkerProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(WORKER_SCRIPT),
            mode,
            redis_url,
            key_prefix,
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        )
        worker = WorkerProcess(process)
        started.append(worker)
        assert await worker.read() == "ready"
        return worker

    yield start
    for worker in started:
        worker.kill()
        await worker.process.wait()
