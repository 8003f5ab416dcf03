"""The alert worker: sweeps conditions into the alert ledger and delivers alerts to managers.

One round:

1. When the sweep is due (every ``sweep_interval_s`` of the injected clock), in ONE
   transaction: read the conditions, raise the new ones, mark resolved the ones that ended,
   raise the daily digest when due, and fan new and resolved alerts out to the destinations.
   Every write is insert-if-absent or conditional, so several workers sweeping at once raise
   and fan out each alert once.
2. Claim due deliveries as leases (``bot.storage.claims.claim_due``: ``SKIP LOCKED`` on
   PostgreSQL, a conditional ``UPDATE`` on SQLite), send them outside the transaction, and
   record each: sent, retried with exponential backoff and jitter (never before the
   provider's ``Retry-After``), or ``failed`` after ``max_attempts`` or a permanent refusal.
   A resolution notice waits until the raise to the same destination is settled.

Due times live in the database, so a worker started after a pause catches up at once, and once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio.to_thread
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from bot.alerts import (
    SWEPT_KINDS,
    AlertDeliveryError,
    AlertDestination,
    AlertMessage,
    AlertRules,
    current_conditions,
    dispatch,
    open_alerts,
    raise_condition,
    raise_digest,
    resolve_missing,
)
from bot.domain.clock import Clock
from bot.domain.retrying import RetryPolicy
from bot.storage.claims import claim_due
from bot.storage.models import Alert, AlertDelivery
from bot.workers.loop import run_rounds

log = logging.getLogger(__name__)


ALERT_RETRY = RetryPolicy(max_attempts=8, base_s=30.0, cap_s=3600.0)
"""The alert deliveries' default: eight attempts, from 30 s apart up to an hour."""


@dataclass(frozen=True)
class SweepResult:
    raised: int
    resolved: int
    deliveries: int


@dataclass(frozen=True)
class _Claim:
    delivery_id: int
    destination: str
    message: AlertMessage


