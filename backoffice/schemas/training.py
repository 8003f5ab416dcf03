"""Training: CSM availability windows, exceptions, sessions and bookings."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

from backoffice.schemas.common import NO_NUL, Day, Identifier, PublicModel, RequestBody

_LOCAL_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


def _time_of_day(value: object) -> object:
    if not isinstance(value, str):
        return value  # a time passes; anything else is refused by the time validator
    if not re.fullmatch(_LOCAL_TIME, value):
        raise ValueError("give a local wall-clock time (HH:MM) without a UTC offset")
    return time.fromisoformat(value)


def _wall_clock(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("give a local wall-clock time (HH:MM) without a UTC offset")
    return value


# JSON Schema's "time" format demands a UTC offset; these are wall-clock times, so a pattern.
LocalTime = Annotated[
    time,
    BeforeValidator(_time_of_day),
    AfterValidator(_wall_clock),
    PlainSerializer(lambda value: value.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": _LOCAL_TIME,
            "description": "local wall-clock time in the company's time zone, HH:MM[:SS]",
            "examples": ["09:00"],
        }
    ),
]
MeetingUrl = Annotated[
    str,
    # Printable ASCII: Python's \s and JSON Schema's (ECMA 262) do not name the same characters.
    StringConstraints(max_length=500, pattern=r"^(https?://[!-~]+)?$"),
    Field(description="the video call every session of the window uses; empty: none"),
]
Weekday = Annotated[int, Field(ge=0, le=6, description="0 Monday … 6 Sunday")]
Minutes = Annotated[int, Field(ge=5, le=480, description="length of one session")]
Capacity = Annotated[int, Field(ge=1, le=500, description="clients per session")]
BookingStatus = Literal["booked", "cancelled", "no_show", "attended"]


class AvailabilityCreate(RequestBody):
    csm_id: Identifier
    weekday: Weekday
    starts: LocalTime
    ends: LocalTime
    duration_minutes: Minutes = 60
    capacity: Capacity = 1
    meeting_url: MeetingUrl = ""
    valid_from: Day | None = Field(default=None, description="first local day; none: always")
    valid_until: Day | None = Field(default=None, description="last local day; none: always")


class AvailabilityUpdate(RequestBody):
    """Only the fields sent change; ``valid_from``/``valid_until`` null clears them."""

    weekday: Weekday | None = None
    starts: LocalTime | None = None
    ends: LocalTime | None = None
    duration_minutes: Minutes | None = None
    capacity: Capacity | None = None
    meeting_url: MeetingUrl | None = None
    valid_from: Day | None = None
    valid_until: Day | None = None
    active: bool | None = None


class AvailabilityPublic(PublicModel):
    id: int
    csm_id: int
    weekday: int
    starts: LocalTime
    ends: LocalTime
    duration_minutes: int
    capacity: int
    meeting_url: str
    valid_from: date | None
    valid_until: date | None
    active: bool
    created_at: datetime


class ExceptionCreate(RequestBody):
    csm_id: Identifier | None = Field(default=None, description="none: nobody trains (managers)")
    day: Day = Field(description="local day")
    starts: LocalTime | None = Field(default=None, description="none (with ends): the whole day")
    ends: LocalTime | None = None
    reason: Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)] = ""


class ExceptionPublic(PublicModel):
    id: int
    csm_id: int | None
    day: date
    starts: LocalTime | None
    ends: LocalTime | None
    reason: str
    created_at: datetime


class SlotPublic(PublicModel):
    id: int
    csm_id: int
    starts_at: datetime
    ends_at: datetime
    capacity: int
    seats_taken: int
    seats_left: int
    meeting_url: str
    status: Literal["open", "closed"]


class BookingPublic(BaseModel):
    id: int
    status: BookingStatus
    sequence: int = Field(description="the calendar invite's SEQUENCE (bumped on every change)")
    onboarding_id: int
    client_id: int | None
    company_name: str | None
    slot_id: int
    csm_id: int
    starts_at: datetime
    ends_at: datetime
    meeting_url: str
    attendee_email: str | None
    created_at: datetime
    updated_at: datetime
    cancelled_at: datetime | None
