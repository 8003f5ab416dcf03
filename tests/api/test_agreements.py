"""The agreements' API over HTTP against a real server: record, list, mark done or cancel; what
each bad body, another CSM's onboarding, an unknown id and closing twice get (problem+json)."""

from __future__ import annotations

import httpx
import pytest

from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from tests.backoffice.factories import Roster, make_onboarding

PROBLEM = "application/problem+json"
GOOD = {"what": "Enviar o contrato social", "owed_by": "client", "due_on": "2026-11-26"}


@pytest.fixture
def onboarding_id(runtime: Runtime, roster: Roster, clock: FakeClock) -> int:
    with runtime.sessions.begin() as session:
        return make_onboarding(session, now=clock.now(), csm_id=roster.csm_owner.id).id


def test_record_list_and_close(api: httpx.Client, roster: Roster, onboarding_id: int) -> None:
    owner = roster.csm_owner.headers
    made = api.post(
        f"/onboardings/{onboarding_id}/agreements",
        json={**GOOD, "stage": "documentos"},
        headers=owner,
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert {k: body[k] for k in ("what", "owed_by", "due_on", "stage", "status")} == {
        "what": "Enviar o contrato social",
        "owed_by": "client",
        "due_on": "2026-11-26",
        "stage": "documentos",
        "status": "open",
    }
    assert body["created_by"] == f"staff:{roster.csm_owner.id}" and body["closed_at"] is None
    second = api.post(
        f"/onboardings/{onboarding_id}/agreements",
        json={"what": "Liberar o acesso", "owed_by": "company", "due_on": "2026-11-25"},
        headers=owner,
    )
    assert second.status_code == 201

    listed = api.get(f"/onboardings/{onboarding_id}/agreements", headers=owner)
    assert listed.status_code == 200
    assert [a["what"] for a in listed.json()] == ["Liberar o acesso", "Enviar o contrato social"]

    done = api.patch(f"/agreements/{body['id']}", json={"status": "done"}, headers=owner)
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert done.json()["closed_by"] == f"staff:{roster.csm_owner.id}"
    again = api.patch(f"/agreements/{body['id']}", json={"status": "cancelled"}, headers=owner)
    assert again.status_code == 409 and again.headers["content-type"] == PROBLEM
    assert "already done" in again.json()["detail"]


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"due_on": "2026-11-28"}, "The due date is not a business day."),
        ({"due_on": "2026-11-23"}, "The due date is in the past."),
        ({"what": "   "}, "Say what was agreed."),
    ],
)
def test_rules_are_422_problems_without_field_errors(
    api: httpx.Client, roster: Roster, onboarding_id: int, change: dict[str, str], detail: str
) -> None:
    answer = api.post(
        f"/onboardings/{onboarding_id}/agreements",
        json={**GOOD, **change},
        headers=roster.csm_owner.headers,
    )
    assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM
    assert answer.json()["detail"] == detail and answer.json().get("errors") is None
    listed = api.get(f"/onboardings/{onboarding_id}/agreements", headers=roster.admin.headers)
    assert listed.json() == []  # nothing kept


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({**GOOD, "what": "x" * 501}, "what"),
        ({**GOOD, "what": "a\u0000b"}, "what"),
        ({**GOOD, "owed_by": "both"}, "owed_by"),
        ({**GOOD, "due_on": "26/11/2026"}, "due_on"),
        ({**GOOD, "due_on": "2026-02-30"}, "due_on"),
        ({**GOOD, "stage": "lunar"}, "stage"),
        ({**GOOD, "what": 5}, "what"),
        ({"owed_by": "client", "due_on": "2026-11-26"}, "what"),
        ({**GOOD, "extra": 1, "due_on": None}, "due_on"),
    ],
)
def test_malformed_bodies_name_the_field(
    api: httpx.Client, roster: Roster, onboarding_id: int, body: dict[str, object], where: str
) -> None:
    answer = api.post(
        f"/onboardings/{onboarding_id}/agreements", json=body, headers=roster.csm_owner.headers
    )
    assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM
    assert [e["loc"] for e in answer.json()["errors"]][0] == ["body", where]


def test_bad_patches_and_other_callers(
    api: httpx.Client, roster: Roster, onboarding_id: int
) -> None:
    made = api.post(
        f"/onboardings/{onboarding_id}/agreements", json=GOOD, headers=roster.csm_owner.headers
    ).json()
    path = f"/agreements/{made['id']}"
    for body in ({"status": "open"}, {"status": "DONE"}, {}, {"status": True}):
        answer = api.patch(path, json=body, headers=roster.csm_owner.headers)
        assert answer.status_code == 422, body
    for outsider in (roster.csm_other, roster.manager_other):
        assert api.patch(path, json={"status": "done"}, headers=outsider.headers).status_code == 403
        assert (
            api.get(f"/onboardings/{onboarding_id}/agreements", headers=outsider.headers)
        ).status_code == 403
        assert (
            api.post(
                f"/onboardings/{onboarding_id}/agreements", json=GOOD, headers=outsider.headers
            )
        ).status_code == 403
    missing = api.patch("/agreements/999999", json={"status": "done"}, headers=roster.admin.headers)
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
    unknown = api.get("/onboardings/999999/agreements", headers=roster.admin.headers)
    assert unknown.status_code == 404
    assert api.patch(path, json={"status": "done"}).status_code == 401
    still = api.get(f"/onboardings/{onboarding_id}/agreements", headers=roster.admin.headers)
    assert still.json()[0]["status"] == "open"  # nobody's refusal changed it
