"""Per-conversation locks: one conversation's messages are handled one at a time, in arrival order.

``hold(key, timeout_s=...)`` is an async context manager. Callers of one key get the lock in the
order they called ``hold`` (first come, first served); different keys never wait for each other.
``timeout_s`` bounds the wait for the lock, not how long it may be held: a holder keeps it until
its ``async with`` block ends (the Redis adapter renews its lease meanwhile).
"""

from __future__ import annotations

import asyncio
import secrets
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field

from bot.coordination.errors import LockTimeout

__all__ = ["ConversationLocks", "HeldLock", "InProcessConversationLocks"]


@dataclass(slots=True)
class HeldLock:
    """The caller's hold on one key. ``lost`` turns True if the lease ran out while held
    (the process stalled longer than the lease): another holder may then be running."""

    key: str
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    lost: bool = False


class ConversationLocks(ABC):
    """Port: FIFO mutual exclusion per conversation key."""

    @abstractmethod
    def hold(self, key: str, *, timeout_s: float) -> AbstractAsyncContextManager[HeldLock]:
        """Wait (at most ``timeout_s``, else ``LockTimeout``) for ``key``'s turn and hold it."""

    @abstractmethod
    async def queue_length(self, key: str) -> int:
        """How many callers hold or wait for ``key`` (0 when idle)."""


@dataclass(slots=True)
class _Entry:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class InProcessConversationLocks(ConversationLocks):
    """Embedded mode: one FIFO ``asyncio.Lock`` per key, dropped when nobody uses the key."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    @asynccontextmanager
    async def hold(self, key: str, *, timeout_s: float) -> AsyncIterator[HeldLock]:
        entry = self._entries.setdefault(key, _Entry())
        entry.users += 1
        try:
            try:
                # asyncio.Lock wakes waiters in the order they started waiting.
                async with asyncio.timeout(timeout_s):
                    await entry.lock.acquire()
            except TimeoutError as exc:
                raise LockTimeout(f"lock {key!r} not obtained within {timeout_s} s") from exc
            try:
                yield HeldLock(key)
            finally:
                entry.lock.release()
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._entries[key]

    async def queue_length(self, key: str) -> int:
        entry = self._entries.get(key)
        return 0 if entry is None else entry.users

    def __len__(self) -> int:
        """Keys in use (held or waited for)."""
        return len(self._entries)
