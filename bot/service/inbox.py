"""The async entry for inbound messages from every channel.

One conversation's messages are handled one at a time in arrival order (a FIFO lock per
conversation: in-process, or Redis across processes); different conversations run
concurrently; the dialogue runs in a worker thread so the event loop keeps answering webhooks.
Turns of different conversations that are ready together run together (``MicroBatcher``): one
thread hop and one call of the conversation service for the batch
(``ConversationService.handle_many``, one transaction), which returns each message's
``Handled`` — its replies as stored, what the channel delivers. A turn that finds no batch
running starts at once, alone; the turns that arrive while a batch runs form the next one (see
TURN_SPILL_S for a batch that runs long). A message whose turn may wait on BrasilAPI (a CEP or
a CNPJ, ``may_look_up``) always runs as a batch of its own, so a slow look-up delays only its
own client and never holds a batch's transaction (or SQLite's write lock).

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

from bot.coordination import InboundGate, MicroBatcher
from bot.domain.messages import InboundMessage
from bot.metrics import Metrics
from bot.service.conversations import ConversationService, Handled

DEDUP_TTL_S = 3 * 24 * 3600  # providers retry for hours (Meta) to a day (Telegram)
LOCK_WAIT_S = 60.0
# One batch of turns runs at a time while it is quick, so the turns arriving meanwhile batch up
# behind it; a batch slower than TURN_SPILL_S (a turn waiting on a CNPJ or CEP look-up) lets
# the next one start, up to TURN_THREADS at once — few enough that threads do not fight over
# the GIL or overflow the connection pool (PostgreSQL: 10). Measured in bench/webhooks: one
# batch at a time (about 11 turns under load) cost about 30 % less CPU per message than four
# batches of about 2.
TURN_THREADS = 4
TURN_SPILL_S = 0.05
# Turns in one transaction at most: a bigger batch saves little more and holds its row locks
# (and, on SQLite, the database's write lock) longer.
TURN_BATCH = 16

__all__ = ["DEDUP_TTL_S", "LOCK_WAIT_S", "Inbox", "may_look_up"]


def may_look_up(inbound: InboundMessage) -> bool:
    """The message may be a CEP or a CNPJ (eight digits or more), which the dialogue looks up
    at BrasilAPI when the service has look-ups (``ConversationService.looks_up``)."""
    return sum(c.isdigit() for c in inbound.text[:200]) >= 8


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
        turn_batch: int = TURN_BATCH,
    ) -> None:
        self.turn_threads = turn_threads
        self.turn_batch = turn_batch
        self._turns: MicroBatcher[InboundMessage, Handled] | None = None
        self._solo: anyio.CapacityLimiter | None = None
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
            if self.conversations.looks_up and may_look_up(inbound):
                handled = await self._run_alone(inbound)
            else:
                handled = await self._batcher().submit(inbound)
            admission.handled()
        if handled.replies and self.outbox_wake is not None:
            self.outbox_wake.set()
        if handled.documents_queued and self.documents_wake is not None:
            self.documents_wake.set()
        return self._count(inbound, handled)

    def _batcher(self) -> MicroBatcher[InboundMessage, Handled]:
        # Created on first use, in the running event loop; its batches run in their own
        # threads (anyio's pool is larger than TURN_THREADS).
        if self._turns is None:
            self._turns = MicroBatcher(
                self._run_turns,
                max_batch=self.turn_batch,
                max_in_flight=self.turn_threads,
                spill_after_s=TURN_SPILL_S,
            )
        return self._turns

    def _solo_limiter(self) -> anyio.CapacityLimiter:
        # Turns run alone (they may wait on BrasilAPI) take at most TURN_THREADS threads too,
        # so a burst of them cannot overflow the connection pool. Created on first use: a
        # limiter belongs to the running event loop.
        if self._solo is None:
            self._solo = anyio.CapacityLimiter(self.turn_threads)
        return self._solo

    async def _run_alone(self, inbound: InboundMessage) -> Handled:
        (result,) = await anyio.to_thread.run_sync(
            self.conversations.handle_many, [inbound], limiter=self._solo_limiter()
        )
        if isinstance(result, Exception):
            raise result
        return result

    async def _run_turns(self, batch: list[InboundMessage]) -> list[Handled | Exception]:
        if self.metrics is not None:
            self.metrics.turn_batch.observe(len(batch))
        return await anyio.to_thread.run_sync(self.conversations.handle_many, batch)

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
