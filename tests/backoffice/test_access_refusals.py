"""The refusals on every back-office route, derived from the app as the access matrix's
(test_access_matrix.py): 401 without a valid token (a revoked one, an inactive member's), 404
problems for unknown ids, 422 problems for bad bodies and parameters."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from bot.bootstrap import Runtime
from bot.documents.store import DocumentStore
from bot.domain.clock import FakeClock
from bot.storage.models import ApiToken
from tests.backoffice.factories import Roster
from tests.backoffice.route_access import (
    declared_cases,
)
from tests.backoffice.route_cases import PROBLEM, call


def test_without_or_with_a_bad_token_every_route_is_401(
    app: FastAPI,
    api: httpx.Client,
    runtime: Runtime,
    roster: Roster,
    clock: FakeClock,
    documents: DocumentStore,
) -> None:
    wrong: list[str] = []
    for case in declared_cases(app):
        for headers in (
            {},
            {"Authorization": "Bearer acolhe_not-a-token"},
            {"Authorization": "Basic YWRtaW46YWRtaW4="},
        ):
            response = call(
                api,
                case,
                runtime=runtime,
                roster=roster,
                clock=clock,
                documents=documents,
                caller=roster.admin,
                headers=headers,
            )
            if response.status_code != 401 or response.headers["content-type"] != PROBLEM:
                wrong.append(f"{case.method} {case.path} {headers}: {response.status_code}")
            elif response.headers.get("www-authenticate") != "Bearer":
                wrong.append(f"{case.method} {case.path}: 401 without WWW-Authenticate")
    assert not wrong, "\n".join(wrong)


def test_unknown_ids_are_404_problems(
    app: FastAPI,
    api: httpx.Client,
    runtime: Runtime,
    roster: Roster,
    clock: FakeClock,
    documents: DocumentStore,
) -> None:
    wrong: list[str] = []
    for case in declared_cases(app):
        if not case.path_ids:
            continue
        response = call(
            api,
            case,
            runtime=runtime,
            roster=roster,
            clock=clock,
            documents=documents,
            caller=roster.admin,
            override=2_000_000,
        )
        if response.status_code != 404 or response.headers["content-type"] != PROBLEM:
            wrong.append(f"{case.method} {case.path}: {response.status_code} {response.text[:120]}")
        else:
            problem = response.json()
            assert problem["status"] == 404 and problem["title"] and problem["type"]
    assert not wrong, "\n".join(wrong)


def test_invalid_bodies_and_parameters_are_422_problems(
    app: FastAPI,
    api: httpx.Client,
    runtime: Runtime,
    roster: Roster,
    clock: FakeClock,
    documents: DocumentStore,
) -> None:
    wrong: list[str] = []
    for case in declared_cases(app):
        if case.body is None:
            continue
        response = call(
            api,
            case,
            runtime=runtime,
            roster=roster,
            clock=clock,
            documents=documents,
            caller=roster.admin,
            body=["not", "an", "object"],
        )
        if response.status_code != 422 or response.headers["content-type"] != PROBLEM:
            wrong.append(f"{case.method} {case.path}: {response.status_code}")
        elif not response.json().get("errors"):
            wrong.append(f"{case.method} {case.path}: 422 without the field errors")
    assert not wrong, "\n".join(wrong)
    for path in (
        "/onboardings/0",
        "/onboardings/abc",
        "/onboardings?limit=0",
        "/clients/1/audit?since=yesterday",
    ):
        response = api.get(path, headers=roster.admin.headers)
        assert response.status_code == 422 and response.headers["content-type"] == PROBLEM, path


def test_a_revoked_token_and_an_inactive_member_are_refused(
    api: httpx.Client, runtime: Runtime, roster: Roster
) -> None:
    response = api.post(
        f"/staff/{roster.csm_owner.id}/tokens",
        json={"label": "phone"},
        headers=roster.csm_owner.headers,
    )
    assert response.status_code == 201
    issued = response.json()
    assert issued["token"].startswith("acolhe_")
    headers = {"Authorization": f"Bearer {issued['token']}"}
    assert api.get("/me", headers=headers).json()["id"] == roster.csm_owner.id
    with runtime.sessions() as session:
        stored = session.get_one(ApiToken, issued["id"])
        assert issued["token"] not in stored.token_hash and len(stored.token_hash) == 64
    revoked = api.delete(
        f"/staff/{roster.csm_owner.id}/tokens/{issued['id']}", headers=roster.admin.headers
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert api.get("/me", headers=headers).status_code == 401
    assert api.get("/me", headers=roster.csm_owner.headers).status_code == 200
    deactivated = api.patch(
        f"/staff/{roster.csm_owner.id}", json={"active": False}, headers=roster.admin.headers
    )
    assert deactivated.status_code == 200
    assert api.get("/me", headers=roster.csm_owner.headers).status_code == 401
