"""Report documents (all JSON, all filtered by a date range)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class Window(BaseModel):
    since: datetime | None = Field(description="inclusive, start of the local day")
    until: datetime | None = Field(description="exclusive, start of the local day after `until`")


class Distribution(BaseModel):
    count: int
    median: float | None
    p90: float | None


class StageTime(BaseModel):
    segment: str
    stage: str
    hours: Distribution = Field(description="calendar hours in the stage")
    business_hours: Distribution = Field(description="business hours in the stage")


class TimeInStageReport(BaseModel):
    window: Window
    stages: list[StageTime] = Field(description="completed stage visits that ended in the window")


class FunnelStage(BaseModel):
    stage: str
    reached: int = Field(description="onboardings that entered the stage")
    current: int = Field(description="onboardings in the stage now")
    moved_on: int = Field(description="onboardings that reached a later stage of the funnel")
    dropped: int = Field(description="onboardings cancelled while in the stage")
    drop_off_rate: float | None = Field(description="dropped / reached")


class FunnelSegment(BaseModel):
    segment: str
    started: int
    completed: int
    cancelled: int
    stages: list[FunnelStage]


class FunnelReport(BaseModel):
    window: Window
    segments: list[FunnelSegment] = Field(description="onboardings created in the window")


class StageBreaches(BaseModel):
    segment: str
    stage: str
    visits: int
    breached: int
    at_risk_now: int
    breach_rate: float | None


class BreachedOnboarding(BaseModel):
    onboarding_id: int
    segment: str
    stage: str
    due_at: datetime
    overdue_business_hours: float


class SlaBreachReport(BaseModel):
    window: Window
    stages: list[StageBreaches] = Field(description="stage visits entered in the window")
    breached_now: list[BreachedOnboarding]


class CountByKey(BaseModel):
    key: str
    count: int


class CsmResponse(BaseModel):
    staff_id: int
    name: str
    answered: int
    first_response_minutes: Distribution


class EscalationReport(BaseModel):
    window: Window
    total: int
    by_reason: list[CountByKey]
    by_queue: list[CountByKey]
    by_status: list[CountByKey]
    unanswered: int = Field(description="escalations with no staff message yet")
    first_response_minutes: Distribution = Field(
        description="from the escalation to the first staff message in its conversation"
    )
    by_csm: list[CsmResponse]


class ResponseBucket(BaseModel):
    key: str = Field(description="under_1h, 1h_to_4h, 4h_to_8h, 8h_to_24h, over_24h")
    upper_minutes: int | None = Field(description="exclusive upper bound; None: no bound")
    count: int


class FirstResponseBuckets(BaseModel):
    """The escalations of ``EscalationReport`` counted by first-response time (console only)."""

    window: Window
    total: int
    answered: int
    unanswered: int
    buckets: list[ResponseBucket]


class DurationReport(BaseModel):
    window: Window
    target_days: tuple[int, int]
    completed: int
    days: Distribution
    within_target_low: int = Field(description="completed in at most the lower target (30 days)")
    within_target_high: int = Field(description="completed in more than 30 and up to 60 days")
    over_target: int = Field(description="completed in more than 60 days")
    open_over_target: int = Field(description="still open and older than the upper target now")


class NpsComment(BaseModel):
    onboarding_id: int | None
    booking_id: int | None = Field(description="the training session the answer is about")
    score: int
    comment: str
    answered_at: datetime


class NpsReport(BaseModel):
    window: Window
    responses: int
    average_score: float | None = Field(description="mean score, 0 to 10")
    promoters: int = Field(description="scores 9 and 10")
    passives: int = Field(description="scores 7 and 8")
    detractors: int = Field(description="scores 0 to 6")
    nps: float | None = Field(description="% promoters − % detractors, −100 to 100")
    comments: list[NpsComment] = Field(description="the latest comments in the range, newest first")
