"""The loop every background worker runs: do a round, and when there was nothing to do, wait
for a wake-up signal or a short poll interval (so work from other processes is seen too)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def run_rounds(
    one_round: Callable[[], Awaitable[int]],
    stop: asyncio.Event,
    *,
    wake: asyncio.Event | None = None,
    idle_s: float = 0.5,
    name: str = "worker",
) -> None:
    """Runs ``one_round`` (returning how much it did) until ``stop`` is set."""
    while not stop.is_set():
        try:
            handled = await one_round()
        except Exception:  # noqa: BLE001 - a database hiccup must not end the worker
            log.exception("%s round failed", name)
            handled = 0
        if handled:
            continue
        waiters = [asyncio.ensure_future(stop.wait())]
        if wake is not None:
            waiters.append(asyncio.ensure_future(wake.wait()))
        _done, pending = await asyncio.wait(
            waiters, timeout=idle_s, return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()
        if wake is not None:
            wake.clear()
