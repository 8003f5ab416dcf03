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
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import anyio.to_thread
from sqlalchemy import Row, Select, Table, Update, bindparam, exists, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.errors import SendFailed
from bot.channels.ports import ChannelSender, Template
from bot.coordination import RateLimiter
from bot.domain.clock import Clock
from bot.domain.messages import Channel, Choice, OutboundMessage
from bot.storage.claims import RowClaims
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
    attachments: tuple[str, ...] = ()


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
        self._concurrency = concurrency
        self._slots = asyncio.Semaphore(concurrency)
        self._due = RowClaims(
            _OUTBOX,
            _due_query().where(_OUTBOX.c.next_attempt_at <= bindparam("due_by")).limit(batch),
        )
        self._outcomes = _GroupCommit(self._record)

    async def run(
        self, stop: asyncio.Event, *, wake: asyncio.Event | None = None, idle_s: float = 0.5
    ) -> None:
        """Delivers until ``stop`` is set; ``wake`` cuts the idle wait short."""
        await run_rounds(self.run_once, stop, wake=wake, idle_s=idle_s, name="outbox")

    async def run_once(self) -> int:
        """Claims what is due and delivers it; returns how many rows were handled."""
        claims = await anyio.to_thread.run_sync(self._claim)
        now = self.clock.now()
        sends: list[_Send] = []
        settled: list[Awaitable[None]] = []
        for claim in claims:
            try:
                decided = self._decide(claim, now)
            except Exception:  # noqa: BLE001 - one bad row must not hold the batch back
                log.exception("outbox %s could not be prepared", claim.item_id)
                failure = SendFailed("unexpected error", transient=True)
                decided = _Outcome(
                    claim=claim,
                    provider_id=None,
                    provider_status="sent",
                    failure=failure,
                    final_status=None,
                    note=None,
                )
            if isinstance(decided, _Send):
                sends.append(decided)
            else:
                settled.append(self._outcomes.record(decided))
        await asyncio.gather(*settled, self._send_all(sends))
        return len(claims)

    # ------------------------------------------------------------------ claiming
    def _claim(self) -> list[Claim]:
        """One query for the due rows with their message and conversation, one to lease them."""
        now = self.clock.now()
        with self.sessions() as session, session.begin():
            rows = self._due.claim(
                session.connection(), now=now, lease=self.lease, params={"due_by": now}
            )
        return [_snapshot(row) for row in rows]

    # ------------------------------------------------------------------ delivering
    def _decide(self, claim: Claim, now: datetime) -> _Send | _Outcome:
        """Settles a claim that must not go (suppressed, held, no channel), or says how to send
        it (as the kind's template outside WhatsApp's 24-hour window)."""
        if claim.author == "bot" and claim.bot_paused:
            return _settled(claim, "suppressed", "a person owns the conversation")
        if claim.kind in BUSINESS_INITIATED and claim.opted_out:
            return _settled(claim, "suppressed", "client opted out")
        template: Template | None = None
        if claim.channel in WHATSAPP_CHANNELS and _outside_window(claim.last_inbound_at, now):
            configured = self.templates.get(claim.kind)
            if configured is None:
                return _settled(
                    claim,
                    "held",
                    f"outside WhatsApp's 24-hour window; no template for '{claim.kind}'",
                )
            template = Template(
                content_sid=configured.content_sid,
                variables={**configured.variables, "1": claim.text[:1000]},
                language=configured.language,
            )
        sender = self.senders.get(claim.channel)
        if sender is None:
            return _settled(claim, "dead", f"channel {claim.channel} is not configured")
        return _Send(claim=claim, sender=sender, template=template)

    async def _send_all(self, sends: list[_Send]) -> None:
        """Sends concurrently (at most ``concurrency`` at once). Each chunk of one channel
        (at most its burst) first holds its send slots, then takes its sender tokens in one
        call, so every send leaves as soon as its token was granted (on Telegram, once its
        chat's own bucket allows too)."""
        by_channel: dict[str, list[_Send]] = {}
        for send in sends:
            by_channel.setdefault(send.claim.channel, []).append(send)
        started: list[asyncio.Task[None]] = []
        failed: list[_Send] = []
        for channel, group in by_channel.items():
            limit = self.limits.per_sender.get(channel)
            size = min(self._concurrency, limit.burst if limit is not None else len(group))
            for first in range(0, len(group), size):
                chunk = group[first : first + size]
                if failed:
                    failed += chunk
                    continue
                for _ in chunk:
                    await self._slots.acquire()
                try:
                    if limit is not None and self.rate_limiter is not None:
                        await self.rate_limiter.wait(
                            f"rate:{channel}",
                            rate_per_s=limit.rate_per_s,
                            burst=limit.burst,
                            tokens=len(chunk),
                        )
                except Exception:  # noqa: BLE001 - e.g. Redis unavailable: retried later
                    log.exception("rate limit for %s unavailable", channel)
                    for _ in chunk:
                        self._slots.release()
                    failed += chunk
                    continue
                started += [asyncio.create_task(self._send_in_slot(send)) for send in chunk]
        unavailable = SendFailed("rate limiter unavailable", transient=True)
        await asyncio.gather(
            *started, *(self._finish(send.claim, failure=unavailable) for send in failed)
        )

    async def _send_in_slot(self, send: _Send) -> None:
        try:
            await self._send(send)
        except Exception:  # noqa: BLE001 - unexpected adapter errors are retried, not lost
            log.exception("delivery of outbox %s failed unexpectedly", send.claim.item_id)
            await self._finish(send.claim, failure=SendFailed("unexpected error", transient=True))
        finally:
            self._slots.release()

    async def _send(self, send: _Send) -> None:
        claim = send.claim
        await self._throttle_chat(claim)
        message = OutboundMessage(
            text=claim.text, choices=claim.choices, kind=claim.kind, attachments=claim.attachments
        )
        try:
            result = await send.sender.send(
                address=claim.address, message=message, template=send.template
            )
        except SendFailed as failure:
            await self._finish(claim, failure=failure)
            return
        await self._finish(
            claim, provider_id=result.provider_message_id, provider_status=result.status
        )

    async def _throttle_chat(self, claim: Claim) -> None:
        """Waits for the chat's bucket where the channel limits each chat (Telegram)."""
        chat = self.limits.per_chat.get(claim.channel)
        if self.rate_limiter is None or chat is None:
            return
        await self.rate_limiter.wait(
            f"rate:{claim.channel}:{claim.address}", rate_per_s=chat.rate_per_s, burst=chat.burst
        )

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
        """Records the outcome; outcomes that finish while one is being written share the next
        transaction (group commit), so each is recorded about as soon as it is known."""
        await self._outcomes.record(
            _Outcome(
                claim=claim,
                provider_id=provider_id,
                provider_status=provider_status,
                failure=failure,
                final_status=final_status,
                note=note,
            )
        )

    def _record(self, outcomes: list[_Outcome]) -> None:
        """Writes outcomes in one transaction: one ``UPDATE`` per kind of change, per table."""
        now = self.clock.now()
        items: dict[str, list[dict[str, object]]] = {}
        messages: dict[str, list[dict[str, object]]] = {}
        for outcome in outcomes:
            claim = outcome.claim
            item_id, message_id = claim.item_id, claim.message_id
            if outcome.failure is None and outcome.final_status is None:
                status = outcome.provider_status
                items.setdefault("sent", []).append({"b_id": item_id, "b_now": now})
                messages.setdefault("sent", []).append(
                    {
                        "b_id": message_id,
                        "b_status": status if status in STATUS_ORDER else "sent",
                        "b_provider_id": outcome.provider_id,
                    }
                )
                continue
            if outcome.final_status is not None:
                items.setdefault("final", []).append(
                    {"b_id": item_id, "b_status": outcome.final_status, "b_error": outcome.note}
                )
                messages.setdefault("status", []).append(
                    {"b_id": message_id, "b_status": outcome.final_status}
                )
                log.info("outbox %s %s: %s", item_id, outcome.final_status, outcome.note)
                continue
            failure = outcome.failure
            assert failure is not None
            attempts = claim.attempts + 1
            error = f"{failure.code or ''} {failure}".strip()[:500]
            if failure.transient and attempts < self.policy.max_attempts:
                delay = self.policy.delay(attempts, failure.retry_after)
                items.setdefault("retry", []).append(
                    {
                        "b_id": item_id,
                        "b_error": error,
                        "b_next": now + timedelta(seconds=delay),
                    }
                )
                log.warning("outbox %s retry %s in %.1fs: %s", item_id, attempts, delay, failure)
            else:
                items.setdefault("dead", []).append({"b_id": item_id, "b_error": error})
                messages.setdefault("failed", []).append(
                    {"b_id": message_id, "b_code": failure.code}
                )
                log.error("outbox %s dead after %s attempts: %s", item_id, attempts, failure)
        with self.sessions() as session, session.begin():
            connection = session.connection()
            for kind, params in items.items():
                connection.execute(_ITEM_UPDATES[kind], params)
            for kind, params in messages.items():
                connection.execute(_MESSAGE_UPDATES[kind], params)


