"""The console access matrix's machinery: every route read from the app, how to fill its
parameters from one client's rows (``console_rows.py``), and who must be refused.

The routes are never listed by hand: ``console_routes(app)`` reads every path and method the
app mounts under ``/console`` (the static files excepted), with the parameters FastAPI will read
(path, query and form, dependencies included). A parameter that names a row is filled from
``ROW_PARAMS`` (or ``ROW_PARAMS_AT``, by path) with the target's row, the client of
``csm_owner`` in team alpha; a word parameter (a report's name, a section) from ``WORDS``. A
path parameter, or an ``*_id`` query or form field, found in none of them makes the walk fail
naming the route, so a new kind of row is added here on purpose, with its fixture row.

Who sees the target: admins, team alpha's manager and its CSM (``csm_owner``); team beta's
manager (``manager_other``) and the other CSM of team alpha (``csm_other``) do not. The rows'
``markers`` (company, contact, the client's message, a note, an NPS comment, a document's
bytes) must appear on no page answered to someone outside the scope.
"""

from __future__ import annotations

import enum
import importlib
import re
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from tests.console.console_rows import Rows

PREFIX = "/console"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Routes open without a session, and why (everything else needs one).
PUBLIC: dict[tuple[str, str], str] = {
    ("GET", "/console/login"): "the sign-in form",
    ("POST", "/console/login"): "signing in (guarded by the login cookie's CSRF token)",
    ("GET", "/console/reset/{token}"): "a password link: the token is the credential",
    ("POST", "/console/reset/{token}"): "choosing a password with a link's token",
}

INSIDERS = ("admin", "manager", "csm_owner")  # see the target's rows
OUTSIDERS = ("manager_other", "csm_other")  # must not
ROLES = INSIDERS + OUTSIDERS


# A parameter naming a row → the key of that row's id in ``Rows.ids``. Add a row kind here (and
# to make_rows) when a console route takes a new kind of id; a name that means different rows
# on different routes goes in ROW_PARAMS_AT, by (path, name).
ROW_PARAMS: dict[str, str] = {
    name: name
    for name in (
        "onboarding_id",
        "client_id",
        "conversation_id",
        "escalation_id",
        "document_id",
        "message_id",
        "note_id",
        "staff_id",
        "booking_id",
        "agreement_id",
    )
}
ROW_PARAMS_AT: dict[tuple[str, str], str] = {
    ("/console/conversations/{conversation_id}/deliveries/{item_id}/retry", "item_id"): (
        "outbox_item_id"
    ),
    ("/console/conversations/{conversation_id}/documents/{item_id}", "item_id"): "document_id",
}


def row_key(path: str, name: str) -> str | None:
    """The ``Rows.ids`` key a parameter of ``path`` is filled from, None when it names no row."""
    return ROW_PARAMS_AT.get((path, name)) or ROW_PARAMS.get(name)


def _words(module: str, name: str, extra: tuple[str, ...] = ()) -> Callable[[], tuple[str, ...]]:
    """The words a route accepts, read from the module that defines them (when they change,
    the walk follows)."""

    def read() -> tuple[str, ...]:
        return (*importlib.import_module(module).__dict__[name], *extra)

    return read


# Path parameters that name no row but one of a fixed set of words: every word is walked.
WORDS: dict[tuple[str, str], Callable[[], tuple[str, ...]]] = {
    ("/console/reports/{name}.csv", "name"): _words(
        "backoffice.console.routes.reports", "CSV_NAMES"
    ),
    ("/console/clients/{client_id}/sections/{name}", "name"): _words(
        "backoffice.console.routes.clients", "SECTIONS"
    ),
    ("/console/clients/{client_id}/edit/{group}", "group"): _words(
        "backoffice.console.record_forms", "CLIENT_GROUPS", ("contact-admin",)
    ),
}

# Query parameters worth walking with several values beyond their default (each is tried):
# every tab of the inbox, a search for the target's company, every edit group of a record.
QUERY_WORDS: dict[str, Callable[[Rows], tuple[Any, ...]]] = {
    "tab": lambda _rows: _words("backoffice.console.inbox_queries", "InboxTab")(),
    # The company's name without its last word: a page that echoes the search shows this, only
    # a page that found the client shows the whole name (a marker).
    "q": lambda rows: (rows.markers[0].rsplit(" ", 1)[0],),
    "edit": lambda _rows: _words(
        "backoffice.console.record_forms", "CLIENT_GROUPS", ("contact-admin",)
    )(),
}

