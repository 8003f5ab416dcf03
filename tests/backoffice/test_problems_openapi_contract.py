"""The API and its OpenAPI document agree on what schemathesis cannot find by itself: one problem
shape for every error (a malformed body included), the date bounds the code enforces written in
the schema, 405 with a complete ``Allow`` on every path (API and webhooks), and the providers'
webhooks left out of the document. The generated run is ``test_schemas_schemathesis.py``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from bot.app import create_app
from bot.bootstrap import Runtime
from tests.backoffice.factories import Roster, make_onboarding
from tests.support.server import serving

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")
# The providers' webhooks and the methods each serves (see bot/channels/webhooks.py).
WEBHOOKS = {
    "/webhooks/twilio": {"POST"},
    "/webhooks/twilio/status": {"POST"},
    "/webhooks/telegram": {"POST"},
    "/webhooks/whatsapp": {"GET", "HEAD", "POST"},
}
REPORTS = ("time-in-stage", "funnel", "sla", "escalations", "duration", "nps")


@pytest.fixture
def document(base_url: str) -> dict[str, Any]:
    return dict(httpx.get(f"{base_url}/openapi.json").json())


@pytest.fixture
def full_app(runtime: Runtime) -> Iterator[str]:
    """The whole application (webhooks, web chat, operations), workers off."""
    with serving(create_app(runtime, run_workers=False)) as url:
        yield url


def _allowed(answer: httpx.Response) -> set[str]:
    return {m.strip() for m in answer.headers.get("allow", "").split(",") if m.strip()}


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method.upper() in METHODS:
                yield path, method.upper(), operation


# ---------------------------------------------------------------------------- error shape
@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe\x00", b'{"name": "Ana"', b"\xc3("],
    ids=["not-utf8", "truncated-json", "bad-utf8-sequence"],
)
def test_a_malformed_body_is_a_documented_422_problem(
    api: httpx.Client, roster: Roster, body: bytes
) -> None:
    answer = api.post(
        "/staff",
        content=body,
        headers={**roster.admin.headers, "Content-Type": "application/json"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == 422 and problem["instance"] == "/api/v1/staff"
    assert problem["errors"] and problem["errors"][0]["loc"][0] == "body"


def test_every_operation_documents_the_problem_shape_of_its_errors(
    document: dict[str, Any],
) -> None:
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    missing = []
    for path, method, operation in _operations(document):
        statuses = {"401", "403", "404", "422"}
        statuses |= {status for status in operation["responses"] if status[0] in "45"}
        for status in sorted(statuses):
            response = operation["responses"].get(status)
            content = (response or {}).get("content", {})
            if list(content) != ["application/problem+json"] or (
                content["application/problem+json"]["schema"] != problem_ref
            ):
                missing.append(f"{method} {path} {status}: {content}")
        if "400" in operation["responses"]:
            missing.append(f"{method} {path} documents a 400")
    assert not missing, "\n".join(missing)
    assert "WWW-Authenticate" in (
        document["paths"]["/api/v1/me"]["get"]["responses"]["401"].get("headers", {})
    )


# ---------------------------------------------------------------------------- dates
def _parameters(document: dict[str, Any], names: set[str]) -> Iterator[tuple[str, str, Any]]:
    for path, method, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            if parameter["name"] in names:
                yield f"{method} {path}", parameter["name"], parameter["schema"]


def _non_null(schema: dict[str, Any]) -> dict[str, Any]:
    variants: list[dict[str, Any]] = [
        s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"
    ]
    assert len(variants) == 1, schema
    return variants[0]


def _day_schema_is_bounded(schema: dict[str, Any]) -> bool:
    pattern = schema.get("pattern", "")
    return (
        schema.get("format") == "date"
        and bool(pattern)
        and re.search(pattern, "2000-01-01") is not None
        and re.search(pattern, "2999-12-31") is not None
        and re.search(pattern, "1999-12-31") is None
        and re.search(pattern, "3000-01-01") is None
        and re.search(pattern, "0") is None
    )


def test_the_schema_states_the_date_bounds_the_code_enforces(document: dict[str, Any]) -> None:
    days = list(_parameters(document, {"since", "until", "from", "to"}))
    assert len(days) >= 2 * (len(REPORTS) + 1) + 2  # reports, audit, training lists
    unbounded = [
        f"{op} {name}: {s}" for op, name, s in days if not _day_schema_is_bounded(_non_null(s))
    ]
    instants = list(_parameters(document, {"since_at", "until_at"}))
    assert len(instants) == 2
    for op, name, schema in instants:
        plain = _non_null(schema)
        pattern = plain.get("pattern", "")
        if not (
            plain.get("format") == "date-time"
            and pattern
            and re.search(pattern, "2026-11-24T10:00:00-03:00")
            and re.search(pattern, "2026-11-24T13:00:00Z")
            and not re.search(pattern, "2026-11-24T10:00:00")  # no zone: refused
            and not re.search(pattern, "1970-01-01T00:00:00Z")
            and not re.search(pattern, "0.5")
        ):
            unbounded.append(f"{op} {name}: {plain}")
    bodies = document["components"]["schemas"]
    for model, field in (
        ("AvailabilityCreate", "valid_from"),
        ("AvailabilityCreate", "valid_until"),
        ("AvailabilityUpdate", "valid_from"),
        ("ExceptionCreate", "day"),
    ):
        schema = bodies[model]["properties"][field]
        if not _day_schema_is_bounded(_non_null(schema)):
            unbounded.append(f"{model}.{field}: {schema}")
    assert not unbounded, "\n".join(unbounded)


@pytest.mark.parametrize(
    "value",
    ["0", "1", "20261124", "1999-12-31", "3000-01-01", "1970-01-01", "2026-02-30", "2026-1-5"],
)
def test_a_day_outside_the_documented_range_or_shape_is_refused(
    api: httpx.Client, roster: Roster, runtime: Runtime, clock: Any, value: str
) -> None:
    with runtime.sessions() as session, session.begin():
        client_id = make_onboarding(session, now=clock.now(), stage="cadastro").client_id
    urls = [f"/reports/{name}" for name in REPORTS] + [f"/clients/{client_id}/audit"]
    for url in urls:
        for name in ("since", "until"):
            answer = api.get(url, params={name: value}, headers=roster.admin.headers)
            assert answer.status_code == 422, f"{url}?{name}={value}: {answer.text}"
            assert answer.json()["errors"][0]["loc"] == ["query", name]
    for name in ("from", "to"):
        answer = api.get("/training/slots", params={name: value}, headers=roster.admin.headers)
        assert answer.status_code == 422, f"/training/slots?{name}={value}: {answer.text}"


def test_the_bounds_themselves_are_accepted(api: httpx.Client, roster: Roster) -> None:
    for url in [f"/reports/{name}" for name in REPORTS]:
        answer = api.get(
            url,
            params={"since": "2000-01-01", "until": "2999-12-31"},
            headers=roster.admin.headers,
        )
        assert answer.status_code == 200, f"{url}: {answer.text}"
        window = answer.json()["window"]
        assert window["since"].startswith("2000-01-01T00:00:00")
        assert window["until"].startswith("3000-01-01T00:00:00")


@pytest.mark.parametrize(
    "value",
    ["0", "0.5", "1700000000", "1970-01-01T00:00:00Z", "2026-11-24T10:00:00", "2026-11-24"],
)
def test_an_audit_instant_must_be_an_rfc3339_time_with_its_zone(
    api: httpx.Client, roster: Roster, runtime: Runtime, clock: Any, value: str
) -> None:
    with runtime.sessions() as session, session.begin():
        client_id = make_onboarding(session, now=clock.now(), stage="cadastro").client_id
    for name in ("since_at", "until_at"):
        answer = api.get(
            f"/clients/{client_id}/audit", params={name: value}, headers=roster.admin.headers
        )
        assert answer.status_code == 422, f"{name}={value}: {answer.text}"
    answer = api.get(
        f"/clients/{client_id}/audit",
        params={"since_at": "2026-11-24T10:00:00-03:00", "until_at": "2026-11-24T14:00:00Z"},
        headers=roster.admin.headers,
    )
    assert answer.status_code == 200, answer.text


def test_a_body_day_outside_the_range_is_refused(api: httpx.Client, roster: Roster) -> None:
    for day in ("1970-01-01", "3000-01-01", 0, 1_800_000_000):
        answer = api.post(
            "/training/exceptions",
            json={"day": day, "reason": "x"},
            headers=roster.admin.headers,
        )
        assert answer.status_code == 422, f"{day!r}: {answer.text}"
        assert answer.json()["errors"][0]["loc"] == ["body", "day"]
    today = date(2026, 12, 1).isoformat()
    answer = api.post(
        "/training/exceptions", json={"day": today, "reason": "x"}, headers=roster.admin.headers
    )
    assert answer.status_code == 201, answer.text


# ---------------------------------------------------------------------------- methods
def test_an_unlisted_method_gets_405_with_every_method_of_the_path(
    api: httpx.Client, document: dict[str, Any]
) -> None:
    wrong = []
    for path, item in document["paths"].items():
        served = {method.upper() for method in item if method.upper() in METHODS}
        url = re.sub(r"\{[^}]+\}", "1", path).removeprefix("/api/v1")
        for method in sorted(set(METHODS) - served - {"HEAD"}):
            answer = api.request(method, url)
            if answer.status_code != 405 or _allowed(answer) != served:
                wrong.append(f"{method} {path}: {answer.status_code} Allow {_allowed(answer)}")
            elif answer.headers["content-type"] != "application/problem+json":
                wrong.append(f"{method} {path}: {answer.headers['content-type']}")
    assert not wrong, "\n".join(wrong)


def test_webhooks_are_not_in_the_openapi_document(full_app: str) -> None:
    with httpx.Client(base_url=full_app, timeout=20) as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if path.startswith("/webhooks")]
    assert "/api/v1/me" in paths


def test_every_path_of_the_app_answers_405_with_its_allowed_methods(full_app: str) -> None:
    with httpx.Client(base_url=full_app, timeout=20) as client:
        document = client.get("/openapi.json").json()
        served: dict[str, set[str]] = {
            path: {m.upper() for m in item if m.upper() in METHODS}
            for path, item in document["paths"].items()
        }
        served.update(WEBHOOKS)
        wrong = []
        for path, methods in served.items():
            url = re.sub(r"\{[^}]+\}", "1", path)
            for method in sorted(set(METHODS) - methods - {"HEAD"}):
                answer = client.request(method, url)
                if answer.status_code != 405 or _allowed(answer) != methods:
                    wrong.append(f"{method} {path}: {answer.status_code} Allow {_allowed(answer)}")
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------------------- bodies
def test_a_body_is_read_as_the_json_types_the_schema_states(
    api: httpx.Client, roster: Roster
) -> None:
    url, headers = f"/staff/{roster.csm_other.id}", roster.admin.headers
    for refused in ({"active": 0}, {"active": "true"}, {"max_open_escalations": "5"}):
        answer = api.patch(url, json=refused, headers=headers)
        assert answer.status_code == 422, f"{refused}: {answer.text}"
        assert answer.json()["errors"], answer.text
    # JSON has one kind of number: 5.0 is the integer 5 for JSON Schema, and for the API.
    answer = api.patch(url, json={"max_open_escalations": 5.0, "active": True}, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["max_open_escalations"] == 5


def _accepts(schema: dict[str, Any], value: str) -> bool:
    return re.search(schema["pattern"], value) is not None


@pytest.mark.parametrize(
    ("model", "field", "value", "valid"),
    [
        ("ExceptionCreate", "starts", "23:59", True),
        ("ExceptionCreate", "starts", "26:00", False),
        ("ExceptionCreate", "starts", "09:60", False),
        ("ExceptionCreate", "starts", "09:00-03:00", False),
        ("AvailabilityCreate", "meeting_url", "https://meet.example.com/abc", True),
        ("AvailabilityCreate", "meeting_url", "http://\u0085x", False),
        ("StaffCreate", "email", "ana@acolhe.example", True),
        ("StaffCreate", "email", "ana@acolhe.test", False),
        ("StaffCreate", "email", "ana@printer.LOCAL", False),
    ],
)
def test_the_schema_and_the_code_refuse_the_same_values(
    api: httpx.Client,
    roster: Roster,
    document: dict[str, Any],
    model: str,
    field: str,
    value: str,
    valid: bool,
) -> None:
    schema = _non_null(document["components"]["schemas"][model]["properties"][field])
    assert _accepts(schema, value) is valid
    bodies: dict[str, tuple[str, dict[str, object]]] = {
        "ExceptionCreate": ("/training/exceptions", {"day": "2026-12-01", "ends": "23:59:59"}),
        "AvailabilityCreate": (
            "/training/availability",
            {"csm_id": roster.csm_owner.id, "weekday": 6, "starts": "09:00", "ends": "12:00"},
        ),
        "StaffCreate": ("/staff", {"name": "Ana", "role": "csm"}),
    }
    url, body = bodies[model]
    answer = api.post(url, json={**body, field: value}, headers=roster.admin.headers)
    assert (answer.status_code == 201) is valid, answer.text
