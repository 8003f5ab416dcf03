"""The manager's team view: open alerts in scope, loads against the caps, reassignment of an
escalation or an onboarding through the existing use cases, training sessions with attendance —
and what each refusal gets (CSM 403, another team's CSM 403, unknown id 404, at the cap 409,
a bad form 422)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.storage.models import Alert, Escalation, Onboarding, StaffUser, TrainingBooking
from tests.backoffice.factories import (
    Roster,
    conversation_of,
    make_availability,
    make_booking,
    make_onboarding,
    make_staff,
)
from tests.console.conftest import csrf_of

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


@pytest.fixture
def team(runtime: Runtime, passwords: Roster, clock: FakeClock) -> dict[str, int]:
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


def _post(
    client: httpx.Client, path: str, data: dict[str, str], *, htmx: bool = False
) -> httpx.Response:
    page = client.get("/console/team")
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(path, data={**data, "csrf_token": csrf_of(page.text)}, headers=headers)


def test_the_manager_sees_the_team_and_nothing_of_the_other(
    sign_in: Callable[[str], httpx.Client], team: dict[str, int]
) -> None:
    page = sign_in("manager").get("/console/team")
    assert page.status_code == 200
    html = page.text
    assert "SLA estourado: Padaria Alfa" in html and "Resolvido antes" not in html
    assert "Beta Ltda" not in html and "Resumo do dia" not in html  # other team; admins' digest
    assert "&lt;b&gt;documentos&lt;/b&gt;" in html  # an alert's text is text
    assert 'id="alerts-count">1<' in html
    assert "1 de 10 escalonamentos" in html
    assert "Oficina Sem Dono" in html  # the unassigned escalation, in the queue
    assert 'sse-connect="/console/events"' in html and "sse:escalation_assigned" in html
    assert "sse:alert_raised" in html and "sse:assigned" in html and "sse:escalation_opened" in html
    # Training: the availability and both sessions; attendance only for the one that started.
    assert "Terça-feira" in html
    assert f"/console/team/bookings/{team['past']}/attendance" in html
    assert f"/console/team/bookings/{team['future']}/attendance" not in html


def test_admins_see_every_team_and_the_digests(
    sign_in: Callable[[str], httpx.Client], team: dict[str, int]
) -> None:
    html = sign_in("admin").get("/console/team").text
    assert "Beta Ltda" in html and "Resumo do dia" in html and "Beta Csm" in html


def test_csms_are_refused(sign_in: Callable[[str], httpx.Client], team: dict[str, int]) -> None:
    client = sign_in("csm_owner")
    assert client.get("/console/team").status_code == 403
    assert client.get("/console/team/live").status_code == 403
    page = client.get("/console/")  # any page, for a CSRF token
    refused = client.post(
        f"/console/team/onboardings/{team['mine']}/csm",
        data={
            "csm_id": "",
            "csrf_token": csrf_of(client.get("/console/login").text)
            if False
            else _token_of(client),
        },
    )
    assert refused.status_code == 403
    assert page.status_code in (200, 303)


def _token_of(client: httpx.Client) -> str:
    html = client.get("/console/reports").text  # a 403 page still has the layout's forms
    return csrf_of(html)


def test_reassigning_an_onboarding_moves_its_escalations(
    sign_in: Callable[[str], httpx.Client],
    runtime: Runtime,
    passwords: Roster,
    team: dict[str, int],
) -> None:
    client = sign_in("manager")
    answer = _post(
        client,
        f"/console/team/onboardings/{team['mine']}/csm",
        {"csm_id": str(passwords.csm_other.id)},
        htmx=True,
    )
    assert answer.status_code == 200, answer.text
    assert (
        "data-announce" in answer.text and f"Onboarding #{team['mine']} reatribuído" in answer.text
    )
    assert "<html" not in answer.text  # the region only
    # Both CSMs' work lists are unfolded: where it was and where it went.
    for member in (passwords.csm_owner, passwords.csm_other):
        assert f'data-csm="{member.id}" open' in answer.text
    live = client.get(
        "/console/team/live",
        params={"open": f"{passwords.csm_other.id},x"},
        headers={"HX-Request": "true"},
    )
    assert f'data-csm="{passwords.csm_other.id}" open' in live.text
    assert f'data-csm="{passwords.csm_owner.id}" open' not in live.text
    with runtime.sessions() as session:
        assert session.get_one(Onboarding, team["mine"]).csm_id == passwords.csm_other.id
        assert session.get_one(Escalation, team["held"]).assigned_to == passwords.csm_other.id
    # Without JavaScript: back to the page.
    plain = _post(client, f"/console/team/onboardings/{team['mine']}/csm", {"csm_id": ""})
    assert plain.status_code == 303 and plain.headers["location"] == "/console/team"
    with runtime.sessions() as session:
        assert session.get_one(Onboarding, team["mine"]).csm_id is None


# long: one reassignment and each of its refusals on the same queue
def test_reassigning_a_queued_escalation_and_the_refusals(
    sign_in: Callable[[str], httpx.Client],
    runtime: Runtime,
    passwords: Roster,
    team: dict[str, int],
) -> None:
    client = sign_in("manager")
    done = _post(
        client,
        f"/console/team/escalations/{team['waiting']}/assign",
        {"staff_id": str(passwords.csm_owner.id)},
        htmx=True,
    )
    assert done.status_code == 200 and "reatribuído" in done.text
    with runtime.sessions() as session:
        assert session.get_one(Escalation, team["waiting"]).assigned_to == passwords.csm_owner.id
    # An escalation that follows its onboarding's CSM: 409, shown in the region.
    follows = _post(
        client,
        f"/console/team/escalations/{team['held']}/assign",
        {"staff_id": str(passwords.csm_other.id)},
        htmx=True,
    )
    assert follows.status_code == 409 and 'role="alert"' in follows.text
    # Another team's CSM: 403 (the use case's rule); another team's escalation: 403.
    beta = _post(
        client,
        f"/console/team/escalations/{team['waiting']}/assign",
        {"staff_id": str(team["beta_csm"])},
    )
    assert beta.status_code == 403
    assert (
        _post(
            client,
            f"/console/team/onboardings/{team['queued']}/csm",
            {"csm_id": str(team["beta_csm"])},
        ).status_code
        == 403
    )
    assert (
        _post(
            client, f"/console/team/escalations/{team['other']}/assign", {"staff_id": ""}
        ).status_code
        == 403
    )
    # Unknown ids: 404; a bad form: 422; not a CSM: 422.
    assert (
        _post(client, "/console/team/escalations/999999/assign", {"staff_id": ""}).status_code
        == 404
    )
    assert (
        _post(
            client, f"/console/team/onboardings/{team['queued']}/csm", {"csm_id": "abc"}
        ).status_code
        == 422
    )
    assert (
        _post(
            client,
            f"/console/team/onboardings/{team['queued']}/csm",
            {"csm_id": str(passwords.manager.id)},
        ).status_code
        == 422
    )
    with runtime.sessions() as session:
        assert session.get_one(Onboarding, team["queued"]).csm_id is None


def test_a_csm_at_their_cap_takes_no_more(
    sign_in: Callable[[str], httpx.Client],
    runtime: Runtime,
    passwords: Roster,
    team: dict[str, int],
) -> None:
    with runtime.sessions() as session, session.begin():
        session.get_one(StaffUser, passwords.csm_other.id).max_open_escalations = 0
    client = sign_in("manager")
    html = client.get("/console/team").text
    assert "0 de 0 escalonamentos" in html and "no limite" in html
    full = _post(
        client,
        f"/console/team/escalations/{team['waiting']}/assign",
        {"staff_id": str(passwords.csm_other.id)},
        htmx=True,
    )
    assert full.status_code == 409
    plain = _post(
        client,
        f"/console/team/escalations/{team['waiting']}/assign",
        {"staff_id": str(passwords.csm_other.id)},
    )
    assert plain.status_code == 409 and "Isto mudou enquanto isso" in plain.text


def test_attendance_is_recorded_once_the_session_started(
    sign_in: Callable[[str], httpx.Client], runtime: Runtime, team: dict[str, int]
) -> None:
    client = sign_in("manager")
    done = _post(
        client,
        f"/console/team/bookings/{team['past']}/attendance",
        {"status": "no_show"},
        htmx=True,
    )
    assert done.status_code == 200 and "Presença registrada." in done.text
    with runtime.sessions() as session:
        assert session.get_one(TrainingBooking, team["past"]).status == "no_show"
    early = _post(
        client,
        f"/console/team/bookings/{team['future']}/attendance",
        {"status": "attended"},
        htmx=True,
    )
    assert early.status_code == 409
    assert (
        _post(
            client, f"/console/team/bookings/{team['past']}/attendance", {"status": "maybe"}
        ).status_code
        == 422
    )
    assert (
        _post(
            client, "/console/team/bookings/999999/attendance", {"status": "attended"}
        ).status_code
        == 404
    )
    other = sign_in("manager_other")
    assert (
        _post(
            other, f"/console/team/bookings/{team['past']}/attendance", {"status": "attended"}
        ).status_code
        == 403
    )
    with runtime.sessions() as session:
        assert (
            session.scalar(select(TrainingBooking.status).where(TrainingBooking.id == team["past"]))
            == "no_show"
        )


def test_the_live_region_alone(
    sign_in: Callable[[str], httpx.Client], team: dict[str, int]
) -> None:
    part = sign_in("manager").get("/console/team/live", headers={"HX-Request": "true"})
    assert part.status_code == 200
    assert (
        "Alertas abertos" in part.text
        and "<html" not in part.text
        and "Treinamento" not in part.text
    )
