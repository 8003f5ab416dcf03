"""Shared plumbing of the Redis adapters: the client, key names and error translation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import RedisError

from bot.coordination.errors import CoordinationUnavailable

__all__ = ["connect", "redis_errors_translated"]


def connect(url: str, *, max_connections: int = 64, timeout_s: float = 5.0) -> Redis:
    """A client for ``url`` (``redis://``, ``rediss://`` or ``unix://``); connects lazily.

    The pool blocks (up to ``timeout_s``) when all ``max_connections`` are busy instead of
    failing, so a burst of concurrent webhooks queues for a connection.
    """
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        socket_timeout=timeout_s,
    )
    return Redis.from_pool(pool)


@contextmanager
def redis_errors_translated(operation: str) -> Iterator[None]:
    """Re-raise Redis failures as ``CoordinationUnavailable`` naming the ``operation``."""
    try:
        yield
    except RedisError as exc:
        raise CoordinationUnavailable(f"redis {operation} failed: {exc}") from exc
