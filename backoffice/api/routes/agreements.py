"""What was agreed with the client: list and record an onboarding's agreements, mark one done
or cancel it. Scope as the onboarding's; every change audited (``backoffice.agreements``)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Path, status

from backoffice.agreements import (
    AgreementDraft,
    close_agreement,
    list_agreements,
    record_agreement,
)
from backoffice.api.deps import ContextDep, CurrentStaff, OnboardingId, SessionDep
from backoffice.problems import CONFLICT_RESPONSE
from backoffice.schemas.agreements import AgreementCreate, AgreementPublic, AgreementUpdate
from backoffice.schemas.common import ID_MAX
from bot.storage.models.agreements import Agreement

__all__ = ["register"]

TAGS: list[str | Enum] = ["pipeline"]

AgreementId = Annotated[int, Path(ge=1, le=ID_MAX, description="agreement id")]


def get_agreements(
    onboarding_id: OnboardingId, session: SessionDep, *, principal: CurrentStaff
) -> list[Agreement]:
    _onboarding, rows = list_agreements(session, principal, onboarding_id=onboarding_id)
    return rows


def create_agreement(
    onboarding_id: OnboardingId,
    body: AgreementCreate,
    *,
    session: SessionDep,
    principal: CurrentStaff,
    context: ContextDep,
) -> Agreement:
    agreement = record_agreement(
        session,
        principal,
        onboarding_id=onboarding_id,
        draft=AgreementDraft(
            what=body.what,
            owed_by=body.owed_by,
            due_on=body.due_on,
            stage=body.stage.value if body.stage is not None else None,
        ),
        now=context.now(),
        calendar=context.calendar,
        pipelines=context.pipelines,
    )
    session.commit()
    return agreement


def update_agreement(
    agreement_id: AgreementId,
    body: AgreementUpdate,
    *,
    session: SessionDep,
    principal: CurrentStaff,
    context: ContextDep,
) -> Agreement:
    agreement = close_agreement(
        session, principal, agreement_id=agreement_id, status=body.status, now=context.now()
    )
    session.commit()
    return agreement


def register(router: APIRouter) -> None:
    """Adds this resource's routes to ``router``."""
    router.add_api_route(
        "/onboardings/{onboarding_id}/agreements",
        get_agreements,
        methods=["GET"],
        tags=TAGS,
        response_model=list[AgreementPublic],
        summary="What was agreed with the client (deadlines), by due date",
    )
    router.add_api_route(
        "/onboardings/{onboarding_id}/agreements",
        create_agreement,
        methods=["POST"],
        tags=TAGS,
        response_model=AgreementPublic,
        status_code=status.HTTP_201_CREATED,
        responses=CONFLICT_RESPONSE,
        summary="Record an agreement: what, who owes it, by which business day (audited)",
    )
    router.add_api_route(
        "/agreements/{agreement_id}",
        update_agreement,
        methods=["PATCH"],
        tags=TAGS,
        response_model=AgreementPublic,
        responses=CONFLICT_RESPONSE,
        summary="Mark an open agreement done or cancel it (audited)",
    )
