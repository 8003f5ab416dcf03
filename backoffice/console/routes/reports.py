"""``GET /console/reports`` (managers and admins) and a CSV per table,
``GET /console/reports/{name}.csv``, for a period ``since``/``until`` (local days, inclusive).

The numbers are the API's by construction: each report document comes from the API's own route
function (``backoffice.api.routes.reports``) called with the signed-in person's principal, the
same context and the window ``get_window`` reads from the same ``Day``s (2000–2999, ``until``
inclusive), so the scope, the settings and the window cannot drift apart. The one report the
API has not, the first response in buckets, is ``backoffice.reports.first_response_buckets``
over the same escalations as the API's ``/reports/escalations``. The SLA's is the API's
computation (``reports.listed_sla_breaches``, with the API route's scope and rules) listing the
``BREACHED_LISTED`` most overdue of the onboardings breached now (the due time of each takes
the whole SLA clock; thousands made the page slow and 400 KB); its CSV lists them all. CSV
choices: see ``backoffice.console.report_tables``.

A day that is not one (``2026-02-30``, ``0``, ``3000-01-01``) or a ``since`` after ``until``
gets the page again with the message, as a 422; a CSV with bad days is a 422 error page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from backoffice import report_reads, reports
from backoffice.access import Principal, escalation_scope, onboarding_scope
from backoffice.api.deps import BackofficeContext, SessionDep, get_window
from backoffice.api.routes import reports as api_reports
from backoffice.console.deps import ConsoleDep, SignedInDep
from backoffice.console.report_outcomes import (
    duration_section,
    escalations_section,
    nps_section,
)
from backoffice.console.report_tables import Table, csv_bytes
from backoffice.console.report_views import (
    N_,
    Section,
    funnel_section,
    sla_section,
    time_in_stage_section,
)
from backoffice.errors import Invalid, NotFound
from backoffice.report_sla import SlaRules
from backoffice.schemas.common import Day
from backoffice.schemas.reports import SlaBreachReport, Window

__all__ = ["CSV_NAMES", "register"]

DayText = Annotated[str | None, Query(max_length=40)]
_DAY: TypeAdapter[date] = TypeAdapter(Day)


@dataclass(frozen=True, slots=True)
class Period:
    since: date | None
    until: date | None

    @property
    def query(self) -> str:
        parts = [
            f"since={self.since}" if self.since else "",
            f"until={self.until}" if self.until else "",
        ]
        joined = "&".join(p for p in parts if p)
        return f"?{joined}" if joined else ""


BAD_SINCE = N_("The first day is not a day from 2000-01-01 to 2999-12-31 (YYYY-MM-DD).")
BAD_UNTIL = N_("The last day is not a day from 2000-01-01 to 2999-12-31 (YYYY-MM-DD).")
BACKWARDS = N_("The first day is after the last day.")


def _day(text: str | None, message: str) -> date | None:
    if text is None or not text.strip():
        return None
    try:
        return _DAY.validate_python(text.strip())
    except ValidationError:
        raise Invalid(message) from None


def _period(since: str | None, until: str | None) -> Period:
    """The period asked for; ``Invalid`` (its detail one of the messages above) otherwise."""
    period = Period(_day(since, BAD_SINCE), _day(until, BAD_UNTIL))
    if period.since and period.until and period.since > period.until:
        raise Invalid(BACKWARDS)
    return period


def _window(context: BackofficeContext, period: Period) -> Window:
    return get_window(context, since=period.since, until=period.until)


# ---------------------------------------------------------------------------- the documents
Loader = Callable[[Session, Principal, BackofficeContext, Window], Any]
LOADERS: dict[str, Loader] = {
    "funnel": lambda s, p, c, w: api_reports.funnel(session=s, principal=p, context=c, window=w),
    "time-in-stage": lambda s, p, c, w: api_reports.time_in_stage(
        session=s, principal=p, context=c, window=w
    ),
    "duration": lambda s, p, c, w: api_reports.duration(
        session=s, principal=p, context=c, window=w
    ),
    "escalations": lambda s, p, c, w: api_reports.escalations(session=s, principal=p, window=w),
    "nps": lambda s, p, c, w: api_reports.nps(session=s, principal=p, window=w),
    "buckets": lambda s, p, c, w: reports.first_response_buckets(
        s, scope=escalation_scope(p), window=w
    ),
}

# The page lists this many of the onboardings breached now (the most overdue), each with the
# due time that takes the whole SLA clock to find; their CSV lists them all.
BREACHED_LISTED = 50


def _sla(
    session: Session,
    principal: Principal,
    *,
    context: BackofficeContext,
    window: Window,
    listed: int | None,
) -> tuple[SlaBreachReport, int]:
    """The API's ``/reports/sla`` (same scope, rules and clock), its breached now cut to the
    ``listed`` most overdue, and how many there are."""
    principal.require_role("manager", "admin")
    rules = SlaRules(
        pipelines=context.pipelines,
        calendar=context.calendar,
        at_risk_share=context.settings.sla_at_risk_share,
    )
    return reports.listed_sla_breaches(
        session,
        scope=onboarding_scope(principal),
        window=window,
        rules=rules,
        now=context.now(),
        listed=listed,
    )


# Each section, from the documents it needs.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("funnel", ("funnel",)),
    ("time-in-stage", ("time-in-stage",)),
    ("sla", ("sla",)),
    ("duration", ("duration",)),
    ("escalations", ("escalations", "buckets")),
    ("nps", ("nps",)),
)
# CSV name → the section whose table (or extra table) it is.
CSV_NAMES: dict[str, str] = {
    "funnel": "funnel",
    "time-in-stage": "time-in-stage",
    "sla": "sla",
    "sla-breached-now": "sla",
    "duration": "duration",
    "escalations": "escalations",
    "escalations-by-csm": "escalations",
    "escalations-by-reason": "escalations",
    "nps": "nps",
    "nps-comments": "nps",
}


def _section(
    name: str,
    documents: dict[str, Any],
    *,
    translate: Callable[[str], str],
    language: str,
    local: Callable[[datetime], str],
) -> Section:
    _ = translate
    if name == "funnel":
        return funnel_section(documents["funnel"], _, language)
    if name == "time-in-stage":
        return time_in_stage_section(documents["time-in-stage"], _, language)
    if name == "sla":
        report, late = documents["sla"]
        return sla_section(report, _, language=language, local=local, late=late)
    if name == "duration":
        return duration_section(documents["duration"], _, language)
    if name == "escalations":
        return escalations_section(
            documents["escalations"], documents["buckets"], _=_, language=language
        )
    return nps_section(documents["nps"], _, language=language, local=local)


def _sections(
    names: list[str],
    *,
    session: Session,
    me: SignedInDep,
    console: ConsoleDep,
    window: Window,
    listed: int | None,
) -> list[Section]:
    """The sections ``names``; ``listed``: how many of the breached now the SLA's lists."""
    context = console.backoffice
    wanted = {doc for name, docs in SECTIONS if name in names for doc in docs}
    documents: dict[str, Any] = {}
    with report_reads.shared_reads(session):  # seven reports, one read of the scope's history
        for doc in wanted:
            documents[doc] = (
                _sla(session, me.principal, context=context, window=window, listed=listed)
                if doc == "sla"
                else LOADERS[doc](session, me.principal, context, window)
            )
    zone = context.calendar.local(context.now()).tzinfo

    def local(at: datetime) -> str:
        return at.astimezone(zone).strftime("%d/%m/%Y %H:%M")

    def translate(message: str) -> str:
        return console.views.gettext(me.language, message)

    return [
        _section(name, documents, translate=translate, language=me.language, local=local)
        for name, _docs in SECTIONS
        if name in names
    ]


