"""Reports (manager: their team's onboardings; admin: all), JSON with a date range."""

from __future__ import annotations

from enum import Enum

from fastapi import APIRouter

from backoffice import reports
from backoffice.access import escalation_scope, onboarding_scope
from backoffice.api.deps import ContextDep, CurrentStaff, SessionDep, WindowDep
from backoffice.schemas.reports import (
    DurationReport,
    EscalationReport,
    FunnelReport,
    NpsReport,
    SlaBreachReport,
    TimeInStageReport,
)

TAGS: list[str | Enum] = ["reports"]


def time_in_stage(
    session: SessionDep, principal: CurrentStaff, *, context: ContextDep, window: WindowDep
) -> TimeInStageReport:
    principal.require_role("manager", "admin")
    return reports.time_in_stage(
        session, scope=onboarding_scope(principal), window=window, calendar=context.calendar
    )


def funnel(
    session: SessionDep, principal: CurrentStaff, *, context: ContextDep, window: WindowDep
) -> FunnelReport:
    principal.require_role("manager", "admin")
    return reports.funnel(
        session, scope=onboarding_scope(principal), window=window, pipelines=context.pipelines
    )


def sla(
    session: SessionDep, principal: CurrentStaff, *, context: ContextDep, window: WindowDep
) -> SlaBreachReport:
    principal.require_role("manager", "admin")
    return reports.sla_breaches(
        session,
        scope=onboarding_scope(principal),
        window=window,
        pipelines=context.pipelines,
        calendar=context.calendar,
        at_risk_share=context.settings.sla_at_risk_share,
        now=context.now(),
    )


def escalations(
    session: SessionDep, principal: CurrentStaff, *, window: WindowDep
) -> EscalationReport:
    principal.require_role("manager", "admin")
    return reports.escalations(session, scope=escalation_scope(principal), window=window)


def duration(
    session: SessionDep, principal: CurrentStaff, *, context: ContextDep, window: WindowDep
) -> DurationReport:
    principal.require_role("manager", "admin")
    return reports.durations(
        session,
        scope=onboarding_scope(principal),
        window=window,
        target_days=context.settings.onboarding_target_days,
        now=context.now(),
    )


def nps(session: SessionDep, principal: CurrentStaff, *, window: WindowDep) -> NpsReport:
    principal.require_role("manager", "admin")
    return reports.nps(session, scope=onboarding_scope(principal), window=window)


def register(router: APIRouter) -> None:
    """Adds this resource's routes to ``router``."""
    router.add_api_route(
        "/reports/time-in-stage",
        time_in_stage,
        methods=["GET"],
        tags=TAGS,
        response_model=TimeInStageReport,
        summary="Median and p90 time per stage and segment (visits ended in the range)",
    )
    router.add_api_route(
        "/reports/funnel",
        funnel,
        methods=["GET"],
        tags=TAGS,
        response_model=FunnelReport,
        summary="Funnel and drop-off per stage (onboardings created in the range)",
    )
    router.add_api_route(
        "/reports/sla",
        sla,
        methods=["GET"],
        tags=TAGS,
        response_model=SlaBreachReport,
        summary="SLA breaches per stage (visits entered in the range) and breached now",
    )
    router.add_api_route(
        "/reports/escalations",
        escalations,
        methods=["GET"],
        tags=TAGS,
        response_model=EscalationReport,
        summary="Escalations and CSM first-response time (escalations created in the range)",
    )
    router.add_api_route(
        "/reports/duration",
        duration,
        methods=["GET"],
        tags=TAGS,
        response_model=DurationReport,
        summary="Onboarding duration against the 30–60-day target (completed in the range)",
    )
    router.add_api_route(
        "/reports/nps",
        nps,
        methods=["GET"],
        tags=TAGS,
        response_model=NpsReport,
        summary="NPS (answers in the range)",
    )
