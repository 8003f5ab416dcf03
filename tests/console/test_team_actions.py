"""The manager's actions on the team view: reassigning an escalation or an onboarding through
the existing use cases, and recording a training session's attendance — and what each refusal
gets (CSM 403, another team's CSM 403, unknown id 404, at the cap or too early 409, a bad form
422)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import select

from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.storage.models import Escalation, Onboarding, StaffUser, TrainingBooking
from tests.backoffice.factories import Roster
from tests.console.team_scene import build_team, post_form


@pytest.fixture
def team(runtime: Runtime, passwords: Roster, clock: FakeClock) -> dict[str, int]:
    return build_team(runtime, passwords, clock)


def test_reassigning_an_onboarding_moves_its_escalations(
    sign_in: Callable[[str], httpx.Client],
    runtime: Runtime,
    passwords: Roster,
    team: dict[str, int],
) -> None:
    client = sign_in("manager")
    answer = post_form(
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
    plain = post_form(client, f"/console/team/onboardings/{team['mine']}/csm", {"csm_id": ""})
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
    done = post_form(
        client,
        f"/console/team/escalations/{team['waiting']}/assign",
        {"staff_id": str(passwords.csm_owner.id)},
        htmx=True,
    )
    assert done.status_code == 200 and "reatribuído" in done.text
    with runtime.sessions() as session:
        assert session.get_one(Escalation, team["waiting"]).assigned_to == passwords.csm_owner.id
    # An escalation that follows its onboarding's CSM: 409, shown in the region.
    follows = post_form(
        client,
        f"/console/team/escalations/{team['held']}/assign",
        {"staff_id": str(passwords.csm_other.id)},
        htmx=True,
    )
    assert follows.status_code == 409 and 'role="alert"' in follows.text
    # Another team's CSM: 403 (the use case's rule); another team's escalation: 403.
    beta = post_form(
        client,
        f"/console/team/escalations/{team['waiting']}/assign",
        {"staff_id": str(team["beta_csm"])},
    )
    assert beta.status_code == 403
    assert (
        post_form(
            client,
            f"/console/team/onboardings/{team['queued']}/csm",
            {"csm_id": str(team["beta_csm"])},
        ).status_code
        == 403
    )
    assert (
        post_form(
            client, f"/console/team/escalations/{team['other']}/assign", {"staff_id": ""}
        ).status_code
        == 403
    )
    # Unknown ids: 404; a bad form: 422; not a CSM: 422.
    assert (
        post_form(client, "/console/team/escalations/999999/assign", {"staff_id": ""}).status_code
        == 404
    )
    assert (
        post_form(
            client, f"/console/team/onboardings/{team['queued']}/csm", {"csm_id": "abc"}
        ).status_code
        == 422
    )
    assert (
        post_form(
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
    full = post_form(
        client,
        f"/console/team/escalations/{team['waiting']}/assign",
        {"staff_id": str(passwords.csm_other.id)},
        htmx=True,
    )
    assert full.status_code == 409
    plain = post_form(
        client,
        f"/console/team/escalations/{team['waiting']}/assign",
        {"staff_id": str(passwords.csm_other.id)},
    )
    assert plain.status_code == 409 and "Isto mudou enquanto isso" in plain.text


def test_attendance_is_recorded_once_the_session_started(
    sign_in: Callable[[str], httpx.Client], runtime: Runtime, team: dict[str, int]
) -> None:
    client = sign_in("manager")
    done = post_form(
        client,
        f"/console/team/bookings/{team['past']}/attendance",
        {"status": "no_show"},
        htmx=True,
    )
    assert done.status_code == 200 and "Presença registrada." in done.text
    with runtime.sessions() as session:
        assert session.get_one(TrainingBooking, team["past"]).status == "no_show"
    early = post_form(
        client,
        f"/console/team/bookings/{team['future']}/attendance",
        {"status": "attended"},
        htmx=True,
    )
    assert early.status_code == 409
    assert (
        post_form(
            client, f"/console/team/bookings/{team['past']}/attendance", {"status": "maybe"}
        ).status_code
        == 422
    )
    assert (
        post_form(
            client, "/console/team/bookings/999999/attendance", {"status": "attended"}
        ).status_code
        == 404
    )
    other = sign_in("manager_other")
    assert (
        post_form(
            other, f"/console/team/bookings/{team['past']}/attendance", {"status": "attended"}
        ).status_code
        == 403
    )
    with runtime.sessions() as session:
        assert (
            session.scalar(select(TrainingBooking.status).where(TrainingBooking.id == team["past"]))
            == "no_show"
        )
