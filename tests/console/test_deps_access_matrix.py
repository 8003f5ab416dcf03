"""Every console route, read from the app, × no session and five callers × one client's rows.

The routes come from the app object (console_walk.py), never from a list: a route added
tomorrow is walked tomorrow. For each one:

* without a session: the sign-in (303 to ``/console/login``) or a 401/403, never a page, never
  a 5xx, never the client's data;
* an unsafe method without the session's CSRF token, or with a forged one: 403;
* signed in, on the rows of ``csm_owner``'s client (team alpha): a route that names one of them
  (path, query or form) answers ``manager_other`` (team beta) and ``csm_other`` with 403 or
  404 and nothing of the client; the admin gets the page (a GET 2xx, an action neither refused
  nor unreadable), and nobody a 5xx. A page that names none of them (a list, a tab, the board,
  a report) shows an outsider none of the client's texts, for every value of its Literal/Enum
  query parameters (each tab). The live stream replays an outsider none of the client's events.

Each failure names the route, the caller and what came back; all of them are reported at once.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from backoffice.console import ConsoleContext
from backoffice.console.live import EventHub
from bot.bootstrap import Runtime
from bot.documents.store import DocumentStore
from bot.domain.clock import FakeClock
from bot.storage.models import Client, Onboarding
from tests.backoffice.factories import Roster
from tests.console.console_requests import Answer, send
from tests.console.console_rows import Rows, make_rows, session_cookie
from tests.console.console_walk import (
    INSIDERS,
    OUTSIDERS,
    ROLES,
    UNSAFE,
    ConsoleRoute,
    console_routes,
    fill_problems,
    query_variants,
    row_key,
    urls_of,
)


# ---------------------------------------------------------------------------- fixtures
@pytest.fixture
def console_context(console_context: ConsoleContext, runtime: Runtime) -> ConsoleContext:
    """The shared context with a live-event hub, so ``/console/events`` streams for real."""
    hub = EventHub(sessions=runtime.sessions, clock=runtime.clock, poll_s=0.2, heartbeat_s=1.0)
    return replace(console_context, feed=hub)


@pytest.fixture
def console_app(console_app: FastAPI, console_context: ConsoleContext) -> FastAPI:
    hub = console_context.feed
    assert isinstance(hub, EventHub)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await hub.start()
        try:
            yield
        finally:
            await hub.stop()

    console_app.router.lifespan_context = lifespan
    return console_app


@pytest.fixture
def routes(console_app: FastAPI) -> list[ConsoleRoute]:
    found = console_routes(console_app)
    names = {route.name for route in found}
    # The derivation itself: these exist since the foundation; an empty walk proves nothing.
    assert {"GET /console/", "POST /console/logout", "GET /console/events"} <= names, names
    only = os.environ.get("CONSOLE_WALK_ONLY")  # a path fragment, to walk a few routes locally
    return [route for route in found if only in route.path] if only else found


@dataclass
class Walk:
    runtime: Runtime
    roster: Roster
    clock: FakeClock
    documents: DocumentStore
    url: str

    def rows(self, owner: str = "csm_owner") -> Rows:
        with self.runtime.sessions() as session, session.begin():
            return make_rows(
                session,
                owner=self.roster.by_role(owner),
                now=self.clock.now(),
                documents=self.documents,
            )

    def client(self, role: str | None) -> tuple[httpx.Client, str]:
        """A client with a fresh session of ``role`` (None: no session) and its CSRF token."""
        if role is None:
            return httpx.Client(base_url=self.url, timeout=30), ""
        with self.runtime.sessions() as session, session.begin():
            token, csrf = session_cookie(
                session, self.roster.by_role(role).id, now=self.clock.now()
            )
        client = httpx.Client(base_url=self.url, timeout=30, cookies={"acolhe_session": token})
        return client, csrf


@pytest.fixture
def walk(
    console_url: str,
    runtime: Runtime,
    passwords: Roster,
    clock: FakeClock,
    documents: DocumentStore,
) -> Walk:
    return Walk(runtime, passwords, clock, documents, console_url)


# ---------------------------------------------------------------------------- requests
def _validation_error(answer: Answer) -> bool:
    """FastAPI refused the request before the route ran (its form or query did not parse)."""
    return answer.status == 422 and answer.content_type == "application/json"


# ---------------------------------------------------------------------------- the tests
def test_every_console_route_can_be_walked(routes: list[ConsoleRoute]) -> None:
    problems = [problem for route in routes for problem in fill_problems(route)]
    assert not problems, "\n".join(problems)


def _without_session(walk: Walk, route: ConsoleRoute) -> list[str]:
    problems: list[str] = []
    rows = walk.rows()
    client, _ = walk.client(None)
    with client:
        for htmx in (False, True):
            answer = send(client, route, rows, htmx=htmx)
            to_sign_in = answer.status == 303 and answer.location.startswith("/console/login")
            refused = answer.status in (401, 403)
            if not (to_sign_in or refused) or answer.shows(rows):
                kind = "htmx" if htmx else "plain"
                problems.append(f"{route.name} ({kind}, no session): {answer.brief()}")
    return problems


def test_without_a_session_every_route_sends_to_the_sign_in(
    routes: list[ConsoleRoute], walk: Walk
) -> None:
    problems = [
        problem
        for route in routes
        if not route.public and not fill_problems(route)
        for problem in _without_session(walk, route)
    ]
    assert not problems, "\n".join(problems)


def test_unsafe_requests_without_the_session_csrf_token_are_refused(
    routes: list[ConsoleRoute], walk: Walk
) -> None:
    problems: list[str] = []
    unsafe = [r for r in routes if r.method in UNSAFE and not r.public and not fill_problems(r)]
    assert unsafe, "no unsafe console route? (POST /console/logout at least)"
    for route in unsafe:
        for csrf in (None, "forged-token"):
            rows = walk.rows()
            client, _ = walk.client("admin")
            with client:
                answer = send(client, route, rows, csrf=csrf, htmx=csrf is not None)
            if answer.status != 403:
                problems.append(f"{route.name} (admin, CSRF {csrf!r}): {answer.brief()}")
    assert not problems, "\n".join(problems)


def _check(route: ConsoleRoute, role: str, rows: Rows, answer: Answer) -> list[str]:
    """What is wrong with ``answer`` to ``role`` on ``route`` (empty: nothing)."""
    name = f"{route.name} as {role}"
    if answer.status >= 500:
        return [f"{name}: server error {answer.brief()}"]
    if _validation_error(answer):
        return [
            f"{name}: the walker's request was not readable (422 {answer.text[:200]}); "
            "give the field a value in console_walk.VALUES"
        ]
    problems: list[str] = []
    shown = answer.shows(rows) if role in OUTSIDERS else []
    if shown:
        problems.append(f"LEAK {name}: shows {shown} of csm_owner's client ({answer.brief()})")
    leaked_events = rows.event_id in answer.event_ids and role in OUTSIDERS
    if leaked_events:
        problems.append(f"LEAK {name}: replayed event {rows.event_id} of csm_owner's client")
    if route.row_params and role in OUTSIDERS and answer.status not in (403, 404):
        problems.append(
            f"LEAK {name}: {answer.brief()} on {', '.join(route.row_params)} of csm_owner's "
            "client, outside the caller's scope (expected 403 or 404)"
        )
    if role == "admin" and route.method not in UNSAFE and not 200 <= answer.status < 400:
        problems.append(f"{name}: the admin cannot open it ({answer.brief()})")
    if role == "admin" and route.method in UNSAFE and answer.status in (401, 403, 404):
        problems.append(f"{name}: the admin is refused ({answer.brief()}): a wrong fixture?")
    if route.row_params and role in INSIDERS and answer.status == 404:
        problems.append(f"{name}: 404 on a row in scope ({answer.brief()})")
    streams = route.path.endswith("/events")
    if streams and role == "admin" and rows.event_id not in answer.event_ids:
        problems.append(f"{name}: did not replay event {rows.event_id} after Last-Event-ID")
    return problems


def _requests(route: ConsoleRoute, rows: Rows) -> list[tuple[str, dict[str, Any]]]:
    """Every (path, query) to try on ``route``: each word of a word parameter × each value of
    a Literal/Enum query parameter."""
    return [(url, q) for url in urls_of(route, rows) for q in query_variants(route, rows)]


def _index(route: ConsoleRoute, rows: Rows, url: str) -> int:
    """Where ``url`` (made with ``rows``) stands among the route's paths (same for any rows)."""
    return urls_of(route, rows).index(url)


