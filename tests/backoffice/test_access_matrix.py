"""Every back-office route × every caller × two clients, derived from the app: the routes come
from its OpenAPI document (route_access.py), each answer is checked against the route's
declaration in route_table.py (a route without one fails), and lists and reports show each
caller only what is in their scope. The 401, 404 and 422 on every route are
test_access_refusals.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from bot.bootstrap import Runtime
from bot.documents.store import DocumentStore
from bot.domain.clock import FakeClock
from bot.storage.models import ApiToken, StaffUser
from bot.storage.seed import hash_token, issue_token
from tests.backoffice.factories import Member, Roster, make_onboarding, make_staff
from tests.backoffice.route_access import (
    Caller,
    declaration_problems,
    declared_cases,
    expected,
    expected_crossed,
    operations,
)
from tests.backoffice.route_cases import PREFIX, PROBLEM, Access, Case, call, prepare
from tests.backoffice.route_rows import Target, World
from tests.backoffice.route_table import CASES


@dataclass(frozen=True)
class Cast:
    callers: list[Caller]
    one: Target
    two: Target

    @property
    def targets(self) -> list[Target]:
        return [self.one, self.two]


@pytest.fixture
def cast(runtime: Runtime, roster: Roster, clock: FakeClock) -> Cast:
    """The drill's callers: admin, the two teams' managers, the owning CSM, another CSM, a CSM
    of the pool (who held the escalations while the clients were queued), no token, and a
    revoked token of the owning CSM; client one is ``csm_owner``'s (team alpha), client two a
    CSM of team beta's."""
    now = clock.now()
    with runtime.sessions() as session, session.begin():
        pool_staff, pool_token = make_staff(session, role="csm", segment="self_service", now=now)
        beta_staff, beta_token = make_staff(
            session, role="csm", team="beta", segment="self_service", now=now
        )
        pool, beta = Member(pool_staff.id, pool_token), Member(beta_staff.id, beta_token)
        owner = session.get_one(StaffUser, roster.csm_owner.id)
        revoked = issue_token(session, owner, label="revoked", now=now)
        session.flush()
        session.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == hash_token(revoked))
            .values(revoked_at=now)
        )

    def member(name: str, role: str, team: str, who: Member) -> Caller:
        return Caller(name=name, role=role, team=team, member=who, headers=who.headers)

    callers = [
        member("admin", "admin", "alpha", roster.admin),
        member("manager (alpha)", "manager", "alpha", roster.manager),
        member("manager (beta)", "manager", "beta", roster.manager_other),
        member("owning CSM", "csm", "alpha", roster.csm_owner),
        member("another CSM", "csm", "alpha", roster.csm_other),
        member("CSM of the pool", "csm", "alpha", pool),
        Caller(name="no token", role=None, team=None, member=roster.csm_owner, headers={}),
        Caller(
            name="revoked token",
            role=None,
            team=None,
            member=roster.csm_owner,
            headers={"Authorization": f"Bearer {revoked}"},
        ),
    ]
    return Cast(
        callers=callers,
        one=Target(name="client one", owner=roster.csm_owner, team="alpha", pool=pool),
        two=Target(name="client two", owner=beta, team="beta", pool=pool),
    )


def _judge(response: httpx.Response, want: int) -> str | None:
    """What is wrong with ``response`` when ``want`` was expected, or None."""
    if response.status_code != want:
        return f"{response.status_code} (expected {want}) {response.text[:160]}"
    if want >= 400 and response.headers.get("content-type") != PROBLEM:
        return f"{want} without a problem body"
    if want == 401 and response.headers.get("www-authenticate") != "Bearer":
        return "401 without WWW-Authenticate: Bearer"
    return None


# ---------------------------------------------------------------------------- declarations
def test_every_route_of_the_app_has_a_declared_expectation(app: FastAPI) -> None:
    assert not declaration_problems(operations(app), CASES)
    assert {case.key for case in declared_cases(app)} == {case.key for case in CASES}


def test_a_new_route_without_a_declaration_fails_naming_it(app: FastAPI) -> None:
    def secrets(client_id: int) -> dict[str, str]:
        return {}

    def everything() -> dict[str, Any]:
        return {}

    app.add_api_route(f"{PREFIX}/clients/{{client_id}}/secrets", secrets, methods=["GET"])
    app.add_api_route(f"{PREFIX}/everything", everything, methods=["GET"])
    app.openapi_schema = None
    with pytest.raises(AssertionError) as failure:
        declared_cases(app)
    assert f"GET {PREFIX}/clients/{{client_id}}/secrets: a route without a declared" in str(
        failure.value
    )
    assert f"GET {PREFIX}/everything: a route without a declared" in str(failure.value)
    # Declared without a scope: refused too.
    unscoped = [
        *CASES,
        Case("GET", "/clients/{client_id}/secrets", frozenset({"csm"}), Access.NONE, why="x"),
        Case("GET", "/everything", frozenset({"csm"}), Access.NONE),
    ]
    problems = "\n".join(declaration_problems(operations(app), unscoped))
    assert "/clients/{client_id}/secrets: takes ids (client_id) but declares NONE" in problems
    assert "/everything: NONE must say why" in problems


