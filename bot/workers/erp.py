"""The ERP push worker: delivers approved registrations (``erp_pushes`` rows) to the ERP webhook.

- Each push is a JSON body stored at approval; the worker POSTs exactly those bytes with
  ``X-Acolhe-Signature: sha256=<hex HMAC-SHA256(secret, body)>`` and ``X-Acolhe-Event-Id``.
- Claims are leases (``claimed_until``): ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, a conditional
  ``UPDATE`` on SQLite, so several workers never send the same push at once and a worker that
  dies mid-send releases it when the lease ends.
- A 2xx answer is stored (``response``, and ``erp_customer_id`` from ``customer_id``) with an
  audit row by ``system``. Timeouts, connection errors, 408, 429 and 5xx are retried with
  exponential backoff and jitter (never before ``Retry-After``); other answers, or too many
  attempts, leave the push ``failed``: visible to staff, who may retry it through the API.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import anyio.to_thread
import httpx
from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.domain.clock import Clock
from bot.domain.retrying import RetryPolicy, retry_after_seconds
from bot.storage.models import AuditEvent, ErpPush
from bot.workers.loop import run_rounds

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Acolhe-Signature"
EVENT_HEADER = "X-Acolhe-Event-Id"
_TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_MAX_ANSWER_BYTES = 16_384


def sign_body(secret: str, body: bytes) -> str:
    """The signature header value: ``sha256=`` + hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, *, header: str | None) -> bool:
    """What the ERP side does: constant-time comparison on the raw bytes."""
    return header is not None and hmac.compare_digest(sign_body(secret, body), header)


ERP_RETRY = RetryPolicy(max_attempts=10, base_s=5.0, cap_s=3600.0)
"""The ERP push's default: ten attempts over about a day."""


@dataclass(frozen=True)
class _Outcome:
    delivered: bool
    transient: bool = False
    status_code: int | None = None
    error: str | None = None
    answer: dict[str, Any] | None = None
    retry_after: float | None = None


