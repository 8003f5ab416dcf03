"""Coordination between handlers and processes: de-duplication, per-conversation locks, rate limits.

Each service is a port with two adapters: in-process (embedded mode, one process) and Redis
(``redis.asyncio``, several ``serve``/``worker`` processes). ``build_coordination(redis_url)``
picks one set; nothing here reads settings or connects at import time.
"""

from bot.coordination.batching import MicroBatcher
from bot.coordination.conversation_locks import (
    ConversationLocks,
    HeldLock,
    InProcessConversationLocks,
)
from bot.coordination.coordination import Coordination, build_coordination
from bot.coordination.deduplicator import Deduplicator, InProcessDeduplicator
from bot.coordination.errors import CoordinationError, CoordinationUnavailable, LockTimeout
from bot.coordination.inbound_gate import Admission, InboundGate, LockedDeduplication
from bot.coordination.rate_limiter import InProcessRateLimiter, RateLimiter, RedisRateLimiter
from bot.coordination.redis_conversation_locks import RedisConversationLocks

__all__ = [
    "Admission",
    "ConversationLocks",
    "Coordination",
    "CoordinationError",
    "CoordinationUnavailable",
    "Deduplicator",
    "HeldLock",
    "InProcessConversationLocks",
    "InProcessDeduplicator",
    "InProcessRateLimiter",
    "InboundGate",
    "LockedDeduplication",
    "LockTimeout",
    "MicroBatcher",
    "RateLimiter",
    "RedisConversationLocks",
    "RedisRateLimiter",
    "build_coordination",
    "batching",
    "conversation_locks",
    "coordination",
    "deduplicator",
    "errors",
    "inbound_gate",
    "rate_limiter",
    "redis_backend",
    "redis_conversation_locks",
    "shared_clock",
]
