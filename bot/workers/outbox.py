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
- Sends that may have happened are settled, not repeated. Right before the provider is called
  each row is marked ``sending_since`` (one committed ``UPDATE`` per chunk, only on rows whose
  lease is still ours); the outcome clears the mark. So a worker killed mid-send leaves in
  doubt only the rows whose calls were in flight, and a 5xx or a timeout after the request left
  (``SendFailed.maybe_sent``) keeps the mark. A row found with the mark is looked up with the
  provider first (``SentLookup``: Twilio's message list): found, it is recorded as sent with
  the provider's id; not found, it is sent; the provider cannot tell, it waits and asks again,
  and is ``held`` for a person once its attempts are spent. A channel that cannot be asked
  (Telegram, Meta) sends it again: a duplicate is possible there, for in-flight sends only.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio.to_thread
from sqlalchemy import bindparam
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.errors import SendFailed
from bot.channels.ports import ChannelSender, SendResult, SentLookup, Template
from bot.coordination import RateLimiter
from bot.domain.clock import Clock
from bot.domain.messages import Channel, OutboundMessage
from bot.storage.claims import RowClaims
from bot.storage.console_events import EventRow, record_console_events
from bot.workers.group_commit import GroupCommit
from bot.workers.loop import run_rounds
from bot.workers.outbox_rows import (
    ITEM_UPDATES,
    KNOWN_PROVIDER_IDS,
    MARK_SENDING,
    MESSAGE_UPDATES,
    STATUS_ORDER,
    Claim,
    due_query,
    outbox_table,
    record_delivery_status,
    snapshot,
)

__all__ = [
    "STATUS_ORDER",
    "ChannelLimits",
    "Claim",
    "OutboxWorker",
    "RateLimit",
    "RetryPolicy",
    "record_delivery_status",
]

log = logging.getLogger(__name__)

WHATSAPP_CHANNELS = frozenset({Channel.TWILIO_WHATSAPP.value, Channel.WHATSAPP_CLOUD.value})
BUSINESS_INITIATED = frozenset({"reminder", "alert", "nudge", "notice"})
SERVICE_WINDOW = timedelta(hours=24)
# A send that may have happened is looked up no sooner than this after it started: the
# provider's list may lag behind its answers.
SETTLE_AFTER_S = 15.0


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
        lease_s: float = 30.0,
        batch: int = 50,
        concurrency: int = 16,
        settle_after_s: float = SETTLE_AFTER_S,
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
        self.settle_after = timedelta(seconds=settle_after_s)
        self._concurrency = concurrency
        self._slots = asyncio.Semaphore(concurrency)
        self._due = RowClaims(
            outbox_table,
            due_query().where(outbox_table.c.next_attempt_at <= bindparam("due_by")).limit(batch),
        )
        self._outcomes: GroupCommit[_Outcome] = GroupCommit(self._record)

    async def run(
        self, stop: asyncio.Event, *, wake: asyncio.Event | None = None, idle_s: float = 0.5
    ) -> None:
        """Delivers until ``stop`` is set; ``wake`` cuts the idle wait short."""
        await run_rounds(self.run_once, stop, wake=wake, idle_s=idle_s, name="outbox")

    async def run_once(self) -> int:
        """Claims what is due and delivers it; returns how many rows were handled."""
        claims = await anyio.to_thread.run_sync(self._claim)
        now = self.clock.now()
        decisions = [self._prepare(claim, now) for claim in claims]
        in_doubt = [n for n, claim in enumerate(claims) if claim.sending_since is not None]
        if in_doubt:  # settled with the provider before anything is sent again
            settled_doubts = await asyncio.gather(
                *(self._settle(claims[n], decisions[n]) for n in in_doubt)
            )
            for n, decided in zip(in_doubt, settled_doubts, strict=True):
                decisions[n] = decided
        sends = [decided for decided in decisions if isinstance(decided, _Send)]
        settled = [
            self._outcomes.record(decided)
            for decided in decisions
            if not isinstance(decided, _Send)
        ]
        await asyncio.gather(*settled, self._send_all(sends))
        return len(claims)

    def _prepare(self, claim: Claim, now: datetime) -> _Send | _Outcome:
        try:
            return self._decide(claim, now)
        except Exception:  # noqa: BLE001 - one bad row must not hold the batch back
            log.exception("outbox %s could not be prepared", claim.item_id)
            return _failed(claim, SendFailed("unexpected error", transient=True))

    # ------------------------------------------------------------------ claiming
    def _claim(self) -> list[Claim]:
        """One query for the due rows with their message and conversation, one to lease them."""
        now = self.clock.now()
        with self.sessions() as session, session.begin():
            rows = self._due.claim(
                session.connection(), now=now, lease=self.lease, params={"due_by": now}
            )
        return [snapshot(row, claimed_until=now + self.lease) for row in rows]

    # ------------------------------------------------------------------ settling
    async def _settle(self, claim: Claim, decided: _Send | _Outcome) -> _Send | _Outcome:
        """A row whose last attempt may have reached the provider: asks the provider before
        ``decided`` (the send, or what settles it otherwise) goes ahead."""
        sender = self.senders.get(claim.channel)
        since = claim.sending_since
        assert since is not None
        if sender is None:
            return decided
        if not isinstance(sender, SentLookup):
            log.warning(
                "outbox %s may have been sent at %s; %s cannot be asked, so it goes again",
                claim.item_id,
                since.isoformat(),
                claim.channel,
            )
            return decided
        template = decided.template if isinstance(decided, _Send) else None
        try:
            async with self._slots:  # lookups count against the provider like sends
                known = await anyio.to_thread.run_sync(
                    self._known_provider_ids, claim.conversation_id
                )
                found = await sender.find_sent(
                    address=claim.address,
                    message=_outbound(claim),
                    template=template,
                    since=since,
                    known=known,
                )
        except Exception as exc:  # noqa: BLE001 - SendFailed, or the database: ask again later
            log.warning("outbox %s may have been sent; cannot tell yet: %s", claim.item_id, exc)
            retry_after = exc.retry_after if isinstance(exc, SendFailed) else None
            failure = SendFailed(
                f"may have been sent; the provider cannot tell yet ({exc})",
                transient=True,
                retry_after=retry_after,
                code="in_doubt",
                maybe_sent=True,
            )
            return _failed(claim, failure)
        if found is not None:
            log.info(
                "outbox %s had been sent (%s): recorded, not sent again",
                claim.item_id,
                found.provider_message_id,
            )
            return _delivered(claim, found)
        log.info("outbox %s had not been sent: sending it", claim.item_id)
        return decided

    def _known_provider_ids(self, conversation_id: int) -> frozenset[str]:
        with self.sessions() as session:
            ids = session.execute(KNOWN_PROVIDER_IDS, {"b_conversation": conversation_id})
            return frozenset(str(provider_id) for provider_id in ids.scalars())

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
                marked = await self._mark_sending(chunk)
                for send in chunk:
                    if send.claim.item_id in marked:
                        started.append(asyncio.create_task(self._send_in_slot(send)))
                    else:
                        self._slots.release()
        unavailable = SendFailed("rate limiter unavailable", transient=True)
        await asyncio.gather(
            *started, *(self._finish(send.claim, failure=unavailable) for send in failed)
        )

    async def _mark_sending(self, chunk: list[_Send]) -> set[int]:
        """Marks the chunk's rows as sending, committed before any of them is sent; returns
        the rows marked. A row whose lease ran out meanwhile (another worker may own it now)
        is neither marked nor sent; nothing is sent when the mark cannot be written."""
        try:
            marked = await anyio.to_thread.run_sync(self._write_marks, chunk)
        except Exception:  # noqa: BLE001 - e.g. the database is down: the leases run out
            log.exception("outbox: %d rows could not be marked as sending", len(chunk))
            return set()
        for send in chunk:
            if send.claim.item_id not in marked:
                log.warning(
                    "outbox %s: lease lost before sending; left to its new owner",
                    send.claim.item_id,
                )
        return marked

    def _write_marks(self, chunk: list[_Send]) -> set[int]:
        now = self.clock.now()
        by_lease: dict[datetime | None, list[int]] = {}
        for send in chunk:
            by_lease.setdefault(send.claim.claimed_until, []).append(send.claim.item_id)
        marked: set[int] = set()
        with self.sessions() as session, session.begin():
            connection = session.connection()
            for held, ids in by_lease.items():
                params = {"b_ids": ids, "b_held": held, "b_now": now, "b_until": now + self.lease}
                marked.update(connection.execute(MARK_SENDING, params).scalars())
        return marked

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
        try:
            result = await send.sender.send(
                address=claim.address, message=_outbound(claim), template=send.template
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
        events: list[EventRow] = []  # the console's: a row that will not go (as it is)
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
                events.append(_status_event(claim, outcome.final_status))
                log.info("outbox %s %s: %s", item_id, outcome.final_status, outcome.note)
                continue
            failure = outcome.failure
            assert failure is not None
            attempts = claim.attempts + 1
            error = f"{failure.code or ''} {failure}".strip()[:500]
            if failure.maybe_sent and isinstance(self.senders.get(claim.channel), SentLookup):
                self._in_doubt(claim, failure, error, now, items)
            elif failure.transient and attempts < self.policy.max_attempts:
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
                events.append(_status_event(claim, "failed"))
                log.error("outbox %s dead after %s attempts: %s", item_id, attempts, failure)
        with self.sessions() as session, session.begin():
            connection = session.connection()
            for kind, params in items.items():
                connection.execute(ITEM_UPDATES[kind], params)
            for kind, params in messages.items():
                connection.execute(MESSAGE_UPDATES[kind], params)
            record_console_events(session, events, at=now)

    def _in_doubt(
        self,
        claim: Claim,
        failure: SendFailed,
        error: str,
        now: datetime,
        items: dict[str, list[dict[str, object]]],
    ) -> None:
        """An attempt that may have reached the provider keeps its mark: the next round asks
        the provider first (no sooner than ``settle_after``). Once the attempts are spent it
        is held for a person, who can check the provider's log."""
        attempts = claim.attempts + 1
        if attempts < self.policy.max_attempts:
            delay = max(
                self.policy.delay(attempts, failure.retry_after),
                self.settle_after.total_seconds(),
            )
            items.setdefault("in_doubt", []).append(
                {"b_id": claim.item_id, "b_error": error, "b_next": now + timedelta(seconds=delay)}
            )
            log.warning(
                "outbox %s may have been sent (attempt %s); settled in %.1fs: %s",
                claim.item_id,
                attempts,
                delay,
                failure,
            )
            return
        note = f"may have been sent; check the provider's log before sending again: {error}"
        items.setdefault("final", []).append(
            {"b_id": claim.item_id, "b_status": "held", "b_error": note[:500]}
        )
        log.error("outbox %s held after %s attempts: %s", claim.item_id, attempts, note)


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


def _status_event(claim: Claim, status: str) -> EventRow:
    return EventRow(
        kind="message_status",
        conversation_id=claim.conversation_id,
        data={"message_ids": [claim.message_id], "status": status},
    )


def _outbound(claim: Claim) -> OutboundMessage:
    return OutboundMessage(
        text=claim.text, choices=claim.choices, kind=claim.kind, attachments=claim.attachments
    )


def _failed(claim: Claim, failure: SendFailed) -> _Outcome:
    return _Outcome(
        claim=claim,
        provider_id=None,
        provider_status="sent",
        failure=failure,
        final_status=None,
        note=None,
    )


def _delivered(claim: Claim, result: SendResult) -> _Outcome:
    return _Outcome(
        claim=claim,
        provider_id=result.provider_message_id,
        provider_status=result.status,
        failure=None,
        final_status=None,
        note=None,
    )


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
