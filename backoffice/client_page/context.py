"""What every route of the client's status page needs, carried on the route class (as the
console's context is), so no global holds it."""

from __future__ import annotations

from dataclasses import dataclass

from backoffice.api.deps import BackofficeContext
from backoffice.client_page.documents import RequiredDocument
from backoffice.html.views import Views
from bot.coordination import RateLimiter
from bot.service.inbox import Inbox
from bot.service.web_chat import WebChat

__all__ = ["ChatLinks", "ClientPageContext", "RateLimits"]


@dataclass(frozen=True, slots=True)
class ChatLinks:
    """Where the page's "back to the chat" link points, by the contact's channel."""

    whatsapp_number: str | None = None  # the business number (any format; digits are kept)
    telegram_username: str | None = None  # the bot's username, without @

    def for_channel(self, channel: str | None) -> str | None:
        digits = "".join(c for c in self.whatsapp_number or "" if c.isdigit())
        if channel in ("twilio_whatsapp", "whatsapp_cloud") and digits:
            return f"https://wa.me/{digits}"
        if channel == "telegram" and self.telegram_username:
            return f"https://t.me/{self.telegram_username.lstrip('@')}"
        return None


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Token buckets of the page: per client IP and per token (a guessed token costs too)."""

    per_ip_per_s: float = 1.0
    per_ip_burst: int = 60
    per_token_per_s: float = 0.5
    per_token_burst: int = 30


@dataclass(frozen=True)
class ClientPageContext:
    backoffice: BackofficeContext  # sessions, clock, pipelines, business calendar, documents
    views: Views  # the page's templates in pt-BR and English
    public_url: str
    link_days: int
    csrf_secret: bytes  # ONBOARD_STATUS_PAGE_SECRET: the same in every serve process
    timezone: str = "America/Sao_Paulo"
    chat_links: ChatLinks = ChatLinks()
    rate_limiter: RateLimiter | None = None  # the process's (Redis when configured)
    limits: RateLimits = RateLimits()
    # The documents the flows ask for (their document steps), in the order they are asked.
    required_documents: tuple[RequiredDocument, ...] = ()
    # What the page's actions (``actions.py``) hand files and bookings to: the inbox every
    # channel uses and the web chat's upload path (intake check, content-addressed store).
    inbox: Inbox | None = None
    web_chat: WebChat | None = None
