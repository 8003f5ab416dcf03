"""Approval → signed ERP push through a local fake ERP: retried after its failure, the signature
verified on the raw body, the ERP's customer id stored; a refused push is visible and retried
through the API."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from backoffice.erp_payload import ErpRegistration
from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.domain.retrying import RetryPolicy
from bot.storage.models import AuditEvent, ErpPush, Onboarding, StageChange
from bot.workers.erp import SIGNATURE_HEADER, ErpPushWorker, verify_signature
from tests.backoffice.factories import Roster, make_onboarding
from tests.fakes import FakeRequest, FakeResponse, LoopbackServer

SECRET = "erp-shared-secret"


class FakeErp:
    """An ERP webhook: checks the signature, answers what the test queued (default: created)."""

    def __init__(self) -> None:
        self.received: list[FakeRequest] = []
        self.answers: deque[tuple[int, float]] = deque()  # (status, delay seconds)
        self._lock = threading.Lock()
        self._server = LoopbackServer(self._handle)

    def __enter__(self) -> FakeErp:
        self._server.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.stop()

    @property
    def url(self) -> str:
        return f"{self._server.url}/webhooks/acolhe"

    def _handle(self, request: FakeRequest) -> FakeResponse:
        with self._lock:
            self.received.append(request)
            status, delay = self.answers.popleft() if self.answers else (201, 0.0)
        if delay:
            time.sleep(delay)
        if not verify_signature(SECRET, request.body, header=request.header(SIGNATURE_HEADER)):
            return FakeResponse.json({"error": "bad signature"}, status=401)
        if status >= 300:
            return FakeResponse.json({"error": "unavailable"}, status=status)
        event = json.loads(request.body)["event_id"]
        return FakeResponse.json({"customer_id": f"ERP-{event[:8]}", "ok": True}, status=status)


@pytest.fixture
def erp() -> Iterator[FakeErp]:
    with FakeErp() as fake:
        yield fake


def _worker(runtime: Runtime, erp: FakeErp, *, secret: str = SECRET) -> ErpPushWorker:
    return ErpPushWorker(
        sessions=runtime.sessions,
        clock=runtime.clock,
        webhook_url=erp.url,
        secret=secret,
        policy=RetryPolicy(max_attempts=3, base_s=5, cap_s=3600.0),
        timeout_s=0.5,
    )


def _approve(api: httpx.Client, runtime: Runtime, roster: Roster, clock: FakeClock) -> int:
    with runtime.sessions() as session, session.begin():
        onboarding = make_onboarding(
            session,
            now=clock.now(),
            stage="aprovacao",
            csm_id=roster.csm_owner.id,
            company="Padaria Pão Quente Ltda",
        )
        onboarding_id = onboarding.id
    response = api.post(
        f"/onboardings/{onboarding_id}/approve",
        json={"reason": "tudo certo"},
        headers=roster.manager.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["onboarding"]["stage"] == "configuracao"
    return int(response.json()["erp_push_id"])


async def test_push_is_retried_after_an_erp_failure_and_signed(
    api: httpx.Client, runtime: Runtime, roster: Roster, clock: FakeClock, erp: FakeErp
) -> None:
    push_id = _approve(api, runtime, roster, clock)
    worker = _worker(runtime, erp)
    erp.answers.append((503, 0.0))
    erp.answers.append((201, 1.0))  # slower than the worker's timeout
    try:
        assert await worker.run_once() == 1
        with runtime.sessions() as session:
            push = session.get_one(ErpPush, push_id)
            assert push.status == "pending" and push.attempts == 1
            assert push.last_status_code == 503 and push.next_attempt_at > clock.now()
        assert await worker.run_once() == 0  # not due yet
        clock.advance(timedelta(seconds=10))
        assert await worker.run_once() == 1  # times out: retried later
        with runtime.sessions() as session:
            push = session.get_one(ErpPush, push_id)
            assert push.status == "pending" and "timeout" in (push.last_error or "")
        clock.advance(timedelta(seconds=30))
        assert await worker.run_once() == 1
    finally:
        await worker.aclose()

    assert len(erp.received) == 3
    bodies = {request.body for request in erp.received}
    assert len(bodies) == 1  # the same bytes every time
    registration = ErpRegistration.model_validate_json(erp.received[-1].body)
    assert registration.company.company_name == "Padaria Pão Quente Ltda"
    assert registration.company.cnpj == "11222333000181"
    assert registration.approval.approved_by_staff_id == roster.manager.id
    signature = erp.received[-1].header(SIGNATURE_HEADER)
    assert signature is not None and signature.startswith("sha256=")
    with runtime.sessions() as session:
        push = session.get_one(ErpPush, push_id)
        assert push.status == "delivered" and push.attempts == 3
        assert push.erp_customer_id == f"ERP-{registration.event_id[:8]}"
        assert push.response == {"customer_id": push.erp_customer_id, "ok": True}
        onboarding = session.get_one(Onboarding, push.onboarding_id)
        change = session.scalars(
            select(StageChange)
            .where(StageChange.onboarding_id == onboarding.id)
            .order_by(StageChange.id.desc())
        ).first()
        assert change is not None and change.actor == f"staff:{roster.manager.id}"
        assert change.reason == "tudo certo" and change.to_stage == "configuracao"
        system = session.scalars(
            select(AuditEvent).where(
                AuditEvent.actor == "system", AuditEvent.action == "erp_pushed"
            )
        ).one()
        assert system.new_value == push.erp_customer_id and system.client_id == push.client_id
        client_id = push.client_id
    record = api.get(f"/clients/{client_id}", headers=roster.manager.headers).json()
    assert record["erp_customer_id"] == push.erp_customer_id


async def test_refused_push_is_visible_and_retried_through_the_api(
    api: httpx.Client, runtime: Runtime, roster: Roster, clock: FakeClock, erp: FakeErp
) -> None:
    push_id = _approve(api, runtime, roster, clock)
    wrong = _worker(runtime, erp, secret="not-the-secret")  # the ERP answers 401: permanent
    try:
        assert await wrong.run_once() == 1
    finally:
        await wrong.aclose()
    failed = api.get("/erp-pushes", params={"status": "failed"}, headers=roster.manager.headers)
    (item,) = failed.json()["items"]
    assert item["id"] == push_id and item["last_status_code"] == 401
    assert "bad signature" in item["last_error"]
    assert (
        api.post(f"/erp-pushes/{push_id}/retry", headers=roster.csm_owner.headers).status_code
        == 403
    )
    retried = api.post(f"/erp-pushes/{push_id}/retry", headers=roster.manager.headers)
    assert retried.status_code == 200 and retried.json()["status"] == "pending"
    again = api.post(f"/erp-pushes/{push_id}/retry", headers=roster.manager.headers)
    assert again.status_code == 409
    worker = _worker(runtime, erp)
    try:
        assert await worker.run_once() == 1
    finally:
        await worker.aclose()
    delivered = api.get(f"/erp-pushes/{push_id}", headers=roster.manager.headers).json()
    assert delivered["status"] == "delivered" and delivered["erp_customer_id"].startswith("ERP-")


def test_approval_rules(
    api: httpx.Client, runtime: Runtime, roster: Roster, clock: FakeClock
) -> None:
    with runtime.sessions() as session, session.begin():
        early = make_onboarding(
            session, now=clock.now(), stage="validacao", csm_id=roster.csm_owner.id
        ).id
        incomplete = make_onboarding(
            session, now=clock.now(), stage="aprovacao", csm_id=roster.csm_owner.id, company=""
        ).id
        enterprise = make_onboarding(
            session, now=clock.now(), stage="aprovacao", segment="enterprise"
        ).id
    headers = roster.manager.headers
    assert api.post(f"/onboardings/{early}/approve", json={}, headers=headers).status_code == 409
    assert (
        api.post(f"/onboardings/{incomplete}/approve", json={}, headers=headers).status_code == 409
    )
    # Enterprise goes to the kickoff, which needs a dedicated CSM first.
    assert (
        api.post(f"/onboardings/{enterprise}/approve", json={}, headers=headers).status_code == 409
    )
    assert (
        api.put(
            f"/onboardings/{enterprise}/csm", json={"csm_id": roster.csm_owner.id}, headers=headers
        ).status_code
        == 200
    )
    approved = api.post(f"/onboardings/{enterprise}/approve", json={}, headers=headers)
    assert approved.status_code == 200 and approved.json()["onboarding"]["stage"] == "kickoff"
    # Leaving approval forward without the approval route is refused.
    with runtime.sessions() as session, session.begin():
        other = make_onboarding(
            session, now=clock.now(), stage="aprovacao", csm_id=roster.csm_owner.id
        ).id
    moved = api.post(
        f"/onboardings/{other}/transitions",
        json={"to_stage": "configuracao", "reason": "pulando"},
        headers=headers,
    )
    assert moved.status_code == 409 and "approval" in moved.json()["detail"]
    with runtime.sessions() as session:
        assert session.scalars(select(ErpPush)).all()[0].onboarding_id == enterprise
