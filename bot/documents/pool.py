"""OCR off the event loop: a process pool with a per-document timeout.

``await pool.read(data, kind=...)`` runs ``read_document`` in a worker process, so a slow
document never stalls other conversations. Workers run Tesseract single-threaded
(``OMP_THREAD_LIMIT=1``): the pool, not OpenMP, decides how many cores OCR may use.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.documents.errors import DocumentError, ReadTimeout
from bot.documents.reading import Extraction, ReadOptions, read_document

# What runs in a worker process: a module-level function (or a ``functools.partial`` of one),
# since the process gets it by name. Tests give one that dies or hangs on the documents they mark.
ReadFunction = Callable[[bytes, str, ReadOptions], Extraction]


def _init_worker() -> None:
    # only the worker's environment: Tesseract children inherit it
    os.environ["OMP_THREAD_LIMIT"] = "1"


def _read(data: bytes, kind: str, options: ReadOptions) -> Extraction:
    return read_document(data, kind=kind, options=options)


class OcrPool:
    """A ``ProcessPoolExecutor`` for document reading; close it with ``shutdown()``."""

    def __init__(
        self,
        *,
        max_workers: int = 1,
        timeout: float = 60.0,
        options: ReadOptions | None = None,
        start_method: str = "spawn",
        read: ReadFunction = _read,
    ) -> None:
        self.max_workers = max_workers
        self.timeout = timeout
        self.options = options or ReadOptions()
        self._read = read
        self._context = multiprocessing.get_context(start_method)
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.max_workers, mp_context=self._context,
                initializer=_init_worker)
        return self._executor

    async def read(
        self, data: bytes, *, kind: str = "auto", options: ReadOptions | None = None
    ) -> Extraction:
        """Read one document in a worker; ``ReadTimeout`` after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._pool(), self._read, data, kind, options or self.options)
        try:
            return await asyncio.wait_for(future, self.timeout)
        except TimeoutError as exc:
            self._recycle()
            raise ReadTimeout(f"reading the document took more than {self.timeout:.0f} s") \
                from exc
        except BrokenProcessPool as exc:
            self._recycle()
            raise DocumentError("the OCR worker stopped unexpectedly") from exc

    def _recycle(self) -> None:
        """Drop a pool whose worker is stuck or dead; the next read starts a fresh one."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    def shutdown(self, *, wait: bool = True) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=wait, cancel_futures=True)

    async def __aenter__(self) -> OcrPool:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.shutdown)