class ErpPushWorker:
    """Sends due pushes; ``run`` loops until ``stop`` is set (``wake`` cuts the idle wait)."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        clock: Clock,
        webhook_url: str,
        secret: str,
        client: httpx.AsyncClient | None = None,
        policy: RetryPolicy = ERP_RETRY,
        timeout_s: float = 10.0,
        lease_s: float = 120.0,
        batch: int = 20,
    ) -> None:
        if not secret:
            raise ValueError("the ERP push needs an HMAC secret")
        self.sessions = sessions
        self.clock = clock
        self.webhook_url = webhook_url
        self._secret = secret
        self._client = client
        self._own_client = client is None
        self.policy = policy
        self.timeout = httpx.Timeout(timeout_s)
        self.lease = timedelta(seconds=lease_s)
        self.batch = batch
        self._postgres = sessions.kw["bind"].dialect.name == "postgresql"

    async def aclose(self) -> None:
        if self._client is not None and self._own_client:
            await self._client.aclose()
            self._client = None

    async def run(
        self, stop: asyncio.Event, *, wake: asyncio.Event | None = None, idle_s: float = 1.0
    ) -> None:
        try:
            await run_rounds(self.run_once, stop, wake=wake, idle_s=idle_s, name="ERP push")
        finally:
            await self.aclose()

    async def run_once(self) -> int:
        """Claims the due pushes and sends them; returns how many were handled."""
        claims = await anyio.to_thread.run_sync(self._claim)
        for push_id, event_id, body in claims:
            outcome = await self._send(event_id, body)
            await anyio.to_thread.run_sync(self._record, push_id, outcome)
        return len(claims)

    def _claim(self) -> list[tuple[int, str, str]]:
        now = self.clock.now()
        query = (
            select(ErpPush)
            .where(
                ErpPush.status == "pending",
                ErpPush.next_attempt_at <= now,
                or_(ErpPush.claimed_until.is_(None), ErpPush.claimed_until < now),
            )
            .order_by(ErpPush.next_attempt_at, ErpPush.id)
            .limit(self.batch)
        )
        if self._postgres:
            query = query.with_for_update(skip_locked=True)
        claims: list[tuple[int, str, str]] = []
        with self.sessions() as session, session.begin():
            for push in session.scalars(query).all():
                if not self._postgres:
                    won = session.execute(
                        update(ErpPush)
                        .where(
                            ErpPush.id == push.id,
                            or_(ErpPush.claimed_until.is_(None), ErpPush.claimed_until < now),
                        )
                        .values(claimed_until=now + self.lease)
                        .execution_options(synchronize_session=False)
                    )
                    assert isinstance(won, CursorResult)
                    if won.rowcount != 1:
                        continue
                else:
                    push.claimed_until = now + self.lease
                claims.append((push.id, push.event_id, push.body))
        return claims

    async def _send(self, event_id: str, body: str) -> _Outcome:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout)
        raw = body.encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign_body(self._secret, raw),
            EVENT_HEADER: event_id,
            "User-Agent": "acolhe-erp-push/1",
        }
        try:
            response = await self._client.post(
                self.webhook_url, content=raw, headers=headers, timeout=self.timeout
            )
        except httpx.TimeoutException as exc:
            return _Outcome(delivered=False, transient=True, error=f"timeout: {exc!r}"[:500])
        except httpx.TransportError as exc:
            return _Outcome(delivered=False, transient=True, error=f"transport: {exc!r}"[:500])
        code = response.status_code
        if 200 <= code < 300:
            return _Outcome(delivered=True, status_code=code, answer=_json_object(response))
        return _Outcome(
            delivered=False,
            transient=code in _TRANSIENT_STATUSES,
            status_code=code,
            error=f"HTTP {code}: {response.text[:400]}",
            retry_after=retry_after_seconds(response.headers.get("Retry-After"), self.clock.now()),
        )

    def _record(self, push_id: int, outcome: _Outcome) -> None:
        now = self.clock.now()
        with self.sessions() as session, session.begin():
            push = session.get_one(ErpPush, push_id)
            push.claimed_until = None
            push.attempts += 1
            push.last_status_code = outcome.status_code
            if outcome.delivered:
                answer = outcome.answer or {}
                customer = answer.get("customer_id")
                push.status, push.delivered_at, push.last_error = "delivered", now, None
                push.response = answer
                push.erp_customer_id = str(customer)[:120] if customer not in (None, "") else None
                session.add(
                    AuditEvent(
                        client_id=push.client_id,
                        actor="system",
                        action="erp_pushed",
                        field="erp_customer_id",
                        new_value=push.erp_customer_id,
                        at=now,
                    )
                )
                log.info("ERP push %s delivered (customer %s)", push.id, push.erp_customer_id)
                return
            push.last_error = outcome.error
            if outcome.transient and not self.policy.exhausted(push.attempts):
                delay = self.policy.delay(push.attempts, outcome.retry_after)
                push.next_attempt_at = now + timedelta(seconds=delay)
                log.warning(
                    "ERP push %s retry %s in %.1fs: %s",
                    push.id,
                    push.attempts,
                    delay,
                    outcome.error,
                )
                return
            push.status = "failed"
            session.add(
                AuditEvent(
                    client_id=push.client_id,
                    actor="system",
                    action="erp_push_failed",
                    field="erp_push",
                    new_value=(outcome.error or "")[:200],
                    at=now,
                )
            )
            log.error(
                "ERP push %s failed after %s attempts: %s", push.id, push.attempts, outcome.error
            )


def _json_object(response: httpx.Response) -> dict[str, Any]:
    """The ERP's answer as a JSON object to store (bounded: an oversized answer is cut)."""
    if len(response.content) > _MAX_ANSWER_BYTES:
        return {"raw": response.text[:1000], "truncated": True}
    try:
        parsed = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {"raw": response.text[:1000]}
    return parsed if isinstance(parsed, dict) else {"value": parsed}


__all__ = [
    "ERP_RETRY",
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "ErpPushWorker",
    "sign_body",
    "verify_signature",
]
