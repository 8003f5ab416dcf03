"""The async entry for inbound messages from every channel: one conversation at a time, in
arrival order, different conversations concurrently; the dialogue runs in a worker thread so
the event loop keeps answering webhooks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

import anyio.to_thread

from bot.domain.messages import InboundMessage
from bot.service.conversations import ConversationService, Handled


class ConversationLocks(Protocol):
    def hold(self, key: str, *, timeout_s: float) -> AbstractAsyncContextManager[None]: ...


class LocalLocks:
    """Per-key FIFO locks for a single process (asyncio.Lock wakes waiters in order)."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str, *, timeout_s: float) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with asyncio.timeout(timeout_s):
                await lock.acquire()
            try:
                yield
            finally:
                lock.release()
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class Inbox:
    def __init__(
        self, *, conversations: ConversationService, locks: ConversationLocks | None = None
    ) -> None:
        self.conversations = conversations
        self.locks = locks or LocalLocks()

    async def receive(self, inbound: InboundMessage) -> Handled:
        key = f"{inbound.channel.value}:{inbound.address}"
        async with self.locks.hold(key, timeout_s=60):
            return await anyio.to_thread.run_sync(self.conversations.handle, inbound)
