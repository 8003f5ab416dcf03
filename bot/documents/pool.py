"""OCR off the event loop: a process pool that outlives its processes.

``await pool.read(data, kind=...)`` runs ``read_document`` in a worker process, so a slow
document never stalls other conversations. Workers run Tesseract single-threaded
(``OMP_THREAD_LIMIT=1``): the pool, not OpenMP, decides how many cores OCR may use.

At most ``max_workers`` reads run at once, each on a process already started, so a read's time
budget (``timeout``) is its own: neither waiting for a free process nor starting one counts.

A reading process may die (the OOM killer, a crash in a native library) or hang. Either way
the executor is replaced (a dead process breaks a ``ProcessPoolExecutor`` for good) and the
pool works out whose fault it was:

- a read that was running alone when its process died raises ``ReaderCrashed``; a read that ran
  out of its budget raises ``ReadTimeout``, and its process is killed, not left running;
- reads that were running beside it lost their process through no fault of their own: each is
  read again, alone (nothing else runs meanwhile), so if it fails again it is its own failure.

The pool never retries a read it blamed: how many times a document is tried, and how long to
wait in between, is the caller's business (the document worker counts in the database).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import asynccontextmanager

from bot.documents.errors import DocumentError, ReaderCrashed, ReadTimeout
from bot.documents.reading import Extraction, ReadOptions, read_document

log = logging.getLogger(__name__)

# What runs in a worker process: a module-level function (or a ``functools.partial`` of one),
# since the process gets it by name. Tests give one that dies or hangs on the documents they mark.
ReadFunction = Callable[[bytes, str, ReadOptions], Extraction]

# Times one read may lose its process to another read's failure before the pool gives up on
# it; the second time it runs alone, so a third loss means the processes cannot even start.
_LOSSES = 2


def _init_worker() -> None:
    # only the worker's environment: Tesseract children inherit it
    os.environ["OMP_THREAD_LIMIT"] = "1"


# Submitted to a process pool, which passes arguments by position.
def _read(data: bytes, kind: str, options: ReadOptions) -> Extraction:  # noqa: PLR0917
    return read_document(data, kind=kind, options=options)


def _started() -> int:
    return os.getpid()


class _Lost(Exception):
    """This read's process died because of another read (or before it started): read again."""


class _Executor:
    """One ``ProcessPoolExecutor`` and what became of it."""

    def __init__(self, executor: ProcessPoolExecutor) -> None:
        self.executor = executor
        self.running = 0  # reads submitted and not yet back
        self.broke_with: int | None = None  # reads running when it broke, counted once
        self.killed = False  # the pool killed its processes: a read ran out of time


