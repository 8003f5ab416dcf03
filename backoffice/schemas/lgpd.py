"""LGPD: erasure requests and their outcome."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from backoffice.schemas.common import PublicModel


class ErasureRequestPublic(PublicModel):
    id: int
    conversation_id: int
    client_id: int | None
    status: str = Field(description="requested | notifying | done | refused")
    requested_at: datetime
    decided_at: datetime | None
    decided_by: int | None


class ErasureResult(BaseModel):
    request: ErasureRequestPublic | None
    client_id: int
    files_deleted: int
    notices_queued: int
