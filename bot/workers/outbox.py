"""The delivery worker: sends outbox rows through the channel adapters, exactly once each.

- Claims are atomic: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, a conditional ``UPDATE`` on
  SQLite; a claim is a lease (``claimed_until``), so a worker that dies mid-send releases its
  rows when the lease ends and another worker delivers them.
- One conversation's messages leave in order: only a conversation's oldest pending row is
  claimable.
- Transient failures (timeouts, 5xx, 429, throttling codes) are retried with exponential
  backoff and jitter, never sooner than the provider's ``Retry-After``; after
  ``max_attempts`` or on a permanent failure the row goes to the dead-letter state ``dead``,
  visible to staff.
- WhatsApp's 24-hour window: outside it a message goes as the approved template configured for
  its kind, or is ``held`` for a CSM when there is none. Business-initiated kinds are not sent
  to opted-out clients (``suppressed``), and bot messages are not sent while a person owns the
  conversation.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio.to_thread
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from bot.channels.errors import SendFailed
from bot.channels.ports import ChannelSender, Template
from bot.coordination import RateLimiter
from bot.domain.clock import Clock
from bot.domain.messages import Channel, Choice, OutboundMessage
from bot.storage.claims import claim_due
from bot.storage.models import Conversation, Message, OutboxItem
from bot.workers.loop import run_rounds

log = logging.getLogger(__name__)

WHATSAPP_CHANNELS = frozenset({Channel.TWILIO_WHATSAPP.value, Channel.WHATSAPP_CLOUD.value})
BUSINESS_INITIATED = frozenset({"reminder", "alert", "nudge", "notice"})
SERVICE_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_s: float = 2.0
    cap_s: float = 900.0

    def delay(self, attempts: int, retry_after: float | None) -> float:
        backoff: float = min(self.cap_s, self.base_s * 2.0 ** max(0, attempts - 1))
        return max(backoff * random.uniform(0.8, 1.2), retry_after or 0.0)


@dataclass(frozen=True)
class RateLimit:
    rate_per_s: float
    burst: int


@dataclass(frozen=True)
class ChannelLimits:
    """Provider limits: per sender for WhatsApp, overall and per chat for Telegram."""

    per_sender: dict[str, RateLimit]
    per_chat: dict[str, RateLimit]

    @classmethod
    def defaults(cls, *, whatsapp_per_s: float = 80.0) -> ChannelLimits:
        return cls(
            per_sender={
                Channel.TWILIO_WHATSAPP.value: RateLimit(whatsapp_per_s, int(whatsapp_per_s)),
                Channel.WHATSAPP_CLOUD.value: RateLimit(whatsapp_per_s, int(whatsapp_per_s)),
                Channel.TELEGRAM.value: RateLimit(30.0, 30),
            },
            per_chat={Channel.TELEGRAM.value: RateLimit(1.0, 3)},
        )


@dataclass(frozen=True)
class Claim:
    """A claimed outbox row with what is needed to send it, read in the claiming transaction."""

    item_id: int
    message_id: int
    conversation_id: int
    channel: str
    address: str
    attempts: int
    text: str
    choices: tuple[Choice, ...]
    kind: str
    author: str
    last_inbound_at: datetime | None
    opted_out: bool
    bot_paused: bool


class OutboxWorker:
    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        senders: Mapping[str, ChannelSender],
        clock: Clock,
        policy: RetryPolicy | None = None,
        templates: Mapping[str, Template] | None = None,
        rate_limiter: RateLimiter | None = None,
        limits: ChannelLimits | None = None,
        lease_s: float = 60.0,
        batch: int = 50,
        concurrency: int = 16,
    ) -> None:
        self.sessions = sessions
        self.senders = dict(senders)
        self.clock = clock
        self.policy = policy or RetryPolicy()
        self.templates = dict(templates or {})
        self.rate_limiter = rate_limiter
        self.limits = limits or ChannelLimits.defaults()
        self.lease = timedelta(seconds=lease_s)
        self.batch = batch
        self._slots = asyncio.Semaphore(concurrency)

    async def run(
        self, stop: asyncio.Event, *, wake: asyncio.Event | None = None, idle_s: float = 0.5
    ) -> None:
        """Delivers until ``stop`` is set; ``wake`` cuts the idle wait short."""
        await run_rounds(self.run_once, stop, wake=wake, idle_s=idle_s, name="outbox")

    async def run_once(self) -> int:
        """Claims what is due and delivers it; returns how many rows were handled."""
        claims = await anyio.to_thread.run_sync(self._claim)
        await asyncio.gather(*(self._deliver_guarded(claim) for claim in claims))
        return len(claims)

    # ------------------------------------------------------------------ claiming
    def _claim(self) -> list[Claim]:
        now = self.clock.now()
        earlier = aliased(OutboxItem)
        oldest_of_its_conversation = ~exists(
            select(earlier.id).where(
                earlier.conversation_id == OutboxItem.conversation_id,
                earlier.id < OutboxItem.id,
                earlier.status == "pending",
            )
        )
        with self.sessions() as session, session.begin():
            items = claim_due(
                session,
                OutboxItem,
                where=[
                    OutboxItem.status == "pending",
                    OutboxItem.next_attempt_at <= now,
                    oldest_of_its_conversation,
                ],
                now=now,
                lease=self.lease,
                limit=self.batch,
            )
            return [self._snapshot(session, item) for item in items]

    def _snapshot(self, session: Session, item: OutboxItem) -> Claim:
        message = session.get_one(Message, item.message_id)
        conversation = session.get_one(Conversation, item.conversation_id)
        return Claim(
            item_id=item.id,
            message_id=message.id,
            conversation_id=conversation.id,
            channel=item.channel,
            address=item.address,
            attempts=item.attempts,
            text=message.text,
            choices=tuple(Choice(id=c[0], title=c[1]) for c in message.payload.get("choices", [])),
            kind=str(message.payload.get("kind", "reply")),
            author=message.author,
            last_inbound_at=conversation.last_inbound_at,
            opted_out=conversation.opted_out,
            bot_paused=conversation.bot_paused,
        )

    # ------------------------------------------------------------------ delivering
    async def _deliver_guarded(self, claim: Claim) -> None:
        async with self._slots:
            try:
                await self._deliver(claim)
            except Exception:  # noqa: BLE001 - unexpected adapter errors are retried, not lost
                log.exception("delivery of outbox %s failed unexpectedly", claim.item_id)
                await self._finish(claim, failure=SendFailed("unexpected error", transient=True))

    async def _deliver(self, claim: Claim) -> None:
        now = self.clock.now()
        if claim.author == "bot" and claim.bot_paused:
            await self._finish(
                claim, final_status="suppressed", note="a person owns the conversation"
            )
            return
        if claim.kind in BUSINESS_INITIATED and claim.opted_out:
            await self._finish(claim, final_status="suppressed", note="client opted out")
            return
        template: Template | None = None
        if claim.channel in WHATSAPP_CHANNELS and _outside_window(claim.last_inbound_at, now):
            configured = self.templates.get(claim.kind)
            if configured is None:
                await self._finish(
                    claim,
                    final_status="held",
                    note=f"outside WhatsApp's 24-hour window; no template for '{claim.kind}'",
                )
                return
            template = Template(
                content_sid=configured.content_sid,
                variables={**configured.variables, "1": claim.text[:1000]},
                language=configured.language,
            )
        sender = self.senders.get(claim.channel)
        if sender is None:
            await self._finish(
                claim, final_status="dead", note=f"channel {claim.channel} is not configured"
            )
            return
        message = OutboundMessage(text=claim.text, choices=claim.choices, kind=claim.kind)
        await self._throttle(claim)
        try:
            result = await sender.send(address=claim.address, message=message, template=template)
        except SendFailed as failure:
            await self._finish(claim, failure=failure)
            return
        await self._finish(
            claim, provider_id=result.provider_message_id, provider_status=result.status
        )

    async def _throttle(self, claim: Claim) -> None:
        """Waits for the channel's sender bucket and, on Telegram, the chat's bucket."""
        if self.rate_limiter is None:
            return
        buckets = []
        if (sender := self.limits.per_sender.get(claim.channel)) is not None:
            buckets.append((f"rate:{claim.channel}", sender))
        if (chat := self.limits.per_chat.get(claim.channel)) is not None:
            buckets.append((f"rate:{claim.channel}:{claim.address}", chat))
        for key, limit in buckets:
            await self.rate_limiter.wait(key, rate_per_s=limit.rate_per_s, burst=limit.burst)

    async def _finish(
        self,
        claim: Claim,
        *,
        provider_id: str | None = None,
        provider_status: str = "sent",
        failure: SendFailed | None = None,
        final_status: str | None = None,
        note: str | None = None,
    ) -> None:
        await anyio.to_thread.run_sync(
            lambda: self._record(
                claim,
                provider_id=provider_id,
                provider_status=provider_status,
                failure=failure,
                final_status=final_status,
                note=note,
            )
        )

    def _record(
        self,
        claim: Claim,
        *,
        provider_id: str | None,
        provider_status: str,
        failure: SendFailed | None,
        final_status: str | None,
        note: str | None,
    ) -> None:
        now = self.clock.now()
        with self.sessions() as session, session.begin():
            item = session.get_one(OutboxItem, claim.item_id)
            message = session.get_one(Message, claim.message_id)
            item.claimed_until = None
            if failure is None and final_status is None:
                item.status, item.sent_at, item.last_error = "sent", now, None
                item.attempts += 1
                message.status = provider_status if provider_status in STATUS_ORDER else "sent"
                message.channel_message_id = provider_id
                return
            if final_status is not None:
                item.status, item.last_error = final_status, note
                message.status = final_status
                log.info("outbox %s %s: %s", item.id, final_status, note)
                return
            assert failure is not None
            item.attempts += 1
            item.last_error = f"{failure.code or ''} {failure}".strip()[:500]
            if failure.transient and item.attempts < self.policy.max_attempts:
                delay = self.policy.delay(item.attempts, failure.retry_after)
                item.next_attempt_at = now + timedelta(seconds=delay)
                log.warning(
                    "outbox %s retry %s in %.1fs: %s", item.id, item.attempts, delay, failure
                )
            else:
                item.status = "dead"
                message.status = "failed"
                message.error_code = failure.code
                log.error("outbox %s dead after %s attempts: %s", item.id, item.attempts, failure)


def _outside_window(last_inbound_at: datetime | None, now: datetime) -> bool:
    return last_inbound_at is None or now - last_inbound_at > SERVICE_WINDOW


# Delivery statuses only move forward; failed/undelivered are final whatever arrives later.
STATUS_ORDER: dict[str, int] = {
    "queued": 1,
    "accepted": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "read": 5,
    "failed": 9,
    "undelivered": 9,
}


def record_delivery_status(
    sessions: sessionmaker[Session],
    *,
    provider_message_id: str,
    status: str,
    error_code: str | None,
) -> bool:
    """Applies a delivery report; returns False when the message is unknown."""
    with sessions() as session, session.begin():
        message = session.scalar(
            select(Message).where(
                Message.channel_message_id == provider_message_id, Message.direction == "out"
            )
        )
        if message is None:
            return False
        if STATUS_ORDER.get(status, 0) > STATUS_ORDER.get(message.status, 0):
            message.status = status
            if error_code:
                message.error_code = error_code[:20]
        return True
