"""The pipeline: onboardings with their SLA, stage changes, red flags, CSM, pauses, approval."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backoffice.access import load_onboarding, onboarding_scope
from backoffice.api.deps import (
    BackofficeContext,
    ContextDep,
    CurrentStaff,
    ItemId,
    OnboardingId,
    PagingDep,
    SessionDep,
)
from backoffice.api.presenters import present
from backoffice.api.routing import add_routes, route
from backoffice.onboardings import (
    approve,
    assign_csm,
    close_pause,
    move_stage,
    open_pause,
    set_red_flag,
)
from backoffice.pipeline import PipelineTemplate
from backoffice.problems import CONFLICT_RESPONSE
from backoffice.schemas.common import ID_MAX, Page
from backoffice.schemas.onboardings import (
    ApprovalCreate,
    ApprovalPublic,
    CsmAssignment,
    OnboardingPublic,
    PauseCreate,
    PausePublic,
    RedFlagSet,
    StageChangePublic,
    TransitionCreate,
)
from backoffice.stage_notices import link_policy
from bot.domain.onboarding import Segment, Stage
from bot.storage.models import Onboarding, SlaPause, StageChange

TAGS: list[str | Enum] = ["pipeline"]


def _one(
    session: Session, context: BackofficeContext, *, onboarding: Onboarding
) -> OnboardingPublic:
    return present(session, context, onboardings=[onboarding])[0]


def pipelines(context: ContextDep, principal: CurrentStaff) -> list[PipelineTemplate]:
    return list(context.pipelines)


def list_onboardings(
    session: SessionDep,
    principal: CurrentStaff,
    *,
    context: ContextDep,
    paging: PagingDep,
    stage: Stage | None = None,
    segment: Segment | None = None,
    csm_id: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None,
    unassigned: bool | None = None,
    red_flag: bool | None = None,
    sla_status: Literal["on_track", "at_risk", "breached"] | None = None,
) -> Page[OnboardingPublic]:
    query = select(Onboarding).where(onboarding_scope(principal))
    if stage is not None:
        query = query.where(Onboarding.stage == stage.value)
    if segment is not None:
        query = query.where(Onboarding.segment == segment.value)
    if csm_id is not None:
        query = query.where(Onboarding.csm_id == csm_id)
    if unassigned is not None:
        query = query.where(
            Onboarding.csm_id.is_(None) if unassigned else Onboarding.csm_id.is_not(None)
        )
    if red_flag is not None:
        query = query.where(Onboarding.red_flag.is_(red_flag))
    query = query.order_by(Onboarding.id)
    if sla_status is None:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = list(session.scalars(query.limit(paging.limit).offset(paging.offset)))
        items = present(session, context, onboardings=rows)
    else:
        matching = [
            o
            for o in present(session, context, onboardings=list(session.scalars(query)))
            if o.sla is not None and o.sla.status == sla_status
        ]
        total = len(matching)
        items = matching[paging.offset : paging.offset + paging.limit]
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)


def get_onboarding(
    onboarding_id: OnboardingId,
    session: SessionDep,
    *,
    principal: CurrentStaff,
    context: ContextDep,
) -> OnboardingPublic:
    return _one(
        session,
        context,
        onboarding=load_onboarding(session, principal, onboarding_id=onboarding_id),
    )


def stage_history(
    onboarding_id: OnboardingId, session: SessionDep, *, principal: CurrentStaff
) -> list[StageChange]:
    load_onboarding(session, principal, onboarding_id=onboarding_id)
    return list(
        session.scalars(
            select(StageChange)
            .where(StageChange.onboarding_id == onboarding_id)
            .order_by(StageChange.at, StageChange.id)
        )
    )


def transition(
    onboarding_id: OnboardingId,
    body: TransitionCreate,
    *,
    session: SessionDep,
    principal: CurrentStaff,
    context: ContextDep,
) -> OnboardingPublic:
    onboarding = load_onboarding(session, principal, onboarding_id=onboarding_id)
    move_stage(
        session,
        onboarding,
        principal=principal,
        to_stage=body.to_stage.value,
        reason=body.reason,
        now=context.now(),
        pipelines=context.pipelines,
        links=link_policy(context.settings),
    )
    session.commit()
    context.wake_outbox()  # a move forward queued the client's notice
    return _one(session, context, onboarding=onboarding)


def raise_red_flag(
    onboarding_id: OnboardingId,
    body: RedFlagSet,
    *,
    session: SessionDep,
    principal: CurrentStaff,
    context: ContextDep,
) -> OnboardingPublic:
    onboarding = load_onboarding(session, principal, onboarding_id=onboarding_id)
    set_red_flag(session, onboarding, principal=principal, reason=body.reason, now=context.now())
    session.commit()
    return _one(session, context, onboarding=onboarding)


def clear_red_flag(
    onboarding_id: OnboardingId,
    session: SessionDep,
    *,
    principal: CurrentStaff,
    context: ContextDep,
) -> OnboardingPublic:
    onboarding = load_onboarding(session, principal, onboarding_id=onboarding_id)
    set_red_flag(session, onboarding, principal=principal, reason=None, now=context.now())
    session.commit()
    return _one(session, context, onboarding=onboarding)


def put_csm(
    onboarding_id: OnboardingId,
    body: CsmAssignment,
    *,
    session: SessionDep,
    principal: CurrentStaff,
    context: ContextDep,
) -> OnboardingPublic:
    onboarding = load_onboarding(session, principal, onboarding_id=onboarding_id)
    assign_csm(session, onboarding, principal=principal, csm_id=body.csm_id, now=context.now())
    session.commit()
    return _one(session, context, onboarding=onboarding)


def list_pauses(
    onboarding_id: OnboardingId, session: SessionDep, *, principal: CurrentStaff
) -> list[SlaPause]:
    load_onboarding(session, principal, onboarding_id=onboarding_id)
    return list(
        session.scalars(
            select(SlaPause).where(SlaPause.onboarding_id == onboarding_id).order_by(SlaPause.id)
        )
    )


def create_pause(
    onboarding_id: OnboardingId,
    body: PauseCreate,
    *,
    session: SessionDep,
    principal: CurrentStaff,
    context: ContextDep,
) -> SlaPause:
    onboarding = load_onboarding(session, principal, onboarding_id=onboarding_id)
    pause = open_pause(
        session, onboarding, principal=principal, reason=body.reason, now=context.now()
    )
    session.commit()
    return pause


def end_pause(
    onboarding_id: OnboardingId,
    pause_id: ItemId,
    *,
    session: SessionDep,
    principal: CurrentStaff,
    context: ContextDep,
) -> SlaPause:
    onboarding = load_onboarding(session, principal, onboarding_id=onboarding_id)
    pause = close_pause(
        session, onboarding, principal=principal, pause_id=pause_id, now=context.now()
    )
    session.commit()
    return pause


def approve_onboarding(
    onboarding_id: OnboardingId,
    body: ApprovalCreate,
    *,
    session: SessionDep,
    principal: CurrentStaff,
    context: ContextDep,
) -> ApprovalPublic:
    onboarding = load_onboarding(session, principal, onboarding_id=onboarding_id)
    push = approve(
        session,
        onboarding,
        principal=principal,
        approval_roles=context.settings.approval_roles,
        reason=body.reason,
        now=context.now(),
        pipelines=context.pipelines,
        links=link_policy(context.settings),
    )
    session.commit()
    context.wake_outbox()  # the approval queued the client's notice
    return ApprovalPublic(
        onboarding=_one(session, context, onboarding=onboarding), erp_push_id=push.id
    )


ROUTES = (
    route(
        "/pipelines",
        pipelines,
        methods=["GET"],
        response_model=list[PipelineTemplate],
        summary="Pipeline templates",
    ),
    route(
        "/onboardings",
        list_onboardings,
        methods=["GET"],
        response_model=Page[OnboardingPublic],
        summary="Onboardings in scope",
    ),
    route(
        "/onboardings/{onboarding_id}",
        get_onboarding,
        methods=["GET"],
        response_model=OnboardingPublic,
        summary="One onboarding, with its SLA",
    ),
    route(
        "/onboardings/{onboarding_id}/history",
        stage_history,
        methods=["GET"],
        response_model=list[StageChangePublic],
        summary="Stage history (who, when, why)",
    ),
    route(
        "/onboardings/{onboarding_id}/transitions",
        transition,
        methods=["POST"],
        response_model=OnboardingPublic,
        responses=CONFLICT_RESPONSE,
        summary="Move to another stage (validated by the template)",
    ),
    route(
        "/onboardings/{onboarding_id}/red-flag",
        raise_red_flag,
        methods=["PUT"],
        response_model=OnboardingPublic,
        summary="Mark at risk, with a reason",
    ),
    route(
        "/onboardings/{onboarding_id}/red-flag",
        clear_red_flag,
        methods=["DELETE"],
        response_model=OnboardingPublic,
        summary="Clear the red flag",
    ),
    route(
        "/onboardings/{onboarding_id}/csm",
        put_csm,
        methods=["PUT"],
        response_model=OnboardingPublic,
        summary="Assign the CSM (manager: own team; admin)",
    ),
    route(
        "/onboardings/{onboarding_id}/pauses",
        list_pauses,
        methods=["GET"],
        response_model=list[PausePublic],
        summary="Times staff marked the onboarding as waiting on the client",
    ),
    route(
        "/onboardings/{onboarding_id}/pauses",
        create_pause,
        methods=["POST"],
        response_model=PausePublic,
        status_code=status.HTTP_201_CREATED,
        responses=CONFLICT_RESPONSE,
        summary="Waiting on the client from now (the client's next message ends it)",
    ),
    route(
        "/onboardings/{onboarding_id}/pauses/{pause_id}/end",
        end_pause,
        methods=["POST"],
        response_model=PausePublic,
        responses=CONFLICT_RESPONSE,
        summary="No longer waiting on the client",
    ),
    route(
        "/onboardings/{onboarding_id}/approve",
        approve_onboarding,
        methods=["POST"],
        response_model=ApprovalPublic,
        responses=CONFLICT_RESPONSE,
        summary="Approve the registration: next stage and a signed push to the ERP",
    ),
)


def register(router: APIRouter) -> None:
    """Adds this resource's routes to ``router``."""
    add_routes(router, ROUTES, tags=TAGS)
