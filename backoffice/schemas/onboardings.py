"""Onboardings, their SLA, stage history, pauses and approval."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from backoffice.schemas.common import PublicModel, Reason, RequestBody, RequiredReason
from bot.domain.onboarding import Stage


class SlaPublic(BaseModel):
    stage: str
    target_business_hours: float
    status: Literal["on_track", "at_risk", "breached"]
    due_at: datetime
    elapsed_business_hours: float
    remaining_business_hours: float
    client_waiting_business_hours: float = Field(
        description="business hours the client waited for the company in this stage"
    )
    company_waiting_business_hours: float = Field(
        description="business hours the company waited for the client in this stage"
    )
    waiting_on: Literal["client", "company"] = Field(description="who holds the ball now")
    clock_paused: bool = Field(description="the clock stands still now (waiting on the client)")


class OnboardingPublic(PublicModel):
    id: int
    client_id: int
    company_name: str | None = None
    segment: str
    stage: str
    stage_entered_at: datetime
    csm_id: int | None
    red_flag: bool
    red_flag_reason: str | None
    created_at: datetime
    completed_at: datetime | None
    sla: SlaPublic | None = None


class StageChangePublic(PublicModel):
    id: int
    from_stage: str | None
    to_stage: str
    at: datetime
    actor: str
    reason: str


class TransitionCreate(RequestBody):
    to_stage: Stage = Field(strict=False)  # the stage's name, read into the enum
    reason: RequiredReason


class RedFlagSet(RequestBody):
    reason: RequiredReason


class CsmAssignment(RequestBody):
    csm_id: int | None = Field(ge=1, le=2**31 - 1, description="null returns it to the queue")


class PauseCreate(RequestBody):
    reason: RequiredReason


class PausePublic(PublicModel):
    id: int
    onboarding_id: int
    stage: str
    reason: str
    started_at: datetime
    started_by: int
    ended_at: datetime | None
    ended_by: int | None


class ApprovalCreate(RequestBody):
    reason: Reason = ""


class ApprovalPublic(BaseModel):
    onboarding: OnboardingPublic
    erp_push_id: int
