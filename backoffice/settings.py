"""What the back-office needs from configuration, as plain values the composition root fills in.

``bot.config.Settings`` reads the ``ONBOARD_*`` variables; ``bot.bootstrap`` turns them into a
``BackofficeSettings`` and passes it to ``backoffice.api.create_router``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path

from bot.domain.business_time import BusinessCalendar

ROLES = ("admin", "manager", "csm")


@dataclass(frozen=True, slots=True, kw_only=True)
class BackofficeSettings:
    """Configuration of the back-office (see ``backoffice/README.md`` for the variables)."""

    timezone: str = "America/Sao_Paulo"
    business_hours: tuple[time, time] = (time(9), time(18))
    lunch_break: tuple[time, time] | None = None
    holiday_state: str | None = None  # e.g. "SP": the state's holidays count too
    extra_holidays: tuple[date, ...] = ()
    sla_at_risk_share: float = 0.8
    approval_roles: frozenset[str] = field(default_factory=lambda: frozenset({"manager", "admin"}))
    erp_webhook_url: str | None = None
    erp_hmac_secret: str | None = None
    csm_max_open_escalations: int = 10
    pipelines_dir: Path | None = None  # None: the templates shipped in ``backoffice/pipelines``
    onboarding_target_days: tuple[int, int] = (30, 60)
    # The client's status page (issue #17): the base of its links and how long the bot's live.
    public_url: str = "http://127.0.0.1:8000"
    status_link_days: int = 30

    def __post_init__(self) -> None:
        unknown = set(self.approval_roles) - set(ROLES)
        if unknown or not self.approval_roles:
            raise ValueError(
                f"approval roles must be among {ROLES}, got {sorted(self.approval_roles)}"
            )
        if not 0.0 < self.sla_at_risk_share <= 1.0:
            raise ValueError(f"sla_at_risk_share must be in (0, 1], got {self.sla_at_risk_share}")
        if self.csm_max_open_escalations < 1:
            raise ValueError("csm_max_open_escalations must be at least 1")
        low, high = self.onboarding_target_days
        if not 0 < low <= high:
            raise ValueError(f"onboarding_target_days must be 0 < low <= high, got {low}, {high}")

    def calendar(self) -> BusinessCalendar:
        """The business calendar SLA clocks run on (built on demand, never at import time)."""
        return BusinessCalendar(
            timezone=self.timezone,
            hours=self.business_hours,
            lunch=self.lunch_break,
            state=self.holiday_state,
            extra_holidays=self.extra_holidays,
        )


def parse_hours(text: str) -> tuple[time, time]:
    """``"09:00-18:00"`` → ``(time(9), time(18))``: the format of ``ONBOARD_BUSINESS_HOURS``."""
    opens, sep, closes = text.partition("-")
    if not sep:
        raise ValueError(f"expected HH:MM-HH:MM, got {text!r}")
    return time.fromisoformat(opens.strip()), time.fromisoformat(closes.strip())