@dataclass(frozen=True)
class _Send:
    claim: Claim
    sender: ChannelSender
    template: Template | None


@dataclass(frozen=True)
class _Outcome:
    claim: Claim
    provider_id: str | None
    provider_status: str
    failure: SendFailed | None
    final_status: str | None
    note: str | None


class _GroupCommit:
    """Outcomes written in batches: the first caller writes, in a worker thread, everything
    that is waiting, again and again until nothing is; the others wait for their batch."""

    def __init__(self, write: Callable[[list[_Outcome]], None]) -> None:
        self._write = write
        self._waiting: list[tuple[_Outcome, asyncio.Future[None]]] = []
        self._writing = False

    async def record(self, outcome: _Outcome) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((outcome, future))
        if not self._writing:
            self._writing = True
            batch: list[tuple[_Outcome, asyncio.Future[None]]] = []
            try:
                while self._waiting:
                    batch, self._waiting = self._waiting, []
                    try:
                        await anyio.to_thread.run_sync(self._write, [o for o, _ in batch])
                    except Exception as exc:  # noqa: BLE001 - each waiter gets the error
                        for _, waiter in batch:
                            if not waiter.done():  # a cancelled waiter's future is done
                                waiter.set_exception(exc)
                    else:
                        for _, waiter in batch:
                            if not waiter.done():
                                waiter.set_result(None)
            finally:
                self._writing = False
                # Only when the writer itself was cancelled: nobody writes these any more
                # (their leases run out and another round delivers them again).
                for _, waiter in batch + self._waiting:
                    if not waiter.done():
                        waiter.cancel()
                self._waiting = []
        await future


