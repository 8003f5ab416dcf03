"""DTOs of the agreements recorded with the client (issue #17)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from backoffice.schemas.common import NO_NUL, Day, PublicModel, RequestBody
from bot.domain.onboarding import Stage

__all__ = ["AgreementCreate", "AgreementPublic", "AgreementUpdate"]

AgreementText = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=NO_NUL)]


class AgreementCreate(RequestBody):
    """What was agreed, who owes it, by which business day (today or later), for which stage."""

    what: AgreementText
    owed_by: Literal["client", "company"]
    due_on: Day
    stage: Stage | None = Field(default=None, strict=False)  # the stage's name, as an enum


class AgreementUpdate(RequestBody):
    """Closes an open agreement: done, or cancelled."""

    status: Literal["done", "cancelled"]


class AgreementPublic(PublicModel):
    id: int
    onboarding_id: int
    client_id: int
    what: str
    owed_by: str
    due_on: date
    stage: str | None
    status: str
    created_at: datetime
    created_by: str
    closed_at: datetime | None
    closed_by: str | None
