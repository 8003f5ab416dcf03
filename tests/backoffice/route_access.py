"""The access matrix's machinery: the routes read from the app, their declarations checked, and
the answer each caller must get.

The list of routes is never written down: ``declared_cases(app)`` reads every path and method
under ``/api/v1`` from the app's OpenAPI document and pairs it with its ``Case``
(route_cases.py); a route without one, a route that takes ids but is not declared ``OBJECT``, a
page of rows not declared a ``LIST`` (or one that does not name its row), a ``NONE`` without a
reason, or a declaration for a route that is gone, fails with a message naming the route.

What a caller gets (``expected``; backoffice/README.md, "Roles and scope"): no valid token 401;
a role the route does not allow 403; a row outside the caller's scope 403; allowed and in scope
the route's ``ok``. An id that does not exist is a 404, and so is a child id under another
parent (``/clients/<one>/documents/<a document of two>``): ``expected_crossed``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from fastapi import FastAPI

from tests.backoffice.factories import Member
from tests.backoffice.route_cases import ANY_ROLE, PREFIX, Access, Case
from tests.backoffice.route_rows import Target
from tests.backoffice.route_table import CASES

HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


@dataclass(frozen=True)
class Caller:
    """Who sends the request. ``role`` None: not authenticated (no token, or a revoked one);
    ``member`` is then whoever the rows name as the caller (a held conversation)."""

    name: str
    role: str | None
    team: str | None
    member: Member
    headers: dict[str, str]

    def sees(self, target: Target) -> bool:
        """The scope rule, as the README states it: admins everything, a manager their team's
        CSMs' clients, a CSM their own."""
        if self.role == "admin":
            return True
        if self.role == "manager":
            return self.team == target.team
        if self.role == "csm":
            return self.member.id == target.owner.id
        return False


# ---------------------------------------------------------------------------- from the app
@dataclass(frozen=True)
class Operation:
    """One path and method of the OpenAPI document (without the ``/api/v1`` prefix)."""

    method: str
    path: str
    path_ids: tuple[str, ...]  # integer path parameters, in path order
    lists: bool  # answers a page of rows

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path


def operations(app: FastAPI) -> list[Operation]:
    """Every operation the app mounts under ``/api/v1``, read from its OpenAPI document."""
    found: list[Operation] = []
    for path, item in app.openapi()["paths"].items():
        if not path.startswith(PREFIX + "/"):
            continue
        for method, operation in item.items():
            if method.upper() not in HTTP_METHODS:
                continue
            ints = {
                p["name"]
                for p in operation.get("parameters", [])
                if p["in"] == "path" and p.get("schema", {}).get("type") == "integer"
            }
            found.append(
                Operation(
                    method=method.upper(),
                    path=path.removeprefix(PREFIX),
                    path_ids=tuple(n for n in re.findall(r"{(\w+)}", path) if n in ints),
                    lists=_answers_a_page(operation),
                )
            )
    return found


def _answers_a_page(operation: dict[str, Any]) -> bool:
    for code, response in operation.get("responses", {}).items():
        if code.startswith("2"):
            schema = response.get("content", {}).get("application/json", {}).get("schema", {})
            return str(schema.get("$ref", "")).startswith("#/components/schemas/Page_")
    return False


def declaration_problems(mounted: list[Operation], cases: list[Case]) -> list[str]:
    """What is wrong between the app's routes and their declarations, one line per route."""
    declared: dict[tuple[str, str], Case] = {}
    problems: list[str] = []
    for case in cases:
        if case.key in declared:
            problems.append(f"{case.method} {case.path}: declared twice in route_cases.py")
        declared[case.key] = case
    where = "in tests/backoffice/route_cases.py (roles, and the Access it has to rows)"
    for op in mounted:
        found = declared.pop(op.key, None)
        name = f"{op.method} {PREFIX}{op.path}"
        if found is None:
            problems.append(f"{name}: a route without a declared expectation; declare it {where}")
            continue
        case = found
        if op.path_ids and case.access is not Access.OBJECT:
            problems.append(
                f"{name}: takes ids ({', '.join(op.path_ids)}) but declares {case.access.name},"
                " not OBJECT: its scope check would never be tried"
            )
        if op.lists and not op.path_ids and case.access is not Access.LIST:
            problems.append(f"{name}: answers a page of rows but is not declared a LIST")
        if case.access is Access.LIST and not case.listed:
            problems.append(f"{name}: a LIST must name the row it lists (listed=...)")
        if case.access is Access.NONE and not case.why:
            problems.append(f"{name}: NONE must say why no row is in play (why=...)")
        if case.access is Access.AGGREGATE and case.figure is None and not case.why:
            problems.append(f"{name}: AGGREGATE needs a figure to compare, or why=...")
        if not case.roles or not case.roles <= ANY_ROLE:
            problems.append(f"{name}: roles must be some of {sorted(ANY_ROLE)}")
    problems.extend(
        f"{method} {PREFIX}{path}: declared in route_cases.py but not mounted"
        for method, path in declared
    )
    return problems


def declared_cases(app: FastAPI) -> list[Case]:
    """Every route of ``app``, in the document's order, with its declaration; fails naming each
    route that has none (or a wrong one)."""
    mounted = operations(app)
    problems = declaration_problems(mounted, CASES)
    assert not problems, "\n".join(problems)
    by_key = {case.key: case for case in CASES}
    return [replace(by_key[op.key], path_ids=op.path_ids) for op in mounted]


# ---------------------------------------------------------------------------- expectations
def expected(case: Case, caller: Caller, target: Target) -> int:
    """The status ``caller`` gets from ``case`` on ``target``'s rows."""
    if caller.role is None:
        return 401
    if caller.role not in case.roles:
        return 403
    if case.access is Access.OBJECT and not caller.sees(target):
        return 403
    return case.ok


def expected_crossed(case: Case, caller: Caller, parent: Target) -> int:
    """A child id of another client under ``parent``'s id: whoever may act on the parent is told
    the child does not exist there; anyone else is refused as for the parent."""
    allowed = expected(case, caller, parent)
    return 404 if allowed == case.ok else allowed