def _scope_walk(walk: Walk, route: ConsoleRoute) -> list[str]:
    problems: list[str] = []
    for role in ROLES:
        probe = walk.rows()  # read by every GET of this caller; an action gets fresh rows
        # An action as htmx sends it; a page as a browser opens it, and to outsiders also as
        # htmx asks for its fragment (a block may read its rows its own way).
        unsafe = route.method in UNSAFE
        for url, query in _requests(route, probe):
            for htmx in (True,) if unsafe else (False, True) if role in OUTSIDERS else (False,):
                rows = walk.rows() if unsafe else probe
                client, csrf = walk.client(role)
                with client:
                    answer = send(
                        client,
                        route,
                        rows,
                        url=urls_of(route, rows)[_index(route, probe, url)],
                        query=query,
                        csrf=csrf,
                        htmx=htmx,
                    )
                found = _check(route, role, rows, answer)
                where = f"[{'htmx ' if htmx else ''}{url}{f' {query}' if query else ''}]"
                problems.extend(f"{p} {where}" for p in found)
    return problems


def test_every_route_keeps_to_the_callers_scope(routes: list[ConsoleRoute], walk: Walk) -> None:
    problems = [
        problem
        for route in routes
        if not route.public and not fill_problems(route)
        for problem in _scope_walk(walk, route)
    ]
    assert not problems, "\n".join(dict.fromkeys(problems))


