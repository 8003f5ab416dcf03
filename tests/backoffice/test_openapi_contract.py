"""Schemathesis against ``/openapi.json`` of an app with the back-office router mounted: no 5xx,
every status code, content type and body as documented. Bounded: a few generated cases per
operation, once with generated ids (mostly unknown: 404) and once with ids that exist."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from bot.bootstrap import Runtime
from bot.documents.store import DocumentStore
from bot.domain.clock import FakeClock
from bot.storage.models import ApiToken, Document, ErasureRequest, Escalation, StaffUser
from bot.storage.models_backoffice import ErpPush, SlaPause
from bot.storage.seed import hash_token
from tests.backoffice.factories import (
    Roster,
    conversation_of,
    make_availability,
    make_booking,
    make_exception,
    make_onboarding,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 4
UNREACHABLE_ID = 1_234_567


def _seed(
    runtime: Runtime, roster: Roster, clock: FakeClock, documents: DocumentStore
) -> dict[str, Any]:
    now = clock.now()
    with runtime.sessions() as session, session.begin():
        onboarding = make_onboarding(
            session, now=now, stage="aprovacao", csm_id=roster.csm_owner.id
        )
        conversation = conversation_of(session, onboarding)
        escalation = Escalation(
            conversation_id=conversation.id,
            onboarding_id=onboarding.id,
            reason="complaint",
            queue="self_service",
            created_at=now,
        )
        sha = documents.put(b"%PDF-1.4 contrato")
        document = Document(
            client_id=onboarding.client_id,
            conversation_id=conversation.id,
            kind="other",
            source_channel="terminal",
            mime="application/pdf",
            size=17,
            sha256=sha,
            received_at=now,
        )
        request = ErasureRequest(
            conversation_id=conversation.id, client_id=onboarding.client_id, requested_at=now
        )
        push = ErpPush(
            event_id="evt-contract",
            onboarding_id=onboarding.id,
            client_id=onboarding.client_id,
            body="{}",
            status="failed",
            next_attempt_at=now,
            created_at=now,
        )
        pause = SlaPause(
            onboarding_id=onboarding.id,
            stage="aprovacao",
            reason="x",
            started_at=now,
            started_by=roster.admin.id,
        )
        session.add_all([escalation, document, request, push, pause])
        session.flush()
        availability = make_availability(session, csm_id=roster.csm_owner.id, now=now)
        exception = make_exception(session, csm_id=roster.csm_owner.id, now=now)
        booking = make_booking(
            session,
            onboarding_id=onboarding.id,
            csm_id=roster.csm_owner.id,
            starts_at=now - timedelta(hours=2),
            now=now,
        )
        token = session.scalars(
            select(ApiToken).where(ApiToken.staff_id == roster.csm_owner.id)
        ).first()
        assert token is not None
        return {
            "onboarding_id": onboarding.id,
            "client_id": onboarding.client_id,
            "conversation_id": conversation.id,
            "escalation_id": escalation.id,
            "document_id": document.id,
            "request_id": request.id,
            "push_id": push.id,
            "pause_id": pause.id,
            "staff_id": roster.csm_owner.id,
            "token_id": token.id,
            "area": "finance",
            "availability_id": availability.id,
            "exception_id": exception.id,
            "booking_id": booking.id,
        }


def _unreachable_admin(runtime: Runtime, clock: FakeClock) -> str:
    """An admin whose staff and token ids generated cases will not hit (no self-lockout)."""
    with runtime.sessions() as session, session.begin():
        staff = StaffUser(
            id=UNREACHABLE_ID,
            name="Contract Admin",
            email="contract@acolhe.com.br",
            role="admin",
            team="alpha",
            created_at=clock.now(),
        )
        session.add(staff)
        session.flush()
        token = "acolhe_contract-test-token"
        session.add(
            ApiToken(
                id=UNREACHABLE_ID,
                staff_id=staff.id,
                token_hash=hash_token(token),
                label="contract",
                created_at=clock.now(),
            )
        )
        return token


def test_schema_and_responses_agree(
    base_url: str, runtime: Runtime, roster: Roster, clock: FakeClock, documents: DocumentStore
) -> None:
    ids = _seed(runtime, roster, clock, documents)
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    headers = {"Authorization": f"Bearer {_unreachable_admin(runtime, clock)}"}
    http = requests.Session()
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results), "the schema has operations schemathesis cannot read"
    assert len(operations) > 40
    failures: list[str] = []
    statuses: list[int] = []
    for operation in operations:
        own = {p.name: ids[p.name] for p in operation.path_parameters if p.name in ids}
        for fixed in ({}, own) if own else ({},):
            strategy = operation.as_strategy(path_parameters=fixed or None)

            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def exercise(case: Any) -> None:
                response = case.call_and_validate(
                    base_url=base_url, session=http, headers=headers, checks=CHECKS
                )
                statuses.append(response.status_code)

            try:
                exercise()
            except Exception as exc:  # noqa: BLE001 - collect every operation's failure
                failures.append(f"{operation.label} {fixed}: {str(exc)[:800]}")
    assert not failures, "\n\n".join(failures)
    # The run reached real objects, not only unknown ids.
    assert len(statuses) >= 2 * len(operations)
    assert {200, 404} <= set(statuses) and 401 not in statuses, sorted(set(statuses))
