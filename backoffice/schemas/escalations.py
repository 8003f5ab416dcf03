"""Escalations: the queue, assignment and resolution."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from backoffice.schemas.common import PublicModel, RequestBody


class EscalationPublic(PublicModel):
    id: int
    conversation_id: int
    onboarding_id: int | None
    reason: str
    detail: str
    queue: str
    status: str
    assigned_to: int | None
    created_at: datetime
    taken_at: datetime | None
    resolved_at: datetime | None


class EscalationAssign(RequestBody):
    staff_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="null: apply the auto-assignment rule"
    )
