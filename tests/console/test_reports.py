"""The reports page and its CSVs against the API: for the same seeded history and the same
window, every number on the page and in every CSV is the API's (``GET /api/v1/reports/...``
with a bearer token of the roster); who may see them; what bad days get."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from backoffice.access import escalation_scope
from backoffice.api.deps import get_window
from backoffice.console import ConsoleContext
from backoffice.reports import first_response_buckets
from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from tests.backoffice.factories import Member, Roster, make_staff
from tests.console.reports_support import (
    API_REPORTS,
    COMMENTS,
    compare_page,
    csv_number,
    read_csv,
    resolve,
)

D0 = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)  # a Tuesday, 09:00 in São Paulo
WINDOWS: list[dict[str, str]] = [
    {},
    {"since": "2026-09-01", "until": "2026-09-30"},
    {"since": "2026-09-02"},
    {"until": "2026-09-01"},
]


@pytest.fixture
def history(runtime: Runtime, passwords: Roster, clock: FakeClock) -> Roster:
    clock.set(D0 + timedelta(days=50))
    with runtime.sessions() as session, session.begin():
        other, _token = make_staff(session, role="csm", team="beta", now=D0)
        from tests.console.reports_support import seed_reports

        seed_reports(session, start=D0, csm_id=passwords.csm_owner.id, other_csm_id=other.id)
    return passwords


def _api(console_url: str, member: Member, name: str, window: dict[str, str]) -> Any:
    answer = httpx.get(
        f"{console_url}/api/v1/reports/{name}", params=window, headers=member.headers, timeout=20
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _buckets(
    console_context: ConsoleContext, runtime: Runtime, member: Member, window: dict[str, str]
) -> Any:
    from datetime import date

    from backoffice.access import Principal
    from bot.storage.models import StaffUser

    with runtime.sessions() as session:
        staff = session.get_one(StaffUser, member.id)
        principal = Principal(staff.id, staff.name, staff.role, staff.team, staff.segment)
        bounds = {k: date.fromisoformat(v) for k, v in window.items()}
        report = first_response_buckets(
            session,
            scope=escalation_scope(principal),
            window=get_window(console_context.backoffice, **bounds),
        )
        return report.model_dump(mode="json")


@pytest.mark.parametrize("window", WINDOWS, ids=["all", "september", "since", "until"])
@pytest.mark.parametrize("role", ["manager", "admin"])
def test_every_number_on_the_page_is_the_apis(
    sign_in: Callable[[str], httpx.Client],
    console_url: str,
    console_context: ConsoleContext,
    runtime: Runtime,
    history: Roster,
    role: str,
    window: dict[str, str],
) -> None:
    member = history.by_role(role)
    documents = {name: _api(console_url, member, name, window) for name in API_REPORTS}
    documents["buckets"] = _buckets(console_context, runtime, member, window)
    page = sign_in(role).get("/console/reports", params=window)
    assert page.status_code == 200, page.text
    compared = compare_page(page.text, documents)
    assert compared >= 20
    # The buckets count the same escalations as the API's first response.
    escalations = documents["escalations"]
    assert (
        sum(b["count"] for b in documents["buckets"]["buckets"])
        == escalations["first_response_minutes"]["count"]
    )
    assert documents["buckets"]["unanswered"] == escalations["unanswered"]


def test_the_seeded_history_shows_what_a_manager_should_read(
    sign_in: Callable[[str], httpx.Client], console_url: str, history: Roster
) -> None:
    """The comparison above is only as good as the data: the history has something in every
    report, and the other team's onboardings stay out of the manager's numbers."""
    window: dict[str, str] = {}
    nps = _api(console_url, history.manager, "nps", window)
    assert (nps["responses"], nps["promoters"], nps["detractors"]) == (4, 2, 1)
    assert nps["nps"] == 25.0
    assert _api(console_url, history.admin, "nps", window)["responses"] == 5
    page = sign_in("manager").get("/console/reports").text
    for comment in (COMMENTS[0], "&lt;b&gt;não&lt;/b&gt; gostei"):
        assert comment in page  # escaped, never markup
    assert "<b>não</b>" not in page
    assert page.count('role="img"') >= 6
    duration = _api(console_url, history.manager, "duration", window)
    assert (duration["within_target_low"], duration["within_target_high"]) == (1, 1)
    sla = _api(console_url, history.manager, "sla", window)
    assert sla["breached_now"], "a stuck onboarding breaches its SLA"


CSV_KEYS: dict[str, tuple[str, list[str], list[str]]] = {
    # name: (API report, where the rows are, the API field of each column after the keys)
    "funnel": ("funnel", [], ["reached", "current", "moved_on", "dropped", "drop_off_rate"]),
    "time-in-stage": (
        "time-in-stage",
        ["stages"],
        ["hours.count", "hours.median", "hours.p90", "business_hours.median", "business_hours.p90"],
    ),
    "sla": ("sla", ["stages"], ["visits", "breached", "at_risk_now", "breach_rate"]),
}


# long: every report's CSV compared with the API's numbers, one report after another
@pytest.mark.parametrize("window", WINDOWS[:2], ids=["all", "september"])
def test_every_csv_number_is_the_apis(
    sign_in: Callable[[str], httpx.Client],
    console_url: str,
    console_context: ConsoleContext,
    runtime: Runtime,
    history: Roster,
    window: dict[str, str],
) -> None:
    client = sign_in("manager")
    member = history.manager
    api = {name: _api(console_url, member, name, window) for name in API_REPORTS}
    buckets = _buckets(console_context, runtime, member, window)

    def download(name: str) -> list[list[str]]:
        answer = client.get(f"/console/reports/{name}.csv", params=window)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "text/csv; charset=utf-8"
        assert "attachment" in answer.headers["content-disposition"]
        return read_csv(answer.content)

    # Per-stage tables: rows in the API's order, numbers column by column.
    funnel_rows = [s for seg in api["funnel"]["segments"] for s in seg["stages"]]
    for name, (report, where, fields) in CSV_KEYS.items():
        header, *rows = download(name)
        assert len(header) == 2 + len(fields)
        expected = funnel_rows if name == "funnel" else resolve(api[report], where[0])
        assert len(rows) == len(expected), name
        for row, item in zip(rows, expected, strict=True):
            for cell, field in zip(row[2:], fields, strict=True):
                value = resolve(item, field)
                got = csv_number(cell)
                if field.endswith("_rate") and got is not None:
                    got /= 100
                assert got == pytest.approx(value) if value is not None else got is None, (
                    name,
                    field,
                    cell,
                    value,
                )

    header, *rows = download("duration")
    duration = api["duration"]
    assert [csv_number(r[1]) for r in rows] == [
        duration["completed"],
        duration["days"]["median"],
        duration["days"]["p90"],
        duration["within_target_low"],
        duration["within_target_high"],
        duration["over_target"],
        duration["open_over_target"],
    ]
    header, *rows = download("nps")
    nps = api["nps"]
    assert [csv_number(r[1]) for r in rows] == [
        nps["responses"],
        nps["nps"],
        nps["average_score"],
        nps["promoters"],
        nps["passives"],
        nps["detractors"],
    ]
    header, *rows = download("nps-comments")
    assert [int(r[1]) for r in rows] == [c["score"] for c in nps["comments"]]
    # A comment that looks like a formula is written as text, never run by a spreadsheet.
    comments = [r[3] for r in rows]
    assert [c.removeprefix("'") for c in comments] == [c["comment"] for c in nps["comments"]]
    assert all(not c.startswith(("=", "+", "-", "@")) for c in comments)

    header, *rows = download("escalations")
    assert [int(r[1]) for r in rows] == [b["count"] for b in buckets["buckets"]] + [
        api["escalations"]["unanswered"]
    ]
    header, *rows = download("escalations-by-csm")
    assert [(int(r[1]), csv_number(r[2]), csv_number(r[3])) for r in rows] == [
        (
            c["answered"],
            c["first_response_minutes"]["median"],
            c["first_response_minutes"]["p90"],
        )
        for c in api["escalations"]["by_csm"]
    ]
    header, *rows = download("sla-breached-now")
    assert [csv_number(r[3]) for r in rows] == [
        b["overdue_business_hours"] for b in api["sla"]["breached_now"]
    ]


def test_the_csv_opens_in_excel_pt_br(
    sign_in: Callable[[str], httpx.Client], history: Roster
) -> None:
    """A BOM, ``;`` between fields, decimal commas, CRLF; accents intact."""
    body = sign_in("manager").get("/console/reports/time-in-stage.csv").content
    assert body.startswith(b"\xef\xbb\xbf")
    text = body[3:].decode("utf-8")
    first = text.split("\r\n")[0]
    assert first.startswith("Segmento;Etapa;")
    assert re.search(r";[0-9]+,[0-9]+", text), "a decimal comma in a number of hours"
    assert not re.search(r"[0-9]\.[0-9]", text), "no decimal point"
    assert "Validação" in text


def test_csms_are_refused_the_reports_and_their_csvs(
    sign_in: Callable[[str], httpx.Client], history: Roster
) -> None:
    client = sign_in("csm_owner")
    page = client.get("/console/reports")
    assert page.status_code == 403
    assert "Você não tem acesso a isto" in page.text
    assert client.get("/console/reports/funnel.csv").status_code == 403


@pytest.mark.parametrize(
    "params",
    [
        {"since": "2026-02-30"},
        {"until": "0"},
        {"since": "1999-12-31"},
        {"until": "3000-01-01"},
        {"since": "ontem"},
        {"since": "2026-10-02", "until": "2026-10-01"},
    ],
)
def test_bad_days_are_a_422_with_the_reason_never_a_500(
    sign_in: Callable[[str], httpx.Client], history: Roster, params: dict[str, str]
) -> None:
    client = sign_in("manager")
    page = client.get("/console/reports", params=params)
    assert page.status_code == 422
    assert 'role="alert"' in page.text and 'aria-invalid="true"' in page.text
    assert client.get("/console/reports/nps.csv", params=params).status_code == 422


def test_an_unknown_csv_is_a_404(sign_in: Callable[[str], httpx.Client], history: Roster) -> None:
    assert sign_in("admin").get("/console/reports/salaries.csv").status_code == 404


def test_the_page_reads_in_english_too(
    sign_in: Callable[[str], httpx.Client], history: Roster
) -> None:
    client = sign_in("manager")
    page = client.get("/console/reports")
    client.post(
        "/console/language",
        data={"language": "en", "back": "/console/reports", "csrf_token": _csrf(page.text)},
    )
    english = client.get("/console/reports")
    assert "Funnel by stage" in english.text
    assert "Funil por etapa" in page.text


def _csrf(html: str) -> str:
    from tests.console.conftest import csrf_of

    return csrf_of(html)
