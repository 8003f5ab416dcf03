"""A separate process for the Redis coordination tests (run as a script, never collected).

Protocol on stdout, one line each: ``ready`` once connected, then mode-specific lines. Commands
arrive on stdin. Modes:

* ``gate URL PREFIX N``: after ``go``, passes messages 0..N-1 (of 10 conversations) through the
  inbox's gate at once, handling those that are not duplicates; prints the JSON list of the
  messages it handled.
* ``hold URL PREFIX KEY LEASE_S``: holds KEY, prints ``acquired``, waits for ``release`` (or to be
  killed), prints ``released``.
* ``hold-for URL PREFIX KEY SECONDS``: with the default lease, holds KEY for SECONDS (a long
  turn), prints ``acquired``, then ``released lost=<True|False>``.
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
    if mode == "hold":
        coordination = build_coordination(url, key_prefix=prefix, lock_lease_s=float(args[1]))
    else:
        coordination = build_coordination(url, key_prefix=prefix)
    assert coordination.redis is not None
    try:
        await coordination.redis.ping()
        _say("ready")
        if mode == "gate":
            assert await asyncio.to_thread(_command) == "go"
            handled: list[str] = []

            async def deliver(number: int) -> None:
                message = f"msg-{number}"
                async with coordination.gate.admit(
                    f"conv-{number % 10}", message, timeout_s=30, remember_s=60
                ) as admission:
                    if not admission.duplicate:
                        handled.append(message)
                        admission.handled()

            await asyncio.gather(*(deliver(number) for number in range(int(args[0]))))
            _say(json.dumps(handled))
        elif mode == "hold":
            async with coordination.locks.hold(args[0], timeout_s=10):
                _say("acquired")
                assert await asyncio.to_thread(_command) == "release"
            _say("released")
        elif mode == "hold-for":
            async with coordination.locks.hold(args[0], timeout_s=10) as held:
                _say("acquired")
                await asyncio.sleep(float(args[1]))
            _say(f"released lost={held.lost}")
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
