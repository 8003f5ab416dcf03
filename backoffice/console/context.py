"""What every console route needs, carried on the route class (as the API's context is)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from backoffice.api.deps import BackofficeContext
from backoffice.console.templating import Views
from backoffice.staff_auth import AuthPolicy

__all__ = ["ConsoleContext", "EventFeed"]


class EventFeed(Protocol):
    """Where the console's live updates come from (``backoffice.console.live``)."""

    def notify(self) -> None:
        """Something was written to the event log: wake the readers (this and other processes)."""


@dataclass(frozen=True)
class ConsoleContext:
    backoffice: BackofficeContext
    views: Views
    policy: AuthPolicy
    secure_cookies: bool  # behind HTTPS (ONBOARD_PUBLIC_URL is https://): cookies are Secure
    public_url: str
    feed: EventFeed | None = None
    # Message kinds with an approved WhatsApp template (``Settings.whatsapp_templates()``): the
    # conversation page says whether a reply outside the 24-hour window goes or is held.
    whatsapp_templates: frozenset[str] = frozenset()