class OcrPool:
    """A ``ProcessPoolExecutor`` for document reading; close it with ``shutdown()``."""

    def __init__(
        self,
        *,
        max_workers: int = 1,
        timeout: float = 60.0,
        options: ReadOptions | None = None,
        start_method: str = "spawn",
        start_timeout: float = 60.0,
        read: ReadFunction = _read,
    ) -> None:
        self.max_workers = max_workers
        self.timeout = timeout
        self.start_timeout = start_timeout
        self.options = options or ReadOptions()
        self._read = read
        self._context = multiprocessing.get_context(start_method)
        self._current: _Executor | None = None
        self._starting = asyncio.Lock()
        # Places to read (see ``_place``): reads running, reads waiting to run alone, and
        # whether one runs alone now.
        self._active = 0
        self._alone_wanted = 0
        self._alone = False
        self._waiters: list[asyncio.Future[None]] = []

    async def read(
        self, data: bytes, *, kind: str = "auto", options: ReadOptions | None = None
    ) -> Extraction:
        """Read one document in a worker process.

        ``ReadTimeout`` after ``timeout`` seconds of reading, ``ReaderCrashed`` when the process
        died while it read this document alone; a process lost to another read is replaced and
        the document read again, alone.
        """
        options = options or self.options
        for loss in range(_LOSSES + 1):
            async with self._place(alone=loss > 0):
                try:
                    return await self._attempt(data, kind, options)
                except _Lost:
                    log.info("an OCR process was lost beside this read: reading it again alone")
        raise DocumentError("the OCR processes keep stopping before they read anything")

    # The pool's read, with the same arguments as ``_read``.
    async def _attempt(self, data: bytes, kind: str, options: ReadOptions) -> Extraction:  # noqa: PLR0917
        current = await self._executor()
        current.running += 1
        try:
            try:
                future = current.executor.submit(self._read, data, kind, options)
            except BrokenProcessPool as exc:  # a process died while idle: nothing ran yet
                self._retire(current)
                raise _Lost from exc
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except TimeoutError as exc:
            current.killed = True
            self._retire(current)
            raise ReadTimeout(
                f"reading the document took more than {self.timeout:g} s; its process was stopped"
            ) from exc
        except BrokenProcessPool as exc:
            if current.broke_with is None:  # the first read to hear of it counts who was there
                current.broke_with = current.running
            self._retire(current)
            if current.killed or current.broke_with > 1:
                raise _Lost from exc
            raise ReaderCrashed("the OCR process stopped while reading this document") from exc
        finally:
            current.running -= 1

    async def _executor(self) -> _Executor:
        """The live executor, started (with all its processes up) if there is none."""
        async with self._starting:
            if self._current is None:
                executor = ProcessPoolExecutor(
                    max_workers=self.max_workers,
                    mp_context=self._context,
                    initializer=_init_worker,
                )
                current = _Executor(executor)
                try:
                    # Submitted together, these start every process before any read is timed.
                    started = [
                        asyncio.wrap_future(executor.submit(_started))
                        for _ in range(self.max_workers)
                    ]
                    await asyncio.wait_for(asyncio.gather(*started), self.start_timeout)
                except (BrokenProcessPool, TimeoutError) as exc:
                    current.killed = True
                    self._retire(current)
                    raise DocumentError(f"the OCR processes did not start: {exc!r}") from exc
                self._current = current
            return self._current

    def _retire(self, current: _Executor) -> None:
        """Drops a broken executor (killing its processes if a read hung); the next read starts
        a new one."""
        if self._current is current:
            self._current = None
        if current.killed:
            # ``shutdown`` leaves a running process running; only killing ends a hung read.
            # (``_processes``: the executor's own map of its processes; Python 3.14 has
            # ``kill_workers()`` for this.)
            processes = getattr(current.executor, "_processes", None) or {}
            for process in list(processes.values()):
                process.kill()
        current.executor.shutdown(wait=False)

    @asynccontextmanager
    async def _place(self, *, alone: bool) -> AsyncIterator[None]:
        """Waits for a free process, or (``alone``) for every other read to end; reads that
        must run alone go first."""
        if alone:
            self._alone_wanted += 1
        try:
            while not self._may_start(alone=alone):
                waiter = asyncio.get_running_loop().create_future()
                self._waiters.append(waiter)
                try:
                    await waiter
                finally:
                    if waiter in self._waiters:
                        self._waiters.remove(waiter)
        finally:
            if alone:
                self._alone_wanted -= 1
        self._active += 1
        self._alone = alone
        try:
            yield
        finally:
            self._active -= 1
            if alone:
                self._alone = False
            for waiter in self._waiters:
                if not waiter.done():
                    waiter.set_result(None)

    def _may_start(self, *, alone: bool) -> bool:
        if alone:
            return self._active == 0
        return not self._alone and not self._alone_wanted and self._active < self.max_workers

    def shutdown(self, *, wait: bool = True) -> None:
        current, self._current = self._current, None
        if current is not None:
            current.executor.shutdown(wait=wait, cancel_futures=True)

    async def __aenter__(self) -> OcrPool:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.shutdown)
