"""The async entry for inbound messages from every channel.

One conversation's messages are handled one at a time in arrival order (a FIFO lock per
conversation: in-process, or Redis across processes); different conversations run
concurrently; the dialogue runs in a worker thread so the event loop keeps answering webhooks.

De-duplication has two layers: a fast check of the channel's message id in shared storage
(Redis, or memory) as the conversation's turn comes (the gate: ``bot.coordination``),
remembered only after the message was committed — so a crash mid-way never swallows the
provider's retry — and the database's unique index on (conversation, direction, channel id),
which makes a duplicate that slips past the fast check a no-op.
"""

from __future__ import annotations

import asyncio

import anyio
import anyio.to_thread

from bot.coordination import InboundGate
from bot.domain.messages import InboundMessage
from bot.metrics import Metrics
from bot.service.conversations import ConversationService, Handled

DEDUP_TTL_S = 3 * 24 * 3600  # providers retry for hours (Meta) to a day (Telegram)
LOCK_WAIT_S = 60.0
# Turns run at most this many at a time: enough to overlap database round trips, few enough
# that threads do not fight over the GIL or overflow the connection pool (PostgreSQL: 10).
TURN_THREADS = 6


class Inbox:
    def __init__(
        self,
        *,
        conversations: ConversationService,
        gate: InboundGate,
        outbox_wake: asyncio.Event | None = None,
        documents_wake: asyncio.Event | None = None,
        metrics: Metrics | None = None,
        turn_threads: int = TURN_THREADS,
    ) -> None:
        self.turn_threads = turn_threads
        self._turns: anyio.CapacityLimiter | None = None
        self.metrics = metrics
        self.documents_wake = documents_wake
        self.conversations = conversations
        self.gate = gate
        self.outbox_wake = outbox_wake

    async def receive(self, inbound: InboundMessage) -> Handled:
        conversation = f"conv:{inbound.channel.value}:{inbound.address}"
        message = f"in:{inbound.channel.value}:{inbound.external_id}"
        # A copy waits for the conversation's turn, then stops here.
        async with self.gate.admit(
            conversation, message, timeout_s=LOCK_WAIT_S, remember_s=DEDUP_TTL_S
        ) as admission:
            if admission.duplicate:
                return self._count(inbound, Handled(conversation_id=0, duplicate=True))
            handled = await anyio.to_thread.run_sync(
                self.conversations.handle, inbound, limiter=self._turn_limiter()
            )
            admission.handled()
        if handled.replies and self.outbox_wake is not None:
            self.outbox_wake.set()
        if handled.documents_queued and self.documents_wake is not None:
            self.documents_wake.set()
        return self._count(inbound, handled)

    def _turn_limiter(self) -> anyio.CapacityLimiter:
        # Created on first use: a limiter belongs to the running event loop.
        if self._turns is None:
            self._turns = anyio.CapacityLimiter(self.turn_threads)
        return self._turns

    def _count(self, inbound: InboundMessage, handled: Handled) -> Handled:
        if self.metrics is not None:
            channel = inbound.channel.value
            outcome = (
                "duplicate" if handled.duplicate else "paused" if handled.bot_paused else "handled"
            )
            self.metrics.messages_in.labels(channel=channel, outcome=outcome).inc()
            self.metrics.messages_out.labels(channel=channel).inc(len(handled.replies))
            for reason in handled.escalations:
                self.metrics.escalations.labels(reason=reason).inc()
        return handled
