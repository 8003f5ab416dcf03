"""Token-bucket rate limits per key, e.g. per sender number or per Telegram chat.

``acquire(key, rate_per_s=..., burst=..., tokens=1)`` takes ``tokens`` tokens (at most ``burst``)
and returns 0.0, or takes nothing and returns how many seconds to wait before they will be
there; ``wait`` loops on it. A batch of sends takes its tokens in one call. A bucket
holds at most ``burst`` tokens and refills at ``rate_per_s``, so over any interval of T seconds a
key gets at most ``burst + rate_per_s * T`` grants. Provider limits to apply: Twilio and Meta 80/s
per sender; Telegram 30/s overall and 1/s per chat.
"""

from __future__ import annotations

import asyncio
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from bot.coordination.redis_backend import redis_errors_translated

__all__ = ["InProcessRateLimiter", "RateLimiter", "RedisRateLimiter"]


def _check(rate_per_s: float, burst: int, *, tokens: int = 1) -> None:
    if not rate_per_s > 0:
        raise ValueError(f"rate_per_s must be positive, got {rate_per_s}")
    if burst < 1:
        raise ValueError(f"burst must be at least 1, got {burst}")
    if not 1 <= tokens <= burst:
        raise ValueError(f"tokens must be between 1 and the burst ({burst}), got {tokens}")


class RateLimiter(ABC):
    """Port: one token bucket per key."""

    @abstractmethod
    async def acquire(self, key: str, *, rate_per_s: float, burst: int, tokens: int = 1) -> float:
        """0.0 when ``tokens`` were taken, else the seconds to wait before asking again."""

    async def wait(
        self,
        key: str,
        *,
        rate_per_s: float,
        burst: int,
        tokens: int = 1,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Return once ``tokens`` for ``key`` were taken, sleeping as long as needed."""
        while (
            delay := await self.acquire(key, rate_per_s=rate_per_s, burst=burst, tokens=tokens)
        ) > 0:
            await sleep(delay)


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float
    rate_per_s: float
    burst: int

    def refill(self, now: float) -> None:
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(float(self.burst), self.tokens + elapsed * self.rate_per_s)
        self.updated = now


class InProcessRateLimiter(RateLimiter):
    """Embedded mode: buckets in a dict; full (idle) buckets are dropped now and then."""

    _SWEEP_EVERY = 1024

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._calls = 0
        self._lock = threading.Lock()

    async def acquire(self, key: str, *, rate_per_s: float, burst: int, tokens: int = 1) -> float:
        _check(rate_per_s, burst, tokens=tokens)
        with self._lock:
            now = self._clock()
            self._calls += 1
            if self._calls % self._SWEEP_EVERY == 0:
                self._sweep(now)
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(float(burst), now, rate_per_s, burst)
            bucket.rate_per_s, bucket.burst = rate_per_s, burst
            bucket.refill(now)
            if bucket.tokens >= tokens:
                bucket.tokens -= tokens
                return 0.0
            return (tokens - bucket.tokens) / rate_per_s

    def __len__(self) -> int:
        return len(self._buckets)

    def _sweep(self, now: float) -> None:
        for key, bucket in list(self._buckets.items()):
            bucket.refill(now)
            if bucket.tokens >= bucket.burst:
                del self._buckets[key]


# KEYS: bucket hash. ARGV: rate_per_s, burst, tokens. Returns the wait in seconds as a string.
_ACQUIRE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1]) or burst
local updated = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - updated) * rate)
local wait = 0
if tokens >= wanted then tokens = tokens - wanted else wait = (wanted - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens),
           'updated', string.format('%.17g', now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return string.format('%.17g', wait)
"""


class RedisRateLimiter(RateLimiter):
    """Shared mode: the bucket lives in a Redis hash, updated atomically by a Lua script on
    Redis's clock, so all processes share one limit."""

    def __init__(self, client: Redis, *, prefix: str) -> None:
        self._prefix = f"{prefix}:rate:"
        self._script: AsyncScript = client.register_script(_ACQUIRE)

    async def acquire(self, key: str, *, rate_per_s: float, burst: int, tokens: int = 1) -> float:
        _check(rate_per_s, burst, tokens=tokens)
        with redis_errors_translated("rate limit"):
            reply = await self._script(
                keys=[f"{self._prefix}{{{key}}}"], args=[repr(float(rate_per_s)), burst, tokens]
            )
        return float(reply)
