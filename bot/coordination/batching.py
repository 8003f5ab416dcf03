"""Concurrent requests run together: one round trip (a thread hop, a transaction, a Redis
pipeline) for whatever is waiting, instead of one each.

``MicroBatcher(run, max_batch=..., max_in_flight=..., spill_after_s=...)``:
``await batcher.submit(item)`` queues the item, and everything queued (at most ``max_batch``)
starts as one call of ``run(items) -> results`` when

- no batch is running: an item submitted to an idle batcher starts at once, alone — nothing
  ever waits for a batch to fill; or
- every running batch has been running for ``spill_after_s`` (and fewer than
  ``max_in_flight`` run): a slow batch (a turn waiting on an outside look-up) does not hold
  the others back. With ``spill_after_s=0`` any free slot starts a batch.

So batches form by themselves while one runs, grow with the load, and cost nothing when it is
low.

``run`` returns one result per item, in order; an exception in that list is raised to that
item's caller only. If ``run`` itself raises, every caller of the batch gets the exception.

A queued item runs to the end even if its caller is cancelled (the caller's wait is
shielded): what it does (a database commit, a Redis lock taken) happens either way. A caller
that must act on the outcome even then (release a lock it did get) uses ``submit_nowait`` and
keeps the future.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

__all__ = ["MicroBatcher"]

T = TypeVar("T")
R = TypeVar("R")

Run = Callable[[list[T]], Awaitable[Sequence[R | BaseException]]]


class MicroBatcher(Generic[T, R]):
    """See the module docstring. Belongs to one event loop (the futures of its callers)."""

    def __init__(
        self,
        run: Run[T, R],
        *,
        max_batch: int,
        max_in_flight: int,
        spill_after_s: float = 0.0,
    ) -> None:
        if max_batch < 1 or max_in_flight < 1 or spill_after_s < 0:
            raise ValueError("max_batch and max_in_flight must be at least 1, spill_after_s >= 0")
        self._run = run
        self.max_batch = max_batch
        self.max_in_flight = max_in_flight
        self.spill_after_s = spill_after_s
        self._queued: deque[tuple[T, asyncio.Future[R]]] = deque()
        self._running: dict[asyncio.Task[None], float] = {}  # batch → when it started
        self._recheck: asyncio.TimerHandle | None = None
        self.batches = 0  # started so far (the mean batch is items / batches)
        self.items = 0

    @property
    def in_flight(self) -> int:
        return len(self._running)

    async def submit(self, item: T) -> R:
        """The item's result, once its batch ran (see the module docstring)."""
        return await asyncio.shield(self.submit_nowait(item))

    def submit_nowait(self, item: T) -> asyncio.Future[R]:
        """Queues the item and returns its future, which the caller may keep awaiting after
        being cancelled itself."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        # Nobody may be left to read the outcome (a cancelled caller): read it here, so asyncio
        # does not report an exception "never retrieved".
        future.add_done_callback(_observed)
        self._queued.append((item, future))
        self._start()
        return future

    def _start(self) -> None:
        loop = asyncio.get_running_loop()
        while self._queued and len(self._running) < self.max_in_flight:
            if self._running:
                youngest = max(self._running.values())
                wait = youngest + self.spill_after_s - loop.time()
                if wait > 0:  # a batch started recently: let the queue grow behind it
                    self._check_again(loop, wait)
                    return
            batch = [self._queued.popleft() for _ in range(min(self.max_batch, len(self._queued)))]
            self.batches += 1
            self.items += len(batch)
            task = loop.create_task(self._execute(batch))
            self._running[task] = loop.time()
            task.add_done_callback(self._finished)

    def _check_again(self, loop: asyncio.AbstractEventLoop, delay: float) -> None:
        if self._recheck is None:
            self._recheck = loop.call_later(delay, self._rechecked)

    def _rechecked(self) -> None:
        self._recheck = None
        self._start()

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.pop(task, None)
        if not task.get_loop().is_closed():
            self._start()

    async def _execute(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            results = await self._run([item for item, _ in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"batch of {len(batch)} gave {len(results)} results")
        except Exception as exc:  # noqa: BLE001 - every caller of the batch gets it
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
        except BaseException:  # the batch itself was cancelled (the loop is shutting down)
            for _, future in batch:
                future.cancel()
            raise
        else:
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, BaseException):
                    future.set_exception(result)
                else:
                    future.set_result(result)


def _observed(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()
