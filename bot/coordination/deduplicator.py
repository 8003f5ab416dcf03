"""De-duplication of inbound deliveries by the channel's message id (MessageSid, update_id, wamid).

``first_time(key, ttl_s=...)`` answers True exactly once per key within the TTL, atomically,
however many concurrent callers ask. ``seen`` only looks (for "mark after commit" flows: check,
handle, then ``first_time`` to remember). ``forget`` lets a delivery that failed to be handled be
handled again when the channel retries it.

Embedded mode keeps the keys in memory (``InProcessDeduplicator``, used by the inbox's gate);
with Redis the gate remembers handled messages inside its own lock scripts
(``RedisConversationLocks.admit``).
"""

from __future__ import annotations

import heapq
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable

__all__ = ["Deduplicator", "InProcessDeduplicator"]


def _check_ttl(ttl_s: int) -> None:
    if ttl_s <= 0:
        raise ValueError(f"ttl_s must be a positive number of seconds, got {ttl_s}")


class Deduplicator(ABC):
    """Port: remembers keys for a while and says whether a key is new."""

    @abstractmethod
    async def first_time(self, key: str, *, ttl_s: int) -> bool:
        """True for the first caller of ``key`` within ``ttl_s`` seconds, False afterwards."""

    @abstractmethod
    async def seen(self, key: str) -> bool:
        """True when ``key`` is remembered (a ``first_time`` within its TTL); changes nothing."""

    @abstractmethod
    async def forget(self, key: str) -> None:
        """Drop ``key`` so that its next ``first_time`` is True again."""


class InProcessDeduplicator(Deduplicator):
    """Embedded mode: a dict of expiry times guarded by a lock (safe across threads too)."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._expiry: dict[str, float] = {}
        self._by_expiry: list[tuple[float, str]] = []  # heap, may hold stale entries
        self._lock = threading.Lock()

    async def first_time(self, key: str, *, ttl_s: int) -> bool:
        _check_ttl(ttl_s)
        with self._lock:
            now = self._clock()
            self._prune(now)
            expiry = self._expiry.get(key)
            if expiry is not None and expiry > now:
                return False
            self._expiry[key] = now + ttl_s
            heapq.heappush(self._by_expiry, (now + ttl_s, key))
            return True

    async def seen(self, key: str) -> bool:
        with self._lock:
            expiry = self._expiry.get(key)
            return expiry is not None and expiry > self._clock()

    async def forget(self, key: str) -> None:
        with self._lock:
            self._expiry.pop(key, None)

    def __len__(self) -> int:
        """Keys currently remembered (expired ones are dropped on the next call)."""
        return len(self._expiry)

    def _prune(self, now: float) -> None:
        while self._by_expiry and self._by_expiry[0][0] <= now:
            expiry, key = heapq.heappop(self._by_expiry)
            if self._expiry.get(key) == expiry:
                del self._expiry[key]