class AlertWorker:
    """Raises, resolves and delivers manager alerts; ``run`` loops until ``stop`` is set."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        clock: Clock,
        rules: AlertRules,
        destinations: Sequence[AlertDestination],
        policy: RetryPolicy = ALERT_RETRY,
        sweep_interval_s: float = 60.0,
        lease_s: float = 120.0,
        batch: int = 20,
    ) -> None:
        names = [d.name for d in destinations]
        if len(set(names)) != len(names):
            raise ValueError(f"alert destinations must have distinct names: {names}")
        self.sessions = sessions
        self.clock = clock
        self.rules = rules
        self.destinations = {d.name: d for d in destinations}
        self.policy = policy
        self.sweep_interval = timedelta(seconds=sweep_interval_s)
        self.lease = timedelta(seconds=lease_s)
        self.batch = batch
        self._next_sweep: datetime | None = None

    async def aclose(self) -> None:
        for destination in self.destinations.values():
            await destination.aclose()

    async def run(
        self, stop: asyncio.Event, *, wake: asyncio.Event | None = None, idle_s: float = 5.0
    ) -> None:
        try:
            await run_rounds(self.one_round, stop, wake=wake, idle_s=idle_s, name="alert worker")
        finally:
            await self.aclose()

    async def one_round(self) -> int:
        """A sweep when due, then one batch of deliveries; returns how many were sent or tried."""
        now = self.clock.now()
        if self._next_sweep is None or now >= self._next_sweep:
            await self.sweep()
            self._next_sweep = now + self.sweep_interval
        return await self.deliver()

    # ------------------------------------------------------------------ sweeping
    async def sweep(self) -> SweepResult:
        return await anyio.to_thread.run_sync(self._sweep)

    def _sweep(self) -> SweepResult:
        now = self.clock.now()
        raised = resolved = 0
        with self.sessions() as session, session.begin():
            conditions = current_conditions(session, rules=self.rules, now=now)
            for kind in SWEPT_KINDS:
                active = conditions.get(kind, [])
                # Raised before and still open: nothing to write (a stalled backlog would
                # otherwise cost an insert-once statement per condition on every sweep).
                known = open_alerts(session, kind=kind, now=now)
                raised += sum(
                    raise_condition(session, c, now=now)
                    for c in active
                    if (c.subject_key, c.period_key) not in known
                )
                keys = [(c.subject_key, c.period_key) for c in active]
                resolved += len(
                    resolve_missing(session, kind=kind, active_keys=keys, now=now, open_now=known)
                )
            raised += raise_digest(session, rules=self.rules, now=now)
            deliveries = dispatch(session, destinations=list(self.destinations), now=now)
        if raised or resolved:
            log.info("alerts: %s raised, %s resolved, %s deliveries", raised, resolved, deliveries)
        return SweepResult(raised=raised, resolved=resolved, deliveries=deliveries)

    # ------------------------------------------------------------------ delivering
    async def deliver(self) -> int:
        """Claims due deliveries and sends them; returns how many were handled."""
        claims = await anyio.to_thread.run_sync(self._claim)
        for claim in claims:
            error = await self._send(claim)
            await anyio.to_thread.run_sync(self._record, claim, error)
        return len(claims)

    def _claim(self) -> list[_Claim]:
        now = self.clock.now()
        raise_ = aliased(AlertDelivery)
        raise_unsettled = exists(
            select(raise_.id).where(
                raise_.alert_id == AlertDelivery.alert_id,
                raise_.destination == AlertDelivery.destination,
                raise_.purpose == "raise",
                raise_.status == "pending",
            )
        )
        with self.sessions() as session, session.begin():
            rows = claim_due(
                session,
                AlertDelivery,
                where=[
                    AlertDelivery.status == "pending",
                    AlertDelivery.next_attempt_at <= now,
                    or_(AlertDelivery.purpose == "raise", ~raise_unsettled),
                ],
                now=now,
                lease=self.lease,
                limit=self.batch,
            )
            claims = []
            for row in rows:
                alert = session.get_one(Alert, row.alert_id)
                message = AlertMessage(
                    alert_id=alert.id,
                    kind=alert.kind,
                    severity=alert.severity,
                    title=alert.title,
                    body=alert.body,
                    purpose=row.purpose,
                    raised_at=alert.raised_at,
                )
                claims.append(_Claim(row.id, row.destination, message))
            return claims

    async def _send(self, claim: _Claim) -> AlertDeliveryError | None:
        destination = self.destinations.get(claim.destination)
        if destination is None:
            return AlertDeliveryError("destination no longer configured", transient=False)
        try:
            await destination.send(claim.message)
        except AlertDeliveryError as exc:
            return exc
        except Exception as exc:  # noqa: BLE001 - a bug in an adapter must not lose the row
            log.exception("alert destination %s crashed", claim.destination)
            return AlertDeliveryError(f"unexpected: {exc!r}"[:300], transient=True)
        return None

    def _record(self, claim: _Claim, error: AlertDeliveryError | None) -> None:
        now = self.clock.now()
        with self.sessions() as session, session.begin():
            row = session.get_one(AlertDelivery, claim.delivery_id)
            row.claimed_until = None
            row.attempts += 1
            if error is None:
                row.status, row.sent_at, row.last_error = "sent", now, None
                return
            row.last_error = str(error)[:500]
            if error.transient and not self.policy.exhausted(row.attempts):
                delay = self.policy.delay(row.attempts, error.retry_after)
                row.next_attempt_at = now + timedelta(seconds=delay)
                log.warning(
                    "alert %s to %s: retry %s in %.0fs: %s",
                    claim.message.alert_id,
                    claim.destination,
                    row.attempts,
                    delay,
                    error,
                )
                return
            row.status = "failed"
            log.error(
                "alert %s to %s failed after %s attempts: %s",
                claim.message.alert_id,
                claim.destination,
                row.attempts,
                error,
            )


__all__ = ["ALERT_RETRY", "AlertWorker", "SweepResult"]
