"""Staff members and their API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from backoffice.schemas.common import NO_NUL, Email, PublicModel, RequestBody

Role = Literal["admin", "manager", "csm"]
SegmentName = Literal["self_service", "enterprise"]
Name = Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=NO_NUL)]
Team = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=NO_NUL)]
Label = Annotated[str, StringConstraints(max_length=80, pattern=NO_NUL)]


class StaffCreate(RequestBody):
    name: Name
    email: Email
    role: Role
    team: Team = "default"
    segment: SegmentName | None = Field(default=None, description="queue the CSM serves; none: all")
    max_open_escalations: int | None = Field(
        default=None, ge=1, le=1000, description="default: ONBOARD_CSM_MAX_OPEN_ESCALATIONS"
    )


class StaffUpdate(RequestBody):
    name: Name | None = None
    role: Role | None = None
    team: Team | None = None
    segment: SegmentName | None = None
    max_open_escalations: int | None = Field(default=None, ge=1, le=1000)
    active: bool | None = None


class StaffPublic(PublicModel):
    id: int
    name: str
    email: str
    role: str
    team: str
    segment: str | None
    max_open_escalations: int
    active: bool
    created_at: datetime


class StaffLoad(StaffPublic):
    open_escalations: int


class TokenCreate(RequestBody):
    label: Label = ""


class TokenPublic(PublicModel):
    id: int
    staff_id: int
    label: str
    created_at: datetime
    revoked_at: datetime | None


class TokenIssued(TokenPublic):
    token: str = Field(description="shown once; only its SHA-256 is stored")
