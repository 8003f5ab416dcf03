"""Group commit: records written in batches, each about as soon as it is known."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

import anyio.to_thread

__all__ = ["GroupCommit"]

T = TypeVar("T")


class GroupCommit(Generic[T]):
    """Outcomes written in batches: the first caller writes, in a worker thread, everything
    that is waiting, again and again until nothing is; the others wait for their batch."""

    def __init__(self, write: Callable[[list[T]], None]) -> None:
        self._write = write
        self._waiting: list[tuple[T, asyncio.Future[None]]] = []
        self._writing = False

    async def record(self, outcome: T) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((outcome, future))
        if not self._writing:
            self._writing = True
            batch: list[tuple[T, asyncio.Future[None]]] = []
            try:
                while self._waiting:
                    batch, self._waiting = self._waiting, []
                    try:
                        await anyio.to_thread.run_sync(self._write, [o for o, _ in batch])
                    except Exception as exc:  # noqa: BLE001 - each waiter gets the error
                        for _, waiter in batch:
                            if not waiter.done():  # a cancelled waiter's future is done
                                waiter.set_exception(exc)
                    else:
                        for _, waiter in batch:
                            if not waiter.done():
                                waiter.set_result(None)
            finally:
                self._writing = False
                # Only when the writer itself was cancelled: nobody writes these any more
                # (their leases run out and another round delivers them again).
                for _, waiter in batch + self._waiting:
                    if not waiter.done():
                        waiter.cancel()
                self._waiting = []
        await future
