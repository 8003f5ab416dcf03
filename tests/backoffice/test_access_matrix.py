"""Every back-office route × every role: who gets through, who gets a 403 problem, and the 401
without a token, the 404 for unknown ids and the 422 for bad bodies (cases in route_cases.py)."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI

from bot.bootstrap import Runtime
from bot.documents.store import DocumentStore
from bot.domain.clock import FakeClock
from bot.storage.models import ApiToken
from tests.backoffice.factories import ROLES, Roster, make_onboarding
from tests.backoffice.route_cases import CASES, PROBLEM, call


def test_every_route_is_in_the_matrix(app: FastAPI) -> None:
    mounted = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/v1/")
        for method in operations
    }
    assert mounted == {case.key for case in CASES}


def test_role_by_route(
    api: httpx.Client,
    runtime: Runtime,
    roster: Roster,
    clock: FakeClock,
    documents: DocumentStore,
) -> None:
    wrong: list[str] = []
    for case in CASES:
        for role in ROLES:
            caller = roster.by_role(role)
            response = call(
                api,
                case,
                runtime=runtime,
                roster=roster,
                clock=clock,
                documents=documents,
                caller=caller,
            )
            expected = case.ok if role in case.allowed else 403
            if response.status_code != expected:
                wrong.append(
                    f"{case.method} {case.path} as {role}: {response.status_code} "
                    f"(expected {expected}) {response.text[:160]}"
                )
            elif expected == 403 and response.headers["content-type"] != PROBLEM:
                wrong.append(f"{case.method} {case.path} as {role}: 403 without a problem body")
    assert not wrong, "\n".join(wrong)


def test_without_or_with_a_bad_token_every_route_is_401(
    api: httpx.Client,
    runtime: Runtime,
    roster: Roster,
    clock: FakeClock,
    documents: DocumentStore,
) -> None:
    wrong: list[str] = []
    for case in CASES:
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
    api: httpx.Client,
    runtime: Runtime,
    roster: Roster,
    clock: FakeClock,
    documents: DocumentStore,
) -> None:
    wrong: list[str] = []
    for case in CASES:
        if "{" not in case.path:
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
    api: httpx.Client,
    runtime: Runtime,
    roster: Roster,
    clock: FakeClock,
    documents: DocumentStore,
) -> None:
    wrong: list[str] = []
    for case in CASES:
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


def test_lists_show_only_what_is_in_scope(
    api: httpx.Client, runtime: Runtime, roster: Roster, clock: FakeClock
) -> None:
    with runtime.sessions() as session, session.begin():
        mine = make_onboarding(session, now=clock.now(), csm_id=roster.csm_owner.id).id
        queued = make_onboarding(session, now=clock.now()).id
        theirs = make_onboarding(
            session, now=clock.now() - timedelta(hours=1), csm_id=roster.csm_other.id
        ).id

    def visible(role: str) -> set[int]:
        response = api.get("/onboardings", headers=roster.by_role(role).headers)
        assert response.status_code == 200
        return {item["id"] for item in response.json()["items"]}

    assert visible("csm_owner") == {mine, queued}
    assert visible("csm_other") == {queued, theirs}
    assert visible("manager") == {mine, queued, theirs}
    assert visible("manager_other") == {queued}
    assert visible("admin") == {mine, queued, theirs}
    response = api.get(f"/onboardings/{theirs}", headers=roster.csm_owner.headers)
    assert response.status_code == 403 and response.headers["content-type"] == PROBLEM


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
