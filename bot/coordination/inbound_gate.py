"""The inbox's gate: one conversation's messages one at a time, in arrival order, each once.

``admit(conversation, message, timeout_s=..., remember_s=...)`` waits for the conversation's
turn (first come, first served, like ``ConversationLocks.hold``) and tells whether the channel
message was handled before (``admission.duplicate``: the caller does nothing and, in the Redis
adapter, is already out of the queue). A caller that handles the message calls
``admission.handled()``; the message is remembered for ``remember_s`` as the turn ends, never
before, so a crash mid-way leaves the provider's retry welcome.

Two adapters: ``LockedDeduplication`` runs any ``ConversationLocks`` with any ``Deduplicator``
(embedded mode: all in memory); ``RedisConversationLocks.admit`` does the lock and the check in
one script and the release and the remembering in another — two Redis round trips a message
instead of four.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

from bot.coordination.conversation_locks import ConversationLocks, HeldLock
from bot.coordination.deduplicator import Deduplicator

__all__ = ["Admission", "InboundGate", "LockedDeduplication", "message_key"]


@dataclass(slots=True)
class Admission:
    """A message's pass through the gate: a duplicate, or the conversation's turn held."""

    lock: HeldLock
    duplicate: bool = False
    remember: bool = False

    def handled(self) -> None:
        """The message was handled (committed): remember it as the turn ends."""
        self.remember = True


class InboundGate(ABC):
    """Port: admits one conversation's messages one at a time, each channel message once."""

    @abstractmethod
    def admit(
        self, conversation: str, message: str, *, timeout_s: float, remember_s: int
    ) -> AbstractAsyncContextManager[Admission]:
        """Wait (at most ``timeout_s``, else ``LockTimeout``) for ``conversation``'s turn; the
        admission says whether ``message`` was handled before."""


class LockedDeduplication(InboundGate):
    """Any locks with any deduplicator: the check under the lock, remembered before leaving."""

    def __init__(self, locks: ConversationLocks, deduplicator: Deduplicator) -> None:
        self.locks = locks
        self.deduplicator = deduplicator

    @asynccontextmanager
    async def admit(
        self, conversation: str, message: str, *, timeout_s: float, remember_s: int
    ) -> AsyncIterator[Admission]:
        key = message_key(conversation, message)
        async with self.locks.hold(conversation, timeout_s=timeout_s) as held:
            admission = Admission(lock=held, duplicate=await self.deduplicator.seen(key))
            yield admission
            if admission.remember:
                await self.deduplicator.first_time(key, ttl_s=remember_s)


def message_key(conversation: str, message: str) -> str:
    """The remembered key of a channel message; it carries the conversation's hash tag, so
    the Redis adapter's scripts touch keys of one cluster slot only."""
    return f"{{{conversation}}}:{message}"
