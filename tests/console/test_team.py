"""The manager's team view: open alerts in scope and loads against the caps; who sees which
team (the manager their own, admins every team and the digests, CSMs nothing) and the live
region alone. The actions on it: ``test_team_actions``."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from tests.backoffice.factories import Roster
from tests.console.conftest import csrf_of
from tests.console.team_scene import build_team


@pytest.fixture
def team(runtime: Runtime, passwords: Roster, clock: FakeClock) -> dict[str, int]:
    return build_team(runtime, passwords, clock)


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
