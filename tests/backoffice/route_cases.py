"""Who may call each back-office route, declared once per route, and how to call it.

A case declares the roles that may call the route and its ``Access``:

* ``OBJECT``: it acts on a client's rows (ids in the path, or the CSM named in the body); the
  caller needs the role *and* the scope;
* ``LIST``: a list; the role decides the 200 and only rows in the caller's scope are listed
  (``listed`` names the setup's id the list must show to those who see the target, and only to
  them);
* ``AGGREGATE``: counts over the caller's scope (reports); ``figure`` reads a count from the
  answer, which must be the admin's share for the targets the caller sees;
* ``NONE``: touches nobody's rows (the caller's own record, the pipelines, a sweep); ``why``
  says so.

The cases themselves are ``CASES`` in route_table.py. The routes come from the app
(route_access.py: a route without a case fails the suite); the rows each case needs from
route_rows.py, fresh for every request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

import httpx

from bot.bootstrap import Runtime
from bot.documents.store import DocumentStore
from bot.domain.clock import FakeClock
from tests.backoffice.factories import Member, Roster
from tests.backoffice.route_rows import (
    Setup,
    Target,
    World,
    default_target,
    nothing,
)

PROBLEM = "application/problem+json"
PREFIX = "/api/v1"

ANY_ROLE = frozenset({"admin", "manager", "csm"})
LEADS = frozenset({"admin", "manager"})
ADMIN = frozenset({"admin"})
# The staff routes' subject is the target's CSM: they see themselves, and admins see everyone.
SELF_OR_ADMIN = frozenset({"admin", "csm"})


class Access(Enum):
    OBJECT = "object"
    LIST = "list"
    AGGREGATE = "aggregate"
    NONE = "none"


# ---------------------------------------------------------------------------- declarations
@dataclass
class Case:
    method: str
    path: str
    roles: frozenset[str]
    access: Access
    setup: Setup = nothing
    body: Callable[[World], Any] | None = None
    ok: int = 200
    listed: str | None = None  # LIST: the setup's id that those in scope must see listed
    figure: Callable[[Any], int] | None = None  # AGGREGATE: a count over the caller's scope
    why: str = ""  # NONE, and AGGREGATE without a figure: why there is no row to scope
    path_ids: tuple[str, ...] = field(default=(), compare=False)  # filled from the app

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path


def json_body(value: Any) -> Callable[[World], Any]:
    return lambda _world: value


# ---------------------------------------------------------------------------- requests
def prepare(
    case: Case, world: World, *, child_of: Target | None = None
) -> tuple[dict[str, Any], Any]:
    """The case's rows for ``world.target`` and its body; with ``child_of``, the last id of the
    path (``path_ids``, read from the app) comes from that other target's rows."""
    params = case.setup(world)
    if child_of is not None:
        child = case.path_ids[-1]
        params = {**params, child: case.setup(replace(world, target=child_of))[child]}
    payload = case.body(world) if case.body else None
    return params, payload


def fill(path: str, params: dict[str, Any], *, override: int | None = None) -> str:
    for name in re.findall(r"{(\w+)}", path):
        value = params[name]
        if override is not None and isinstance(value, int):
            value = override
        path = path.replace("{" + name + "}", str(value))
    return path


def call(
    api: httpx.Client,
    case: Case,
    *,
    runtime: Runtime,
    roster: Roster,
    clock: FakeClock,
    documents: DocumentStore,
    caller: Member,
    headers: dict[str, str] | None = None,
    override: int | None = None,
    body: Any = None,
    target: Target | None = None,
    child_of: Target | None = None,
) -> httpx.Response:
    """Creates the case's rows, then sends its request (``override`` replaces every id)."""
    with runtime.sessions() as session, session.begin():
        world = World(
            session=session,
            roster=roster,
            clock=clock,
            documents=documents,
            caller=caller,
            target=target or default_target(roster),
        )
        params, payload = prepare(case, world, child_of=child_of)
    return api.request(
        case.method,
        fill(case.path, params, override=override),
        json=body if body is not None else payload,
        headers=caller.headers if headers is None else headers,
    )