# Values of parameters that name no row (form fields mostly), so a request gets past the
# form's reading and the scope check is what answers. Fields not here get a value by type.
VALUES: dict[str, Callable[[Rows], Any]] = {
    "csm_id": lambda rows: rows.ids["staff_id"],
    "to_stage": lambda _rows: "validacao",
    "from_stage": lambda _rows: "documentos",
    "stage": lambda _rows: "documentos",  # the rows' stage: a column that holds them
    "segment": lambda _rows: "self_service",  # the rows' onboardings (tests/backoffice/factories)
    "reason": lambda _rows: "motivo do teste de acesso",
    "text": lambda _rows: "resposta do teste de acesso",
    "body": lambda _rows: "resposta do teste de acesso",
    "confirm": lambda _rows: "confirmo",
    "language": lambda _rows: "en",
    "last_event_id": lambda rows: rows.event_id - 1,
}


# ---------------------------------------------------------------------------- the routes
@dataclass(frozen=True)
class Param:
    name: str
    annotation: Any
    required: bool
    default: Any


@dataclass(frozen=True)
class ConsoleRoute:
    method: str
    path: str
    path_params: tuple[str, ...]
    query: tuple[Param, ...]
    form: tuple[Param, ...]
    other_body: tuple[str, ...]  # a JSON body: the walker cannot fill it

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def public(self) -> bool:
        return (self.method, self.path) in PUBLIC

    @property
    def row_params(self) -> tuple[str, ...]:
        """Every parameter (path, query, form) naming one of the target's rows."""
        names = [*self.path_params, *(p.name for p in (*self.query, *self.form))]
        return tuple(n for n in names if row_key(self.path, n))


def _param(field: Any) -> Param:
    info = field.field_info
    return Param(
        name=field.alias or field.name,
        annotation=info.annotation,
        required=bool(info.is_required()),
        default=None if info.is_required() else info.default,
    )


def _fields(dependant: Dependant) -> tuple[list[Any], list[Any]]:
    """The query and body fields of a route and of every dependency it has (FastAPI reads
    them all from the same request)."""
    query: list[Any] = []
    body: list[Any] = []
    pending = [dependant]
    while pending:
        current = pending.pop()
        query.extend(f for f in current.query_params if f.name not in {q.name for q in query})
        body.extend(f for f in current.body_params if f.name not in {b.name for b in body})
        pending.extend(current.dependencies)
    return query, body


def _api_routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) of every APIRoute, through included routers: FastAPI (0.16x) keeps
    an included router as one entry holding the original router and its prefix."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
            continue
        included = getattr(route, "original_router", None)
        if included is not None:
            context = getattr(route, "include_context", None)
            yield from _api_routes(included.routes, prefix + getattr(context, "prefix", ""))


def console_routes(app: FastAPI) -> list[ConsoleRoute]:
    """Every method of every route under ``/console`` (static files are a mount, not a route)."""
    found: list[ConsoleRoute] = []
    for path, route in _api_routes(app.routes):
        if not path.startswith(PREFIX + "/"):
            continue
        query, body = _fields(route.dependant)
        form: list[Param] = []
        other: list[str] = []
        for field in body:
            if type(field.field_info).__name__ in ("Form", "File"):
                form.append(_param(field))
            else:
                other.append(field.name)
        for method in sorted((route.methods or set()) - {"HEAD"}):
            found.append(
                ConsoleRoute(
                    method=method,
                    path=path,
                    path_params=tuple(re.findall(r"{(\w+)(?::\w+)?}", path)),
                    query=tuple(_param(f) for f in query),
                    form=tuple(form),
                    other_body=tuple(other),
                )
            )
    return found


