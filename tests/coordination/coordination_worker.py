"""A separate process for the Redis coordination tests (run as a script, never collected).

Protocol on stdout, one line each: ``ready`` once connected, then mode-specific lines. Commands
arrive on stdin. Modes:

* ``dedup URL PREFIX N``: after ``go``, races ``first_time`` on keys 0..N-1; prints the JSON list
  of the keys it won.
* ``hold URL PREFIX KEY LEASE_S``: holds KEY, prints ``acquired``, waits for ``release`` (or to be
  killed), prints ``released``.
* ``queue URL PREFIX KEY NAME``: after ``go``, waits for KEY, appends NAME to the Redis list
  ``PREFIX:log`` while holding it, prints ``done``.
"""

from __future__ import annotations

import asyncio
import json
import sys

from bot.coordination import build_coordination


def _command() -> str:
    return sys.stdin.readline().strip()


def _say(line: str) -> None:
    print(line, flush=True)


async def main(mode: str, url: str, prefix: str, *args: str) -> None:
    lease_s = float(args[1]) if mode == "hold" else 30.0
    coordination = build_coordination(url, key_prefix=prefix, lock_lease_s=lease_s)
    assert coordination.redis is not None
    try:
        await coordination.redis.ping()
        _say("ready")
        if mode == "dedup":
            assert await asyncio.to_thread(_command) == "go"
            keys = [f"msg-{i}" for i in range(int(args[0]))]
            won = await asyncio.gather(
                *(coordination.deduplicator.first_time(key, ttl_s=60) for key in keys)
            )
            _say(json.dumps([key for key, first in zip(keys, won, strict=True) if first]))
        elif mode == "hold":
            async with coordination.locks.hold(args[0], timeout_s=10):
                _say("acquired")
                assert await asyncio.to_thread(_command) == "release"
            _say("released")
        elif mode == "queue":
            assert await asyncio.to_thread(_command) == "go"
            async with coordination.locks.hold(args[0], timeout_s=10):
                await coordination.redis.rpush(f"{prefix}:log", args[1])
            _say("done")
        else:
            raise SystemExit(f"unknown mode {mode}")
    finally:
        await coordination.aclose()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