# ---------------------------------------------------------------------------- routes
def _presets(context: BackofficeContext) -> list[tuple[str, Period]]:
    today = context.calendar.local(context.now()).date()
    return [
        (N_("Last 7 days"), Period(today - timedelta(days=6), today)),
        (N_("Last 30 days"), Period(today - timedelta(days=29), today)),
        (N_("This month"), Period(today.replace(day=1), today)),
        (N_("All time"), Period(None, None)),
    ]


def reports_page(
    request: Request,
    session: SessionDep,
    *,
    me: SignedInDep,
    console: ConsoleDep,
    since: DayText = None,
    until: DayText = None,
) -> Response:
    me.principal.require_role("manager", "admin")
    values: dict[str, Any] = {
        **me.context,
        "nav": "reports",
        "since": since or "",
        "until": until or "",
        "presets": _presets(console.backoffice),
        "sections": [],
        "error": None,
    }
    try:
        period = _period(since, until)
    except Invalid as exc:
        values["error"] = console.views.gettext(me.language, exc.detail)
        return console.views.render(
            request, "reports.html", context=values, language=me.language, status_code=422
        )
    window = _window(console.backoffice, period)
    values.update(
        period=period,
        sections=_sections(
            [name for name, _docs in SECTIONS],
            session=session,
            me=me,
            console=console,
            window=window,
            listed=BREACHED_LISTED,
        ),
    )
    return console.views.render(request, "reports.html", context=values, language=me.language)


def report_csv(
    name: str,
    session: SessionDep,
    *,
    me: SignedInDep,
    console: ConsoleDep,
    since: DayText = None,
    until: DayText = None,
) -> Response:
    me.principal.require_role("manager", "admin")
    if name not in CSV_NAMES:
        raise NotFound("report", name)
    try:
        period = _period(since, until)
    except Invalid as exc:
        raise Invalid(console.views.gettext(me.language, exc.detail)) from None
    (section,) = _sections(
        [CSV_NAMES[name]],
        session=session,
        me=me,
        console=console,
        window=_window(console.backoffice, period),
        listed=None,
    )
    table = _table(section, name)
    days = "-".join(str(d) for d in (period.since, period.until) if d) or "all"
    return Response(
        csv_bytes(table, me.language),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="acolhe-{name}-{days}.csv"'},
    )


def _table(section: Section, name: str) -> Table:
    return next(t for t in (section.table, *section.extra) if t.name == name)


def register(router: APIRouter) -> None:
    router.add_api_route("/reports", reports_page, methods=["GET"], name="console_reports")
    router.add_api_route(
        "/reports/{name}.csv", report_csv, methods=["GET"], name="console_report_csv"
    )
