"""The composition of the coordination adapters: in-process (embedded) or Redis (scale-out)."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from bot.coordination.conversation_locks import ConversationLocks, InProcessConversationLocks
from bot.coordination.deduplicator import InProcessDeduplicator
from bot.coordination.errors import CoordinationUnavailable
from bot.coordination.inbound_gate import InboundGate, LockedDeduplication
from bot.coordination.rate_limiter import InProcessRateLimiter, RateLimiter, RedisRateLimiter
from bot.coordination.redis_backend import connect, redis_errors_translated
from bot.coordination.redis_conversation_locks import LEASE_S, RedisConversationLocks

__all__ = ["Coordination", "build_coordination"]


@dataclass(frozen=True, slots=True)
class Coordination:
    """The coordination services, sharing one Redis client when there is one; ``gate`` is
    the inbox's (the conversation's lock and the de-duplication of channel messages)."""

    locks: ConversationLocks
    rate_limiter: RateLimiter
    gate: InboundGate
    redis: Redis | None = None

    @property
    def shared(self) -> bool:
        """True when several processes coordinate through Redis."""
        return self.redis is not None

    async def ping(self) -> bool:
        """Readiness: True when the backend answers (always True in-process)."""
        if self.redis is None:
            return True
        try:
            with redis_errors_translated("PING"):
                return bool(await self.redis.ping())
        except CoordinationUnavailable:
            return False

    async def aclose(self) -> None:
        """Close the Redis connections (no-op in-process)."""
        if self.redis is not None:
            await self.redis.aclose()


def build_coordination(
    redis_url: str | None,
    *,
    key_prefix: str = "acolhe",
    lock_lease_s: float = LEASE_S,
    redis_max_connections: int = 64,
) -> Coordination:
    """In-process services when ``redis_url`` is None (one process), else Redis-backed ones.

    Nothing connects yet: the Redis client connects on first use. ``key_prefix`` namespaces
    every Redis key (one Redis can serve several deployments or tests); ``lock_lease_s`` is how
    long a crashed process can keep a conversation locked.
    """
    if redis_url is None:
        locks = InProcessConversationLocks()
        return Coordination(
            locks=locks,
            rate_limiter=InProcessRateLimiter(),
            gate=LockedDeduplication(locks, InProcessDeduplicator()),
        )
    client = connect(redis_url, max_connections=redis_max_connections)
    shared_locks = RedisConversationLocks(client, prefix=key_prefix, lease_s=lock_lease_s)
    return Coordination(
        locks=shared_locks,
        rate_limiter=RedisRateLimiter(client, prefix=key_prefix),
        gate=shared_locks,
        redis=client,
    )
