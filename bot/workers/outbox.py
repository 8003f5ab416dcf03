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
from collections.abc import Mapping
from datetime import datetime, timedelta

import anyio.to_thread
from sqlalchemy import bindparam
from sqlalchemy.orm import Session, sessionmaker

from bot.coordination import MicroBatcher, RateLimiter
from bot.domain.channels import ChannelSender, SendFailed, SentLookup, Template
from bot.domain.clock import Clock
from bot.domain.messages import OutboundMessage
from bot.domain.retrying import RetryPolicy
from bot.storage.claims import RowClaims
from bot.workers.loop import run_rounds
from bot.workers.outbox_decisions import (
    SERVICE_WINDOW,
    ChannelLimits,
    RateLimit,
    Send,
    decide,
)
from bot.workers.outbox_outcomes import Outcome, OutcomeWriter, delivered, failed
from bot.workers.outbox_rows import (
    KNOWN_PROVIDER_IDS,
    MARK_SENDING,
    Claim,
    due_query,
    outbox_table,
    snapshot,
)

__all__ = [
    "SERVICE_WINDOW",
    "SETTLE_AFTER_S",
    "ChannelLimits",
    "Claim",
    "OutboxWorker",
    "RateLimit",
]

log = logging.getLogger(__name__)

# A send that may have happened is looked up no sooner than this after it started: the
# provider's list may lag behind its answers.
SETTLE_AFTER_S = 15.0
_MAX_OUTCOMES_PER_COMMIT = 500


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
        self._writer = OutcomeWriter(
            sessions=sessions,
            clock=clock,
            policy=self.policy,
            lookups=[
                name for name, sender in self.senders.items() if isinstance(sender, SentLookup)
            ],
            settle_after=self.settle_after,
        )
        # Group commit: outcomes that finish while a batch is being written go together in the
        # next transaction, so each is recorded about as soon as it is known.
        self._outcomes: MicroBatcher[Outcome, None] = MicroBatcher(
            self._write, max_batch=_MAX_OUTCOMES_PER_COMMIT, max_in_flight=1
        )

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
        sends = [decided for decided in decisions if isinstance(decided, Send)]
        settled = [
            self._outcomes.submit(decided) for decided in decisions if not isinstance(decided, Send)
        ]
        await asyncio.gather(*settled, self._send_all(sends))
        return len(claims)

    def _prepare(self, claim: Claim, now: datetime) -> Send | Outcome:
        try:
            return self._decide(claim, now)
        except Exception:  # noqa: BLE001 - one bad row must not hold the batch back
            log.exception("outbox %s could not be prepared", claim.item_id)
            return failed(claim, SendFailed("unexpected error", transient=True))

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
    async def _settle(self, claim: Claim, decided: Send | Outcome) -> Send | Outcome:
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
        template = decided.template if isinstance(decided, Send) else None
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
            return failed(claim, failure)
        if found is not None:
            log.info(
                "outbox %s had been sent (%s): recorded, not sent again",
                claim.item_id,
                found.provider_message_id,
            )
            return delivered(claim, provider_id=found.provider_message_id, status=found.status)
        log.info("outbox %s had not been sent: sending it", claim.item_id)
        return decided

    def _known_provider_ids(self, conversation_id: int) -> frozenset[str]:
        with self.sessions() as session:
            ids = session.execute(KNOWN_PROVIDER_IDS, {"b_conversation": conversation_id})
            return frozenset(str(provider_id) for provider_id in ids.scalars())

    # ------------------------------------------------------------------ delivering
    def _decide(self, claim: Claim, now: datetime) -> Send | Outcome:
        return decide(claim, now, templates=self.templates, senders=self.senders)

    async def _send_all(self, sends: list[Send]) -> None:
        """Sends concurrently (at most ``concurrency`` at once); see ``_start_sends``."""
        started: list[asyncio.Task[None]] = []
        try:
            refused = await self._start_sends(sends, started)
        except BaseException:
            # Cancelled while waiting for a slot or a token (the worker is stopping): the sends
            # already under way stop with it, as they would with the process. Left running,
            # they would write their outcomes behind the next owner's back, and after the
            # event loop's last task (a worker thread nobody stops: the process never exits).
            for task in started:
                task.cancel()
            await asyncio.gather(*started, return_exceptions=True)
            raise
        unavailable = SendFailed("rate limiter unavailable", transient=True)
        await asyncio.gather(
            *started, *(self._finish(send.claim, failure=unavailable) for send in refused)
        )

    async def _start_sends(
        self, sends: list[Send], started: list[asyncio.Task[None]]
    ) -> list[Send]:
        """Starts the sends, adding their tasks to ``started``; returns those refused for want
        of a rate limiter. Each chunk of one channel (at most its burst) first holds its send
        slots, then takes its sender tokens in one call, so every send leaves as soon as its
        token was granted (on Telegram, once its chat's own bucket allows too)."""
        by_channel: dict[str, list[Send]] = {}
        for send in sends:
            by_channel.setdefault(send.claim.channel, []).append(send)
        refused: list[Send] = []
        for channel, group in by_channel.items():
            limit = self.limits.per_sender.get(channel)
            size = min(self._concurrency, limit.burst if limit is not None else len(group))
            for first in range(0, len(group), size):
                chunk = group[first : first + size]
                if refused:
                    refused += chunk
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
                    refused += chunk
                    continue
                marked = await self._mark_sending(chunk)
                for send in chunk:
                    if send.claim.item_id in marked:
                        started.append(asyncio.create_task(self._send_in_slot(send)))
                    else:
                        self._slots.release()
        return refused

    async def _mark_sending(self, chunk: list[Send]) -> set[int]:
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

    def _write_marks(self, chunk: list[Send]) -> set[int]:
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

    async def _send_in_slot(self, send: Send) -> None:
        try:
            await self._send(send)
        except Exception:  # noqa: BLE001 - unexpected adapter errors are retried, not lost
            log.exception("delivery of outbox %s failed unexpectedly", send.claim.item_id)
            await self._finish(send.claim, failure=SendFailed("unexpected error", transient=True))
        finally:
            self._slots.release()

    async def _send(self, send: Send) -> None:
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
    ) -> None:
        """Records the outcome (group commit: see ``_outcomes``)."""
        outcome = Outcome(
            claim=claim, provider_id=provider_id, provider_status=provider_status, failure=failure
        )
        await self._outcomes.submit(outcome)

    async def _write(self, outcomes: list[Outcome]) -> list[None]:
        await anyio.to_thread.run_sync(self._writer.write, outcomes)
        return [None] * len(outcomes)


def _outbound(claim: Claim) -> OutboundMessage:
    return OutboundMessage(
        text=claim.text, choices=claim.choices, kind=claim.kind, attachments=claim.attachments
    )
