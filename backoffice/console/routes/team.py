"""``GET /console/team``: the manager's view (admins: everyone; CSMs 403) — open alerts, each
CSM's load against their cap with reassignment, training availability and sessions with
attendance.

Reading is ``backoffice.team``; every action is an existing use case through the scoped loaders:
``POST /console/team/escalations/{id}/assign`` (``escalations.reassign``),
``POST /console/team/onboardings/{id}/csm`` (``onboardings.assign_csm``),
``POST /console/team/bookings/{id}/attendance`` (``training.record_attendance``). Another
team's CSM is a 403 (the use case's rule), an unknown id a 404, a CSM at their cap or an
escalation that follows its onboarding a 409, a bad form a 422.

With htmx an action answers with the region it changed (``live`` or ``training``), a refusal
included (its status kept; the page's ``hx-on`` swaps 409 and 422 in), and the alerts and loads
region refreshes on the live events of escalations, assignments and alerts; without JavaScript
the forms post and come back to the page (303).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from backoffice.access import load_escalation, load_onboarding
from backoffice.api.deps import SessionDep
from backoffice.console.context import ConsoleContext
from backoffice.console.deps import ConsoleDep, SignedIn, SignedInDep
from backoffice.console.inbox_labels import reason_label
from backoffice.console.report_views import N_, stage_name
from backoffice.errors import Conflict, Invalid
from backoffice.escalations import reassign
from backoffice.onboardings import assign_csm
from backoffice.schemas.common import ID_MAX
from backoffice.team import csm_loads, open_alerts, training_sessions, training_windows
from backoffice.training import ATTENDANCE, load_booking, record_attendance

__all__ = ["LIVE_EVENTS", "register"]

RowId = Annotated[int, Path(ge=1, le=ID_MAX)]
LIVE_EVENTS = (
    "escalation_opened",
    "escalation_assigned",
    "escalation_taken",
    "escalation_resolved",
    "assigned",
    "alert_raised",
    "resync",
)
BOOKING_WORDS = {"booked": N_("Booked"), "attended": N_("Attended"), "no_show": N_("No-show")}
SEVERITY_WORDS = {"critical": N_("Critical"), "warning": N_("Warning"), "info": N_("Information")}
KIND_WORDS = {"escalation": N_("escalation"), "onboarding": N_("onboarding")}
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


def _values(session: Session, me: SignedIn, *, console: ConsoleContext) -> dict[str, Any]:
    now = console.backoffice.now()
    return {
        **me.context,
        "nav": "team",
        "alerts": open_alerts(session, me.principal),
        "team": csm_loads(session, me.principal),
        "windows": training_windows(session, me.principal),
        "sessions": training_sessions(session, me.principal, now=now),
        "weekdays": WEEKDAYS,
        "stage_name": lambda stage: stage_name(stage, me.language),
        "reason_label": lambda code: console.views.gettext(me.language, reason_label(code)),
        "booking_words": BOOKING_WORDS,
        "severity_words": SEVERITY_WORDS,
        "kind_words": KIND_WORDS,
        "live_events": LIVE_EVENTS,
        "announce": None,
        "error": None,
        "opened": set(),  # CSMs whose work list is shown unfolded
        "now": now,
    }


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def team_page(
    request: Request, session: SessionDep, *, me: SignedInDep, console: ConsoleDep
) -> Response:
    me.principal.require_role("manager", "admin")
    return console.views.render(
        request, "team.html", context=_values(session, me, console=console), language=me.language
    )


def team_live(
    request: Request,
    session: SessionDep,
    *,
    me: SignedInDep,
    console: ConsoleDep,
    open: Annotated[str, Query(max_length=2000)] = "",
) -> Response:
    """The alerts and loads region alone (what a live event refreshes); ``open`` names the CSMs
    whose work lists the page had unfolded, so that a refresh does not fold them."""
    me.principal.require_role("manager", "admin")
    values = _values(session, me, console=console)
    values["opened"] = {int(part) for part in open.split(",") if part.strip().isdigit()}
    return console.views.render(
        request, "team.html", context=values, language=me.language, block="live"
    )


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an action answers: its region, the words to announce or the refusal, the CSMs
    whose work lists to unfold (the holder before and after)."""

    block: str
    announce: str | None = None
    refused: Conflict | Invalid | None = None
    opened: frozenset[int | None] = frozenset()