def fill_problems(route: ConsoleRoute) -> list[str]:
    """What the walker cannot fill on ``route`` (a public route is not walked)."""
    if route.public:
        return []
    problems: list[str] = []
    where = "tests/console/console_walk.py ROW_PARAMS (with its fixture row in make_rows)"
    for name in route.path_params:
        if (route.path, name) in WORDS:
            try:
                assert WORDS[route.path, name](), "no words"
            except Exception as exc:
                problems.append(f"{route.name}: the words of {{{name}}} unreadable: {exc!r}")
        elif row_key(route.path, name) is None:
            problems.append(
                f"{route.name}: path parameter {{{name}}} unknown; add it to {where}, or its"
                " words to WORDS"
            )
    for param in (*route.query, *route.form):
        if (
            param.name.endswith("_id")
            and not row_key(route.path, param.name)
            and (param.name not in VALUES)
        ):
            problems.append(f"{route.name}: field {param.name} names a row; add it to {where}")
        elif param.required and _value_by_type(param) is None and param.name not in VALUES:
            problems.append(f"{route.name}: cannot fill the required {param.name}; add to VALUES")
    if route.other_body:
        problems.append(f"{route.name}: a JSON body ({route.other_body}): the walker sends forms")
    return problems


# The same, for a name that takes different values on different routes: by (path, name).
VALUES_AT: dict[tuple[str, str], Callable[[Rows], Any]] = {
    ("/console/team/bookings/{booking_id}/attendance", "status"): lambda _rows: "attended",
    ("/console/clients/{client_id}/agreements/{agreement_id}", "status"): lambda _rows: "done",
    ("/console/clients/{client_id}/agreements", "what"): lambda _rows: "combinado do teste",
    ("/console/clients/{client_id}/agreements", "owed_by"): lambda _rows: "client",
    # A business day well after the suite's clock (a Wednesday, no holiday).
    ("/console/clients/{client_id}/agreements", "due_on"): lambda _rows: "2030-06-05",
}


def _value_of(route: ConsoleRoute, name: str, rows: Rows) -> Any:
    """A non-row parameter's value from VALUES_AT or VALUES; None when neither has it."""
    if (route.path, name) in VALUES_AT:
        return VALUES_AT[route.path, name](rows)
    if name in VALUES:
        return VALUES[name](rows)
    return None


def _choices(annotation: Any) -> list[Any]:
    """The values of a Literal or Enum parameter (``Optional`` unwrapped), else []."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return [c for arg in typing.get_args(annotation) for c in _choices(arg)]
    if origin is typing.Literal:
        return list(typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [member.value for member in annotation]
    return []


def _value_by_type(param: Param) -> Any:
    choices = _choices(param.annotation)
    if choices:
        return choices[0]
    text = str(param.annotation)
    for kind, value in (
        ("bool", "true"),
        ("int", "1"),
        ("float", "1"),
        ("datetime", "2026-11-24T10:00:00"),
        ("date", date(2026, 11, 24).isoformat()),
        ("str", "teste de acesso"),
    ):
        if kind in text:
            return value
    return None


def urls_of(route: ConsoleRoute, rows: Rows) -> list[str]:
    """The route's path filled with the target's rows, once per word of a word parameter."""
    urls = [route.path]
    for name in route.path_params:
        pattern = re.compile(r"\{" + name + r"(?::\w+)?\}")
        if (route.path, name) in WORDS:
            words = WORDS[route.path, name]()
            urls = [pattern.sub(word, url) for url in urls for word in words]
        else:
            value = str(rows.ids[row_key(route.path, name) or name])
            urls = [pattern.sub(value, url) for url in urls]
    return urls


def query_variants(route: ConsoleRoute, rows: Rows) -> list[dict[str, Any]]:
    """The query strings to try: the defaults, and each value of every Literal/Enum parameter
    (a tab, a filter); ids from the target's rows."""
    base: dict[str, Any] = {}
    for param in route.query:
        if key := row_key(route.path, param.name):
            base[param.name] = rows.ids[key]
        elif (value := _value_of(route, param.name, rows)) is not None:
            base[param.name] = value
        elif param.required:
            base[param.name] = _value_by_type(param)
    variants = [base]
    for param in route.query:
        words = QUERY_WORDS[param.name](rows) if param.name in QUERY_WORDS else ()
        for choice in (*_choices(param.annotation), *words):
            variants.append({**base, param.name: getattr(choice, "value", choice)})
    return variants


def form_of(route: ConsoleRoute, rows: Rows) -> dict[str, Any]:
    form: dict[str, Any] = {}
    for param in route.form:
        if key := row_key(route.path, param.name):
            form[param.name] = rows.ids[key]
        elif (value := _value_of(route, param.name, rows)) is not None:
            form[param.name] = value
        else:
            value = _value_by_type(param)
            if value is not None:
                form[param.name] = value
    return form