def _settled(claim: Claim, status: str, note: str) -> _Outcome:
    """The outcome of a claim that is not sent (suppressed, held, dead)."""
    return _Outcome(
        claim=claim,
        provider_id=None,
        provider_status="sent",
        failure=None,
        final_status=status,
        note=note,
    )


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


_OUTBOX: Table = OutboxItem.__table__  # type: ignore[assignment]
_MESSAGES: Table = Message.__table__  # type: ignore[assignment]
_CONVERSATIONS: Table = Conversation.__table__  # type: ignore[assignment]


def _due_query() -> Select[Any]:
    """Pending rows that are the oldest pending row of their conversation, with what sending
    needs from the message and the conversation (the caller adds the time and the limit)."""
    earlier = _OUTBOX.alias("earlier")
    oldest_of_its_conversation = ~exists(
        select(earlier.c.id).where(
            earlier.c.conversation_id == _OUTBOX.c.conversation_id,
            earlier.c.id < _OUTBOX.c.id,
            earlier.c.status == "pending",
        )
    )
    return (
        select(
            _OUTBOX.c.id,
            _OUTBOX.c.message_id,
            _OUTBOX.c.conversation_id,
            _OUTBOX.c.channel,
            _OUTBOX.c.address,
            _OUTBOX.c.attempts,
            _MESSAGES.c.text,
            _MESSAGES.c.payload,
            _MESSAGES.c.author,
            _CONVERSATIONS.c.last_inbound_at,
            _CONVERSATIONS.c.opted_out,
            _CONVERSATIONS.c.bot_paused,
        )
        .join(_MESSAGES, _MESSAGES.c.id == _OUTBOX.c.message_id)
        .join(_CONVERSATIONS, _CONVERSATIONS.c.id == _OUTBOX.c.conversation_id)
        .where(_OUTBOX.c.status == "pending", oldest_of_its_conversation)
        .order_by(_OUTBOX.c.id)
    )


def _snapshot(row: Row[Any]) -> Claim:
    payload = row.payload or {}
    return Claim(
        item_id=row.id,
        message_id=row.message_id,
        conversation_id=row.conversation_id,
        channel=row.channel,
        address=row.address,
        attempts=row.attempts,
        text=row.text,
        choices=tuple(Choice(id=c[0], title=c[1]) for c in payload.get("choices", [])),
        kind=str(payload.get("kind", "reply")),
        author=row.author,
        last_inbound_at=row.last_inbound_at,
        opted_out=row.opted_out,
        bot_paused=row.bot_paused,
        attachments=tuple(str(url) for url in payload.get("attachments", [])),
    )


def _item_update(**values: object) -> Update:
    return (
        update(_OUTBOX)
        .where(_OUTBOX.c.id == bindparam("b_id"))
        .values(claimed_until=None, **values)
    )


def _message_update(**values: object) -> Update:
    return update(_MESSAGES).where(_MESSAGES.c.id == bindparam("b_id")).values(**values)


# The outcome writes, by kind of change (each runs as one executemany).
_ITEM_UPDATES: dict[str, Update] = {
    "sent": _item_update(
        status="sent",
        sent_at=bindparam("b_now"),
        last_error=None,
        attempts=_OUTBOX.c.attempts + 1,
    ),
    "final": _item_update(status=bindparam("b_status"), last_error=bindparam("b_error")),
    "retry": _item_update(
        attempts=_OUTBOX.c.attempts + 1,
        last_error=bindparam("b_error"),
        next_attempt_at=bindparam("b_next"),
    ),
    "dead": _item_update(
        status="dead", attempts=_OUTBOX.c.attempts + 1, last_error=bindparam("b_error")
    ),
}
_MESSAGE_UPDATES: dict[str, Update] = {
    "sent": _message_update(
        status=bindparam("b_status"), channel_message_id=bindparam("b_provider_id")
    ),
    "status": _message_update(status=bindparam("b_status")),
    "failed": _message_update(status="failed", error_code=bindparam("b_code")),
}
