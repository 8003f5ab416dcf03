"""The team the console's team tests act on (``build_team``): a manager's team with an
onboarding of ``csm_owner``, one in the queue and one of another team's CSM; a held, a waiting
and another team's escalation; open alerts on both sides and a digest; a past and a future
training booking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.orm import Session

from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.storage.models import Alert, Escalation, Onboarding
from tests.backoffice.factories import (
    Roster,
    conversation_of,
    make_availability,
    make_booking,
    make_onboarding,
    make_staff,
)
from tests.console.conftest import csrf_of

__all__ = ["T0", "build_team", "post_form"]

T0 = datetime(2026, 11, 10, 13, 0, tzinfo=UTC)  # a Tuesday, 10:00 in São Paulo


def _escalations(
    session: Session,
    passwords: Roster,
    *,
    mine: Onboarding,
    queued: Onboarding,
    theirs: Onboarding,
    beta_id: int,
) -> tuple[Escalation, Escalation, Escalation]:
    """csm_owner's escalation, one nobody holds, and one of team beta's CSM."""
    held = Escalation(
        conversation_id=conversation_of(session, mine).id,
        onboarding_id=mine.id,
        reason="complaint",
        queue="self_service",
        assigned_to=passwords.csm_owner.id,
        created_at=T0,
    )
    waiting = Escalation(
        conversation_id=conversation_of(session, queued).id,
        onboarding_id=queued.id,
        reason="request_human",
        queue="self_service",
        created_at=T0,
    )
    other = Escalation(
        conversation_id=conversation_of(session, theirs).id,
        onboarding_id=theirs.id,
        reason="request_human",
        queue="self_service",
        assigned_to=beta_id,
        created_at=T0,
    )
    return held, waiting, other


def _alerts(*, mine_id: int, theirs_id: int) -> list[Alert]:
    """A critical and a warning SLA alert, one resolved before, and a digest (no onboarding)."""
    return [
        Alert(
            kind="sla_breach",
            subject_key=f"onboarding:{mine_id}",
            period_key="p1",
            onboarding_id=mine_id,
            severity="critical",
            title="SLA estourado: Padaria Alfa",
            body="<b>documentos</b>",
            raised_at=T0,
        ),
        Alert(
            kind="sla_breach",
            subject_key=f"onboarding:{theirs_id}",
            period_key="p1",
            onboarding_id=theirs_id,
            severity="warning",
            title="SLA em risco: Beta Ltda",
            raised_at=T0,
        ),
        Alert(
            kind="sla_breach",
            subject_key="old",
            period_key="p0",
            onboarding_id=mine_id,
            severity="info",
            title="Resolvido antes",
            raised_at=T0,
            resolved_at=T0,
        ),
        Alert(
            kind="digest",
            subject_key="daily",
            period_key="d1",
            severity="info",
            title="Resumo do dia",
            raised_at=T0,
        ),
    ]


def build_team(runtime: Runtime, passwords: Roster, clock: FakeClock) -> dict[str, int]:
    """The scene's rows by name (see the module docstring); the clock set to ``T0``."""
    clock.set(T0)
    with runtime.sessions() as session, session.begin():
        beta_csm, _token = make_staff(session, role="csm", team="beta", now=T0, name="Beta Csm")
        mine = make_onboarding(
            session, now=T0, csm_id=passwords.csm_owner.id, company="Padaria Alfa"
        )
        queued = make_onboarding(session, now=T0, company="Oficina Sem Dono")
        theirs = make_onboarding(session, now=T0, csm_id=beta_csm.id, company="Beta Ltda")
        held, waiting, other = _escalations(
            session, passwords, mine=mine, queued=queued, theirs=theirs, beta_id=beta_csm.id
        )
        session.add_all([held, waiting, other])
        session.add_all(_alerts(mine_id=mine.id, theirs_id=theirs.id))
        make_availability(session, csm_id=passwords.csm_owner.id, now=T0, weekday=1)
        past = make_booking(
            session,
            onboarding_id=mine.id,
            csm_id=passwords.csm_owner.id,
            starts_at=T0 - timedelta(days=1),
            now=T0,
        )
        future = make_booking(
            session,
            onboarding_id=queued.id,
            csm_id=passwords.csm_owner.id,
            starts_at=T0 + timedelta(days=2),
            now=T0,
        )
        session.flush()
        return {
            "mine": mine.id,
            "queued": queued.id,
            "theirs": theirs.id,
            "held": held.id,
            "waiting": waiting.id,
            "other": other.id,
            "beta_csm": beta_csm.id,
            "past": past.id,
            "future": future.id,
        }


def post_form(
    client: httpx.Client, path: str, data: dict[str, str], *, htmx: bool = False
) -> httpx.Response:
    """Posts ``data`` from the team page, with its CSRF token (as an htmx request with
    ``htmx``)."""
    page = client.get("/console/team")
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(path, data={**data, "csrf_token": csrf_of(page.text)}, headers=headers)
