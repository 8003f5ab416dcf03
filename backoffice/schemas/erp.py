"""ERP pushes as staff see them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backoffice.schemas.common import PublicModel


class ErpPushPublic(PublicModel):
    id: int
    event_id: str
    onboarding_id: int
    client_id: int
    requested_by: int | None
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    last_status_code: int | None
    response: dict[str, Any] | None
    erp_customer_id: str | None
    created_at: datetime
    delivered_at: datetime | None