def _crossed(walk: Walk, route: ConsoleRoute) -> list[str]:
    """``csm_other`` names its own client's rows for every parameter but one, and
    ``csm_owner``'s row for that one (a document, a delivery of another conversation under
    one's own conversation): refused (403/404), nothing shown."""
    problems: list[str] = []
    for crossed in route.row_params:
        own, target = walk.rows("csm_other"), walk.rows()
        mixed = replace(own, ids={**own.ids, **_only(route, crossed, target)})
        client, csrf = walk.client("csm_other")
        with client:
            answer = send(client, route, mixed, csrf=csrf, htmx=route.method in UNSAFE)
        shown = answer.shows(target)
        if answer.status not in (403, 404) or shown:
            problems.append(
                f"LEAK {route.name} as csm_other: its own rows with {crossed} of csm_owner's "
                f"client: {answer.brief()}{f', shows {shown}' if shown else ''}"
            )
    return problems


def _only(route: ConsoleRoute, name: str, rows: Rows) -> dict[str, int]:
    key = row_key(route.path, name)
    assert key is not None
    return {key: rows.ids[key]}


def test_a_row_of_another_client_under_ones_own_is_refused(
    routes: list[ConsoleRoute], walk: Walk
) -> None:
    crossing = [
        r for r in routes if not r.public and not fill_problems(r) and len(r.row_params) > 1
    ]
    problems = [problem for route in crossing for problem in _crossed(walk, route)]
    assert not problems, "\n".join(problems)


def test_the_walk_catches_a_route_without_a_scope_check(
    console_app: FastAPI, walk: Walk, runtime: Runtime
) -> None:
    """The walker itself: two routes that forget the scope (one by id, one a list) are
    named, with every outsider, and the page without a session too."""

    def leaky_card(onboarding_id: int) -> HTMLResponse:
        with runtime.sessions() as session:
            onboarding = session.get_one(Onboarding, onboarding_id)
            client = session.get_one(Client, onboarding.client_id)
            return HTMLResponse(f"<h1>{client.company_name}</h1>")

    def leaky_list() -> HTMLResponse:
        with runtime.sessions() as session:
            names = session.scalars(select(Client.company_name)).all()
            return HTMLResponse("".join(f"<li>{name}</li>" for name in names))

    console_app.add_api_route("/console/leaky/{onboarding_id}", leaky_card, methods=["GET"])
    console_app.add_api_route("/console/leaky-list", leaky_list, methods=["GET"])
    leaky = {r.path: r for r in console_routes(console_app) if "/leaky" in r.path}
    card, listing = leaky["/console/leaky/{onboarding_id}"], leaky["/console/leaky-list"]
    assert not fill_problems(card) and card.row_params == ("onboarding_id",)
    found = _scope_walk(walk, card) + _scope_walk(walk, listing)
    for role in OUTSIDERS:
        by_id = f"LEAK GET /console/leaky/{{onboarding_id}} as {role}:"
        assert any(p.startswith(by_id) for p in found), found
        assert any(p.startswith(f"LEAK GET /console/leaky-list as {role}: shows") for p in found)
    assert not any(f"as {role}:" in p for p in found for role in INSIDERS), found
    assert _without_session(walk, card) and _without_session(walk, listing)
