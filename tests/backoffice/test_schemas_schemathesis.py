"""Schemathesis against ``/openapi.json`` of an app with the back-office router mounted, with
every check it has and every phase (examples, coverage, fuzzing, stateful), once with a valid
bearer token and once without: 0 failures.

The run is what ``st run`` does (its engine, in process), fixed by ``SEED`` and bounded by
``MAX_EXAMPLES`` per operation, on a database seeded with one object of each kind. Ids are
drawn from the seeded ones half of the time (the rest are mostly unknown: 404), so the checks
reach real objects, not only refusals.

One check is adjusted: ``positive_data_acceptance`` expects schema-valid data to be taken, but a
rule no JSON Schema states can refuse it (a window that ends before it starts, a CSM who is not
active, a move the pipeline does not allow): a 409, or a 422 *without* ``errors`` (the rules'
problem). A 422 *with* ``errors`` says the request's shape was refused, and still fails it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import schemathesis
from schemathesis.checks import CHECKS, CheckContext
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure
from schemathesis.engine import events, from_schema
from schemathesis.engine.statistic import Statistic
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import select

from bot.bootstrap import Runtime
from bot.documents.store import DocumentStore
from bot.domain.clock import FakeClock
from bot.storage.models import (
    ApiToken,
    Conversation,
    Document,
    ErasureRequest,
    ErpPush,
    Escalation,
    Onboarding,
    SlaPause,
    StaffUser,
)
from bot.storage.seed import hash_token
from tests.backoffice.factories import (
    Roster,
    conversation_of,
    make_availability,
    make_booking,
    make_exception,
    make_onboarding,
)

SEED = 20261124
MAX_EXAMPLES = 5
# Without a token every answer is a 401: a few fuzzed cases per operation show its shape; the
# authenticated run's ignored_auth check already sends each case again without the token.
ANONYMOUS_EXAMPLES = 2
UNREACHABLE_ID = 1_234_567


def _rows(
    onboarding: Onboarding, *, conversation: Conversation, now: datetime, sha: str
) -> tuple[Escalation, Document, ErasureRequest, ErpPush, SlaPause]:
    """An escalation, a document, an erasure request, a failed ERP push and an SLA pause of
    ``onboarding`` (the pause's ``started_by`` is the caller's to set)."""
    escalation = Escalation(
        conversation_id=conversation.id,
        onboarding_id=onboarding.id,
        reason="complaint",
        queue="self_service",
        created_at=now,
    )
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
    )
    return escalation, document, request, push, pause


def _seed(
    runtime: Runtime, roster: Roster, clock: FakeClock, documents: DocumentStore
) -> dict[str, int | str]:
    """One object of each kind the API addresses, and their ids by path parameter name."""
    now = clock.now()
    with runtime.sessions() as session, session.begin():
        onboarding = make_onboarding(
            session, now=now, stage="aprovacao", csm_id=roster.csm_owner.id
        )
        conversation = conversation_of(session, onboarding)
        escalation, document, request, push, pause = _rows(
            onboarding, conversation=conversation, now=now, sha=documents.put(b"%PDF-1.4 contrato")
        )
        pause.started_by = roster.admin.id
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


@contextmanager
def _rule_aware_acceptance(statuses: Counter[int | str]) -> Iterator[None]:
    """Registers the adjusted ``positive_data_acceptance``, which also counts the statuses (a
    422 about the request's shape as ``422 <where>``: ``422 body``, ``422 query``, ...)."""

    def positive_data_taken_or_refused_by_a_rule(
        ctx: CheckContext, response: Any, case: Any
    ) -> bool | None:
        statuses[response.status_code] += 1
        errors = _json(response).get("errors")
        if response.status_code == 422 and errors:
            statuses[f"422 {errors[0]['loc'][0]}"] += 1
        if response.status_code == 409:
            return None
        if response.status_code == 422 and not errors:
            return None
        return positive_data_acceptance(ctx, response, case)

    schemathesis.check(positive_data_taken_or_refused_by_a_rule)
    try:
        yield
    finally:
        CHECKS.unregister(positive_data_taken_or_refused_by_a_rule.__name__)


def _json(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _config(*, token: str | None, ids: dict[str, int | str]) -> SchemathesisConfig:
    phases: dict[str, Any] = {"stateful": {"max-steps": 6}}
    if token is None:
        phases = {name: {"enabled": False} for name in ("examples", "coverage", "stateful")}
    data: dict[str, Any] = {
        "seed": SEED,
        "workers": 1,
        "cache": {"enabled": False},
        "warnings": False,
        "generation": {"max-examples": MAX_EXAMPLES if token else ANONYMOUS_EXAMPLES},
        "phases": phases,
        "checks": {
            # Needs a second user's resources configured: the role matrix covers it
            # (tests/backoffice/test_access_matrix.py).
            "object_level_authorization": {"enabled": False},
            "positive_data_acceptance": {"enabled": False},
        },
        "dictionaries": {name: {"values": [value]} for name, value in ids.items()},
        "parameters": {f"path.{name}": {"dictionary": name, "probability": 0.5} for name in ids},
    }
    if token is not None:
        data["headers"] = {"Authorization": f"Bearer {token}"}
    return SchemathesisConfig.from_dict(data)


def _run(url: str, config: SchemathesisConfig) -> tuple[Statistic, list[str], float]:
    """Runs the engine; its statistic, the errors it met, and the time it took."""
    schema = schemathesis.openapi.from_url(url, config=config)
    statistic = Statistic()
    errors: list[str] = []
    started = time.monotonic()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            statistic.on_scenario_finished(event.recorder)
        elif isinstance(event, events.NonFatalError):
            errors.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            raise event.exception
        elif isinstance(event, events.EngineFinished):
            errors += [_describe(failure) for failure in event.failures]
            assert event.stop_reason == "completed", event.stop_reason
    return statistic, errors, time.monotonic() - started


def _describe(failure: Failure) -> str:
    return f"{failure.title}: {failure.message}"


def _failures(statistic: Statistic) -> list[str]:
    found = []
    for label, groups in statistic.failures.items():
        for group in groups.values():
            for failure in group.failures:
                found.append(f"{label}: {_describe(failure)}\n    {group.code_sample}")
    return found


def test_schemathesis_finds_nothing(
    base_url: str, runtime: Runtime, roster: Roster, clock: FakeClock, documents: DocumentStore
) -> None:
    ids = _seed(runtime, roster, clock, documents)
    token = _unreachable_admin(runtime, clock)
    url = f"{base_url}/openapi.json"
    statuses: Counter[int | str] = Counter()
    with _rule_aware_acceptance(statuses):
        authenticated, errors, elapsed = _run(url, _config(token=token, ids=ids))
        answered = Counter(statuses)
        anonymous, anonymous_errors, anonymous_elapsed = _run(url, _config(token=None, ids=ids))
    anonymous_answered = statuses - answered
    found = _failures(authenticated) + _failures(anonymous)
    assert not found and not errors and not anonymous_errors, "\n\n".join(
        found + errors + anonymous_errors
    )
    print(
        f"schemathesis seed {SEED}: {authenticated.total_cases} cases with a token in "
        f"{elapsed:.1f} s, {anonymous.total_cases} without in {anonymous_elapsed:.1f} s; "
        f"statuses {sorted(answered.items(), key=str)}"
    )
    # Every operation ran, and the cases reached real objects, not only refusals.
    assert len(authenticated.tested_operations) > 60, sorted(authenticated.tested_operations)
    assert anonymous.tested_operations == authenticated.tested_operations
    assert authenticated.total_cases > 2000
    assert answered[200] > 300 and answered[201] and answered[404] and answered[422], answered
    # Without a token: 401, or 422 for a body that cannot be read at all (read before the token).
    assert anonymous_answered[401] and set(anonymous_answered) <= {401, 422, "422 body"}
    assert anonymous_answered[422] == anonymous_answered["422 body"], anonymous_answered
