"""DTOs of the client's status page links (issue #17)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

__all__ = ["StatusLinkOpened", "StatusLinksRevoked", "StatusPagePublic"]


class StatusLinkOpened(BaseModel):
    """A fresh link to the client's page for the caller (short-lived; audited)."""

    url: str
    link_id: int
    onboarding_id: int
    expires_at: datetime


class StatusLinksRevoked(BaseModel):
    revoked: int


class StatusPagePublic(BaseModel):
    """When the client last opened the page (staff's own looks do not count)."""

    onboarding_id: int | None
    live_links: int
    last_opened_at: datetime | None
    opened_count: int
