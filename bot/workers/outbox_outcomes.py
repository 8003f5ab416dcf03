"""What became of an outbox row's attempt, and how outcomes are written.

An ``Outcome`` is one of: delivered (the provider's id and first status), settled without a
send (``suppressed``, ``held``, ``dead`` with a note), or failed (a ``Failure``: retried with
the shared ``RetryPolicy``, kept in doubt when it may have reached a provider that can be
asked, or dead-lettered). ``OutcomeWriter.write`` records a batch of them in one transaction:
one ``UPDATE`` per kind of change, per table (the outbox worker hands it whatever finished
while the previous batch was being written, through ``MicroBatcher``).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.clock import Clock
from bot.domain.retrying import RetryPolicy
from bot.service.deliveries import STATUS_ORDER
from bot.storage.console_events import EventRow, record_console_events
from bot.workers.outbox_rows import ITEM_UPDATES, MESSAGE_UPDATES, Claim

__all__ = ["Failure", "Outcome", "OutcomeWriter", "delivered", "failed", "settled"]

log = logging.getLogger(__name__)

_Params = dict[str, list[dict[str, object]]]


class Failure(Protocol):
    """What the writer reads of a failed send (the channels' ``SendFailed`` has it)."""

    transient: bool
    retry_after: float | None
    code: str | None
    maybe_sent: bool


@dataclass(frozen=True)
class Outcome:
    claim: Claim
    provider_id: str | None = None
    provider_status: str = "sent"
    failure: Failure | None = None
    final_status: str | None = None
    note: str | None = None


def failed(claim: Claim, failure: Failure) -> Outcome:
    return Outcome(claim=claim, failure=failure)


def delivered(claim: Claim, *, provider_id: str, status: str) -> Outcome:
    return Outcome(claim=claim, provider_id=provider_id, provider_status=status)


def settled(claim: Claim, status: str, *, note: str) -> Outcome:
    """The outcome of a claim that is not sent (suppressed, held, dead)."""
    return Outcome(claim=claim, final_status=status, note=note)


@dataclass
class _Writes:
    items: _Params = field(default_factory=dict)
    messages: _Params = field(default_factory=dict)
    events: list[EventRow] = field(default_factory=list)  # the console's: a row that won't go

    def item(self, kind: str, **params: object) -> None:
        self.items.setdefault(kind, []).append(params)

    def message(self, kind: str, **params: object) -> None:
        self.messages.setdefault(kind, []).append(params)


class OutcomeWriter:
    """Writes outcomes; ``lookups`` are the channels whose sends in doubt can be looked up."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        clock: Clock,
        policy: RetryPolicy,
        lookups: Collection[str],
        settle_after: timedelta,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.policy = policy
        self.lookups = frozenset(lookups)
        self.settle_after = settle_after

    def write(self, outcomes: list[Outcome]) -> None:
        """One transaction for the batch."""
        now = self.clock.now()
        writes = _Writes()
        for outcome in outcomes:
            if outcome.final_status is not None:
                self._final(outcome, writes)
            elif outcome.failure is not None:
                self._failure(outcome.claim, outcome.failure, now=now, writes=writes)
            else:
                self._sent(outcome, now, writes=writes)
        with self.sessions() as session, session.begin():
            connection = session.connection()
            for kind, params in writes.items.items():
                connection.execute(ITEM_UPDATES[kind], params)
            for kind, params in writes.messages.items():
                connection.execute(MESSAGE_UPDATES[kind], params)
            record_console_events(session, writes.events, at=now)

    @staticmethod
    def _sent(outcome: Outcome, now: datetime, *, writes: _Writes) -> None:
        status = outcome.provider_status
        writes.item("sent", b_id=outcome.claim.item_id, b_now=now)
        writes.message(
            "sent",
            b_id=outcome.claim.message_id,
            b_status=status if status in STATUS_ORDER else "sent",
            b_provider_id=outcome.provider_id,
        )

    @staticmethod
    def _final(outcome: Outcome, writes: _Writes) -> None:
        claim, status = outcome.claim, outcome.final_status
        assert status is not None
        writes.item("final", b_id=claim.item_id, b_status=status, b_error=outcome.note)
        writes.message("status", b_id=claim.message_id, b_status=status)
        writes.events.append(_status_event(claim, status))
        log.info("outbox %s %s: %s", claim.item_id, status, outcome.note)

    def _failure(self, claim: Claim, failure: Failure, *, now: datetime, writes: _Writes) -> None:
        attempts = claim.attempts + 1
        error = f"{failure.code or ''} {failure}".strip()[:500]
        if failure.maybe_sent and claim.channel in self.lookups:
            self._in_doubt(claim, failure, error=error, now=now, writes=writes)
        elif failure.transient and not self.policy.exhausted(attempts):
            delay = self.policy.delay(attempts, failure.retry_after)
            writes.item(
                "retry", b_id=claim.item_id, b_error=error, b_next=now + timedelta(seconds=delay)
            )
            log.warning("outbox %s retry %s in %.1fs: %s", claim.item_id, attempts, delay, failure)
        else:
            writes.item("dead", b_id=claim.item_id, b_error=error)
            writes.message("failed", b_id=claim.message_id, b_code=failure.code)
            writes.events.append(_status_event(claim, "failed"))
            log.error("outbox %s dead after %s attempts: %s", claim.item_id, attempts, failure)

    def _in_doubt(
        self, claim: Claim, failure: Failure, *, error: str, now: datetime, writes: _Writes
    ) -> None:
        """An attempt that may have reached the provider keeps its mark: the next round asks
        the provider first (no sooner than ``settle_after``). Once the attempts are spent it
        is held for a person, who can check the provider's log."""
        attempts = claim.attempts + 1
        if not self.policy.exhausted(attempts):
            delay = max(
                self.policy.delay(attempts, failure.retry_after),
                self.settle_after.total_seconds(),
            )
            writes.item(
                "in_doubt", b_id=claim.item_id, b_error=error, b_next=now + timedelta(seconds=delay)
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
        writes.item("final", b_id=claim.item_id, b_status="held", b_error=note[:500])
        log.error("outbox %s held after %s attempts: %s", claim.item_id, attempts, note)


def _status_event(claim: Claim, status: str) -> EventRow:
    return EventRow(
        kind="message_status",
        conversation_id=claim.conversation_id,
        data={"message_ids": [claim.message_id], "status": status},
    )