# ---------------------------------------------------------------------------- the matrix
def test_every_caller_on_every_route_with_the_ids_of_two_clients(
    app: FastAPI,
    api: httpx.Client,
    runtime: Runtime,
    roster: Roster,
    clock: FakeClock,
    documents: DocumentStore,
    cast: Cast,
) -> None:
    """Routes on rows (OBJECT): each caller with client one's ids and client two's, and, where
    a path has a parent and a child id, client one's parent with client two's child. Routes on
    nobody's rows (NONE): each caller once. Lists and reports: the next test."""
    wrong: list[str] = []
    checked = 0
    for case in declared_cases(app):
        if case.access in (Access.LIST, Access.AGGREGATE):
            continue
        targets = cast.targets if case.access is Access.OBJECT else [cast.one]
        for caller in cast.callers:
            runs: list[tuple[Target, Target | None, int]] = [
                (target, None, expected(case, caller, target)) for target in targets
            ]
            if len(case.path_ids) > 1:
                runs.append((cast.one, cast.two, expected_crossed(case, caller, cast.one)))
            for target, child_of, want in runs:
                response = call(
                    api,
                    case,
                    runtime=runtime,
                    roster=roster,
                    clock=clock,
                    documents=documents,
                    caller=caller.member,
                    headers=caller.headers,
                    target=target,
                    child_of=child_of,
                )
                checked += 1
                problem = _judge(response, want)
                if problem:
                    whose = target.name + (f" with {child_of.name}'s child" if child_of else "")
                    wrong.append(
                        f"{case.method} {case.path} as {caller.name} on {whose}: {problem}"
                    )
    assert not wrong, "\n".join(wrong)
    assert checked >= 700  # 8 callers × 2 clients × every route on rows, and more


# long: one seeded world read through every list and report route in turn
def test_lists_and_reports_show_each_caller_only_what_is_in_scope(
    app: FastAPI,
    api: httpx.Client,
    runtime: Runtime,
    roster: Roster,
    clock: FakeClock,
    documents: DocumentStore,
    cast: Cast,
) -> None:
    """One world with both clients' rows; every list as every caller, client one's row and client
    two's listed exactly for those who see that client; every report's figure the admin's share
    of the clients the caller sees."""
    cases = [c for c in declared_cases(app) if c.access in (Access.LIST, Access.AGGREGATE)]
    rows: dict[tuple[str, str], dict[str, int]] = {}  # (path, target) -> ids
    for case in cases:
        for target in cast.targets:
            with runtime.sessions() as session, session.begin():
                world = World(
                    session=session,
                    roster=roster,
                    clock=clock,
                    documents=documents,
                    caller=roster.admin,
                    target=target,
                )
                params, _ = prepare(case, world)
            rows[case.path, target.name] = {k: v for k, v in params.items() if isinstance(v, int)}
    admin = cast.callers[0]
    assert admin.role == "admin"
    wrong: list[str] = []
    for case in cases:
        full = None
        if case.figure is not None:
            answer = api.get(case.path, headers=admin.headers)
            assert answer.status_code == 200, (case.path, answer.text)
            full = case.figure(answer.json())
            assert full > 0, f"{case.path}: the world gives the report nothing to count"
        for caller in cast.callers:
            response = api.get(
                case.path, params={"limit": "200"} if case.listed else None, headers=caller.headers
            )
            want = expected(case, caller, cast.one)
            problem = _judge(response, want)
            if problem or want != case.ok:
                if problem:
                    wrong.append(f"GET {case.path} as {caller.name}: {problem}")
                continue
            seen = [t for t in cast.targets if caller.sees(t)]
            if case.listed:
                ids = {item["id"] for item in response.json()["items"]}
                for target in cast.targets:
                    row = rows[case.path, target.name][case.listed]
                    if (row in ids) != (target in seen):
                        verb = "lists" if row in ids else "does not list"
                        wrong.append(
                            f"GET {case.path} as {caller.name}: {verb} {target.name}'s"
                            f" {case.listed} {row}"
                        )
            elif case.figure is not None and full is not None:
                figure = case.figure(response.json())
                if figure * len(cast.targets) != full * len(seen):
                    wrong.append(
                        f"GET {case.path} as {caller.name}: counts {figure} of the admin's"
                        f" {full}, sees {len(seen)} of {len(cast.targets)} clients"
                    )
    assert not wrong, "\n".join(wrong)


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
