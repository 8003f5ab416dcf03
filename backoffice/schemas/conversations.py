"""Conversations: ownership (takeover/release), staff messages and the transcript."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from backoffice.schemas.common import NO_NUL, PublicModel, RequestBody


class ConversationPublic(PublicModel):
    id: int
    channel: str
    client_id: int | None
    onboarding_id: int | None
    language: str
    bot_paused: bool
    paused_by: int | None
    opted_out: bool
    last_inbound_at: datetime | None
    created_at: datetime


class MessagePublic(BaseModel):
    id: int
    direction: str
    author: str
    staff_id: int | None
    text: str
    kind: str | None
    status: str
    error_code: str | None
    created_at: datetime


class StaffMessageCreate(RequestBody):
    text: Annotated[str, StringConstraints(min_length=1, max_length=4000, pattern=NO_NUL)]


class StaffMessagePublic(BaseModel):
    message_id: int  # the first (often the only) part
    status: str
    # Every stored message, in sending order: a text longer than the channel accepts (Twilio
    # 1,600 characters) goes as several.
    part_ids: list[int]


class ReleaseRequest(RequestBody):
    resolve_escalations: bool = True


class ReleasePublic(BaseModel):
    conversation: ConversationPublic
    bot_message_ids: list[int]
