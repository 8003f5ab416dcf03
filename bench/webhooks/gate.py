"""CPU of the inbox's gate on Redis: admit, handle, release, per message, in one process.

    .venv/bin/python -m bench.webhooks.gate [--redis URL] [--concurrency 16] [--messages 3000]

Concurrent coroutines pass messages of distinct conversations through the Redis gate (the
lock-and-check script in, the release-and-remember script out), as the inbox does under load,
and the process's CPU per message is printed (best of three runs, after a warm-up). Redis runs
in its own process, so the figure is the client's side only: redis-py, the system calls and
what the batching saves.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bot.coordination import build_coordination  # noqa: E402


async def _run(url: str, *, concurrency: int, messages: int) -> float:
    """CPU microseconds per message over ``messages`` messages (after as many to warm up)."""
    coordination = build_coordination(url, key_prefix=f"bench-gate:{uuid.uuid4().hex}")
    gate = coordination.gate
    queue: asyncio.Queue[int] = asyncio.Queue()

    async def worker() -> None:
        while not queue.empty():
            number = queue.get_nowait()
            async with gate.admit(
                f"conv:{number}", f"in:{number}", timeout_s=10, remember_s=60
            ) as admission:
                await asyncio.sleep(0.001)  # the turn
                admission.handled()

    try:
        cpu = 0.0
        for first in (0, messages):
            for number in range(first, first + messages):
                queue.put_nowait(number)
            started = time.process_time()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            cpu = time.process_time() - started
        return cpu / messages * 1e6
    finally:
        keys = [key async for key in coordination.redis.scan_iter(match="bench-gate:*")]  # type: ignore[union-attr]
        if keys:
            await coordination.redis.delete(*keys)  # type: ignore[union-attr]
        await coordination.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--messages", type=int, default=3000)
    args = parser.parse_args()
    import uvloop

    best = min(
        uvloop.run(_run(args.redis, concurrency=args.concurrency, messages=args.messages))
        for _ in range(3)
    )
    print(f"gate on Redis, concurrency {args.concurrency}: {best:.1f} µs of CPU per message")


if __name__ == "__main__":
    main()