def _answer(
    request: Request, session: Session, *, me: SignedIn, console: ConsoleContext, outcome: Outcome
) -> Response:
    if not _is_htmx(request):
        if outcome.refused is not None:
            raise outcome.refused
        return RedirectResponse("/console/team", status_code=303)
    values = _values(session, me, console=console)
    error = None
    if outcome.refused is not None:
        headline = console.views.gettext(me.language, "This could not be done")
        error = f"{headline}: {outcome.refused.detail}"
    values.update(
        announce=outcome.announce, error=error, error_block=outcome.block, opened=outcome.opened
    )
    return console.views.render(
        request,
        "team.html",
        context=values,
        language=me.language,
        block=outcome.block,
        status_code=outcome.refused.status if outcome.refused is not None else 200,
    )


def _staff_id(text: str) -> int | None:
    """A CSM's id from a form; empty means "by the rule" / "back to the queue"."""
    if not text.strip():
        return None
    if not text.strip().isdigit() or not 1 <= int(text) <= ID_MAX:
        raise Invalid(f"{text!r} is not a staff member's id")
    return int(text)


def assign_escalation(
    escalation_id: RowId,
    request: Request,
    *,
    session: SessionDep,
    me: SignedInDep,
    console: ConsoleDep,
    staff_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    me.principal.require_role("manager", "admin")
    escalation = load_escalation(session, me.principal, escalation_id=escalation_id)
    before = escalation.assigned_to
    try:
        reassign(
            session,
            escalation,
            principal=me.principal,
            staff_id=_staff_id(staff_id),
            dedicated_csm=any(
                t.dedicated_csm
                for t in console.backoffice.pipelines
                if t.segment.value == escalation.queue
            ),
            now=console.backoffice.now(),
        )
    except (Conflict, Invalid) as refused:
        session.rollback()
        outcome = Outcome("live", refused=refused, opened=frozenset({before}))
        return _answer(request, session, me=me, console=console, outcome=outcome)
    after = escalation.assigned_to
    session.commit()
    words = console.views.gettext(me.language, "Escalation #%(id)s reassigned.")
    outcome = Outcome("live", words % {"id": escalation_id}, opened=frozenset({before, after}))
    return _answer(request, session, me=me, console=console, outcome=outcome)


def assign_onboarding(
    onboarding_id: RowId,
    request: Request,
    *,
    session: SessionDep,
    me: SignedInDep,
    console: ConsoleDep,
    csm_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    me.principal.require_role("manager", "admin")
    onboarding = load_onboarding(session, me.principal, onboarding_id=onboarding_id)
    before = onboarding.csm_id
    try:
        assign_csm(
            session,
            onboarding,
            principal=me.principal,
            csm_id=_staff_id(csm_id),
            now=console.backoffice.now(),
        )
    except (Conflict, Invalid) as refused:
        session.rollback()
        outcome = Outcome("live", refused=refused, opened=frozenset({before}))
        return _answer(request, session, me=me, console=console, outcome=outcome)
    after = onboarding.csm_id
    session.commit()
    words = console.views.gettext(me.language, "Onboarding #%(id)s reassigned.")
    outcome = Outcome("live", words % {"id": onboarding_id}, opened=frozenset({before, after}))
    return _answer(request, session, me=me, console=console, outcome=outcome)


def attendance(
    booking_id: RowId,
    request: Request,
    *,
    session: SessionDep,
    me: SignedInDep,
    console: ConsoleDep,
    status: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    me.principal.require_role("manager", "admin")
    booking = load_booking(session, me.principal, booking_id=booking_id)
    try:
        if status not in ATTENDANCE:
            raise Invalid(f"attendance is one of {', '.join(ATTENDANCE)}, not {status!r}")
        record_attendance(
            session, booking, status=status, principal=me.principal, now=console.backoffice.now()
        )
    except (Conflict, Invalid) as refused:
        session.rollback()
        return _answer(
            request, session, me=me, console=console, outcome=Outcome("training", refused=refused)
        )
    session.commit()
    words = console.views.gettext(me.language, "Attendance recorded.")
    return _answer(request, session, me=me, console=console, outcome=Outcome("training", words))


def register(router: APIRouter) -> None:
    router.add_api_route("/team", team_page, methods=["GET"], name="console_team")
    router.add_api_route("/team/live", team_live, methods=["GET"], name="console_team_live")
    router.add_api_route(
        "/team/escalations/{escalation_id}/assign", assign_escalation, methods=["POST"]
    )
    router.add_api_route(
        "/team/onboardings/{onboarding_id}/csm", assign_onboarding, methods=["POST"]
    )
    router.add_api_route("/team/bookings/{booking_id}/attendance", attendance, methods=["POST"])
